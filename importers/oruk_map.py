"""Open Referral records (HSDS 3.0 / ORUK 3.0, and legacy ORUK 1.0) as directory records.

One mapper serves the ORUK API and the HSDS tabular package: the package's CSV rows are
assembled into the same nested shape a `/services/{id}` response has. Legacy ORUK 1.0 names
differ (`regular_schedules` with `weekday`, `holiday_schedules`, `eligibilitys`,
`service_taxonomys`, `physical_addresses`) and are read alongside.
"""

from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal, InvalidOperation

from dateutil import parser as dateparser

from directory.errors import ValidationError
from directory.export.extensions import BY_NAME as VOCABULARY_NAMES
from directory.export.extensions import read_wayfinder_attributes
from directory.vocab import ACCESSIBILITY_FEATURES
from directory.schedules import parse_byday

from importers.openactive_schedule import epoch_millis, parse_time
from importers.records import (
    CostRecord, LocationRecord, OrganizationRecord, ScheduleRecord, ServiceRecord, TermRef,
)
from importers.spreadsheet import ACCESS_WORDS

_LABELS = {label.lower(): code for code, label in ACCESSIBILITY_FEATURES.items()}
STATUSES = {"active", "inactive", "defunct", "temporarily closed"}
_WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_DAY_NAMES = {"monday": "MO", "tuesday": "TU", "wednesday": "WE", "thursday": "TH", "friday": "FR",
              "saturday": "SA", "sunday": "SU"}


def _t(value) -> str | None:
    if value is None or isinstance(value, (dict, list)):
        return None
    text = str(value).strip()
    return text or None


def _list(value) -> list:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _date(value, warnings, what) -> date | None:
    text = _t(value)
    if not text:
        return None
    try:
        return dateparser.isoparse(text).date()
    except (ValueError, OverflowError):
        warnings.append(f"{what} {text!r} is not a date; it was left out.")
        return None


def _int(value, warnings, what) -> int | None:
    if value is None or value == "":
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        warnings.append(f"{what} {value!r} is not a number; it was left out.")
        return None
    return int(number)


