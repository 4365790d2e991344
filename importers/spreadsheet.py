"""Spreadsheets (CSV or Excel): the template's columns, or anyone's columns through a mapping.

A mapping file (TOML) says which of your columns holds what:

    [sheet]
    name = "Activities"        # the Excel sheet to read (default: the first)
    header_row = 2             # the row with the column names (default: the first non-blank)

    [columns]
    name = "Group name"
    when = ["Day", "Time"]     # several columns are joined with a space
    postcode = "Post Code"

    [defaults]
    town = "Gateshead"         # used when a row leaves the column empty

    [values.gender]            # your words -> Wayfinder's
    "Ladies only" = "female"

Columns the mapping does not name are matched by their usual names ("Postcode", "Post code",
"Activity name", ...; see `COLUMNS`). Every problem names the row and the column.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
import tomllib
from pathlib import Path

from directory.vocab import ACCESSIBILITY_FEATURES

from importers.records import (
    ContactTuple, LocationRecord, OrganizationRecord, Page, Reader, Rejected, ServiceRecord, TermRef,
)
from importers.spreadsheet_text import parse_ages, parse_cost, parse_date, parse_int, parse_when

# Wayfinder's field -> (what the template calls it, other headers people use for it).
COLUMNS: dict[str, tuple[str, ...]] = {
    "id": ("ID", "ref", "reference", "listing id", "unique id"),
    "name": ("Activity name", "name", "activity", "group name", "service name", "service", "title"),
    "description": ("Description", "details", "about", "summary"),
    "organisation": ("Organisation", "organization", "provider", "run by", "group", "organisation name"),
    "organisation_website": ("Organisation website", "organization website"),
    "venue": ("Venue", "venue name", "location", "place", "location name"),
    "address": ("Address", "street", "address 1", "address line 1", "street address"),
    "town": ("Town", "city", "town/city", "locality"),
    "postcode": ("Postcode", "post code", "postal code", "postal_code"),
    "latitude": ("Latitude", "lat"),
    "longitude": ("Longitude", "lon", "lng", "long"),
    "when": ("Days and times", "when", "day/time", "day and time", "days & times", "schedule", "times", "day & time"),
    "cost": ("Cost", "price", "fee", "fees", "charge"),
    "ages": ("Ages", "age", "age range", "age group"),
    "min_age": ("Minimum age", "min age"),
    "max_age": ("Maximum age", "max age"),
    "gender": ("Gender", "who for", "gender restriction"),
    "categories": ("Categories", "category", "activity type", "type", "categories (separate with ;)"),
    "accessibility": ("Accessibility", "access", "accessibility features"),
    "website": ("Website", "url", "web", "web address", "link"),
    "email": ("Email", "e-mail", "email address"),
    "phone": ("Phone", "telephone", "tel", "contact number", "phone number"),
    "contact_name": ("Contact name", "contact"),
    "referral": ("How to join", "referral", "referral route", "referrals"),
    "delivery": ("Delivered", "delivery", "format", "online or in person"),
    "languages": ("Languages", "language"),
    "eligibility": ("Who it is for", "eligibility", "who can attend", "criteria"),
    "last_checked": ("Last checked", "date checked", "verified", "last updated", "last verified"),
}
ACCESS_WORDS = {
    "wheelchair": "wheelchair-accessible", "step free": "step-free", "step-free": "step-free",
    "ramp": "step-free", "hearing loop": "hearing-loop", "loop": "hearing-loop", "toilet": "accessible-toilet",
    "changing places": "changing-places", "bsl": "bsl", "sign language": "bsl", "large print": "large-print",
    "dementia": "dementia-friendly", "autism": "autism-friendly", "lift": "lift", "parking": "parking",
    "blue badge": "blue-badge-parking", "bus": "near-bus-stop", "quiet": "quiet-space", "seating": "seating",
    "guide dog": "guide-dogs-welcome", "assistance dog": "guide-dogs-welcome", "learning disab": "learning-disability-friendly",
    "carer": "carer-free", "women only": "women-only-sessions",
}
PAGE_SIZE = 500


def _key(header) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(header or "").lower()).strip()


class SpreadsheetError(ValueError):
    """The file as a whole cannot be read (not a row problem)."""


def load_mapping(path: str | Path | None) -> dict:
    if not path:
        return {}
    try:
        with open(path, "rb") as handle:
            mapping = tomllib.load(handle)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SpreadsheetError(f"The mapping file {path} cannot be read: {exc}") from None
    unknown = set(mapping.get("columns", {})) - set(COLUMNS)
    if unknown:
        raise SpreadsheetError(
            f"The mapping names fields Wayfinder does not have: {', '.join(sorted(unknown))}. "
            f"Known fields: {', '.join(COLUMNS)}."
        )
    return mapping


def read_rows(path: str | Path, mapping: dict) -> tuple[list[str], list[tuple[int, list]]]:
    """The header and the non-blank rows (with their 1-based row numbers) of a CSV or XLSX."""
    path = Path(path)
    if not path.exists():
        raise SpreadsheetError(f"{path} does not exist.")
    sheet = mapping.get("sheet", {})
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a broken file
            raise SpreadsheetError(f"{path.name} is not a readable Excel file: {exc}") from None
        try:
            ws = book[sheet["name"]] if sheet.get("name") else book.worksheets[0]
        except KeyError:
            raise SpreadsheetError(f"{path.name} has no sheet called {sheet['name']!r}; it has "
                                   f"{', '.join(book.sheetnames)}.") from None
        rows = [list(r) for r in ws.iter_rows(values_only=True)]
        book.close()
    else:
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8-sig")  # Excel writes a BOM on "CSV UTF-8"
        except UnicodeDecodeError:
            text = raw.decode("cp1252")  # ... and Windows-1252 on plain "CSV"
        try:
            dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
        except csv.Error:
            dialect = csv.excel
        rows = [list(r) for r in csv.reader(io.StringIO(text), dialect)]
    numbered = [(i + 1, r) for i, r in enumerate(rows) if any(str(c or "").strip() for c in r)]
    if not numbered:
        raise SpreadsheetError(f"{path.name} is empty.")
    header_row = sheet.get("header_row")
    if header_row:
        header = next((r for n, r in numbered if n == header_row), None)
        if header is None:
            raise SpreadsheetError(f"Row {header_row} (the header_row in the mapping) is blank.")
        body = [(n, r) for n, r in numbered if n > header_row]
    else:
        header, body = numbered[0][1], numbered[1:]
    return [str(h or "").strip() for h in header], body


def column_map(header: list[str], mapping: dict) -> tuple[dict[str, list[int]], list[str]]:
    """Wayfinder field -> column positions; plus the mapping's columns that are not in the file."""
    positions = {_key(h): i for i, h in enumerate(header) if h}
    found: dict[str, list[int]] = {}
    missing = []
    for field, wanted in mapping.get("columns", {}).items():
        names = wanted if isinstance(wanted, list) else [wanted]
        idx = [positions.get(_key(n)) for n in names]
        if None in idx:
            missing += [n for n, i in zip(names, idx) if i is None]
        found[field] = [i for i in idx if i is not None]
    taken = {i for idx in found.values() for i in idx}
    for field, aliases in COLUMNS.items():
        if field not in found:
            for alias in aliases:
                if _key(alias) in positions and positions[_key(alias)] not in taken:
                    taken.add(positions[_key(alias)])
                    found[field] = [positions[_key(alias)]]
                    break
    return found, missing


