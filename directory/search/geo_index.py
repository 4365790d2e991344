"""Geography first: the neighbourhood of a point in well under a millisecond at 100,000 venues.

Venues are kept sorted by latitude, so a radius search is two binary searches for the latitude
band, a longitude test on that band, and an exact haversine distance for what is left - all in
numpy. (Whoosh numeric ranges take close to a second for the same question at this size.)

A listing with several venues is as near as its nearest venue. Residency areas (a listing only
for the residents of a ward, say) are answered with a shapely STRtree: one point query returns
every area the person is inside.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from directory.geo import EARTH_RADIUS_KM, bounding_box


def haversine_km(lat: float, lon: float, lats: np.ndarray, lons: np.ndarray) -> np.ndarray:
    """Great-circle distances from one point to many, the same formula as `directory.geo`."""
    p1 = math.radians(lat)
    p2 = np.radians(lats)
    dp = p2 - p1
    dl = np.radians(lons - lon)
    a = np.sin(dp / 2) ** 2 + math.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.minimum(1.0, np.sqrt(a)))


@dataclass
class GeoIndex:
    """Venue coordinates (sorted by latitude) and the row of the listing each belongs to."""

    lat: np.ndarray
    lon: np.ndarray
    row: np.ndarray

    @classmethod
    def build(cls, rows: np.ndarray, lats: np.ndarray, lons: np.ndarray) -> "GeoIndex":
        order = np.argsort(lats, kind="stable")
        return cls(lats[order], lons[order], rows[order])

    def within(self, lat: float, lon: float, radius_km: float) -> tuple[np.ndarray, np.ndarray]:
        """(rows, distance km to each row's nearest venue) for listings within `radius_km`."""
        min_lat, min_lon, max_lat, max_lon = bounding_box(lat, lon, radius_km)
        lo = np.searchsorted(self.lat, min_lat, side="left")
        hi = np.searchsorted(self.lat, max_lat, side="right")
        band_lon = self.lon[lo:hi]
        in_box = (band_lon >= min_lon) & (band_lon <= max_lon)
        lats, lons, rows = self.lat[lo:hi][in_box], band_lon[in_box], self.row[lo:hi][in_box]
        dist = haversine_km(lat, lon, lats, lons)
        inside = dist <= radius_km
        return nearest_per_row(rows[inside], dist[inside])

    def distances(self, lat: float, lon: float, size: int) -> np.ndarray:
        """Distance from the point to every listing's nearest venue (inf when it has none)."""
        out = np.full(size, np.inf)
        if len(self.row):
            np.minimum.at(out, self.row, haversine_km(lat, lon, self.lat, self.lon))
        return out


def nearest_per_row(rows: np.ndarray, dist: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Collapse several venues of one listing to the nearest: unique rows, min distance."""
    if len(rows) == 0:
        return rows.astype(np.int64), dist
    order = np.lexsort((dist, rows))
    rows, dist = rows[order], dist[order]
    first = np.ones(len(rows), bool)
    first[1:] = rows[1:] != rows[:-1]
    return rows[first], dist[first]


class AreaIndex:
    """Residents-only areas of the listings, for "is this person inside?"."""

    def __init__(self, areas: dict[int, list[dict]]):
        from shapely import STRtree

        from directory.geo import polygon_from_geojson

        self.rows_with_areas = np.fromiter(areas, np.int64, len(areas))
        self.names: dict[int, list[str]] = {}
        shapes: dict[int, int] = {}  # id of a shared extent -> its polygon's position
        geoms, owners = [], []  # one polygon per distinct shape; owners[i]: the rows using it
        for row, items in areas.items():
            self.names[row] = [a.get("name") or "a local area" for a in items]
            for area in items:
                if area.get("extent"):
                    at = shapes.get(id(area["extent"]))
                    if at is None:
                        at = shapes[id(area["extent"])] = len(geoms)
                        geoms.append(polygon_from_geojson(area["extent"]))
                        owners.append([])
                    owners[at].append(row)
        self._owners = [np.asarray(rows, np.int64) for rows in owners]
        checked = np.concatenate(self._owners) if owners else np.zeros(0, np.int64)
        # A named area without a shape cannot be checked: such listings are marked, not hidden.
        self.unchecked = np.setdiff1d(self.rows_with_areas, checked)
        self._tree = STRtree(geoms) if geoms else None

    def rows_containing(self, lat: float, lon: float) -> np.ndarray:
        """Rows with at least one area that contains (or touches) the point."""
        if self._tree is None:
            return np.zeros(0, np.int64)
        from shapely import Point

        hits = self._tree.query(Point(lon, lat), predicate="intersects")
        if not len(hits):
            return np.zeros(0, np.int64)
        return np.unique(np.concatenate([self._owners[h] for h in hits]))
