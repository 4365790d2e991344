"""Writing normalised records into the directory: upsert with provenance, merge, delete.

Rules this module keeps, whatever the source:

* Nothing is written when nothing changed: every field is compared before it is set, so the
  change-log hook (which ignores no-op assignments) and the version trail stay quiet on an
  unchanged re-import. A record whose content hash matches the last import is not even loaded.
* A field a person edited by hand (`Service.manual_fields`) is never overwritten; the import's
  value is kept as a `FieldConflict` for someone to resolve.
* A listing merged from a second source only fills the blanks: the first source stays the
  owner of each field, so two sources that disagree cannot flip a listing on every sync.
"""

from __future__ import annotations

import json
from datetime import date, time

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from directory.errors import ValidationError
from directory.models import (
    Contact,
    CostOption,
    FieldConflict,
    Language,
    Location,
    Organization,
    OrganizationIdentifier,
    QuarantinedRecord,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Source,
    SourceRecord,
    TaxonomyTerm,
)
from directory.models._common import new_id, utcnow
from directory.services import delete_service, record_version

from importers.bulk import BulkCreator, PendingRecord
from importers.occurrences import OccurrenceMixin
from importers.terms import TermResolver
from importers.dedupe import DuplicateFinder
from importers.geocode import Geocoder
from importers.records import Deletion, LocationRecord, Occurrence, ServiceRecord
from importers.validate import check_record

SERVICE_FIELDS = (
    "name", "alternate_name", "description", "url", "email", "phone", "status", "minimum_age",
    "maximum_age", "gender", "accessibility", "delivery_modes", "referral_routes", "eligibility_description",
    "fees_description", "application_process", "assured_date", "assurer_email", "capacity_status",
    "alert", "interpretation_services",
)
LOCATION_FIELDS = (
    "name", "location_type", "description", "url", "address_1", "address_2", "city", "region",
    "postal_code", "latitude", "longitude", "accessibility", "accessibility_details",
)
SCHEDULE_FIELDS = (
    "freq", "interval", "byday", "bymonthday", "opens_at", "closes_at", "valid_from", "valid_to",
    "dtstart", "except_dates", "timezone", "by_appointment", "description", "notes",
)
NOT_SAID_IS_NOT_EMPTY = {"capacity_status"}  # None means the source did not say: leave it


def _empty(value) -> bool:
    return value is None or value == "" or value == []


def _plain(value):
    if isinstance(value, (date, time)):
        return value.isoformat()
    return value if value is None or isinstance(value, (str, int, float, bool)) else str(value)


def raw_text(raw) -> str:
    if isinstance(raw, str):
        return raw
    try:
        return json.dumps(raw, indent=1, default=str)
    except (TypeError, ValueError):
        return repr(raw)


def modified_key(value) -> int | None:
    """Compare RPDE `modified` as an integer: it may exceed 2^53, where floats lose it."""
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


