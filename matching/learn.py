"""Learn the weights from referral outcomes (did the person go?), and prove it helps first.

Each outcome is a person's profile, the listing they were referred to, and whether they
attended. Its features are exactly what the ranker combines: topic fit, and each practical score
multiplied by topic fit (see `scores.combine`), so a fitted linear model *is* a set of weights.

A logistic regression (scikit-learn) is fitted on most people and judged on people it never saw
(a group split, so one person's referrals never sit on both sides). The new weights are the
coefficients with negatives clipped to zero and scaled to sum to one; they are kept only when
their held-out ROC AUC beats the configured weights' by a margin. AUC compares orderings, which
is what ranking is, and does not care that the configured score is not a probability.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Sequence

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import GroupShuffleSplit

from matching.config import COMPONENTS, PRACTICAL, MatchConfig
from matching.index import MatchIndex
from matching.profile import Profile
from matching.rank import score_all

MIN_EXAMPLES = 40


class NotEnoughOutcomes(ValueError):
    """Too few outcomes, or only one kind (all attended or none), to learn anything."""


@dataclass(frozen=True)
class Outcome:
    """One referral: who, to what, whether they went, and when (for the scores that age)."""

    person: str  # any stable id for the person (pseudonymous): keeps their referrals together
    profile: Profile
    listing_id: str
    attended: bool
    referred_at: datetime | None = None


@dataclass
class TrainingReport:
    examples: int
    people: int
    skipped: int  # outcomes whose listing is no longer in the directory
    attended_share: float
    configured_auc: float
    learned_auc: float
    weights: dict[str, float]
    configured: dict[str, float]
    notes: list[str] = field(default_factory=list)

    @property
    def improvement(self) -> float:
        return self.learned_auc - self.configured_auc

    def summary(self) -> str:
        lines = [
            f"{self.examples} referral outcomes from {self.people} people "
            f"({self.attended_share:.0%} attended); {self.skipped} skipped (listing no longer listed).",
            f"Held-out ROC AUC: configured weights {self.configured_auc:.3f}, learned weights "
            f"{self.learned_auc:.3f} ({self.improvement:+.3f}).",
            "weight        configured  learned",
        ]
        for name in COMPONENTS:
            lines.append(f"{name:<13} {self.configured[name]:>10.3f} {self.weights[name]:>8.3f}")
        return "\n".join(lines + self.notes)


def features(components: dict[str, float]) -> np.ndarray:
    """[topic, topic x travel, topic x schedule, ...]: the ranker's score is weights . features."""
    topic = components["topic"]
    return np.array([topic] + [topic * components[name] for name in PRACTICAL])


def configured_score(x: np.ndarray, config: MatchConfig) -> np.ndarray:
    weights = np.array([config.weights.as_dict()[name] for name in COMPONENTS])
    return x @ weights


def outcome_features(outcomes: Sequence[Outcome], index: MatchIndex, config: MatchConfig,
                     now: datetime | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Feature rows, labels and person groups for outcomes whose listing is still in `index`."""
    positions: dict[str, list[int]] = {}
    for n, item in enumerate(index.listings):
        positions.setdefault(item.id, []).append(n)
    rows, labels, groups, skipped = [], [], [], 0
    for outcome in outcomes:
        where = positions.get(outcome.listing_id)
        if not where:
            skipped += 1
            continue
        when = outcome.referred_at or now or datetime.now()
        scored = score_all(outcome.profile, index, when.replace(tzinfo=None), config)
        best = max(where, key=lambda p: scored.final[p])  # the venue they would have been sent to
        rows.append(features({name: float(scored.columns[name][best]) for name in COMPONENTS}))
        labels.append(bool(outcome.attended))
        groups.append(outcome.person)
    return np.array(rows).reshape(-1, len(COMPONENTS)), np.array(labels), np.array(groups), skipped


def fit_weights(x: np.ndarray, y: np.ndarray, groups: np.ndarray, config: MatchConfig, *,
                test_size: float = 0.25, seed: int = 0) -> tuple[dict[str, float], float, float]:
    """Fit on some people, score on the others: (new weights, configured AUC, learned AUC)."""
    if len(y) < MIN_EXAMPLES:
        raise NotEnoughOutcomes(f"Only {len(y)} usable outcomes; at least {MIN_EXAMPLES} are needed.")
    if y.all() or not y.any():
        raise NotEnoughOutcomes("Every outcome is the same (all attended, or none): nothing to learn from.")
    splitter = GroupShuffleSplit(n_splits=20, test_size=test_size, random_state=seed)
    for train, test in splitter.split(x, y, groups):
        if 0 < y[train].mean() < 1 and 0 < y[test].mean() < 1:
            break
    else:
        raise NotEnoughOutcomes("Could not split people so both sides have attended and missed referrals.")
    model = LogisticRegression(C=1.0, max_iter=1000)
    model.fit(x[train], y[train])
    coefficients = np.clip(model.coef_.ravel(), 0.0, None)
    if coefficients.sum() <= 0:
        coefficients = np.array([config.weights.as_dict()[name] for name in COMPONENTS])
    learned = coefficients / coefficients.sum()
    weights = {name: round(float(w), 4) for name, w in zip(COMPONENTS, learned)}
    configured_auc = float(roc_auc_score(y[test], configured_score(x[test], config)))
    learned_auc = float(roc_auc_score(y[test], x[test] @ learned))
    return weights, configured_auc, learned_auc


def train(outcomes: Sequence[Outcome], index: MatchIndex, config: MatchConfig, *, test_size: float = 0.25,
          seed: int = 0, now: datetime | None = None) -> TrainingReport:
    """Fit weights on referral outcomes and report how they compare on held-out people."""
    x, y, groups, skipped = outcome_features(outcomes, index, config, now)
    weights, configured_auc, learned_auc = fit_weights(x, y, groups, config, test_size=test_size, seed=seed)
    return TrainingReport(
        examples=len(y), people=len(set(groups.tolist())), skipped=skipped, attended_share=float(y.mean()),
        configured_auc=configured_auc, learned_auc=learned_auc, weights=weights,
        configured=config.weights.as_dict(),
    )


def weights_toml(weights: dict[str, float], report: TrainingReport) -> str:
    """An override file holding only [weights], with where they came from."""
    lines = [
        "# Written by `wayfinder train-ranker`: weights fitted on referral outcomes.",
        f"# {report.examples} outcomes from {report.people} people; held-out ROC AUC "
        f"{report.configured_auc:.3f} (configured) -> {report.learned_auc:.3f} (these).",
        "# Delete this file to go back to matching/weights.toml.",
        "",
        "[weights]",
    ]
    lines += [f"{name} = {weights[name]}" for name in COMPONENTS]
    return "\n".join(lines) + "\n"
