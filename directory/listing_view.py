"""Read what matching needs from the database: services ready to rank, categories, version.

The directory sits below matching, so it hands over ORM rows and plain specs; `web.matching_data`
turns them into `matching`'s dataclasses. Loading eagerly here keeps that conversion from
issuing one query per service.
"""

from __future__ import annotations

import re
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from directory.models import ChangeLog, Service, ServiceAtLocation, Taxonomy, TaxonomyTerm
from directory.taxonomy_index import TermSpec, read_wayfinder_taxonomy
from directory.vocab import Moderation, ServiceStatus

WAYFINDER_TAXONOMY = "wayfinder"

# Words that say a service is one person with one person, or a group. Listings rarely say it in
# a field of its own, but their descriptions do.
_ONE_TO_ONE = re.compile(r"\b(one[- ]to[- ]one|1[:-]1|1 to 1|appointments?|befriend\w*|home visits?|caseworker)\b", re.I)
_GROUP = re.compile(r"\b(group|class|classes|club|choir|café|cafe|session|sessions|circle|team|walks?)\b", re.I)


def infer_setting(text: str) -> str | None:
    """"one_to_one", "group" or None from a listing's words (one-to-one wins when both appear)."""
    if _ONE_TO_ONE.search(text):
        return "one_to_one"
    if _GROUP.search(text):
        return "group"
    return None


def load_services(session: Session, *, only_open: bool = True) -> list[Service]:
    """Every published, active service (all of them when `only_open` is False), eagerly loaded.

    Matching applies its own constraints too; filtering here only saves work.
    """
    query = select(Service).options(
        selectinload(Service.organization),
        selectinload(Service.locations).selectinload(ServiceAtLocation.location),
        selectinload(Service.schedules),
        selectinload(Service.cost_options),
        selectinload(Service.languages),
        selectinload(Service.service_areas),
        selectinload(Service.taxonomy_terms),
    ).order_by(Service.id)
    if only_open:
        query = query.where(
            Service.moderation_status == Moderation.PUBLISHED.value, Service.status == ServiceStatus.ACTIVE.value
        )
    return list(session.scalars(query))


def load_terms(session: Session, taxonomy: str = WAYFINDER_TAXONOMY) -> list[TermSpec]:
    """The categories (with synonyms and need phrases) matching maps people's words onto.

    From the database when the taxonomy has been loaded there, else from the shipped TOML.
    """
    rows = list(session.scalars(
        select(TaxonomyTerm).join(Taxonomy).where(Taxonomy.name == taxonomy).order_by(TaxonomyTerm.code)
    ))
    if not rows:
        return read_wayfinder_taxonomy()
    codes = {row.id: row.code for row in rows}
    return [
        TermSpec(code=row.code, name=row.name, description=row.description, parent_code=codes.get(row.parent_id),
                 synonyms=tuple(row.synonyms or ()), need_phrases=tuple(row.need_phrases or ()))
        for row in rows
    ]


def directory_version(session: Session) -> int:
    """The latest change-log id: anything derived from listings is stale once this moves."""
    return int(session.scalar(select(func.max(ChangeLog.id))) or 0)
