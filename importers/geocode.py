"""Finding coordinates for a venue the source gave only a postcode for.

The offline postcode gazetteer (`directory.gazetteer`) does the lookup: full postcode, then
sector, then district. Results are cached per run because a feed names the same few venues
thousands of times. A postcode the gazetteer does not know is not an error in the record: the
listing is kept without a map pin and the report says so.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from directory.errors import DirectoryError
from directory.postcodes import parse_postcode

from importers.records import LocationRecord


class Geocoder:
    """Fill in latitude/longitude from the postcode, when a location has none."""

    def __init__(self, session: Session):
        self.session = session
        self._cache: dict[str, tuple[float, float, str] | None] = {}
        self._lookup = self._make_lookup(session)

    @staticmethod
    def _make_lookup(session: Session):
        try:
            from directory.gazetteer import Gazetteer
        except ImportError:  # the gazetteer is optional at import time; fall back to the tables
            return lambda text: _table_lookup(session, text)
        gazetteer = Gazetteer(session)

        def lookup(text: str):
            point = gazetteer.lookup(text)
            lat = getattr(point, "latitude", None)
            if lat is None:
                lat = getattr(point, "lat")
            lon = getattr(point, "longitude", None)
            if lon is None:
                lon = getattr(point, "lon")
            precision = getattr(point, "precision", None) or getattr(point, "kind", None) or "postcode"
            return float(lat), float(lon), str(precision)

        return lookup

    def locate(self, location: LocationRecord) -> str | None:
        """Geocode in place; returns a warning when it could not, else None."""
        if location.latitude is not None and location.longitude is not None:
            return None
        if not location.postal_code or location.location_type != "physical":
            return None
        key = location.postal_code
        if key not in self._cache:
            try:
                self._cache[key] = self._lookup(key)
            except (DirectoryError, LookupError, ValueError):
                self._cache[key] = None
        found = self._cache[key]
        if found is None:
            return f"The postcode {key} is not in the gazetteer, so the venue has no map position."
        location.latitude, location.longitude, precision = found
        location.geocoded = precision
        return None


def _table_lookup(session: Session, text: str):
    """Full postcode, then sector, then district centroid, straight from the gazetteer tables."""
    from directory.models import Postcode, PostcodeArea

    parts = parse_postcode(text)
    if parts.postcode:
        row = session.get(Postcode, parts.postcode)
        if row is not None:
            return row.latitude, row.longitude, "postcode"
    for code, kind in ((parts.sector, "sector"), (parts.district, "district")):
        if code:
            area = session.get(PostcodeArea, code)
            if area is not None:
                return area.latitude, area.longitude, kind
    raise LookupError(text)
