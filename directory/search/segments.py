"""Per-segment columns: the index's stored facts turned into numpy arrays once.

A whoosh segment never changes after it is written (deletions are recorded beside it), so
everything derived from one - filter columns, venue coordinates, schedules, field lengths and
posting lists - is computed the first time a process meets the segment and reused for every
later generation of the index. After an edit only the new, tiny segment is read; the big one
stays warm. Rows of deleted documents keep their place and are masked out by the snapshot.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import date, time

import numpy as np

from directory.schedules import Rule, parse_byday, time_of_day
from directory.search.schema import META_ID, TEXT_FIELDS
from directory.vocab import ACCESSIBILITY_FEATURES, DAYS, Capacity, DeliveryMode, Gender, ReferralRoute

# Bit positions for the set-valued facts, so a filter is one AND over an integer column.
ACCESS_BITS = {code: 1 << n for n, code in enumerate(ACCESSIBILITY_FEATURES)}
DELIVERY_BITS = {mode.value: 1 << n for n, mode in enumerate(DeliveryMode)}
REFERRAL_BITS = {route.value: 1 << n for n, route in enumerate(ReferralRoute)}
GENDER_CODES = {g.value: n for n, g in enumerate(Gender)}
CAPACITY_CODES = {c.value: n for n, c in enumerate(Capacity)}
TIMES_OF_DAY = ("morning", "afternoon", "evening")
NO_AGE_MIN, NO_AGE_MAX = -1, 999
POSTINGS_CACHE_LIMIT = 50_000  # (field, term) entries per segment before the cache is reset


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
    areas: dict[int, list[dict]]  # local doc -> residents-only areas
    rules: dict[int, tuple[Rule, ...]]  # local doc -> schedule rules (only docs that have any)
    slots: dict[str, np.ndarray]  # simple weekly sessions, one row per (rule, day)
    complex_docs: np.ndarray  # local docs with at least one rule that is not simple weekly
    lengths: dict[str, np.ndarray] = field(default_factory=dict)
    next_cache: dict = field(default_factory=dict, repr=False)  # local doc -> next session
    _postings: dict = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    # -- building ----------------------------------------------------------------------------

    @classmethod
    def load(cls, segreader) -> "SegmentData":
        """Read a segment's stored facts and field lengths into columns."""
        size = segreader.doc_count_all()
        ids: list = [None] * size
        names = np.empty(size, dtype=object)
        names[:] = ""
        col = {
            "live_doc": np.zeros(size, bool),  # a listing (not deleted at load, not bookkeeping)
            "day_mask": np.zeros(size, np.uint8),
            "slot_mask": np.zeros(size, np.uint32),
            "cost_min": np.full(size, np.nan, np.float32),
            "min_age": np.full(size, NO_AGE_MIN, np.int16),
            "max_age": np.full(size, NO_AGE_MAX, np.int16),
            "gender": np.zeros(size, np.uint8),
            "access": np.zeros(size, np.uint32),
            "delivery": np.zeros(size, np.uint8),
            "referral": np.zeros(size, np.uint8),
            "assured": np.zeros(size, np.int32),  # date ordinal; 0 = never verified
            "capacity": np.full(size, CAPACITY_CODES[Capacity.UNKNOWN.value], np.uint8),
            "capacity_expires": np.full(size, np.nan, np.float64),
            "closed": np.zeros(size, bool),  # temporarily closed
            "has_venue": np.zeros(size, bool),
            "has_area": np.zeros(size, bool),
        }
        v_doc, v_lat, v_lon = [], [], []
        categories: dict[str, list[int]] = {}
        areas: dict[int, list[dict]] = {}
        rules: dict[int, tuple[Rule, ...]] = {}
        s_doc, s_day, s_min, s_from, s_to = [], [], [], [], []
        complex_docs = []
        for docnum, stored in segreader.iter_docs():
            sid = stored.get("id")
            facts = stored.get("facts") or {}
            if sid == META_ID or not facts:
                continue
            ids[docnum] = sid
            names[docnum] = facts.get("name") or ""
            col["live_doc"][docnum] = True
            _fill_columns(col, docnum, facts)
            for venue in facts.get("venues") or ():
                if venue.get("lat") is not None and venue.get("lon") is not None:
                    v_doc.append(docnum)
                    v_lat.append(venue["lat"])
                    v_lon.append(venue["lon"])
                    col["has_venue"][docnum] = True
            for key in facts.get("categories") or ():
                categories.setdefault(key, []).append(docnum)
            doc_areas = [a for a in facts.get("areas") or () if a]
            if doc_areas:
                areas[docnum] = doc_areas
                col["has_area"][docnum] = True
            doc_rules = tuple(rule_from_facts(r) for r in facts.get("rules") or ())
            if doc_rules:
                rules[docnum] = doc_rules
                day_mask, slot_mask, simple = _schedule_masks(doc_rules)
                col["day_mask"][docnum] = day_mask
                col["slot_mask"][docnum] = slot_mask
                for rule in doc_rules:
                    if rule in simple:
                        minute = (rule.opens_at.hour * 60 + rule.opens_at.minute) if rule.opens_at else 0
                        for _, day in parse_byday(rule.byday):
                            s_doc.append(docnum)
                            s_day.append(DAYS.index(day))
                            s_min.append(minute)
                            s_from.append(rule.valid_from.toordinal() if rule.valid_from else 0)
                            s_to.append(rule.valid_to.toordinal() if rule.valid_to else 10**7)
                if len(simple) < len(doc_rules):
                    complex_docs.append(docnum)
        data = cls(
            segment_id=segreader.segment().segment_id(),
            size=size,
            ids=ids,
            names=names,
            columns=col,
            venue_doc=np.asarray(v_doc, np.int64),
            venue_lat=np.asarray(v_lat, np.float64),
            venue_lon=np.asarray(v_lon, np.float64),
            categories={k: np.asarray(v, np.int64) for k, v in categories.items()},
            areas=areas,
            rules=rules,
            slots={
                "doc": np.asarray(s_doc, np.int64), "day": np.asarray(s_day, np.int64),
                "minute": np.asarray(s_min, np.int64), "from": np.asarray(s_from, np.int64),
                "to": np.asarray(s_to, np.int64),
            },
            complex_docs=np.asarray(complex_docs, np.int64),
        )
        data.lengths = {name: _field_lengths(segreader, name, size) for name in TEXT_FIELDS}
        return data

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
    """A term's whole posting list as arrays (deleted documents already left out)."""
    if (fieldname, text) not in segreader:
        return _EMPTY
    matcher = segreader.postings(fieldname, text)
    ids, weights = [], []
    # Per posting through whoosh's public matcher API: ~1 µs each, paid once per term and
    # segment, after which the arrays are reused by every search.
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return np.asarray(ids, np.int64), np.asarray(weights, np.float32)


