"""Hard constraints: listings that cannot be offered to this person at all, and why.

Each check is a whole-array expression over a `MatchIndex` (True = may be offered). Capacity is
deliberately not here: "full" demotes and says so, because waiting lists open and link workers
know groups that squeeze one more in.

Must-have access needs apply to going in person. A listing that fails them (or is too far) can
still be offered by phone or online when it runs that way and the person is happy with that.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from directory.geo import point_in_area
from matching.index import ACCESS_BIT, DELIVERY_BIT, GENDER_CODE, MatchIndex, ended
from matching.listing import Listing
from matching.profile import Profile

# Needs that rule a venue out when it cannot meet them; any one of the features will do.
HARD_NEEDS: dict[str, tuple[str, ...]] = {
    "wheelchair": ("wheelchair-accessible",),
    "step_free": ("step-free", "wheelchair-accessible"),
    "bsl": ("bsl",),
}
# Needs that make a venue better when met, and earn a warning when not mentioned.
SOFT_NEEDS: dict[str, tuple[str, ...]] = {
    "hearing": ("hearing-loop", "bsl"),
    "sight": ("large-print", "guide-dogs-welcome"),
    "learning_disability": ("learning-disability-friendly",),
    "autism": ("autism-friendly", "quiet-space"),
    "dementia": ("dementia-friendly",),
    "mental_health": ("quiet-space",),
    "carer": ("carer-free",),
    "wheelchair": ("accessible-toilet", "changing-places"),
}
NEED_WORDS = {
    "wheelchair": "wheelchair accessible", "step_free": "step-free", "bsl": "British Sign Language",
    "hearing": "a hearing loop", "sight": "support for sight loss", "learning_disability": "learning disability friendly",
    "autism": "autism friendly", "dementia": "dementia friendly", "mental_health": "a quiet space",
    "carer": "carers come free", "women_only": "women only",
}

REASONS = {
    "closed": "closed, ended or not published",
    "age": "outside the ages it is for",
    "gender": "not open to their gender (or not women-only when they need that)",
    "format": "not offered in a way they can take part (in person, online or phone)",
    "access": "a must-have access need is not met",
    "distance": "too far for the journeys they can make",
    "area": "only for residents of an area they do not live in",
    "topic": "not about anything they asked for",
}


def hard_needs(profile: Profile) -> dict[str, tuple[str, ...]]:
    """The must-have access needs of this person, with the features that satisfy each."""
    needs = {}
    if "wheelchair" in profile.access_needs or profile.walking == "wheelchair":
        needs["wheelchair"] = HARD_NEEDS["wheelchair"]
    if profile.step_free or "step_free" in profile.access_needs:
        needs["step_free"] = HARD_NEEDS["step_free"]
    if "bsl" in profile.access_needs:
        needs["bsl"] = HARD_NEEDS["bsl"]
    return needs


def soft_needs(profile: Profile) -> dict[str, tuple[str, ...]]:
    return {need: SOFT_NEEDS[need] for need in profile.access_needs if need in SOFT_NEEDS}


def feature_mask(codes: tuple[str, ...]) -> int:
    mask = 0
    for code in codes:
        mask |= ACCESS_BIT[code]
    return mask


def is_open(index: MatchIndex, today: date) -> np.ndarray:
    """Active, published and not past the end of every schedule."""
    return index.active & ~ended(index, today)


def age_ok(profile: Profile, index: MatchIndex) -> np.ndarray:
    if profile.age is None:
        return np.ones(len(index), bool)  # unknown: a warning says who it is for
    return (index.min_age <= profile.age) & (profile.age <= index.max_age)


def gender_ok(profile: Profile, index: MatchIndex) -> np.ndarray:
    """Open to their gender; and women-only when that is what they need."""
    if profile.gender not in ("female", "male"):
        ok = np.ones(len(index), bool)  # not said, or neither: a warning names the restriction
    else:
        ok = (index.gender == 0) | (index.gender == GENDER_CODE[profile.gender])
    if "women_only" in profile.access_needs:
        women_only = (index.access & np.uint32(ACCESS_BIT["women-only-sessions"])) > 0
        ok &= (index.gender == GENDER_CODE["female"]) | women_only
    return ok


def in_person_possible(profile: Profile, index: MatchIndex) -> np.ndarray:
    """Runs in person, the person will go in person, and every must-have need is met there."""
    possible = np.zeros(len(index), bool)
    if "in_person" in profile.delivery:
        possible = (index.delivery & DELIVERY_BIT["in_person"]) > 0
    for features in hard_needs(profile).values():
        possible &= (index.access & np.uint32(feature_mask(features))) > 0
    return possible


def remote_possible(profile: Profile, index: MatchIndex) -> np.ndarray:
    """Runs online or by phone in a way the person said they can take part."""
    wanted = sum(DELIVERY_BIT[m] for m in profile.delivery if m != "in_person")
    possible = (index.delivery & np.uint8(wanted)) > 0
    if "bsl" in profile.access_needs:  # a phone line is no use without a text or video option
        possible &= (index.delivery & DELIVERY_BIT["online"]) > 0
    return possible


@dataclass
class Eligibility:
    """Which listings may be offered, and how (in person and/or remotely)."""

    allowed: np.ndarray
    in_person: np.ndarray
    remote: np.ndarray
    excluded: dict[str, int] = field(default_factory=dict)  # reason -> how many it removed first


def check(profile: Profile, index: MatchIndex, today: date, reachable: np.ndarray) -> Eligibility:
    """Apply every hard constraint. `reachable` marks venues within their longest journey.

    `excluded` counts listings by the first constraint that removed them, in the order of
    `REASONS`, for "why so few?" and for commissioners' unmet-need reports.
    """
    possible = in_person_possible(profile, index)
    in_person = possible & reachable
    remote = remote_possible(profile, index)
    goes_in_person = ((index.delivery & DELIVERY_BIT["in_person"]) > 0) & ("in_person" in profile.delivery)
    steps = [
        ("closed", is_open(index, today)),
        ("age", age_ok(profile, index)),
        ("gender", gender_ok(profile, index)),
        ("format", goes_in_person | remote),
        ("access", possible | remote),
        ("distance", in_person | remote),
    ]
    alive = np.ones(len(index), bool)
    excluded = {}
    for name, passes in steps:
        removed = alive & ~passes
        excluded[name] = int(removed.sum())
        alive &= passes
    return Eligibility(allowed=alive, in_person=in_person & alive, remote=remote & alive, excluded=excluded)


def residency_ok(profile: Profile, listing: Listing) -> bool | None:
    """True/False when the person's home is inside/outside the listing's areas; None if unknown."""
    if not listing.residency_areas:
        return True
    if not profile.has_location:
        return None
    return any(point_in_area(profile.latitude, profile.longitude, area.geojson) for area in listing.residency_areas)


def why_not(profile: Profile, index: MatchIndex, position: int, today: date, reachable: np.ndarray) -> list[str]:
    """Every hard constraint listing `position` fails, in words (for "why isn't X suggested?")."""
    reasons = []
    if not is_open(index, today)[position]:
        reasons.append(REASONS["closed"])
    if not age_ok(profile, index)[position]:
        reasons.append(REASONS["age"])
    if not gender_ok(profile, index)[position]:
        reasons.append(REASONS["gender"])
    remote = remote_possible(profile, index)[position]
    runs_in_person = bool(index.delivery[position] & DELIVERY_BIT["in_person"])
    if not remote and not (runs_in_person and "in_person" in profile.delivery):
        reasons.append(REASONS["format"])
    elif not remote and not in_person_possible(profile, index)[position]:
        reasons.append(REASONS["access"])
    elif not remote and not reachable[position]:
        reasons.append(REASONS["distance"])
    if residency_ok(profile, index.listings[position]) is False:
        reasons.append(REASONS["area"])
    return reasons
