"""From the database to index documents: the SQL side of search.

`load_documents` reads listings with plain SQLAlchemy Core queries (one query per table, keyed
by a batch of service ids) rather than the ORM: building the index for 100,000 listings must fit
in a minute, and ORM object construction alone would take most of that. Each listing becomes a
`Document`: the four BM25F text fields and `facts`, a JSON-safe dict holding everything filters,
facets and results need (see `directory.search.segments` for how it is read back).

Only listings a member of the public may see are indexed: published, and active or
temporarily closed. Anything else (a draft, a defunct group, a deleted row) is a deletion as far
as the index is concerned.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import Iterable, Iterator

from sqlalchemy import Select, and_, select
from sqlalchemy.engine import Connection

from directory.models import (
    CostOption,
    Language,
    Location,
    Organization,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
    service_taxonomy,
)
from directory.vocab import Moderation, ServiceStatus

# Services a person may find. Temporarily closed ones stay findable (and are marked), so a link
# worker learns the group still exists.
VISIBLE_STATUSES = (ServiceStatus.ACTIVE.value, ServiceStatus.TEMPORARILY_CLOSED.value)
WAYFINDER_TAXONOMY = "wayfinder"
BATCH = 500  # ids per IN (...) query: well inside SQLite's and PostgreSQL's parameter limits
_FREE_WORDS = re.compile(r"\bfree\b|\bno charge\b|\bno cost\b", re.IGNORECASE)
_MONEY = re.compile(r"£\s*\d")


@dataclass(frozen=True)
class Document:
    """One listing ready for the index."""

    id: str
    title: str
    categories: str
    organisation: str
    description: str
    words: str  # the whole words typo correction may suggest (not indexed: counted)
    facts: dict

    def fields(self) -> dict:
        """Keyword arguments for whoosh's `add_document`."""
        return {
            "id": self.id,
            "title": self.title,
            "categories": self.categories,
            "organisation": self.organisation,
            "description": self.description,
            "facts": self.facts,
        }


# --------------------------------------------------------------------------------------------
# Query builders (tested on their own, on SQLite and PostgreSQL)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IdRange:
    """Every service id from `low` to `high` inclusive: one range scan instead of an IN list."""

    low: str
    high: str


def _matching(column, ids):
    """Child rows of a batch of services: `ids` is a list of ids or an `IdRange`."""
    if isinstance(ids, IdRange):
        return column.between(ids.low, ids.high)
    return column.in_(list(ids))


def visible_condition():
    """The WHERE clause for listings the index holds."""
    return and_(
        Service.moderation_status == Moderation.PUBLISHED.value,
        Service.status.in_(VISIBLE_STATUSES),
    )


def services_query(ids: Iterable[str] | None = None, *, after: str | None = None, limit: int | None = None) -> Select:
    """Visible services with their organisation, by id (a batch) or in id order (a page)."""
    query = (
        select(
            Service.id, Service.name, Service.alternate_name, Service.description,
            Service.what_to_expect, Service.url, Service.email, Service.phone, Service.status,
            Service.fees_description, Service.eligibility_description, Service.conditions,
            Service.minimum_age, Service.maximum_age, Service.gender, Service.delivery_modes,
            Service.referral_routes, Service.accessibility, Service.capacity_status,
            Service.capacity_note, Service.capacity_expires_at, Service.assured_date,
            Service.alert, Service.last_modified,
            Organization.id.label("org_id"), Organization.name.label("org_name"),
            Organization.alternate_name.label("org_alternate_name"),
        )
        .join(Organization, Organization.id == Service.organization_id)
        .where(visible_condition())
        .order_by(Service.id)
    )
    if ids is not None:
        query = query.where(Service.id.in_(list(ids)))
    if after is not None:
        query = query.where(Service.id > after)
    if limit is not None:
        query = query.limit(limit)
    return query


def venues_query(ids) -> Select:
    """Each service's venues (physical locations, with or without coordinates)."""
    return (
        select(
            ServiceAtLocation.service_id, Location.id.label("location_id"), Location.location_type, Location.name,
            Location.latitude, Location.longitude, Location.address_1, Location.city,
            Location.postal_code, Location.accessibility,
        )
        .join(Location, Location.id == ServiceAtLocation.location_id)
        .where(_matching(ServiceAtLocation.service_id, ids))
        .order_by(ServiceAtLocation.service_id, Location.id)
    )