def _field_lengths(segreader, fieldname: str, size: int) -> np.ndarray:
    """Each document's (whoosh-quantised) length in `fieldname`, as BM25F sees it."""
    lengths = np.zeros(size, np.float32)
    getter = segreader.doc_field_length
    for docnum in range(size):
        lengths[docnum] = getter(docnum, fieldname, 1) or 1
    return lengths


def _fill_columns(col: dict, n: int, facts: dict) -> None:
    if facts.get("cost_min") is not None:
        col["cost_min"][n] = facts["cost_min"]
    if facts.get("min_age") is not None:
        col["min_age"][n] = facts["min_age"]
    if facts.get("max_age") is not None:
        col["max_age"][n] = facts["max_age"]
    col["gender"][n] = GENDER_CODES.get(facts.get("gender") or "any", 0)
    access = set(facts.get("access") or ())
    for venue in facts.get("venues") or ():
        access.update(venue.get("access") or ())
    col["access"][n] = sum(ACCESS_BITS[a] for a in access if a in ACCESS_BITS)
    col["delivery"][n] = sum(DELIVERY_BITS.get(m, 0) for m in set(facts.get("delivery") or ()))
    col["referral"][n] = sum(REFERRAL_BITS.get(r, 0) for r in set(facts.get("referral") or ()))
    if facts.get("assured"):
        col["assured"][n] = date.fromisoformat(facts["assured"]).toordinal()
    col["capacity"][n] = CAPACITY_CODES.get(facts.get("capacity") or "unknown", CAPACITY_CODES["unknown"])
    if facts.get("capacity_expires") is not None:
        col["capacity_expires"][n] = facts["capacity_expires"]
    col["closed"][n] = facts.get("status") == "temporarily closed"


def _schedule_masks(rules: tuple[Rule, ...]) -> tuple[int, int, list[Rule]]:
    """(days it runs, day x time-of-day slots it starts in, the simple weekly rules)."""
    day_mask = slot_mask = 0
    simple = []
    for rule in rules:
        if not rule.is_recurring:
            continue
        days = rule.weekdays()
        for day in days:
            day_mask |= day_bit(day)
            part = time_of_day(rule.opens_at)
            if part:
                slot_mask |= slot_bit(day, part)
        if is_simple_weekly(rule):
            simple.append(rule)
    return day_mask, slot_mask, simple
