"""The offline postcode and place gazetteer's tables."""

from __future__ import annotations

from sqlalchemy import Float, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from directory.db import Base


class Postcode(Base):
    """One full unit postcode, e.g. ``NE4 5PL``, with its centroid."""

    __tablename__ = "postcode"

    postcode: Mapped[str] = mapped_column(String(8), primary_key=True)  # normalised, one space
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    sector: Mapped[str] = mapped_column(String(6), index=True)  # "NE4 5"
    district: Mapped[str] = mapped_column(String(4), index=True)  # "NE4"
    local_authority: Mapped[str | None] = mapped_column(String(100))


class PostcodeArea(Base):
    """A sector or district centroid, precomputed from its postcodes for the fallbacks."""

    __tablename__ = "postcode_area"

    code: Mapped[str] = mapped_column(String(6), primary_key=True)  # "NE4 5" or "NE4"
    kind: Mapped[str] = mapped_column(String(8))  # sector | district
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    postcode_count: Mapped[int] = mapped_column(Integer, default=0)


class Place(Base):
    """A named place people type instead of a postcode ("Heaton", "Gateshead")."""

    __tablename__ = "place"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(255))
    name_key: Mapped[str] = mapped_column(String(255), index=True)  # lower case, no punctuation
    kind: Mapped[str] = mapped_column(String(32), default="place")  # city | town | suburb | village
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    local_authority: Mapped[str | None] = mapped_column(String(100))
    postcode_district: Mapped[str | None] = mapped_column(String(4))
