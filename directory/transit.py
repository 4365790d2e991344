"""Load a GTFS timetable into the database, and read back the part around some places.

`import_gtfs` streams the feed's CSV files out of the zip and bulk-inserts them, replacing the
feed that was there (stop times are most of a feed: England's is tens of millions of rows, so
nothing is held in memory whole). `load_slice` returns the stops near given points and every
call at them, with their trips, routes and calendars: all a direct-trip check needs.

Every route type in the feed is kept (bus, tram, Metro, rail): to a person without a car, the
Tyne and Wear Metro is "the bus" as much as the Q3 is. Stop times with neither an arrival nor a
departure time (allowed in GTFS between timepoints) are skipped, since nothing can be promised
about them.
"""

from __future__ import annotations

import csv
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from sqlalchemy import and_, delete, func, insert, or_, select
from sqlalchemy.orm import Session

from directory.errors import ValidationError
from directory.geo import bounding_box
from directory.models import (
    TransitCalendar,
    TransitCalendarDate,
    TransitFeed,
    TransitRoute,
    TransitStop,
    TransitStopTime,
    TransitTrip,
)

REQUIRED = ("stops.txt", "routes.txt", "trips.txt", "stop_times.txt")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
BATCH = 10_000


@dataclass
class GtfsSummary:
    """What an import loaded and skipped."""

    name: str
    counts: dict[str, int] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)

    def report(self) -> str:
        loaded = ", ".join(f"{n:,} {what}" for what, n in self.counts.items())
        text = f"Loaded {self.name}: {loaded}."
        if any(self.skipped.values()):
            text += " Skipped " + ", ".join(f"{n:,} {what}" for what, n in self.skipped.items() if n) + "."
        return text


def _rows(archive: zipfile.ZipFile, member: str) -> Iterator[tuple[int, dict[str, str]]]:
    # utf-8-sig: many feeds start with a byte-order mark that would corrupt the first header.
    with archive.open(member) as raw:
        reader = csv.DictReader(io.TextIOWrapper(raw, encoding="utf-8-sig", newline=""))
        for line, row in enumerate(reader, start=2):
            yield line, {k.strip(): (v or "").strip() for k, v in row.items() if k}


def _need(row: dict, key: str, member: str, line: int) -> str:
    value = row.get(key, "")
    if not value:
        raise ValidationError(f"gtfs.{member}", f"line {line} has no {key}.")
    return value


def _date(text: str, member: str, line: int) -> date:
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except (ValueError, IndexError):
        raise ValidationError(f"gtfs.{member}", f"line {line}: {text!r} is not a date (YYYYMMDD).") from None


def _seconds(text: str, member: str, line: int) -> int:
    try:
        hours, minutes, secs = (int(part) for part in text.split(":"))
    except ValueError:
        raise ValidationError(f"gtfs.{member}", f"line {line}: {text!r} is not a time (HH:MM:SS).") from None
    return hours * 3600 + minutes * 60 + secs


def _insert(session: Session, model, rows: Iterable[dict]) -> int:
    count, batch = 0, []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            session.execute(insert(model), batch)
            count += len(batch)
            batch = []
    if batch:
        session.execute(insert(model), batch)
        count += len(batch)
    return count


