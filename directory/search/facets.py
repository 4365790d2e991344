"""Facet counts: for each filter, how many results each of its values would give.

Counts for a dimension apply every *other* filter of the request but not its own, the way
people expect a sidebar to behave: with "Tuesday" chosen, Wednesday's count still says how many
Wednesday groups match the rest of the search. Categories are counted with everything beneath
them ("Being active" counts a health walk).
"""

from __future__ import annotations

import numpy as np

from directory.search.filters import (
    PLACES,
    Context,
    SearchRequest,
    combine,
    effective_capacity,
    months_ago,
)
from directory.search.segments import (
    ACCESS_BITS,
    CAPACITY_CODES,
    DELIVERY_BITS,
    GENDER_CODES,
    REFERRAL_BITS,
    TIMES_OF_DAY,
    day_bit,
    slot_bit,
)
from directory.search.sessions import MINUTES_PER_DAY
from directory.vocab import DAYS

COST_LEVELS = (3, 5, 10)  # "up to £N" buckets
VERIFIED_LEVELS = (3, 6, 12)  # "checked in the last N months"


def compute_facets(
    snapshot, rows: np.ndarray, masks: dict[str, np.ndarray], request: SearchRequest, ctx: Context,
    category_codes: list[str],
) -> dict[str, dict[str, int]]:
    """Every facet's counts over the candidate `rows` (already text-, place- and area-matched)."""
    col = snapshot.columns
    size = len(rows)

    def base(dimension: str) -> np.ndarray:
        return combine(masks, size, without=dimension)

    def count(mask: np.ndarray) -> int:
        return int(np.count_nonzero(mask))

    facets: dict[str, dict[str, int]] = {}

    selected = np.zeros(snapshot.size, bool)
    selected[rows[base("category")]] = True
    categories = {}
    for code in category_codes:
        n = count(selected[snapshot.rows_under(ctx.expand_category(code))])
        if n:
            categories[code] = n
    facets["category"] = categories

    keep = base("when")
    slot, days = col["slot_mask"][rows][keep], col["day_mask"][rows][keep]
    times = request.times
    facets["day"] = {
        d: count((slot & sum(slot_bit(d, t) for t in times)) != 0) if times else count((days & day_bit(d)) != 0)
        for d in DAYS
    }
    chosen_days = request.days or DAYS
    facets["time"] = {t: count((slot & sum(slot_bit(d, t) for d in chosen_days)) != 0) for t in TIMES_OF_DAY}

    keep = base("next_7_days")
    upcoming = ctx.upcoming()[rows][keep]
    facets["next_7_days"] = {"yes": count(upcoming < ctx.now_minutes + 7 * MINUTES_PER_DAY)}

    keep = base("cost")
    cost = col["cost_min"][rows][keep]
    facets["cost"] = {"free": count(cost <= 0), **{f"up_to_{n}": count(cost <= n) for n in COST_LEVELS},
                      "not_stated": count(np.isnan(cost))}

    keep = base("gender")
    gender = col["gender"][rows][keep]
    facets["gender"] = {name: count(gender == code) for name, code in GENDER_CODES.items()}

    keep = base("accessibility")
    access = col["access"][rows][keep]
    facets["accessibility"] = {code: count((access & bit) != 0) for code, bit in ACCESS_BITS.items()}

    keep = base("referral")
    referral = col["referral"][rows][keep]
    facets["referral"] = {route: count((referral & bit) != 0) for route, bit in REFERRAL_BITS.items()}

    keep = base("delivery")
    delivery = col["delivery"][rows][keep]
    facets["delivery"] = {mode: count((delivery & bit) != 0) for mode, bit in DELIVERY_BITS.items()}

    keep = base("verified")
    assured = col["assured"][rows][keep]
    facets["verified"] = {f"within_{n}_months": count(assured >= months_ago(ctx.today, n)) for n in VERIFIED_LEVELS}

    keep = base("capacity")
    capacity = effective_capacity(col, rows[keep], ctx.now_epoch)
    facets["capacity"] = {"has_places": count(np.isin(capacity, PLACES)),
                          **{name: count(capacity == code) for name, code in CAPACITY_CODES.items()}}
    return facets
