"""Hand-built listings and a small taxonomy: matching is tested with no database at all."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time

from directory.schedules import Rule
from directory.taxonomy_index import TermSpec
from matching.index import MatchIndex
from matching.listing import Cost, Listing

# Tuesday 3 March 2026, 9am: every test ranks "now" at this moment.
NOW = datetime(2026, 3, 3, 9, 0)
TODAY = NOW.date()
HOME = (54.9780, -1.6100)  # central Newcastle

SMALL_TAXONOMY = [
    TermSpec("physical-activity", "Being active", synonyms=("exercise", "fitness"),
             need_phrases=("I want to get fitter",)),
    TermSpec("health-walks", "Health walks", parent_code="physical-activity", synonyms=("walking", "walking group"),
             need_phrases=("I want to get out of the house",)),
    TermSpec("chair-exercise", "Chair exercise", parent_code="physical-activity", synonyms=("seated exercise",),
             need_phrases=("I can't walk far",)),
    TermSpec("arts", "Art and painting", synonyms=("painting", "drawing", "art class"),
             need_phrases=("I used to love painting",)),
    TermSpec("gardening", "Gardening", synonyms=("allotment", "community garden"),
             need_phrases=("I miss my garden",)),
    TermSpec("money-housing", "Money and housing", synonyms=("money",)),
    TermSpec("debt-advice", "Money and debt advice", parent_code="money-housing", synonyms=("debt", "arrears"),
             need_phrases=("I can't pay my bills", "I'm in debt")),
    TermSpec("befriending", "Befriending", synonyms=("befriender", "friendly visitor"),
             need_phrases=("I'm lonely", "I never see anyone")),
]

_ids = itertools.count(1)


def offset(lat: float, lon: float, north_km: float = 0.0, east_km: float = 0.0) -> tuple[float, float]:
    """A point `north_km` north and `east_km` east of (lat, lon), near enough for tests."""
    import math

    return lat + north_km / 111.2, lon + east_km / (111.2 * math.cos(math.radians(lat)))


def weekly(byday: str = "TU", opens: time = time(10), closes: time | None = time(11, 30), **kw) -> Rule:
    return Rule(freq="WEEKLY", byday=byday, opens_at=opens, closes_at=closes, **kw)


def listing(**fields) -> Listing:
    """A free, open, recently checked weekly activity 1 km north of HOME."""
    n = next(_ids)
    fields.setdefault("id", f"L{n}")
    fields.setdefault("name", f"Activity {n}")
    fields.setdefault("categories", ("health-walks",))
    if "latitude" not in fields and "in_person" in fields.get("delivery_modes", ("in_person",)):
        fields["latitude"], fields["longitude"] = offset(*HOME, north_km=1.0)
    fields.setdefault("schedules", (weekly(),))
    fields.setdefault("costs", (Cost(0.0),))
    fields.setdefault("assured_date", date(2026, 1, 10))
    fields.setdefault("capacity_status", "open")
    return Listing(**fields)


def build(listings, terms=None) -> MatchIndex:
    return MatchIndex.build(listings, terms or SMALL_TAXONOMY)
