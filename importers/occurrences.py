"""Dated sessions of a series (OpenActive ScheduledSession, Slot) and the rules derived from them.

Each occurrence is kept as a `source_record` of kind "occurrence" pointing at its series
through a digest of the series' source id, with its weekday and times as the payload. A series
with no schedule of its own runs when its sessions run: after each page the rules of every
series whose sessions changed are derived again, so a cancelled session's weekday goes away.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import select

from directory.models import Service, SourceRecord
from directory.models._common import utcnow
from directory.services import record_version

from importers.records import Occurrence


def parent_key(parent_id: str) -> str:
    """Occurrence rows point at their series through a fixed-width digest of its source id."""
    return hashlib.sha1(parent_id.encode()).hexdigest()[:36]



class OccurrenceMixin:
    """The part of `importers.writer.Writer` that handles occurrences (it supplies the rest)."""

    def occurrence(self, occ: Occurrence) -> str:
        self.seen.add(occ.source_id)
        sr = self._record("occurrence", occ.source_id)
        pattern = {"parent": occ.parent_id, "byday": occ.byday, "opens": occ.opens_at, "closes": occ.closes_at}
        if sr is None:
            self._new_record("occurrence", occ.source_id, parent_key(occ.parent_id), payload=pattern,
                             source_modified=str(occ.modified) if occ.modified is not None else None)
        elif sr.payload == pattern:
            self.bump("occurrences_unchanged")
            return "unchanged"
        else:
            old_parent = (sr.payload or {}).get("parent")
            if old_parent != occ.parent_id:
                self._dirty_parents.add(old_parent)
            sr.payload = pattern
            sr.entity_id = parent_key(occ.parent_id)
            sr.last_seen = utcnow()
        self._dirty_parents.add(occ.parent_id)
        self._alias(occ.alias, occ.source_id)
        self.bump("occurrences")
        return "occurrence"

    def refresh_parents(self) -> None:
        """Series without their own schedule run when their sessions run: derive the rules."""
        from importers.openactive_schedule import rules_from_patterns

        dirty = {p for p in self._dirty_parents if p}
        self._dirty_parents.clear()
        if not dirty:
            return
        self.flush_bulk()
        for parent_id in sorted(dirty):
            sr = self._record("service", parent_id)
            if sr is None or not (sr.payload or {}).get("from_occurrences"):
                continue
            service = self.session.get(Service, sr.entity_id)
            if service is None:
                continue
            rows = self.session.execute(  # by entity_id alone: see dedupe.py on SQLite's index choice
                select(SourceRecord.payload, SourceRecord.source_id, SourceRecord.entity_type)
                .where(SourceRecord.entity_id == parent_key(parent_id))
            )
            patterns = [p for p, src, kind in rows
                        if src == self.source.id and kind == "occurrence" and p and p.get("parent") == parent_id]
            manual = "schedules" in (service.manual_fields or [])
            if self.set_schedules(service, rules_from_patterns(patterns), manual):
                service.version = (service.version or 1) + 1
                record_version(self.session, service, self.actor,
                               f"Sessions changed in {self.source.name}")
                self.bump("updated")


