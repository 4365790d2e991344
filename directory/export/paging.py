"""HSDS page objects: parse `page`/`per_page` with sane limits, and build the envelope."""

from __future__ import annotations

from dataclasses import dataclass

from directory.errors import ValidationError

DEFAULT_PER_PAGE = 50
MAX_PER_PAGE = 200
# `minimal=true` asks for every id in one call (the ORUK guidance); ids are small, so allow it.
MINIMAL_PER_PAGE = 10_000


@dataclass(frozen=True)
class PageRequest:
    """Which page to serve: 1-based `page`, and `per_page` already clamped to the limit."""

    page: int = 1
    per_page: int = DEFAULT_PER_PAGE

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def _positive_int(field: str, text: str | None, default: int) -> int:
    if text is None or str(text).strip() == "":
        return default
    try:
        value = int(str(text).strip())
    except ValueError:
        raise ValidationError(field, f"{text!r} is not a whole number.") from None
    if value < 1:
        raise ValidationError(field, "It must be 1 or more.")
    return value


def parse_page(page: str | None, per_page: str | None, *, default: int = DEFAULT_PER_PAGE,
               maximum: int = MAX_PER_PAGE) -> PageRequest:
    """`page` and `per_page` from query strings. Nonsense is a `ValidationError`; a `per_page`
    above the limit is lowered to it (the response's `size` says how many came back)."""
    number = _positive_int("page", page, 1)
    size = min(_positive_int("per_page", per_page, default), maximum)
    # Past this the offset is meaningless for any real directory, and huge offsets are slow.
    if number > 1_000_000:
        raise ValidationError("page", "That page number is too large.")
    return PageRequest(number, size)


def envelope(contents: list, total: int, request: PageRequest) -> dict:
    """The HSDS page object; the flags are computed from the page, never assumed."""
    total_pages = -(-total // request.per_page)  # ceiling division; 0 when nothing matched
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": request.page,
        "size": len(contents),
        "first_page": request.page == 1,
        "last_page": request.page >= total_pages,
        "empty": not contents,
        "contents": contents,
    }
