"""Each hard constraint on hand-built listings: what it removes, what it keeps, and why."""

from __future__ import annotations

from datetime import date

import numpy as np

from matching import constraints, scores
from matching.config import load_config
from matching.listing import Area
from matching.profile import Profile
from tests.matching.helpers import HOME, TODAY, build, listing, offset, weekly


def person(**fields) -> Profile:
    fields.setdefault("what_matters", ["I want to get out of the house"])
    fields.setdefault("latitude", HOME[0])
    fields.setdefault("longitude", HOME[1])
    return Profile(**fields)


def allowed(profile: Profile, items) -> list[str]:
    index = build(items)
    reach = scores.travel(profile, index, load_config()).reachable
    result = constraints.check(profile, index, TODAY, reach)
    return [index.listings[i].id for i in np.flatnonzero(result.allowed)]


def test_closed_unpublished_and_ended_listings_are_removed():
    items = [
        listing(id="open"),
        listing(id="inactive", status="inactive"),
        listing(id="closed", status="temporarily closed"),
        listing(id="draft", published=False),
        listing(id="ended", schedules=(weekly(valid_to=date(2026, 1, 31)),)),
        listing(id="ends later", schedules=(weekly(valid_to=date(2026, 6, 30)),)),
    ]
    assert allowed(person(), items) == ["open", "ends later"]


def test_age_range_applies_when_the_age_is_known():
    items = [listing(id="any"), listing(id="over 50", min_age=50), listing(id="young", max_age=25)]
    assert allowed(person(age=70), items) == ["any", "over 50"]
    assert allowed(person(age=20), items) == ["any", "young"]
    assert allowed(person(), items) == ["any", "over 50", "young"]  # unknown: warned, not removed


def test_gender_restricted_listings():
    items = [listing(id="all"), listing(id="women", gender="female"), listing(id="men", gender="male")]
    assert allowed(person(gender="female"), items) == ["all", "women"]
    assert allowed(person(gender="male"), items) == ["all", "men"]
    assert allowed(person(), items) == ["all", "women", "men"]


def test_format_the_person_cannot_use():
    items = [
        listing(id="venue"),
        listing(id="online", delivery_modes=("online",)),
        listing(id="phone", delivery_modes=("phone",)),
    ]
    assert allowed(person(delivery=["in_person"]), items) == ["venue"]
    assert allowed(person(delivery=["phone"]), items) == ["phone"]
    assert allowed(person(delivery=["in_person", "online"]), items) == ["venue", "online"]


def test_must_have_access_needs_at_the_venue():
    items = [
        listing(id="steps"),
        listing(id="step-free", accessibility=frozenset({"step-free"})),
        listing(id="wheelchair", accessibility=frozenset({"wheelchair-accessible"})),
    ]
    assert allowed(person(step_free=True), items) == ["step-free", "wheelchair"]
    assert allowed(person(access_needs=["wheelchair"]), items) == ["wheelchair"]
    assert allowed(person(walking="wheelchair", travel_modes=["walk", "bus"]), items) == ["wheelchair"]
    assert allowed(person(access_needs=["hearing"]), items) == ["steps", "step-free", "wheelchair"]  # soft


def test_a_phone_option_survives_an_unmet_venue_need():
    items = [listing(id="both", delivery_modes=("in_person", "phone"))]
    assert allowed(person(access_needs=["wheelchair"]), items) == ["both"]
    assert allowed(person(access_needs=["wheelchair"], delivery=["in_person"]), items) == []


def test_too_far_for_the_journeys_they_can_make():
    near = listing(id="near")
    far_lat, far_lon = offset(*HOME, north_km=6)
    far = listing(id="far", latitude=far_lat, longitude=far_lon)
    assert allowed(person(travel_modes=["walk"]), [near, far]) == ["near"]
    assert allowed(person(travel_modes=["walk", "car"]), [near, far]) == ["near", "far"]
    # Without a home location nothing can be judged too far.
    assert allowed(person(latitude=None, longitude=None), [near, far]) == ["near", "far"]


def test_exclusions_are_counted_by_their_first_reason():
    profile = person(age=30, travel_modes=["walk"])
    far_lat, far_lon = offset(*HOME, east_km=20)
    items = [listing(min_age=50), listing(status="defunct", min_age=50), listing(latitude=far_lat, longitude=far_lon),
             listing()]
    index = build(items)
    reach = scores.travel(profile, index, load_config()).reachable
    result = constraints.check(profile, index, TODAY, reach)
    assert result.excluded == {"closed": 1, "age": 1, "gender": 0, "format": 0, "access": 0, "distance": 1}


SQUARE = {"type": "Polygon", "coordinates": [[[-1.62, 54.97], [-1.60, 54.97], [-1.60, 54.99], [-1.62, 54.99], [-1.62, 54.97]]]}


def test_residency_area():
    item = listing(residency_areas=(Area("Elswick", SQUARE),))
    assert constraints.residency_ok(person(), item) is True
    outside_lat, outside_lon = offset(*HOME, east_km=5)
    assert constraints.residency_ok(person(latitude=outside_lat, longitude=outside_lon), item) is False
    assert constraints.residency_ok(person(latitude=None, longitude=None), item) is None
    assert constraints.residency_ok(person(), listing()) is True


def test_why_not_names_every_failed_constraint():
    profile = person(age=30, access_needs=["wheelchair"], delivery=["in_person"])
    outside_lat, outside_lon = offset(*HOME, east_km=5)
    profile_outside = person(age=30, latitude=outside_lat, longitude=outside_lon, travel_modes=["car"])
    index = build([listing(min_age=50), listing(residency_areas=(Area("Elswick", SQUARE),))])
    reach = np.ones(len(index), bool)
    assert constraints.why_not(profile, index, 0, TODAY, reach) == [
        constraints.REASONS["age"], constraints.REASONS["access"],
    ]
    assert constraints.why_not(profile_outside, index, 1, TODAY, reach) == [constraints.REASONS["area"]]


def test_women_only_when_that_is_what_she_needs():
    items = [listing(id="mixed"), listing(id="women", gender="female"),
             listing(id="sessions", accessibility=frozenset({"women-only-sessions"}))]
    assert allowed(person(gender="female", access_needs=["women_only"]), items) == ["women", "sessions"]
    assert allowed(person(gender="female"), items) == ["mixed", "women", "sessions"]
