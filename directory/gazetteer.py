"""Offline postcode and place lookup, with an optional online geocoder as the last resort.

`Gazetteer.lookup` turns what a person typed ("ne4 5pl", "NE4", "Heaton", "Gatesehad") into a
`GeoPoint` and says how precise it is, so pages can be honest ("near NE4 5 (exact postcode not
found)"). The order is: exact postcode, its sector centroid, its district centroid, then place
names (exact, then fuzzy for typos), and only then the online geocoder if one was injected.
Everything before the online step reads the local `postcode`, `postcode_area` and `place` tables,
which the demo ships (`load_demo_gazetteer`) and deployments fill from the ONS Postcode Directory
(`import_postcodes`, in `directory.gazetteer_import`).
"""

from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import case, delete, func, insert, literal, select
from sqlalchemy.orm import Session

from directory.errors import NotFound, ValidationError
from directory.models import Place, Postcode, PostcodeArea
from directory.postcodes import PostcodeParts, parse_postcode

log = logging.getLogger(__name__)

_OUTWARD = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
PRECISIONS = ("postcode", "sector", "district", "place", "online")

# Fuzzy place matching: Jaro-Winkler is the score that treats a swapped pair of letters
# ("Gatesehad") as the small slip it is (plain edit ratio puts it at 88.9); the edit-ratio guard
# stops a short word matching a longer name it merely starts ("Fell" is not "Felling").
FUZZY_THRESHOLD = 90.0
FUZZY_RATIO_GUARD = 75.0

# When several places share a name, the bigger one is the likelier meaning.
_KIND_RANK = {"city": 0, "town": 1, "suburb": 2, "village": 3}


@dataclass(frozen=True)
class GeoPoint:
    """Where a lookup landed and how precisely.

    `precision` is one of "postcode", "sector", "district", "place" or "online"; `label` is
    what to show a person ("NE4 5PL", "near NE4 5 (exact postcode not found)", "Heaton");
    `district` is the postcode district when known ("NE4"), else None.
    """

    latitude: float
    longitude: float
    precision: str
    label: str
    district: str | None = None


class OnlineGeocoder(Protocol):
    """Anything with geopy's ``geocode(query)``: a geopy geocoder, or a test twin."""

    def geocode(self, query: str) -> Any: ...


def place_key(text: str) -> str:
    """The matching key for a place name: lower case, apostrophes dropped, other punctuation
    as spaces, single-spaced (``"Arthur's Hill"`` -> ``"arthurs hill"``,
    ``"Stockton-on-Tees"`` -> ``"stockton on tees"``)."""
    text = str(text or "").lower().replace("'", "").replace("\u2019", "")
    return " ".join(re.sub(r"[^\w]+|_", " ", text).split())


