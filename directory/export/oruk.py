"""Serialise directory rows to Open Referral UK (HSDS-UK 3.0) JSON.

Plain functions from ORM objects to dicts; they never query (callers load what they need, see
`directory.export.api`), so they are cheap to test and reuse in the RPDE feed.

Choices worth knowing:

- Nulls are never emitted: the schemas type fields as strings or numbers, so "not known" is an
  absent key, not ``null``. Empty lists are kept: they say "none".
- Ids are the rows' own UUIDs. Things without a row (addresses, phones, attributes) get UUIDs
  derived from their owner's id, so they are stable between requests and between instances.
- A few HSDS 3.0 core fields the UK profile leaves out (phone numbers, language names, contact
  emails, alternate names) are included: without them a listing cannot be used or read back.
  The schemas are open, so this stays valid against both the UK profile and HSDS 3.0.
- The profile only knows WEEKLY and MONTHLY rules: a daily rule becomes weekly on every day; a
  rule it cannot express keeps its times and its plain-English description, without `freq`.
"""

from __future__ import annotations

import json
from datetime import date, datetime, time, timezone
from decimal import Decimal
from urllib.parse import urlsplit

from directory.export.extensions import derived_id, wayfinder_attributes
from directory.schedules import Rule, describe
from directory.vocab import ACCESSIBILITY_FEATURES, DAYS

HSDS_VERSION = "HSDS-UK-3.0"


# ---------------------------------------------------------------------------------------------
# Field helpers


def clean(obj: dict) -> dict:
    """Drop keys whose value is None (the schemas do not accept null)."""
    return {k: v for k, v in obj.items() if v is not None}


def iso_datetime(value: datetime | None) -> str | None:
    """RFC 3339 in UTC with a ``Z``; naive values (SQLite returns them) are taken as UTC."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def iso_date(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def iso_time(value: time | None) -> str | None:
    return value.strftime("%H:%M:%S") if value is not None else None


def web_uri(value: str | None) -> str | None:
    """An absolute http(s) URI, or None. A bare ``www.example.org`` gets ``https://``."""
    value = (value or "").strip()
    if not value or any(c.isspace() for c in value):
        return None
    parts = urlsplit(value)
    if parts.scheme in ("http", "https") and parts.netloc:
        return value
    if not parts.scheme and "." in value.split("/")[0]:
        return "https://" + value
    return None


def email(value: str | None) -> str | None:
    value = (value or "").strip()
    return value if "@" in value and not any(c.isspace() for c in value) else None


def number(value) -> int | float | None:
    """JSON number for a Decimal price: 2 for 2.00, 2.5 for 2.50."""
    if value is None:
        return None
    value = Decimal(value)
    return int(value) if value == value.to_integral_value() else float(value)


# ---------------------------------------------------------------------------------------------
# Organisation


def organization_summary(org) -> dict:
    """The organisation's own fields (for list items and inside a service)."""
    return clean({
        "id": org.id,
        "name": org.name,
        "alternate_name": org.alternate_name,
        "description": org.description or "",
        "email": email(org.email),
        "website": web_uri(org.website),
        "logo": web_uri(org.logo),
        "legal_status": org.legal_status,
        "year_incorporated": org.year_incorporated,
    })


def organization_full(org, services: list | None = None) -> dict:
    """The organisation with its identifiers, phone and (optionally) its services."""
    data = organization_summary(org)
    data["organization_identifiers"] = [
        clean({
            "id": ident.id,
            "organization_id": org.id,
            "identifier_scheme": ident.identifier_scheme,
            "identifier_type": ident.identifier_type,
            "identifier": ident.identifier,
        })
        for ident in sorted(org.identifiers, key=lambda i: i.id)
    ]
    data["phones"] = [_phone(org.phone, "organization", org.id)] if org.phone else []
    if services is not None:
        data["services"] = services
    return data


def _phone(number_text: str, owner_kind: str, owner_id: str) -> dict:
    return {"id": derived_id("phone", owner_kind, owner_id), f"{owner_kind}_id": owner_id,
            "number": number_text}


# ---------------------------------------------------------------------------------------------
# Taxonomies


