"""Public transport timetables loaded from a GTFS feed (`wayfinder import gtfs FEED.zip`).

England's bus timetables are published as GTFS by the Bus Open Data Service. Only what bus
reachability needs is kept: stops, routes, trips, stop times and service calendars. Ids are the
feed's own; loading a feed replaces the previous one.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from directory.db import Base
from directory.models._common import timestamp, utcnow


class TransitFeed(Base):
    """The feed that is loaded, and what it held."""

    __tablename__ = "transit_feed"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(255))
    imported_at: Mapped[datetime] = timestamp(nullable=False, default=utcnow)
    counts: Mapped[dict] = mapped_column(JSON, default=dict)


class TransitStop(Base):
    """A bus stop (GTFS `stops.txt`)."""

    __tablename__ = "transit_stop"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(255))
    latitude: Mapped[float] = mapped_column(Float, index=True)
    longitude: Mapped[float] = mapped_column(Float, index=True)


class TransitRoute(Base):
    """A route as people know it: "Q3", "X84" (GTFS `routes.txt`)."""

    __tablename__ = "transit_route"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    short_name: Mapped[str | None] = mapped_column(String(64))
    long_name: Mapped[str | None] = mapped_column(String(255))
    route_type: Mapped[int] = mapped_column(Integer, default=3)  # 3 = bus
    agency_id: Mapped[str | None] = mapped_column(String(64))


class TransitTrip(Base):
    """One run of a route on the days its service runs (GTFS `trips.txt`)."""

    __tablename__ = "transit_trip"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    route_id: Mapped[str] = mapped_column(ForeignKey("transit_route.id", ondelete="CASCADE"), index=True)
    service_id: Mapped[str] = mapped_column(String(64), index=True)
    headsign: Mapped[str | None] = mapped_column(String(255))


class TransitStopTime(Base):
    """A trip calling at a stop (GTFS `stop_times.txt`); times in seconds after midnight."""

    __tablename__ = "transit_stop_time"

    trip_id: Mapped[str] = mapped_column(ForeignKey("transit_trip.id", ondelete="CASCADE"), primary_key=True)
    stop_sequence: Mapped[int] = mapped_column(Integer, primary_key=True)
    stop_id: Mapped[str] = mapped_column(ForeignKey("transit_stop.id", ondelete="CASCADE"), index=True)
    arrival_seconds: Mapped[int] = mapped_column(Integer)
    departure_seconds: Mapped[int] = mapped_column(Integer)


class TransitCalendar(Base):
    """The weekdays and date range a service runs (GTFS `calendar.txt`)."""

    __tablename__ = "transit_calendar"

    service_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    monday: Mapped[bool] = mapped_column(Boolean, default=False)
    tuesday: Mapped[bool] = mapped_column(Boolean, default=False)
    wednesday: Mapped[bool] = mapped_column(Boolean, default=False)
    thursday: Mapped[bool] = mapped_column(Boolean, default=False)
    friday: Mapped[bool] = mapped_column(Boolean, default=False)
    saturday: Mapped[bool] = mapped_column(Boolean, default=False)
    sunday: Mapped[bool] = mapped_column(Boolean, default=False)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)


class TransitCalendarDate(Base):
    """An exception to a service's calendar (GTFS `calendar_dates.txt`): 1 added, 2 removed."""

    __tablename__ = "transit_calendar_date"

    service_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    date: Mapped[date] = mapped_column(Date, primary_key=True)
    exception_type: Mapped[int] = mapped_column(Integer)
