"""Per-segment columns: what filters, geography and scoring need, as numpy arrays.

Everything a filter reads is worked out once, when a listing is written to the index, and kept
in whoosh *columns* beside it (`encode`): a fixed-size binary record per listing, plus its venue
coordinates, category keys and weekly session slots. Reading a segment (`SegmentData.load`) is
then one pass over those columns into numpy - about a second for 100,000 listings, where
unpickling every listing's stored facts took eight. The stored facts are read only for the page
of results shown and for the few schedules that need the full recurrence engine.

A whoosh segment never changes after it is written (deletions are recorded beside it), so a
process loads each segment once and reuses it for every later generation of the index: after
an edit only the new, tiny segment is read. Rows of deleted documents keep their place and are
masked out by the snapshot.
"""

from __future__ import annotations

import json
import math
import struct
import threading
from dataclasses import dataclass, field
from datetime import date, time

import numpy as np
from whoosh.util.numeric import byte_to_length, length_to_byte

from directory.schedules import Rule, parse_byday, time_of_day
from directory.search.schema import TEXT_FIELDS
from directory.vocab import ACCESSIBILITY_FEATURES, DAYS, Capacity, DeliveryMode, Gender, ReferralRoute

# Bit positions for the set-valued facts, so a filter is one AND over an integer column.
ACCESS_BITS = {code: 1 << n for n, code in enumerate(ACCESSIBILITY_FEATURES)}
DELIVERY_BITS = {mode.value: 1 << n for n, mode in enumerate(DeliveryMode)}
REFERRAL_BITS = {route.value: 1 << n for n, route in enumerate(ReferralRoute)}
GENDER_CODES = {g.value: n for n, g in enumerate(Gender)}
CAPACITY_CODES = {c.value: n for n, c in enumerate(Capacity)}
TIMES_OF_DAY = ("morning", "afternoon", "evening")
NO_AGE_MIN, NO_AGE_MAX = -1, 999
NO_END = 10**7  # a date ordinal after any real one
POSTINGS_CACHE_LIMIT = 50_000  # (field, term) entries per segment before the cache is reset

# One listing's filter values. Little-endian and packed, so the file is the same everywhere.
RECORD = np.dtype([
    ("live_doc", "?"), ("day_mask", "u1"), ("slot_mask", "<u4"), ("cost_min", "<f4"),
    ("min_age", "<i2"), ("max_age", "<i2"), ("gender", "u1"), ("access", "<u4"),
    ("delivery", "u1"), ("referral", "u1"), ("assured", "<i4"), ("capacity", "u1"),
    ("capacity_expires", "<f8"), ("closed", "?"), ("has_venue", "?"), ("has_area", "?"),
    ("complex", "?"), *((f"len_{name}", "u1") for name in TEXT_FIELDS),
])
SLOT = np.dtype([("day", "<i4"), ("minute", "<i4"), ("from", "<i4"), ("to", "<i4")])
_LENGTH_OF_BYTE = np.asarray([byte_to_length(b) for b in range(256)], np.float32)
_SEP = "\x1f"


def day_bit(day: str) -> int:
    return 1 << DAYS.index(day)


def slot_bit(day: str, part: str) -> int:
    """The bit for "sessions on `day` starting in the `part` of the day"."""
    return 1 << (DAYS.index(day) * 3 + TIMES_OF_DAY.index(part))


def rule_from_facts(raw: dict) -> Rule:
    """A `directory.schedules.Rule` back from its stored form."""

    def _date(v):
        return date.fromisoformat(v) if v else None

    def _time(v):
        return time.fromisoformat(v) if v else None

    excepts = tuple(date.fromisoformat(d.strip()) for d in (raw.get("except_dates") or "").split(",") if d.strip())
    return Rule(
        freq=raw.get("freq"), interval=raw.get("interval") or 1, byday=raw.get("byday"),
        bymonthday=raw.get("bymonthday"), opens_at=_time(raw.get("opens_at")),
        closes_at=_time(raw.get("closes_at")), valid_from=_date(raw.get("valid_from")),
        valid_to=_date(raw.get("valid_to")), dtstart=_date(raw.get("dtstart")),
        except_dates=excepts, by_appointment=bool(raw.get("by_appointment")),
        description=raw.get("description"),
    )


def is_simple_weekly(rule: Rule) -> bool:
    """Weekly, every week, on plain days, no exceptions: next sessions are plain arithmetic."""
    return (
        rule.freq == "WEEKLY" and (rule.interval or 1) == 1 and bool(rule.byday)
        and not rule.bymonthday and not rule.except_dates
        and all(nth is None for nth, _ in parse_byday(rule.byday))
    )


# --------------------------------------------------------------------------------------------
# Writing: a document's column values
# --------------------------------------------------------------------------------------------


_PACK = struct.Struct("<" + "".join(RECORD.fields[name][0].char for name in RECORD.names))
_PARTS = struct.Struct("<5I")  # byte lengths of: id, name, coordinates, categories, slots
assert _PACK.size == RECORD.itemsize


