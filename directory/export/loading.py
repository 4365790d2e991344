"""Load services for serialising in a fixed number of queries, whatever the page size.

Serialising a service touches a dozen relationships; loading them lazily would cost a query per
service per relationship. `load_services` eager-loads the whole tree with `selectinload` (one
query per relationship for the whole batch) and `last_changed` finds each service's latest
change in one grouped query.
"""

from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import func, select
from sqlalchemy.orm import Session, lazyload, selectinload

from directory.models import ChangeLog, Organization, Service, ServiceAtLocation, TaxonomyTerm

_BATCH = 500  # keeps IN lists well inside SQLite's bound-parameter limit

TREE_OPTIONS = (
    selectinload(Service.organization).selectinload(Organization.identifiers),
    selectinload(Service.locations).selectinload(ServiceAtLocation.location),
    selectinload(Service.schedules),
    selectinload(Service.cost_options),
    selectinload(Service.languages),
    selectinload(Service.contacts),
    selectinload(Service.service_areas),
    selectinload(Service.taxonomy_terms).selectinload(TaxonomyTerm.taxonomy),
)


def _chunks(ids: list[str]):
    for start in range(0, len(ids), _BATCH):
        yield ids[start : start + _BATCH]


def load_services(session: Session, ids: list[str], *, tree: bool = True) -> dict[str, Service]:
    """The services with these ids (missing ids are simply absent), keyed by id."""
    # Without the tree, categories (selectin by default) are loaded only if something asks.
    options = TREE_OPTIONS if tree else (selectinload(Service.organization), lazyload(Service.taxonomy_terms))
    found: dict[str, Service] = {}
    for chunk in _chunks(list(dict.fromkeys(ids))):
        for service in session.scalars(select(Service).where(Service.id.in_(chunk)).options(*options)):
            found[service.id] = service
    return found


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every Wayfinder timestamp is UTC."""
    if value is None:
        return None
    return value.replace(tzinfo=timezone.utc) if value.tzinfo is None else value.astimezone(timezone.utc)


def service_rows(session: Session, ids: list[str]) -> dict:
    """Just id, name, status and last_modified of these services (for `minimal` lists)."""
    found = {}
    for chunk in _chunks(list(dict.fromkeys(ids))):
        query = select(Service.id, Service.name, Service.status, Service.last_modified)
        found.update({row.id: row for row in session.execute(query.where(Service.id.in_(chunk)))})
    return found


def last_changed(session: Session, services: dict) -> dict[str, datetime]:
    """When each service last changed: its own row or anything hanging off it.

    `Service.last_modified` only moves when the service row itself is updated; a new schedule
    or a renamed venue is in the change log, so the later of the two is the honest answer.
    `services` maps ids to anything with a `last_modified` (a `Service`, a row).
    """
    logged: dict[str, datetime] = {}
    for chunk in _chunks(list(services)):
        rows = session.execute(
            select(ChangeLog.entity_id, func.max(ChangeLog.changed_at))
            .where(ChangeLog.entity_type == "service", ChangeLog.entity_id.in_(chunk))
            .group_by(ChangeLog.entity_id)
        )
        logged.update({sid: as_utc(when) for sid, when in rows})
    result = {}
    for sid, service in services.items():
        candidates = [t for t in (as_utc(service.last_modified), logged.get(sid)) if t is not None]
        result[sid] = max(candidates)
    return result
