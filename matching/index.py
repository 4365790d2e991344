"""`MatchIndex`: candidate listings laid out as columns, so one request scores all of them at once.

Ranking 100,000 listings within 100 ms rules out a Python loop per listing. The index is built
once per directory version (the web layer caches it until the change log moves) and holds one
NumPy array per fact ranking needs. Constraints and scores are then whole-array expressions, and
only the few dozen best candidates are looked at one by one (areas, timetables, reasons).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from typing import Iterable, Sequence

import numpy as np
from scipy import sparse

from directory.schedules import time_of_day
from directory.vocab import ACCESSIBILITY_FEATURES, DAYS
from matching.config import MatchConfig, load_config
from matching.listing import Listing
from matching.topics import TermLike, TopicModel, listing_category_matrix, word_vectorizer

ACCESS_CODES = tuple(ACCESSIBILITY_FEATURES)
ACCESS_BIT = {code: 1 << n for n, code in enumerate(ACCESS_CODES)}
DELIVERY_BIT = {"in_person": 1, "online": 2, "phone": 4}
ROUTE_BIT = {"self": 1, "link_worker": 2, "clinician": 4}
GENDER_CODE = {"any": 0, "female": 1, "male": 2}
CAPACITY_CODES = ("open", "limited", "unknown", "waiting_list", "full")
SETTING_CODE = {None: 0, "group": 1, "one_to_one": 2}
TIMES = ("morning", "afternoon", "evening")
N_SLOTS = len(DAYS) * len(TIMES)  # a slot is a day of the week and a part of the day
NO_END = np.iinfo(np.int32).max
DEFAULT_SESSION_MINUTES = 90  # when a schedule gives a start but no end

# Language names and the ISO 639-1 codes people and feeds use for the languages most spoken in
# English communities, so "Polish" and "pl" meet.
_LANGUAGE_CODES = {
    "en": "english", "pl": "polish", "ur": "urdu", "pa": "punjabi", "bn": "bengali", "gu": "gujarati",
    "ar": "arabic", "fr": "french", "pt": "portuguese", "es": "spanish", "ro": "romanian", "lt": "lithuanian",
    "it": "italian", "de": "german", "zh": "chinese", "yue": "cantonese", "cmn": "mandarin", "so": "somali",
    "ta": "tamil", "tr": "turkish", "fa": "persian", "ku": "kurdish", "ti": "tigrinya", "cy": "welsh",
    "hi": "hindi", "ru": "russian", "uk": "ukrainian", "cs": "czech", "sk": "slovak", "bg": "bulgarian",
    "hu": "hungarian", "el": "greek", "am": "amharic", "ps": "pashto", "ha": "hausa", "yo": "yoruba",
    "sgn": "british sign language", "bfi": "british sign language", "bsl": "british sign language",
}


def language_key(text: str) -> str:
    """"Polish", "pl", "POLISH " -> "polish"."""
    key = text.strip().lower()
    return _LANGUAGE_CODES.get(key, key)


def slot(day: str, part: str) -> int:
    return DAYS.index(day) * len(TIMES) + TIMES.index(part)


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


@dataclass
class MatchIndex:
    """Column arrays over a list of listings, plus the topic and text models."""

    listings: list[Listing]
    topics: TopicModel
    config: MatchConfig
    lat: np.ndarray
    lon: np.ndarray
    delivery: np.ndarray
    access: np.ndarray
    min_age: np.ndarray
    max_age: np.ndarray
    gender: np.ndarray
    has_area: np.ndarray
    active: np.ndarray
    ends_on: np.ndarray
    close_minute: np.ndarray  # (listings, slots): earliest finishing time in that slot, 0 = none
    slots: np.ndarray  # bit mask of the slots with a session
    daylight_slots: np.ndarray  # (listings, 12): slots whose session ends before dark, per month
    lat_rad: np.ndarray
    lon_rad: np.ndarray
    cos_lat: np.ndarray
    flexible: np.ndarray  # by appointment
    min_cost: np.ndarray
    assured: np.ndarray  # date ordinal, -1 = never
    capacity: np.ndarray
    capacity_expires: np.ndarray  # date ordinal, NO_END = no expiry
    languages: np.ndarray  # bit mask over `language_bits`
    language_bits: dict[str, int]
    interpretation: np.ndarray
    setting: np.ndarray
    routes: np.ndarray
    categories: sparse.csr_matrix
    primary_category: np.ndarray
    text_vectorizer: object
    text_matrix: sparse.csc_matrix  # by column: a query only touches the columns of its words

    def __len__(self) -> int:
        return len(self.listings)

    @classmethod
    def build(
        cls, listings: Iterable[Listing], terms: Sequence[TermLike] | TopicModel, config: MatchConfig | None = None
    ) -> "MatchIndex":
        """Lay out `listings` for ranking against the taxonomy `terms` (or a prebuilt TopicModel)."""
        listings = list(listings)
        config = config or load_config()
        topics = terms if isinstance(terms, TopicModel) else TopicModel(terms, config.topic)
        n = len(listings)
        lat = np.full(n, np.nan)
        lon = np.full(n, np.nan)
        delivery = np.zeros(n, np.uint8)
        access = np.zeros(n, np.uint32)
        min_age = np.zeros(n, np.int16)
        max_age = np.full(n, 200, np.int16)
        gender = np.zeros(n, np.int8)
        has_area = np.zeros(n, bool)
        active = np.zeros(n, bool)
        ends_on = np.full(n, NO_END, np.int32)
        close_minute = np.zeros((n, N_SLOTS), np.uint16)
        flexible = np.zeros(n, bool)
        min_cost = np.full(n, np.nan, np.float32)
        assured = np.full(n, -1, np.int32)
        capacity = np.zeros(n, np.int8)
        capacity_expires = np.full(n, NO_END, np.int32)
        languages = np.zeros(n, np.uint64)
        language_bits: dict[str, int] = {"english": 1}
        interpretation = np.zeros(n, bool)
        setting = np.zeros(n, np.int8)
        routes = np.zeros(n, np.uint8)
        for i, item in enumerate(listings):
            if item.has_location:
                lat[i], lon[i] = item.latitude, item.longitude
            for mode in item.delivery_modes:
                delivery[i] |= DELIVERY_BIT.get(mode, 0)
            for code in item.accessibility:
                access[i] |= ACCESS_BIT.get(code, 0)
            if item.min_age is not None:
                min_age[i] = item.min_age
            if item.max_age is not None:
                max_age[i] = item.max_age
            gender[i] = GENDER_CODE.get(item.gender, 0)
            has_area[i] = bool(item.residency_areas)
            active[i] = item.status == "active" and item.published
            _lay_out_schedules(item, i, ends_on, close_minute, flexible)
            cost = item.min_cost()
            if cost is not None:
                min_cost[i] = cost
            if item.assured_date:
                assured[i] = item.assured_date.toordinal()
            capacity[i] = CAPACITY_CODES.index(item.capacity_status) if item.capacity_status in CAPACITY_CODES else 2
            if item.capacity_expires:
                capacity_expires[i] = item.capacity_expires.toordinal()
            keys = {language_key(l) for l in item.languages} or {"english"}
            for key in keys:
                if key not in language_bits and len(language_bits) < 64:
                    language_bits[key] = 1 << len(language_bits)
                languages[i] |= np.uint64(language_bits.get(key, 0))
            interpretation[i] = item.interpretation
            setting[i] = SETTING_CODE.get(item.setting, 0)
            for route in item.referral_routes:
                routes[i] |= ROUTE_BIT.get(route, 0)
        slots, daylight = slot_masks(close_minute)
        categories = listing_category_matrix(topics, [item.categories for item in listings])
        primary = np.array([topics.position.get(item.categories[0], -1) if item.categories else -1 for item in listings],
                           dtype=np.int32)
        vectorizer = word_vectorizer()
        texts = [item.text for item in listings]
        # An empty directory (or one with no words at all) still needs a fitted vocabulary.
        text_matrix = vectorizer.fit_transform(texts + topics.names)[:n] if n else vectorizer.fit_transform(topics.names)[:0]
        return cls(
            listings=listings, topics=topics, config=config, lat=lat, lon=lon, delivery=delivery, access=access,
            min_age=min_age, max_age=max_age, gender=gender, has_area=has_area, active=active, ends_on=ends_on,
            close_minute=close_minute, slots=slots, daylight_slots=daylight, lat_rad=np.radians(lat),
            lon_rad=np.radians(lon), cos_lat=np.cos(np.radians(lat)), flexible=flexible, min_cost=min_cost, assured=assured, capacity=capacity,
            capacity_expires=capacity_expires, languages=languages, language_bits=language_bits,
            interpretation=interpretation, setting=setting, routes=routes, categories=categories,
            primary_category=primary, text_vectorizer=vectorizer, text_matrix=text_matrix.tocsc(),
        )

    def with_config(self, config: MatchConfig) -> "MatchIndex":
        """The same columns ranked with other weights (the topic model keeps its own settings)."""
        from dataclasses import replace

        return replace(self, config=config)

    def language_mask(self, names: Iterable[str]) -> np.uint64:
        mask = 0
        for name in names:
            mask |= self.language_bits.get(language_key(name), 0)
        return np.uint64(mask)

    def text_similarity(self, text: str) -> np.ndarray:
        """Cosine similarity of `text` with every listing's own words (word TF-IDF)."""
        query = self.text_vectorizer.transform([text])
        if query.nnz == 0:
            return np.zeros(len(self), dtype=np.float32)
        columns = self.text_matrix[:, query.indices]
        return np.asarray(columns @ query.data).ravel().astype(np.float32)

    def category_of(self, position: int, relevance: np.ndarray) -> int:
        """The listing's category most relevant to an interest (for reasons and diversity)."""
        codes = self.categories.indices[self.categories.indptr[position]:self.categories.indptr[position + 1]]
        if len(codes) == 0:
            return -1
        return int(codes[np.argmax(relevance[codes])])