def encode(service_id: str, facts: dict, text: dict[str, str], schema) -> dict[str, bytes]:
    """The `packed` column value for one listing (a keyword argument for `add_document`).

    A fixed `RECORD` of filter values, then the id, name, venue coordinates, category keys and
    simple weekly session slots. `text` holds the listing's text fields; their lengths are
    measured with the schema's own analysis (cached, so whoosh does not analyse twice) and
    quantised exactly as whoosh stores them, so BM25F here equals whoosh's.
    """
    access = set(facts.get("access") or ())
    for venue in facts.get("venues") or ():
        access.update(venue.get("access") or ())
    coordinates = [c for v in facts.get("venues") or () if v.get("lat") is not None and v.get("lon") is not None
                   for c in (v["lat"], v["lon"])]
    day_mask = slot_mask = 0
    slots: list[int] = []
    complex_rules = False
    for rule in (rule_from_facts(r) for r in facts.get("rules") or ()):
        if not rule.is_recurring:
            continue
        part = time_of_day(rule.opens_at)
        for day in rule.weekdays():
            day_mask |= day_bit(day)
            if part:
                slot_mask |= slot_bit(day, part)
        if is_simple_weekly(rule):
            minute = rule.opens_at.hour * 60 + rule.opens_at.minute if rule.opens_at else 0
            start = rule.valid_from.toordinal() if rule.valid_from else 0
            end = rule.valid_to.toordinal() if rule.valid_to else NO_END
            for _, day in parse_byday(rule.byday):
                slots += (DAYS.index(day), minute, start, end)
        else:
            complex_rules = True
    lengths = []
    for name in TEXT_FIELDS:
        length = sum(freq for _, freq, _, _ in schema[name].index(text[name])) if text[name] else 0
        lengths.append(length_to_byte(length) if length else 0)
    record = _PACK.pack(
        True, day_mask, slot_mask,
        math.nan if facts.get("cost_min") is None else facts["cost_min"],
        NO_AGE_MIN if facts.get("min_age") is None else facts["min_age"],
        NO_AGE_MAX if facts.get("max_age") is None else facts["max_age"],
        GENDER_CODES.get(facts.get("gender") or "any", 0),
        sum(ACCESS_BITS[a] for a in access if a in ACCESS_BITS),
        sum(DELIVERY_BITS.get(m, 0) for m in set(facts.get("delivery") or ())),
        sum(REFERRAL_BITS.get(r, 0) for r in set(facts.get("referral") or ())),
        date.fromisoformat(facts["assured"]).toordinal() if facts.get("assured") else 0,
        CAPACITY_CODES.get(facts.get("capacity") or "unknown", CAPACITY_CODES["unknown"]),
        math.nan if facts.get("capacity_expires") is None else facts["capacity_expires"],
        facts.get("status") == "temporarily closed", bool(coordinates), bool(facts.get("areas")), complex_rules,
        *lengths,
    )
    parts = [
        service_id.encode(), (facts.get("name") or "").encode(),
        struct.pack(f"<{len(coordinates)}d", *coordinates),
        _SEP.join(facts.get("categories") or ()).encode(),
        struct.pack(f"<{len(slots)}i", *slots),
    ]
    return {"packed": record + _PARTS.pack(*map(len, parts)) + b"".join(parts)}


# --------------------------------------------------------------------------------------------
# Reading: a segment's columns
# --------------------------------------------------------------------------------------------


