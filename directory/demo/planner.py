"""The seeded plan of the demo directory: which organisations run what, where and when.

`Planner.records()` yields `OrgRecord`, `VenueRecord` and `ServiceRecord` values in a fixed
order. Every choice comes from one `random.Random` seeded with the demo seed (ids come from a
second stream, see `records.Ids`), and every date from the reference date, so the same seed and
content files always give the same plan. No database access here.
"""

from __future__ import annotations

import math
import random
import re
from bisect import bisect
from functools import lru_cache
from datetime import date, time, timedelta
from decimal import Decimal
from itertools import accumulate
from typing import Iterator

from directory.demo.content import LANGUAGE_CODES, REMOTE_VENUES, Content, Price, Rule, Template
from directory.demo.geography import Geography, Locality, TownPlace
from directory.demo.records import (
    CVS_SOURCE,
    DEMO_SOURCE,
    OPENACTIVE_SOURCE,
    Clock,
    Ids,
    OrgRecord,
    OrgState,
    ServiceRecord,
    VenueRecord,
    VenueState,
)
from directory.vocab import ACCESSIBILITY_FEATURES, DAY_NAMES

# About three listings per organisation: the issue asks for 400+ activities from 120+ groups.
ORG_RATIO = 0.31
DUPLICATE_SHARE = 0.015  # deliberate duplicate pairs, as a share of all listings
STALE_SHARE = 0.10  # last verified more than a year ago
NEVER_VERIFIED_SHARE = 0.03
FREEPHONE = "0808 157 0"  # Ofcom's drama range for 0808 numbers
WEEKDAYS = ("MO", "TU", "WE", "TH", "FR")
OUTDOOR = {"park", "nature-reserve", "allotment", "fishing-pond", "community-garden"}
RESIDENCY_LIKELY = {"welfare-benefits", "debt-advice", "housing-advice", "money-housing", "carers-support", "befriending", "food-banks", "social-connection"}
DUPLICATE_BRANCHES = ("physical-activity", "nature-gardening")  # what OpenActive feeds publish
CAPACITY = {  # (status, weight) for ordinary groups and for ones that are often oversubscribed
    False: (("open", 72), ("limited", 10), ("full", 4), ("waiting_list", 4), ("unknown", 10)),
    True: (("open", 45), ("limited", 15), ("full", 10), ("waiting_list", 22), ("unknown", 8)),
}
ACCESS_PHRASES = {
    "step-free": "Level access at the main entrance.",
    "wheelchair-accessible": "Wheelchair accessible throughout.",
    "accessible-toilet": "Accessible toilet.",
    "changing-places": "Changing Places toilet with a hoist and bench.",
    "hearing-loop": "Hearing loop in the main room.",
    "lift": "Lift to all floors.",
    "parking": "Parking on site.",
    "blue-badge-parking": "Blue Badge bays by the door.",
    "quiet-space": "A quiet room is available if you need a break.",
    "near-bus-stop": "Bus stop close by.",
}
CONCESSIONS = ("People on benefits, carers and students", "Over-60s, students and people on benefits", "People on a low income")


def slugify(text: str, limit: int = 40) -> str:
    """``"St Mary's Church, Heaton"`` -> ``"st-marys-church-heaton"``."""
    text = text.lower().replace("'", "").replace("&", "and")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")[:limit].strip("-")


def money(amount: Decimal) -> str:
    """``Decimal("4")`` -> ``"£4"``; ``Decimal("2.5")`` -> ``"£2.50"``."""
    return f"£{amount:.0f}" if amount == amount.to_integral_value() else f"£{amount:.2f}"


@lru_cache(maxsize=1024)
def _tagged(texts: tuple[str, ...], gender: str) -> list[str]:
    """Texts for a listing of `gender`: untagged ones, plus those tagged "@<gender>"; a
    single-gender listing prefers texts tagged for it."""
    fitting, own = [], []
    for text in texts:
        body, _, tag = text.rpartition("@") if re.search(r"@(male|female|any)$", text) else (text, "", "")
        if not tag:
            fitting.append(body)
        elif tag == gender:
            own.append(body)
    return own if own and gender != "any" else (fitting or own)


