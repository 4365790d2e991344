"""The ranking configuration: weights and score shapes, read from `matching/weights.toml`.

The TOML file is the single source of the numbers (documented there and in
`docs/matching.md`); this module only gives them types. An override file (for example the one
`wayfinder train-ranker` writes) may replace any subset of keys.
"""

from __future__ import annotations

import tomllib
from dataclasses import MISSING, dataclass, fields, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

DEFAULT_FILE = Path(__file__).with_name("weights.toml")

# The practical scores that count in proportion to topic fit (the order is the feature order
# train-ranker uses).
PRACTICAL = ("travel", "schedule", "access", "cost", "freshness", "capacity", "preference")
COMPONENTS = ("topic", *PRACTICAL)


class ConfigError(ValueError):
    """A configuration file with a missing, unknown or impossible value."""


@dataclass(frozen=True)
class Weights:
    topic: float
    travel: float
    schedule: float
    access: float
    cost: float
    freshness: float
    capacity: float
    preference: float

    def as_dict(self) -> dict[str, float]:
        return {name: getattr(self, name) for name in COMPONENTS}


@dataclass(frozen=True)
class TopicConfig:
    phrase_floor: float
    phrase_full: float
    char_discount: float
    information_scale: float
    classifier_c: float
    class_floor: float
    class_full: float
    phrase_weight: float
    parent_share: float
    child_share: float
    chosen_widen: float
    text_floor: float
    text_full: float
    text_share: float
    second_interest: float
    min_fit: float


@dataclass(frozen=True)
class TravelConfig:
    quick_minutes: float
    at_limit: float
    tolerance: float
    remote: float
    unknown: float


@dataclass(frozen=True)
class ScheduleConfig:
    unknown: float
    flexible: float
    after_dark: float
    clash: float


@dataclass(frozen=True)
class CostConfig:
    unknown: float
    scale_pounds: float
    within_budget_floor: float
    over_budget: float
    bus_fare: float
    concession_age: int


@dataclass(frozen=True)
class FreshnessConfig:
    fresh_days: int
    stale_days: int
    stale: float
    never: float
    warn_days: int


@dataclass(frozen=True)
class CapacityConfig:
    open: float
    limited: float
    unknown: float
    waiting_list: float
    full: float


@dataclass(frozen=True)
class AccessConfig:
    met: float
    unknown: float


@dataclass(frozen=True)
class PreferenceConfig:
    match: float
    unknown: float
    mismatch: float


@dataclass(frozen=True)
class DiversityConfig:
    coverage: float
    same_category: float
    candidates: int


@dataclass(frozen=True)
class MatchConfig:
    """Everything that shapes a ranking."""

    weights: Weights
    topic: TopicConfig
    travel: TravelConfig
    schedule: ScheduleConfig
    cost: CostConfig
    freshness: FreshnessConfig
    capacity: CapacityConfig
    access: AccessConfig
    preference: PreferenceConfig
    diversity: DiversityConfig

    def with_weights(self, weights: dict[str, float]) -> "MatchConfig":
        """A copy with some weights replaced (used by train-ranker and the evaluation)."""
        return replace(self, weights=replace(self.weights, **weights))


def _section(cls, name: str, values: dict[str, Any]):
    expected = {f.name: f for f in fields(cls)}
    unknown = set(values) - set(expected)
    if unknown:
        raise ConfigError(f"[{name}] has unknown key(s): {', '.join(sorted(unknown))}.")
    missing = [k for k, f in expected.items() if k not in values and f.default is MISSING]
    if missing:
        raise ConfigError(f"[{name}] is missing: {', '.join(missing)}.")
    converted = {}
    for key, value in values.items():
        kind = int if expected[key].type in ("int", int) else float
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
            raise ConfigError(f"[{name}] {key} must be a number of 0 or more, not {value!r}.")
        converted[key] = kind(value)
    return cls(**converted)


def _merge(base: dict, override: dict) -> dict:
    merged = {k: dict(v) for k, v in base.items()}
    for section, values in override.items():
        if section not in merged:
            raise ConfigError(f"Unknown section [{section}].")
        merged[section].update(values)
    return merged


def parse_config(data: dict, override: dict | None = None) -> MatchConfig:
    """Build a `MatchConfig` from parsed TOML (defaults merged with an optional override)."""
    data = _merge(data, override or {})
    sections = {f.name: f.type for f in fields(MatchConfig)}
    classes = {
        "weights": Weights, "topic": TopicConfig, "travel": TravelConfig, "schedule": ScheduleConfig,
        "cost": CostConfig, "freshness": FreshnessConfig, "capacity": CapacityConfig,
        "access": AccessConfig, "preference": PreferenceConfig, "diversity": DiversityConfig,
    }
    missing = set(sections) - set(data)
    if missing:
        raise ConfigError(f"Missing section(s): {', '.join(sorted(missing))}.")
    config = MatchConfig(**{name: _section(classes[name], name, data[name]) for name in sections})
    if sum(config.weights.as_dict().values()) <= 0:
        raise ConfigError("[weights] must not all be zero.")
    return config


def _read(path: Path) -> dict:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"There is no matching configuration at {path}.") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from None


@lru_cache(maxsize=8)
def _load(override_path: str | None, mtime: float | None) -> MatchConfig:
    return parse_config(_read(DEFAULT_FILE), _read(Path(override_path)) if override_path else None)


def load_config(override: str | Path | None = None) -> MatchConfig:
    """The configuration from `weights.toml`, with `override` (if it exists) laid over it."""
    if override is not None and Path(override).exists():
        path = Path(override)
        return _load(str(path), path.stat().st_mtime)
    return _load(None, None)