def schedules_query(ids) -> Select:
    return (
        select(
            Schedule.service_id, Schedule.freq, Schedule.interval, Schedule.byday,
            Schedule.bymonthday, Schedule.opens_at, Schedule.closes_at, Schedule.valid_from,
            Schedule.valid_to, Schedule.dtstart, Schedule.except_dates, Schedule.by_appointment,
            Schedule.description,
        )
        .where(_matching(Schedule.service_id, ids))
        .order_by(Schedule.service_id, Schedule.id)
    )


def costs_query(ids) -> Select:
    return (
        select(CostOption.service_id, CostOption.amount, CostOption.option, CostOption.valid_to)
        .where(_matching(CostOption.service_id, ids))
        .order_by(CostOption.service_id, CostOption.id)
    )


def terms_query(ids) -> Select:
    """(service id, taxonomy name, term code, term name) for every category of the services."""
    return (
        select(
            service_taxonomy.c.service_id, Taxonomy.name.label("taxonomy"), TaxonomyTerm.code,
            TaxonomyTerm.name.label("term_name"),
        )
        .join(TaxonomyTerm, TaxonomyTerm.id == service_taxonomy.c.taxonomy_term_id)
        .join(Taxonomy, Taxonomy.id == TaxonomyTerm.taxonomy_id)
        .where(_matching(service_taxonomy.c.service_id, ids))
        .order_by(service_taxonomy.c.service_id, Taxonomy.name, TaxonomyTerm.code)
    )


def areas_query(ids) -> Select:
    """Residency restrictions: areas a service is limited to the residents of."""
    return (
        select(ServiceArea.service_id, ServiceArea.name, ServiceArea.extent)
        .where(_matching(ServiceArea.service_id, ids), ServiceArea.residents_only.is_(True))
        .order_by(ServiceArea.service_id, ServiceArea.id)
    )


def languages_query(ids) -> Select:
    return (
        select(Language.service_id, Language.name)
        .where(_matching(Language.service_id, ids))
        .order_by(Language.service_id, Language.name)
    )


# --------------------------------------------------------------------------------------------
# Loading
# --------------------------------------------------------------------------------------------


def load_documents(conn: Connection, ids: Iterable[str]) -> dict[str, Document]:
    """Documents for the given service ids that are visible; invisible or missing ids are absent."""
    ids = sorted(set(ids))
    found: dict[str, Document] = {}
    for start in range(0, len(ids), BATCH):
        for doc in _documents_for(conn, conn.execute(services_query(ids[start : start + BATCH])).all()):
            found[doc.id] = doc
    return found


def iter_all_documents(conn: Connection, page: int = 2000) -> Iterator[Document]:
    """Every visible listing, in id order, a page at a time (keyset paging, no OFFSET)."""
    after = None
    while True:
        rows = conn.execute(services_query(after=after, limit=page)).all()
        if not rows:
            return
        # The page is in id order, so its children are one range scan per table (rows of
        # hidden services in the range are read and ignored).
        yield from _documents_for(conn, rows, IdRange(rows[0].id, rows[-1].id))
        after = rows[-1].id


def _grouped(conn: Connection, query_for, ids: list[str], id_range: IdRange | None) -> dict[str, list]:
    groups: dict[str, list] = defaultdict(list)
    batches = [id_range] if id_range else [ids[start : start + BATCH] for start in range(0, len(ids), BATCH)]
    for batch in batches:
        for row in conn.execute(query_for(batch)):
            groups[row[0]].append(row)
    return groups


def _documents_for(conn: Connection, service_rows, id_range: IdRange | None = None) -> Iterator[Document]:
    ids = [row.id for row in service_rows]
    venues = _grouped(conn, venues_query, ids, id_range)
    schedules = _grouped(conn, schedules_query, ids, id_range)
    costs = _grouped(conn, costs_query, ids, id_range)
    terms = _grouped(conn, terms_query, ids, id_range)
    areas = _grouped(conn, areas_query, ids, id_range)
    languages = _grouped(conn, languages_query, ids, id_range)
    today = date.today()
    for row in service_rows:
        yield build_document(
            row, venues[row.id], schedules[row.id], costs[row.id], terms[row.id],
            areas[row.id], languages[row.id], today=today,
        )


