"""Reading the demo directory's content files in ``data/demo/`` into checked, immutable values.

Everything is validated when it is read (unknown fields, venue kinds, accessibility codes,
languages, malformed schedule or price rules), so a typo in a TOML file fails loudly with the
file and template named instead of producing odd listings. No database here.
"""

from __future__ import annotations

import csv
import re
import tomllib
from dataclasses import dataclass, field
from datetime import time
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

from directory.errors import DirectoryError
from directory.schedules import parse_byday
from directory.vocab import ACCESSIBILITY_FEATURES, Gender, ReferralRoute

DATA_DIR = Path(__file__).resolve().parents[2] / "data" / "demo"
REMOTE_VENUES = ("phone", "online")
BOOKINGS = ("drop-in", "book", "referral", "appointment")
ROUTE_ORDER = tuple(r.value for r in ReferralRoute)  # self, link_worker, clinician

# Languages the content may name, with their ISO 639 codes (639-3 where 639-1 has none).
LANGUAGE_CODES = {
    "English": "en", "Arabic": "ar", "Bengali": "bn", "Chinese (Cantonese)": "yue",
    "Chinese (Mandarin)": "cmn", "Farsi": "fa", "Hindi": "hi", "Kurdish": "ku", "Polish": "pl",
    "Punjabi": "pa", "Romanian": "ro", "Somali": "so", "Tigrinya": "ti", "Ukrainian": "uk",
    "Urdu": "ur", "Gujarati": "gu",
}


class DemoContentError(DirectoryError):
    """A demo content file is malformed; the message names the file and the entry."""


@dataclass(frozen=True)
class Rule:
    """One schedule alternative of a template, parsed from e.g. ``"weekly TU 10:00-11:30 x8"``."""

    kind: str  # weekly | fortnightly | monthly | appointment
    byday: str | None = None
    opens: time | None = None
    closes: time | None = None
    weeks: int | None = None  # a course of this many weeks


@dataclass(frozen=True)
class Price:
    """One cost alternative: ``kind`` is free, donation, session, term, course or month."""

    kind: str
    amount: Decimal | None = None
    concession: Decimal | None = None


@dataclass(frozen=True)
class Template:
    """A kind of activity (see the header of ``activities/physical-activity.toml``)."""

    key: str  # "physical-activity.toml#3", for error messages and stable ordering
    code: str
    names: tuple[str, ...]
    descriptions: tuple[str, ...]
    expect: tuple[str, ...]
    when: tuple[Rule, ...]
    venues: tuple[str, ...]
    costs: tuple[Price, ...]
    ages: tuple[tuple[int | None, int | None], ...]
    referral: tuple[tuple[str, ...], ...]
    booking: tuple[str, ...]
    extra: tuple[str, ...] = ()
    weight: float = 1.0
    notes: tuple[str, ...] = ("",)
    hybrid: float = 0.0
    gender: tuple[str, ...] = ("any",)
    access: tuple[str, ...] = ()
    conditions: tuple[str, ...] = ("",)
    speaks: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    busy: bool = False
    run_by: tuple[str, ...] = ()  # kinds of organisation; empty: any kind that runs `code`

    @property
    def codes(self) -> tuple[str, ...]:
        return (self.code, *self.extra)


@dataclass(frozen=True)
class VenueKind:
    key: str
    names: tuple[str, ...]
    features: tuple[tuple[str, float], ...]
    description: tuple[str, ...]
    getting_there: tuple[str, ...]
    shared: bool


@dataclass(frozen=True)
class OrgKind:
    key: str
    runs: tuple[str, ...]
    names: tuple[str, ...]
    descriptions: tuple[str, ...]
    legal: tuple[str, ...]
    max_services: int
    scope: str  # local | region
    weight: float
    home: str | None = None


@dataclass(frozen=True)
class Area:
    """A neighbourhood of the Newcastle/Gateshead demo area (``newcastle-areas.csv``)."""

    name: str
    latitude: float
    longitude: float
    local_authority: str
    local_authority_code: str
    weight: float
    languages: tuple[str, ...]


