"""Configured sources, and running one import at a time across processes.

`wayfinder sync` may be started by cron every few minutes on several machines; a second run
while one is still going must be refused, not doubled. PostgreSQL gives us a session-level
advisory lock (released by the server if the process dies); SQLite has no such thing, so an
exclusive `flock` on a file beside the database does the same job (released by the kernel if
the process dies). Either way a crashed run never leaves a stale lock behind.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from directory.errors import NotFound, ValidationError
from directory.models import Source

KINDS = ("openactive", "oruk", "hsds", "spreadsheet")
LOCK_KEY = 0x57617946  # "WayF": the advisory-lock number every Wayfinder import uses


class AlreadyRunning(Exception):
    """Another import holds the lock."""


def add_source(session: Session, name: str, kind: str, url: str, *, authoritative: bool = False,
               options: dict | None = None) -> Source:
    if kind not in KINDS:
        raise ValidationError("source.kind", f"{kind!r} is not one of: {', '.join(KINDS)}.")
    if session.scalars(select(Source).where(Source.name == name)).first():
        raise ValidationError("source.name", f"There is already a source called {name!r}.")
    source = Source(name=name, kind=kind, url=url, authoritative=authoritative, options=options or {}, state={})
    session.add(source)
    return source


def get_source(session: Session, name: str) -> Source:
    source = session.scalars(select(Source).where(Source.name == name)).first()
    if source is None:
        raise NotFound(f"There is no source called {name!r}. `wayfinder sources list` shows them.")
    return source


def source_for(session: Session, kind: str, url: str, name: str | None = None, **kwargs) -> Source:
    """The source a one-off `wayfinder import KIND URL` uses: found by name or URL, else created."""
    query = select(Source).where(Source.name == name) if name else select(Source).where(
        Source.kind == kind, Source.url == url)
    source = session.scalars(query).first()
    if source is None:
        source = add_source(session, name or _default_name(kind, url, session), kind, url, **kwargs)
        session.commit()
    return source


def _default_name(kind: str, url: str, session: Session) -> str:
    base = f"{kind}: {url}"[:240]
    name, n = base, 1
    while session.scalars(select(Source.id).where(Source.name == name)).first():
        n += 1
        name = f"{base} ({n})"
    return name


@contextmanager
def import_lock(engine: Engine, lock_dir: str | os.PathLike | None = None):
    """Hold the one-import-at-a-time lock for the duration; raise `AlreadyRunning` if taken."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": LOCK_KEY}).scalar()
            conn.commit()
            if not got:
                raise AlreadyRunning("Another import is running against this database; try again when it ends.")
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": LOCK_KEY})
                conn.commit()
        return
    import fcntl

    path = _lock_path(engine, lock_dir)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = open(path, "a+")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise AlreadyRunning(
                f"Another import is running (it holds {path}); try again when it ends."
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
    finally:
        handle.close()


def _lock_path(engine: Engine, lock_dir) -> Path:
    database = engine.url.database
    if database and database != ":memory:":
        return Path(database).with_suffix(".import.lock")
    return Path(lock_dir or ".").resolve() / "wayfinder-import.lock"