class Planner:
    """Plans `listings` listings for one geography; iterate `records()` once."""

    def __init__(self, content: Content, geography: Geography, *, listings: int, seed: int, as_of: date, parents: dict[str, str | None]):
        """`parents` maps every taxonomy code in the database to its parent code (or None)."""
        self.content, self.geo, self.listings, self.seed = content, geography, listings, seed
        self.parents = parents
        codes = set(parents)
        self.rng = random.Random(f"wayfinder-demo:{seed}")
        self.ids = Ids(seed)
        self.clock = Clock(as_of)
        self.words = content.words
        self.templates = [t for t in content.templates if set(t.codes) <= codes]
        self._tpl_cum = list(accumulate(t.weight for t in self.templates))
        self.kinds_for = {
            t.key: [k for k in content.org_kinds.values() if t.code in k.runs and (not t.run_by or k.key in t.run_by)]
            for t in self.templates
        }
        self.orgs: list[OrgState] = []
        self.primary_orgs = 0
        self.open: dict[tuple[str, str], list[OrgState]] = {}
        self.venues: dict[tuple, list[VenueState]] = {}
        self.org_names: set[tuple[str, str]] = set()
        self.venue_names: set[tuple[str, str]] = set()
        self.service_names: set[tuple[str, str]] = set()
        self.duplicate_pairs: list[tuple[str, str]] = []

    # -- the plan ------------------------------------------------------------------------

    def _template_plan(self) -> Iterator[Template]:
        """Every taxonomy code a few times first (so even a small demo covers them all), then
        weighted draws, in a shuffled order; endless, the caller stops it."""
        all_codes = {code for t in self.templates for code in t.codes}
        per_code = 3 if self.listings >= 6 * len(all_codes) else 1 if self.listings >= 2 * len(all_codes) else 0
        by_code: dict[str, list[Template]] = {}
        for template in self.templates:
            for code in template.codes:
                by_code.setdefault(code, []).append(template)
        first = [self.rng.choices(ts, weights=[t.weight for t in ts])[0] for ts in by_code.values() for _ in range(per_code)]
        first += [self._weighted_template() for _ in range(max(0, self.listings - len(first)))]
        self.rng.shuffle(first)
        yield from first
        while True:
            yield self._weighted_template()

    def _weighted_template(self) -> Template:
        return self.templates[bisect(self._tpl_cum, self.rng.random() * self._tpl_cum[-1])]

    def records(self) -> Iterator[OrgRecord | VenueRecord | ServiceRecord]:
        """Organisations and venues are yielded before the first listing that uses them."""
        pairs_wanted = 0 if self.listings < 40 else max(3, round(self.listings * DUPLICATE_SHARE))
        spacing = self.listings / (pairs_wanted + 1) if pairs_wanted else math.inf
        next_pair_at = spacing
        produced = 0
        from directory.demo.duplicates import build_twin

        for template in self._template_plan():
            if produced >= self.listings:
                return
            pending: list = []
            record = self._service(produced + 1, template, pending)
            twin, twin_pending = None, []
            if (
                len(self.duplicate_pairs) < pairs_wanted
                and produced + 1 >= next_pair_at
                and produced + 2 <= self.listings
                and record.venue is not None
                and any(self._in_branch(code, DUPLICATE_BRANCHES) for code in record.codes)
            ):
                # Built before the original is handed over: it adds a source record to it.
                twin = build_twin(self, record, produced + 2, twin_pending)
                next_pair_at += spacing
            yield from pending
            yield record
            produced += 1
            if twin is not None:
                yield from twin_pending
                yield twin
                produced += 1

    def _in_branch(self, code: str | None, roots: tuple[str, ...]) -> bool:
        while code is not None:
            if code in roots:
                return True
            code = self.parents.get(code)
        return False

    # -- organisations -------------------------------------------------------------------

    def _org_for(self, number: int, template: Template, pending: list) -> OrgState:
        town = self.geo.pick_town(self.rng)
        if self.primary_orgs >= math.ceil(number * ORG_RATIO):
            # Reuse an organisation with room for another listing. A random pick with
            # swap-removal of full ones keeps this O(1) when a city has thousands of groups.
            candidates = self.open.get((town.name, template.code), [])
            for _ in range(8):
                if not candidates:
                    break
                index = self.rng.randrange(len(candidates))
                if candidates[index].full:
                    candidates[index] = candidates[-1]
                    candidates.pop()
                elif not template.run_by or candidates[index].kind.key in template.run_by:
                    return candidates[index]
        kinds = self.kinds_for[template.key]
        kind = self.rng.choices(kinds, weights=[k.weight for k in kinds])[0]
        org = self.new_org(kind, town, town.pick_locality(self.rng), pending)
        self.primary_orgs += 1
        for code in kind.runs:
            self.open.setdefault((town.name, code), []).append(org)
        return org

    def new_org(self, kind, town: TownPlace, loc: Locality, pending: list, name: str | None = None) -> OrgState:
        rng = self.rng
        if name is None:
            for _ in range(8):
                name = self._fill(rng.choice(kind.names), loc)
                if (town.name, name.lower()) not in self.org_names:
                    break
            else:
                name = f"{name} ({loc.name})" if loc.name not in name else f"{name} {len(self.orgs)}"
        self.org_names.add((town.name, name.lower()))
        slug = slugify(name)
        words = name.replace("'s", "").split()
        created = self.clock.moment(rng, rng.randint(300, 2500))
        row = {
            "id": self.ids.new(),
            "name": name,
            "alternate_name": "".join(w[0] for w in words if w[0].isupper()) if len(words) >= 3 and rng.random() < 0.3 else None,
            "description": self._fill(rng.choice(kind.descriptions), loc, year=rng.randint(1975, self.clock.as_of.year - 2)),
            "email": f"{slug.replace('-', '')[:30]}@example.org",
            "phone": self.phone(town),
            "website": f"https://example.org/{slug}",
            "legal_status": rng.choice(kind.legal),
            "year_incorporated": rng.randint(1975, self.clock.as_of.year - 1),
            "created_at": created,
            "updated_at": max(created, self.clock.moment(rng, rng.randint(0, 300))),
        }
        org = OrgState(row["id"], kind, town, loc, row, slug=slug)
        self.orgs.append(org)
        pending.append(OrgRecord(row))
        return org

    # -- text helpers ---------------------------------------------------------------------

    def _fill(self, pattern: str, loc: Locality, **extra) -> str:
        """Fill a pattern's placeholders; random words are only drawn for the ones it uses."""
        if "{" not in pattern:
            return pattern
        return pattern.format_map(_Words(self, loc, extra))

    def phone(self, town: TownPlace, freephone: bool = False) -> str:
        # Every prefix is an Ofcom drama range missing its last three digits ("0191 498 0").
        prefix = FREEPHONE if freephone else town.phone_prefix
        return f"{prefix}{self.rng.randrange(1000):03d}"

    # -- venues ---------------------------------------------------------------------------

    def _venue(self, org: OrgState, loc: Locality, kind: str, pending: list) -> VenueState:
        shared = self.content.venues[kind].shared
        if kind == org.kind.home:
            key = ("home", org.id, loc.name)  # an organisation's own building
        elif shared:
            key = ("shared", loc.town.name, loc.name, kind)
        else:
            key = ("own", org.id, kind)  # an allotment or workshop belongs to one group
        existing = self.venues.get(key)
        if existing and (key[0] != "shared" or self.rng.random() < 0.6):
            return self.rng.choice(existing)
        venue = self.new_venue(loc, kind, pending)
        self.venues.setdefault(key, []).append(venue)
        if key[0] == "home" and shared:  # other groups hire the hall too
            self.venues.setdefault(("shared", loc.town.name, loc.name, kind), []).append(venue)
        return venue

    def new_venue(self, loc: Locality, kind: str, pending: list, *, point=None, name: str | None = None) -> VenueState:
        rng, words = self.rng, self.words
        vk = self.content.venues[kind]
        street = rng.choice(words["street_names"])
        street_full = f"{street} {rng.choice(words['street_types'])}"
        if name is None:
            for _ in range(8):
                name = self._fill(rng.choice(vk.names), loc, street=street)
                if (loc.town.name, name.lower()) not in self.venue_names:
                    break
            else:
                name = f"{name}, {loc.name}" if loc.name not in name else f"{name} ({street_full})"
        self.venue_names.add((loc.town.name, name.lower()))
        postcode, lat, lon = point or self.geo.venue_point(rng, loc)
        features = [code for code, chance in vk.features if rng.random() < chance]
        features = _consistent_access(features)
        stops = [w for w in words["bus_stops"] if w != "Metro" or loc.town.la_code]
        buses = sorted(rng.sample(range(1, 100), rng.randint(1, 3)))
        bus_text = ", ".join(map(str, buses[:-1])) + (" and " if len(buses) > 1 else "") + str(buses[-1])
        phrases = dict(ACCESS_PHRASES, **({"step-free": "Flat, surfaced paths."} if kind in OUTDOOR else {}))
        details = [phrases[c] for c in features if c in phrases][:4]
        if "step-free" not in features and kind not in OUTDOOR:
            details.insert(0, rng.choice(("There are three steps at the main entrance.", "No level access at the moment - please ring ahead.", "Two steps up to the door; staff can help.")))
        row = {
            "id": self.ids.new(),
            "location_type": "physical",
            "name": name,
            "description": rng.choice(vk.description),
            "transportation": rng.choice(vk.getting_there).format(bus=bus_text, stop=f"{loc.name} {rng.choice(stops)}", street=street_full),
            "latitude": lat,
            "longitude": lon,
            "address_1": street_full if kind in OUTDOOR else f"{rng.randint(1, 240)} {street_full}",
            "address_2": loc.name if loc.name != loc.town.name else None,
            "city": loc.town.name,
            "region": loc.town.region,
            "postal_code": postcode,
            "country": "GB",
            "accessibility": features,
            "accessibility_details": " ".join(details) or None,
        }
        venue = VenueState(row["id"], kind, loc, row)
        pending.append(VenueRecord(row))
        return venue

    # -- one listing ----------------------------------------------------------------------

    def _service(self, number: int, template: Template, pending: list) -> ServiceRecord:
        rng, clock = self.rng, self.clock
        org = self._org_for(number, template, pending)
        org.count += 1
        loc = org.locality if org.kind.scope == "local" else org.town.pick_locality(rng)
        kinds = list(template.venues)
        if org.kind.home in kinds and rng.random() < 0.7:
            venue_kind = org.kind.home
        else:
            venue_kind = rng.choice(kinds)
        venue = None if venue_kind in REMOTE_VENUES else self._venue(org, loc, venue_kind, pending)
        if venue is not None:
            loc = venue.locality
        modes = [venue_kind] if venue is None else ["in_person"] + (["online"] if rng.random() < template.hybrid else [])
        rule = rng.choice(template.when)
        schedules, day = self._schedules(rule, template, venue)
        gender = rng.choice(template.gender)
        context = {"venue": venue.short_name if venue else "", "day": day or "Weekly", "org": org.row["name"]}
        name = self._unique_name(template, gender, loc, context, org)
        description = self._fill(rng.choice(_tagged(template.descriptions, gender)), loc, **context)
        expect = self._fill(rng.choice(_tagged(template.expect, gender)), loc, **context)
        low, high = rng.choice(template.ages)
        routes = list(rng.choice(template.referral))
        booking = rng.choice(template.booking)
        if "self" not in routes:
            booking = "referral"
        elif booking == "referral":
            booking = "book"
        phone = self.phone(org.town, freephone=venue_kind == "phone" and rng.random() < 0.6)
        contact = self._contact(org.town, phone)
        email = org.row["email"] if rng.random() < 0.7 or not contact else contact["email"]
        application = rng.choice(self.words["application"][booking]).format(phone=phone, email=email)
        access = [c for c in template.access if rng.random() < 0.5 or (c == "women-only-sessions" and gender == "female")]
        costs, fees = self._costs(rng.choice(template.costs))
        languages, interpretation = self._languages(template, loc, venue is not None)
        areas = self._areas(template, org.town, loc, venue is None)
        status, capacity = self._capacity(template)
        assured, created = self._verification()
        conditions = rng.choice(template.conditions) or None
        eligibility = _eligibility(low, high, gender, areas)
        stated_at = capacity.get("capacity_stated_at")
        modified = max(d for d in (created, stated_at, assured and clock.moment(rng, (clock.as_of - assured).days)) if d)
        service = {
            "id": self.ids.new(),
            "organization_id": org.id,
            "name": name,
            "description": description,
            "what_to_expect": expect,
            "url": f"{org.row['website']}/{slugify(name)}" if rng.random() < 0.4 else None,
            "email": email,
            "phone": phone,
            "status": "temporarily closed" if rng.random() < 0.015 else "active",
            "interpretation_services": interpretation,
            "application_process": application,
            "fees_description": fees,
            "eligibility_description": eligibility,
            "minimum_age": low,
            "maximum_age": high,
            "gender": gender,
            "conditions": conditions,
            "delivery_modes": modes,
            "referral_routes": routes,
            "accessibility": _consistent_access(access),
            "assured_date": assured,
            "assurer_email": (rng.choice(("verify", "data", "linkworkers")) + "@example.org") if assured else None,
            "moderation_status": "pending" if rng.random() < 0.01 else "published",
            "created_at": created,
            "last_modified": modified,
            **capacity,
        }
        if service["status"] != "active":
            service["alert"] = rng.choice(("Temporarily closed while we look for a new venue.", "Closed for a few weeks while the hall is refurbished.", "Paused while we recruit new volunteers."))
        record = ServiceRecord(number, service, org, venue, template.codes, schedules=schedules, costs=costs,
                               languages=languages, contacts=[contact] if contact else [], areas=areas, template_key=template.key)
        self._provenance(record)
        return record

    def _unique_name(self, template: Template, gender: str, loc: Locality, context: dict, org: OrgState) -> str:
        names = _tagged(template.names, gender)
        name = ""
        for pattern in self.rng.sample(names, len(names)):
            name = self._fill(pattern, loc, **context)
            if (loc.town.name, name.lower()) not in self.service_names:
                break
        else:
            for candidate in (f"{name} ({org.row['name']})", f"{name} ({context['day']}, {loc.name})"):
                if (loc.town.name, candidate.lower()) not in self.service_names:
                    name = candidate
                    break
            else:
                name = f"{name} ({context['day']}, {loc.name}) {len(self.service_names)}"
        self.service_names.add((loc.town.name, name.lower()))
        return name

    def _contact(self, town: TownPlace, phone: str) -> dict | None:
        rng, words = self.rng, self.words
        if rng.random() < 0.12:
            return None
        first, last = rng.choice(words["first_names"]), rng.choice(words["surnames"])
        return {
            "id": self.ids.new(),
            "name": f"{first} {last}",
            "title": rng.choice(words["contact_titles"]),
            "email": f"{first}.{last}@example.org".lower(),
            "phone": phone if rng.random() < 0.6 else self.phone(town),
        }

    def _schedules(self, rule: Rule, template: Template, venue: VenueState | None) -> tuple[list[dict], str | None]:
        rng, clock = self.rng, self.clock
        notes = rng.choice(template.notes) or None
        if rule.kind == "appointment":
            return [{"id": self.ids.new(), "by_appointment": True, "notes": notes, "location_id": venue and venue.id}], None
        byday = rule.byday
        if rule.kind != "monthly" and byday in WEEKDAYS and rng.random() < 0.3:
            byday = rng.choice(WEEKDAYS)  # the same kind of group meets on different days
        shift = rng.choice((0, 0, 0, 30, -30)) if rule.closes < time(21) and rule.opens > time(8, 30) else 0
        opens = _shift(rule.opens, shift)
        closes = _shift(rule.closes, shift)
        first_day = byday.split(",")[0].lstrip("-0123456789")
        row = {
            "id": self.ids.new(), "freq": "MONTHLY" if rule.kind == "monthly" else "WEEKLY",
            "interval": 2 if rule.kind == "fortnightly" else 1, "byday": byday, "opens_at": opens,
            "closes_at": closes, "notes": notes, "location_id": venue and venue.id,
        }
        if rule.weeks:  # a course: dated, starting recently or soon
            start = _next_weekday(clock.day(rng.randint(-50, 40)), first_day)
            row.update(valid_from=start, valid_to=start + timedelta(weeks=rule.weeks - 1), dtstart=start)
        elif rule.kind == "fortnightly":
            row["dtstart"] = _next_weekday(clock.day(rng.randint(0, 13)), first_day)
        if not rule.weeks and rng.random() < 0.15:
            row["valid_from"] = clock.day(rng.randint(100, 2000))  # "running since"
        if not rule.weeks and rng.random() < 0.05:
            row["valid_to"] = clock.day(-rng.randint(60, 400))  # funded until
        return [row], DAY_NAMES[first_day]

    def _costs(self, price: Price) -> tuple[list[dict], str | None]:
        if self.rng.random() < 0.03:
            return [], None  # the source did not say
        new = self.ids.new
        if price.kind == "free":
            return [{"id": new(), "option": "Free", "amount": Decimal("0"), "amount_description": "Free"}], "Free."
        if price.kind == "donation":
            note = f"Donations welcome (suggested {money(price.amount)})"
            return [{"id": new(), "option": "Free", "amount": Decimal("0"), "amount_description": note}], f"Free - {note[0].lower()}{note[1:]}."
        unit = {"session": ("Per session", "a session"), "term": ("Per term", "a term"), "course": ("Whole course", "for the course"), "month": ("Per month", "a month")}[price.kind]
        rows = [{"id": new(), "option": unit[0], "amount": price.amount, "amount_description": None}]
        fees = f"{money(price.amount)} {unit[1]}"
        if price.concession is not None:
            if price.concession == 0:
                rows.append({"id": new(), "option": "Concessions", "amount": Decimal("0"), "amount_description": "Free for people on benefits"})
                fees += ", free if you are on benefits"
            else:
                rows.append({"id": new(), "option": "Concessions", "amount": price.concession, "amount_description": self.rng.choice(CONCESSIONS)})
                fees += f" ({money(price.concession)} concessions)"
        return rows, fees + "."

    def _languages(self, template: Template, loc: Locality, in_person: bool) -> tuple[list[dict], str | None]:
        rng = self.rng
        others = list(template.speaks)
        if template.languages and rng.random() < 0.3:
            others.append(rng.choice(template.languages))
        if in_person and loc.languages and rng.random() < 0.2:
            others.append(rng.choice(loc.languages))
        others = list(dict.fromkeys(o for o in others if o != "English"))
        rows = [{"id": self.ids.new(), "name": "English", "code": "en", "note": None}]
        for language in others:
            note = rng.choice((f"Volunteers speak {language}", f"Sessions are partly in {language}", None))
            rows.append({"id": self.ids.new(), "name": language, "code": LANGUAGE_CODES[language], "note": note})
        if others:
            spoken = ", ".join(others[:-1]) + (" and " if len(others) > 1 else "") + others[-1]
            return rows, f"Staff and volunteers speak {spoken} as well as English."
        if rng.random() < 0.08:
            return rows, "Interpreters can be arranged - please ask when you get in touch."
        return rows, None

    def _areas(self, template: Template, town: TownPlace, loc: Locality, remote: bool) -> list[dict]:
        rng = self.rng
        if rng.random() >= (0.25 if template.code in RESIDENCY_LIKELY else 0.05):
            return []
        if remote or rng.random() < 0.6:
            name, extent, words = f"{town.name} residents only", self.geo.town_area(town), town.name
        else:
            name, extent, words = f"{loc.name} residents", self.geo.locality_area(loc), f"{loc.name} and nearby"
        return [{"id": self.ids.new(), "name": name, "description": f"For people who live in {words}.", "extent": extent, "residents_only": True}]

    def _capacity(self, template: Template) -> tuple[str, dict]:
        rng, clock = self.rng, self.clock
        choices = CAPACITY[template.busy]
        status = rng.choices([c for c, _ in choices], weights=[w for _, w in choices])[0]
        if status == "unknown":
            return status, {"capacity_status": status}
        stated_days = rng.randint(0, 150)
        stated = clock.moment(rng, stated_days)
        lasts = {"open": (120, 365), "limited": (30, 90), "full": (30, 120), "waiting_list": (60, 180)}[status]
        expires = stated + timedelta(days=rng.randint(*lasts)) if status != "open" or rng.random() < 0.5 else None
        note = rng.choice(self.words["capacity_notes"][status]) or None
        return status, {"capacity_status": status, "capacity_note": note, "capacity_stated_at": stated, "capacity_expires_at": expires}

    def _verification(self):
        """(assured date, created at): most checked this year, ~10% over a year ago, a few never."""
        rng, clock = self.rng, self.clock
        draw = rng.random()
        if draw < NEVER_VERIFIED_SHARE:
            return None, clock.moment(rng, rng.randint(400, 1500))
        days = rng.randint(370, 1100) if draw < NEVER_VERIFIED_SHARE + STALE_SHARE else rng.randint(0, 330)
        assured = clock.day(days)
        return assured, clock.moment(rng, days + rng.randint(0, 700))

    def _provenance(self, record: ServiceRecord) -> None:
        rng, service = self.rng, record.service
        modified = service["last_modified"].isoformat()
        record.sources.append((DEMO_SOURCE, f"demo-{self.seed}-{record.number:06d}", modified))
        if record.twin_of is None:
            if rng.random() < 0.15:
                record.sources.append((CVS_SOURCE, f"CVS-{self.ids.hex()}", modified))
            if rng.random() < 0.2 and any(self._in_branch(c, ("physical-activity",)) for c in record.codes):
                record.sources.append((OPENACTIVE_SOURCE, f"https://example.org/openactive/session-series/{self.ids.new()}", str(int(service["last_modified"].timestamp() * 1000))))
        if service["assured_date"] is not None:
            record.verification = {
                "id": self.ids.new(), "verified_by": service["assurer_email"],
                "verified_at": self.clock.moment(rng, (self.clock.as_of - service["assured_date"]).days),
                "method": rng.choice(("phone", "portal", "email", "visit")),
            }