class Gazetteer:
    """Look up postcodes and place names in the local tables.

    `online` is an optional geopy-style geocoder (see `make_online_geocoder`); it is consulted
    only when the offline tables have no answer, and is off (None) by default so nothing
    leaves the machine unless a deployment asks for it.
    """

    def __init__(self, session: Session, online: OnlineGeocoder | None = None):
        self.session = session
        self.online = online
        self._place_keys: list[str] | None = None

    # -- public -------------------------------------------------------------------------

    def lookup(self, text: str) -> GeoPoint:
        """Resolve a postcode, partial postcode or place name to a `GeoPoint`.

        Raises `ValidationError` (field "postcode") for empty input or text shaped like a
        broken postcode, and `NotFound` when nothing matches; both carry a plain message.
        """
        typed = " ".join(str(text or "").replace("\u00a0", " ").split())
        if not typed:
            raise ValidationError(
                "postcode", "Enter a postcode or a place name, for example NE4 5PL or Heaton."
            )
        # Every postcode (and every partial one) contains a digit and no place name does, so
        # a digit means the person meant a postcode: a bad one is a mistake to point out, not
        # a place name to go fuzzy-matching.
        if any(ch.isdigit() for ch in typed):
            try:
                parts = parse_postcode(typed)
            except ValidationError:
                found = self._online(typed, district=None)
                if found is not None:
                    return found
                raise
            return self._lookup_postcode(parts, typed)
        return self._lookup_place(typed)

    # -- postcodes ----------------------------------------------------------------------

    def _lookup_postcode(self, parts: PostcodeParts, typed: str) -> GeoPoint:
        compact = typed.replace(" ", "").upper()
        if parts.postcode is None and parts.sector and " " not in typed and _OUTWARD.match(compact):
            # "NE11" parses as sector "NE1 1" but people typing it mean district NE11 (the
            # same for NE15, NE20, ...). Prefer the district; keep the sector reading for an
            # area the tables do not know (someone typing "ne45" for "NE4 5").
            if self.session.get(PostcodeArea, compact) is not None:
                parts = PostcodeParts(None, None, compact)
        wanted = parts.postcode or parts.sector or parts.district
        if parts.postcode is not None:
            row = self.session.get(Postcode, parts.postcode)
            if row is not None:
                return GeoPoint(row.latitude, row.longitude, "postcode", row.postcode, row.district)
        if parts.sector is not None:
            area = self.session.get(PostcodeArea, parts.sector)
            if area is not None:
                label = (
                    f"near {area.code} (exact postcode not found)" if parts.postcode else area.code
                )
                return GeoPoint(area.latitude, area.longitude, "sector", label, parts.district)
        area = self.session.get(PostcodeArea, parts.district)
        if area is not None:
            if parts.postcode:
                label = f"near {area.code} (exact postcode not found)"
            elif parts.sector:
                label = f"near {area.code} (postcode sector {parts.sector} not found)"
            else:
                label = area.code
            return GeoPoint(area.latitude, area.longitude, "district", label, parts.district)
        found = self._online(wanted, district=parts.district)
        if found is not None:
            return found
        raise NotFound(f"We could not find {wanted}. Check the postcode or try a nearby town.")

    # -- places -------------------------------------------------------------------------

    def _lookup_place(self, typed: str) -> GeoPoint:
        key = place_key(typed)
        if not key:
            raise ValidationError(
                "postcode", "Enter a postcode or a place name, for example NE4 5PL or Heaton."
            )
        place = self._best_place(Place.name_key == key) or self._fuzzy_place(key)
        if place is not None:
            return GeoPoint(
                place.latitude, place.longitude, "place", place.name, place.postcode_district
            )
        found = self._online(typed, district=None)
        if found is not None:
            return found
        raise NotFound(
            f"We could not find a place called '{typed}'. Check the spelling, or try a postcode."
        )

    def _best_place(self, condition) -> Place | None:
        rank = case(_KIND_RANK, value=Place.kind, else_=len(_KIND_RANK))
        return self.session.scalars(
            select(Place).where(condition).order_by(rank, Place.id).limit(1)
        ).first()

    def _fuzzy_place(self, key: str) -> Place | None:
        from rapidfuzz import fuzz, process
        from rapidfuzz.distance import JaroWinkler

        if self._place_keys is None:
            # Place tables are small (hundreds to tens of thousands of names): one read per
            # Gazetteer, then matching is in memory.
            self._place_keys = sorted(set(self.session.scalars(select(Place.name_key))))
        candidates = process.extract(
            key,
            self._place_keys,
            scorer=JaroWinkler.normalized_similarity,
            score_cutoff=FUZZY_THRESHOLD / 100,
            limit=5,
        )
        for name_key, _score, _index in candidates:  # best first
            if fuzz.ratio(key, name_key) >= FUZZY_RATIO_GUARD:
                return self._best_place(Place.name_key == name_key)
        return None

    # -- online -------------------------------------------------------------------------

    def _online(self, query: str, district: str | None) -> GeoPoint | None:
        if self.online is None:
            return None
        try:
            location = self.online.geocode(query)
        except Exception as exc:  # geopy raises GeocoderTimedOut, GeocoderUnavailable, ...
            # A flaky remote service must not turn a "not found" into a server error.
            log.warning("online geocoder failed for %r: %s", query, exc)
            return None
        if location is None:
            return None
        label = getattr(location, "address", None) or query
        return GeoPoint(float(location.latitude), float(location.longitude), "online", label, district)


