"""GET /api/v1/search and /api/v1/openapi.json: parameters, errors, CORS, the documented shape."""

from __future__ import annotations

from datetime import time

import pytest
from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError as JsonSchemaError
from referencing import Registry, Resource
from sqlalchemy import select

from directory.gazetteer import GeocodedPlace, InMemoryGeocoder
from directory.models import Place, Postcode, PostcodeArea, Schedule, SearchLogEntry
from directory.services import resolve_terms
from directory.taxonomy import load_wayfinder_taxonomy
from tests.factories import add_cost, make_location, make_service
from web import create_app
from web.api.search import PARAMETERS, parse_search_request

HEATON = (54.9806, -1.5900)


@pytest.fixture(scope="module", autouse=True)
def directory(database):
    _, factory, _ = database
    with factory() as session:
        load_wayfinder_taxonomy(session)
        session.add(Postcode(postcode="NE6 5PL", latitude=HEATON[0], longitude=HEATON[1], sector="NE6 5", district="NE6"))
        session.add(PostcodeArea(code="NE6 5", kind="sector", latitude=HEATON[0], longitude=HEATON[1], postcode_count=1))
        session.add(PostcodeArea(code="NE6", kind="district", latitude=HEATON[0], longitude=HEATON[1], postcode_count=1))
        session.add(Place(name="Heaton", name_key="heaton", kind="suburb", latitude=HEATON[0], longitude=HEATON[1]))
        library = make_location(session, name="Heaton Library", latitude=54.9790, longitude=-1.5850, postal_code="NE6 5PL",
                                accessibility=["step-free"])
        knit = make_service(session, name="Knit and natter", description="Bring your knitting, have a natter.",
                            location=library, schedule=False)
        knit.schedules.append(Schedule(freq="WEEKLY", byday="WE", opens_at=time(14), closes_at=time(16)))
        knit.taxonomy_terms = resolve_terms(session, ["crafts"])
        add_cost(knit, "0")
        walk = make_service(session, name="Heaton Park health walk", description="An easy hour around the park.")
        walk.taxonomy_terms = resolve_terms(session, ["health-walks"])
        make_service(session, name="Telephone befriending", description="A friendly weekly call.", location=False,
                     delivery_modes=["phone"]).taxonomy_terms = resolve_terms(session, ["befriending"])
        session.commit()


def get(client, **params):
    return client.get("/api/v1/search", query_string=params)


def test_search_by_words_near_a_postcode(client):
    response = get(client, q="knitting", near="ne6 5pl", radius_miles=2)
    assert response.status_code == 200
    body = response.get_json()
    assert body["results"][0]["name"] == "Knit and natter"
    first = body["results"][0]
    assert first["distance_miles"] < 1 and "miles" in first["distance_text"] and "km" in first["distance_text"]
    assert first["next_session"].endswith("T14:00") and first["cost"]["text"] == "Free"
    assert body["location"]["label"] == "NE6 5PL" and body["location"]["radius_miles"] == pytest.approx(2)
    assert {f["name"] for f in body["facets"]} >= {"category", "day", "time", "cost", "accessibility", "delivery", "capacity"}


def test_filters_as_parameters(client):
    body = get(client, day="wednesday", time="afternoon", free="true", accessibility="step-free").get_json()
    assert [r["name"] for r in body["results"]] == ["Knit and natter"]
    body = client.get("/api/v1/search?category=physical-activity&category=crafts").get_json()
    assert sorted(r["name"] for r in body["results"]) == ["Heaton Park health walk", "Knit and natter"]
    body = get(client, delivery="phone,online").get_json()
    assert [r["name"] for r in body["results"]] == ["Telephone befriending"]
    assert body["results"][0]["remote"] is True and body["results"][0]["distance_km"] is None


def test_need_phrases_and_did_you_mean(client):
    body = get(client, q="I feel lonely").get_json()
    assert body["results"][0]["name"] == "Telephone befriending"
    assert "befriending" in [u["code"] for u in body["understood"]]
    assert get(client, q="kniting").get_json()["suggestion"] == "knitting"


