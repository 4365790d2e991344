"""Storing planned demo records: through the ORM, or with Core bulk inserts for big runs.

Both writers turn a record into the same rows with the same ids (`_Writer.rows`); they only
differ in how the rows reach the database, and a test holds them to identical output.

* `OrmWriter` (the demo, up to a few thousand listings) builds model objects, so every model
  validator checks every value, and the change-log flush hook writes one "created" entry per
  listing, as for any other write.
* `CoreWriter` (benchmark-sized runs) inserts plain rows with ``executemany`` - several times
  faster, because it skips object construction, attribute events and the flush hook. It
  therefore writes the change-log rows itself: one "created" entry per listing, with the actor
  and time the hook would have used.
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, time, timezone

from sqlalchemy import insert
from sqlalchemy.orm import Session

from directory.demo.records import Ids, OrgRecord, ServiceRecord, VenueRecord
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
    SourceRecord,
    Verification,
    service_taxonomy,
)
from directory.models._common import utcnow

# The listing's children, in the order they are built and inserted.
CHILDREN = (
    ("locations", ServiceAtLocation), ("schedules", Schedule), ("cost_options", CostOption),
    ("languages", Language), ("contacts", Contact), ("service_areas", ServiceArea),
)


class _Writer:
    """What both writers share: turning records into rows, batching and the counts."""

    def __init__(self, session: Session, *, terms: dict, sources: dict, seed: int, as_of: date,
                 batch_size: int, total: int, progress, actor: str):
        self.session, self.terms, self.sources, self.actor = session, terms, sources, actor
        self.ids = Ids(f"{seed}-provenance")
        self.seen = datetime.combine(as_of, time(6), tzinfo=timezone.utc)  # when the sources were last read
        self.batch_size, self.total, self.progress, self.as_of = max(1, batch_size), total, progress, as_of
        self.organisations = self.services = self.locations = 0
        self.remote = self.stale = self.never_verified = self.residency = 0
        self.codes: dict[tuple[str, ...], int] = {}

    def add(self, record) -> None:
        if isinstance(record, OrgRecord):
            self.add_parent(Organization, record.row)
            self.organisations += 1
        elif isinstance(record, VenueRecord):
            self.add_parent(Location, record.row)
            self.locations += 1
        else:
            self.add_service(record, self.rows(record))
            self._count(record)
            if self.services % self.batch_size == 0:
                self.flush()
                if self.progress:
                    self.progress(self.services, self.total)

    def finish(self) -> None:
        self.flush()
        if self.progress and self.services % self.batch_size:
            self.progress(self.services, self.total)

    def rows(self, record: ServiceRecord) -> dict:
        """Every row one listing needs, keyed by what it is; ids drawn in a fixed order."""
        row = record.service
        sid = row["id"]
        rows = {
            "locations": [{"id": self.ids.new(), "service_id": sid, "location_id": record.venue.id}] if record.venue else [],
            "schedules": [dict(s, service_id=sid) for s in record.schedules],
            "cost_options": [dict(c, service_id=sid) for c in record.costs],
            "languages": [dict(lang, service_id=sid) for lang in record.languages],
            "contacts": [dict(c, service_id=sid) for c in record.contacts],
            "service_areas": [dict(a, service_id=sid) for a in record.areas],
        }
        digest = content_hash(row)
        rows["source_records"] = [
            {
                "id": self.ids.new(), "source_id": self.sources[key].id, "source_record_id": source_record_id,
                "entity_type": "service", "entity_id": sid, "source_modified": modified,
                "content_hash": digest, "first_seen": row["created_at"], "last_seen": self.seen,
            }
            for key, source_record_id, modified in record.sources
        ]
        rows["verifications"] = [dict(record.verification, service_id=sid)] if record.verification else []
        return rows

    def _count(self, record: ServiceRecord) -> None:
        self.services += 1
        self.remote += record.venue is None
        self.residency += bool(record.areas)
        assured = record.service["assured_date"]
        self.never_verified += assured is None
        self.stale += assured is not None and (self.as_of - assured).days > 365
        self.codes[record.codes] = self.codes.get(record.codes, 0) + 1

    # Subclasses store the rows.
    def add_parent(self, model, row: dict) -> None:
        raise NotImplementedError

    def add_service(self, record: ServiceRecord, rows: dict) -> None:
        raise NotImplementedError

    def flush(self) -> None:
        raise NotImplementedError


class OrmWriter(_Writer):
    """Model objects, flushed in batches and then expunged so memory stays flat."""

    # The change-log hook's cost grows with the square of a flush's size, so listings are
    # flushed in small groups whatever the progress batch size.
    FLUSH_EVERY = 100

    def __init__(self, session: Session, **kwargs):
        super().__init__(session, **kwargs)
        self.parents: list = []  # organisations and venues
        self.children: list = []  # listings and their source records
        self.after: list = []  # verifications: they point at listings
        self.unflushed = 0

    def add_parent(self, model, row: dict) -> None:
        self.parents.append(model(**row))

    def add_service(self, record: ServiceRecord, rows: dict) -> None:
        service = Service(**record.service)
        for key, model in CHILDREN:
            setattr(service, key, [model(**row) for row in rows[key]])
        service.taxonomy_terms = [self.terms[code] for code in record.codes]
        self.children.append(service)
        self.children.extend(SourceRecord(**row) for row in rows["source_records"])
        self.after.extend(Verification(**row) for row in rows["verifications"])
        self.unflushed += 1
        if self.unflushed >= self.FLUSH_EVERY:
            self.flush()

    def flush(self) -> None:
        session = self.session
        written = []
        # In foreign-key order, one flush each: schedules and verifications point at venues and
        # listings by id without an ORM relationship, so a single flush could misorder them.
        for group in (self.parents, self.children, self.after):
            if group:
                session.add_all(group)
                session.flush()
                written.extend(group)
        self.parents, self.children, self.after, self.unflushed = [], [], [], 0
        for obj in written:
            session.expunge(obj)
        for obj in [o for o in session.identity_map.values() if isinstance(o, ChangeLog)]:
            session.expunge(obj)


class CoreWriter(_Writer):
    """Plain rows, inserted table by table with ``executemany`` at each batch."""

    TABLES = (
        ("organization", Organization), ("location", Location), ("service", Service),
        ("service_taxonomy", None), *CHILDREN, ("source_records", SourceRecord),
        ("verifications", Verification), ("change_log", ChangeLog),
    )

    def __init__(self, session: Session, **kwargs):
        super().__init__(session, **kwargs)
        self.pending: dict[str, list] = {key: [] for key, _ in self.TABLES}
        self.models = dict(self.TABLES)
        # What the ORM would fill in for a column nobody set: its scalar or callable default.
        self.defaults = {key: _defaults(model) for key, model in self.TABLES if model is not None}

    def add_parent(self, model, row: dict) -> None:
        self.pending[model.__tablename__].append(row)

    def add_service(self, record: ServiceRecord, rows: dict) -> None:
        sid = record.service["id"]
        self.pending["service"].append(record.service)
        self.pending["service_taxonomy"].extend(
            {"service_id": sid, "taxonomy_term_id": self.terms[code].id} for code in record.codes
        )
        for key, values in rows.items():
            self.pending[key].extend(values)
        # The flush hook is bypassed, so write its entry: exactly one "created" per listing.
        self.pending["change_log"].append({"entity_type": "service", "entity_id": sid, "action": "created", "actor": self.actor})

    def flush(self) -> None:
        self.session.flush()  # anything the ORM still holds (the sources) goes first
        connection = self.session.connection()
        now = utcnow()
        self.pending["change_log"].sort(key=lambda row: row["entity_id"])  # the hook's order too
        for key, model in self.TABLES:
            rows = self.pending[key]
            if not rows:
                continue
            if model is None:
                connection.execute(insert(service_taxonomy), rows)
            else:
                defaults = self.defaults[key]
                if key == "change_log":
                    defaults = dict(defaults, changed_at=now)
                connection.execute(insert(model.__table__), [{**defaults, **row} for row in rows])
            self.pending[key] = []


def content_hash(row: dict) -> str:
    """A stable fingerprint of a listing's fields, as an importer stores to spot changes."""
    return hashlib.sha256(json.dumps(row, sort_keys=True, default=str).encode()).hexdigest()


def _defaults(model) -> dict:
    """Column key -> the value an ORM insert would use when the attribute was never set."""
    values = {}
    for column in model.__table__.columns:
        if column.primary_key:
            continue  # every row brings its id (the change log's comes from the database)
        default = column.default
        if default is None:
            values[column.key] = None
        elif default.is_callable:
            values[column.key] = default.arg(None)
        else:
            values[column.key] = default.arg
    return values
