"""Creating many new listings fast: rows collected per page and inserted in bulk.

The ORM unit of work costs a few milliseconds per listing (a service drags ten rows with it),
which caps a first import at a few hundred listings a second. A brand-new listing needs none
of what the ORM offers - nothing to compare, nothing to merge - so its rows (service,
service_at_location, schedules, costs, languages, contacts, categories, provenance, the first
version and the "created" change-log entry) are inserted with one executemany per table at
the end of the page, in the page's transaction. Updates, merges and deletions stay on the ORM
path, where the change-log hook and the no-op checks matter.

The version snapshot has the shape of `directory.services.snapshot`, and the change-log entry
is the one the flush hook would have written; `tests/importers/test_bulk.py` checks both
against the ORM path.
"""

from __future__ import annotations

import os
import uuid
from datetime import date, datetime, time
from decimal import Decimal

from sqlalchemy import insert
from sqlalchemy.orm import Session

from directory.models import (
    ChangeLog, Contact, CostOption, Language, Schedule, Service, ServiceArea, ServiceAtLocation, ServiceVersion,
    SourceRecord, service_taxonomy,
)
from directory.models._common import utcnow

from importers.records import ServiceRecord

SERVICE_COLUMNS = [c.key for c in Service.__table__.columns]
_SCHEDULE_FIELDS = (
    "freq", "interval", "byday", "bymonthday", "opens_at", "closes_at", "valid_from", "valid_to",
    "dtstart", "except_dates", "timezone", "by_appointment", "description", "notes",
)


_random = bytearray()


def new_id() -> str:
    """A random (version 4) UUID, like `directory.models._common.new_id`, from pooled randomness.

    One `os.urandom` call per 256 ids instead of one per id: with a dozen rows per listing the
    system calls were a noticeable share of a bulk import.
    """
    global _random
    if len(_random) < 16:
        _random = bytearray(os.urandom(16 * 256))
    chunk, _random = bytes(_random[:16]), _random[16:]
    return str(uuid.UUID(bytes=chunk, version=4))


def _plain(value):
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


class PendingRecord:
    """Stands in for a `SourceRecord` row waiting for the page's bulk insert (writes go to the row)."""

    def __init__(self, row: dict):
        object.__setattr__(self, "_row", row)

    def __getattr__(self, name):
        try:
            return self._row[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name, value):
        self._row[name] = value


class BulkCreator:
    """Collects the rows of new listings; `flush()` inserts them."""

    def __init__(self, session: Session, actor: str):
        self.session = session
        self.actor = actor
        self._rows: dict[str, list[dict]] = {}
        self.pending: list[PendingRecord] = []

    def __bool__(self) -> bool:
        return bool(self._rows)

    def _add(self, table: str, row: dict) -> None:
        self._rows.setdefault(table, []).append(row)

    def create(self, rec: ServiceRecord, organization_id: str, locations: list, terms: list,
               fields: dict, note: str, location_id=lambda key: None) -> str:
        """Queue a new listing; returns its id. `fields` are the service columns to set."""
        sid = new_id()
        now = utcnow()
        row = {key: None for key in SERVICE_COLUMNS}
        row.update(
            id=sid, organization_id=organization_id, description="", status="active", gender="any",
            delivery_modes=["in_person"], referral_routes=["self"], accessibility=[], capacity_status="unknown",
            moderation_status="published", manual_fields=[], version=1, created_at=now, last_modified=now,
        )
        row.update({k: v for k, v in fields.items() if k in row})
        self._add("service", row)
        for loc in locations:
            self._add("service_at_location", {"id": new_id(), "service_id": sid, "location_id": loc.id,
                                              "description": None})
        for s in rec.schedules:
            self._add("schedule", {"id": new_id(), "service_id": sid, "location_id": location_id(s.location_key),
                                   **{f: getattr(s, f) for f in _SCHEDULE_FIELDS}})
        for c in rec.costs:
            self._add("cost_option", {"id": new_id(), "service_id": sid, "valid_from": None, "valid_to": None,
                                      "option": c.option, "currency": c.currency, "amount": c.amount,
                                      "amount_description": c.amount_description})
        for name, code in rec.languages:
            self._add("language", {"id": new_id(), "service_id": sid, "name": name, "code": code, "note": None})
        for name, title, email, phone in rec.contacts:
            self._add("contact", {"id": new_id(), "service_id": sid, "name": name, "title": title,
                                  "email": email, "phone": phone})
        for name, description, extent in rec.service_areas:
            self._add("service_area", {"id": new_id(), "service_id": sid, "name": name, "description": description,
                                       "extent": extent, "extent_type": "geojson", "residents_only": True})
        for term in terms:
            self._add("service_taxonomy", {"service_id": sid, "taxonomy_term_id": term.id})
        snapshot = {key: _plain(row[key]) for key in SERVICE_COLUMNS}
        snapshot["taxonomy"] = sorted(t.code for t in terms)
        snapshot["locations"] = [{"id": loc.id, "name": loc.name, "postal_code": loc.postal_code,
                                  "latitude": loc.latitude, "longitude": loc.longitude} for loc in locations]
        snapshot["schedules"] = [{"freq": s.freq, "byday": s.byday, "opens_at": _plain(s.opens_at),
                                  "closes_at": _plain(s.closes_at)} for s in rec.schedules]
        snapshot["cost_options"] = [{"amount": _plain(c.amount), "option": c.option} for c in rec.costs]
        self._add("service_version", {"id": new_id(), "service_id": sid, "version": 1, "snapshot": snapshot,
                                      "changed_at": now, "changed_by": self.actor, "note": note})
        self._add("change_log", {"entity_type": "service", "entity_id": sid, "action": "created",
                                 "changed_at": now, "actor": self.actor})
        return sid

    def source_record(self, source_id: str, kind: str, key: str, entity_id: str, **extra) -> PendingRecord:
        now = utcnow()
        row = {"id": new_id(), "source_id": source_id, "source_record_id": key, "entity_type": kind,
               "entity_id": entity_id, "source_modified": extra.get("source_modified"),
               "content_hash": extra.get("content_hash"), "payload": extra.get("payload"),
               "first_seen": now, "last_seen": now}
        self._add("source_record", row)
        pending = PendingRecord(row)
        self.pending.append(pending)
        return pending

    def flush(self) -> list[PendingRecord]:
        """Insert everything queued (parents first); returns the stand-ins now made real."""
        self.session.flush()  # organisations and locations the rows point at
        tables = (
            ("service", Service.__table__), ("service_at_location", ServiceAtLocation.__table__),
            ("schedule", Schedule.__table__), ("cost_option", CostOption.__table__),
            ("language", Language.__table__), ("contact", Contact.__table__),
            ("service_area", ServiceArea.__table__),
            ("service_taxonomy", service_taxonomy), ("source_record", SourceRecord.__table__),
            ("service_version", ServiceVersion.__table__), ("change_log", ChangeLog.__table__),
        )
        for name, table in tables:
            rows = self._rows.get(name)
            if rows:
                self.session.execute(insert(table), rows)
        self._rows = {}
        done, self.pending = self.pending, []
        return done
