"""POST /api/v1/match on a real SQLite directory."""

from __future__ import annotations

import pytest

from directory.db import make_engine, make_session_factory
from directory.models import Service
from directory.services import update_service
from tests.web.match_world import make_world
from web import create_app


@pytest.fixture
def world(tmp_path):
    return make_world(tmp_path / "wayfinder.sqlite")


@pytest.fixture
def client(world, tmp_path):
    app = create_app({"DATABASE_URL": world, "TESTING": True, "MATCH_WEIGHTS_FILE": str(tmp_path / "weights.toml")})
    return app.test_client()


def test_a_profile_in_people_s_words_gets_ranked_matches_with_reasons(client):
    response = client.post("/api/v1/match", json={"what_matters": ["I can't pay my bills"], "postcode": "ne1 4aa"})
    assert response.status_code == 200
    body = response.get_json()
    first = body["matches"][0]
    assert first["name"] == "Money and debt advice drop-in"
    assert first["reasons"][0] == "Matches 'I can't pay my bills' (Money and debt advice)"
    assert "Step-free access" not in first["reasons"]  # not asked for, so not said
    assert set(first["components"]) == {"topic", "travel", "schedule", "access", "cost", "freshness", "capacity",
                                        "preference"}
    assert first["travel"]["mode"] == "walk"
    assert "Old debt clinic" not in [m["name"] for m in body["matches"]]  # defunct
    assert body["profile"]["postcode"] == "NE1 4AA" and body["profile"]["latitude"] == pytest.approx(54.971237)


def test_a_bad_profile_gets_a_400_with_a_message_per_field(client):
    response = client.post("/api/v1/match", json={"age": 200, "travel_modes": ["rocket"], "categories": ["knitting"]})
    assert response.status_code == 400
    errors = response.get_json()["errors"]
    assert set(errors) == {"age", "travel_modes", "categories"}
    assert "between 0 and 120" in errors["age"]
    assert errors["categories"] == "Unknown category: knitting."


@pytest.mark.parametrize(
    "kwargs,field",
    [
        ({"data": "not json", "content_type": "text/plain"}, "profile"),
        ({"json": ["a", "list"]}, "profile"),
        ({"json": {"what_matters": ["x"], "postcode": "ZZ9 9ZZ"}}, "postcode"),
    ],
)
def test_unusable_requests_say_what_is_wrong(client, kwargs, field):
    response = client.post("/api/v1/match", **kwargs)
    assert response.status_code == 400
    assert field in response.get_json()["errors"]


def test_limit(client):
    profile = {"categories": ["health-walks", "debt-advice", "music-choirs"], "postcode": "NE1 4AA",
               "travel_modes": ["walk", "car"]}
    assert len(client.post("/api/v1/match?limit=2", json=profile).get_json()["matches"]) == 2
    assert client.post("/api/v1/match?limit=0", json=profile).status_code == 400


def test_the_api_needs_no_csrf_token(world, tmp_path):
    app = create_app({"DATABASE_URL": world, "WTF_CSRF_ENABLED": True, "MATCH_WEIGHTS_FILE": str(tmp_path / "w.toml")})
    response = app.test_client().post("/api/v1/match", json={"what_matters": ["I want to sing"]})
    assert response.status_code == 200


def test_an_edit_to_the_directory_shows_in_the_next_match(client, world):
    profile = {"what_matters": ["I can't pay my bills"], "postcode": "NE1 4AA"}
    assert "Full at the moment" not in client.post("/api/v1/match", json=profile).get_json()["matches"][0]["warnings"]
    engine = make_engine(world)
    session = make_session_factory(engine)()
    service = session.query(Service).filter_by(name="Money and debt advice drop-in").one()
    update_service(session, "group@example.org", service.id, {"capacity_status": "full"})
    session.commit()
    session.close()
    engine.dispose()
    warnings = client.post("/api/v1/match", json=profile).get_json()["matches"][0]["warnings"]
    assert "Full at the moment" in warnings


def test_the_configured_online_geocoder_places_a_postcode_the_gazetteer_lacks(client):
    from directory.gazetteer import GeocodedPlace, InMemoryGeocoder

    # A postcode whose district the local gazetteer lacks (a new build, or an outdated file).
    online = InMemoryGeocoder({"TD15 1AA": GeocodedPlace(54.9745, -1.5800, "TD15 1AA")})
    client.application.extensions["wayfinder_geocoder"] = online
    response = client.post("/api/v1/match", json={"what_matters": ["I can't pay my bills"], "postcode": "td15 1aa"})
    assert response.status_code == 200
    assert response.get_json()["profile"]["latitude"] == pytest.approx(54.9745)
    assert online.queries == ["TD15 1AA"]
