"""The profile: validated field by field, round-tripped through JSON."""

from __future__ import annotations

import json

import pytest

from matching.profile import Profile, ProfileError


def full_profile() -> dict:
    return {
        "what_matters": ["I'm lonely since my wife died", "I used to love painting"],
        "categories": ["befriending"],
        "postcode": "ne6 5pl",
        "latitude": 54.97,
        "longitude": -1.58,
        "travel_modes": ["walk", "bus", "lift"],
        "max_travel_minutes": 40,
        "walking": "slow",
        "max_walk_metres": 400,
        "step_free": True,
        "fare_matters": True,
        "avoid_dark": True,
        "access_needs": ["hearing", "carer"],
        "languages": ["English", "Polish"],
        "age": 78,
        "gender": "male",
        "days_free": ["Tuesday", "th"],
        "times_free": ["morning"],
        "budget_per_session": 2.5,
        "delivery": ["in_person", "phone"],
        "setting": "group",
        "referrer": "link_worker",
    }


def test_json_round_trip_keeps_every_field():
    profile = Profile.from_dict(full_profile())
    again = Profile.from_json(profile.to_json())
    assert again == profile
    assert json.loads(profile.to_json())["days_free"] == ["TU", "TH"]


def test_values_are_normalised():
    profile = Profile.from_dict(full_profile())
    assert profile.postcode == "NE6 5PL"
    assert profile.days_free == ["TU", "TH"]


def test_defaults_for_a_minimal_profile():
    profile = Profile.from_dict({"what_matters": "I want to get fitter"})
    assert profile.what_matters == ["I want to get fitter"]
    assert profile.travel_modes == ["walk"]
    assert profile.delivery == ["in_person", "online", "phone"]
    assert not profile.has_location


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("age", 130, "between 0 and 120"),
        ("age", "old", "whole number"),
        ("travel_modes", ["walk", "teleport"], "'teleport' not one of"),
        ("days_free", ["Funday"], "not a day of the week"),
        ("postcode", "NOT A CODE", "is not a UK postcode"),
        ("latitude", 95, "between -90 and 90"),
        ("walking", "fast", "is not one of"),
        ("step_free", "yes", "true or false"),
        ("budget_per_session", -1, "between 0 and 1000"),
        ("max_travel_minutes", 0, "between 1 and 240"),
        ("delivery", [], "at least one"),
        ("colour", "blue", "not a profile field"),
        ("what_matters", ["x"] * 21, "at most 20 entries"),
    ],
)
def test_each_bad_field_gets_its_own_message(field, value, message):
    data = {"what_matters": ["I'm lonely"], field: value}
    if field == "latitude":
        data["longitude"] = -1.6
    with pytest.raises(ProfileError) as err:
        Profile.from_dict(data)
    assert set(err.value.errors) == {field}
    assert message in err.value.errors[field]


def test_every_error_is_reported_at_once():
    with pytest.raises(ProfileError) as err:
        Profile.from_dict({"age": -3, "gender": "dragon", "latitude": 54.9})
    assert set(err.value.errors) == {"age", "gender", "longitude", "what_matters"}


def test_latitude_needs_longitude():
    with pytest.raises(ProfileError) as err:
        Profile.from_dict({"what_matters": ["x"], "latitude": 54.9})
    assert err.value.errors == {"longitude": "Give both latitude and longitude, or neither."}


def test_something_must_matter():
    with pytest.raises(ProfileError) as err:
        Profile.from_dict({"what_matters": ["   "], "categories": []})
    assert "own words" in err.value.errors["what_matters"]


def test_categories_are_checked_against_the_taxonomy_when_given():
    Profile.from_dict({"categories": ["gardening"]}, known_categories=["gardening"])
    with pytest.raises(ProfileError) as err:
        Profile.from_dict({"categories": ["gardening", "knitting"]}, known_categories=["gardening"])
    assert err.value.errors == {"categories": "Unknown category: knitting."}


def test_not_json_and_not_an_object():
    with pytest.raises(ProfileError, match="not valid JSON"):
        Profile.from_json("{what")
    with pytest.raises(ProfileError, match="JSON object"):
        Profile.from_json("[1, 2]")