class Writer(OccurrenceMixin):
    """Applies one page of items for one source; the pipeline commits after each page."""

    def __init__(self, session: Session, source: Source, run_id: str, counts: dict, actor: str):
        self.session = session
        self.source = source
        self.run_id = run_id
        self.counts = counts
        self.actor = actor
        self.geocoder = Geocoder(session)
        self.duplicates = DuplicateFinder(session, source.id)
        self.bulk = BulkCreator(session, actor)
        # A source's first import cannot find any of its own records: skip looking.
        self._fresh = session.scalars(
            select(SourceRecord.id).where(SourceRecord.source_id == source.id).limit(1)).first() is None
        self.warnings: list[str] = []
        self.seen: set[str] = set()  # source ids this run listed (for authoritative snapshots)
        self._records: dict[tuple[str, str], SourceRecord] = {}
        self._locations: dict[str, Location] = {}
        self._orgs: dict[str, Organization] = {}
        self.terms = TermResolver(session)
        self._dirty_parents: set[str] = set()
        self._touched: list[str] = []
        self._created: set[tuple[str, str]] = set()  # source records this run made
        self._alive: dict[str, bool] = {}  # service id -> still in the directory

    # -- bookkeeping ---------------------------------------------------------------------
    def bump(self, key: str, n: int = 1) -> None:
        self.counts[key] = self.counts.get(key, 0) + n

    def reset_caches(self) -> None:
        """After a rollback the cached ORM objects may be gone: forget them."""
        self._records.clear()
        self._alive.clear()
        self.duplicates = DuplicateFinder(self.session, self.source.id)
        self.bulk = BulkCreator(self.session, self.actor)
        self._touched.clear()
        self._locations.clear()
        self._orgs.clear()
        self._dirty_parents.clear()

    def prefetch(self, items) -> None:
        """Load every source record the page will ask about in one query, not one per item."""
        wanted: set[tuple[str, str]] = set()
        for item in items:
            sid = getattr(item, "source_id", None)
            if isinstance(item, ServiceRecord):
                wanted.add(("service", sid))
                wanted |= {("location", loc.key) for loc in item.locations}
                wanted.add(("organization", item.organization.key if item.organization else "__source__"))
            elif isinstance(item, Occurrence):
                wanted |= {("occurrence", sid), ("service", item.parent_id)}
            elif isinstance(item, Deletion):
                wanted |= {("service", sid), ("occurrence", sid), ("alias", sid)}
            if getattr(item, "alias", None):
                wanted.add(("alias", item.alias))
        wanted = {w for w in wanted if w[1] and w not in self._records}
        keys = sorted({k for _, k in wanted}) if not self._fresh else []
        fetched = []
        for chunk in _chunks(keys, 500):
            rows = self.session.scalars(
                select(SourceRecord).where(
                    SourceRecord.source_id == self.source.id, SourceRecord.source_record_id.in_(chunk)
                )
            )
            for row in rows:
                self._records[(row.entity_type, row.source_record_id)] = row
                fetched.append(row)
        for key in wanted:
            if self._fresh and key in self._created:
                continue  # made earlier in this run: `_record` will load the real row
            self._records.setdefault(key, None)  # known to be absent: no query later
        ids = sorted({r.entity_id for r in fetched if r.entity_type == "service" and r.entity_id not in self._alive})
        for chunk in _chunks(ids, 500):
            found = set(self.session.scalars(select(Service.id).where(Service.id.in_(chunk))))
            self._alive.update({i: i in found for i in chunk})

    def _record(self, kind: str, source_id: str) -> SourceRecord | None:
        key = (kind, source_id)
        if isinstance(self._records.get(key), PendingRecord):
            self.flush_bulk()  # it was created earlier in this page: make it a real row first
        if key not in self._records:
            self._records[key] = self.session.scalars(
                select(SourceRecord).where(
                    SourceRecord.source_id == self.source.id,
                    SourceRecord.source_record_id == source_id,
                    SourceRecord.entity_type == kind,
                )
            ).first()
        return self._records[key]

    def _new_record(self, kind: str, source_id: str, entity_id: str, **extra) -> SourceRecord:
        row = self.bulk.source_record(self.source.id, kind, source_id, entity_id, **extra)
        self._records[(kind, source_id)] = row
        self._created.add((kind, source_id))
        return row

    def flush_bulk(self) -> None:
        """Insert the page's new rows; forget their stand-ins so later lookups load real rows."""
        for pending in self.bulk.flush():
            if self._records.get((pending.entity_type, pending.source_record_id)) is pending:
                del self._records[(pending.entity_type, pending.source_record_id)]

    def quarantine(self, source_id: str | None, raw, reason: str) -> None:
        """Keep a record aside with its raw form; the same record and reason is kept once."""
        text = raw_text(raw)
        existing = self.session.scalars(
            select(QuarantinedRecord).where(
                QuarantinedRecord.source_id == self.source.id,
                QuarantinedRecord.source_record_id == source_id,
                QuarantinedRecord.resolved_at.is_(None),
            )
        ).all()
        for row in existing:
            if row.reason == reason and row.raw == text:
                row.import_run_id = self.run_id
                self.bump("quarantined")
                return
        self.session.add(QuarantinedRecord(
            source_id=self.source.id, import_run_id=self.run_id, source_record_id=source_id,
            raw=text, reason=reason,
        ))
        self.bump("quarantined")

    def _resolve_quarantine(self, source_id: str) -> None:
        self.session.execute(
            update(QuarantinedRecord)
            .where(QuarantinedRecord.source_id == self.source.id,
                   QuarantinedRecord.source_record_id == source_id,
                   QuarantinedRecord.resolved_at.is_(None))
            .values(resolved_at=utcnow())
            .execution_options(synchronize_session=False)
        )

    # -- services ------------------------------------------------------------------------
    def apply(self, rec: ServiceRecord) -> str:
        """Create, update, merge or skip one listing; returns what happened."""
        self.seen.add(rec.source_id)
        sr = self._record("service", rec.source_id)
        if sr is not None:
            stored = modified_key(sr.source_modified)
            if rec.modified is not None and stored is not None and rec.modified < stored:
                self.bump("stale")  # an older copy of a record we already have: RPDE allows it
                return "stale"
        if sr is not None and sr.content_hash and self._exists(sr.entity_id):
            # Same `modified` as last time means the same record (RPDE's promise; ORUK's
            # last_modified); otherwise the content hash decides, so a bumped `modified` with
            # nothing else changed is still no change.
            if rec.modified is not None and sr.source_modified == str(rec.modified):
                self._touch(sr, rec)
                self.bump("unchanged")
                return "unchanged"
        digest = rec.content_hash()
        if sr is not None and sr.content_hash == digest and self._exists(sr.entity_id):
            self._touch(sr, rec)
            self.bump("unchanged")
            return "unchanged"
        try:
            check_record(rec)
        except ValidationError as exc:
            self.quarantine(rec.source_id, rec.raw, f"{exc.field}: {exc.message}")
            return "quarantined"
        for loc in rec.locations:
            warning = self.geocoder.locate(loc)
            if warning:
                self.warnings.append(f"{rec.source_id}: {warning}")
            elif loc.geocoded:
                self.bump("geocoded")
        for warning in rec.warnings:
            self.warnings.append(f"{rec.source_id}: {warning}")
        if sr is not None and sr.content_hash is not None:
            self._resolve_quarantine(rec.source_id)
        service = self.session.get(Service, sr.entity_id) if sr is not None else None
        outcome = "updated"
        if service is None:
            with self.session.no_autoflush:  # a flush per record would cost more than the query
                duplicate = self.duplicates.find(rec)
            if not duplicate:
                return self._create(rec, sr, digest)
            service = self.session.get(Service, duplicate)
            outcome = "merged"
            self.duplicates.claimed.add(service.id)
            if sr is None:
                sr = self._new_record("service", rec.source_id, service.id, payload={"role": "merged"})
            else:  # the listing was deleted in Wayfinder; the source still has it
                sr.entity_id, sr.payload = service.id, {"role": "merged"}
        fill_only = (sr.payload or {}).get("role") == "merged"
        changed = self._apply_fields(service, rec, fill_only)
        if changed:
            service.version = (service.version or 1) + 1
            note = f"{'Merged' if outcome == 'merged' else 'Updated'} from {self.source.name}: {', '.join(changed)}"
            record_version(self.session, service, self.actor, note)
        elif outcome == "updated":
            outcome = "unchanged"
        if rec.schedules_from_occurrences:
            self._dirty_parents.add(rec.source_id)
        self._alias(rec.alias, rec.source_id)
        sr.payload = {**(sr.payload or {}), "from_occurrences": rec.schedules_from_occurrences}
        sr.content_hash = digest
        self._touch(sr, rec)
        self.bump(outcome)
        return outcome

    def _touch(self, sr: SourceRecord, rec) -> None:
        if rec.modified is not None and sr.source_modified != str(rec.modified):
            sr.source_modified = str(rec.modified)
        self._touched.append(sr.id)

    def _exists(self, service_id: str) -> bool:
        if service_id not in self._alive:
            self._alive[service_id] = self.session.get(Service, service_id) is not None
        return self._alive[service_id]

    def flush_touches(self) -> None:
        """Mark every record this page listed as seen now, in one statement per 500."""
        ids, self._touched = self._touched, []
        now = utcnow()
        for chunk in _chunks(ids, 500):
            self.session.execute(
                update(SourceRecord).where(SourceRecord.id.in_(chunk)).values(last_seen=now)
                .execution_options(synchronize_session=False)
            )

    def _create(self, rec: ServiceRecord, sr, digest: str) -> str:
        """A new listing, through the bulk path (see `importers.bulk`)."""
        org = self._organization(rec)
        locations = list(dict.fromkeys(self._location(loc) for loc in rec.locations))
        terms = self._terms_for(rec)
        fields = {f: getattr(rec, f) for f in SERVICE_FIELDS
                  if not (f in NOT_SAID_IS_NOT_EMPTY and getattr(rec, f) is None)}
        sid = self.bulk.create(rec, org.id, locations, terms, fields, f"Imported from {self.source.name}",
                               self.location_id)
        self.duplicates.claimed.add(sid)
        self._alive[sid] = True
        payload = {"role": "owner", "from_occurrences": rec.schedules_from_occurrences}
        if sr is None:
            sr = self._new_record("service", rec.source_id, sid, payload=payload)
        else:  # the listing was deleted in Wayfinder; the source still has it
            sr.entity_id, sr.payload = sid, payload
        sr.content_hash = digest
        self._touch(sr, rec)
        if rec.schedules_from_occurrences:
            self._dirty_parents.add(rec.source_id)
        self._alias(rec.alias, rec.source_id)
        self.bump("created")
        return "created"

    def _apply_fields(self, service: Service, rec: ServiceRecord, fill_only: bool) -> list[str]:
        changed: list[str] = []
        manual = set(service.manual_fields or [])
        incoming = {f: getattr(rec, f) for f in SERVICE_FIELDS}
        ages = ("minimum_age", "maximum_age")
        old_ages = (service.minimum_age, service.maximum_age)
        new_ages = (rec.minimum_age, rec.maximum_age)
        if new_ages != old_ages and not fill_only and not (set(ages) & manual):
            # Clear both first so the "upside down" check never sees one old and one new bound.
            service.minimum_age = service.maximum_age = None
            service.minimum_age, service.maximum_age = new_ages
            changed += [f for f, a, b in zip(ages, old_ages, new_ages) if a != b]
            incoming = {f: v for f, v in incoming.items() if f not in ages}
        for field, value in incoming.items():
            if value is None and field in NOT_SAID_IS_NOT_EMPTY:
                continue
            current = getattr(service, field)
            if value == current or (fill_only and not _empty(current)) or (fill_only and _empty(value)):
                continue
            if field in manual:
                self._conflict(service, field, current, value)
                continue
            setattr(service, field, value)
            changed.append(field)
        if not service.organization_id and service.organization is None:
            service.organization = self._organization(rec)
        elif rec.organization is not None and not fill_only:
            self._update_org(self._organization(rec), rec)
        for name, apply in (("locations", self._set_locations), ("schedules", self._set_schedules),
                            ("cost_options", self._set_costs), ("languages", self._set_languages),
                            ("contacts", self._set_contacts), ("service_areas", self._set_service_areas),
                            ("taxonomy", self._set_terms)):
            if fill_only and getattr(service, "taxonomy_terms" if name == "taxonomy" else name):
                continue
            if name == "schedules" and rec.schedules_from_occurrences and not rec.schedules:
                continue  # the occurrences decide; see refresh_parents
            if apply(service, rec, name in manual):
                changed.append(name)
        return changed

    def _conflict(self, service: Service, field: str, local, incoming) -> None:
        local_text, incoming_text = (json.dumps(_plain(v)) if not isinstance(v, str) else v
                                     for v in (local, incoming))
        exists = self.session.scalars(
            select(FieldConflict.id).where(
                FieldConflict.service_id == service.id, FieldConflict.field == field,
                FieldConflict.incoming_value == incoming_text, FieldConflict.resolved_at.is_(None),
            )
        ).first()
        if exists is None:
            self.session.add(FieldConflict(
                service_id=service.id, source_id=self.source.id, field=field,
                local_value=local_text, incoming_value=incoming_text,
            ))
            self.bump("conflicts")

    # -- organisations and locations ------------------------------------------------------
    def _organization(self, rec: ServiceRecord) -> Organization:
        org_rec = rec.organization
        key = org_rec.key if org_rec else "__source__"
        if key in self._orgs:
            return self._orgs[key]
        sr = self._record("organization", key)
        org = self.session.get(Organization, sr.entity_id) if sr is not None else None
        if org is None:
            name = org_rec.name if org_rec else self.source.name
            org = Organization(id=new_id(), name=name)
            self.session.add(org)
            if sr is None:
                self._new_record("organization", key, org.id)
            else:
                sr.entity_id = org.id
            if org_rec:
                self._update_org(org, rec)
        self._orgs[key] = org
        return org

    def _update_org(self, org: Organization, rec: ServiceRecord) -> None:
        o = rec.organization
        for field in ("name", "description", "url", "email", "phone"):
            value = getattr(o, field)
            target = "website" if field == "url" else field
            if field == "description":
                value = value or ""
            if value is not None and getattr(org, target) != value:
                setattr(org, target, value)
        have = {(i.identifier_scheme, i.identifier_type, i.identifier) for i in org.identifiers}
        for scheme, kind, ident in o.identifiers:
            if (scheme, kind, ident) not in have:
                org.identifiers.append(OrganizationIdentifier(
                    identifier_scheme=scheme, identifier_type=kind, identifier=ident))

    def _location(self, loc: LocationRecord) -> Location:
        if loc.key in self._locations:
            location = self._locations[loc.key]
        else:
            sr = self._record("location", loc.key)
            location = self.session.get(Location, sr.entity_id) if sr is not None else None
            if location is None:
                location = Location(id=new_id())
                self.session.add(location)
                if sr is None:
                    self._new_record("location", loc.key, location.id)
                else:
                    sr.entity_id = location.id
            self._locations[loc.key] = location
        for field in LOCATION_FIELDS:
            value = getattr(loc, field)
            if field == "location_type" and value is None:
                continue
            if getattr(location, field) != value:
                setattr(location, field, value)
        return location

    def _set_locations(self, service: Service, rec: ServiceRecord, manual: bool) -> bool:
        wanted = [self._location(loc) for loc in rec.locations]
        have = [sal.location for sal in service.locations]
        if {loc.id for loc in wanted} == {loc.id for loc in have}:
            return False
        if manual:
            self._conflict(service, "locations", [loc.name for loc in have], [loc.name for loc in wanted])
            return False
        keep = {loc.id for loc in wanted}
        for sal in list(service.locations):
            if sal.location.id not in keep:
                service.locations.remove(sal)
        have_ids = {sal.location.id for sal in service.locations}
        for loc in wanted:
            if loc.id not in have_ids:
                service.locations.append(ServiceAtLocation(id=new_id(), location=loc))
                have_ids.add(loc.id)
        return True

    # -- child collections: replaced only when different -----------------------------------
    def _replace(self, service, attr, current_keys, wanted_keys, build, manual) -> bool:
        if sorted(current_keys, key=repr) == sorted(wanted_keys, key=repr):
            return False
        if manual:
            self._conflict(service, attr, current_keys, wanted_keys)
            return False
        collection = getattr(service, attr)
        collection.clear()
        collection.extend(build())
        return True

    def _set_schedules(self, service, rec, manual) -> bool:
        return self.set_schedules(service, rec.schedules, manual)

    def location_id(self, key: str | None) -> str | None:
        """The directory id of a venue this run has seen by its source key."""
        location = self._locations.get(key) if key else None
        return location.id if location is not None else None

    def set_schedules(self, service: Service, schedules, manual: bool = False) -> bool:
        cur = [tuple(_plain(getattr(s, f)) for f in SCHEDULE_FIELDS) + (s.location_id,) for s in service.schedules]
        new = [tuple(_plain(getattr(s, f)) for f in SCHEDULE_FIELDS) + (self.location_id(s.location_key),)
               for s in schedules]
        return self._replace(service, "schedules", cur, new, lambda: [
            Schedule(id=new_id(), location_id=self.location_id(s.location_key),
                     **{f: getattr(s, f) for f in SCHEDULE_FIELDS}) for s in schedules
        ], manual)

    def _set_service_areas(self, service, rec, manual) -> bool:
        cur = [(a.name, a.description, a.extent) for a in service.service_areas]
        return self._replace(service, "service_areas", cur, list(rec.service_areas), lambda: [
            ServiceArea(id=new_id(), name=n, description=d, extent=e) for n, d, e in rec.service_areas
        ], manual)

    def _set_costs(self, service, rec, manual) -> bool:
        fields = ("amount", "currency", "option", "amount_description")
        cur = [tuple(_plain(getattr(c, f)) for f in fields) for c in service.cost_options]
        new = [tuple(_plain(getattr(c, f)) for f in fields) for c in rec.costs]
        cur = [(str(a) if a is not None else None, *rest) for a, *rest in cur]
        new = [(str(a) if a is not None else None, *rest) for a, *rest in new]
        return self._replace(service, "cost_options", cur, new, lambda: [
            CostOption(id=new_id(), **{f: getattr(c, f) for f in fields}) for c in rec.costs
        ], manual)

    def _set_languages(self, service, rec, manual) -> bool:
        cur = [(lang.name, lang.code) for lang in service.languages]
        return self._replace(service, "languages", cur, list(rec.languages), lambda: [
            Language(id=new_id(), name=n, code=c) for n, c in rec.languages
        ], manual)

    def _set_contacts(self, service, rec, manual) -> bool:
        cur = [(c.name, c.title, c.email, c.phone) for c in service.contacts]
        return self._replace(service, "contacts", cur, list(rec.contacts), lambda: [
            Contact(id=new_id(), name=n, title=t, email=e, phone=p) for n, t, e, p in rec.contacts
        ], manual)

    def _terms_for(self, rec) -> list[TaxonomyTerm]:
        terms = []
        for ref in rec.terms:
            found = self.terms.resolve(ref)
            if not found:
                label = ref.label or ref.code or ref.uri
                self.warnings.append(f"{rec.source_id}: the category {label!r} is not in any loaded taxonomy.")
            terms += [t for t in found if t not in terms]
        return terms

    def _set_terms(self, service, rec, manual) -> bool:
        terms = self._terms_for(rec)
        if {t.id for t in terms} == {t.id for t in service.taxonomy_terms}:
            return False
        if manual:
            self._conflict(service, "taxonomy", sorted(t.code for t in service.taxonomy_terms),
                           sorted(t.code for t in terms))
            return False
        service.taxonomy_terms = terms
        return True

    # -- deletions and occurrences ----------------------------------------------------------
    def delete(self, item: Deletion) -> str:
        alias = self._record("alias", item.source_id)
        if alias is not None:
            target = (alias.payload or {}).get("target")
            self.session.delete(alias)
            self._records.pop(("alias", item.source_id), None)
            if target and target != item.source_id:
                return self.delete(Deletion(target, item.modified, item.raw))
        sr = self._record("service", item.source_id)
        if sr is None:
            occ = self._record("occurrence", item.source_id)
            if occ is not None:
                self._dirty_parents.add((occ.payload or {}).get("parent"))
                self.session.delete(occ)
                self._records.pop(("occurrence", item.source_id), None)
                self.bump("occurrences_deleted")
                return "deleted"
            self.bump("unchanged")  # a tombstone for something we never had
            return "unchanged"
        stored = modified_key(sr.source_modified)
        if item.modified is not None and stored is not None and item.modified < stored:
            self.bump("stale")
            return "stale"
        service = self.session.get(Service, sr.entity_id)
        others = self.session.scalars(
            select(SourceRecord.id).where(
                SourceRecord.entity_type == "service", SourceRecord.entity_id == sr.entity_id,
                SourceRecord.id != sr.id,
            )
        ).first()
        self.session.delete(sr)
        self._records.pop(("service", item.source_id), None)
        if service is not None and others is None:
            delete_service(self.session, self.actor, service.id, f"Deleted by {self.source.name}")
            self._alive[service.id] = False
        self.bump("deleted")
        return "deleted"

    def _alias(self, alias: str | None, target: str) -> None:
        """Remember that the source's tombstones will name `target` as `alias`."""
        if not alias or alias == target:
            return
        row = self._record("alias", alias)
        if row is None:
            self._new_record("alias", alias, "-", payload={"target": target})
        elif (row.payload or {}).get("target") != target:
            row.payload = {"target": target}

def _chunks(items: list, size: int):
    for i in range(0, len(items), size):
        yield items[i:i + size]
