"""Places where services happen (HSDS 3 `location`, `accessibility`)."""

from __future__ import annotations

from sqlalchemy import JSON, Float, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from directory.db import Base
from directory.errors import ValidationError
from directory.models._common import id_column

LOCATION_TYPES = ("physical", "virtual", "postal")


class Location(Base):
    """A venue (physical), a web address or phone line (virtual), or a postal address."""

    __tablename__ = "location"

    id: Mapped[str] = id_column()
    location_type: Mapped[str] = mapped_column(String(16), default="physical")
    name: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    transportation: Mapped[str | None] = mapped_column(Text)  # how to get there, in words
    url: Mapped[str | None] = mapped_column(String(500))
    latitude: Mapped[float | None] = mapped_column(Float, index=True)
    longitude: Mapped[float | None] = mapped_column(Float, index=True)
    address_1: Mapped[str | None] = mapped_column(String(255))
    address_2: Mapped[str | None] = mapped_column(String(255))
    city: Mapped[str | None] = mapped_column(String(100))
    region: Mapped[str | None] = mapped_column(String(100))
    postal_code: Mapped[str | None] = mapped_column(String(10), index=True)
    country: Mapped[str] = mapped_column(String(2), default="GB")
    accessibility: Mapped[list[str]] = mapped_column(JSON, default=list)  # vocab codes
    accessibility_details: Mapped[str | None] = mapped_column(Text)

    services: Mapped[list["ServiceAtLocation"]] = relationship(  # noqa: F821
        back_populates="location", cascade="all, delete-orphan"
    )

    @validates("latitude")
    def _check_latitude(self, _key, value):
        return _coordinate("location.latitude", value, 90)

    @validates("longitude")
    def _check_longitude(self, _key, value):
        return _coordinate("location.longitude", value, 180)

    @validates("location_type")
    def _check_type(self, _key, value):
        if value not in LOCATION_TYPES:
            raise ValidationError(
                "location.location_type", f"{value!r} is not one of: {', '.join(LOCATION_TYPES)}."
            )
        return value

    @validates("postal_code")
    def _check_postcode(self, _key, value):
        if not value:
            return None
        from directory.postcodes import normalise_postcode

        return normalise_postcode(value)  # raises ValidationError for nonsense

    @validates("accessibility")
    def _check_accessibility(self, _key, value):
        from directory.vocab import ACCESSIBILITY_FEATURES

        for code in value or []:
            if code not in ACCESSIBILITY_FEATURES:
                raise ValidationError(
                    "location.accessibility", f"{code!r} is not a known accessibility feature."
                )
        return list(value or [])

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    def one_line_address(self) -> str:
        parts = [self.address_1, self.address_2, self.city, self.postal_code]
        return ", ".join(p for p in parts if p)


def _coordinate(field: str, value, limit: int):
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValidationError(field, f"{value!r} is not a number.") from None
    if number != number or not -limit <= number <= limit:  # NaN fails the first test
        raise ValidationError(field, f"{value} is impossible: it must be between -{limit} and {limit}.")
    return number