class _Words(dict):
    """Placeholder values for `Planner._fill`, drawn on first use (in the pattern's order)."""

    def __init__(self, planner: Planner, loc: Locality, extra: dict):
        super().__init__(extra)
        self.planner, self.loc = planner, loc

    def __missing__(self, key: str) -> str:
        rng, words, loc = self.planner.rng, self.planner.words, self.loc
        if key == "area":
            value = loc.name
        elif key == "town":
            value = loc.town.name
        elif key == "region":
            value = rng.choice(loc.town.region_words)
        elif key in ("saint", "tree", "cafe", "mosque"):
            value = rng.choice(words[{"saint": "saints", "tree": "trees", "cafe": "cafes", "mosque": "mosques"}[key]])
        elif key == "street":
            value = rng.choice(words["street_names"])
        else:
            raise KeyError(key)
        self[key] = value
        return value


def _consistent_access(codes: list[str]) -> list[str]:
    # A venue that is wheelchair accessible is step-free; a Changing Places toilet is also an
    # accessible toilet; Blue Badge bays mean there is parking. Keep the vocabulary's order.
    found = set(codes)
    if "wheelchair-accessible" in found:
        found.add("step-free")
    if "changing-places" in found:
        found.add("accessible-toilet")
    if "blue-badge-parking" in found:
        found.add("parking")
    return [c for c in ACCESSIBILITY_FEATURES if c in found]


def _eligibility(low, high, gender: str, areas: list[dict]) -> str | None:
    parts = []
    if low is not None and high is not None:
        parts.append(f"Ages {low} to {high}.")
    elif low is not None:
        parts.append("Adults aged 18 and over." if low == 18 else f"Ages {low} and over.")
    if gender != "any":
        parts.append("Women only." if gender == "female" else "Men only.")
    for area in areas:
        parts.append(area["description"])
    return " ".join(parts) or None


def _shift(value: time, minutes: int) -> time:
    total = value.hour * 60 + value.minute + minutes
    return time(total // 60, total % 60)


def _next_weekday(start: date, day: str) -> date:
    target = ("MO", "TU", "WE", "TH", "FR", "SA", "SU").index(day)
    return start + timedelta(days=(target - start.weekday()) % 7)
