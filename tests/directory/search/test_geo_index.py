"""The numpy geo index: radius edges, several venues per listing, residency polygons."""

from __future__ import annotations

import math

import numpy as np
import pytest

from directory.geo import EARTH_RADIUS_KM, haversine_km
from directory.search.geo_index import AreaIndex, GeoIndex, nearest_per_row

CENTRE = (54.9783, -1.6178)  # Newcastle


def point_at(km: float, bearing_deg: float, origin=CENTRE) -> tuple[float, float]:
    """The point `km` away from `origin` on `bearing_deg` (great-circle destination)."""
    lat1, lon1 = map(math.radians, origin)
    d, b = km / EARTH_RADIUS_KM, math.radians(bearing_deg)
    lat2 = math.asin(math.sin(lat1) * math.cos(d) + math.cos(lat1) * math.sin(d) * math.cos(b))
    lon2 = lon1 + math.atan2(math.sin(b) * math.sin(d) * math.cos(lat1), math.cos(d) - math.sin(lat1) * math.sin(lat2))
    return math.degrees(lat2), math.degrees(lon2)


def _index(points: list[tuple[int, tuple[float, float]]]) -> GeoIndex:
    rows = np.asarray([r for r, _ in points], np.int64)
    return GeoIndex.build(rows, np.asarray([p[0] for _, p in points]), np.asarray([p[1] for _, p in points]))


@pytest.mark.parametrize("bearing", [0, 45, 90, 135, 180, 270])
def test_radius_boundary_is_inclusive_and_exact_in_every_direction(bearing):
    geo = _index([(0, point_at(4.99, bearing)), (1, point_at(5.01, bearing)), (2, point_at(0.0, bearing))])
    rows, dist = geo.within(*CENTRE, 5.0)
    assert rows.tolist() == [0, 2]
    assert dist[0] == pytest.approx(4.99, abs=1e-6)


def test_distances_agree_with_the_directory_formula():
    spots = [point_at(km, 30 * km) for km in (0.3, 1.7, 9.2, 25.0)]
    geo = _index(list(enumerate(spots)))
    rows, dist = geo.within(*CENTRE, 30)
    for row, km in zip(rows, dist):
        assert km == pytest.approx(haversine_km(*CENTRE, *spots[row]), rel=1e-9)


def test_a_listing_is_as_near_as_its_nearest_venue():
    geo = _index([(7, point_at(6.0, 90)), (7, point_at(1.0, 270)), (8, point_at(3.0, 0))])
    rows, dist = geo.within(*CENTRE, 10)
    assert rows.tolist() == [7, 8]
    assert dist.tolist() == pytest.approx([1.0, 3.0], abs=1e-6)
    everywhere = geo.distances(*CENTRE, 10)
    assert everywhere[7] == pytest.approx(1.0, abs=1e-6) and np.isinf(everywhere[0])


def test_nearest_per_row_collapses_duplicates():
    rows, dist = nearest_per_row(np.asarray([3, 1, 3, 1]), np.asarray([5.0, 2.0, 4.0, 9.0]))
    assert rows.tolist() == [1, 3] and dist.tolist() == [2.0, 4.0]


def _square(lat, lon, half=0.01):
    return {"type": "Polygon", "coordinates": [[
        [lon - half, lat - half], [lon + half, lat - half], [lon + half, lat + half], [lon - half, lat + half], [lon - half, lat - half],
    ]]}


def test_residency_areas_answer_who_is_inside():
    walker = _square(54.975, -1.55)
    elswick = _square(54.966, -1.64)
    areas = AreaIndex({
        4: [{"name": "Walker ward", "extent": walker}],
        5: [{"name": "Elswick", "extent": elswick}, {"name": "Walker", "extent": walker}],
        6: [{"name": "Somewhere unmapped", "extent": None}],
    })
    assert areas.rows_containing(54.975, -1.55).tolist() == [4, 5]
    assert areas.rows_containing(54.966, -1.64).tolist() == [5]
    assert areas.rows_containing(54.99, -1.60).tolist() == []
    assert areas.unchecked.tolist() == [6]
    assert areas.rows_containing(54.985, -1.55).tolist() == [4, 5]  # on the edge counts as inside
