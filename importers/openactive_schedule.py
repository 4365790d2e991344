"""OpenActive times and schedules in the directory's terms.

`eventSchedule` (Schedule and PartialSchedule), `hoursAvailable` (opening hours of a facility)
and the dated sessions of a series all become weekly RRULE-style rules with wall-clock times in
the schedule's timezone, which is what a person reads ("Tuesdays, 7pm to 8pm"). A
PartialSchedule is taken for the pattern it states and never expanded into dated sessions.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dateutil import parser as dateparser

from importers.records import ScheduleRecord

LONDON = "Europe/London"
_DAY_NAMES = {
    "monday": "MO", "tuesday": "TU", "wednesday": "WE", "thursday": "TH", "friday": "FR",
    "saturday": "SA", "sunday": "SU",
}
_ICAL = {"MO", "TU", "WE", "TH", "FR", "SA", "SU"}
_WEEKDAY = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")
_DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$")


def day_code(value) -> str | None:
    """``https://schema.org/Monday``, ``http://schema.org/Friday``, ``Monday``, ``MO`` -> ``MO``."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    tail = text.rsplit("/", 1)[-1].rsplit("#", 1)[-1].lower()
    if tail in _DAY_NAMES:
        return _DAY_NAMES[tail]
    if text.upper() in _ICAL:
        return text.upper()
    return None


def parse_time(value) -> time | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return time.fromisoformat(value.strip()[:8]).replace(microsecond=0)
    except ValueError:
        try:
            return dateparser.parse(value).time().replace(microsecond=0)
        except (ValueError, OverflowError):
            return None


def parse_date(value) -> date | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return dateparser.isoparse(value.strip()).date()
    except (ValueError, OverflowError):
        return None


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or LONDON)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo(LONDON)


def local_pattern(start: str | None, end: str | None, tz: str | None = None):
    """A dated session's weekday and local start/end times: ``("TU", "19:00", "20:00")``."""
    if not isinstance(start, str):
        return None
    try:
        begins = dateparser.isoparse(start)
    except (ValueError, OverflowError):
        return None
    if len(start.strip()) <= 10:  # a date without a time
        return _WEEKDAY[begins.weekday()], None, None
    place = zone(tz)
    if begins.tzinfo is not None:
        begins = begins.astimezone(place)
    ends = None
    if isinstance(end, str):
        try:
            ends = dateparser.isoparse(end)
            if ends.tzinfo is not None:
                ends = ends.astimezone(place)
        except (ValueError, OverflowError):
            ends = None
    closes = ends.strftime("%H:%M") if ends and ends.date() == begins.date() and ends > begins else None
    return _WEEKDAY[begins.weekday()], begins.strftime("%H:%M"), closes


def rules_from_patterns(patterns) -> list[ScheduleRecord]:
    """Dated sessions -> weekly rules, one per distinct start/end time, days grouped."""
    by_time: dict[tuple, set[str]] = {}
    for p in patterns:
        if not p or not p.get("byday"):
            continue
        by_time.setdefault((p.get("opens"), p.get("closes")), set()).add(p["byday"])
    rules = []
    for (opens, closes), days in sorted(by_time.items(), key=lambda kv: (kv[0][0] or "", kv[0][1] or "")):
        rules.append(ScheduleRecord(
            freq="WEEKLY", byday=",".join(d for d in _WEEKDAY if d in days),
            opens_at=parse_time(opens), closes_at=_after(parse_time(opens), parse_time(closes)),
        ))
    return rules


def _after(opens: time | None, closes: time | None) -> time | None:
    return closes if closes is None or opens is None or closes > opens else None


def _frequency(value) -> tuple[str | None, int]:
    """ISO 8601 repeatFrequency -> (RRULE freq, interval): P1W/P7D weekly, P14D fortnightly."""
    if not isinstance(value, str):
        return None, 1
    match = _DURATION.match(value.strip().upper())
    if not match:
        return None, 1
    years, months, weeks, days = (int(g) if g else 0 for g in match.groups())
    if weeks:
        return "WEEKLY", weeks
    if days and days % 7 == 0:
        return "WEEKLY", days // 7
    if days:
        return "DAILY", days
    if months:
        return "MONTHLY", months
    if years:
        return "YEARLY", years
    return None, 1


