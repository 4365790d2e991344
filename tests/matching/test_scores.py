"""Each score on hand-built listings: it moves the way a link worker would expect."""

from __future__ import annotations

from datetime import date, time

import numpy as np
import pytest

from matching import scores
from matching.index import MatchIndex
from matching.listing import Cost, Listing
from matching.profile import Profile
from matching.topics import TopicModel, content_tokens
from tests.matching.helpers import HOME, SMALL_TAXONOMY, TODAY, build, listing, offset, weekly


def person(**fields) -> Profile:
    fields.setdefault("what_matters", ["I want to get out of the house"])
    fields.setdefault("latitude", HOME[0])
    fields.setdefault("longitude", HOME[1])
    return Profile(**fields)


def topic(profile: Profile, index: MatchIndex) -> np.ndarray:
    interests = index.topics.interests(profile.what_matters, profile.categories)
    return scores.topic_fit(index, interests, index.config).score


# -- topic fit -------------------------------------------------------------------------------------


def test_i_cant_pay_my_bills_finds_debt_advice_with_no_shared_word(wayfinder_topics):
    debt = listing(name="Money and debt advice", description="Free, confidential advice from trained advisers.",
                   categories=("debt-advice",))
    walk = listing(name="Heaton Park health walk", description="A gentle walk for all abilities.",
                   categories=("health-walks",))
    words = "I can't pay my bills"
    # Measured: keyword overlap between what they said and the listing is zero...
    assert not set(content_tokens(words)) & set(content_tokens(debt.text))
    # ...yet the taxonomy's need phrases carry the match.
    fit = topic(person(what_matters=[words]), build([debt, walk], wayfinder_topics))
    assert fit[0] >= 0.9
    assert fit[1] < 0.25


@pytest.mark.parametrize(
    "words,expected,not_expected",
    [
        ("We lost our son last year and I can't talk to anyone about it", "bereavement", "fishing"),
        ("I miss my allotment something terrible since we moved into the flat", "gardening", "housing-advice"),
        ("The gas and electric are in arrears and there's another red letter every week", "debt-advice", "food-banks"),
    ],
)
def test_whole_sentences_find_their_category(wayfinder_topics, words, expected, not_expected):
    # No single need phrase says these; the classifier weighs all the words together and
    # containment finds "allotment" inside a long sentence.
    model = wayfinder_topics
    relevance, _ = model.category_relevance(words)
    assert relevance[model.position[expected]] >= 0.75
    assert relevance[model.position[expected]] > relevance[model.position[not_expected]] + 0.3


def test_the_listings_own_words_count_when_its_category_does_not_fit():
    painting = listing(name="Watercolour painting for beginners", description="Paint landscapes with friends",
                       categories=("community-groups",))
    other = listing(name="Coffee morning", description="Tea and chat", categories=("community-groups",))
    fit = topic(person(what_matters=["I'd love to try painting with watercolours"]), build([painting, other]))
    assert fit[0] > 0.3
    assert fit[1] == 0.0


def test_a_chosen_category_covers_its_children_and_little_else():
    items = [listing(categories=("health-walks",)), listing(categories=("chair-exercise",)), listing(categories=("arts",))]
    fit = topic(person(what_matters=[], categories=["physical-activity"]), build(items))
    assert fit[0] == fit[1] == 1.0
    assert fit[2] == 0.0


def test_relevance_spreads_through_the_hierarchy_at_a_discount():
    model = TopicModel(SMALL_TAXONOMY)
    relevance, evidence = model.category_relevance("I'm in debt")
    debt, money = model.position["debt-advice"], model.position["money-housing"]
    assert relevance[debt] == 1.0
    assert relevance[money] == pytest.approx(model.config.parent_share)
    assert evidence[debt] == "I'm in debt"


def test_fitting_two_things_they_said_beats_fitting_one():
    both = listing(categories=("health-walks", "arts"))
    one = listing(categories=("health-walks",))
    fit = topic(person(what_matters=["I want to get out of the house", "I used to love painting"]), build([both, one]))
    assert fit[0] > fit[1]


# -- travel ------------------------------------------------------------------------------------------


def test_nearer_is_better_and_beyond_reach_scores_nothing(config):
    items = [listing(latitude=lat, longitude=lon) for lat, lon in
             (offset(*HOME, north_km=0.2), offset(*HOME, north_km=1.2), offset(*HOME, north_km=9))]
    travel = scores.travel(person(travel_modes=["walk", "bus"]), build(items), config)
    assert travel.in_person_score[0] > travel.in_person_score[1] > 0
    assert travel.in_person_score[2] == 0.0 and not travel.reachable[2]


def test_travel_is_judged_by_the_modes_the_person_has(config):
    lat, lon = offset(*HOME, east_km=4)
    index = build([listing(latitude=lat, longitude=lon)])
    walker = scores.travel(person(travel_modes=["walk"]), index, config)
    driver = scores.travel(person(travel_modes=["car"]), index, config)
    assert walker.in_person_score[0] == 0.0
    assert driver.in_person_score[0] > 0.5


def test_remote_listings_need_no_travel(config):
    index = build([listing(delivery_modes=("phone",))])
    profile = person()
    travel = scores.travel(profile, index, config)
    score, goes = scores.travel_score(travel, np.array([False]), np.array([True]), config)
    assert score[0] == config.travel.remote and not goes[0]


# -- schedule ----------------------------------------------------------------------------------------


