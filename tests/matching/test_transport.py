"""Door-to-door minutes by mode, depending on how the person walks and travels."""

from __future__ import annotations

import numpy as np
import pytest

from matching import transport
from matching.profile import Profile
from matching.transport import Journey, describe_journey, journeys, travel_score


def person(**fields) -> Profile:
    fields.setdefault("what_matters", ["x"])
    return Profile(**fields)


def modes(profile: Profile, km: float) -> dict[str, Journey]:
    return {j.mode: j for j in journeys(profile, km)}


def test_walking_time_follows_walking_ability():
    brisk = modes(person(travel_modes=["walk"], walking="normal"), 1.0)["walk"]
    slow = modes(person(travel_modes=["walk"], walking="slow"), 0.5)["walk"]
    # 1 km straight line is 1.3 km of path: 16 minutes at 4.8 km/h.
    assert brisk.minutes == pytest.approx(1.3 / 4.8 * 60)
    assert slow.minutes == pytest.approx(0.65 / 3.2 * 60)
    assert slow.minutes / 0.5 > brisk.minutes / 1.0


def test_nobody_is_sent_further_on_foot_than_they_can_walk():
    limited = person(travel_modes=["walk"], walking="limited")  # 200 m by default
    assert "walk" in modes(limited, 0.1)
    assert "walk" not in modes(limited, 0.3)
    own_limit = person(travel_modes=["walk"], max_walk_metres=5000)
    assert "walk" in modes(own_limit, 3.5)


def test_no_bus_for_someone_who_cannot_walk_to_the_stop():
    assert "bus" in modes(person(travel_modes=["bus"]), 3.0)
    assert "bus" not in modes(person(travel_modes=["bus"], walking="limited"), 3.0)
    assert "bus" in modes(person(travel_modes=["bus"], walking="limited", max_walk_metres=400), 3.0)


def test_long_bus_trips_are_two_buses_and_feel_heavier():
    short, long = modes(person(travel_modes=["bus"]), 3.0)["bus"], modes(person(travel_modes=["bus"]), 8.0)["bus"]
    assert (short.buses, long.buses) == (1, 2)
    assert short.perceived / short.minutes == pytest.approx(transport.BURDEN["bus"])
    assert long.perceived / long.minutes == pytest.approx(transport.BURDEN_TWO_BUSES)


def test_only_modes_the_person_has_are_offered_and_the_lightest_wins():
    options = journeys(person(travel_modes=["walk", "lift", "community_transport"]), 4.0)
    assert [j.mode for j in options] == ["lift", "community_transport"]  # 4 km is beyond a 2 km walk
    assert options[0].perceived < options[1].perceived


def test_best_modes_is_vectorised_and_matches_the_scalar_answer():
    profile = person(travel_modes=["walk", "bus", "car"])
    km = np.array([0.3, 2.5, 12.0])
    mode, minutes, perceived = transport.best_modes(profile, km)
    for n, distance in enumerate(km):
        best = journeys(profile, float(distance))[0]
        assert transport.MODE_ORDER[mode[n]] == best.mode
        assert minutes[n] == pytest.approx(best.minutes)


def test_no_way_at_all_is_marked():
    mode, minutes, _ = transport.best_modes(person(travel_modes=["walk"], walking="limited"), np.array([5.0]))
    assert mode[0] == -1 and np.isnan(minutes[0])


def test_travel_score_falls_with_time_and_stops_at_the_limit():
    scores = travel_score(np.array([3.0, 10.0, 20.0, 30.0, 31.0]), 30, quick=5, at_limit=0.25)
    assert scores[0] == 1.0
    assert scores[0] > scores[1] > scores[2] > scores[3] == pytest.approx(0.25)
    assert scores[4] == 0.0


def test_journeys_in_words():
    walk = Journey("walk", 15.4, 15.4, 1.23)
    assert describe_journey(walk) == "1.2 km — about 15 minutes' walk"
    bus = Journey("bus", 26, 31, 3.4, buses=1)
    assert describe_journey(bus) == "3.4 km — about 25 minutes by bus (an estimate: no bus timetable checked)"
    real = Journey("bus", 26, 31, 3.4, buses=1, estimate=False, route="bus Q3 from Heaton Road at 9:32")
    assert describe_journey(real).endswith(": bus Q3 from Heaton Road at 9:32")
    assert describe_journey(Journey("walk", 1.2, 1.2, 0.08)) == "under 100 m — about 1 minute's walk"


def test_a_journey_a_little_over_the_limit_is_still_offered_but_scores_low():
    scores = travel_score(np.array([30.0, 33.0, 36.0, 37.0]), 30, quick=5, at_limit=0.25, tolerance=1.2)
    assert scores[0] == pytest.approx(0.25)
    assert 0 < scores[1] < scores[0]
    assert scores[2] == pytest.approx(0.0) and scores[3] == 0.0
    assert transport.within_reach(np.array([35.0, 37.0, np.nan]), 30, 1.2).tolist() == [True, False, False]
