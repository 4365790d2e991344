"""The whole ranking on hand-built listings: order, diversity, duplicates, reasons and warnings."""

from __future__ import annotations

from datetime import date, time

import pytest

from matching.listing import Cost
from matching.profile import Profile
from matching.rank import match, rank
from tests.matching.helpers import HOME, NOW, build, listing, offset, weekly


def person(**fields) -> Profile:
    fields.setdefault("what_matters", ["I want to get out of the house"])
    fields.setdefault("latitude", HOME[0])
    fields.setdefault("longitude", HOME[1])
    fields.setdefault("travel_modes", ["walk", "bus"])
    return Profile(**fields)


def at(north_km: float = 0.0, east_km: float = 0.0) -> dict:
    lat, lon = offset(*HOME, north_km=north_km, east_km=east_km)
    return {"latitude": lat, "longitude": lon}


def ids(matches) -> list[str]:
    return [m.listing.id for m in matches]


def test_relevant_and_near_comes_first_and_irrelevant_is_not_a_match():
    items = [
        listing(id="far walk", **at(north_km=2.5)),
        listing(id="near walk", **at(north_km=0.4)),
        listing(id="next-door art", categories=("arts",), **at(north_km=0.1)),
    ]
    report = match(person(), build(items), now=NOW)
    assert ids(report.matches) == ["near walk", "far walk"]
    assert report.excluded["topic"] == 1


def test_full_demotes_rather_than_removes_and_says_so():
    items = [
        listing(id="full", capacity_status="full", capacity_expires=date(2026, 9, 1), **at(north_km=0.3)),
        listing(id="open", **at(north_km=0.9)),
    ]
    matches = rank(person(), build(items), now=NOW)
    assert ids(matches) == ["open", "full"]
    assert "Full until September" in matches[1].warnings


def test_three_interests_are_not_answered_with_five_walking_groups():
    walks = [listing(id=f"walk {n}", **at(north_km=0.2 + n * 0.05)) for n in range(8)]
    others = [
        listing(id="painting", categories=("arts",), **at(north_km=1.2)),
        listing(id="debt", categories=("debt-advice",), **at(north_km=1.4)),
    ]
    profile = person(what_matters=["I want to get out of the house", "I used to love painting", "I'm in debt"])
    top5 = ids(rank(profile, build(walks + others), now=NOW, limit=5))
    assert {"painting", "debt"} <= set(top5)
    assert sum(i.startswith("walk") for i in top5) <= 3
    # With only walking asked for, the walks themselves are the answer.
    assert all(i.startswith("walk") for i in ids(rank(person(), build(walks + others), now=NOW, limit=5)))


def test_a_service_at_several_venues_appears_once_at_its_nearest():
    items = [
        listing(id="citizens-advice", venue_id="far", venue="Gateshead", categories=("debt-advice",), **at(north_km=2.0)),
        listing(id="citizens-advice", venue_id="near", venue="Elswick", categories=("debt-advice",), **at(north_km=0.5)),
    ]
    matches = rank(person(what_matters=["I'm in debt"]), build(items), now=NOW)
    assert [(m.listing.id, m.listing.venue) for m in matches] == [("citizens-advice", "Elswick")]


def test_the_same_group_listed_by_two_sources_appears_once():
    items = [
        listing(id="a", name="Elswick Park Health Walk", organisation="Walk Well", **at(north_km=0.50)),
        listing(id="b", name="Elswick Park health walk", organisation="Walking for Health", **at(north_km=0.52)),
        listing(id="c", name="Leazes Park Health Walk", **at(north_km=0.6)),
    ]
    assert sorted(ids(rank(person(), build(items), now=NOW))) == ["a", "c"]


def test_interests_nothing_matches_are_reported_as_gaps():
    report = match(person(what_matters=["I want to get out of the house", "I'm in debt"]),
                   build([listing(id="walk")]), now=NOW)
    assert report.unmet == ["I'm in debt"]