def service_record(raw: dict, *, legacy: bool = False) -> ServiceRecord:
    """A full service object -> `ServiceRecord`. Raises `ValidationError` when it has no id or name."""
    warnings: list[str] = []
    sid = _t(raw.get("id"))
    if not sid:
        raise ValidationError("service.id", "The service has no id, so it cannot be kept in step.")
    name = _t(raw.get("name"))
    if not name:
        raise ValidationError("service.name", "The service has no name.")
    rec = ServiceRecord(source_id=sid, name=name, raw=raw, warnings=warnings)
    rec.alternate_name = _t(raw.get("alternate_name"))
    rec.description = _t(raw.get("description")) or ""
    rec.url, rec.email = _t(raw.get("url")), _t(raw.get("email"))
    status = (_t(raw.get("status")) or "active").lower()
    if status not in STATUSES:
        warnings.append(f"status {status!r} is not an HSDS status; read as active.")
        status = "active"
    rec.status = status
    rec.fees_description = _t(raw.get("fees_description")) or _t(raw.get("fees"))
    rec.application_process = _t(raw.get("application_process"))
    rec.alert = _t(raw.get("alert"))
    rec.interpretation_services = _t(raw.get("interpretation_services"))
    rec.eligibility_description = _t(raw.get("eligibility_description"))
    rec.assured_date = _date(raw.get("assured_date"), warnings, "assured_date")
    rec.assurer_email = _t(raw.get("assurer_email"))
    modified = _t(raw.get("last_modified"))
    rec.modified = epoch_millis(modified) if modified else None
    rec.minimum_age = _int(raw.get("minimum_age"), warnings, "minimum_age")
    rec.maximum_age = _int(raw.get("maximum_age"), warnings, "maximum_age")
    _eligibilities(rec, raw, warnings)
    rec.organization = _organization(raw.get("organization"))
    phones = [_t(p.get("number")) for p in _list(raw.get("phones")) if _t(p.get("number"))]
    rec.phone = phones[0].strip('"') if phones else None
    _locations(rec, raw, warnings)
    venue_of = {_t(sal.get("id")): _t((sal.get("location") or {}).get("id"))
                for sal in _list(raw.get("service_at_locations"))}
    rec.schedules = _schedules(raw, warnings, venue_of)
    for sal in _list(raw.get("service_at_locations")):
        here = _t((sal.get("location") or {}).get("id"))
        rec.schedules += _schedules(sal, warnings, venue_of, here)
        rec.schedules += _schedules(sal.get("location") or {}, warnings, venue_of, here)
    rec.costs = _costs(raw, warnings)
    for lang in _list(raw.get("languages")):
        label = _t(lang.get("name")) or _t(lang.get("language"))
        if label:
            rec.languages.append((label, _t(lang.get("code"))))
    for contact in _list(raw.get("contacts")):
        numbers = [_t(p.get("number")) for p in _list(contact.get("phones")) if _t(p.get("number"))]
        rec.contacts.append((_t(contact.get("name")), _t(contact.get("title")), _t(contact.get("email")),
                             numbers[0] if numbers else None))
    rec.terms = _terms(raw)
    rec.service_areas = _service_areas(raw, warnings)
    modes = {"online": "online", "phone": "phone", "telephone": "phone", "venue": "in_person", "home visit": "in_person"}
    attending = (_t(raw.get("attending_type")) or "").lower()
    if attending in modes:
        rec.delivery_modes = [modes[attending]]
    elif rec.locations and all(loc.location_type == "virtual" for loc in rec.locations):
        rec.delivery_modes = ["online"]
    access = (_t(raw.get("attending_access")) or "").lower()
    if access == "referral":
        rec.referral_routes = ["link_worker", "clinician"]
    # What HSDS has no field for, a Wayfinder publishes as attributes in its own vocabularies.
    facts = read_wayfinder_attributes(_list(raw.get("attributes")))
    for key in ("referral_routes", "delivery_modes", "accessibility", "capacity_status", "gender"):
        if key in facts:
            setattr(rec, key, facts[key])
    return rec


def _service_areas(raw: dict, warnings) -> list:
    areas = []
    for row in _list(raw.get("service_areas")):
        name = _t(row.get("name")) or _t(row.get("service_area"))
        extent = row.get("extent")
        if isinstance(extent, str) and extent.strip():
            try:
                extent = json.loads(extent)
            except ValueError:
                warnings.append(f"The extent of service area {name!r} is not GeoJSON; the area is kept without it.")
                extent = None
        if not isinstance(extent, dict):
            extent = None
        if name:
            areas.append((name, _t(row.get("description")), extent))
    return areas


def _eligibilities(rec: ServiceRecord, raw: dict, warnings) -> None:
    rows = _list(raw.get("eligibilitys")) + _list(raw.get("eligibilities"))
    for row in rows:
        low = _int(row.get("minimum_age"), warnings, "eligibility minimum_age")
        high = _int(row.get("maximum_age"), warnings, "eligibility maximum_age")
        if low is not None and (rec.minimum_age is None or low < rec.minimum_age):
            rec.minimum_age = low
        if high is not None and (rec.maximum_age is None or high > rec.maximum_age):
            rec.maximum_age = high
        kind = (_t(row.get("eligibility")) or "").lower()
        if kind == "female":
            rec.gender = "female"
        elif kind == "male":
            rec.gender = "male"
        elif kind == "adult" and rec.minimum_age is None:
            rec.minimum_age = 18
    words = [_t(r.get("eligibility")) for r in rows if _t(r.get("eligibility"))]
    if words and not rec.eligibility_description:
        rec.eligibility_description = "For: " + ", ".join(words) + "."


