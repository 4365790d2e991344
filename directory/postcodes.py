"""UK postcode syntax: normalising what people type, and splitting into sector and district.

Pure Python (no database) so models, importers and matching can all use it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from directory.errors import ValidationError

# The official shape: an outward code (area letters, district digits, optional letter)
# and an inward code (sector digit + two unit letters). GIR 0AA is the one historic exception.
_FULL = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})$")
_OUTWARD = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")
_SECTOR = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ([0-9])$")


def _squash(text: str) -> str:
    return re.sub(r"[\s\u00a0\-]+", "", str(text or "")).upper()


@dataclass(frozen=True)
class PostcodeParts:
    """A normalised postcode or partial postcode."""

    postcode: str | None  # "NE4 5PL", or None for a partial
    sector: str | None  # "NE4 5"
    district: str  # "NE4"

    @property
    def area(self) -> str:
        return re.match(r"[A-Z]+", self.district).group(0)


def parse_postcode(text: str) -> PostcodeParts:
    """Parse a full postcode, a sector (``NE4 5``) or a district (``NE4``) in any case/spacing.

    Raises `ValidationError` with a plain message when the text cannot be a UK postcode.
    """
    squashed = _squash(text)
    if not squashed:
        raise ValidationError("postcode", "Enter a postcode, for example NE4 5PL.")
    if match := _FULL.match(squashed):
        outward, inward = match.groups()
        return PostcodeParts(f"{outward} {inward}", f"{outward} {inward[0]}", outward)
    # "NE11" is the NE11 district, not sector "NE1 1": without a space, an outward code wins.
    # A sector needs the space the person typed ("NE1 1").
    spaced = re.sub(r"[\s\u00a0]+", " ", str(text).strip()).upper()
    if match := _SECTOR.match(spaced):
        outward, digit = match.groups()
        return PostcodeParts(None, f"{outward} {digit}", outward)
    if _OUTWARD.match(squashed):
        return PostcodeParts(None, None, squashed)
    raise ValidationError(
        "postcode", f"'{str(text).strip()}' is not a UK postcode. Check it, for example NE4 5PL."
    )


def normalise_postcode(text: str) -> str:
    """Return a full postcode in standard form (``ne45pl`` -> ``NE4 5PL``) or raise."""
    parts = parse_postcode(text)
    if parts.postcode is None:
        raise ValidationError(
            "postcode", f"'{str(text).strip()}' is only part of a postcode. Enter the full postcode."
        )
    return parts.postcode


def looks_like_postcode(text: str) -> bool:
    """True when `text` is shaped like a full or partial postcode (not a place name)."""
    try:
        parse_postcode(text)
    except ValidationError:
        return False
    return True
