"""Which taxonomy terms a source's category references mean.

Sources name categories in different ways - OpenActive by Activity List URI (or a bare label),
ORUK by term code or `term_uri` within a named taxonomy, spreadsheets by the words people use -
so a reference is tried by URI, then code, then name or synonym, preferring the taxonomy it
names (Wayfinder's own when it names none). All terms are indexed once per run.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.models import Taxonomy, TaxonomyTerm
from directory.taxonomy import WAYFINDER


class TermResolver:
    def __init__(self, session: Session):
        self.session = session
        self._terms = None

    def _index(self):
        if self._terms is None:
            names = {t.id: t.name for t in self.session.scalars(select(Taxonomy))}
            by_uri, by_code, by_label = {}, {}, {}
            for term in self.session.scalars(select(TaxonomyTerm)):
                tax = names.get(term.taxonomy_id)
                if term.term_uri:
                    by_uri[term.term_uri] = term
                by_code.setdefault(term.code.lower(), []).append((tax, term))
                for label in dict.fromkeys([term.name, *(term.synonyms or [])]):
                    by_label.setdefault(str(label).lower(), []).append((tax, term))
            self._terms = (by_uri, by_code, by_label, names)
        return self._terms

    def resolve(self, ref) -> list[TaxonomyTerm]:
        """The terms a category reference means: by URI, then code, then name or synonym.

        An OpenActive activity also brings the Wayfinder category it belongs to (by name or
        synonym of the activity or its parent), so "Running" from a feed is found under
        Wayfinder's exercise category as well as the Activity List's own term.
        """
        by_uri, by_code, by_label, names = self._index()
        prefer = ref.taxonomy or WAYFINDER

        def pick(candidates):
            if not candidates:
                return None
            return next((t for tax, t in candidates if tax == prefer), candidates[0][1])

        primary = by_uri.get(ref.uri) if ref.uri else None
        if primary is None and ref.uri:
            primary = pick(by_code.get(ref.uri.rsplit("#", 1)[-1].rsplit("/", 1)[-1].lower()))
        if primary is None and ref.code:
            primary = pick(by_code.get(ref.code.lower()))
        if primary is None and ref.label:
            primary = pick(by_label.get(ref.label.lower()))
        if primary is None:
            return []
        found = [primary]
        if ref.widen and names.get(primary.taxonomy_id) != WAYFINDER:
            labels = [primary.name] + ([primary.parent.name] if primary.parent_id and primary.parent else [])
            for label in labels:
                mine = [t for tax, t in by_label.get(label.lower(), []) if tax == WAYFINDER]
                if mine:
                    found.append(mine[0])
                    break
        return found