def import_gtfs(session: Session, path: str | Path, name: str | None = None) -> GtfsSummary:
    """Replace the loaded timetable with the GTFS feed at `path` (a zip). Commits on success.

    Raises `ValidationError` naming the file and line for a feed that cannot be read; the old
    timetable is then left as it was.
    """
    path = Path(path)
    summary = GtfsSummary(name or path.name)
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, FileNotFoundError) as exc:
        raise ValidationError("gtfs", f"{path} is not a GTFS zip file ({exc}).") from None
    with archive:
        members = {Path(n).name: n for n in archive.namelist()}
        missing = [m for m in REQUIRED if m not in members]
        if missing or not ({"calendar.txt", "calendar_dates.txt"} & members.keys()):
            wanted = ", ".join(missing) or "calendar.txt or calendar_dates.txt"
            raise ValidationError("gtfs", f"{path.name} is not a complete GTFS feed: it has no {wanted}.")
        try:
            for model in (TransitStopTime, TransitTrip, TransitRoute, TransitStop, TransitCalendarDate,
                          TransitCalendar, TransitFeed):
                session.execute(delete(model))
            stop_ids: set[str] = set()
            summary.counts["stops"] = _insert(session, TransitStop, _stops(archive, members["stops.txt"], stop_ids, summary))
            summary.counts["routes"] = _insert(session, TransitRoute, _routes(archive, members["routes.txt"]))
            trip_ids: set[str] = set()
            summary.counts["trips"] = _insert(session, TransitTrip, _trips(archive, members["trips.txt"], trip_ids))
            summary.counts["stop times"] = _insert(
                session, TransitStopTime, _stop_times(archive, members["stop_times.txt"], stop_ids, trip_ids, summary)
            )
            summary.counts["calendars"] = _insert(session, TransitCalendar, _calendar(archive, members.get("calendar.txt")))
            summary.counts["calendar exceptions"] = _insert(
                session, TransitCalendarDate, _calendar_dates(archive, members.get("calendar_dates.txt"))
            )
            session.add(TransitFeed(name=summary.name, counts=dict(summary.counts)))
            session.commit()
        except Exception:
            session.rollback()
            raise
    return summary


def _stops(archive, member, stop_ids: set[str], summary: GtfsSummary):
    summary.skipped["stations and entrances"] = 0
    for line, row in _rows(archive, member):
        if row.get("location_type", "0") not in ("", "0"):
            summary.skipped["stations and entrances"] += 1  # only boarding points are useful
            continue
        stop_id = _need(row, "stop_id", member, line)
        try:
            lat, lon = float(row["stop_lat"]), float(row["stop_lon"])
        except (KeyError, ValueError):
            raise ValidationError(f"gtfs.{member}", f"line {line}: stop {stop_id} has no usable coordinates.") from None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValidationError(f"gtfs.{member}", f"line {line}: stop {stop_id} has impossible coordinates.")
        stop_ids.add(stop_id)
        yield {"id": stop_id, "name": row.get("stop_name") or stop_id, "latitude": lat, "longitude": lon}


def _routes(archive, member):
    for line, row in _rows(archive, member):
        yield {
            "id": _need(row, "route_id", member, line),
            "short_name": row.get("route_short_name") or None,
            "long_name": row.get("route_long_name") or None,
            "route_type": int(row.get("route_type") or 3),
            "agency_id": row.get("agency_id") or None,
        }


def _trips(archive, member, trip_ids: set[str]):
    for line, row in _rows(archive, member):
        trip_id = _need(row, "trip_id", member, line)
        trip_ids.add(trip_id)
        yield {
            "id": trip_id, "route_id": _need(row, "route_id", member, line),
            "service_id": _need(row, "service_id", member, line), "headsign": row.get("trip_headsign") or None,
        }


def _stop_times(archive, member, stop_ids: set[str], trip_ids: set[str], summary: GtfsSummary):
    summary.skipped["untimed stop times"] = 0
    for line, row in _rows(archive, member):
        arrival, departure = row.get("arrival_time", ""), row.get("departure_time", "")
        if not arrival and not departure:
            summary.skipped["untimed stop times"] += 1
            continue
        stop_id, trip_id = _need(row, "stop_id", member, line), _need(row, "trip_id", member, line)
        if stop_id not in stop_ids or trip_id not in trip_ids:
            raise ValidationError(f"gtfs.{member}", f"line {line} refers to a stop or trip the feed does not have.")
        arrive = _seconds(arrival or departure, member, line)
        yield {
            "trip_id": trip_id, "stop_id": stop_id, "stop_sequence": int(_need(row, "stop_sequence", member, line)),
            "arrival_seconds": arrive, "departure_seconds": _seconds(departure, member, line) if departure else arrive,
        }


