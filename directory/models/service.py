"""Services: an activity or support offer (HSDS 3 `service`) and what hangs off it."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Numeric, String, Table, Column, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from directory.db import Base
from directory.errors import ValidationError
from directory.models._common import id_column, timestamp, utcnow
from directory.vocab import (
    Capacity,
    DeliveryMode,
    Gender,
    Moderation,
    ReferralRoute,
    ServiceStatus,
)

service_taxonomy = Table(
    "service_taxonomy",
    Base.metadata,
    Column("service_id", ForeignKey("service.id", ondelete="CASCADE"), primary_key=True),
    Column(
        "taxonomy_term_id", ForeignKey("taxonomy_term.id", ondelete="CASCADE"), primary_key=True
    ),
)

MAX_AGE = 120


def _choice(field: str, value, allowed) -> str:
    values = {str(v) for v in allowed}
    if value not in values:
        raise ValidationError(field, f"{value!r} is not one of: {', '.join(sorted(values))}.")
    return value


class Service(Base):
    """One activity or support offer, e.g. "Heaton Park health walk".

    Beyond HSDS: delivery modes, referral routes, capacity, verification, provenance and
    moderation live here so search and matching can read them without joins.
    """

    __tablename__ = "service"

    id: Mapped[str] = id_column()
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    alternate_name: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    what_to_expect: Mapped[str | None] = mapped_column(Text)  # first visit, in plain words
    url: Mapped[str | None] = mapped_column(String(500))
    email: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32), default=ServiceStatus.ACTIVE.value)
    interpretation_services: Mapped[str | None] = mapped_column(Text)
    application_process: Mapped[str | None] = mapped_column(Text)
    fees_description: Mapped[str | None] = mapped_column(Text)
    accreditations: Mapped[str | None] = mapped_column(Text)
    alert: Mapped[str | None] = mapped_column(Text)

    # Eligibility
    eligibility_description: Mapped[str | None] = mapped_column(Text)
    minimum_age: Mapped[int | None]
    maximum_age: Mapped[int | None]
    gender: Mapped[str] = mapped_column(String(16), default=Gender.ANY.value)
    conditions: Mapped[str | None] = mapped_column(Text)  # who it can and cannot help

    # How it is delivered and how people get in
    delivery_modes: Mapped[list[str]] = mapped_column(
        JSON, default=lambda: [DeliveryMode.IN_PERSON.value]
    )
    referral_routes: Mapped[list[str]] = mapped_column(
        JSON, default=lambda: [ReferralRoute.SELF.value]
    )
    accessibility: Mapped[list[str]] = mapped_column(JSON, default=list)  # activity-level

    # Capacity: what the group said, when, and until when it holds
    capacity_status: Mapped[str] = mapped_column(String(32), default=Capacity.UNKNOWN.value)
    capacity_note: Mapped[str | None] = mapped_column(String(255))
    capacity_stated_at: Mapped[datetime | None] = timestamp()
    capacity_expires_at: Mapped[datetime | None] = timestamp()

    # Verification (HSDS assured_date / assurer_email)
    assured_date: Mapped[date | None] = mapped_column(Date)
    assurer_email: Mapped[str | None] = mapped_column(String(255))

    # Moderation and bookkeeping
    moderation_status: Mapped[str] = mapped_column(
        String(16), default=Moderation.PUBLISHED.value, index=True
    )
    # Fields a person edited by hand in Wayfinder: imports must not overwrite them silently.
    manual_fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = timestamp(nullable=False, default=utcnow)
    last_modified: Mapped[datetime] = timestamp(nullable=False, default=utcnow, onupdate=utcnow)

    organization: Mapped["Organization"] = relationship(back_populates="services")  # noqa: F821
    locations: Mapped[list["ServiceAtLocation"]] = relationship(
        back_populates="service", cascade="all, delete-orphan"
    )
    schedules: Mapped[list["Schedule"]] = relationship(  # noqa: F821
        back_populates="service", cascade="all, delete-orphan"
    )
    cost_options: Mapped[list["CostOption"]] = relationship(
        back_populates="service", cascade="all, delete-orphan"
    )
    languages: Mapped[list["Language"]] = relationship(
        back_populates="service", cascade="all, delete-orphan"
    )
    contacts: Mapped[list["Contact"]] = relationship(
        back_populates="service", cascade="all, delete-orphan"
    )
    service_areas: Mapped[list["ServiceArea"]] = relationship(
        back_populates="service", cascade="all, delete-orphan"
    )
    taxonomy_terms: Mapped[list["TaxonomyTerm"]] = relationship(  # noqa: F821
        secondary=service_taxonomy, lazy="selectin"
    )

    @validates("name")
    def _check_name(self, _key, value: str) -> str:
        value = (value or "").strip()
        if not value:
            raise ValidationError("service.name", "A service needs a name.")
        return value

    @validates("minimum_age", "maximum_age")
    def _check_age(self, key, value):
        if value is None:
            return None
        if not isinstance(value, int) or isinstance(value, bool):
            raise ValidationError(f"service.{key}", "An age must be a whole number of years.")
        if not 0 <= value <= MAX_AGE:
            raise ValidationError(f"service.{key}", f"An age must be between 0 and {MAX_AGE}.")
        other = self.maximum_age if key == "minimum_age" else self.minimum_age
        low, high = (value, other) if key == "minimum_age" else (other, value)
        if low is not None and high is not None and low > high:
            raise ValidationError(
                "service.minimum_age",
                f"The age range is upside down: minimum {low} is above maximum {high}.",
            )
        return value

    @validates("status")
    def _check_status(self, _key, value):
        return _choice("service.status", value, ServiceStatus)

    @validates("gender")
    def _check_gender(self, _key, value):
        return _choice("service.gender", value, Gender)

    @validates("capacity_status")
    def _check_capacity(self, _key, value):
        return _choice("service.capacity_status", value, Capacity)

    @validates("moderation_status")
    def _check_moderation(self, _key, value):
        return _choice("service.moderation_status", value, Moderation)

    @validates("delivery_modes")
    def _check_modes(self, _key, value):
        for mode in value or []:
            _choice("service.delivery_modes", mode, DeliveryMode)
        return list(value or [])

    @validates("referral_routes")
    def _check_routes(self, _key, value):
        for route in value or []:
            _choice("service.referral_routes", route, ReferralRoute)
        return list(value or [])

    @validates("accessibility")
    def _check_accessibility(self, _key, value):
        from directory.vocab import ACCESSIBILITY_FEATURES

        for code in value or []:
            _choice("service.accessibility", code, ACCESSIBILITY_FEATURES)
        return list(value or [])

    def __repr__(self) -> str:
        return f"<Service {self.name!r}>"


class ServiceAtLocation(Base):
    """Where a service happens (HSDS 3 `service_at_location`)."""

    __tablename__ = "service_at_location"

    id: Mapped[str] = id_column()
    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), index=True)
    location_id: Mapped[str] = mapped_column(
        ForeignKey("location.id", ondelete="CASCADE"), index=True
    )
    description: Mapped[str | None] = mapped_column(Text)

    service: Mapped[Service] = relationship(back_populates="locations")
    location: Mapped["Location"] = relationship(back_populates="services", lazy="joined")  # noqa: F821


class CostOption(Base):
    """A price (HSDS 3 `cost_option`). No rows and no fees text means "not stated"."""

    __tablename__ = "cost_option"

    id: Mapped[str] = id_column()
    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), index=True)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    option: Mapped[str | None] = mapped_column(String(255))  # "concessions", "per session"
    currency: Mapped[str] = mapped_column(String(3), default="GBP")
    amount: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    amount_description: Mapped[str | None] = mapped_column(String(255))

    service: Mapped[Service] = relationship(back_populates="cost_options")

    @validates("amount")
    def _check_amount(self, _key, value):
        if value is None:
            return None
        value = Decimal(str(value))
        if value < 0:
            raise ValidationError("cost_option.amount", "A price cannot be negative.")
        return value


class Language(Base):
    """A language the service is offered in (HSDS 3 `language`)."""

    __tablename__ = "language"

    id: Mapped[str] = id_column()
    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    code: Mapped[str | None] = mapped_column(String(16))  # ISO 639
    note: Mapped[str | None] = mapped_column(String(255))

    service: Mapped[Service] = relationship(back_populates="languages")


class Contact(Base):
    """A named contact for a service (HSDS 3 `contact` with its phone folded in)."""

    __tablename__ = "contact"

    id: Mapped[str] = id_column()
    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), index=True)
    name: Mapped[str | None] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(64))

    service: Mapped[Service] = relationship(back_populates="contacts")


class ServiceArea(Base):
    """An area a service is limited to (HSDS 3 `service_area`), e.g. residents of a ward.

    `extent` holds a GeoJSON Polygon or MultiPolygon in WGS84; it is validated with shapely.
    """

    __tablename__ = "service_area"

    id: Mapped[str] = id_column()
    service_id: Mapped[str] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    extent: Mapped[dict | None] = mapped_column(JSON)
    extent_type: Mapped[str] = mapped_column(String(32), default="geojson")
    residents_only: Mapped[bool] = mapped_column(Boolean, default=True)

    service: Mapped[Service] = relationship(back_populates="service_areas")

    @validates("extent")
    def _check_extent(self, _key, value):
        if value is None:
            return None
        from directory.geo import polygon_from_geojson

        polygon_from_geojson(value)  # raises ValidationError with the reason
        return value
