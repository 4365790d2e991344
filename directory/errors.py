"""Errors the directory raises, each carrying a message a person can act on."""

from __future__ import annotations


class DirectoryError(Exception):
    """Base class for errors raised by the directory domain."""


class ValidationError(DirectoryError, ValueError):
    """A value that cannot be stored, with the field it concerns.

    `field` names the attribute (``"latitude"``, ``"schedule.closes_at"``) so forms and
    importers can point at the exact place; `message` is plain English.
    """

    def __init__(self, field: str, message: str):
        self.field = field
        self.message = message
        super().__init__(f"{field}: {message}")


class NotFound(DirectoryError, LookupError):
    """A record, postcode or term that does not exist."""


class PermissionDenied(DirectoryError):
    """The acting user may not do this."""