@dataclass(frozen=True)
class GeocodedPlace:
    """Shaped like geopy's Location where the gazetteer reads it."""

    latitude: float
    longitude: float
    address: str


class InMemoryGeocoder:
    """The online geocoder's in-memory twin: answers `geocode(query)` from a dict, offline.

    For tests and demonstrations; it remembers every query so a test can check it was (or was
    not) asked.
    """

    def __init__(self, answers: dict[str, GeocodedPlace] | None = None):
        self.answers = dict(answers or {})
        self.queries: list[str] = []

    def geocode(self, query: str) -> GeocodedPlace | None:
        self.queries.append(query)
        return self.answers.get(query)


def make_online_geocoder(name: str | None, *, user_agent: str = "wayfinder-directory", timeout: int = 10, **options):
    """Build a geopy geocoder from a configuration value, or None when unset.

    ``None``, ``""``, ``"off"`` and ``"none"`` mean no online geocoding (the default).
    ``"nominatim"`` (optionally ``"nominatim:geo.example.org"`` for a self-hosted server) gives
    geopy's Nominatim restricted to Great Britain; any other geopy service name is passed to
    geopy with `options` (API keys and the like). Nothing is contacted until `geocode` is called.
    """
    value = (name or "").strip()
    if value.lower() in ("", "off", "none", "false", "0"):
        return None
    service, _, domain = value.partition(":")
    service = service.strip().lower()
    from geopy.geocoders import Nominatim, get_geocoder_for_service

    if service == "nominatim":
        if domain:
            options.setdefault("domain", domain.strip())
        geocoder = Nominatim(user_agent=user_agent, timeout=timeout, **options)
        # The directory is UK-only: without this, "Durham" finds North Carolina.
        geocoder.geocode = functools.partial(geocoder.geocode, country_codes="gb")
        return geocoder
    try:
        cls = get_geocoder_for_service(service)
    except Exception:
        raise ValidationError(
            "geocoder", f"Unknown online geocoder '{value}'. Use 'nominatim', or leave it unset."
        ) from None
    return cls(user_agent=user_agent, timeout=timeout, **options)


def recompute_areas(session) -> int:
    """Rebuild the sector and district centroids in `postcode_area` from `postcode`.

    Two ``INSERT ... SELECT ... GROUP BY`` statements, so the database does the work (seconds on
    the full 2.7 million-row ONSPD). Runs in the caller's transaction (`session` may also be a
    Core connection) and does not commit. Returns the number of areas written.
    """
    table = PostcodeArea.__table__
    session.execute(delete(table))
    for kind, column in (("sector", Postcode.sector), ("district", Postcode.district)):
        grouped = select(
            column,
            literal(kind),
            func.avg(Postcode.latitude),
            func.avg(Postcode.longitude),
            func.count(),
        ).group_by(column)
        session.execute(
            insert(table).from_select(
                ["code", "kind", "latitude", "longitude", "postcode_count"], grouped
            )
        )
    return session.execute(select(func.count()).select_from(table)).scalar_one()


_IMPORTED = {"ImportSummary", "import_postcodes", "import_places", "load_demo_gazetteer"}


def __getattr__(name: str):
    # The bulk loaders live in gazetteer_import (they import this module); re-exporting them
    # lazily lets callers write `from directory.gazetteer import load_demo_gazetteer`.
    if name in _IMPORTED:
        from directory import gazetteer_import

        return getattr(gazetteer_import, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
