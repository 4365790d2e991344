"""The categories as search uses them: a `TaxonomyIndex` over the stored Wayfinder taxonomy.

Read from the database (not the TOML file) so that a deployment's own edits to synonyms and
need phrases apply at query time without rebuilding the index. Cached per process and
reloaded when the taxonomy's fingerprint changes (checked with the index's periodic checks).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.engine import Connection

from directory.models import Taxonomy, TaxonomyTerm
from directory.search.documents import WAYFINDER_TAXONOMY
from directory.taxonomy_index import TaxonomyIndex, TermSpec


@dataclass
class Categories:
    """The Wayfinder taxonomy for search, plus the other taxonomies' codes for filtering."""

    index: TaxonomyIndex
    other_keys: dict[str, set[str]]  # "taxonomy:code" -> itself and every key beneath it

    def known(self, code: str) -> bool:
        return code in self.index or code in self.other_keys

    def expand(self, code: str) -> set[str]:
        """Index keys of a category and everything beneath it."""
        if code in self.index:
            return self.index.expand(code)
        return self.other_keys.get(code, {code})

    def name(self, code: str) -> str:
        return self.index.name(code) if code in self.index else code.split(":", 1)[-1]


def load_categories(conn: Connection) -> Categories:
    """Build the search view of the stored taxonomies."""
    rows = conn.execute(
        select(
            Taxonomy.name.label("taxonomy"), TaxonomyTerm.id, TaxonomyTerm.code, TaxonomyTerm.name,
            TaxonomyTerm.description, TaxonomyTerm.parent_id, TaxonomyTerm.extra_parent_ids,
            TaxonomyTerm.synonyms, TaxonomyTerm.need_phrases, TaxonomyTerm.term_uri, TaxonomyTerm.icon,
        ).join(Taxonomy, Taxonomy.id == TaxonomyTerm.taxonomy_id).order_by(Taxonomy.name, TaxonomyTerm.code)
    ).all()
    code_of = {r.id: r.code for r in rows}
    wayfinder = [r for r in rows if r.taxonomy == WAYFINDER_TAXONOMY]
    specs = [
        TermSpec(
            code=r.code, name=r.name, description=r.description,
            parent_code=code_of.get(r.parent_id), synonyms=tuple(r.synonyms or ()),
            need_phrases=tuple(r.need_phrases or ()), uri=r.term_uri,
            extra_parent_codes=tuple(code_of[p] for p in (r.extra_parent_ids or ()) if p in code_of),
            icon=r.icon,
        )
        for r in _parents_first(wayfinder)
    ]
    others = [r for r in rows if r.taxonomy != WAYFINDER_TAXONOMY]
    return Categories(TaxonomyIndex.from_specs(specs), _other_keys(others))


def _parents_first(rows):
    # TaxonomyIndex keeps source order for ties and roots; the TOML lists parents first, and so
    # does this (a breadth-first walk from the roots, each level in code order).
    by_parent: dict = {}
    for row in rows:
        by_parent.setdefault(row.parent_id, []).append(row)
    ids = {r.id for r in rows}
    ordered, level = [], [r for r in rows if r.parent_id not in ids]
    while level:
        ordered += level
        level = [child for r in level for child in by_parent.get(r.id, [])]
    return ordered


def _other_keys(rows) -> dict[str, set[str]]:
    key_of = {r.id: f"{r.taxonomy}:{r.code}" for r in rows}
    children: dict[str, list[str]] = {}
    for r in rows:
        for parent in ([r.parent_id] if r.parent_id else []) + list(r.extra_parent_ids or []):
            if parent in key_of:
                children.setdefault(key_of[parent], []).append(key_of[r.id])
    expanded = {}
    for key in key_of.values():
        found, todo = {key}, [key]
        while todo:
            for child in children.get(todo.pop(), ()):
                if child not in found:
                    found.add(child)
                    todo.append(child)
        expanded[key] = found
    return expanded
