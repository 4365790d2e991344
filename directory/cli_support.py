"""How directory, importer and matching commands get a database session without Flask.

The `wayfinder` command group (in `web.cli`) puts a session factory and the instance settings
into click's context; commands defined next to what they manage call `open_session()` and
`settings()` instead of importing the web layer, which keeps the dependency direction clean.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import click
from sqlalchemy.orm import Session

SESSION_KEY = "wayfinder.session_factory"
SETTINGS_KEY = "wayfinder.settings"


def provide(ctx: click.Context, session_factory, settings: dict) -> None:
    """Called by the top-level group: make a session factory and settings available."""
    ctx.meta[SESSION_KEY] = session_factory
    ctx.meta[SETTINGS_KEY] = settings


def settings() -> dict:
    """The running configuration (instance path, index folder, database URL, ...)."""
    ctx = click.get_current_context()
    value = ctx.meta.get(SETTINGS_KEY)
    if callable(value):
        value = value()
    return value or {}


@contextmanager
def open_session() -> Iterator[Session]:
    """A session for one command: committed by the command, closed afterwards."""
    ctx = click.get_current_context()
    factory = ctx.meta.get(SESSION_KEY)
    if factory is None:
        raise click.UsageError("No database is configured for this command.")
    if callable(factory) and not hasattr(factory, "kw"):  # a loader that returns a sessionmaker
        factory = factory()
    session = factory()
    try:
        yield session
    finally:
        session.close()
