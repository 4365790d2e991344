"""A person's profile: what matters to them, where they start, how they travel, what they need.

A plain dataclass, validated field by field so a form or an API can point at the exact
mistake, and round-tripped through JSON (`to_dict` / `from_dict`). It holds no name, address
or NHS number: a postcode district and an age are enough to match, and nothing more is kept.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Iterable

from directory.errors import ValidationError
from directory.postcodes import parse_postcode
from directory.vocab import DAY_NAMES, DAYS

# How a person can get somewhere. "lift" is a lift from family or a friend; community
# transport is a booked door-to-door minibus (dial-a-ride).
TRAVEL_MODES = ("walk", "bus", "car", "lift", "community_transport", "cycle")
# Walking ability sets the walking speed and the default walking limit (see matching.transport).
WALKING = ("normal", "slow", "limited", "wheelchair")
ACCESS_NEEDS = (
    "wheelchair", "step_free", "hearing", "bsl", "sight", "learning_disability", "autism",
    "dementia", "mental_health", "carer", "women_only",
)
TIMES = ("morning", "afternoon", "evening")
DELIVERY = ("in_person", "online", "phone")
SETTINGS = ("either", "group", "one_to_one")
GENDERS = ("female", "male", "other")
REFERRERS = ("self", "link_worker", "clinician")

_DAY_ALIASES = {code.lower(): code for code in DAYS}
_DAY_ALIASES.update({name.lower(): code for code, name in DAY_NAMES.items()})
_DAY_ALIASES.update({name[:3].lower(): code for code, name in DAY_NAMES.items()})
_DAY_ALIASES.update({name.lower() + "s": code for code, name in DAY_NAMES.items()})

MAX_TRAVEL_MINUTES = 240
MAX_WORDS = 2000  # characters per "what matters" entry: enough for a paragraph
MAX_ENTRIES = 20  # per list: each thing they said is ranked separately, so keep requests bounded


class ProfileError(ValueError):
    """A profile that cannot be used, with one plain message per field (``{"age": "..."}``)."""

    def __init__(self, errors: dict[str, str]):
        self.errors = dict(errors)
        super().__init__("; ".join(f"{k}: {v}" for k, v in self.errors.items()))


@dataclass
class Profile:
    """What a link worker learns in a "what matters to you" conversation, ready for matching.

    Empty lists mean "not said" (any day, any time); `None` means unknown. Coordinates are
    WGS84; when only a postcode is given the caller resolves it through the gazetteer.
    """

    what_matters: list[str] = field(default_factory=list)  # their own words, one per need
    categories: list[str] = field(default_factory=list)  # chosen taxonomy codes
    postcode: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    travel_modes: list[str] = field(default_factory=lambda: ["walk"])
    max_travel_minutes: int = 30  # the longest they will travel, door to door, one way
    walking: str = "normal"
    max_walk_metres: int | None = None  # None: the default for their walking ability
    step_free: bool = False  # needs step-free access at the venue
    fare_matters: bool = False  # a bus fare is a real barrier
    avoid_dark: bool = False  # will not travel after dark
    access_needs: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=lambda: ["English"])
    age: int | None = None
    gender: str | None = None
    days_free: list[str] = field(default_factory=list)  # day codes MO..SU; empty: any day
    times_free: list[str] = field(default_factory=list)  # morning/afternoon/evening; empty: any
    budget_per_session: float | None = None  # pounds; 0 means it must be free
    delivery: list[str] = field(default_factory=lambda: list(DELIVERY))  # acceptable formats
    setting: str = "either"  # group, one-to-one or either
    referrer: str | None = None  # who is referring: self, link worker, clinician

    # -- derived ---------------------------------------------------------------------------
    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    # -- JSON --------------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe dict; `from_dict(p.to_dict()) == p`."""
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str, known_categories: Iterable[str] | None = None) -> "Profile":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ProfileError({"profile": f"This is not valid JSON ({exc.msg} at line {exc.lineno})."}) from None
        return cls.from_dict(data, known_categories)

    @classmethod
    def from_dict(cls, data: Any, known_categories: Iterable[str] | None = None) -> "Profile":
        """Validate `data` and build a profile; raises `ProfileError` listing every bad field.

        `known_categories`, when given, are the taxonomy codes a chosen category must be one of.
        """
        if not isinstance(data, dict):
            raise ProfileError({"profile": "A profile must be a JSON object."})
        checker = _Checker(data)
        known = {f.name for f in fields(cls)}
        for key in data:
            if key not in known:
                checker.errors[str(key)] = "This is not a profile field."
        values = {
            "what_matters": checker.texts("what_matters"),
            "categories": checker.texts("categories"),
            "postcode": checker.postcode("postcode"),
            "latitude": checker.number("latitude", -90, 90),
            "longitude": checker.number("longitude", -180, 180),
            "travel_modes": checker.choices("travel_modes", TRAVEL_MODES, ["walk"]),
            "max_travel_minutes": checker.integer("max_travel_minutes", 1, MAX_TRAVEL_MINUTES, 30),
            "walking": checker.choice("walking", WALKING, "normal"),
            "max_walk_metres": checker.integer("max_walk_metres", 0, 20000, None),
            "step_free": checker.boolean("step_free"),
            "fare_matters": checker.boolean("fare_matters"),
            "avoid_dark": checker.boolean("avoid_dark"),
            "access_needs": checker.choices("access_needs", ACCESS_NEEDS, []),
            "languages": checker.texts("languages") or ["English"],
            "age": checker.integer("age", 0, 120, None),
            "gender": checker.choice("gender", GENDERS, None),
            "days_free": checker.days("days_free"),
            "times_free": checker.choices("times_free", TIMES, []),
            "budget_per_session": checker.number("budget_per_session", 0, 1000),
            "delivery": checker.choices("delivery", DELIVERY, list(DELIVERY)),
            "setting": checker.choice("setting", SETTINGS, "either"),
            "referrer": checker.choice("referrer", REFERRERS, None),
        }
        if (values["latitude"] is None) != (values["longitude"] is None) and "latitude" not in checker.errors \
                and "longitude" not in checker.errors:
            missing = "longitude" if values["longitude"] is None else "latitude"
            checker.errors[missing] = "Give both latitude and longitude, or neither."
        if not values["what_matters"] and not values["categories"] and not (
            {"what_matters", "categories"} & checker.errors.keys()
        ):
            checker.errors["what_matters"] = (
                "Say what matters to the person in their own words, or choose at least one category."
            )
        if known_categories is not None and "categories" not in checker.errors:
            known_set = set(known_categories)
            unknown = [c for c in values["categories"] if c not in known_set]
            if unknown:
                checker.errors["categories"] = f"Unknown category: {', '.join(unknown)}."
        if not values["delivery"] and "delivery" not in checker.errors:
            checker.errors["delivery"] = "Choose at least one of: in_person, online, phone."
        if checker.errors:
            raise ProfileError(checker.errors)
        return cls(**values)