def taxonomy_term(term) -> dict:
    """A taxonomy term: `term`/`code` carry Wayfinder's code, `name` the label."""
    return clean({
        "id": term.id,
        "name": term.name,
        "description": term.description or term.name,
        "parent_id": term.parent_id,
        "taxonomy": term.taxonomy.name if term.taxonomy is not None else None,
        "taxonomy_id": term.taxonomy_id,
        "term_uri": web_uri(term.term_uri),
        "term": term.code,
        "code": term.code,
    })


def taxonomy(tax, terms: list | None = None) -> dict:
    data = clean({
        "id": tax.id,
        "name": tax.name,
        "description": tax.description or tax.name,
        "uri": web_uri(tax.uri),
        "version": tax.version,
    })
    if terms is not None:
        data["taxonomy_terms"] = [taxonomy_term(t) for t in terms]
    return data


def _category_attributes(service) -> list[dict]:
    return [
        {
            "id": derived_id("attribute", service.id, term.id),
            "link_id": service.id,
            "link_type": "category",
            "link_entity": "service",
            "taxonomy_term_id": term.id,
            "taxonomy_term": taxonomy_term(term),
        }
        for term in sorted(service.taxonomy_terms, key=lambda t: (t.taxonomy_id, t.code))
    ]


# ---------------------------------------------------------------------------------------------
# Locations


def _address(loc) -> dict | None:
    if not (loc.address_1 or loc.city or loc.postal_code) or loc.location_type == "virtual":
        return None
    # address_1, city, state_province and postal_code are required by the schema; an unknown
    # part is an empty string rather than a missing address, which would lose the postcode.
    return clean({
        "id": derived_id("address", loc.id),
        "location_id": loc.id,
        "address_1": loc.address_1 or loc.name or "",
        "address_2": loc.address_2,
        "city": loc.city or "",
        "region": loc.region,
        "state_province": loc.region or "",
        "postal_code": loc.postal_code or "",
        "country": loc.country or "GB",
        "address_type": "postal" if loc.location_type == "postal" else "physical",
    })


def _accessibility(loc) -> list[dict]:
    entries = [
        {
            "id": derived_id("accessibility", loc.id, code),
            "location_id": loc.id,
            "description": ACCESSIBILITY_FEATURES.get(code, code),
            "accessibility": ACCESSIBILITY_FEATURES.get(code, code),
        }
        for code in loc.accessibility or []
    ]
    if loc.accessibility_details:
        # The venue's own words, as one more entry: HSDS `description` is free text.
        entries.append({
            "id": derived_id("accessibility", loc.id, "details"),
            "location_id": loc.id,
            "description": loc.accessibility_details,
            "accessibility": loc.accessibility_details,
        })
    return entries


def location(loc) -> dict:
    """A location with its address and accessibility (HSDS `location`)."""
    address = _address(loc)
    return clean({
        "id": loc.id,
        "location_type": loc.location_type,
        "name": loc.name,
        "description": loc.description,
        "transportation": loc.transportation,
        "url": web_uri(loc.url),
        "latitude": loc.latitude,
        "longitude": loc.longitude,
        "addresses": [address] if address else [],
        "accessibility": _accessibility(loc),
    })


# ---------------------------------------------------------------------------------------------
# Schedules


def _rule_fields(row) -> dict:
    freq, byday, interval = row.freq, row.byday, row.interval or 1
    if freq == "DAILY" and not byday and interval == 1:
        return {"freq": "WEEKLY", "interval": 1, "byday": ",".join(DAYS)}
    if freq in ("WEEKLY", "MONTHLY"):
        return {"freq": freq, "interval": interval, "byday": byday, "bymonthday": row.bymonthday}
    return {}  # DAILY every n days, YEARLY: say it in words only


def schedule(row, sal_by_location: dict[str, str]) -> dict:
    """A schedule rule (HSDS `schedule`); `description` always says it in plain English."""
    return clean({
        "id": row.id,
        "service_id": row.service_id,
        "service_at_location_id": sal_by_location.get(row.location_id) if row.location_id else None,
        "valid_from": iso_date(row.valid_from),
        "valid_to": iso_date(row.valid_to),
        "dtstart": iso_date(row.dtstart),
        **_rule_fields(row),
        "opens_at": iso_time(row.opens_at),
        "closes_at": iso_time(row.closes_at),
        "description": row.description or describe(Rule.from_row(row)),
        "notes": row.notes,
    })