def _calendar(archive, member):
    if member is None:
        return
    for line, row in _rows(archive, member):
        yield {
            "service_id": _need(row, "service_id", member, line),
            **{day: row.get(day) == "1" for day in WEEKDAYS},
            "start_date": _date(_need(row, "start_date", member, line), member, line),
            "end_date": _date(_need(row, "end_date", member, line), member, line),
        }


def _calendar_dates(archive, member):
    if member is None:
        return
    for line, row in _rows(archive, member):
        yield {
            "service_id": _need(row, "service_id", member, line),
            "date": _date(_need(row, "date", member, line), member, line),
            "exception_type": int(_need(row, "exception_type", member, line)),
        }


# -- reading back ----------------------------------------------------------------------------------


@dataclass
class TransitSlice:
    """The timetable around some places, as plain rows (no ORM objects escape)."""

    stops: list[tuple[str, str, float, float]]  # id, name, lat, lon
    trips: list[tuple[str, str, str, str | None]]  # id, route label, service id, headsign
    calls: list[tuple[str, str, int, int, int]]  # trip, stop, sequence, arrival, departure
    calendars: list[tuple[str, tuple[bool, ...], date, date]]  # service, Mon..Sun, start, end
    exceptions: list[tuple[str, date, int]]  # service, date, 1 added / 2 removed


def has_timetable(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(TransitFeed)))


def load_slice(session: Session, points: Sequence[tuple[float, float]], radius_m: float) -> TransitSlice:
    """Stops within `radius_m` (as the crow flies, a bounding box) of any point, and all their calls."""
    boxes = []
    for lat, lon in points:
        min_lat, min_lon, max_lat, max_lon = bounding_box(lat, lon, radius_m / 1000.0)
        boxes.append(and_(TransitStop.latitude.between(min_lat, max_lat), TransitStop.longitude.between(min_lon, max_lon)))
    if not boxes:
        return TransitSlice([], [], [], [], [])
    stops = session.execute(select(TransitStop.id, TransitStop.name, TransitStop.latitude, TransitStop.longitude)
                            .where(or_(*boxes))).all()
    stop_ids = [s.id for s in stops]
    calls = []
    for chunk in _chunks(stop_ids, 900):  # SQLite limits the number of bound parameters
        calls += session.execute(
            select(TransitStopTime.trip_id, TransitStopTime.stop_id, TransitStopTime.stop_sequence,
                   TransitStopTime.arrival_seconds, TransitStopTime.departure_seconds)
            .where(TransitStopTime.stop_id.in_(chunk))
        ).all()
    trip_ids = sorted({c.trip_id for c in calls})
    trips = []
    for chunk in _chunks(trip_ids, 900):
        trips += session.execute(
            select(TransitTrip.id, TransitRoute.short_name, TransitRoute.long_name, TransitTrip.service_id,
                   TransitTrip.headsign).join(TransitRoute, TransitRoute.id == TransitTrip.route_id)
            .where(TransitTrip.id.in_(chunk))
        ).all()
    service_ids = sorted({t.service_id for t in trips})
    calendars, exceptions = [], []
    for chunk in _chunks(service_ids, 900):
        calendars += session.execute(select(TransitCalendar).where(TransitCalendar.service_id.in_(chunk))).scalars().all()
        exceptions += session.execute(
            select(TransitCalendarDate.service_id, TransitCalendarDate.date, TransitCalendarDate.exception_type)
            .where(TransitCalendarDate.service_id.in_(chunk))
        ).all()
    return TransitSlice(
        stops=[(s.id, s.name, s.latitude, s.longitude) for s in stops],
        trips=[(t.id, t.short_name or t.long_name or "", t.service_id, t.headsign) for t in trips],
        calls=[(c.trip_id, c.stop_id, c.stop_sequence, c.arrival_seconds, c.departure_seconds) for c in calls],
        calendars=[(c.service_id, tuple(getattr(c, day) for day in WEEKDAYS), c.start_date, c.end_date) for c in calendars],
        exceptions=[(e.service_id, e.date, e.exception_type) for e in exceptions],
    )


def _chunks(items: Sequence, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]