# Roughly when it gets dark in northern England in the middle of each month, as minutes after
# midnight on the clock (sunset at 55 degrees north, rounded down; British Summer Time from April
# to October). A person who will not travel after dark needs a session that finishes by then;
# each listing's daylight slots are worked out once, here.
DARK_FROM = (16 * 60, 17 * 60, 18 * 60, 19 * 60 + 45, 20 * 60 + 45, 21 * 60 + 30,
             21 * 60 + 30, 20 * 60 + 30, 19 * 60 + 15, 18 * 60, 16 * 60, 15 * 60 + 30)
_SLOT_BITS = (np.uint32(1) << np.arange(N_SLOTS, dtype=np.uint32))


def slot_masks(close_minute: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bit masks of the slots with a session, and (per month) of those that end before dark."""
    has = close_minute > 0
    slots = (has * _SLOT_BITS).sum(axis=1, dtype=np.uint32)
    daylight = np.zeros((len(close_minute), 12), dtype=np.uint32)
    for month, dark in enumerate(DARK_FROM):
        daylight[:, month] = ((has & (close_minute <= dark)) * _SLOT_BITS).sum(axis=1, dtype=np.uint32)
    return slots, daylight


def _lay_out_schedules(item: Listing, i: int, ends_on, close_minute, flexible) -> None:
    latest_end: int | None = None
    open_ended = not item.schedules
    for rule in item.schedules:
        if rule.by_appointment and not rule.is_recurring:
            flexible[i] = True
            open_ended = True
            continue
        if rule.valid_to is None:
            open_ended = True
        else:
            latest_end = max(latest_end or 0, rule.valid_to.toordinal())
        if not rule.is_recurring or rule.opens_at is None:
            continue
        part = time_of_day(rule.opens_at)
        if rule.closes_at is not None:
            finish = _minutes(rule.closes_at)
        else:
            finish = min(_minutes(rule.opens_at) + DEFAULT_SESSION_MINUTES, 24 * 60 - 1)
        for day in rule.weekdays():
            column = slot(day, part)
            current = close_minute[i, column]
            close_minute[i, column] = finish if current == 0 else min(current, finish)
    if not open_ended and latest_end is not None:
        ends_on[i] = latest_end


def ended(index: MatchIndex, today: date) -> np.ndarray:
    """Listings whose every schedule has a `valid_to` before `today`."""
    return index.ends_on < today.toordinal()