# --------------------------------------------------------------------------------------------
# Rows -> document
# --------------------------------------------------------------------------------------------


def _iso(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, time):
        return value.strftime("%H:%M")
    return value.isoformat()


def _epoch(value: datetime | None) -> float | None:
    if value is None:
        return None
    if value.tzinfo is None:  # SQLite hands back naive datetimes; Wayfinder stores UTC
        value = value.replace(tzinfo=timezone.utc)
    return value.timestamp()


def cost_summary(fees_description: str | None, cost_rows, today: date) -> tuple[float | None, list[dict]]:
    """(the lowest price in pounds or None when not stated, the current price options).

    A listing with no prices but fees text saying "free" counts as free; text with a pound
    sign in it is not guessed at.
    """
    options = [
        {"amount": float(r.amount) if r.amount is not None else None, "option": r.option}
        for r in cost_rows
        if r.valid_to is None or r.valid_to >= today
    ]
    amounts = [o["amount"] for o in options if o["amount"] is not None]
    if amounts:
        return min(amounts), options
    text = fees_description or ""
    if _FREE_WORDS.search(text) and not _MONEY.search(text):
        return 0.0, options
    return None, options


def category_key(taxonomy_name: str, code: str) -> str:
    """How a category is named in the index: Wayfinder codes bare, others prefixed."""
    return code if taxonomy_name == WAYFINDER_TAXONOMY else f"{taxonomy_name}:{code}"


def build_document(row, venue_rows, schedule_rows, cost_rows, term_rows, area_rows, language_rows, *, today: date) -> Document:
    """Assemble one listing's document from its rows (pure: no database access)."""
    venues = [
        {
            "id": v.location_id, "type": v.location_type, "name": v.name,
            "lat": v.latitude, "lon": v.longitude,
            "address": ", ".join(p for p in (v.address_1, v.city) if p) or None,
            "postcode": v.postal_code, "access": list(v.accessibility or []),
        }
        for v in venue_rows
    ]
    rules = [
        {
            "freq": s.freq, "interval": s.interval or 1, "byday": s.byday, "bymonthday": s.bymonthday,
            "opens_at": _iso(s.opens_at), "closes_at": _iso(s.closes_at),
            "valid_from": _iso(s.valid_from), "valid_to": _iso(s.valid_to), "dtstart": _iso(s.dtstart),
            "except_dates": s.except_dates, "by_appointment": bool(s.by_appointment),
            "description": s.description,
        }
        for s in schedule_rows
    ]
    cost_min, cost_options = cost_summary(row.fees_description, cost_rows, today)
    category_names = list(dict.fromkeys(t.term_name for t in term_rows))
    languages = [lang.name for lang in language_rows]
    description = "\n".join(
        p for p in (row.description, row.what_to_expect, row.eligibility_description, row.conditions,
                    " ".join(languages)) if p
    )
    title = " ".join(p for p in (row.name, row.alternate_name) if p)
    organisation = " ".join(p for p in (row.org_name, row.org_alternate_name) if p)
    facts = {
        "name": row.name,
        "summary": (row.description or "")[:300],
        "organisation": {"id": row.org_id, "name": row.org_name},
        "status": row.status,
        "alert": row.alert,
        "url": row.url, "email": row.email, "phone": row.phone,
        "venues": venues,
        "delivery": list(row.delivery_modes or []),
        "referral": list(row.referral_routes or []),
        "access": list(row.accessibility or []),
        "min_age": row.minimum_age, "max_age": row.maximum_age, "gender": row.gender,
        "cost_min": cost_min, "costs": cost_options, "fees": row.fees_description,
        "assured": _iso(row.assured_date),
        "capacity": row.capacity_status, "capacity_note": row.capacity_note,
        "capacity_expires": _epoch(row.capacity_expires_at),
        "categories": [category_key(t.taxonomy, t.code) for t in term_rows],
        "category_names": category_names,
        "rules": rules,
        "areas": [{"name": a.name, "extent": a.extent} for a in area_rows],
        "languages": languages,
        "modified": _iso(row.last_modified),
    }
    return Document(
        id=row.id,
        title=title,
        categories=" ".join(category_names),
        organisation=organisation,
        description=description,
        words=" ".join((title, " ".join(category_names), organisation)),
        facts=facts,
    )
