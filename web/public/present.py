"""Words for the public pages: a listing's cost, sessions, access and way in, in plain English.

Pure functions over the models (no Flask), registered as Jinja globals by the blueprint, so the
results page, the activity page, the print view and the embed all say things the same way.
Aim: reading age about 9. Short words, short sentences, no jargon.
"""

from __future__ import annotations

from datetime import date, datetime

from directory.geo import format_distance
from directory.models import Location, Service
from directory.schedules import Rule, describe, format_time, next_occurrences
from directory.vocab import ACCESSIBILITY_FEATURES, CAPACITY_LABELS, Capacity, DeliveryMode, Gender, ReferralRoute

# How old "last checked" may be before we warn that details may have changed.
STALE_AFTER_DAYS = 365


def cost_text(service: Service) -> str:
    """"Free", "£2.50 per session", "£3 (concessions £1.50)" or "Ask about cost"."""
    priced = [c for c in service.cost_options if c.amount is not None]
    if priced and all(c.amount == 0 for c in priced):
        return "Free"
    if priced:
        parts = []
        for c in sorted(priced, key=lambda c: c.amount):
            amount = "Free" if c.amount == 0 else f"£{c.amount:,.2f}".replace(".00", "")
            parts.append(f"{amount} {c.option}" if c.option else amount)
        return parts[0] + (f" ({', '.join(parts[1:])})" if parts[1:] else "")
    if service.fees_description:
        return service.fees_description
    return "Ask about cost"


def session_when(moment: datetime | None, today: date) -> str:
    """"Today at 10am", "Tomorrow at 1:30pm", "Tuesday 25 November at 10am"."""
    if moment is None:
        return ""
    days = (moment.date() - today).days
    day = {0: "Today", 1: "Tomorrow"}.get(days, f"{moment:%A} {moment.day} {moment:%B}")
    return f"{day} at {format_time(moment.time())}"


def schedule_lines(service: Service) -> list[str]:
    """Each schedule in words ("Every Tuesday, 10am to 11:30am"), with its notes."""
    lines = []
    for row in service.schedules:
        line = describe(Rule.from_row(row))
        if row.notes:
            line += f" ({row.notes})"
        lines.append(line)
    return lines or ["Contact them for times"]


def upcoming_sessions(service: Service, now: datetime, count: int = 3) -> list[datetime]:
    """The next `count` session start times across all the schedules."""
    times = sorted(t for row in service.schedules for t in next_occurrences(Rule.from_row(row), now, count))
    return times[:count]


def access_labels(service: Service, location: Location | None) -> list[str]:
    """Access features of the activity and its venue, as labels, in the vocabulary's order."""
    codes = set(service.accessibility or []) | set((location.accessibility or []) if location else [])
    return [label for code, label in ACCESSIBILITY_FEATURES.items() if code in codes]


def can_just_turn_up(service: Service) -> bool:
    return ReferralRoute.SELF.value in (service.referral_routes or [])


def way_in(service: Service) -> str:
    """The short badge: "You can just turn up" or "Ask to be referred"."""
    return "You can just turn up" if can_just_turn_up(service) else "Ask to be referred"


def referral_text(service: Service) -> list[str]:
    """Each way in, in words."""
    routes = service.referral_routes or []
    lines = []
    if ReferralRoute.SELF.value in routes:
        lines.append("You do not need to be referred. You can go along or contact them yourself.")
    if ReferralRoute.LINK_WORKER.value in routes:
        lines.append("A link worker (social prescriber) at your GP practice can refer you.")
    if ReferralRoute.CLINICIAN.value in routes:
        lines.append("Your GP, nurse or another health worker can refer you.")
    return lines or ["Contact them to ask how to join."]


def capacity_text(service: Service) -> str | None:
    """What the group said about places, or None when unknown."""
    if service.capacity_status == Capacity.UNKNOWN.value:
        return None
    label = CAPACITY_LABELS[Capacity(service.capacity_status)]
    return f"{label}: {service.capacity_note}" if service.capacity_note else label


def who_for(service: Service) -> list[str]:
    """Age, gender and conditions, as short sentences."""
    lines = []
    low, high = service.minimum_age, service.maximum_age
    if low is not None and high is not None:
        lines.append(f"For people aged {low} to {high}.")
    elif low is not None:
        lines.append(f"For people aged {low} and over.")
    elif high is not None:
        lines.append(f"For people aged {high} and under.")
    if service.gender == Gender.FEMALE.value:
        lines.append("For women only.")
    elif service.gender == Gender.MALE.value:
        lines.append("For men only.")
    if service.eligibility_description:
        lines.append(service.eligibility_description)
    if service.conditions:
        lines.append(service.conditions)
    return lines or ["Anyone can go."]


def delivery_text(service: Service) -> str | None:
    """"Online", "By phone", or None for in person only (the usual case needs no words)."""
    modes = set(service.delivery_modes or [])
    words = []
    if DeliveryMode.ONLINE.value in modes:
        words.append("online")
    if DeliveryMode.PHONE.value in modes:
        words.append("by phone")
    if not words:
        return None
    if DeliveryMode.IN_PERSON.value in modes:
        words.insert(0, "in person")
    return ("Happens " + " and ".join(words) + ".").replace("Happens by phone", "By phone")


def last_checked(service: Service, today: date) -> tuple[str, bool]:
    """("12 March 2025", is_stale) from the assured date, or the last change when never checked."""
    when = service.assured_date or service.last_modified.date()
    stale = (today - when).days > STALE_AFTER_DAYS
    return f"{when.day} {when:%B %Y}", stale


def distance_text(km: float | None) -> str | None:
    return format_distance(km) if km is not None else None


def venue_address(location: Location | None) -> str:
    if location is None:
        return ""
    parts = [location.name, location.address_1, location.address_2, location.city, location.postal_code]
    return ", ".join(p for p in parts if p)


def phone_href(number: str) -> str:
    """A tel: link target with only the characters diallers understand."""
    return "tel:" + "".join(ch for ch in number if ch.isdigit() or ch == "+")


HELPERS = {
    "cost_text": cost_text,
    "session_when": session_when,
    "schedule_lines": schedule_lines,
    "access_labels": access_labels,
    "way_in": way_in,
    "can_just_turn_up": can_just_turn_up,
    "referral_text": referral_text,
    "capacity_text": capacity_text,
    "who_for": who_for,
    "delivery_text": delivery_text,
    "distance_text": distance_text,
    "venue_address": venue_address,
    "phone_href": phone_href,
}
