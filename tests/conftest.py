"""Shared fixtures: real SQLite and PostgreSQL databases, one transaction per test.

Each test session migrates a fresh SQLite file and a fresh PostgreSQL database with Alembic
(so the migrations are tested every run), and each test runs inside a transaction that is
rolled back, so tests never see each other's rows. PostgreSQL tests skip with a reason when no
server answers, unless WAYFINDER_REQUIRE_POSTGRES=1 (as `.ci/run` sets), which makes that fail.
"""

from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from directory.db import make_engine, make_session_factory, upgrade_database

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("WAYFINDER_SHARED", ROOT.parent / "shared")).resolve()
STANDARDS = SHARED / "standards"
PG_ADMIN_URL = os.environ.get("WAYFINDER_TEST_PG", "postgresql+psycopg://127.0.0.1:5432/test")


def require_shared() -> Path:
    """Skip (with the reason) when ../shared/standards is absent; CI makes that an error."""
    if not STANDARDS.is_dir():
        reason = f"needs the shared standards folder at {STANDARDS} (../shared beside the repo)"
        if os.environ.get("WAYFINDER_REQUIRE_SHARED") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return STANDARDS


@pytest.fixture(scope="session")
def standards() -> Path:
    return require_shared()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'wayfinder.sqlite'}"
    upgrade_database(url)
    return url


@contextmanager
def throwaway_postgres(prefix: str = "wayfinder_test"):
    """Create a migrated PostgreSQL database, yield its URL, and always drop it afterwards.

    Skips with the reason when no server answers, unless WAYFINDER_REQUIRE_POSTGRES=1.
    """
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:  # no server, or no right to create databases
        admin.dispose()
        if os.environ.get("WAYFINDER_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required but unavailable at {PG_ADMIN_URL}: {exc}")
        pytest.skip(f"no PostgreSQL server at {PG_ADMIN_URL}: {exc}")
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        upgrade_database(url)
        yield url
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> str:
    with throwaway_postgres() as url:
        yield url


def _engine_for(request, backend: str):
    url = request.getfixturevalue("sqlite_url" if backend == "sqlite" else "postgres_url")
    cache = request.config.__dict__.setdefault("_wayfinder_engines", {})
    if url not in cache:
        cache[url] = make_engine(url)
    return cache[url]


def _transactional_session(engine):
    connection = engine.connect()
    outer = connection.begin()
    factory = make_session_factory(engine)
    # Commits inside the code under test become savepoints; the outer transaction is rolled back.
    session = factory(bind=connection, join_transaction_mode="create_savepoint")
    try:
        yield session
    finally:
        session.close()
        outer.rollback()
        connection.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def session(request) -> Session:
    """A session on each real backend in turn, rolled back after the test."""
    yield from _transactional_session(_engine_for(request, request.param))


@pytest.fixture
def sqlite_session(request) -> Session:
    """A session on SQLite only, for tests whose subject is not the storage layer."""
    yield from _transactional_session(_engine_for(request, "sqlite"))


@pytest.fixture
def pg_session(request) -> Session:
    """A session on PostgreSQL only."""
    yield from _transactional_session(_engine_for(request, "postgresql"))
