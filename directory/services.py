"""Writing listings: create, edit, verify and delete services, keeping the version trail.

Domain functions take the session and the acting user (an email or an importer's name) and
never reach into Flask. The change log is written by the flush hook in `directory.changelog`;
these functions add the human side: versions, manual-edit marks and validation of taxonomy codes.
"""

from __future__ import annotations

from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.changelog import set_actor
from directory.errors import NotFound, ValidationError
from directory.models import Service, ServiceVersion, TaxonomyTerm, Verification
from directory.models._common import utcnow

# Fields a person may edit directly on a service through `update_service`.
EDITABLE_FIELDS = {
    "name", "alternate_name", "description", "what_to_expect", "url", "email", "phone",
    "status", "application_process", "fees_description", "eligibility_description",
    "minimum_age", "maximum_age", "gender", "conditions", "delivery_modes", "referral_routes",
    "accessibility", "capacity_status", "capacity_note", "capacity_expires_at", "alert",
    "moderation_status", "interpretation_services",
}


def _plain(value):
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def snapshot(service: Service) -> dict:
    """A JSON-safe picture of a service and its children, for the version trail."""
    columns = {c.key: _plain(getattr(service, c.key)) for c in Service.__table__.columns}
    columns["taxonomy"] = sorted(t.code for t in service.taxonomy_terms)
    columns["locations"] = [
        {"id": sal.location.id, "name": sal.location.name, "postal_code": sal.location.postal_code,
         "latitude": sal.location.latitude, "longitude": sal.location.longitude}
        for sal in service.locations
    ]
    columns["schedules"] = [
        {"freq": s.freq, "byday": s.byday, "opens_at": _plain(s.opens_at), "closes_at": _plain(s.closes_at)}
        for s in service.schedules
    ]
    columns["cost_options"] = [{"amount": _plain(c.amount), "option": c.option} for c in service.cost_options]
    return columns


def record_version(session: Session, service: Service, actor: str | None, note: str | None = None) -> ServiceVersion:
    """Append a version snapshot of `service` (call after changing it)."""
    version = ServiceVersion(
        service_id=service.id, version=service.version or 1, snapshot=snapshot(service),
        changed_by=actor, note=note,
    )
    session.add(version)
    return version


def resolve_terms(session: Session, codes: list[str], taxonomy_name: str | None = None) -> list[TaxonomyTerm]:
    """The taxonomy terms for `codes`; an unknown code is a `ValidationError` naming it."""
    query = select(TaxonomyTerm).where(TaxonomyTerm.code.in_(codes))
    if taxonomy_name:
        from directory.models import Taxonomy

        query = query.join(Taxonomy).where(Taxonomy.name == taxonomy_name)
    found = {t.code: t for t in session.scalars(query)}
    unknown = [c for c in codes if c not in found]
    if unknown:
        raise ValidationError("taxonomy", f"Unknown category: {', '.join(unknown)}.")
    return [found[c] for c in codes]


def get_service(session: Session, service_id: str) -> Service:
    service = session.get(Service, service_id)
    if service is None:
        raise NotFound(f"There is no listing with id {service_id}.")
    return service


def update_service(
    session: Session, actor: str, service_id: str, changes: dict, *, manual: bool = True, note: str | None = None
) -> Service:
    """Apply `changes` to a service, bump its version and record who did it.

    `manual=True` (a person editing) marks the fields as hand-edited so the next import does
    not silently overwrite them. Unknown fields are refused. Commits nothing: the caller does.
    """
    service = get_service(session, service_id)
    unknown = set(changes) - EDITABLE_FIELDS - {"taxonomy"}
    if unknown:
        raise ValidationError(sorted(unknown)[0], "This field cannot be edited.")
    set_actor(session, actor)
    changed = []
    for field, value in changes.items():
        if field == "taxonomy":
            terms = resolve_terms(session, list(value))
            if {t.id for t in terms} != {t.id for t in service.taxonomy_terms}:
                service.taxonomy_terms = terms
                changed.append(field)
        elif getattr(service, field) != value:
            setattr(service, field, value)
            changed.append(field)
    if not changed:
        return service
    if "capacity_status" in changed:
        service.capacity_stated_at = utcnow()
    if manual:
        service.manual_fields = sorted(set(service.manual_fields or []) | set(changed))
    service.version = (service.version or 1) + 1
    record_version(session, service, actor, note or f"Changed {', '.join(changed)}")
    return service


def verify_service(session: Session, actor: str, service_id: str, method: str = "portal") -> Service:
    """Record that `actor` checked the listing is still right today."""
    service = get_service(session, service_id)
    set_actor(session, actor)
    service.assured_date = utcnow().date()
    service.assurer_email = actor
    session.add(Verification(service_id=service.id, verified_by=actor, method=method))
    return service


def delete_service(session: Session, actor: str, service_id: str, note: str | None = None) -> None:
    """Delete a listing; its version trail and change-log tombstone remain."""
    service = get_service(session, service_id)
    set_actor(session, actor)
    service.version = (service.version or 1) + 1
    record_version(session, service, actor, note or "Deleted")
    session.delete(service)
