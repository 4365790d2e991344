"""Every filter, its facet counts, pagination and sorting, through `search()`."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest

from directory.errors import ValidationError
from directory.models import Schedule
from directory.services import resolve_terms
from tests.directory.search.conftest import NOW, find, names
from tests.factories import add_cost, make_location, make_service


def weekly(day: str, hour: int) -> Schedule:
    return Schedule(freq="WEEKLY", byday=day, opens_at=time(hour), closes_at=time(hour + 1))


def listing(session, name, *, when=(), terms=(), **fields):
    service = make_service(session, name=name, schedule=False, **fields)
    for rule in when:
        service.schedules.append(rule)
    if terms:
        service.taxonomy_terms = resolve_terms(session, list(terms))
    return service


def test_category_includes_everything_beneath_it(taxonomy, index):
    session = taxonomy
    listing(session, "Heaton Park walk", terms=["health-walks"])
    listing(session, "Aqua fit", terms=["swimming"])
    listing(session, "Knit and natter", terms=["crafts"])
    session.flush()
    active = find(session, index, categories=("physical-activity",))
    assert sorted(names(active)) == ["Aqua fit", "Heaton Park walk"]
    assert names(find(session, index, categories=("health-walks",))) == ["Heaton Park walk"]
    assert active.facet("category")["physical-activity"] == 2
    assert active.facet("category")["crafts"] == 1  # a facet ignores its own filter
    with pytest.raises(ValidationError) as err:
        find(session, index, categories=("underwater-basket-weaving",))
    assert err.value.field == "category"


def test_days_and_times_of_day_combine_per_session(session, index):
    listing(session, "Tuesday morning, Thursday evening", when=[weekly("TU", 10), weekly("TH", 19)])
    listing(session, "Tuesday evening", when=[weekly("TU", 18)])
    listing(session, "Saturday afternoon", when=[weekly("SA", 14)])
    listing(session, "By appointment", when=[Schedule(by_appointment=True)])
    session.flush()
    assert sorted(names(find(session, index, days=("TU",)))) == ["Tuesday evening", "Tuesday morning, Thursday evening"]
    assert names(find(session, index, days=("TU",), times=("evening",))) == ["Tuesday evening"]
    assert names(find(session, index, times=("afternoon",))) == ["Saturday afternoon"]
    both = find(session, index, days=("TU",), times=("evening",))
    assert both.facet("day")["TH"] == 1 and both.facet("day")["TU"] == 1  # evenings, any day
    assert both.facet("time") == {"morning": 1, "afternoon": 0, "evening": 1}  # Tuesdays, any time
    with pytest.raises(ValidationError) as err:
        find(session, index, days=("XX",))
    assert err.value.field == "day"


def test_next_seven_days(session, index):
    listing(session, "Weekly on Tuesday", when=[weekly("TU", 10)])
    listing(session, "Last Friday of the month", when=[Schedule(freq="MONTHLY", byday="-1FR", opens_at=time(14))])
    listing(session, "Starts in May", when=[Schedule(freq="WEEKLY", byday="MO", opens_at=time(10), valid_from=date(2026, 5, 4))])
    session.flush()
    soon = find(session, index, next_7_days=True)
    assert names(soon) == ["Weekly on Tuesday"]  # NOW is Monday 2 March; the last Friday is the 27th
    assert soon.results[0].next_session == datetime(2026, 3, 3, 10, 0)
    assert soon.results[0].next_session_text == "Tomorrow, 10am"
    later = find(session, index, next_7_days=True, now=datetime(2026, 3, 23, 9, tzinfo=timezone.utc))
    assert sorted(names(later)) == ["Last Friday of the month", "Weekly on Tuesday"]


def test_cost_free_and_under_an_amount(session, index):
    add_cost(listing(session, "Free group"), "0")
    add_cost(listing(session, "Two pounds"), "2.00")
    add_cost(listing(session, "Eight pounds"), "8.00")
    listing(session, "Price not given")
    session.flush()
    assert names(find(session, index, free=True)) == ["Free group"]
    assert sorted(names(find(session, index, max_cost=5))) == ["Free group", "Two pounds"]
    facet = find(session, index, free=True).facet("cost")
    assert facet == {"free": 1, "up_to_3": 2, "up_to_5": 2, "up_to_10": 3, "not_stated": 1}


def test_age_gender_and_referral(session, index):
    listing(session, "Over 50s", minimum_age=50)
    listing(session, "Young carers", minimum_age=8, maximum_age=17)
    listing(session, "Women's walking group", gender="female")
    listing(session, "Men's shed", gender="male", referral_routes=["link_worker"])
    session.flush()
    assert sorted(names(find(session, index, age=12))) == ["Men's shed", "Women's walking group", "Young carers"]
    assert "Men's shed" not in names(find(session, index, gender="female"))
    assert "Women's walking group" in names(find(session, index, gender="female"))
    assert "Men's shed" not in names(find(session, index, self_referral=True))
    with pytest.raises(ValidationError) as err:
        find(session, index, age=130)
    assert err.value.field == "age"


def test_accessibility_counts_venue_and_activity_features(session, index):
    step_free = make_location(session, name="Step-free hall", accessibility=["step-free", "accessible-toilet"])
    listing(session, "At the step-free hall", location=step_free)
    listing(session, "Hearing loop in the activity", accessibility=["hearing-loop", "step-free"])
    listing(session, "Nothing stated")
    session.flush()
    assert sorted(names(find(session, index, accessibility=("step-free",)))) == ["At the step-free hall", "Hearing loop in the activity"]
    assert names(find(session, index, accessibility=("step-free", "accessible-toilet"))) == ["At the step-free hall"]
    facet = find(session, index).facet("accessibility")
    assert facet["step-free"] == 2 and facet["hearing-loop"] == 1 and facet["bsl"] == 0


def test_delivery_verification_and_places(session, index):
    today = NOW.date()
    listing(session, "In person, checked last month", assured_date=today - timedelta(days=30), capacity_status="open")
    listing(session, "Online, checked two years ago", location=False, delivery_modes=["online"],
            assured_date=today - timedelta(days=730), capacity_status="full")
    listing(session, "Phone line, full until last week", location=False, delivery_modes=["phone"], capacity_status="full",
            capacity_expires_at=datetime(2026, 2, 20, tzinfo=timezone.utc))
    session.flush()
    assert names(find(session, index, delivery=("online", "phone"), sort="relevance")) == [
        "Phone line, full until last week", "Online, checked two years ago"]  # the full one sinks
    assert names(find(session, index, verified_within_months=6)) == ["In person, checked last month"]
    assert names(find(session, index, has_places=True)) == ["In person, checked last month"]
    capacity = find(session, index).facet("capacity")
    assert capacity["full"] == 1 and capacity["unknown"] == 1 and capacity["has_places"] == 1  # expired -> unknown


def test_stale_and_full_listings_are_demoted_not_hidden(session, index):
    today = NOW.date()
    listing(session, "Walk A stale", assured_date=today - timedelta(days=500))
    listing(session, "Walk B full", assured_date=today, capacity_status="full")
    listing(session, "Walk C fresh", assured_date=today)
    session.flush()
    found = find(session, index, text="walk")
    assert names(found) == ["Walk C fresh", "Walk A stale", "Walk B full"]
    flags = {r.name: (r.stale, r.full) for r in found.results}
    assert flags == {"Walk A stale": (True, False), "Walk B full": (False, True), "Walk C fresh": (False, False)}


def test_pagination_and_totals(session, index):
    for n in range(5):
        listing(session, f"Group {n}")
    session.flush()
    first, third = find(session, index, per_page=2), find(session, index, per_page=2, page=3)
    assert first.total == 5 and first.pages == 3 and len(first.results) == 2
    assert len(third.results) == 1
    every = names(first) + names(find(session, index, per_page=2, page=2)) + names(third)
    assert sorted(every) == [f"Group {n}" for n in range(5)]
    with pytest.raises(ValidationError) as err:
        find(session, index, per_page=500)
    assert err.value.field == "per_page"


def test_sort_by_soonest(session, index):
    listing(session, "Thursday", when=[weekly("TH", 10)])
    listing(session, "Tuesday", when=[weekly("TU", 10)])
    listing(session, "Monday later today", when=[weekly("MO", 18)])
    listing(session, "No times")
    session.flush()
    assert names(find(session, index, sort="soonest")) == ["Monday later today", "Tuesday", "Thursday", "No times"]
