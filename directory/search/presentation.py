"""Facet counts with the plain-English labels people see, and which values are chosen."""

from __future__ import annotations

from directory.search.facets import COST_LEVELS, VERIFIED_LEVELS
from directory.search.results import Facet, FacetValue
from directory.vocab import ACCESSIBILITY_FEATURES, CAPACITY_LABELS, DAY_NAMES, REFERRAL_LABELS, Capacity, ReferralRoute

_LABELS = {
    "time": {"morning": "Morning (before 12)", "afternoon": "Afternoon (12 to 5pm)", "evening": "Evening (after 5pm)"},
    "next_7_days": {"yes": "In the next 7 days"},
    "cost": {"free": "Free", **{f"up_to_{n}": f"Up to £{n}" for n in COST_LEVELS}, "not_stated": "Cost not stated"},
    "gender": {"any": "Open to everyone", "female": "Women only", "male": "Men only"},
    "delivery": {"in_person": "In person", "online": "Online", "phone": "By phone"},
    "verified": {f"within_{n}_months": f"Checked in the last {n} months" for n in VERIFIED_LEVELS},
    "capacity": {"has_places": "Has places", **{c.value: CAPACITY_LABELS[c] for c in Capacity}},
    "day": DAY_NAMES,
    "accessibility": ACCESSIBILITY_FEATURES,
    "referral": {r.value: REFERRAL_LABELS[r] for r in ReferralRoute},
}
_TITLES = {
    "category": "Category", "day": "Day", "time": "Time of day", "next_7_days": "When",
    "cost": "Cost", "gender": "Who it is for", "accessibility": "Accessibility", "referral": "How to join",
    "delivery": "How it is delivered", "verified": "Recently checked", "capacity": "Places",
}


def _selected(name: str, value: str, request) -> bool:
    chosen = {
        "category": request.categories, "day": request.days, "time": request.times,
        "accessibility": request.accessibility, "delivery": request.delivery,
        "next_7_days": ("yes",) if request.next_7_days else (),
        "cost": ("free",) if request.free else (f"up_to_{request.max_cost:g}",) if request.max_cost is not None else (),
        "referral": ("self",) if request.self_referral else (),
        "capacity": ("has_places",) if request.has_places else (),
        "verified": (f"within_{request.verified_within_months}_months",) if request.verified_within_months else (),
        "gender": (),
    }
    return value in chosen.get(name, ())


def facet_list(counts: dict[str, dict[str, int]], request, categories) -> list[Facet]:
    """Facets in display order, each value labelled."""
    facets = []
    for name, values in counts.items():
        labels = _LABELS.get(name, {})
        facets.append(Facet(name, _TITLES.get(name, name), [
            FacetValue(value, categories.name(value) if name == "category" else labels.get(value, value),
                       count, _selected(name, value, request))
            for value, count in values.items()
        ]))
    return facets