@dataclass(frozen=True)
class Town:
    """An English town or city for the scaled-up demo (``england-towns.csv``)."""

    name: str
    region: str
    region_words: tuple[str, ...]
    latitude: float
    longitude: float
    population: int
    radius_km: float
    outward_codes: tuple[str, ...]
    phone_prefix: str
    demo_area: bool


@dataclass(frozen=True)
class Content:
    templates: tuple[Template, ...]
    venues: dict[str, VenueKind]
    org_kinds: dict[str, OrgKind]
    words: dict
    areas: tuple[Area, ...]
    towns: tuple[Town, ...]
    by_code: dict[str, tuple[Template, ...]] = field(default_factory=dict)

    def codes(self) -> list[str]:
        """Every taxonomy code a template files listings under, in file order."""
        seen: dict[str, None] = {}
        for template in self.templates:
            for code in template.codes:
                seen.setdefault(code, None)
        return list(seen)


_TEMPLATE_FIELDS = set(Template.__dataclass_fields__) - {"key"}


def _strings(where: str, value, *, allow_empty: bool = False) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DemoContentError(f"{where}: expected a list of strings, got {value!r}.")
    if not value and not allow_empty:
        raise DemoContentError(f"{where}: the list is empty.")
    return tuple(value)


_RULE = re.compile(
    r"^(weekly|fortnightly|monthly) (\S+) (\d\d):(\d\d)-(\d\d):(\d\d)(?: x(\d+))?$"
)


def parse_rule(where: str, text: str) -> Rule:
    """``"weekly TU 10:00-11:30"``, ``"monthly -1FR 10:00-12:00"``, ``"appointment"``..."""
    if text == "appointment":
        return Rule("appointment")
    match = _RULE.match(text)
    if not match:
        raise DemoContentError(f"{where}: {text!r} is not a schedule rule (see the file header).")
    kind, byday, h1, m1, h2, m2, weeks = match.groups()
    try:
        parts = parse_byday(byday)
        opens, closes = time(int(h1), int(m1)), time(int(h2), int(m2))
    except ValueError as exc:
        raise DemoContentError(f"{where}: {text!r}: {exc}") from None
    numbered = any(nth is not None for nth, _ in parts)
    if numbered != (kind == "monthly") or closes <= opens:
        raise DemoContentError(f"{where}: {text!r} mixes up numbered days and frequency, or ends before it starts.")
    return Rule(kind, byday, opens, closes, int(weeks) if weeks else None)


def parse_price(where: str, text: str) -> Price:
    """``"free"``, ``"donation 2"``, ``"session 4 concession 2.50"``, ``"month 12"``..."""
    words = text.split()
    kinds = ("free", "donation", "session", "term", "course", "month")
    try:
        if words == ["free"]:
            return Price("free")
        if len(words) == 2 and words[0] in kinds[1:]:
            return Price(words[0], Decimal(words[1]))
        if len(words) == 4 and words[0] in kinds[2:] and words[2] == "concession":
            return Price(words[0], Decimal(words[1]), Decimal(words[3]))
    except ArithmeticError:
        pass
    raise DemoContentError(f"{where}: {text!r} is not a price (see the file header).")


def parse_age(where: str, text: str) -> tuple[int | None, int | None]:
    """``"any"`` -> (None, None); ``"18+"`` -> (18, None); ``"40-74"`` -> (40, 74)."""
    if text == "any":
        return (None, None)
    if match := re.fullmatch(r"(\d+)\+", text):
        return (int(match.group(1)), None)
    if (match := re.fullmatch(r"(\d+)-(\d+)", text)) and int(match.group(1)) <= int(match.group(2)):
        return (int(match.group(1)), int(match.group(2)))
    raise DemoContentError(f"{where}: {text!r} is not an age range (any, 18+, 40-74).")


