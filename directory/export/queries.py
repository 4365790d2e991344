"""The `/services` filters as SQLAlchemy selects, identical on SQLite and PostgreSQL.

`ServiceFilters` is the parsed request; `filtered_ids` turns it into a select of service ids in
the published order (name, then id, so pages never shuffle); `find_services` runs it and pages.
Everything that could round differently between databases (distances, polygons) is decided in
Python on plain floats, so both backends give the same answer: SQL only narrows the candidates
with a bounding box.

Filter semantics follow the ORUK OpenAPI descriptions:

- `minimum_age=N`: services whose own minimum age is at least N; `maximum_age=N`: whose own
  maximum age is at most N (services that do not state one are left out);
- `day`, `start_time`, `end_time`: one schedule rule must satisfy all of them together
  (a Tuesday session that starts at or after `start_time` and ends by `end_time`);
- `taxonomy_term_id`: the term or any term beneath it; `taxonomy_id`: any term of it;
- `postcode`: services limited to areas must cover the postcode; with `proximity` (metres),
  only services with a venue within that distance of the postcode's centre;
- `modified_after`: changed on or after that moment (any change to the listing counts).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timezone

from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from directory.errors import ValidationError
from directory.export.paging import PageRequest
from directory.geo import bounding_box, haversine_km, point_in_area
from directory.models import (
    ChangeLog,
    Location,
    Organization,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    TaxonomyTerm,
    service_taxonomy,
)
from directory.vocab import DAY_NAMES, DAYS, Moderation

MAX_PROXIMITY_M = 500_000  # 500 km covers England; more is a mistake, not a search


@dataclass(frozen=True)
class ServiceFilters:
    """A parsed `/services` query. Every field is optional; None means "no filter"."""

    text: str | None = None
    taxonomy_term_id: str | None = None
    taxonomy_id: str | None = None
    organization_id: str | None = None
    modified_after: datetime | None = None
    minimum_age: float | None = None
    maximum_age: float | None = None
    day: str | None = None  # MO..SU
    start_time: time | None = None
    end_time: time | None = None
    point: tuple[float, float] | None = None  # (lat, lon) of the postcode
    proximity_m: float | None = None

    @property
    def needs_geography(self) -> bool:
        return self.point is not None


# ---------------------------------------------------------------------------------------------
# Parsing query strings


def _number(field: str, text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise ValidationError(field, f"{text!r} is not a number.") from None
    if not math.isfinite(value) or value < 0:
        raise ValidationError(field, "It must be a number of 0 or more.")
    return value


def parse_day(text: str) -> str:
    """``MO``, ``mon``, ``Monday`` (any case) -> ``MO``."""
    key = text.strip().lower()
    for code in DAYS:
        name = DAY_NAMES[code].lower()
        if key in (code.lower(), name, name[:3]):
            return code
    raise ValidationError("day", f"{text!r} is not a day of the week (use MO..SU or Monday..Sunday).")


def parse_time(field: str, text: str) -> time:
    try:
        return time.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(field, f"{text!r} is not a time; use HH:MM, e.g. 09:30.") from None


def parse_datetime(field: str, text: str) -> datetime:
    """An ISO 8601 date or date-time; without an offset it is taken as UTC."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError:
        raise ValidationError(field, f"{text!r} is not an ISO 8601 date or date-time.") from None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def filters_from_params(params: Mapping[str, str], locate: Callable[[str], tuple[float, float]]) -> ServiceFilters:
    """Build filters from query parameters. `locate` turns a postcode into (lat, lon) or raises.

    Unknown parameters are ignored (clients send `full`, `format` and the like); a known one
    with a value that makes no sense is a `ValidationError` naming it.
    """
    def get(name: str) -> str | None:
        value = params.get(name)
        return value.strip() if value is not None and value.strip() else None

    values: dict = {}
    text = get("text") or get("search")
    if text:
        values["text"] = text[:200]
    for name in ("taxonomy_term_id", "taxonomy_id", "organization_id"):
        if get(name):
            values[name] = get(name)
    if get("modified_after"):
        values["modified_after"] = parse_datetime("modified_after", get("modified_after"))
    for name in ("minimum_age", "maximum_age"):
        if get(name):
            values[name] = _number(name, get(name))
    if get("day"):
        values["day"] = parse_day(get("day"))
    for name in ("start_time", "end_time"):
        if get(name):
            values[name] = parse_time(name, get(name))
    if get("proximity") and not get("postcode"):
        raise ValidationError("proximity", "Give a postcode to measure the proximity from.")
    if get("postcode"):
        values["point"] = locate(get("postcode"))
    if get("proximity"):
        proximity = _number("proximity", get("proximity"))
        if not 0 < proximity <= MAX_PROXIMITY_M:
            raise ValidationError("proximity", f"It must be between 1 and {MAX_PROXIMITY_M} metres.")
        values["proximity_m"] = proximity
    return ServiceFilters(**values)


# ---------------------------------------------------------------------------------------------
# Building selects


def published() -> Select:
    """Ids of the listings the public may see, in the order pages are served."""
    return select(Service.id).where(Service.moderation_status == Moderation.PUBLISHED.value)


