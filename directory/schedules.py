"""Recurring schedules: parse RRULE-style rules, find the next sessions, say them in words.

Pure Python (python-dateutil, no database) so search, matching and the pages share it. Times
are wall-clock times in the schedule's timezone (Europe/London by default): a walk "at 10am"
stays at 10am across the clocks changing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from dateutil import rrule

from directory.errors import ValidationError
from directory.vocab import DAY_NAMES, DAYS

_BYDAY_PART = re.compile(r"^([+-]?[1-5])?(MO|TU|WE|TH|FR|SA|SU)$")
_RRULE_DAYS = dict(zip(DAYS, (rrule.MO, rrule.TU, rrule.WE, rrule.TH, rrule.FR, rrule.SA, rrule.SU)))
_FREQS = {"DAILY": rrule.DAILY, "WEEKLY": rrule.WEEKLY, "MONTHLY": rrule.MONTHLY, "YEARLY": rrule.YEARLY}
_ORDINALS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last", -2: "second to last"}


def parse_byday(text: str) -> list[tuple[int | None, str]]:
    """``"MO,2WE,-1FR"`` -> ``[(None, "MO"), (2, "WE"), (-1, "FR")]``; raises on nonsense."""
    parts = []
    for raw in str(text).upper().replace(" ", "").split(","):
        if not raw:
            continue
        match = _BYDAY_PART.match(raw)
        if not match:
            raise ValidationError(
                "schedule.byday",
                f"{raw!r} is not a day. Use MO, TU, WE, TH, FR, SA, SU, optionally numbered (2MO, -1FR).",
            )
        nth, day = match.groups()
        parts.append((int(nth) if nth else None, day))
    return parts


@dataclass(frozen=True)
class Rule:
    """A plain copy of a schedule row, so pure code never touches the ORM."""

    freq: str | None = None
    interval: int = 1
    byday: str | None = None
    bymonthday: str | None = None
    opens_at: time | None = None
    closes_at: time | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    dtstart: date | None = None
    except_dates: tuple[date, ...] = field(default_factory=tuple)
    by_appointment: bool = False
    description: str | None = None

    @classmethod
    def from_row(cls, row) -> "Rule":
        """Build from anything with schedule attributes (an ORM `Schedule`, a namespace)."""
        excepts = tuple(
            date.fromisoformat(d.strip())
            for d in (getattr(row, "except_dates", None) or "").split(",")
            if d.strip()
        )
        return cls(
            freq=row.freq,
            interval=row.interval or 1,
            byday=row.byday,
            bymonthday=row.bymonthday,
            opens_at=row.opens_at,
            closes_at=row.closes_at,
            valid_from=row.valid_from,
            valid_to=row.valid_to,
            dtstart=row.dtstart,
            except_dates=excepts,
            by_appointment=bool(row.by_appointment),
            description=row.description,
        )

    @property
    def is_recurring(self) -> bool:
        return self.freq is not None

    def weekdays(self) -> set[str]:
        """The days of the week this rule can fall on (all seven for DAILY)."""
        if self.freq == "DAILY" and not self.byday:
            return set(DAYS)
        return {day for _, day in parse_byday(self.byday or "")}


def _rrule_for(rule: Rule, start: datetime) -> rrule.rrule | None:
    if not rule.freq:
        return None
    kwargs: dict = {"interval": rule.interval or 1}
    if rule.byday:
        kwargs["byweekday"] = [
            _RRULE_DAYS[day](nth) if nth else _RRULE_DAYS[day] for nth, day in parse_byday(rule.byday)
        ]
    if rule.bymonthday:
        kwargs["bymonthday"] = [int(x) for x in str(rule.bymonthday).split(",") if x.strip()]
    opens = rule.opens_at or time(0)
    anchor = rule.dtstart or rule.valid_from
    if anchor is None or (rule.interval or 1) == 1:
        # Without an anchor a fortnightly rule cannot know its phase; start from today.
        anchor = max(start.date(), rule.valid_from) if rule.valid_from else start.date()
    dtstart = datetime.combine(anchor, opens)
    until = datetime.combine(rule.valid_to, time(23, 59)) if rule.valid_to else None
    return rrule.rrule(_FREQS[rule.freq], dtstart=dtstart, until=until, **kwargs)


def next_occurrences(rule: Rule, after: datetime, count: int = 3) -> list[datetime]:
    """The next `count` session start times strictly after `after` (naive local times)."""
    after = after.replace(tzinfo=None)
    recurrence = _rrule_for(rule, after)
    if recurrence is None:
        return []
    found: list[datetime] = []
    moment = after
    # Bounded: a rule whose every date is excepted must not loop forever.
    for _ in range(count + len(rule.except_dates) + 1):
        nxt = recurrence.after(moment, inc=False)
        if nxt is None:
            break
        moment = nxt
        if nxt.date() in rule.except_dates or (rule.valid_from and nxt.date() < rule.valid_from):
            continue
        found.append(nxt)
        if len(found) == count:
            break
    return found


def next_occurrence(rules, after: datetime) -> datetime | None:
    """The soonest session across several rules, or None."""
    soonest = [occ[0] for r in rules if (occ := next_occurrences(r, after, 1))]
    return min(soonest) if soonest else None


def format_time(value: time) -> str:
    """``10:00`` -> ``10am``; ``13:30`` -> ``1:30pm``; ``12:00`` -> ``midday``."""
    if value == time(12):
        return "midday"
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    return f"{hour}{suffix}" if value.minute == 0 else f"{hour}:{value.minute:02d}{suffix}"


def _days_in_words(parts: list[tuple[int | None, str]], monthly: bool) -> str:
    names = []
    for nth, day in parts:
        plural = DAY_NAMES[day] + ("s" if not nth and not monthly else "")
        names.append(f"{_ORDINALS.get(nth, str(nth))} {DAY_NAMES[day]}" if nth else plural)
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def describe(rule: Rule) -> str:
    """The rule in plain English: "Every Tuesday, 10am to 11:30am"."""
    if not rule.is_recurring:
        if rule.by_appointment:
            return "By appointment - contact them to arrange a time"
        return rule.description or "Contact them for times"
    parts = parse_byday(rule.byday or "")
    if rule.freq == "DAILY":
        when = "Every day" if (rule.interval or 1) == 1 else f"Every {rule.interval} days"
    elif rule.freq == "WEEKLY":
        days = _days_in_words(parts, monthly=False) if parts else "week"
        when = {1: f"Every {days.rstrip('s') if len(parts) == 1 else days}", 2: f"Every other {days.rstrip('s')}"}.get(
            rule.interval or 1, f"Every {rule.interval} weeks on {days}"
        )
        if len(parts) > 1 and (rule.interval or 1) == 1:
            when = f"{days}"
    elif rule.freq == "MONTHLY":
        if parts:
            when = f"The {_days_in_words(parts, monthly=True)} of every month"
        elif rule.bymonthday:
            when = f"On day {rule.bymonthday} of every month"
        else:
            when = "Once a month"
    else:
        when = "Once a year"
    if rule.opens_at and rule.closes_at:
        when += f", {format_time(rule.opens_at)} to {format_time(rule.closes_at)}"
    elif rule.opens_at:
        when += f", from {format_time(rule.opens_at)}"
    return when


def time_of_day(value: time | None) -> str | None:
    """morning (before 12), afternoon (12-5pm) or evening (5pm on)."""
    if value is None:
        return None
    if value < time(12):
        return "morning"
    if value < time(17):
        return "afternoon"
    return "evening"


def within_days(rule: Rule, after: datetime, days: int) -> bool:
    """True when the rule has a session in the next `days` days."""
    occ = next_occurrences(rule, after, 1)
    return bool(occ) and occ[0] < after.replace(tzinfo=None) + timedelta(days=days)
