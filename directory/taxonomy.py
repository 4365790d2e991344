"""Taxonomies in the database: load Wayfinder's categories and the OpenActive Activity List.

Reading sources is pure and lives in `directory.taxonomy_index` (the Wayfinder TOML, the spec
type, the in-memory index) and `directory.taxonomy_activity_list` (the Activity List); this
module stores what they read and answers hierarchy questions from the database. Everything a
caller needs is importable from here.

Loading is an idempotent upsert keyed on (taxonomy, code): running it twice changes nothing,
a changed name or synonym is updated in place, and term ids never change, so services filed
under a term stay filed under it. Terms missing from a new version of a source are kept, not
deleted: listings may still point at them, and deleting would silently unfile those listings.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Callable, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.errors import NotFound
from directory.models import Taxonomy, TaxonomyTerm
from directory.models._common import new_id
from directory.taxonomy_activity_list import (
    DEFAULT_MAX_AGE,
    PUBLISHED_URL,
    ActivityListUnavailable,
    concept_code,
    fetch_activity_list,
    read_activity_list,
)
from directory.taxonomy_index import (
    WAYFINDER_TOML,
    TaxonomyIndex,
    TermSpec,
    read_wayfinder_file,
    read_wayfinder_taxonomy,
    validate_specs,
)

__all__ = [
    "ACTIVITY_LIST",
    "DEFAULT_MAX_AGE",
    "PUBLISHED_URL",
    "WAYFINDER",
    "WAYFINDER_TOML",
    "ActivityListUnavailable",
    "TaxonomyIndex",
    "TermSpec",
    "concept_code",
    "descendant_codes",
    "fetch_activity_list",
    "load_activity_list",
    "load_wayfinder_taxonomy",
    "read_activity_list",
    "read_wayfinder_taxonomy",
    "sync_taxonomy",
    "validate_specs",
]

WAYFINDER = "wayfinder"
ACTIVITY_LIST = "openactive-activity-list"

# Called once per term that a sync creates or changes: on_change("created" | "updated", code).
ChangeCallback = Callable[[str, str], None]


def sync_taxonomy(
    session: Session,
    name: str,
    specs: Iterable[TermSpec],
    uri: str | None = None,
    version: str | None = None,
    *,
    description: str | None = None,
    on_change: ChangeCallback | None = None,
) -> Taxonomy:
    """Create or update the taxonomy called `name` so its terms match `specs`.

    Idempotent: terms are matched by code, only fields that differ are written, and a second
    run with the same specs changes nothing. Parents (and extra parents) are resolved by code
    within this taxonomy. `uri`, `version` and `description` are only written when given.
    Terms absent from `specs` are left alone (see the module docstring). Flushes, so problems
    surface here, but does not commit: the caller owns the transaction.
    """
    specs = validate_specs(specs, source=name)
    taxonomy = session.scalar(select(Taxonomy).where(Taxonomy.name == name))
    if taxonomy is None:
        taxonomy = Taxonomy(id=new_id(), name=name)
        session.add(taxonomy)
        existing: dict[str, TaxonomyTerm] = {}
    else:
        existing = {
            t.code: t for t in session.scalars(select(TaxonomyTerm).where(TaxonomyTerm.taxonomy_id == taxonomy.id))
        }
    for attr, value in (("uri", uri), ("version", version), ("description", description)):
        if value is not None and getattr(taxonomy, attr) != value:
            setattr(taxonomy, attr, value)

    created: list[str] = []
    updated: set[str] = set()
    terms: dict[str, TaxonomyTerm] = {}
    for spec in specs:
        term = existing.get(spec.code)
        if term is None:
            # Ids are given now, not at flush, so extra parents can be recorded by id below.
            term = TaxonomyTerm(id=new_id(), taxonomy_id=taxonomy.id, code=spec.code, synonyms=[], need_phrases=[])
            session.add(term)
            created.append(spec.code)
        values = {
            "name": spec.name,
            "description": spec.description,
            "term_uri": spec.uri,
            "icon": spec.icon,
            "synonyms": list(spec.synonyms),
            "need_phrases": list(spec.need_phrases),
        }
        for attr, value in values.items():
            if getattr(term, attr) != value:
                setattr(term, attr, value)
                updated.add(spec.code)
        terms[spec.code] = term

    for spec in specs:
        term = terms[spec.code]
        parent = terms[spec.parent_code] if spec.parent_code else None
        if term.parent_id != (parent.id if parent else None):
            # Through the relationship, not parent_id: the unit of work then inserts parents
            # before children, which the foreign key needs (the Activity List is alphabetical,
            # so children often come first).
            term.parent = parent
            updated.add(spec.code)
        extra_ids = [terms[code].id for code in spec.extra_parent_codes]
        if list(term.extra_parent_ids or []) != extra_ids:
            term.extra_parent_ids = extra_ids
            updated.add(spec.code)

    session.flush()
    if on_change:
        for code in created:
            on_change("created", code)
        for code in sorted(updated - set(created)):
            on_change("updated", code)
    return taxonomy


def load_wayfinder_taxonomy(
    session: Session, path: str | Path | None = None, *, on_change: ChangeCallback | None = None
) -> Taxonomy:
    """Load (or refresh) Wayfinder's own categories, named "wayfinder", from the TOML file."""
    header, specs = read_wayfinder_file(path)
    return sync_taxonomy(
        session,
        WAYFINDER,
        specs,
        uri=header.get("uri"),
        version=str(header["version"]) if header.get("version") is not None else None,
        description=header.get("description"),
        on_change=on_change,
    )


