"""Learning weights from generated referral outcomes with a known pattern."""

from __future__ import annotations

import math
import random
from datetime import date

import numpy as np
import pytest

from directory.geo import haversine_km
from matching import learn
from matching.config import COMPONENTS, load_config
from matching.learn import NotEnoughOutcomes, Outcome
from matching.profile import Profile
from tests.matching.helpers import HOME, NOW, build, listing, offset


def world(seed: int):
    """120 walking groups scattered up to 8 km from the centre, with all sorts of freshness."""
    rng = random.Random(seed)
    items = []
    for n in range(120):
        lat, lon = offset(*HOME, north_km=rng.uniform(-8, 8), east_km=rng.uniform(-8, 8))
        items.append(listing(id=f"g{n}", latitude=lat, longitude=lon,
                             assured_date=date(2026, 2, 1) if rng.random() < 0.5 else date(2023, 6, 1),
                             capacity_status=rng.choice(["open", "limited", "unknown"])))
    return items


def referrals(items, seed: int, pattern: bool, people: int = 80, per_person: int = 4) -> list[Outcome]:
    """People referred to groups at random; with `pattern`, they go when it is near, whatever else.

    The pattern is in kilometres, not in any score of ours: the learner has to find it through
    the travel score, as it would in real outcomes.
    """
    rng = random.Random(seed)
    outcomes = []
    for person in range(people):
        lat, lon = offset(*HOME, north_km=rng.uniform(-4, 4), east_km=rng.uniform(-4, 4))
        profile = Profile(what_matters=["I want to get out of the house"], latitude=lat, longitude=lon,
                          travel_modes=["walk", "bus"], max_travel_minutes=60)
        for item in rng.sample(items, per_person):
            km = haversine_km(lat, lon, item.latitude, item.longitude)
            chance = 1 / (1 + math.exp(-(2.5 - 1.0 * km))) if pattern else 0.5
            outcomes.append(Outcome(f"p{person}", profile, item.id, rng.random() < chance))
    return outcomes


def test_a_known_pattern_is_found_and_beats_the_configured_weights():
    items = world(1)
    config = load_config()
    report = learn.train(referrals(items, 2, pattern=True), build(items), config, now=NOW)
    assert report.examples == 320 and report.people == 80 and report.skipped == 0
    assert report.learned_auc > report.configured_auc + 0.02
    assert report.learned_auc > 0.7
    # Nearness is what mattered: travel gets more weight than configured, freshness does not.
    assert report.weights["travel"] > config.weights.travel
    assert report.weights["travel"] > report.weights["freshness"]
    assert sum(report.weights.values()) == pytest.approx(1.0, abs=1e-3)
    assert "Held-out ROC AUC" in report.summary()


def test_no_pattern_means_no_real_improvement():
    items = world(3)
    report = learn.train(referrals(items, 4, pattern=False), build(items), load_config(), now=NOW)
    assert report.learned_auc < report.configured_auc + 0.1
    assert report.learned_auc < 0.65


def test_features_make_the_configured_score_the_ranking_score(config):
    from matching import scores

    components = {name: v for name, v in zip(COMPONENTS, (0.9, 0.5, 1.0, 0.4, 1.0, 0.2, 0.7, 0.6))}
    x = learn.features(components)
    total = sum(config.weights.as_dict().values())
    assert learn.configured_score(x[None, :], config)[0] / total == pytest.approx(scores.combine(components, config))


def test_listings_no_longer_listed_are_skipped_and_too_few_outcomes_refused():
    items = world(5)
    outcomes = referrals(items, 6, pattern=True, people=5)
    gone = [Outcome("p-x", outcomes[0].profile, "deleted-listing", True)]
    x, y, groups, skipped = learn.outcome_features(outcomes + gone, build(items), load_config(), NOW)
    assert skipped == 1 and len(y) == 20
    with pytest.raises(NotEnoughOutcomes, match="at least"):
        learn.fit_weights(x, y, groups, load_config())
    with pytest.raises(NotEnoughOutcomes, match="same"):
        learn.fit_weights(np.ones((50, 8)), np.ones(50, bool), np.arange(50), load_config())


def test_the_override_file_holds_only_weights():
    import tomllib

    report = learn.TrainingReport(100, 30, 0, 0.4, 0.6, 0.7, {n: 0.125 for n in COMPONENTS},
                                  load_config().weights.as_dict())
    parsed = tomllib.loads(learn.weights_toml(report.weights, report))
    assert list(parsed) == ["weights"] and parsed["weights"]["travel"] == 0.125