def _template(where: str, raw: dict, venue_kinds: set[str]) -> Template:
    unknown = set(raw) - _TEMPLATE_FIELDS
    if unknown:
        raise DemoContentError(f"{where}: unknown field(s) {', '.join(sorted(unknown))}.")
    for required in ("code", "names", "descriptions", "expect", "when", "venues", "costs", "ages", "referral", "booking"):
        if required not in raw:
            raise DemoContentError(f"{where}: the field {required!r} is missing.")
    venues = _strings(f"{where} venues", raw["venues"])
    for venue in venues:
        if venue not in venue_kinds and venue not in REMOTE_VENUES:
            raise DemoContentError(f"{where}: unknown venue kind {venue!r}.")
    genders = _strings(f"{where} gender", raw.get("gender", ["any"]))
    for gender in genders:
        if gender not in {g.value for g in Gender}:
            raise DemoContentError(f"{where}: unknown gender {gender!r}.")
    access = _strings(f"{where} access", raw.get("access", []), allow_empty=True)
    for code in access:
        if code not in ACCESSIBILITY_FEATURES:
            raise DemoContentError(f"{where}: unknown accessibility code {code!r}.")
    routes = []
    for text in _strings(f"{where} referral", raw["referral"]):
        parts = text.split("+")
        if not all(p in ROUTE_ORDER for p in parts):
            raise DemoContentError(f"{where}: unknown referral route in {text!r}.")
        routes.append(tuple(r for r in ROUTE_ORDER if r in parts))
    booking = _strings(f"{where} booking", raw["booking"])
    if not set(booking) <= set(BOOKINGS):
        raise DemoContentError(f"{where}: booking must be one of {', '.join(BOOKINGS)}.")
    languages = _strings(f"{where} languages", raw.get("languages", []), allow_empty=True)
    speaks = _strings(f"{where} speaks", raw.get("speaks", []), allow_empty=True)
    for language in languages + speaks:
        if language not in LANGUAGE_CODES:
            raise DemoContentError(f"{where}: no ISO code is known for the language {language!r}.")
    texts = {key: _strings(f"{where} {key}", raw[key]) for key in ("names", "descriptions", "expect")}
    if any(v in REMOTE_VENUES for v in venues):
        for key, values in texts.items():
            if any("{venue}" in v for v in values):
                raise DemoContentError(f"{where}: {key} mention {{venue}} but some listings have no venue.")
    return Template(
        key=where,
        code=raw["code"],
        extra=_strings(f"{where} extra", raw.get("extra", []), allow_empty=True),
        weight=float(raw.get("weight", 1.0)),
        when=tuple(parse_rule(f"{where} when", t) for t in _strings(f"{where} when", raw["when"])),
        notes=_strings(f"{where} notes", raw.get("notes", [""])),
        venues=venues,
        hybrid=float(raw.get("hybrid", 0.0)),
        costs=tuple(parse_price(f"{where} costs", t) for t in _strings(f"{where} costs", raw["costs"])),
        ages=tuple(parse_age(f"{where} ages", t) for t in _strings(f"{where} ages", raw["ages"])),
        gender=genders,
        referral=tuple(routes),
        booking=booking,
        access=access,
        conditions=_strings(f"{where} conditions", raw.get("conditions", [""])),
        speaks=speaks,
        languages=languages,
        busy=bool(raw.get("busy", False)),
        run_by=_strings(f"{where} run_by", raw.get("run_by", []), allow_empty=True),
        **texts,
    )


def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as exc:
        raise DemoContentError(f"{path.name}: {exc}") from None


def _venues(path: Path) -> dict[str, VenueKind]:
    kinds = {}
    for key, raw in _read_toml(path)["venue"].items():
        where = f"{path.name} [venue.{key}]"
        features = tuple(sorted(raw.get("features", {}).items()))
        for code, chance in features:
            if code not in ACCESSIBILITY_FEATURES or not 0 <= chance <= 1:
                raise DemoContentError(f"{where}: bad feature {code!r} = {chance!r}.")
        kinds[key] = VenueKind(
            key=key,
            names=_strings(f"{where} names", raw["names"]),
            features=features,
            description=_strings(f"{where} description", raw["description"]),
            getting_there=_strings(f"{where} getting_there", raw["getting_there"]),
            shared=bool(raw.get("shared", True)),
        )
    return kinds