def _organization(org) -> OrganizationRecord | None:
    if not isinstance(org, dict) or not _t(org.get("name")):
        return None
    rec = OrganizationRecord(
        key=_t(org.get("id")) or f"name:{org['name'].lower()}", name=_t(org.get("name")),
        description=_t(org.get("description")), url=_t(org.get("website")) or _t(org.get("url")),
        email=_t(org.get("email")),
    )
    for ident in _list(org.get("organization_identifiers")):
        if _t(ident.get("identifier")):
            rec.identifiers.append((_t(ident.get("identifier_scheme")), _t(ident.get("identifier_type")) or "identifier",
                                    _t(ident.get("identifier"))))
    return rec


def _locations(rec: ServiceRecord, raw: dict, warnings) -> None:
    for sal in _list(raw.get("service_at_locations")):
        loc = sal.get("location") if isinstance(sal.get("location"), dict) else None
        if not loc:
            continue
        addresses = _list(loc.get("addresses")) + _list(loc.get("physical_addresses"))
        physical = next((a for a in addresses if _t(a.get("address_type")) in (None, "physical")), None)
        address = physical or (addresses[0] if addresses else {})
        lat, lon = loc.get("latitude"), loc.get("longitude")
        lat = float(lat) if isinstance(lat, (int, float)) or (_t(lat) and _is_number(lat)) else None
        lon = float(lon) if isinstance(lon, (int, float)) or (_t(lon) and _is_number(lon)) else None
        texts = [_t(a.get("description")) or _t(a.get("accessibility")) for a in
                 _list(loc.get("accessibility")) + _list(loc.get("accessibility_for_disabilities"))]
        texts = [t for t in texts if t]
        # An entry that is exactly a feature's name is that feature (how a Wayfinder publishes
        # them); other text is the venue's own words, read for features only when nothing
        # was named exactly.
        codes = [_LABELS[t.lower()] for t in texts if t.lower() in _LABELS]
        details = [t for t in texts if t.lower() not in _LABELS]
        if not codes:
            for text in details:
                for word, code in ACCESS_WORDS.items():
                    if word in text.lower() and code not in codes:
                        codes.append(code)
        kind = _t(loc.get("location_type")) or "physical"
        country = (_t(address.get("country")) or "GB").upper()
        postcode = _t(address.get("postal_code")) if country in ("GB", "UK") else None
        if country not in ("GB", "UK") and _t(address.get("postal_code")):
            warnings.append(f"The address is in {country}, not the UK; its postcode was left out.")
        rec.locations.append(LocationRecord(
            key=_t(loc.get("id")) or f"{rec.source_id}#location{len(rec.locations)}",
            name=_t(loc.get("name")), location_type=kind if kind in ("physical", "virtual", "postal") else "physical",
            description=_t(loc.get("description")), url=_t(loc.get("url")),
            address_1=_t(address.get("address_1")), address_2=_t(address.get("address_2")),
            city=_t(address.get("city")), region=_t(address.get("region")) or _t(address.get("state_province")),
            postal_code=postcode, latitude=lat, longitude=lon, accessibility=list(dict.fromkeys(codes)),
            accessibility_details=" ".join(details) or None,
        ))


def _is_number(value) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True


def _byday(value, warnings) -> str | None:
    text = _t(value)
    if not text:
        return None
    try:
        parse_byday(text)
    except ValidationError:
        days = [_DAY_NAMES.get(p.strip().lower()) for p in re.split(r"[,\s]+", text) if p.strip()]
        if days and all(days):
            return ",".join(days)
        warnings.append(f"byday {text!r} is not an RRULE day list; it was left out.")
        return None
    return text.upper().replace(" ", "")


