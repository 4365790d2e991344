"""Spotting that a record from one source is a listing another source already gave us.

Two sources rarely agree on spelling ("Heaton Park Health Walk" and "Health walk - Heaton
Park"), so names are compared with rapidfuzz's token-set ratio, and only against listings at
the same postcode or within a few hundred metres: a name alone would merge every "Chair-based
exercise" in the country. Records from the same source are never merged with each other: a
publisher listing two "Aqua Fit" series at one pool means two sessions.
"""

from __future__ import annotations

import re

from rapidfuzz import fuzz
from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.geo import bounding_box, haversine_km
from directory.models import Location, Service, ServiceAtLocation, SourceRecord

from importers.records import ServiceRecord

NAME_THRESHOLD = 88  # token-set ratio, 0-100
NEAR_KM = 0.3
_NOISE = re.compile(r"[^a-z0-9 ]+")


def _clean(name: str) -> str:
    return " ".join(_NOISE.sub(" ", name.lower()).split())


def name_similarity(a: str, b: str) -> float:
    return fuzz.token_set_ratio(_clean(a), _clean(b))


class DuplicateFinder:
    """Finds likely duplicates for one run; candidates are cached per venue.

    Two cheap indexed lookups (same postcode; latitude band then longitude) find the venues
    nearby before any service is loaded, so the common case - nothing nearby from another
    source - costs one or two index probes, and a feed naming the same venue a thousand times
    asks once.
    """

    def __init__(self, session: Session, source_id: str):
        self.session = session
        self.source_id = source_id
        self.claimed: set[str] = set()  # listings this run already took for a record of this source
        self._cache: dict[tuple, list] = {}

    def find(self, record: ServiceRecord) -> str | None:
        best: tuple[float, str] | None = None
        for loc in record.locations:
            for sid, name, postcode, lat, lon in self._candidates(loc):
                if sid in self.claimed or not _near(record, postcode, lat, lon):
                    continue
                score = name_similarity(record.name, name)
                if score >= NAME_THRESHOLD and (best is None or score > best[0]):
                    best = (score, sid)
        return best[1] if best else None

    def _candidates(self, loc) -> list:
        key = (loc.postal_code, None if loc.latitude is None else round(loc.latitude, 4),
               None if loc.longitude is None else round(loc.longitude, 4))
        if key in self._cache:
            return self._cache[key]
        location_ids: set[str] = set()
        if loc.postal_code:
            location_ids |= set(self.session.scalars(select(Location.id).where(Location.postal_code == loc.postal_code)))
        if loc.latitude is not None and loc.longitude is not None:
            min_lat, min_lon, max_lat, max_lon = bounding_box(loc.latitude, loc.longitude, NEAR_KM)
            location_ids |= set(self.session.scalars(
                select(Location.id).where(Location.latitude.between(min_lat, max_lat),
                                          Location.longitude.between(min_lon, max_lon))))
        if location_ids:
            # Venues this source created itself cannot hold another source's listing twin.
            ours = {eid for eid, src, kind in self.session.execute(
                select(SourceRecord.entity_id, SourceRecord.source_id, SourceRecord.entity_type)
                .where(SourceRecord.entity_id.in_(sorted(location_ids)[:1000])))
                if src == self.source_id and kind == "location"}
            location_ids -= ours
        rows: list = []
        if location_ids:
            # Step by step on indexed columns: SQLite plans the single join badly (it walks
            # every service), which made a 100,000-item import quadratic.
            links = self.session.execute(
                select(ServiceAtLocation.service_id, ServiceAtLocation.location_id)
                .where(ServiceAtLocation.location_id.in_(sorted(location_ids)[:500]))
            ).all()
            service_ids = sorted({sid for sid, _ in links})[:2000]
            # Filtered in Python on purpose: given source_id too, SQLite picks that index and
            # walks every record of the source.
            mine = {eid for eid, src, kind in self.session.execute(
                select(SourceRecord.entity_id, SourceRecord.source_id, SourceRecord.entity_type)
                .where(SourceRecord.entity_id.in_(service_ids)))
                if src == self.source_id and kind == "service"} if service_ids else set()
            others = [sid for sid in service_ids if sid not in mine]
            if others:
                names = dict(self.session.execute(select(Service.id, Service.name).where(Service.id.in_(others))).all())
                places = {row[0]: row[1:] for row in self.session.execute(
                    select(Location.id, Location.postal_code, Location.latitude, Location.longitude)
                    .where(Location.id.in_({lid for sid, lid in links if sid in names}))
                )}
                rows = [(sid, names[sid], *places[lid]) for sid, lid in links if sid in names and lid in places]
        self._cache[key] = rows
        return rows


def find_duplicate(session: Session, record: ServiceRecord, source_id: str) -> str | None:
    """The id of an existing listing from another source that `record` duplicates, or None."""
    return DuplicateFinder(session, source_id).find(record)


def _near(record: ServiceRecord, postcode, lat, lon) -> bool:
    for loc in record.locations:
        if postcode and loc.postal_code == postcode:
            return True
        if None not in (lat, lon, loc.latitude, loc.longitude):
            if haversine_km(lat, lon, loc.latitude, loc.longitude) <= NEAR_KM:
                return True
    return False