def load_activity_list(session: Session, data: dict, *, on_change: ChangeCallback | None = None) -> Taxonomy:
    """Load (or refresh) the OpenActive Activity List, named "openactive-activity-list"."""
    specs = read_activity_list(data)
    version = data.get("version") or data.get("dateModified")
    return sync_taxonomy(
        session,
        ACTIVITY_LIST,
        specs,
        uri=data.get("id") or data.get("@id"),
        version=str(version) if version else None,
        description=data.get("description"),
        on_change=on_change,
    )


def descendant_codes(session: Session, code: str, taxonomy_name: str | None = None) -> set[str]:
    """`code` and the codes of every term beneath it, at any depth.

    Children include terms that name it as an extra parent (a SKOS concept with several
    broader concepts is found under each). With no `taxonomy_name`, every taxonomy that has
    the code is searched. Raises `NotFound` for an unknown code.
    """
    query = select(TaxonomyTerm.id, TaxonomyTerm.taxonomy_id).where(TaxonomyTerm.code == code)
    if taxonomy_name:
        query = query.join(Taxonomy).where(Taxonomy.name == taxonomy_name)
    starts = session.execute(query).all()
    if not starts:
        where = f" in the {taxonomy_name!r} taxonomy" if taxonomy_name else ""
        raise NotFound(f"There is no category {code!r}{where}.")
    # One query per taxonomy and a walk in Python: a recursive CTE could not follow the extra
    # parents (a JSON list), and a taxonomy is at most a few thousand rows.
    found: set[str] = set()
    for taxonomy_id in {row.taxonomy_id for row in starts}:
        rows = session.execute(
            select(TaxonomyTerm.id, TaxonomyTerm.code, TaxonomyTerm.parent_id, TaxonomyTerm.extra_parent_ids).where(
                TaxonomyTerm.taxonomy_id == taxonomy_id
            )
        ).all()
        children: dict[str, list[str]] = defaultdict(list)
        codes = {}
        for row in rows:
            codes[row.id] = row.code
            for parent_id in ([row.parent_id] if row.parent_id else []) + list(row.extra_parent_ids or []):
                children[parent_id].append(row.id)
        todo = [row.id for row in starts if row.taxonomy_id == taxonomy_id]
        seen = set(todo)
        while todo:
            for child in children.get(todo.pop(), []):
                if child not in seen:
                    seen.add(child)
                    todo.append(child)
        found |= {codes[i] for i in seen}
    return found