def _schedules(holder: dict, warnings, venue_of=None, here=None) -> list[ScheduleRecord]:
    rules = []
    for row in _list(holder.get("schedules")) + _list(holder.get("regular_schedules")):
        byday = _byday(row.get("byday"), warnings)
        weekday = row.get("weekday")
        if not byday and weekday not in (None, ""):
            day = _DAY_NAMES.get(str(weekday).strip().lower())
            if day is None and str(weekday).strip().isdigit() and 1 <= int(weekday) <= 7:
                day = _WEEKDAYS[int(weekday) - 1]  # ORUK 1.0: 1 is Monday
            if day is None:
                warnings.append(f"weekday {weekday!r} is not a day; it was left out.")
            byday = day
        freq = (_t(row.get("freq")) or ("WEEKLY" if byday else "")).upper() or None
        if freq not in (None, "DAILY", "WEEKLY", "MONTHLY", "YEARLY"):
            warnings.append(f"freq {freq!r} is not an RRULE frequency; the schedule is kept as text.")
            freq = None
        interval = _int(row.get("interval"), warnings, "interval") or 1
        opens, closes = parse_time(_t(row.get("opens_at"))), parse_time(_t(row.get("closes_at")))
        if opens and closes and closes <= opens:
            warnings.append(f"closes_at {closes} is not after opens_at {opens}; the closing time was left out.")
            closes = None
        start, end = _date(row.get("valid_from"), warnings, "valid_from"), _date(row.get("valid_to"), warnings, "valid_to")
        if start and end and end < start:
            warnings.append("valid_to is before valid_from; the dates were left out.")
            start = end = None
        description = _t(row.get("description"))
        if not (freq or opens or description):
            continue
        monthday = _t(row.get("bymonthday"))
        rules.append(ScheduleRecord(
            freq=freq, interval=max(1, interval), byday=byday,
            bymonthday=monthday if monthday and re.fullmatch(r"-?\d+(,-?\d+)*", monthday.replace(" ", "")) else None,
            opens_at=opens, closes_at=closes, valid_from=start, valid_to=end,
            dtstart=_date(row.get("dtstart"), warnings, "dtstart"), description=description,
            notes=_t(row.get("notes")),
            location_key=here or (venue_of or {}).get(_t(row.get("service_at_location_id")))
            or _t(row.get("location_id")),
        ))
    closures = []
    for row in _list(holder.get("holiday_schedules")):
        if row.get("closed") in (True, "true", "True", 1):
            start, end = _t(row.get("start_date")), _t(row.get("end_date"))
            closures.append(f"Closed {start}" + (f" to {end}" if end and end != start else ""))
    if closures and rules:
        rules[0].notes = "; ".join(filter(None, [rules[0].notes, *closures]))
    return rules


def _costs(raw: dict, warnings) -> list[CostRecord]:
    costs = []
    for row in _list(raw.get("cost_options")):
        amount = row.get("amount")
        try:
            amount = Decimal(str(amount)).quantize(Decimal("0.01")) if amount not in (None, "") else None
        except InvalidOperation:
            warnings.append(f"cost amount {amount!r} is not a number; kept as text.")
            amount = None
        if amount is not None and amount < 0:
            warnings.append(f"cost amount {amount} is negative; it was left out.")
            continue
        currency = (_t(row.get("currency")) or "GBP").upper()
        costs.append(CostRecord(amount=amount, currency=currency[:3], option=_t(row.get("option")),
                                amount_description=_t(row.get("amount_description"))))
    return costs


def _terms(raw: dict) -> list[TermRef]:
    refs = []
    for attr in _list(raw.get("attributes")):
        term = attr.get("taxonomy_term") if isinstance(attr.get("taxonomy_term"), dict) else None
        if term:
            taxonomy = term.get("taxonomy")
            taxonomy = _t(taxonomy.get("name")) if isinstance(taxonomy, dict) else _t(taxonomy)
            if taxonomy in VOCABULARY_NAMES:
                continue  # a Wayfinder fact (referral route, capacity...), read above, not a category
            refs.append(TermRef(uri=_t(term.get("term_uri")), code=_t(term.get("code")),
                                label=_t(term.get("name")) or _t(term.get("term")), taxonomy=taxonomy))
    for link in _list(raw.get("service_taxonomys")) + _list(raw.get("service_taxonomies")):
        term = link.get("taxonomy") if isinstance(link.get("taxonomy"), dict) else link
        refs.append(TermRef(code=_t(term.get("id")), label=_t(term.get("name")), taxonomy=_t(term.get("vocabulary"))))
    return [r for r in refs if r.uri or r.code or r.label]