def term_and_descendants(term_id: str):
    """A recursive CTE of `term_id` and every term beneath it."""
    tree = select(TaxonomyTerm.id).where(TaxonomyTerm.id == term_id).cte("term_tree", recursive=True)
    tree = tree.union_all(select(TaxonomyTerm.id).where(TaxonomyTerm.parent_id == tree.c.id))
    return select(tree.c.id)


def _text_condition(text: str):
    # Every word must appear somewhere: name, description, organisation or a category name.
    # The words are lower-cased in Python and the columns with SQL lower(): SQLite's lower()
    # folds only ASCII, so a stored capital like "É" would match on PostgreSQL alone. UK
    # listings almost never start a word with one; the full search engine handles the rest.
    conditions = []
    for word in text.lower().split():
        in_terms = exists().where(
            service_taxonomy.c.service_id == Service.id,
            service_taxonomy.c.taxonomy_term_id == TaxonomyTerm.id,
            func.lower(TaxonomyTerm.name).contains(word, autoescape=True),
        )
        conditions.append(or_(
            func.lower(Service.name).contains(word, autoescape=True),
            func.lower(Service.description).contains(word, autoescape=True),
            func.lower(Organization.name).contains(word, autoescape=True),
            in_terms,
        ))
    return and_(*conditions)


def _schedule_condition(filters: ServiceFilters):
    conditions = [Schedule.service_id == Service.id]
    if filters.day:
        conditions.append(or_(
            Schedule.byday.contains(filters.day),
            and_(Schedule.freq == "DAILY", or_(Schedule.byday.is_(None), Schedule.byday == "")),
        ))
    if filters.start_time:
        conditions.append(Schedule.opens_at >= filters.start_time)
    if filters.end_time:
        conditions.append(Schedule.closes_at <= filters.end_time)
    return exists().where(*conditions)


def filtered_ids(filters: ServiceFilters) -> Select:
    """A select of published service ids matching the SQL-expressible filters, ordered.

    Geography is left to `find_services` (see the module docstring); everything else is here.
    """
    query = published().add_columns(Service.name).join(Organization, Organization.id == Service.organization_id)
    if filters.text:
        query = query.where(_text_condition(filters.text))
    if filters.taxonomy_term_id:
        query = query.where(exists().where(
            service_taxonomy.c.service_id == Service.id,
            service_taxonomy.c.taxonomy_term_id.in_(term_and_descendants(filters.taxonomy_term_id)),
        ))
    if filters.taxonomy_id:
        query = query.where(exists().where(
            service_taxonomy.c.service_id == Service.id,
            service_taxonomy.c.taxonomy_term_id == TaxonomyTerm.id,
            TaxonomyTerm.taxonomy_id == filters.taxonomy_id,
        ))
    if filters.organization_id:
        query = query.where(Service.organization_id == filters.organization_id)
    if filters.modified_after:
        since = filters.modified_after.astimezone(timezone.utc)
        query = query.where(or_(
            Service.last_modified >= since,
            exists().where(ChangeLog.entity_type == "service", ChangeLog.entity_id == Service.id,
                           ChangeLog.changed_at >= since),
        ))
    if filters.minimum_age is not None:
        query = query.where(Service.minimum_age >= filters.minimum_age)
    if filters.maximum_age is not None:
        query = query.where(Service.maximum_age <= filters.maximum_age)
    if filters.day or filters.start_time or filters.end_time:
        query = query.where(_schedule_condition(filters))
    return query.order_by(Service.name, Service.id)


# ---------------------------------------------------------------------------------------------
# Geography, decided in Python


def services_near(session: Session, lat: float, lon: float, metres: float) -> set[str]:
    """Ids of services with a venue within `metres` of the point."""
    min_lat, min_lon, max_lat, max_lon = bounding_box(lat, lon, metres / 1000)
    rows = session.execute(
        select(ServiceAtLocation.service_id, Location.latitude, Location.longitude)
        .join(Location, Location.id == ServiceAtLocation.location_id)
        .where(Location.latitude.between(min_lat, max_lat), Location.longitude.between(min_lon, max_lon))
    )
    return {sid for sid, vlat, vlon in rows if haversine_km(lat, lon, vlat, vlon) * 1000 <= metres}


def services_not_covering(session: Session, lat: float, lon: float) -> set[str]:
    """Ids of services limited to areas none of which contains the point."""
    areas: dict[str, bool] = {}
    for sid, extent in session.execute(select(ServiceArea.service_id, ServiceArea.extent)):
        if extent:
            areas[sid] = areas.get(sid, False) or point_in_area(lat, lon, extent)
    return {sid for sid, covered in areas.items() if not covered}


def find_services(session: Session, filters: ServiceFilters, page: PageRequest) -> tuple[list[str], int]:
    """The ids on the requested page, in order, and the total number of matches."""
    query = filtered_ids(filters)
    if not filters.needs_geography:
        total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
        ids = session.scalars(query.limit(page.per_page).offset(page.offset)).all()
        return list(ids), total or 0
    lat, lon = filters.point
    excluded = services_not_covering(session, lat, lon)
    near = services_near(session, lat, lon, filters.proximity_m) if filters.proximity_m else None
    ids = [sid for sid in session.scalars(query) if sid not in excluded and (near is None or sid in near)]
    return ids[page.offset : page.offset + page.per_page], len(ids)
