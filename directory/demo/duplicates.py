"""Deliberate duplicates: the same group as a second source lists it, with small differences.

Real directories get the same walking group from the CVS spreadsheet and from an OpenActive
feed, spelt a little differently, at the same or the next postcode, sometimes under a
differently written organisation name. The demo plants a few such pairs so deduplication has
something realistic to find: the original carries a "CVS spreadsheet" source record, the twin an
"OpenActive feed" one, and `Planner.duplicate_pairs` lists them (original id, twin id).
"""

from __future__ import annotations

import copy
import random
import re
from datetime import time

from directory.demo.records import CVS_SOURCE, DEMO_SOURCE, OPENACTIVE_SOURCE, ServiceRecord


def variant_name(rng: random.Random, name: str, words: dict, *, kind: str = "service") -> str:
    """`name` as another source might spell it: punctuation, abbreviations, case, and for a
    listing (`kind` "service") a suffix such as " - drop in". Always differs from `name`, yet is
    recognisably the same group, venue or organisation."""
    candidates = []
    if "'" in name:
        candidates.append(name.replace("'", ""))
    for long, short in words["duplicates"]["abbreviations"]:
        if long in name:
            candidates.append(name.replace(long, short, 1))
    if kind == "service" and " - " not in name:
        candidates.append(name + rng.choice([s for s in words["duplicates"]["suffixes"] if s]))
    if kind == "organisation":
        candidates.append(name[4:] if name.startswith("The ") else f"The {name}")
    candidates.append(name.upper() if len(name) < 30 else name.lower().capitalize())
    result = rng.choice(candidates)
    if "'" in result and rng.random() < 0.4:  # sometimes two small differences at once
        result = result.replace("'", "")
    return result if result != name else name.upper()


def variant_text(rng: random.Random, text: str, words: dict) -> str:
    """A description as a second source has it: a sentence shorter, or one sentence added."""
    sentences = re.split(r"(?<=[.!?])\s+", text.strip())
    if len(sentences) > 1 and rng.random() < 0.6:
        return " ".join(sentences[:-1])
    return f"{text.strip()} {rng.choice(words['duplicates']['extra_sentences'])}"


def squashed_phone(phone: str) -> str:
    """``"0191 498 0123"`` -> ``"01914980123"``: spreadsheets and feeds format numbers differently."""
    return phone.replace(" ", "")


def build_twin(planner, original: ServiceRecord, number: int, pending: list) -> ServiceRecord:
    """A second copy of `original` from another source; new rows go to `pending` first."""
    rng, ids, words = planner.rng, planner.ids, planner.words
    venue = original.venue
    loc = venue.locality
    row = venue.row
    if rng.random() < 0.6:  # same postcode, a few metres away
        point = (row["postal_code"], round(row["latitude"] + rng.uniform(-4e-5, 4e-5), 6), round(row["longitude"] + rng.uniform(-4e-5, 4e-5), 6))
    else:
        point = planner.geo.near_point(rng, loc, row["postal_code"], row["latitude"], row["longitude"])
    twin_venue = planner.new_venue(loc, venue.kind, pending, point=point, name=variant_name(rng, row["name"], words, kind="venue"))
    twin_venue.row["accessibility"] = [c for c in row["accessibility"] if rng.random() < 0.7]
    twin_venue.row["accessibility_details"] = None

    org = original.org
    if rng.random() < 0.5:  # the feed's publisher, written its own way
        org = planner.new_org(org.kind, org.town, org.locality, pending, name=variant_name(rng, org.row["name"], words, kind="organisation"))
        org.row["phone"] = squashed_phone(original.org.row["phone"])
    org.count += 1

    source = original.service
    service = copy.deepcopy(source)
    service.update(
        id=ids.new(),
        organization_id=org.id,
        name=variant_name(rng, source["name"], words),
        description=variant_text(rng, source["description"], words),
        what_to_expect=None if rng.random() < 0.5 else source["what_to_expect"],
        url=f"https://example.org/openactive/{org.slug}/{ids.hex(8)}",
        phone=squashed_phone(source["phone"]) if rng.random() < 0.7 else source["phone"],
        capacity_status="unknown", capacity_note=None, capacity_stated_at=None, capacity_expires_at=None,
        interpretation_services=None,
        assured_date=None if rng.random() < 0.5 else source["assured_date"],
    )
    service["assurer_email"] = source["assurer_email"] if service["assured_date"] else None
    service["accessibility"] = [c for c in source["accessibility"] if rng.random() < 0.6]

    schedules = []
    for schedule in original.schedules:
        copied = dict(schedule, id=ids.new(), location_id=twin_venue.id, notes=None)
        if copied.get("opens_at") and rng.random() < 0.3:  # "10:00" in one source, "10:15" in the other
            opens = copied["opens_at"]
            copied["opens_at"] = time(opens.hour, 15) if opens.minute == 0 else opens
        schedules.append(copied)
    costs = [dict(c, id=ids.new()) for c in original.costs] if rng.random() < 0.7 else []
    if not costs:
        service["fees_description"] = None
    twin = ServiceRecord(
        number, service, org, twin_venue, original.codes,
        schedules=schedules, costs=costs,
        languages=[dict(original.languages[0], id=ids.new())],  # feeds rarely list languages
        contacts=[dict(c, id=ids.new()) for c in original.contacts if rng.random() < 0.5],
        areas=[dict(a, id=ids.new()) for a in original.areas],
        twin_of=source["id"], template_key=original.template_key,
    )
    modified = service["last_modified"]
    twin.sources.append((DEMO_SOURCE, f"demo-{planner.seed}-{number:06d}", modified.isoformat()))
    twin.sources.append((OPENACTIVE_SOURCE, f"https://example.org/openactive/session-series/{ids.new()}", str(int(modified.timestamp() * 1000))))
    original.sources[:] = [s for s in original.sources if s[0] not in (CVS_SOURCE, OPENACTIVE_SOURCE)]
    original.sources.append((CVS_SOURCE, f"CVS-{ids.hex()}", source["last_modified"].isoformat()))
    if service["assured_date"] is not None:
        twin.verification = dict(original.verification, id=ids.new()) if original.verification else None
    planner.duplicate_pairs.append((source["id"], service["id"]))
    return twin
