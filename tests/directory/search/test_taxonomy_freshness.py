"""A change to a category reaches search like any other edit, without a rebuild."""

from __future__ import annotations

from sqlalchemy import select

from directory.models import TaxonomyTerm
from tests.directory.search.conftest import find, names
from tests.factories import make_service


def test_a_renamed_category_is_searchable_on_the_next_search(taxonomy, index):
    session = taxonomy
    crafts = session.scalars(select(TaxonomyTerm).where(TaxonomyTerm.code == "crafts")).one()
    group = make_service(session, name="Thursday Makers", description="Bring a project and a flask.")
    group.taxonomy_terms.append(crafts)
    session.flush()
    assert names(find(session, index, text="origami")) == []

    crafts.name = "Crafts and origami"
    session.flush()
    assert names(find(session, index, text="origami")) == ["Thursday Makers"]
    assert index.last_apply.listings_updated == 1  # followed through the change log, not rebuilt
