"""Organisations that run services (HSDS 3 `organization`, `organization_identifier`)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from directory.db import Base
from directory.errors import ValidationError
from directory.models._common import id_column, timestamp, utcnow


class Organization(Base):
    """A voluntary group, charity, council team or business that offers services."""

    __tablename__ = "organization"

    id: Mapped[str] = id_column()
    name: Mapped[str] = mapped_column(String(255))
    alternate_name: Mapped[str | None] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(64))
    website: Mapped[str | None] = mapped_column(String(500))
    legal_status: Mapped[str | None] = mapped_column(String(100))
    year_incorporated: Mapped[int | None]
    logo: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = timestamp(nullable=False, default=utcnow)
    updated_at: Mapped[datetime] = timestamp(nullable=False, default=utcnow, onupdate=utcnow)

    services: Mapped[list["Service"]] = relationship(  # noqa: F821
        back_populates="organization", cascade="all, delete-orphan"
    )
    identifiers: Mapped[list["OrganizationIdentifier"]] = relationship(
        back_populates="organization", cascade="all, delete-orphan"
    )

    @validates("name")
    def _check_name(self, _key, value: str) -> str:
        value = (value or "").strip()
        if not value:
            raise ValidationError("organization.name", "An organisation needs a name.")
        return value

    def __repr__(self) -> str:
        return f"<Organization {self.name!r}>"


class OrganizationIdentifier(Base):
    """A registered identifier: charity number, company number, OpenActive publisher id."""

    __tablename__ = "organization_identifier"

    id: Mapped[str] = id_column()
    organization_id: Mapped[str] = mapped_column(
        ForeignKey("organization.id", ondelete="CASCADE"), index=True
    )
    identifier_scheme: Mapped[str | None] = mapped_column(String(100))
    identifier_type: Mapped[str] = mapped_column(String(100))
    identifier: Mapped[str] = mapped_column(String(255))

    organization: Mapped[Organization] = relationship(back_populates="identifiers")
