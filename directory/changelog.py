"""Every write to a service appends to the change log, from one place: the flush.

Hooking the session (rather than each service function) means importers, the group portal,
the demo generator and admin edits cannot forget to log. A write to a child row (a schedule, a
location, the organisation) is logged against every service it belongs to; a change to a
taxonomy term against every service filed under it or beneath it. Setting a field to
the value it already has is not a change: re-running an unchanged import logs nothing.
"""

from __future__ import annotations

from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from directory.models import (
    ChangeLog,
    Contact,
    CostOption,
    Language,
    Location,
    Organization,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
    service_taxonomy,
)

_CHILDREN = (Schedule, CostOption, Language, Contact, ServiceArea, ServiceAtLocation)
ACTOR_KEY = "wayfinder.actor"


def set_actor(session: Session, actor: str | None) -> None:
    """Record who is making the changes in this session (a user's email, an importer name)."""
    session.info[ACTOR_KEY] = actor


def _really_changed(session: Session, obj) -> bool:
    if not session.is_modified(obj, include_collections=False):
        # A collection (say, taxonomy terms) may still have changed.
        state = inspect(obj)
        return any(
            state.attrs[rel.key].history.has_changes()
            for rel in state.mapper.relationships
            if rel.secondary is not None
        )
    return True


def _services_of(session: Session, obj) -> set[str]:
    if isinstance(obj, Service):
        return {obj.id}
    if isinstance(obj, _CHILDREN):
        sid = obj.service_id or (obj.service.id if obj.service is not None else None)
        return {sid} if sid else set()
    if isinstance(obj, Location):
        ids = {sal.service_id or sal.service.id for sal in obj.services if (sal.service_id or sal.service)}
        if obj.id:
            with session.no_autoflush:
                ids |= set(
                    session.scalars(
                        select(ServiceAtLocation.service_id).where(ServiceAtLocation.location_id == obj.id)
                    )
                )
        return {i for i in ids if i}
    if isinstance(obj, TaxonomyTerm) and obj.id:
        return _services_under_term(session, obj.id)
    if isinstance(obj, Organization):
        ids = {s.id for s in obj.services if s.id}
        if obj.id:
            with session.no_autoflush:
                ids |= set(session.scalars(select(Service.id).where(Service.organization_id == obj.id)))
        return ids
    return set()


def _services_under_term(session: Session, term_id: str) -> set[str]:
    # A renamed term, new synonyms or a move in the tree changes what a search for its
    # services (and its narrower terms' services, which inherit the path) must find.
    with session.no_autoflush:
        terms, frontier = {term_id}, {term_id}
        while frontier:
            frontier = set(session.scalars(select(TaxonomyTerm.id).where(TaxonomyTerm.parent_id.in_(frontier)))) - terms
            terms |= frontier
        return set(session.scalars(
            select(service_taxonomy.c.service_id).where(service_taxonomy.c.taxonomy_term_id.in_(terms))
        ))


@event.listens_for(Session, "before_flush")
def _log_changes(session: Session, _flush_context, _instances) -> None:
    actions: dict[str, str] = {}
    new = set(session.new)  # session.new builds a fresh set on each access: take it once
    for obj in new:
        if isinstance(obj, Service):
            if obj.id is None:
                from directory.models._common import new_id

                obj.id = new_id()
            actions[obj.id] = "created"
    for obj in list(new) + [o for o in session.dirty if _really_changed(session, o)]:
        if isinstance(obj, Service) and obj in new:
            continue
        for sid in _services_of(session, obj):
            actions.setdefault(sid, "updated")
    for obj in session.deleted:
        if isinstance(obj, Service):
            actions[obj.id] = "deleted"
        else:
            for sid in _services_of(session, obj):
                if sid not in actions:
                    actions[sid] = "updated"
    if not actions:
        return
    deleted_services = {o.id for o in session.deleted if isinstance(o, Service)}
    actor = session.info.get(ACTOR_KEY)
    for sid, action in sorted(actions.items()):
        if action == "updated" and sid in deleted_services:
            action = "deleted"
        session.add(ChangeLog(entity_type="service", entity_id=sid, action=action, actor=actor))
