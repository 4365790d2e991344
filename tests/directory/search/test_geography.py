"""Near a place: radius, distance sort, miles and km, phone services, residency areas."""

from __future__ import annotations

import pytest

from directory.errors import ValidationError
from directory.gazetteer import GeocodedPlace, InMemoryGeocoder
from directory.models import Place, Postcode, PostcodeArea, ServiceArea
from directory.search import SearchRequest, search
from tests.directory.search.conftest import NOW, find, names
from tests.directory.search.test_geo_index import CENTRE, point_at
from tests.factories import make_location, make_service


def at(session, name, km, bearing=90, **fields):
    lat, lon = point_at(km, bearing)
    venue = make_location(session, name=f"{name} venue", latitude=lat, longitude=lon)
    return make_service(session, name=name, location=venue, **fields)


def test_radius_and_distance_sort(session, index):
    at(session, "Far", 12.0)
    at(session, "Near", 0.5)
    at(session, "Edge", 4.9, bearing=200)
    at(session, "Just outside", 5.1, bearing=10)
    session.flush()
    found = find(session, index, latitude=CENTRE[0], longitude=CENTRE[1], radius_km=5)
    assert found.sort == "distance"
    assert names(found) == ["Near", "Edge"]
    near = found.results[0]
    assert near.distance_km == pytest.approx(0.5, abs=0.01)
    assert near.distance_miles == pytest.approx(0.31, abs=0.01)
    assert near.distance_text == "0.3 miles (0.5 km)"
    assert found.location["radius_miles"] == pytest.approx(3.11, abs=0.01)


def test_relevance_prefers_nearer_among_equal_text(session, index):
    at(session, "Walk far", 7.0)
    at(session, "Walk near", 1.0)
    session.flush()
    found = find(session, index, text="walk", latitude=CENTRE[0], longitude=CENTRE[1], radius_km=10)
    assert names(found) == ["Walk near", "Walk far"]


def test_phone_and_online_services_are_found_anywhere_but_without_a_distance(session, index):
    at(session, "Walk near", 1.0)
    make_service(session, name="Telephone befriending", location=False, delivery_modes=["phone"])
    make_service(session, name="Lost address", location=False)  # in person, venue unknown
    session.flush()
    found = find(session, index, latitude=CENTRE[0], longitude=CENTRE[1], radius_km=5)
    assert names(found) == ["Walk near", "Telephone befriending"]  # located first
    phone = found.results[1]
    assert phone.distance_km is None and phone.remote and phone.venue is None
    local_only = find(session, index, latitude=CENTRE[0], longitude=CENTRE[1], radius_km=5, include_remote=False)
    assert names(local_only) == ["Walk near"]
    anywhere = find(session, index)
    assert sorted(names(anywhere)) == ["Lost address", "Telephone befriending", "Walk near"]


def _square_around(lat, lon, half=0.02):
    return {"type": "Polygon", "coordinates": [[
        [lon - half, lat - half], [lon + half, lat - half], [lon + half, lat + half], [lon - half, lat + half], [lon - half, lat - half],
    ]]}


def test_residents_only_listings_are_shown_only_inside_their_area_or_marked(session, index):
    inside_point, outside_point = point_at(1.0, 0), point_at(6.0, 180)
    service = at(session, "Walker residents' lunch club", 0.2)
    service.service_areas.append(ServiceArea(name="Walker ward", extent=_square_around(*inside_point)))
    at(session, "Open to all", 0.3)
    session.flush()

    inside = find(session, index, latitude=inside_point[0], longitude=inside_point[1], radius_km=10)
    club = next(r for r in inside.results if r.name.startswith("Walker"))
    assert club.residency == {"restricted": True, "areas": ["Walker ward"], "person_inside": True}

    outside = find(session, index, latitude=outside_point[0], longitude=outside_point[1], radius_km=10)
    assert names(outside) == ["Open to all"]
    marked = find(session, index, latitude=outside_point[0], longitude=outside_point[1], radius_km=10, outside_area="mark")
    club = next(r for r in marked.results if r.name.startswith("Walker"))
    assert club.residency["person_inside"] is False

    unknown = find(session, index, text="lunch")
    assert unknown.results[0].residency == {"restricted": True, "areas": ["Walker ward"], "person_inside": None}


def test_a_postcode_is_looked_up_and_only_its_district_is_logged(session, index):
    from directory.models import SearchLogEntry
    from sqlalchemy import select

    session.add(Postcode(postcode="NE1 4ST", latitude=CENTRE[0], longitude=CENTRE[1], sector="NE1 4", district="NE1"))
    session.add(PostcodeArea(code="NE1 4", kind="sector", latitude=CENTRE[0], longitude=CENTRE[1], postcode_count=1))
    session.add(PostcodeArea(code="NE1", kind="district", latitude=CENTRE[0], longitude=CENTRE[1], postcode_count=1))
    session.add(Place(name="Grainger Town", name_key="grainger town", kind="suburb", latitude=CENTRE[0], longitude=CENTRE[1]))
    at(session, "Near", 0.5)
    session.flush()
    found = find(session, index, near="ne14st", radius_km=2, log=True, text="Mrs Jones NE1 4ST 07700 900123")
    assert found.location["label"] == "NE1 4ST" and found.location["district"] == "NE1"
    entry = session.scalars(select(SearchLogEntry).order_by(SearchLogEntry.id.desc())).first()
    assert entry.district == "NE1" and "4ST" not in entry.query and "900123" not in entry.query
    assert names(find(session, index, near="Grainger Town", radius_km=2)) == ["Near"]
    with pytest.raises(ValidationError) as err:
        find(session, index, near="ZZ99 9ZZ")
    assert err.value.field == "near"


@pytest.mark.parametrize("radius", [0.0, 200.0, float("nan")])
def test_radius_out_of_range_names_the_parameter(session, index, radius):
    with pytest.raises(ValidationError) as err:
        find(session, index, latitude=CENTRE[0], longitude=CENTRE[1], radius_km=radius)
    assert err.value.field == "radius"


def test_an_online_geocoder_is_asked_only_for_places_the_gazetteer_does_not_know(session, index):
    session.add(Place(name="Grainger Town", name_key="grainger town", kind="suburb", latitude=CENTRE[0], longitude=CENTRE[1]))
    at(session, "Near", 0.5)
    session.flush()
    online = InMemoryGeocoder({"Ouseburn Farm": GeocodedPlace(CENTRE[0], CENTRE[1] + 0.001, "Ouseburn Farm, Newcastle")})

    def near(place):
        return search(session, SearchRequest(near=place, radius_km=2, now=NOW), index=index, log=False, geocoder=online)

    found = near("Ouseburn Farm")
    assert names(found) == ["Near"] and found.location["label"] == "Ouseburn Farm, Newcastle"
    assert names(near("Grainger Town")) == ["Near"]
    assert online.queries == ["Ouseburn Farm"]  # the local gazetteer answered the second one
    with pytest.raises(ValidationError) as err:
        near("Atlantis")  # neither knows it: still a clear error on the parameter
    assert err.value.field == "near"
