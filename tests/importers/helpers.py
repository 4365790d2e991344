"""Small helpers shared by importer tests."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select

from directory.models import Taxonomy, TaxonomyTerm

ACTIVITY_LIST = "OpenActive Activity List"


def load_activity_list(session, standards: Path) -> Taxonomy:
    """The OpenActive Activity List as taxonomy terms (URI, label, altLabels), for mapping tests.

    Prefers the directory's own loader when it exists, so the tests exercise the real thing.
    """
    try:
        from directory.taxonomy import load_activity_list as real_loader  # type: ignore
    except ImportError:
        real_loader = None
    path = standards / "openactive" / "activity-list.jsonld"
    if real_loader is not None:
        try:
            return real_loader(session, path)
        except TypeError:
            pass
    existing = session.scalars(select(Taxonomy).where(Taxonomy.name == ACTIVITY_LIST)).first()
    if existing:
        return existing
    data = json.loads(path.read_text())
    taxonomy = Taxonomy(name=ACTIVITY_LIST, uri="https://openactive.io/activity-list")
    session.add(taxonomy)
    for concept in data["concept"]:
        taxonomy.terms.append(TaxonomyTerm(
            code=concept["identifier"], name=concept["prefLabel"], term_uri=concept["id"],
            synonyms=list(concept.get("altLabel") or []),
        ))
    session.flush()
    return taxonomy


def read_json(path: Path):
    return json.loads(Path(path).read_text())