@dataclass
class SegmentData:
    """Everything search needs from one segment, as columns indexed by local document number."""

    segment_id: str
    size: int
    ids: list  # service id per document (None for the bookkeeping document)
    names: np.ndarray  # object: listing names, for stable tie-breaks
    columns: dict[str, np.ndarray]
    venue_doc: np.ndarray
    venue_lat: np.ndarray
    venue_lon: np.ndarray
    categories: dict[str, np.ndarray]  # category key -> local docs filed under it
    slots: dict[str, np.ndarray]  # simple weekly sessions, one row per (rule, day)
    complex_docs: np.ndarray  # local docs with at least one rule that is not simple weekly
    lengths: dict[str, np.ndarray]
    areas: dict[int, list[dict]] = field(default_factory=dict)  # local doc -> residents-only areas
    next_cache: dict = field(default_factory=dict, repr=False)  # local doc -> next session
    _rules: dict = field(default_factory=dict, repr=False)
    _postings: dict = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def load(cls, segreader) -> "SegmentData":
        """Read a segment's columns into numpy (and the few residency areas from stored facts)."""
        size = segreader.doc_count_all()
        width, head = RECORD.itemsize, RECORD.itemsize + _PARTS.size
        blank = bytes(width)
        records, ids, labels, places, cats, slot_bytes = [], [], [], [], [], []
        for value in segreader.column_reader("packed", translate=False):
            if len(value) < head:  # the bookkeeping document has no listing columns
                records.append(blank)
                ids.append(None), labels.append(""), places.append(b""), cats.append(""), slot_bytes.append(b"")
                continue
            records.append(value[:width])
            n_id, n_name, n_places, n_cats, n_slots = _PARTS.unpack_from(value, width)
            at = head
            ids.append(value[at : at + n_id].decode())
            at += n_id
            labels.append(value[at : at + n_name].decode())
            at += n_name
            places.append(value[at : at + n_places])
            at += n_places
            cats.append(value[at : at + n_cats].decode())
            slot_bytes.append(value[at + n_cats : at + n_cats + n_slots])
        records = np.frombuffer(b"".join(records), RECORD)
        columns = {name: records[name].copy() for name in RECORD.names if not name.startswith("len_")}
        lengths = {name: np.maximum(_LENGTH_OF_BYTE[records[f"len_{name}"]], 1.0) for name in TEXT_FIELDS}
        live = columns["live_doc"]
        names = np.asarray(labels, dtype=object)

        counts = np.asarray([len(p) // 16 for p in places], np.int64)
        coords = np.frombuffer(b"".join(places), "<f8").reshape(-1, 2)
        slot_counts = np.asarray([len(b) // SLOT.itemsize for b in slot_bytes], np.int64)
        slots = np.frombuffer(b"".join(slot_bytes), SLOT)

        categories: dict[str, list[int]] = {}
        for doc, keys in enumerate(cats):
            if keys:
                for key in keys.split(_SEP):
                    categories.setdefault(key, []).append(doc)
        data = cls(
            segment_id=segreader.segment().segment_id(),
            size=size,
            ids=ids,
            names=names,
            columns=columns,
            venue_doc=np.repeat(np.arange(size), counts),
            venue_lat=coords[:, 0].copy(),
            venue_lon=coords[:, 1].copy(),
            categories={k: np.asarray(v, np.int64) for k, v in categories.items()},
            slots={"doc": np.repeat(np.arange(size), slot_counts), **{k: slots[k].astype(np.int64) for k in SLOT.names}},
            complex_docs=np.flatnonzero(columns["complex"]),
            lengths=lengths,
        )
        # Many listings share an area (a ward): keep one copy of each shape.
        shapes: dict[str, dict] = {}
        for doc in np.flatnonzero(columns["has_area"] & live).tolist():
            areas = segreader.stored_fields(doc)["facts"]["areas"]
            data.areas[doc] = [
                {"name": a.get("name"), "extent": shapes.setdefault(json.dumps(a["extent"], sort_keys=True), a["extent"])
                 if a.get("extent") else None}
                for a in areas
            ]
        return data

    def rules(self, segreader, local: int) -> tuple[Rule, ...]:
        """A listing's schedule rules, read from its stored facts the first time they are asked for."""
        found = self._rules.get(local)
        if found is None:
            facts = segreader.stored_fields(local)["facts"]
            found = self._rules[local] = tuple(rule_from_facts(r) for r in facts.get("rules") or ())
        return found

    # -- postings ----------------------------------------------------------------------------

    def postings(self, segreader, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(local doc numbers, term frequencies) of `text` in `fieldname`, cached."""
        key = (fieldname, text)
        cached = self._postings.get(key)
        if cached is not None:
            return cached
        with self._lock:
            cached = self._postings.get(key)
            if cached is None:
                cached = read_postings(segreader, fieldname, text)
                if len(self._postings) >= POSTINGS_CACHE_LIMIT:
                    self._postings.clear()  # bounded memory; hot terms come straight back
                self._postings[key] = cached
        return cached


_EMPTY = (np.zeros(0, np.int64), np.zeros(0, np.float32))


def read_postings(segreader, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
    """A term's whole posting list as arrays.

    Documents deleted since the segment was written may be included: the snapshot's live mask
    removes them, so the arrays stay valid for every later generation of the segment.
    """
    if (fieldname, text) not in segreader:
        return _EMPTY
    matcher = segreader.postings(fieldname, text)
    leaf = getattr(matcher, "child", matcher)  # under the deleted-documents filter
    if type(leaf).__name__ == "W3LeafMatcher" and hasattr(leaf, "_read_ids"):
        return _read_blocks(leaf)
    return _read_one_by_one(matcher)


def _read_blocks(leaf) -> tuple[np.ndarray, np.ndarray]:
    # whoosh3 3.54's on-disk matcher decodes a block of up to 128 postings at a time; taking
    # the decoded block whole is ~20x faster than stepping through it. Private attributes of a
    # pinned version: `_read_one_by_one` is the public-API twin a test holds it against.
    ids, weights = [], []
    while leaf.is_active():
        leaf._read_ids()
        leaf._read_weights()
        start = leaf._i
        ids.append(np.asarray(leaf._ids[start:], np.int64))
        weights.append(np.asarray(leaf._weights[start:], np.float32))
        leaf._next_block()
    if not ids:
        return _EMPTY
    return np.concatenate(ids), np.concatenate(weights)


def _read_one_by_one(matcher) -> tuple[np.ndarray, np.ndarray]:
    ids, weights = [], []
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return np.asarray(ids, np.int64), np.asarray(weights, np.float32)
