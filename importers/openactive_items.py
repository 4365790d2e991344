"""Turning one RPDE item into directory records, repairing what real publishers get wrong.

What a listing is: the thing a person would sign up to week after week - a SessionSeries,
EventSeries, FacilityUse, CourseInstance, or a standalone Event. Its dated sessions
(ScheduledSession, Slot, `subEvent`) are occurrences: they tell us when it runs. So

* SessionSeries with embedded `subEvent`      -> one listing (schedule from eventSchedule,
                                                 else from the sessions' days and times)
* ScheduledSession with embedded `superEvent` -> the parent listing + an occurrence of it
  (the inverted shape; the session's own location, offers... fill the parent's gaps)
* ScheduledSession / Slot with a `superEvent` / `facilityUse` URL (split feeds)
                                              -> an occurrence of the listing with that @id

Repairs (each from feed-normaliser's real-world fixtures): `id`/`type` for `@id`/`@type`,
any `@context`, activity as a bare string or a Concept without an id, `http://schema.org/Friday`
and plain day names, `beta:timeZone`, `modified` as a date string, an array or "mixed"
genderRestriction, an `ageRange` given as "18", items with no RPDE envelope at all.
Anything that cannot be repaired is `Rejected` with the reason.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from directory.taxonomy import ACTIVITY_LIST

from importers.openactive_schedule import (
    epoch_millis, local_pattern, one_off, opening_hours, rules_from_patterns, schedule_from,
)
from importers.records import (
    CostRecord, Deletion, LocationRecord, Occurrence, OrganizationRecord, Rejected,
    ServiceRecord, TermRef,
)

LISTING_TYPES = {
    "SessionSeries", "EventSeries", "FacilityUse", "IndividualFacilityUse", "CourseInstance",
    "Course", "Event", "OnDemandEvent", "HeadlineEvent",
}
OCCURRENCE_TYPES = {"ScheduledSession", "Slot"}
_GENDER = {"norestriction": "any", "mixed": "any", "femaleonly": "female", "maleonly": "male"}
# OpenActive accessibility-support concepts -> Wayfinder's activity-level features (where one
# clearly fits; the rest are kept in words in the eligibility text).
_ACCESS = {
    "learning impairment": "learning-disability-friendly",
    "physical impairment": "wheelchair-accessible",
    "social or behavioural problems": "autism-friendly",
}


def normalise_keys(value):
    """`id`/`type` -> `@id`/`@type` throughout (old publishers and the activity list use both)."""
    if isinstance(value, list):
        return [normalise_keys(v) if isinstance(v, (dict, list)) else v for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for key, item in value.items():
        if (key == "id" or key == "type") and f"@{key}" not in value:
            key = f"@{key}"
        out[key] = normalise_keys(item) if isinstance(item, (dict, list)) else item
    return out


def _type(obj) -> str:
    kind = obj.get("@type") if isinstance(obj, dict) else None
    if isinstance(kind, list):
        kind = next((k for k in kind if isinstance(k, str)), "")
    return str(kind or "").rsplit(":", 1)[-1].rsplit("/", 1)[-1]


def _text(value) -> str | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value or None


def modified_of(item: dict, warnings: list[str]) -> int | None:
    """RPDE `modified`: an integer (possibly beyond 2^53), or repaired from a string."""
    value = item.get("modified")
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        warnings.append("modified was a decimal number; it was rounded.")
        return int(value)
    text = str(value).strip()
    if text.lstrip("-").isdigit():
        return int(text)
    millis = epoch_millis(text)
    if millis is not None:
        warnings.append(f"modified was a date ({text}); it was read as {millis}.")
    return millis


def parse_item(item, scope: str = "") -> list:
    """One RPDE item -> a list of records (`ServiceRecord`, `Occurrence`, `Deletion`, `Rejected`)."""
    if not isinstance(item, dict):
        return [Rejected(None, "The feed item is not a JSON object.", item)]
    warnings: list[str] = []
    modified = modified_of(item, warnings)
    if "data" not in item and "state" not in item and ("@type" in item or "type" in item):
        warnings.append("The item had no RPDE envelope (state, id, modified, data); read it as the data.")
        item = {"data": item}
    data = normalise_keys(item.get("data")) if isinstance(item.get("data"), dict) else None
    rpde_id = _text(item.get("id")) or _text(item.get("@id")) or (_text(data.get("@id")) if data else None)
    state = item.get("state") or ("updated" if data else None)
    if rpde_id is None:
        return [Rejected(None, "The item has no id (neither the RPDE `id` nor `data.@id`), so it "
                               "cannot be tracked. Ask the publisher to add one.", item)]
    alias = f"{scope}{rpde_id}"
    if state == "deleted":
        return [Deletion(alias, modified, item)]
    if state != "updated":
        return [Rejected(alias, f"Unknown item state {state!r}: RPDE allows only 'updated' and 'deleted'.", item)]
    if data is None:
        return [Rejected(alias, "An 'updated' item has no `data` object, so there is nothing to import.", item)]
    kind = _type(data)
    try:
        if kind in OCCURRENCE_TYPES:
            return _occurrence(data, alias, modified, item, warnings)
        if kind in LISTING_TYPES:
            return [_listing(data, alias, modified, item, warnings)]
    except (TypeError, AttributeError, KeyError) as exc:  # a shape no repair anticipated
        return [Rejected(alias, f"The {kind or 'item'} has a structure Wayfinder cannot read ({exc!r}).", item)]
    return [Rejected(alias, f"Items of type {kind or '(none)'!r} are not activities Wayfinder lists "
                            f"(expected one of {', '.join(sorted(LISTING_TYPES | OCCURRENCE_TYPES))}).", item)]


def _occurrence(data: dict, alias: str, modified, item, warnings) -> list:
    parent = data.get("superEvent") if _type(data) == "ScheduledSession" else data.get("facilityUse")
    pattern = local_pattern(data.get("startDate"), data.get("endDate"))
    if pattern is None and data.get("startDate"):
        warnings.append(f"startDate {data.get('startDate')!r} is not a date.")
    byday, opens, closes = pattern or (None, None, None)
    if isinstance(parent, dict):  # the inverted shape: the series rides along inside its session
        parent_id = _text(parent.get("@id")) or f"{alias}#superEvent"
        merged = {**{k: v for k, v in data.items() if k not in ("superEvent", "@id", "@type")}, **parent}
        listing = _listing(merged, parent_id, modified, item, warnings, key=parent_id)
        if isinstance(listing, Rejected):
            return [listing]
        occ_id = _text(data.get("@id")) or alias
        return [listing, Occurrence(occ_id, parent_id, byday, opens, closes, modified, item, alias)]
    parent_id = _text(parent)
    if parent_id is None:
        return [Rejected(alias, f"This {_type(data)} names no series ({'superEvent' if _type(data) == 'ScheduledSession' else 'facilityUse'}), "
                                "so Wayfinder cannot tell what it is a session of.", item)]
    occ_id = _text(data.get("@id")) or alias
    return [Occurrence(occ_id, parent_id, byday, opens, closes, modified, item, alias)]


def _listing(data: dict, alias: str, modified, item, warnings, key: str | None = None):
    source_id = key or _text(data.get("@id")) or alias
    parent = data.get("superEvent") if isinstance(data.get("superEvent"), dict) else {}
    facility = data.get("aggregateFacilityUse") if isinstance(data.get("aggregateFacilityUse"), dict) else {}
    # Children inherit the parent's properties; their own values win.
    merged = {**parent, **facility, **{k: v for k, v in data.items() if v not in (None, "", [])}}
    name = _text(merged.get("name")) or _activity_name(merged)
    if not name:
        return Rejected(alias, "The activity has no name (nor a named activity to call it by). "
                               "Ask the publisher to include `name`.", item)
    rec = ServiceRecord(source_id=source_id, name=name, modified=modified, raw=item, warnings=warnings,
                        alias=alias if key is None and alias != source_id else None)
    rec.description = _text(merged.get("description")) or _text(merged.get("disambiguatingDescription")) or ""
    rec.url = _text(merged.get("url"))
    rec.organization = _organisation(merged.get("organizer") or merged.get("provider"))
    rec.terms = _activities(merged.get("activity"), warnings)
    _eligibility(rec, merged, warnings)
    rec.costs = _offers(merged, warnings)
    _place(rec, merged, warnings)
    status = str(merged.get("eventStatus") or "")
    if status.endswith("EventCancelled"):
        rec.status = "inactive"
    elif status.endswith("EventPostponed"):
        rec.status = "temporarily closed"
    schedules = merged.get("eventSchedule") or []
    for spec in schedules if isinstance(schedules, list) else [schedules]:
        rule = schedule_from(spec, warnings)
        if rule is not None:
            rec.schedules.append(rule)
    if not rec.schedules and merged.get("hoursAvailable"):
        rec.schedules = opening_hours(merged["hoursAvailable"], warnings)
    if not rec.schedules:
        subs = [s for s in _as_list(merged.get("subEvent")) + _as_list(merged.get("event")) if isinstance(s, dict)]
        rec.schedules = rules_from_patterns(
            {"byday": p[0], "opens": p[1], "closes": p[2]}
            for p in (local_pattern(s.get("startDate"), s.get("endDate")) for s in subs) if p
        )
    if not rec.schedules and _type(data) in ("Event", "HeadlineEvent", "CourseInstance", "Course"):
        single = one_off(merged.get("startDate"), merged.get("endDate"))
        if single:
            rec.schedules = [single]
    if _type(data) == "OnDemandEvent":
        rec.delivery_modes = ["online"]
    # No times of its own: its sessions (in this or a split feed) will say when it runs.
    rec.schedules_from_occurrences = not rec.schedules
    return rec


def _as_list(value) -> list:
    return value if isinstance(value, list) else ([value] if value else [])


def _activity_name(data) -> str | None:
    for act in _as_list(data.get("activity")):
        label = act if isinstance(act, str) and not act.startswith("http") else (
            act.get("prefLabel") if isinstance(act, dict) else None)
        if _text(label):
            return _text(label)
    return None


def _activities(value, warnings) -> list[TermRef]:
    refs = []
    for act in _as_list(value):
        if isinstance(act, str):  # a bare string: a URI or a label
            refs.append(TermRef(uri=act, taxonomy=ACTIVITY_LIST, widen=True) if act.startswith("http")
                        else TermRef(label=act.strip(), taxonomy=ACTIVITY_LIST, widen=True))
        elif isinstance(act, dict):
            uri, label = _text(act.get("@id")), _text(act.get("prefLabel"))
            if uri or label:
                refs.append(TermRef(uri=uri, label=label, taxonomy=ACTIVITY_LIST, widen=True))
        else:
            warnings.append(f"activity {act!r} is neither a Concept nor text; it was ignored.")
    return refs


def _organisation(org) -> OrganizationRecord | None:
    if isinstance(org, list):
        org = next((o for o in org if isinstance(o, dict)), None)
    if not isinstance(org, dict):
        return None
    name = _text(org.get("name")) or _text(org.get("legalName"))
    if not name:
        return None
    rec = OrganizationRecord(
        key=_text(org.get("@id")) or f"name:{name.lower()}", name=name,
        description=_text(org.get("description")), url=_text(org.get("url")),
        email=_text(org.get("email")), phone=_text(org.get("telephone")),
    )
    if _text(org.get("identifier")):
        rec.identifiers.append(("openactive", "publisher identifier", _text(org.get("identifier"))))
    return rec


def _eligibility(rec: ServiceRecord, data: dict, warnings) -> None:
    age = data.get("ageRange")
    low = high = None
    if isinstance(age, dict):
        low, high = _int(age.get("minValue")), _int(age.get("maxValue"))
    elif isinstance(age, (str, int)) and not isinstance(age, bool):  # "18", "18-65", 18
        parts = [p for p in str(age).replace("+", "").replace("–", "-").split("-") if p.strip()]
        low = _int(parts[0]) if parts else None
        high = _int(parts[1]) if len(parts) > 1 else None
        warnings.append(f"ageRange was text ({age!r}); read as {low} to {high or 'any age'}.")
    if low is None and high is None:
        low = 18  # OpenActive: no ageRange means the activity is for adults
    if low is not None and high is not None and low > high:
        warnings.append(f"ageRange {low}-{high} is upside down; it was swapped.")
        low, high = high, low
    rec.minimum_age, rec.maximum_age = low, high
    gender = data.get("genderRestriction")
    values = {str(g).rsplit("/", 1)[-1].lower() for g in _as_list(gender) if g}
    mapped = {_GENDER.get(v) for v in values} - {None}
    if len(mapped) == 1:
        rec.gender = mapped.pop()
    elif len(mapped) > 1:
        warnings.append(f"genderRestriction {gender!r} contradicts itself; read as open to all.")
    elif values:
        warnings.append(f"genderRestriction {gender!r} is not a known value; read as open to all.")
    access, words = [], []
    for concept in _as_list(data.get("accessibilitySupport")):
        label = _text(concept.get("prefLabel")) if isinstance(concept, dict) else _text(concept)
        if label:
            words.append(label)
            code = _ACCESS.get(label.lower())
            if code and code not in access:
                access.append(code)
    rec.accessibility = access
    if words:
        rec.eligibility_description = "Supports people with: " + ", ".join(words) + "."
    if _text(data.get("attendeeInstructions")):
        rec.application_process = _text(data.get("attendeeInstructions"))


def _int(value) -> int | None:
    try:
        return int(float(value)) if value is not None and str(value).strip() != "" else None
    except (TypeError, ValueError):
        return None


def _offers(data: dict, warnings) -> list[CostRecord]:
    costs = []
    for offer in _as_list(data.get("offers")):
        if not isinstance(offer, dict):
            continue
        price = offer.get("price")
        try:
            amount = Decimal(str(price)).quantize(Decimal("0.01")) if price not in (None, "") else None
        except InvalidOperation:
            warnings.append(f"Offer price {price!r} is not a number; kept as text.")
            amount = None
        if amount is not None and amount < 0:
            warnings.append(f"Offer price {price!r} is negative; it was left out.")
            continue
        currency = _text(offer.get("priceCurrency")) or "GBP"
        costs.append(CostRecord(
            amount=amount, currency=currency.upper()[:3], option=_text(offer.get("name")),
            amount_description=None if amount is not None else _text(price),
        ))
    if not costs and data.get("isAccessibleForFree") is True:
        costs.append(CostRecord(amount=Decimal("0.00"), option="Free"))
    return costs


def _place(rec: ServiceRecord, data: dict, warnings) -> None:
    mode = str(data.get("eventAttendanceMode") or "")
    places = [p for p in _as_list(data.get("location")) if isinstance(p, dict)]
    for place in places:
        if _type(place) == "VirtualLocation":
            rec.locations.append(LocationRecord(
                key=_text(place.get("url")) or f"{rec.source_id}#virtual", location_type="virtual",
                name=_text(place.get("name")), url=_text(place.get("url")),
            ))
            continue
        address = place.get("address") if isinstance(place.get("address"), dict) else {}
        geo = place.get("geo") if isinstance(place.get("geo"), dict) else {}
        lat, lon = _float(geo.get("latitude")), _float(geo.get("longitude"))
        name = _text(place.get("name"))
        postcode = _text(address.get("postalCode"))
        if isinstance(place.get("address"), str):
            warnings.append("The venue address is a single line of text; it was kept as the first line.")
        street = _text(address.get("streetAddress")) or _text(place.get("address"))
        if not any((name, postcode, street, lat is not None)):
            continue
        key = _text(place.get("@id")) or (f"id:{_text(place.get('identifier'))}" if _text(place.get("identifier")) else None)
        key = key or f"place:{(name or '').lower()}|{postcode or ''}|{lat}|{lon}"
        amenities = {_type(a).lower() for a in _as_list(place.get("amenityFeature"))
                     if isinstance(a, dict) and a.get("value") is True}
        rec.locations.append(LocationRecord(
            key=key, name=name, description=_text(place.get("description")), url=_text(place.get("url")),
            address_1=street, city=_text(address.get("addressLocality")),
            region=_text(address.get("addressRegion")), postal_code=postcode,
            latitude=lat, longitude=lon, accessibility=["parking"] if "parking" in amenities else [],
        ))
    if mode.endswith("OnlineEventAttendanceMode"):
        rec.delivery_modes = ["online"]
    elif mode.endswith("MixedEventAttendanceMode"):
        rec.delivery_modes = ["in_person", "online"]
    elif places and all(loc.location_type == "virtual" for loc in rec.locations) and rec.locations:
        rec.delivery_modes = ["online"]


def _float(value) -> float | None:
    try:
        return float(value) if value is not None and str(value).strip() != "" else None
    except (TypeError, ValueError):
        return None


__all__ = ["parse_item", "normalise_keys", "modified_of"]
