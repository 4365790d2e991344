"""HSDS tabular data packages: `datapackage.json` plus one CSV per table.

The rows are joined back into the nested shape of an HSDS `/services/{id}` response (a service
with its organisation, locations and addresses, schedules, costs, languages, contacts and
taxonomy terms through attributes), so the same mapper as the ORUK API turns them into
directory records. Rows that point at something missing are reported, not guessed at.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from pathlib import Path

from directory.errors import ValidationError

from importers.oruk_map import service_record
from importers.records import Page, Reader, Rejected

PAGE_SIZE = 500
# Resource names in HSDS 3.0 packages (and the file names used when a package omits them).
TABLES = {
    "organization": "organizations.csv", "service": "services.csv", "location": "locations.csv",
    "service_at_location": "service_at_location.csv", "address": "addresses.csv", "schedule": "schedules.csv",
    "cost_option": "cost_options.csv", "language": "languages.csv", "contact": "contacts.csv",
    "phone": "phones.csv", "accessibility": "accessibility.csv", "attribute": "attributes.csv",
    "taxonomy_term": "taxonomy_terms.csv", "taxonomy": "taxonomies.csv",
    "organization_identifier": "organization_identifiers.csv", "service_area": "service_areas.csv",
}


class PackageError(ValueError):
    """The package as a whole cannot be read."""


def _read_csv(path: Path) -> list[dict]:
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252")
    rows = []
    for row in csv.DictReader(io.StringIO(text)):
        cleaned = {k.strip(): (v.strip() if isinstance(v, str) else v) for k, v in row.items() if k}
        if any(v for v in cleaned.values()):
            rows.append({k: (v if v != "" else None) for k, v in cleaned.items()})
    return rows


def load_tables(folder: Path) -> dict[str, list[dict]]:
    """Each known table's rows, located through datapackage.json (or the usual file names)."""
    folder = Path(folder)
    if folder.is_file() and folder.name == "datapackage.json":
        folder = folder.parent
    descriptor = folder / "datapackage.json"
    if not descriptor.exists():
        raise PackageError(f"{folder} has no datapackage.json; an HSDS package needs one beside its CSV files.")
    try:
        package = json.loads(descriptor.read_text(encoding="utf-8-sig"))
    except ValueError as exc:
        raise PackageError(f"{descriptor} is not valid JSON: {exc}") from None
    paths = {r.get("name"): r.get("path") for r in package.get("resources", []) if isinstance(r, dict)}
    tables: dict[str, list[dict]] = {}
    for name, default in TABLES.items():
        rel = paths.get(name) or default
        path = folder / rel if isinstance(rel, str) else None
        if path is not None and path.exists():
            tables[name] = _read_csv(path)
        elif name == "service":
            raise PackageError(f"{folder} has no services table ({rel}).")
        else:
            tables[name] = []
    return tables


def assemble(tables: dict[str, list[dict]]) -> tuple[list[dict], list[str]]:
    """Nested service objects, plus notes about rows that point at nothing."""
    notes: list[str] = []

    def by(table, key):
        grouped = defaultdict(list)
        for row in tables[table]:
            if row.get(key):
                grouped[row[key]].append(row)
        return grouped

    orgs = {r["id"]: dict(r) for r in tables["organization"] if r.get("id")}
    for org_id, idents in by("organization_identifier", "organization_id").items():
        if org_id in orgs:
            orgs[org_id]["organization_identifiers"] = idents
    taxonomies = {r["id"]: r for r in tables["taxonomy"] if r.get("id")}
    terms = {}
    for term in tables["taxonomy_term"]:
        term = dict(term)
        if term.get("taxonomy_id") in taxonomies:
            term["taxonomy"] = taxonomies[term["taxonomy_id"]].get("name")
        terms[term.get("id")] = term
    addresses, access = by("address", "location_id"), by("accessibility", "location_id")
    loc_schedules = by("schedule", "location_id")
    locations = {}
    for loc in tables["location"]:
        loc = dict(loc)
        loc["addresses"] = addresses.get(loc.get("id"), [])
        loc["accessibility"] = access.get(loc.get("id"), [])
        locations[loc.get("id")] = loc
    sal_by_service = by("service_at_location", "service_id")
    schedules, costs = by("schedule", "service_id"), by("cost_option", "service_id")
    languages, contacts = by("language", "service_id"), by("contact", "service_id")
    areas = by("service_area", "service_id")
    phones, attributes = by("phone", "service_id"), by("attribute", "link_id")
    contact_phones = by("phone", "contact_id")
    services = []
    for row in tables["service"]:
        service = dict(row)
        sid = service.get("id")
        org_id = service.get("organization_id")
        if org_id and org_id not in orgs:
            notes.append(f"Service {sid} names organization {org_id}, which is not in the package.")
        service["organization"] = orgs.get(org_id)
        service["service_at_locations"] = []
        for sal in sal_by_service.get(sid, []):
            loc = locations.get(sal.get("location_id"))
            if loc is None:
                notes.append(f"Service {sid} is at location {sal.get('location_id')}, which is not in the package.")
                continue
            service["service_at_locations"].append({**sal, "location": loc})
        # Schedules given per location (not per service) belong to the service's locations.
        service["schedules"] = schedules.get(sid, []) + [
            s for sal in service["service_at_locations"] for s in loc_schedules.get(sal["location"].get("id"), [])
            if not s.get("service_id")
        ]
        service["cost_options"] = costs.get(sid, [])
        service["service_areas"] = areas.get(sid, [])
        service["languages"] = languages.get(sid, [])
        service["contacts"] = [{**c, "phones": contact_phones.get(c.get("id"), [])} for c in contacts.get(sid, [])]
        service["phones"] = [p for p in phones.get(sid, []) if not p.get("contact_id")] or phones.get(sid, [])
        service["attributes"] = []
        for attr in attributes.get(sid, []):
            term = terms.get(attr.get("taxonomy_term_id"))
            if term is None:
                notes.append(f"Service {sid} has an attribute for term {attr.get('taxonomy_term_id')}, "
                             "which is not in the package.")
                continue
            service["attributes"].append({**attr, "taxonomy_term": term})
        services.append(service)
    return services, notes


class HsdsPackageReader(Reader):
    """All services of a package (a full snapshot of it every run)."""

    snapshot = True

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.notes: list[str] = []

    def pages(self, state: dict):
        tables = load_tables(self.path)
        services, self.notes = assemble(tables)
        seen: set[str] = set()
        batch = []
        for service in services:
            sid = service.get("id")
            if sid and sid in seen:
                batch.append(Rejected(sid, f"The id {sid} is used by two rows of services.csv; the second "
                                           "was kept aside. Give each service its own id.", service))
                continue
            seen.add(sid)
            try:
                batch.append(service_record(service))
            except ValidationError as exc:
                batch.append(Rejected(sid, f"{exc.field}: {exc.message}", service))
            if len(batch) >= PAGE_SIZE:
                yield Page(batch, total=len(services))
                batch = []
        yield Page(batch, total=len(services))

    def report_notes(self) -> list[str]:
        return list(dict.fromkeys(self.notes))
