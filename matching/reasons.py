"""Reasons and warnings in plain words: why a match fits and what might get in the way.

Each function looks at one listing (already ranked) and returns two lists of short sentences:
reasons ("Free", "Step-free access", "Every Tuesday, 10am to 11:30am - you said mornings suit
you") and warnings ("Full until September", "Not checked since 2024", "Two buses").
"""

from __future__ import annotations

from datetime import date

from directory.schedules import describe, format_time, time_of_day
from directory.vocab import ACCESSIBILITY_FEATURES, DAY_NAMES, REFERRAL_LABELS, ReferralRoute
from matching.config import MatchConfig
from matching.constraints import NEED_WORDS, hard_needs, soft_needs
from matching.index import language_key
from matching.listing import Listing
from matching.profile import Profile
from matching.scores import dark_from, pays_bus_fare
from matching.transport import Journey, describe_journey

Lines = tuple[list[str], list[str]]
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")


def money(amount: float) -> str:
    """3 -> "£3"; 2.5 -> "£2.50"."""
    return f"£{amount:.0f}" if float(amount).is_integer() else f"£{amount:.2f}"


def _month(day: date, today: date) -> str:
    return MONTHS[day.month - 1] + ("" if day.year == today.year else f" {day.year}")


def topic_reasons(labels: list[tuple[str, str | None, bool, str | None]]) -> list[str]:
    """From (their words, category name, matched by category?, chosen category) per interest fitted,
    best first: "Matches 'gardening' (Gardening)", "Also matches 'I'm lonely'"."""
    lines = []
    for n, (label, category, by_category, chosen) in enumerate(labels):
        if chosen:
            text = f"in {category}, a category you chose" if n == 0 else f"also in {category}, which you chose"
        else:
            text = ("matches" if n == 0 else "also matches") + f" '{label}'"
            if by_category and category and category.lower() != label.lower():
                text += f" ({category})"
        lines.append(text[0].upper() + text[1:])
    return lines


def travel_lines(profile: Profile, journey: Journey | None, delivery: str, config: MatchConfig) -> Lines:
    if delivery == "online":
        return ["Online — no travel needed"], []
    if delivery == "phone":
        return ["By phone — no travel needed"], []
    if journey is None:
        if not profile.has_location:
            return [], ["Add a postcode or location to see how far it is"]
        return [], ["The venue's location is not known — check how to get there"]
    reasons, warnings = [describe_journey(journey)], []
    if journey.minutes > profile.max_travel_minutes:
        warnings.append(f"A little longer than the {profile.max_travel_minutes} minutes you said")
    if journey.mode == "bus":
        if journey.buses >= 2:
            warnings.append("Two buses" + (" (estimate)" if journey.estimate else ""))
        if pays_bus_fare(profile, config):
            warnings.append(f"Bus fare about {money(config.cost.bus_fare)} each way")
        elif profile.age is not None and profile.age >= config.cost.concession_age:
            reasons.append("Free with an older person's bus pass after 9:30am on weekdays")
    elif journey.mode == "lift":
        warnings.append("Needs a lift from family or friends")
    elif journey.mode == "community_transport":
        warnings.append("Book community transport ahead")
    return reasons, warnings


def access_lines(profile: Profile, listing: Listing, in_person: bool) -> Lines:
    if not in_person:
        return [], []
    reasons, warnings = [], []
    for features in hard_needs(profile).values():
        met = [f for f in features if f in listing.accessibility]
        reasons.extend(ACCESSIBILITY_FEATURES[f] for f in met[:1])
    for need, features in soft_needs(profile).items():
        met = [f for f in features if f in listing.accessibility]
        if met:
            reasons.append(ACCESSIBILITY_FEATURES[met[0]])
        elif need != "wheelchair":  # wheelchair extras (toilets) are a bonus, not a worry
            warnings.append(f"Not marked as {NEED_WORDS[need]} — check with them")
    return list(dict.fromkeys(reasons)), warnings


def cost_lines(profile: Profile, listing: Listing, uses_bus: bool, config: MatchConfig) -> Lines:
    price = listing.min_cost()
    if price is None:
        return [], ["Cost not stated — ask them"]
    if price == 0:
        return ["Free"], []
    option = next((c.option for c in listing.costs if c.amount == price and c.option), None)
    text = f"{money(price)} {option}" if option else f"{money(price)} a session"
    budget = profile.budget_per_session
    if budget is not None:
        total = price + (2 * config.cost.bus_fare if uses_bus and pays_bus_fare(profile, config) else 0)
        if total > budget + 1e-9:
            return [], [f"{text} — more than the {money(budget)} you can spend" if budget else f"{text} — not free"]
        return [f"{text} — within your {money(budget)}"], []
    return [text], []


def _free_words(profile: Profile, part: str | None, days: set[str]) -> str:
    day_words = [DAY_NAMES[d] for d in profile.days_free if d in days]
    if profile.times_free and part and day_words:
        return f"{day_words[0]} {part}s suit you"
    if profile.times_free and part:
        return f"{part}s suit you"
    if day_words:
        return f"{day_words[0]}s suit you"
    return ""


