"""When a service runs (HSDS 3 `schedule`): RRULE-style rules with opening times."""

from __future__ import annotations

from datetime import date, time

from sqlalchemy import Boolean, Date, ForeignKey, String, Text, Time
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from directory.db import Base
from directory.errors import ValidationError
from directory.models._common import id_column
from directory.vocab import DAYS, Frequency


class Schedule(Base):
    """One recurring rule, e.g. weekly on Tuesdays 10:00-12:00, or the last Friday monthly.

    `byday` follows RRULE: ``"TU"``, ``"MO,WE"``, ``"2MO"`` (second Monday), ``"-1FR"`` (last
    Friday). A schedule with `by_appointment` and no rule means "contact them to arrange".
    """

    __tablename__ = "schedule"

    id: Mapped[str] = id_column()
    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), index=True)
    location_id: Mapped[str | None] = mapped_column(
        ForeignKey("location.id", ondelete="SET NULL"), index=True
    )
    freq: Mapped[str | None] = mapped_column(String(8))
    interval: Mapped[int] = mapped_column(default=1)
    byday: Mapped[str | None] = mapped_column(String(64))
    bymonthday: Mapped[str | None] = mapped_column(String(64))
    opens_at: Mapped[time | None] = mapped_column(Time)
    closes_at: Mapped[time | None] = mapped_column(Time)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    dtstart: Mapped[date | None] = mapped_column(Date)  # anchors fortnightly rules
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/London")
    except_dates: Mapped[str | None] = mapped_column(Text)  # comma-separated ISO dates
    by_appointment: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[str | None] = mapped_column(Text)  # the schedule in words, as given
    notes: Mapped[str | None] = mapped_column(Text)  # "not in school holidays"

    service: Mapped["Service"] = relationship(back_populates="schedules")  # noqa: F821

    @validates("freq")
    def _check_freq(self, _key, value):
        if value is None:
            return None
        value = str(value).upper()
        if value not in {f.value for f in Frequency}:
            raise ValidationError("schedule.freq", f"{value!r} is not DAILY, WEEKLY, MONTHLY or YEARLY.")
        return value

    @validates("interval")
    def _check_interval(self, _key, value):
        if value is None:
            return 1
        if int(value) < 1:
            raise ValidationError("schedule.interval", "The interval must be 1 or more.")
        return int(value)

    @validates("byday")
    def _check_byday(self, _key, value):
        if not value:
            return None
        from directory.schedules import parse_byday

        parse_byday(value)  # raises ValidationError naming the bad part
        return value.upper().replace(" ", "")

    @validates("opens_at", "closes_at")
    def _check_times(self, key, value):
        other = self.closes_at if key == "opens_at" else self.opens_at
        opens, closes = (value, other) if key == "opens_at" else (other, value)
        if opens is not None and closes is not None and closes <= opens:
            raise ValidationError(
                "schedule.closes_at",
                f"The end time {closes:%H:%M} is not after the start time {opens:%H:%M}.",
            )
        return value

    @validates("valid_from", "valid_to")
    def _check_dates(self, key, value):
        other = self.valid_to if key == "valid_from" else self.valid_from
        start, end = (value, other) if key == "valid_from" else (other, value)
        if start is not None and end is not None and end < start:
            raise ValidationError(
                "schedule.valid_to", f"The schedule ends ({end}) before it starts ({start})."
            )
        return value


__all__ = ["Schedule", "DAYS"]
