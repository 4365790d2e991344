"""An activity's sessions as an iCalendar file, so people can add it to their phone's calendar."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vRecur

from directory.models import Service
from directory.schedules import Rule, next_occurrences
from web.public.present import venue_address

LONDON = ZoneInfo("Europe/London")
DEFAULT_LENGTH = timedelta(hours=1)  # when a schedule gives no end time


def activity_calendar(service: Service, url: str, now: datetime, prodid_host: str) -> bytes:
    """A VCALENDAR with one recurring VEVENT per schedule (or its next dates when the rule
    cannot be expressed), in Europe/London wall-clock time so sessions stay put across the
    clocks changing."""
    cal = Calendar()
    cal.add("prodid", f"-//Wayfinder//{prodid_host}//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", service.name)
    location = next((sal.location for sal in service.locations), None)
    for index, row in enumerate(service.schedules):
        rule = Rule.from_row(row)
        first = next_occurrences(rule, now, 1)
        if not first:
            continue
        start = first[0].replace(tzinfo=LONDON)
        end = start.replace(hour=rule.closes_at.hour, minute=rule.closes_at.minute) if rule.closes_at else start + DEFAULT_LENGTH
        event = Event()
        event.add("uid", f"{service.id}-{index}@{prodid_host}")
        event.add("dtstamp", now.astimezone(LONDON))
        event.add("summary", service.name)
        event.add("dtstart", start)
        event.add("dtend", end)
        recur = {"freq": rule.freq, "interval": rule.interval or 1}
        if rule.byday:
            recur["byday"] = rule.byday.split(",")
        if rule.bymonthday:
            recur["bymonthday"] = [int(d) for d in rule.bymonthday.split(",")]
        if rule.valid_to:
            recur["until"] = datetime.combine(rule.valid_to, datetime.max.time()).replace(tzinfo=LONDON)
        event.add("rrule", vRecur(recur))
        for skipped in rule.except_dates:
            event.add("exdate", datetime.combine(skipped, start.time()).replace(tzinfo=LONDON))
        if location is not None:
            event.add("location", venue_address(location))
        event.add("description", f"{service.description}\n\nCheck before you go: {url}".strip())
        event.add("url", url)
        cal.add_component(event)
    return cal.to_ical()
