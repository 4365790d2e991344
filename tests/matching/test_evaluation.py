"""The evaluation's own arithmetic and label rules (bench/matching/evaluate.py), on hand-built listings."""

from __future__ import annotations

import importlib.util
import math
from datetime import date, time
from pathlib import Path

import pytest

from matching.listing import Listing
from matching.profile import Profile
from tests.matching.helpers import HOME, TODAY, listing, offset, weekly

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("evaluate", ROOT / "bench" / "matching" / "evaluate.py")
evaluate = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(evaluate)

PERSONA = {
    "id": "t",
    "requires_any": ["step-free"],
    "grades": [
        {"grade": 3, "categories": ["arts"], "within_km": 2},
        {"grade": 2, "categories": ["arts"], "within_km": 5, "times": ["evening"]},
        {"grade": 1, "categories": ["crafts"]},
    ],
}
PERSON = Profile(what_matters=["painting"], latitude=HOME[0], longitude=HOME[1], age=70, gender="male")
STEP_FREE = frozenset({"step-free"})


def at(km: float, **fields) -> Listing:
    lat, lon = offset(*HOME, north_km=km)
    fields.setdefault("accessibility", STEP_FREE)
    return listing(latitude=lat, longitude=lon, **fields)


def test_grades_follow_the_first_rule_met():
    assert evaluate.grade(PERSONA, PERSON, at(1, categories=("arts",)), TODAY) == 3
    evening = (weekly("TU", time(19), time(21)),)
    assert evaluate.grade(PERSONA, PERSON, at(4, categories=("arts",), schedules=evening), TODAY) == 2
    assert evaluate.grade(PERSONA, PERSON, at(4, categories=("arts",)), TODAY) == 0
    assert evaluate.grade(PERSONA, PERSON, at(40, categories=("crafts",)), TODAY) == 1


def test_labels_respect_facts_whatever_the_rule_says():
    arts = {"categories": ("arts",)}
    assert evaluate.grade(PERSONA, PERSON, at(1, accessibility=frozenset(), **arts), TODAY) == 0  # steps
    assert evaluate.grade(PERSONA, PERSON, at(1, min_age=18, max_age=25, **arts), TODAY) == 0
    assert evaluate.grade(PERSONA, PERSON, at(1, gender="female", **arts), TODAY) == 0
    assert evaluate.grade(PERSONA, PERSON, at(1, status="defunct", **arts), TODAY) == 0
    assert evaluate.grade(PERSONA, PERSON, at(1, capacity_status="full", **arts), TODAY) == 2
    lapsed = at(1, capacity_status="full", capacity_expires=date(2026, 1, 1), **arts)
    assert evaluate.grade(PERSONA, PERSON, lapsed, TODAY) == 3
    phone = listing(categories=("arts",), delivery_modes=("phone",))
    assert evaluate.grade(PERSONA, PERSON, phone, TODAY) == 3  # remote counts at any distance


def test_ndcg_and_precision():
    assert evaluate.ndcg([3, 3, 3, 3, 3], [3, 3, 3, 3, 3]) == 1.0
    assert evaluate.ndcg([0, 3], [3, 3]) == pytest.approx((7 / math.log2(3)) / (7 + 7 / math.log2(3)))
    assert math.isnan(evaluate.ndcg([0, 0], [0, 0]))
    assert evaluate.precision([3, 2, 1, 0]) == 0.4


def test_every_persona_parses_and_names_real_categories(wayfinder_terms):
    codes = {t.code for t in wayfinder_terms}
    personas = evaluate.read_personas()
    assert len(personas) >= 30
    postcodes = evaluate.postcode_table()
    for persona in personas:
        profile = evaluate.profile_for(persona, postcodes)
        assert profile.has_location
        for rule in persona["grades"]:
            assert set(rule["categories"]) <= codes, persona["id"]