def schedule_from(spec: dict, warnings: list[str]) -> ScheduleRecord | None:
    """One `eventSchedule` entry -> a rule; None (with a warning) when it says nothing usable."""
    if not isinstance(spec, dict):
        warnings.append("An eventSchedule entry is not an object; it was ignored.")
        return None
    raw_days = spec.get("byDay") or []
    raw_days = raw_days if isinstance(raw_days, list) else [raw_days]
    days = []
    for value in raw_days:
        code = day_code(value)
        if code is None:
            warnings.append(f"eventSchedule byDay {value!r} is not a day of the week; it was ignored.")
        elif code not in days:
            days.append(code)
    freq, interval = _frequency(spec.get("repeatFrequency"))
    if freq is None and days:
        freq, interval = "WEEKLY", 1  # byDay alone can only mean every week on those days
        if spec.get("repeatFrequency") is None:
            warnings.append("eventSchedule has byDay but no repeatFrequency; read as weekly.")
    month_days = spec.get("byMonthDay")
    if isinstance(month_days, (int, str)):
        month_days = [month_days]
    tz = spec.get("scheduleTimezone") or spec.get("beta:timeZone") or LONDON
    opens, closes = parse_time(spec.get("startTime")), parse_time(spec.get("endTime"))
    excepts = spec.get("exceptDate") or []
    excepts = excepts if isinstance(excepts, list) else [excepts]
    except_days = sorted({d.isoformat() for d in (parse_date(x) for x in excepts) if d})
    if freq is None and not opens:
        warnings.append("An eventSchedule entry has no frequency, days or times; it was ignored.")
        return None
    partial = "PartialSchedule" in str(spec.get("@type", ""))
    start, end = parse_date(spec.get("startDate")), parse_date(spec.get("endDate"))
    if start and end and end < start:
        warnings.append("eventSchedule ends before it starts; its dates were ignored.")
        start = end = None
    return ScheduleRecord(
        freq=freq, interval=interval, byday=",".join(days) or None,
        bymonthday=",".join(str(int(d)) for d in month_days if str(d).lstrip("-").isdigit()) if month_days else None,
        opens_at=opens, closes_at=_after(opens, closes), valid_from=start, valid_to=end,
        dtstart=start if interval > 1 else None, except_dates=",".join(except_days) or None,
        timezone=str(zone(tz)),
        notes="Times as published; check individual session dates with the organiser." if partial else None,
    )


def opening_hours(specs, warnings: list[str]) -> list[ScheduleRecord]:
    """A facility's `hoursAvailable` (OpeningHoursSpecification) -> weekly rules."""
    specs = specs if isinstance(specs, list) else [specs]
    patterns = []
    for spec in specs:
        if not isinstance(spec, dict):
            continue
        days = spec.get("dayOfWeek") or []
        for value in days if isinstance(days, list) else [days]:
            code = day_code(value)
            if code:
                patterns.append({"byday": code, "opens": spec.get("opens"), "closes": spec.get("closes")})
    return rules_from_patterns(patterns)


def one_off(start: str | None, end: str | None, tz: str | None = None) -> ScheduleRecord | None:
    """A single dated event -> a rule-less schedule with its date and times."""
    day = parse_date(start)
    if day is None:
        return None
    pattern = local_pattern(start, end, tz)
    opens = parse_time(pattern[1]) if pattern and pattern[1] else None
    closes = parse_time(pattern[2]) if pattern and pattern[2] else None
    end_day = parse_date(end) or day
    when = day.strftime("%A %d %B %Y") + (f" to {end_day.strftime('%A %d %B %Y')}" if end_day > day else "")
    return ScheduleRecord(
        valid_from=day, valid_to=max(day, end_day), opens_at=opens, closes_at=_after(opens, closes),
        description=f"On {when}",
    )


def epoch_millis(text: str) -> int | None:
    """A `modified` given as a date string (a real-world defect) -> milliseconds since 1970."""
    try:
        moment = dateparser.isoparse(text)
    except (ValueError, OverflowError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo("UTC"))
    return int(moment.timestamp() * 1000)


__all__ = [
    "day_code", "epoch_millis", "local_pattern", "one_off", "opening_hours", "parse_date",
    "parse_time", "rules_from_patterns", "schedule_from", "datetime",
]