def _org_kinds(path: Path, venue_kinds: dict) -> dict[str, OrgKind]:
    kinds = {}
    for key, raw in _read_toml(path)["kind"].items():
        where = f"{path.name} [kind.{key}]"
        home = raw.get("home")
        if home is not None and home not in venue_kinds:
            raise DemoContentError(f"{where}: unknown home venue kind {home!r}.")
        if raw.get("scope") not in ("local", "region"):
            raise DemoContentError(f"{where}: scope must be 'local' or 'region'.")
        kinds[key] = OrgKind(
            key=key,
            runs=tuple(dict.fromkeys(_strings(f"{where} runs", raw["runs"]))),
            names=_strings(f"{where} names", raw["names"]),
            descriptions=_strings(f"{where} descriptions", raw["descriptions"]),
            legal=_strings(f"{where} legal", raw["legal"]),
            max_services=int(raw["max_services"]),
            scope=raw["scope"],
            weight=float(raw.get("weight", 1.0)),
            home=home,
        )
    return kinds


def _areas(path: Path) -> tuple[Area, ...]:
    with path.open(newline="", encoding="utf-8") as handle:
        return tuple(
            Area(
                name=row["name"],
                latitude=float(row["latitude"]),
                longitude=float(row["longitude"]),
                local_authority=row["local_authority"],
                local_authority_code=row["local_authority_code"],
                weight=float(row["weight"]),
                languages=tuple(x for x in row["languages"].split("|") if x),
            )
            for row in csv.DictReader(handle)
        )


def _towns(path: Path) -> tuple[Town, ...]:
    with path.open(newline="", encoding="utf-8") as handle:
        return tuple(
            Town(
                name=row["name"],
                region=row["region"],
                region_words=tuple(row["region_words"].split("|")),
                latitude=float(row["latitude"]),
                longitude=float(row["longitude"]),
                population=int(row["population"]),
                radius_km=float(row["radius_km"]),
                outward_codes=tuple(row["outward_codes"].split()),
                phone_prefix=row["phone_prefix"],
                demo_area=row["demo_area"] == "1",
            )
            for row in csv.DictReader(handle)
        )


@lru_cache(maxsize=4)
def load_content(data_dir: Path = DATA_DIR) -> Content:
    """Read and check every content file under `data_dir` (cached: the files are read once)."""
    venues = _venues(data_dir / "venues.toml")
    templates: list[Template] = []
    for path in sorted((data_dir / "activities").glob("*.toml")):
        for number, raw in enumerate(_read_toml(path).get("template", []), start=1):
            templates.append(_template(f"{path.name}#{number}", raw, set(venues)))
    org_kinds = _org_kinds(data_dir / "organisations.toml", venues)
    areas = _areas(data_dir / "newcastle-areas.csv")
    for area in areas:
        for language in area.languages:
            if language not in LANGUAGE_CODES:
                raise DemoContentError(f"newcastle-areas.csv {area.name}: unknown language {language!r}.")
    by_code: dict[str, list[Template]] = {}
    for template in templates:
        by_code.setdefault(template.code, []).append(template)
    for template in templates:
        if not [k for k in org_kinds.values() if template.code in k.runs and (not template.run_by or k.key in template.run_by)]:
            raise DemoContentError(f"{template.key}: no kind of organisation in organisations.toml runs it.")
    return Content(
        templates=tuple(templates),
        venues=venues,
        org_kinds=org_kinds,
        words=_read_toml(data_dir / "words.toml"),
        areas=areas,
        towns=_towns(data_dir / "england-towns.csv"),
        by_code={code: tuple(ts) for code, ts in by_code.items()},
    )
