"""`search(session, request) -> SearchResults`: the one way into search.

Order of work, cheapest narrowing first:

1. The index snapshot, brought up to date with the change log (`SearchIndex.snapshot`).
2. Geography: a postcode or place through the gazetteer (or coordinates) and a radius give the
   candidate rows from the numpy geo index. Online and phone listings with no venue are
   candidates everywhere. Without a place every listing is a candidate.
3. Residency: listings only for residents of an area are hidden from people outside it (or
   marked, if asked), and marked when we do not know where the person is.
4. Text: the widened query (`directory.search.query`) scored with vectorised BM25F; rows that
   match nothing are dropped.
5. Filters as masks, facet counts, demotion of stale and full listings, sorting, one page.
6. An anonymous line in the search log.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from sqlalchemy.orm import Session

from directory.errors import NotFound, ValidationError
from directory.geo import km_to_miles
from directory.search.facets import compute_facets
from directory.search.filters import DEFAULT_RADIUS_KM, Context, SearchRequest, combine, demotion, dimension_masks, effective_capacity
from directory.search.index import SearchIndex, get_index
from directory.search.log import record_search
from directory.search.presentation import facet_list
from directory.search.query import TextQuery, build_text_query, words_of
from directory.search.results import SearchResults, build_result
from directory.search.scoring import Scored, evaluate, matched_groups
from directory.search.segments import CAPACITY_CODES, DELIVERY_BITS
from directory.search.sessions import LOCAL, from_minutes, local_now, to_minutes
from directory.search.vocabulary import Categories

# Relevance, in words: matching more of the typed words matters (coordination), a category the
# taxonomy recognised counts like a good title match, nearer is a little better, and stale or
# full listings sink but stay visible.
COORDINATION_FLOOR = 0.25
CATEGORY_WEIGHT = 8.0
DISTANCE_SCALE_KM = 8.0  # relevance halves at this distance
STALE_FACTOR = 0.6
FULL_FACTOR = 0.5
CLOSED_FACTOR = 0.4
REMOTE_BITS = DELIVERY_BITS["online"] | DELIVERY_BITS["phone"]
TEXT_QUERY_CACHE = 2048  # widened queries remembered per index generation

_default_index_dir: str | None = None


def configure(index_dir: str | Path) -> None:
    """Set the index folder `search()` uses when none is passed (the web app calls this)."""
    global _default_index_dir
    _default_index_dir = str(index_dir)


def default_index() -> SearchIndex:
    if _default_index_dir is None:
        raise RuntimeError("directory.search is not configured: call configure(index_dir) first.")
    return get_index(_default_index_dir)


def search(session: Session, request: SearchRequest, *, index: SearchIndex | None = None, log: bool = True,
           geocoder=None) -> SearchResults:
    """Run one search. Raises `ValidationError` naming the parameter at fault.

    `geocoder` is an optional online geocoder (see `directory.gazetteer.make_online_geocoder`),
    asked only when the local gazetteer does not know the place.
    """
    started = time.perf_counter()
    index = index or default_index()
    snap = index.snapshot(session)
    categories = index.categories(session)
    request = request.validate(known_category=lambda code: categories.known(code) or code in snap.category_rows)
    point, location = _locate(session, request, geocoder)
    now = local_now(request.now)

    # 2. Geography first.
    distance = np.full(snap.size, np.inf)
    if point:
        radius = request.radius_km or DEFAULT_RADIUS_KM
        near_rows, near_km = snap.geo.within(point[0], point[1], radius)
        distance[near_rows] = near_km
        candidate = np.zeros(snap.size, bool)
        candidate[near_rows] = True
        if request.include_remote:
            candidate |= snap.live & ~snap.columns["has_venue"] & ((snap.columns["delivery"] & REMOTE_BITS) != 0)
        location.update(radius_km=round(radius, 3), radius_miles=round(km_to_miles(radius), 2))
    else:
        candidate = snap.live.copy()

    # 3. Residency areas.
    inside = np.zeros(snap.size, bool)
    if point and len(snap.areas.rows_with_areas):
        inside[snap.areas.rows_containing(point[0], point[1])] = True
        if request.outside_area == "hide":
            outside = np.zeros(snap.size, bool)
            outside[snap.areas.rows_with_areas] = True
            outside &= ~inside
            outside[snap.areas.unchecked] = False  # an area with no shape cannot be judged
            candidate &= ~outside

    # 4. Text.
    text_query = None
    if (request.text or "").strip():
        text_query = _text_query(snap, categories, request.text)
        scored = _score_text(snap, text_query, categories)
        keep = candidate[scored.rows]
        rows, relevance = scored.rows[keep], scored.scores[keep]
    else:
        rows = np.flatnonzero(candidate)
        relevance = np.ones(len(rows))

    # 5. Filters, facets, ranking, the page.
    ctx = Context(
        today=now.date(), now_epoch=now.replace(tzinfo=LOCAL).timestamp(), now_minutes=to_minutes(now),
        next_sessions=lambda: snap.next_sessions(now, rows), expand_category=categories.expand,
    )
    masks = dimension_masks(snap, rows, request, ctx)
    facets = compute_facets(snap, rows, masks, request, ctx, categories.index.codes)
    keep = combine(masks, len(rows))
    rows, relevance = rows[keep], relevance[keep]
    stale, full = demotion(snap, rows, ctx)
    sort = request.effective_sort()
    relevance = _ranked_relevance(snap, rows, relevance, distance[rows], stale, full, bool(point))
    order = _order(snap, rows, relevance, distance[rows], stale, full, sort, ctx)
    total = len(rows)
    start = (request.page - 1) * request.per_page
    page = order[start : start + request.per_page]

    upcoming = ctx.upcoming() if ctx._next is not None else snap.next_sessions(now, rows[page])
    capacity = effective_capacity(snap.columns, rows[page], ctx.now_epoch)
    names = {v: k for k, v in CAPACITY_CODES.items()}
    results = []
    for n, i in enumerate(page):
        row = rows[i]
        results.append(build_result(
            snap.service_id(row), snap.facts(row), score=relevance[i],
            distance_km=float(distance[row]) if np.isfinite(distance[row]) else None, point=point,
            next_session=from_minutes(upcoming[row]), today=ctx.today, stale=stale[i], full=full[i],
            capacity=names[int(capacity[n])], residency=_residency(snap, row, point, inside), category_name=categories.name,
        ))
    outcome = SearchResults(
        total=total, page=request.page, per_page=request.per_page, sort=sort, results=results,
        facets=facet_list(facets, request, categories), location=location or None,
        suggestion=text_query.suggestion if text_query else None,
        understood=[{"code": c, "name": categories.name(c), "score": round(s, 3)} for c, s in (text_query.categories.items() if text_query else ())],
        index={"generation": snap.generation, "head": snap.head, "listings": snap.count},
    )
    if log:
        district = location.get("district") if location else None
        record_search(session, request, district=district, result_count=total)
    outcome.took_ms = (time.perf_counter() - started) * 1000
    return outcome


# --------------------------------------------------------------------------------------------


def _locate(session: Session, request: SearchRequest, geocoder=None) -> tuple[tuple[float, float] | None, dict]:
    if request.near:
        from directory.gazetteer import Gazetteer

        try:
            found = Gazetteer(session, online=geocoder).lookup(request.near)
        except (ValidationError, NotFound) as exc:
            raise ValidationError("near", getattr(exc, "message", None) or str(exc)) from None
        return (found.latitude, found.longitude), {
            "label": found.label, "precision": found.precision, "district": found.district,
            "latitude": found.latitude, "longitude": found.longitude,
        }
    if request.latitude is not None:
        return (request.latitude, request.longitude), {
            "label": f"{request.latitude:.4f}, {request.longitude:.4f}", "precision": "coordinates",
            "district": None, "latitude": request.latitude, "longitude": request.longitude,
        }
    return None, {}


def _text_query(snap, categories: Categories, text: str) -> TextQuery:
    """The widened query, remembered per index generation and taxonomy (people repeat searches;
    the widening depends only on the text, the index's terms and the categories)."""
    cache = snap.__dict__.setdefault("_text_queries", {})
    key = (text.strip(), id(categories))
    hit = cache.get(key)
    if hit is not None:
        return hit[1]

    def document_frequency(term: str) -> int:
        return sum(snap.doc_frequency(name, term) for name in ("title", "categories", "organisation", "description"))

    vocabulary, choices = _vocabulary(snap, categories)
    found = build_text_query(
        text, document_frequency=document_frequency, vocabulary=vocabulary,
        vocabulary_list=choices, taxonomy=categories.index,
    )
    if len(cache) >= TEXT_QUERY_CACHE:
        cache.clear()
    cache[key] = (categories, found)  # holding `categories` keeps its id from being reused
    return found


def _vocabulary(snap, categories: Categories) -> tuple[dict[str, int], list[str]]:
    """Words typos are corrected to: the listings' own, plus the categories' names and synonyms."""
    cache = snap.__dict__.setdefault("_vocabulary_with", {})
    key = id(categories)
    if key not in cache:
        words = dict(snap.vocabulary)
        for spec in categories.index.specs:
            for text in (spec.name, *spec.synonyms):
                for word in words_of(text):
                    if len(word) >= 3:
                        words.setdefault(word, 0)
        cache.clear()
        cache[key] = (words, list(words), categories)  # holding `categories` keeps its id unique
    return cache[key][:2]


def _score_text(snap, query: TextQuery, categories: Categories) -> Scored:
    """Word groups with coordination, plus synonyms, plus the categories the text named."""
    groups = query.group_queries()
    words, matched = matched_groups(groups, snap)
    if len(words):
        coordination = COORDINATION_FLOOR + (1 - COORDINATION_FLOOR) * matched / len(groups)
        words = Scored(words.rows, words.scores * coordination)
    parts = [words] + [evaluate(q, snap) for q in query.synonym_queries()]
    for code, confidence in query.categories.items():
        rows = snap.rows_under(categories.expand(code))
        parts.append(Scored(rows, np.full(len(rows), CATEGORY_WEIGHT * confidence)))
    parts = [p for p in parts if len(p)]
    if not parts:
        return Scored.empty()
    all_rows = np.concatenate([p.rows for p in parts])
    unique, inverse = np.unique(all_rows, return_inverse=True)
    total = np.bincount(inverse, weights=np.concatenate([p.scores for p in parts]))
    keep = snap.live[unique]
    return Scored(unique[keep], total[keep])


def _ranked_relevance(snap, rows, relevance, distance, stale, full, located) -> np.ndarray:
    """Relevance as ranked (and reported): demotions applied, and nearer a little better."""
    score = relevance * np.where(stale, STALE_FACTOR, 1.0) * np.where(full, FULL_FACTOR, 1.0)
    score = score * np.where(snap.columns["closed"][rows], CLOSED_FACTOR, 1.0)
    if located:
        score = score / (1.0 + np.where(np.isfinite(distance), distance, DISTANCE_SCALE_KM) / DISTANCE_SCALE_KM)
    return score


def _order(snap, rows, relevance, distance, stale, full, sort, ctx) -> np.ndarray:
    """Indexes into `rows`, best first. Demoted listings sink but are never dropped."""
    if not len(rows):
        return np.zeros(0, np.int64)
    names = snap.name_rank[rows]
    demoted = stale | full | snap.columns["closed"][rows]
    finite = np.where(np.isfinite(distance), distance, 1e9)  # no venue: after every located one
    if sort == "distance":
        keys = (names, finite, demoted)
    elif sort == "soonest":
        keys = (names, finite, ctx.upcoming()[rows], demoted)
    else:
        keys = (names, finite, -np.round(relevance, 9))
    return np.lexsort(keys)  # the last key sorts first


def _residency(snap, row: int, point, inside: np.ndarray) -> dict:
    names = snap.areas.names.get(int(row))
    if not names:
        return {"restricted": False, "areas": [], "person_inside": None}
    checkable = int(row) not in snap.areas.unchecked
    person_inside = bool(inside[row]) if point and checkable else None
    return {"restricted": True, "areas": names, "person_inside": person_inside}