@pytest.mark.parametrize(
    "params, parameter",
    [
        ({"near": "ZZ99 9ZZ"}, "near"),
        ({"near": "NE6 5PL", "radius_miles": "500"}, "radius_miles"),
        ({"lat": "54.9", "lon": "-1.6", "radius_km": "0"}, "radius_km"),
        ({"radius_km": "3"}, "radius_km"),
        ({"category": "no-such-category"}, "category"),
        ({"day": "someday"}, "day"),
        ({"free": "perhaps"}, "free"),
        ({"age": "old"}, "age"),
        ({"lat": "54.9"}, "lon"),
        ({"sort": "random"}, "sort"),
        ({"catgory": "crafts"}, "catgory"),
        ({"per_page": "0"}, "per_page"),
    ],
)
def test_bad_parameters_are_400s_that_name_the_parameter(client, params, parameter):
    response = get(client, **params)
    assert response.status_code == 400
    error = response.get_json()
    assert error["error"] == "bad_request" and error["field"] == parameter
    assert error["message"]


def test_cors_for_reads(client):
    response = get(client, q="walk")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    preflight = client.options("/api/v1/search", headers={"Origin": "https://surgery.example", "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 200
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]


def test_pagination_links(client):
    body = get(client, per_page=1, page=2).get_json()
    assert body["total"] == 3 and body["pages"] == 3 and len(body["results"]) == 1
    assert "page=3" in body["links"]["next"] and "page=1" in body["links"]["prev"]
    assert get(client, per_page=1, page=3).get_json()["links"]["next"] is None


def test_every_search_is_logged_without_personal_data(client, database):
    _, factory, _ = database
    get(client, q="walk for Mrs Jones, mrs.jones@example.org", near="NE6 5PL", age=72)
    with factory() as session:
        entry = session.scalars(select(SearchLogEntry).order_by(SearchLogEntry.id.desc())).first()
    assert entry.district == "NE6" and entry.source == "api"
    assert "@" not in entry.query and entry.filters["age"] == 72 and entry.result_count >= 1


def _validator(document: dict, name: str) -> Draft202012Validator:
    # The whole document is the resource, so "#/components/..." references inside it resolve.
    registry = Registry().with_resource("urn:wayfinder-api", Resource.opaque(document))
    return Draft202012Validator({"$ref": f"urn:wayfinder-api#/components/schemas/{name}"}, registry=registry)


def test_openapi_document_describes_every_parameter_and_real_responses(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    operation = document["paths"]["/search"]["get"]
    documented = {p["name"] for p in operation["parameters"]}
    assert documented == {p.name for p in PARAMETERS}
    for parameter in operation["parameters"]:
        assert parameter["in"] == "query" and parameter["description"] and parameter["schema"]["type"]
    ok = _validator(document, "SearchResults")
    ok.validate(get(client, q="knitting", near="NE6 5PL").get_json())
    ok.validate(get(client, q="I feel lonely", lat="54.98", lon="-1.59", sort="soonest").get_json())
    bad = _validator(document, "Error")
    bad.validate(get(client, sort="random").get_json())
    with pytest.raises(JsonSchemaError):
        ok.validate({**get(client, q="walk").get_json(), "total": -1})


def test_parsing_is_a_plain_function():
    from werkzeug.datastructures import MultiDict

    wanted = parse_search_request(MultiDict([("q", "choir"), ("day", "TU"), ("day", "thu"), ("radius_miles", "1"), ("near", "NE6")]))
    assert wanted.text == "choir" and wanted.days == ("TU", "TH")
    assert wanted.radius_km == pytest.approx(1.609344)


def test_the_configured_online_geocoder_finds_places_the_gazetteer_does_not(app, client, monkeypatch):
    online = InMemoryGeocoder({"Heaton Moor Road": GeocodedPlace(HEATON[0], HEATON[1], "Heaton Moor Road, Newcastle")})
    monkeypatch.setitem(app.extensions, "wayfinder_geocoder", online)
    body = get(client, q="knitting", near="Heaton Moor Road", radius_miles=2).get_json()
    assert body["results"][0]["name"] == "Knit and natter"
    assert body["location"]["label"] == "Heaton Moor Road, Newcastle"
    assert get(client, near="Atlantis").status_code == 400  # unknown to both: still a 400
    assert online.queries == ["Heaton Moor Road", "Atlantis"]


def test_no_online_geocoder_unless_configured(app):
    from web.extensions import online_geocoder

    url = app.config["DATABASE_URL"]
    assert online_geocoder(create_app({"TESTING": True, "DATABASE_URL": url})) is None
    configured = create_app({"TESTING": True, "DATABASE_URL": url, "ONLINE_GEOCODER": "nominatim"})
    assert type(online_geocoder(configured)).__name__ == "Nominatim"  # built, not called
