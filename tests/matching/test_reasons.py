"""Reasons and warnings, one family at a time, on hand-built listings."""

from __future__ import annotations

from datetime import date, time

from directory.schedules import Rule
from matching import reasons
from matching.config import load_config
from matching.listing import Area, Cost
from matching.profile import Profile
from matching.transport import Journey
from tests.matching.helpers import TODAY, listing, weekly

CONFIG = load_config()


def person(**fields) -> Profile:
    fields.setdefault("what_matters", ["x"])
    return Profile(**fields)


def test_money():
    assert reasons.money(3) == "£3"
    assert reasons.money(2.5) == "£2.50"


def test_topic_lines_quote_their_words_and_name_the_category():
    lines = reasons.topic_reasons([
        ("gardening", "Gardening", True, None),
        ("I'm lonely", "Befriending", True, None),
    ])
    assert lines == ["Matches 'gardening'", "Also matches 'I'm lonely' (Befriending)"]
    assert reasons.topic_reasons([("Arts", "Arts", True, "arts")]) == ["In Arts, a category you chose"]
    assert reasons.topic_reasons([("watercolour", None, False, None)]) == ["Matches 'watercolour'"]


def test_travel_lines_by_mode():
    assert reasons.travel_lines(person(), None, "online", CONFIG) == (["Online — no travel needed"], [])
    lift = Journey("lift", 12, 14, 4.0)
    assert reasons.travel_lines(person(), lift, "in_person", CONFIG)[1] == ["Needs a lift from family or friends"]
    bus = Journey("bus", 20, 24, 3.0, buses=1)
    older = reasons.travel_lines(person(age=70, fare_matters=True), bus, "in_person", CONFIG)
    assert "Free with an older person's bus pass after 9:30am on weekdays" in older[0]
    assert older[1] == []
    younger = reasons.travel_lines(person(age=40, fare_matters=True), bus, "in_person", CONFIG)
    assert younger[1] == ["Bus fare about £3 each way"]
    assert reasons.travel_lines(person(), None, "in_person", CONFIG)[1] == [
        "Add a postcode or location to see how far it is"
    ]


def test_schedule_lines_say_why_a_time_suits():
    item = listing(schedules=(weekly("TH", time(14), time(16)), weekly("TU", time(10), time(12))))
    said = reasons.schedule_lines(person(days_free=["TU"], times_free=["morning"]), item, True, TODAY)
    assert said == (["Every Tuesday, 10am to midday — you said Tuesday mornings suit you"], [])
    days_only = reasons.schedule_lines(person(days_free=["TH"]), item, True, TODAY)
    assert days_only == (["Every Thursday, 2pm to 4pm — you said Thursdays suit you"], [])
    clash = reasons.schedule_lines(person(days_free=["FR"]), item, True, TODAY)
    assert clash == ([], ["Every Thursday, 2pm to 4pm — not when you said you are free"])
    appointment = listing(schedules=(Rule(by_appointment=True),))
    assert reasons.schedule_lines(person(), appointment, True, TODAY)[0] == [
        "By appointment — they will arrange a time with you"
    ]
    assert reasons.schedule_lines(person(), listing(schedules=()), True, TODAY)[1] == [
        "Times not listed — contact them to ask"
    ]


def test_cost_lines():
    assert reasons.cost_lines(person(), listing(costs=(Cost(0),)), False, CONFIG) == (["Free"], [])
    assert reasons.cost_lines(person(budget_per_session=5), listing(costs=(Cost(2.5),)), False, CONFIG) == (
        ["£2.50 a session — within your £5"], [])
    assert reasons.cost_lines(person(budget_per_session=0), listing(costs=(Cost(2.5),)), False, CONFIG) == (
        [], ["£2.50 a session — not free"])
    assert reasons.cost_lines(person(), listing(costs=()), False, CONFIG) == ([], ["Cost not stated — ask them"])


def test_capacity_lines_name_the_month_and_drop_lapsed_statements():
    assert reasons.capacity_lines(listing(capacity_status="full", capacity_expires=date(2027, 1, 10)), TODAY) == (
        [], ["Full until January 2027"])
    assert reasons.capacity_lines(listing(capacity_status="full"), TODAY) == ([], ["Full at the moment"])
    assert reasons.capacity_lines(listing(capacity_status="full", capacity_expires=date(2026, 1, 1)), TODAY) == ([], [])
    assert reasons.capacity_lines(listing(capacity_status="limited", capacity_note="2 places"), TODAY) == (
        ["A few places left (2 places)"], [])
    repeated = listing(capacity_status="open", capacity_note="Places available - just turn up")
    assert reasons.capacity_lines(repeated, TODAY) == (["Places available - just turn up"], [])


def test_freshness_lines():
    assert reasons.freshness_lines(listing(assured_date=date(2025, 12, 5)), TODAY, CONFIG) == (
        ["Details checked December 2025"], [])
    assert reasons.freshness_lines(listing(assured_date=date(2024, 6, 1)), TODAY, CONFIG) == (
        [], ["Not checked since 2024"])
    assert reasons.freshness_lines(listing(assured_date=None), TODAY, CONFIG)[1] == [
        "Never checked — details may be out of date"
    ]


def test_eligibility_lines():
    area = Area("Byker", {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]})
    item = listing(min_age=18, max_age=25, gender="male", residency_areas=(area,))
    assert reasons.eligibility_lines(person(), item, None) == (
        [], ["For ages 18 to 25", "Men only", "Only for people who live in Byker"])
    assert reasons.eligibility_lines(person(age=20, gender="male"), item, True) == (
        ["For people who live in Byker, as you do"], [])


def test_language_lines():
    polish = listing(languages=("pl",))
    assert reasons.language_lines(person(languages=["Polish"]), polish) == (["In Polish"], [])
    assert reasons.language_lines(person(), polish) == ([], ["Run in Polish — no interpreter mentioned"])
    assert reasons.language_lines(person(languages=["Urdu"]), listing(interpretation=True)) == (
        ["Interpreters can be arranged"], [])
    assert reasons.language_lines(person(), listing()) == ([], [])


def test_referral_and_setting_lines():
    assert reasons.referral_lines(person(), listing(referral_routes=("self", "clinician")))[0] == [
        "You can contact them yourself"]
    assert reasons.referral_lines(person(referrer="link_worker"), listing(referral_routes=("link_worker",)))[0] == [
        "A link worker can refer you"]
    gp_only = reasons.referral_lines(person(), listing(referral_routes=("clinician",)))
    assert gp_only == ([], ["Needs a referral from a GP or nurse"])
    assert reasons.setting_lines(person(setting="one_to_one"), listing(setting="one_to_one")) == (
        ["One-to-one, as you prefer"], [])
    assert reasons.setting_lines(person(setting="one_to_one"), listing(setting="group")) == (
        [], ["This is a group — you said one-to-one"])