# ---------------------------------------------------------------------------------------------
# Services


def _service_fields(service, last_modified: datetime | None) -> dict:
    return {
        "id": service.id,
        "organization_id": service.organization_id,
        "name": service.name,
        "alternate_name": service.alternate_name,
        "description": service.description or "",
        "url": web_uri(service.url),
        "email": email(service.email),
        "status": service.status,
        "fees": service.fees_description,
        "accreditations": service.accreditations,
        "eligibility_description": service.eligibility_description,
        "minimum_age": service.minimum_age,
        "maximum_age": service.maximum_age,
        "assured_date": iso_date(service.assured_date),
        "assurer_email": email(service.assurer_email),
        "alert": service.alert,
        "application_process": service.application_process,
        "interpretation_services": service.interpretation_services,
        "last_modified": iso_datetime(last_modified or service.last_modified),
    }


def service_minimal(service, last_modified: datetime | None = None) -> dict:
    """Just enough to sync: id, name, status and when it last changed (``?minimal=true``)."""
    return clean({
        "id": service.id,
        "name": service.name,
        "status": service.status,
        "last_modified": iso_datetime(last_modified or service.last_modified),
    })


def service_summary(service, last_modified: datetime | None = None) -> dict:
    """A `/services` list item: the one-to-one fields and the organisation."""
    data = clean(_service_fields(service, last_modified))
    data["organization"] = organization_summary(service.organization)
    return data


def service_full(service, last_modified: datetime | None = None) -> dict:
    """The fully nested service tree served by `/services/{id}` and carried in the feed."""
    data = clean(_service_fields(service, last_modified))
    sals = sorted(service.locations, key=lambda s: s.id)
    sal_by_location = {sal.location_id: sal.id for sal in sals}
    data["organization"] = organization_full(service.organization)
    data["phones"] = [_phone(service.phone, "service", service.id)] if service.phone else []
    data["service_at_locations"] = [
        clean({
            "id": sal.id,
            "service_id": service.id,
            "location_id": sal.location_id,
            "description": sal.description,
            "location": location(sal.location),
        })
        for sal in sals
    ]
    data["schedules"] = [schedule(s, sal_by_location) for s in sorted(service.schedules, key=lambda s: s.id)]
    data["cost_options"] = [
        clean({
            "id": c.id,
            "service_id": service.id,
            "valid_from": iso_date(c.valid_from),
            "valid_to": iso_date(c.valid_to),
            "option": c.option,
            "amount": number(c.amount),
            "currency": c.currency,
            "amount_description": c.amount_description,
        })
        for c in sorted(service.cost_options, key=lambda c: c.id)
    ]
    data["languages"] = [
        clean({"id": lang.id, "service_id": service.id, "name": lang.name, "code": lang.code, "note": lang.note})
        for lang in sorted(service.languages, key=lambda lang: lang.id)
    ]
    data["contacts"] = [
        clean({
            "id": c.id,
            "service_id": service.id,
            "name": c.name,
            "title": c.title,
            "email": email(c.email),
            "phones": [_phone(c.phone, "contact", c.id)] if c.phone else [],
        })
        for c in sorted(service.contacts, key=lambda c: c.id)
    ]
    data["service_areas"] = [
        clean({
            "id": area.id,
            "service_id": service.id,
            "name": area.name,
            "description": area.description,
            "service_area": area.description or area.name,
            # HSDS carries the extent as a string; GeoJSON is the one format Wayfinder stores.
            "extent": json.dumps(area.extent, separators=(",", ":"), sort_keys=True) if area.extent else None,
            "extent_type": area.extent_type if area.extent else None,
        })
        for area in sorted(service.service_areas, key=lambda a: a.id)
    ]
    data["funding"] = []
    data["attributes"] = _category_attributes(service) + wayfinder_attributes(service)
    return data