class SpreadsheetReader(Reader):
    """Rows of a sheet as listings; a full snapshot of that sheet every time."""

    snapshot = True

    def __init__(self, path: str | Path, mapping: str | Path | dict | None = None):
        self.path = Path(path)
        self.mapping = mapping if isinstance(mapping, dict) else load_mapping(mapping)
        self.notes: list[str] = []

    def pages(self, state: dict):
        header, rows = read_rows(self.path, self.mapping)
        columns, missing = column_map(header, self.mapping)
        if missing:
            raise SpreadsheetError(f"The mapping names columns that are not in {self.path.name}: "
                                   f"{', '.join(repr(m) for m in missing)}. The header row has: {', '.join(header)}.")
        if "name" not in columns:
            raise SpreadsheetError(f"{self.path.name} has no column for the activity's name. Use the "
                                   "template's 'Activity name' or map yours with --mapping.")
        seen: dict[str, int] = {}
        batch = []
        for number, row in rows:
            batch.append(self._row(number, row, header, columns, seen))
            if len(batch) >= PAGE_SIZE:
                yield Page(batch, label=f"rows up to {number}", total=len(rows))
                batch = []
        yield Page(batch, label="last rows", total=len(rows))

    def _cell(self, row, columns, header, field):
        idx = columns.get(field) or []
        parts = [row[i] for i in idx if i < len(row) and row[i] not in (None, "")]
        value = None
        if len(parts) == 1:
            value = parts[0]
        elif parts:
            value = " ".join(str(p).strip() for p in parts)
        if isinstance(value, str):
            value = value.strip() or None
        if value is None:
            value = self.mapping.get("defaults", {}).get(field)
        translate = self.mapping.get("values", {}).get(field, {})
        if isinstance(value, str) and value in translate:
            value = translate[value]
        names = ", ".join(repr(header[i]) for i in idx) or repr(COLUMNS.get(field, (field,))[0])
        return value, names

    def _row(self, number, row, header, columns, seen):
        raw = {header[i] or f"column {i + 1}": row[i] for i in range(min(len(header), len(row)))}
        raw = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in raw.items()}
        get = lambda f: self._cell(row, columns, header, f)  # noqa: E731
        try:
            return self._record(number, get, raw, seen)
        except _CellError as exc:
            return Rejected(exc.source_id, f"Row {number}, column {exc.column}: {exc}", raw)

    def _record(self, number, get, raw, seen):
        name, _ = get("name")
        postcode, _ = get("postcode")
        when, when_col = get("when")
        given_id, _ = get("id")
        basis = given_id or f"{str(name or '').lower()}|{str(postcode or '').upper().replace(' ', '')}|{str(when or '').lower()}"
        source_id = str(given_id) if given_id else "row:" + hashlib.sha1(basis.encode()).hexdigest()[:16]
        if not name:
            raise _CellError(source_id, get("name")[1], "the activity has no name; every row needs one.")
        if source_id in seen:
            raise _CellError(source_id, "ID" if given_id else get("name")[1],
                             f"this row repeats row {seen[source_id]} (same "
                             f"{'ID' if given_id else 'name, postcode and times'}); give each a different ID.")
        seen[source_id] = number
        rec = ServiceRecord(source_id=source_id, name=str(name), raw=raw)
        rec.description = str(get("description")[0] or "")
        rec.url, rec.email, rec.phone = (_s(get(f)[0]) for f in ("website", "email", "phone"))
        org, _ = get("organisation")
        if org:
            rec.organization = OrganizationRecord(key=f"name:{str(org).lower()}", name=str(org),
                                                  url=_s(get("organisation_website")[0]))
        self._location(rec, get, source_id)
        try:
            rec.schedules = parse_when(when)
        except ValueError as exc:
            raise _CellError(source_id, when_col, str(exc)) from None
        cost, cost_col = get("cost")
        try:
            rec.costs = parse_cost(cost)
        except ValueError as exc:
            raise _CellError(source_id, cost_col, str(exc)) from None
        self._ages(rec, get, source_id)
        self._people(rec, get, source_id)
        checked, checked_col = get("last_checked")
        try:
            rec.assured_date = parse_date(checked)
        except ValueError as exc:
            raise _CellError(source_id, checked_col, str(exc)) from None
        return rec

    def _location(self, rec, get, source_id):
        venue, postcode = _s(get("venue")[0]), _s(get("postcode")[0])
        address, town = _s(get("address")[0]), _s(get("town")[0])
        lat, lat_col = get("latitude")
        lon, lon_col = get("longitude")
        try:
            lat = float(lat) if lat not in (None, "") else None
        except ValueError:
            raise _CellError(source_id, lat_col, f"{lat!r} is not a number.") from None
        try:
            lon = float(lon) if lon not in (None, "") else None
        except ValueError:
            raise _CellError(source_id, lon_col, f"{lon!r} is not a number.") from None
        if venue or postcode or address or lat is not None:
            key = f"venue:{(venue or '').lower()}|{(postcode or '').upper().replace(' ', '')}|{(address or '').lower()}"
            rec.locations.append(LocationRecord(
                key=key, name=venue, address_1=address, city=town, postal_code=postcode, latitude=lat, longitude=lon,
            ))

    def _ages(self, rec, get, source_id):
        ages, ages_col = get("ages")
        try:
            rec.minimum_age, rec.maximum_age = parse_ages(ages)
            for field, attr in (("min_age", "minimum_age"), ("max_age", "maximum_age")):
                value, col = get(field)
                if value not in (None, ""):
                    ages_col = col
                    setattr(rec, attr, parse_int(value, col))
        except ValueError as exc:
            raise _CellError(source_id, ages_col, str(exc)) from None

    def _people(self, rec, get, source_id):
        gender, gender_col = get("gender")
        text = str(gender or "").lower()
        if any(w in text for w in ("women", "female", "ladies", "girls")):
            rec.gender = "female"
        elif any(w in text for w in ("men", "male", "boys", "gents")) and "women" not in text:
            rec.gender = "male"
        elif text and not any(w in text for w in ("all", "any", "mixed", "everyone")):
            raise _CellError(source_id, gender_col, f"{gender!r} is not a gender restriction (use women, men or all).")
        access, access_col = get("accessibility")
        for part in re.split(r"[;,\n]", str(access or "")):
            word = part.strip().lower()
            if not word:
                continue
            code = next((c for c, label in ACCESSIBILITY_FEATURES.items() if word in (c, label.lower())), None)
            code = code or next((c for w, c in ACCESS_WORDS.items() if w in word), None)
            if code is None:
                rec.warnings.append(f"column {access_col}: {part.strip()!r} is not an accessibility feature Wayfinder knows.")
            elif code not in rec.accessibility:
                rec.accessibility.append(code)
        cats, _ = get("categories")
        rec.terms = [TermRef(label=c.strip(), code=c.strip()) for c in re.split(r"[;\n]", str(cats or "")) if c.strip()]
        referral = str(get("referral")[0] or "").lower()
        routes = [r for r, words in (("self", ("self", "drop", "just turn", "anyone")),
                                     ("link_worker", ("link worker", "social prescrib")),
                                     ("clinician", ("gp", "nurse", "clinician", "doctor")))
                  if any(w in referral for w in words)]
        rec.referral_routes = routes or ["self"]
        delivery = str(get("delivery")[0] or "").lower()
        modes = [m for m, words in (("in_person", ("person", "face", "venue")), ("online", ("online", "zoom", "video")),
                                    ("phone", ("phone", "telephone")))
                 if any(w in delivery for w in words)]
        rec.delivery_modes = modes or ["in_person"]
        langs, _ = get("languages")
        rec.languages = [(lang.strip(), None) for lang in re.split(r"[;,]", str(langs or "")) if lang.strip()]
        contact = _s(get("contact_name")[0])
        if contact:
            rec.contacts = [ContactTuple(contact, None, rec.email, rec.phone)]
        rec.eligibility_description = _s(get("eligibility")[0])


def _s(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


class _CellError(ValueError):
    def __init__(self, source_id, column, message):
        super().__init__(message)
        self.source_id = source_id
        self.column = column
