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
from sqlalchemy import and_, exists, or_, select
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


def find_duplicate(session: Session, record: ServiceRecord, source_id: str) -> str | None:
    """The id of an existing listing from another source that `record` duplicates, or None."""
    conditions = []
    for loc in record.locations:
        if loc.postal_code:
            conditions.append(Location.postal_code == loc.postal_code)
        if loc.latitude is not None and loc.longitude is not None:
            min_lat, min_lon, max_lat, max_lon = bounding_box(loc.latitude, loc.longitude, NEAR_KM)
            conditions.append(and_(Location.latitude.between(min_lat, max_lat),
                                   Location.longitude.between(min_lon, max_lon)))
    if not conditions:
        return None
    from_this_source = exists().where(
        SourceRecord.source_id == source_id, SourceRecord.entity_id == Service.id,
        SourceRecord.entity_type == "service",
    )
    query = (
        select(Service.id, Service.name, Location.postal_code, Location.latitude, Location.longitude)
        .join(ServiceAtLocation, ServiceAtLocation.service_id == Service.id)
        .join(Location, Location.id == ServiceAtLocation.location_id)
        .where(or_(*conditions), ~from_this_source)
        .limit(200)
    )
    best: tuple[float, str] | None = None
    for sid, name, postcode, lat, lon in session.execute(query):
        if not _near(record, postcode, lat, lon):
            continue
        score = name_similarity(record.name, name)
        if score >= NAME_THRESHOLD and (best is None or score > best[0]):
            best = (score, sid)
    return best[1] if best else None


def _near(record: ServiceRecord, postcode, lat, lon) -> bool:
    for loc in record.locations:
        if postcode and loc.postal_code == postcode:
            return True
        if None not in (lat, lon, loc.latitude, loc.longitude):
            if haversine_km(lat, lon, loc.latitude, loc.longitude) <= NEAR_KM:
                return True
    return False