def test_a_wheelchair_user_is_offered_the_phone_version_of_an_inaccessible_venue():
    items = [listing(id="phone too", delivery_modes=("in_person", "phone"), categories=("befriending",))]
    matches = rank(person(what_matters=["I'm lonely"], access_needs=["wheelchair"]), build(items), now=NOW)
    assert matches[0].delivery == "phone"
    assert "By phone — no travel needed" in matches[0].reasons


def test_reasons_in_plain_words():
    item = listing(
        id="walk", name="Heaton Park walk", accessibility=frozenset({"step-free", "hearing-loop"}),
        schedules=(weekly("TU", time(10), time(11, 30)),), costs=(Cost(0),), assured_date=date(2026, 2, 1),
        **at(north_km=0.9),
    )
    m = rank(person(step_free=True, access_needs=["hearing"], times_free=["morning"]), build([item]), now=NOW)[0]
    assert m.reasons[0] == "Matches 'I want to get out of the house' (Health walks)"
    assert m.reasons[1] == "0.9 km — about 15 minutes' walk"
    for expected in ("Step-free access", "Hearing loop", "Every Tuesday, 10am to 11:30am — you said mornings suit you",
                     "Free", "Places available", "You can contact them yourself", "Details checked February"):
        assert expected in m.reasons
    assert m.warnings == []
    assert set(m.components) == {"topic", "travel", "schedule", "access", "cost", "freshness", "capacity", "preference"}


def test_warnings_in_plain_words():
    item = listing(
        id="x", capacity_status="waiting_list", capacity_expires=date(2026, 9, 1), assured_date=date(2024, 5, 1),
        costs=(Cost(4.0, "per session"),), min_age=50, gender="female", referral_routes=("clinician",),
        schedules=(weekly("TH", time(18), time(20)),), **at(north_km=7.0),
    )
    profile = person(travel_modes=["bus"], max_travel_minutes=90, budget_per_session=3, avoid_dark=True,
                     access_needs=["dementia"], fare_matters=True)
    m = rank(profile, build([item]), now=NOW)[0]
    for expected in ("Two buses (estimate)", "Bus fare about £3 each way", "Full until September — waiting list open",
                     "Not checked since 2024", "£4 per session — more than the £3 you can spend", "For ages 50 and over",
                     "Women only", "Not marked as dementia friendly — check with them",
                     "Every Thursday, 6pm to 8pm — finishes at 8pm, after dark at this time of year"):
        assert expected in m.warnings
    assert any(w.startswith("Needs a referral") for w in m.warnings)


def test_a_little_over_their_limit_is_offered_with_a_warning():
    item = listing(**at(north_km=2.3))  # 3 km of path: about 37 minutes' walk
    matches = rank(person(travel_modes=["walk"], max_walk_metres=4000, max_travel_minutes=33), build([item]), now=NOW)
    assert "A little longer than the 33 minutes you said" in matches[0].warnings
    assert rank(person(travel_modes=["walk"], max_walk_metres=4000, max_travel_minutes=25), build([item]), now=NOW) == []


def test_without_a_location_travel_is_not_judged_and_says_so():
    report = match(person(latitude=None, longitude=None), build([listing()]), now=NOW)
    assert report.matches[0].components["travel"] == pytest.approx(0.5)  # [travel] unknown
    assert "Add a postcode or location to see how far it is" in report.matches[0].warnings
    assert report.notes[0].startswith("No home location")


def test_weights_can_be_overridden_per_call(config):
    near_stale = listing(id="near stale", assured_date=date(2022, 1, 1), **at(north_km=0.2))
    far_fresh = listing(id="far fresh", assured_date=date(2026, 2, 1), **at(north_km=1.5))
    index = build([near_stale, far_fresh])
    assert ids(rank(person(), index, now=NOW))[0] == "near stale"
    freshness_first = config.with_weights({"freshness": 5.0})
    assert ids(rank(person(), index, now=NOW, config=freshness_first))[0] == "far fresh"


@pytest.mark.parametrize("limit", [1, 3])
def test_limit(limit):
    items = [listing(**at(north_km=0.2 * n)) for n in range(1, 6)]
    assert len(rank(person(), build(items), now=NOW, limit=limit)) == limit