def test_schedule_fit(config):
    items = [
        listing(schedules=(weekly("TU", time(10), time(12)),)),
        listing(schedules=(weekly("TH", time(18), time(20)),)),
        listing(schedules=()),
        listing(schedules=(weekly("TU", time(14), time(17, 30)),)),
    ]
    from directory.schedules import Rule

    items.append(listing(schedules=(Rule(by_appointment=True),)))
    index = build(items)
    fit = scores.schedule_fit(person(days_free=["TU"], times_free=["morning", "afternoon"]), index,
                              np.ones(len(items), bool), TODAY, config)
    assert fit.tolist() == [1.0, config.schedule.clash, config.schedule.unknown, 1.0, config.schedule.flexible]
    # In March it is dark by 6pm: the 5:30pm finish is fine, an 8pm one is not.
    dark = scores.schedule_fit(person(avoid_dark=True), index, np.ones(len(items), bool), TODAY, config)
    assert dark[1] == config.schedule.after_dark and dark[3] == 1.0
    # ...unless they take part by phone or online.
    remote = scores.schedule_fit(person(avoid_dark=True), index, np.zeros(len(items), bool), TODAY, config)
    assert remote[1] == 1.0


def test_no_stated_availability_means_any_time(config):
    index = build([listing(schedules=(weekly("SU", time(19), time(21)),))])
    assert scores.schedule_fit(person(), index, np.ones(1, bool), TODAY, config)[0] == 1.0


# -- cost --------------------------------------------------------------------------------------------


def test_cost_against_a_budget(config):
    items = [listing(costs=(Cost(0),)), listing(costs=(Cost(2.0),)), listing(costs=(Cost(5.0),)), listing(costs=())]
    index = build(items)
    no_bus = np.zeros(len(items), bool)
    fit = scores.cost_fit(person(budget_per_session=3), index, no_bus, config)
    assert fit[0] == 1.0 > fit[1] > config.cost.within_budget_floor
    assert fit[2] == config.cost.over_budget
    assert fit[3] == config.cost.unknown
    free_only = scores.cost_fit(person(budget_per_session=0), index, no_bus, config)
    assert free_only[:3].tolist() == [1.0, config.cost.over_budget, config.cost.over_budget]
    unsaid = scores.cost_fit(person(), index, no_bus, config)
    assert unsaid[0] > unsaid[1] > unsaid[2] > 0


def test_a_bus_fare_counts_when_it_matters_and_not_with_a_bus_pass(config):
    index = build([listing(costs=(Cost(0),))])
    by_bus = np.ones(1, bool)
    assert scores.cost_fit(person(budget_per_session=3, fare_matters=True, age=40), index, by_bus, config)[0] == 0.0
    assert scores.cost_fit(person(budget_per_session=3, fare_matters=True, age=70), index, by_bus, config)[0] == 1.0
    assert scores.cost_fit(person(budget_per_session=3), index, by_bus, config)[0] == 1.0


def test_free_in_words_counts_as_free():
    assert Listing(id="x", name="x", fees_description="Free to all").min_cost() == 0.0
    assert Listing(id="x", name="x", fees_description="Not free: ask").min_cost() is None


# -- freshness and capacity ------------------------------------------------------------------------


def test_freshness_falls_with_time_since_last_checked(config):
    items = [listing(assured_date=date(2026, 1, 1)), listing(assured_date=date(2025, 3, 1)),
             listing(assured_date=date(2023, 1, 1)), listing(assured_date=None)]
    fresh = scores.freshness(build(items), TODAY, config)
    assert fresh[0] == 1.0 > fresh[1] > fresh[2]
    assert fresh[2] == pytest.approx(config.freshness.stale)
    assert fresh[3] == config.freshness.never


def test_full_demotes_and_a_lapsed_statement_is_unknown(config):
    items = [listing(capacity_status="open"), listing(capacity_status="limited"),
             listing(capacity_status="waiting_list"), listing(capacity_status="full"),
             listing(capacity_status="full", capacity_expires=date(2026, 2, 1))]
    cap = scores.capacity(build(items), TODAY, config)
    assert cap[0] > cap[1] > cap[2] > cap[3] > 0
    assert cap[4] == config.capacity.unknown


# -- access and preferences --------------------------------------------------------------------------


def test_softer_access_needs_raise_the_score_when_met(config):
    items = [listing(accessibility=frozenset({"hearing-loop", "dementia-friendly"})),
             listing(accessibility=frozenset({"hearing-loop"})), listing()]
    fit = scores.access_fit(person(access_needs=["hearing", "dementia"]), build(items), np.ones(3, bool), config)
    assert fit[0] == config.access.met > fit[1] > fit[2] == config.access.unknown
    assert scores.access_fit(person(), build(items), np.ones(3, bool), config).tolist() == [1.0, 1.0, 1.0]


def test_preferences_for_setting_language_and_referral(config):
    items = [
        listing(setting="one_to_one", languages=("Polish",), referral_routes=("self",)),
        listing(setting="group", referral_routes=("clinician",)),
        listing(setting=None, languages=("en",), interpretation=True, referral_routes=("link_worker",)),
    ]
    index = build(items)
    fit = scores.preference_fit(person(setting="one_to_one", languages=["Polish"], referrer="link_worker"),
                                index, np.ones(3, bool), config)
    assert fit[0] > fit[2] > fit[1]


# -- combining ---------------------------------------------------------------------------------------


def test_an_irrelevant_listing_next_door_cannot_beat_a_relevant_one_further_away(config):
    near = {"topic": 0.1, **{k: 1.0 for k in ("travel", "schedule", "access", "cost", "freshness", "capacity", "preference")}}
    far = {"topic": 1.0, "travel": 0.3, "schedule": 1.0, "access": 1.0, "cost": 1.0, "freshness": 1.0,
           "capacity": 1.0, "preference": 1.0}
    assert scores.combine(far, config) > scores.combine(near, config)
    perfect = {k: 1.0 for k in far}
    assert scores.combine(perfect, config) == pytest.approx(1.0)