def schedule_lines(profile: Profile, listing: Listing, in_person: bool, today: date) -> Lines:
    recurring = [r for r in listing.schedules if r.is_recurring and r.opens_at is not None]
    if not recurring:
        if any(r.by_appointment for r in listing.schedules):
            return ["By appointment — they will arrange a time with you"], []
        return [], ["Times not listed — contact them to ask"]
    days_free = set(profile.days_free) or set(DAY_NAMES)
    parts_free = set(profile.times_free) or {"morning", "afternoon", "evening"}
    dark = dark_from(today.month)
    fitting, dark_only = [], []
    for rule in recurring:
        part = time_of_day(rule.opens_at)
        days = rule.weekdays() & days_free
        if not days or part not in parts_free:
            continue
        finish = rule.closes_at
        if profile.avoid_dark and in_person and finish is not None and finish.hour * 60 + finish.minute > dark:
            dark_only.append(rule)
        else:
            fitting.append(rule)
    if fitting:
        rule = fitting[0]
        said = _free_words(profile, time_of_day(rule.opens_at), rule.weekdays())
        return [describe(rule) + (f" — you said {said}" if said else "")], []
    if dark_only:
        rule = dark_only[0]
        return [], [f"{describe(rule)} — finishes at {format_time(rule.closes_at)}, after dark at this time of year"]
    return [], [f"{describe(recurring[0])} — not when you said you are free"]


def capacity_lines(listing: Listing, today: date) -> Lines:
    status = listing.capacity_status
    if listing.capacity_expires and listing.capacity_expires < today:
        status = "unknown"  # the statement has lapsed

    def said(text: str) -> str:
        # The group's own note adds to the status, unless it only repeats it.
        note = (listing.capacity_note or "").strip()
        if not note or status == "unknown":
            return text
        return note if note.lower().startswith(text.lower()) else f"{text} ({note})"

    if status == "open":
        return [said("Places available")], []
    if status == "limited":
        return [said("A few places left")], []
    if status in ("full", "waiting_list"):
        until = f" until {_month(listing.capacity_expires, today)}" if listing.capacity_expires else " at the moment"
        return [], [said("Full" + until + (" — waiting list open" if status == "waiting_list" else ""))]
    return [], []


def freshness_lines(listing: Listing, today: date, config: MatchConfig) -> Lines:
    if listing.assured_date is None:
        return [], ["Never checked — details may be out of date"]
    if (today - listing.assured_date).days > config.freshness.warn_days:
        return [], [f"Not checked since {listing.assured_date.year}"]
    return [f"Details checked {_month(listing.assured_date, today)}"], []


def eligibility_lines(profile: Profile, listing: Listing, residency: bool | None) -> Lines:
    reasons, warnings = [], []
    low, high = listing.min_age, listing.max_age
    if (low is not None or high is not None) and profile.age is None:
        if low is not None and high is not None:
            warnings.append(f"For ages {low} to {high}")
        elif low is not None:
            warnings.append(f"For ages {low} and over")
        else:
            warnings.append(f"For ages up to {high}")
    if listing.gender in ("female", "male") and profile.gender != listing.gender:
        warnings.append("Women only" if listing.gender == "female" else "Men only")
    elif "women_only" in profile.access_needs:
        reasons.append("Women only" if listing.gender == "female" else "Women-only sessions")
    areas = ", ".join(a.name for a in listing.residency_areas)
    if residency is None and areas:
        warnings.append(f"Only for people who live in {areas}")
    elif residency and areas:
        reasons.append(f"For people who live in {areas}, as you do")
    return reasons, warnings


def language_lines(profile: Profile, listing: Listing) -> Lines:
    offered = {language_key(l) for l in listing.languages} or {"english"}
    spoken = {language_key(l) for l in profile.languages}
    shared = offered & spoken
    if shared - {"english"}:
        return [f"In {sorted(shared - {'english'})[0].title()}"], []
    if shared:
        return [], []
    if listing.interpretation:
        return ["Interpreters can be arranged"], []
    names = " or ".join(sorted(o.title() for o in offered))
    return [], [f"Run in {names} — no interpreter mentioned"]


def referral_lines(profile: Profile, listing: Listing) -> Lines:
    routes = set(listing.referral_routes)
    if "self" in routes:
        return [REFERRAL_LABELS[ReferralRoute.SELF]], []
    if profile.referrer in routes:
        return [REFERRAL_LABELS[ReferralRoute(profile.referrer)]], []
    needed = " or ".join(_REFERRED_BY[r] for r in ("link_worker", "clinician") if r in routes)
    return [], [f"Needs a referral {needed}" if needed else "Ask them how to get a place"]


_REFERRED_BY = {"link_worker": "from a link worker", "clinician": "from a GP or nurse"}


def setting_lines(profile: Profile, listing: Listing) -> Lines:
    if profile.setting == "either" or listing.setting is None:
        return [], []
    words = {"group": "a group", "one_to_one": "one-to-one"}
    if listing.setting == profile.setting:
        return [f"{words[listing.setting].capitalize()}, as you prefer"], []
    return [], [f"This is {words[listing.setting]} — you said {words[profile.setting]}"]


def explain(profile: Profile, listing: Listing, *, topic: list[str], journey: Journey | None, delivery: str,
            residency: bool | None, today: date, config: MatchConfig) -> Lines:
    """All reasons and warnings for one match, most important first."""
    in_person = delivery == "in_person"
    uses_bus = journey is not None and journey.mode == "bus"
    reasons, warnings = list(topic), []
    for lines in (
        travel_lines(profile, journey, delivery, config),
        access_lines(profile, listing, in_person),
        schedule_lines(profile, listing, in_person, today),
        cost_lines(profile, listing, uses_bus, config),
        capacity_lines(listing, today),
        eligibility_lines(profile, listing, residency),
        language_lines(profile, listing),
        setting_lines(profile, listing),
        referral_lines(profile, listing),
        freshness_lines(listing, today, config),
    ):
        reasons.extend(lines[0])
        warnings.extend(lines[1])
    return reasons, warnings