class _Checker:
    """Reads one field at a time from untrusted input, collecting messages instead of raising."""

    def __init__(self, data: dict):
        self.data = data
        self.errors: dict[str, str] = {}

    def _get(self, name: str):
        return self.data.get(name)

    def texts(self, name: str) -> list[str]:
        value = self._get(name)
        if value is None:
            return []
        if isinstance(value, str):  # one phrase is a list of one
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.errors[name] = "This must be a list of text."
            return []
        if len(value) > MAX_ENTRIES:
            self.errors[name] = f"Give at most {MAX_ENTRIES} entries."
            return []
        if any(len(v) > MAX_WORDS for v in value):
            self.errors[name] = f"Each entry must be under {MAX_WORDS} characters."
            return []
        return [v.strip() for v in value if v.strip()]

    def postcode(self, name: str) -> str | None:
        value = self._get(name)
        if value in (None, ""):
            return None
        if not isinstance(value, str):
            self.errors[name] = "A postcode must be text, for example NE4 5PL."
            return None
        try:
            parts = parse_postcode(value)
        except ValidationError as exc:
            self.errors[name] = exc.message
            return None
        return parts.postcode or parts.sector or parts.district

    def number(self, name: str, low: float, high: float) -> float | None:
        value = self._get(name)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value != value:
            self.errors[name] = "This must be a number."
            return None
        if not low <= value <= high:
            self.errors[name] = f"This must be between {low:g} and {high:g}."
            return None
        return float(value)

    def integer(self, name: str, low: int, high: int, default):
        value = self._get(name)
        if value is None:
            return default
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.errors[name] = "This must be a whole number."
            return default
        if not low <= value <= high:
            self.errors[name] = f"This must be between {low} and {high}."
            return default
        return value

    def boolean(self, name: str) -> bool:
        value = self._get(name)
        if value is None:
            return False
        if not isinstance(value, bool):
            self.errors[name] = "This must be true or false."
            return False
        return value

    def choice(self, name: str, allowed: tuple[str, ...], default):
        value = self._get(name)
        if value in (None, ""):
            return default
        if not isinstance(value, str) or value.strip().lower() not in allowed:
            self.errors[name] = f"{value!r} is not one of: {', '.join(allowed)}."
            return default
        return value.strip().lower()

    def choices(self, name: str, allowed: tuple[str, ...], default: list[str]) -> list[str]:
        value = self._get(name)
        if value is None:
            return list(default)
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.errors[name] = f"This must be a list drawn from: {', '.join(allowed)}."
            return list(default)
        cleaned = [v.strip().lower() for v in value]
        bad = [v for v, c in zip(value, cleaned) if c not in allowed]
        if bad:
            self.errors[name] = f"{', '.join(map(repr, bad))} not one of: {', '.join(allowed)}."
            return list(default)
        return list(dict.fromkeys(cleaned))  # unique, order kept

    def days(self, name: str) -> list[str]:
        value = self._get(name)
        if value is None:
            return []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            self.errors[name] = "This must be a list of days, for example [\"MO\", \"TU\"]."
            return []
        codes = [_DAY_ALIASES.get(v.strip().lower()) for v in value]
        bad = [v for v, c in zip(value, codes) if c is None]
        if bad:
            self.errors[name] = f"{', '.join(map(repr, bad))} not a day of the week (MO..SU or Monday..Sunday)."
            return []
        return [d for d in DAYS if d in codes]  # week order
