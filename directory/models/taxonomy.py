"""Taxonomies and their terms (HSDS 3 `taxonomy`, `taxonomy_term`)."""

from __future__ import annotations

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from directory.db import Base
from directory.models._common import id_column


class Taxonomy(Base):
    """A vocabulary: Wayfinder's own social-prescribing categories, or the OpenActive list."""

    __tablename__ = "taxonomy"

    id: Mapped[str] = id_column()
    name: Mapped[str] = mapped_column(String(255), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    uri: Mapped[str | None] = mapped_column(String(500))
    version: Mapped[str | None] = mapped_column(String(64))

    terms: Mapped[list["TaxonomyTerm"]] = relationship(
        back_populates="taxonomy", cascade="all, delete-orphan"
    )


class TaxonomyTerm(Base):
    """One category. `code` is unique within its taxonomy (e.g. ``health-walks``)."""

    __tablename__ = "taxonomy_term"
    __table_args__ = (UniqueConstraint("taxonomy_id", "code"),)

    id: Mapped[str] = id_column()
    taxonomy_id: Mapped[str] = mapped_column(ForeignKey("taxonomy.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text)
    parent_id: Mapped[str | None] = mapped_column(
        ForeignKey("taxonomy_term.id", ondelete="SET NULL"), index=True
    )
    term_uri: Mapped[str | None] = mapped_column(String(500))
    icon: Mapped[str | None] = mapped_column(String(64))
    synonyms: Mapped[list[str]] = mapped_column(JSON, default=list)
    need_phrases: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Other broader terms (SKOS allows several); the tree uses parent_id, the first one.
    extra_parent_ids: Mapped[list[str]] = mapped_column(JSON, default=list)

    taxonomy: Mapped[Taxonomy] = relationship(back_populates="terms")
    parent: Mapped["TaxonomyTerm | None"] = relationship(remote_side="TaxonomyTerm.id")

    def __repr__(self) -> str:
        return f"<TaxonomyTerm {self.code!r}>"
