"""Geography helpers: distances, bounding boxes and GeoJSON polygons. No database needed."""

from __future__ import annotations

import math
from functools import lru_cache

from directory.errors import ValidationError

EARTH_RADIUS_KM = 6371.0088
KM_PER_MILE = 1.609344


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres (accurate to ~0.5% against geodesic)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def km_to_miles(km: float) -> float:
    return km / KM_PER_MILE


def miles_to_km(miles: float) -> float:
    return miles * KM_PER_MILE


def bounding_box(lat: float, lon: float, radius_km: float) -> tuple[float, float, float, float]:
    """(min_lat, min_lon, max_lat, max_lon) enclosing a circle; a cheap pre-filter."""
    dlat = math.degrees(radius_km / EARTH_RADIUS_KM)
    coslat = max(math.cos(math.radians(lat)), 1e-6)
    dlon = math.degrees(radius_km / (EARTH_RADIUS_KM * coslat))
    return lat - dlat, lon - dlon, lat + dlat, lon + dlon


def format_distance(km: float) -> str:
    """"0.8 miles (1.3 km)" — people in the UK think in miles; km is kept for everyone else."""
    miles = km_to_miles(km)
    if miles < 0.1:
        return "less than 0.1 miles (under 200 m)"
    return f"{miles:.1f} miles ({km:.1f} km)"


def polygon_from_geojson(geojson: dict):
    """A shapely (Multi)Polygon from a GeoJSON geometry or Feature, validated.

    Raises `ValidationError` for anything that is not a valid polygon in WGS84.
    """
    from shapely.geometry import shape
    from shapely.validation import explain_validity

    if not isinstance(geojson, dict):
        raise ValidationError("service_area.extent", "The area must be a GeoJSON object.")
    geometry = geojson.get("geometry", geojson) if geojson.get("type") == "Feature" else geojson
    if geometry.get("type") not in ("Polygon", "MultiPolygon"):
        raise ValidationError(
            "service_area.extent",
            f"The area must be a GeoJSON Polygon or MultiPolygon, not {geometry.get('type')!r}.",
        )
    try:
        polygon = shape(geometry)
    except Exception as exc:  # shapely raises several types for malformed coordinates
        raise ValidationError("service_area.extent", f"The area's coordinates are malformed: {exc}.") from None
    if polygon.is_empty or not polygon.is_valid:
        raise ValidationError(
            "service_area.extent", f"The area is not a valid polygon ({explain_validity(polygon)})."
        )
    min_x, min_y, max_x, max_y = polygon.bounds
    if not (-180 <= min_x <= max_x <= 180 and -90 <= min_y <= max_y <= 90):
        raise ValidationError(
            "service_area.extent", "The area's coordinates are outside longitude/latitude range."
        )
    return polygon


@lru_cache(maxsize=4096)
def _prepared(key: str):
    import json

    from shapely.prepared import prep

    return prep(polygon_from_geojson(json.loads(key)))


def point_in_area(lat: float, lon: float, geojson: dict) -> bool:
    """True when the point lies inside (or on the edge of) the GeoJSON area."""
    import json

    from shapely.geometry import Point

    return _prepared(json.dumps(geojson, sort_keys=True)).intersects(Point(lon, lat))
