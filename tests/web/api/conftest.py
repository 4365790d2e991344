"""App fixtures for the open data API tests.

- `app` / `client`: the app serving the test's own transaction (the `session` fixture, on each
  backend in turn), so a test can change data and see the API answer, and everything is
  rolled back afterwards. In-process requests only.
- `published`: a database of its own per backend, filled once per test run and committed, for
  the conformance walk over every listing and for a real server on a port.
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass

import pytest
from sqlalchemy.orm import sessionmaker

from directory.db import make_engine, make_session_factory, upgrade_database
from tests.conftest import throwaway_postgres
from web import create_app

TEST_CONFIG = {"TESTING": True, "SECRET_KEY": "test-only", "FEED_SETTLE_SECONDS": 0}


def make_app(url: str, **config):
    return create_app({"DATABASE_URL": url, **TEST_CONFIG, **config})


@pytest.fixture
def app(session):
    connection = session.get_bind()
    app = make_app(connection.engine.url.render_as_string(hide_password=False))
    state = app.extensions["wayfinder_db"]
    state.engine.dispose()
    # Each request gets its own session on the test's connection: it sees what the test
    # committed (savepoints), and the test's rollback undoes whatever the request did.
    state.session_factory = sessionmaker(bind=connection, join_transaction_mode="create_savepoint",
                                         expire_on_commit=False)
    return app


@pytest.fixture
def client(app):
    return app.test_client()


def fresh_database(backend: str, tmp_path_factory) -> tuple[str, callable]:
    """A new, migrated, empty database and a function that removes it."""
    if backend == "sqlite":
        url, drop = f"sqlite:///{tmp_path_factory.mktemp('api') / 'wayfinder.sqlite'}", (lambda: None)
    else:
        # throwaway_postgres migrates the database itself; the stack drops it at close.
        stack = ExitStack()
        return stack.enter_context(throwaway_postgres("wayfinder_api")), stack.close
    upgrade_database(url)
    return url, drop


@dataclass
class Published:
    """A committed directory in its own database."""

    backend: str
    url: str
    app: object

    @property
    def client(self):
        return self.app.test_client()


def fill(url: str) -> None:
    """Load the directory the conformance tests walk over."""
    from directory.demo.generator import DEMO_SEED, generate_demo
    from tests.export_data import add_fillers, build_directory

    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        # The demo directory (as the issue asks) plus hand-built edge cases the demo lacks.
        generate_demo(session, listings=450, seed=DEMO_SEED)
        session.commit()
        build_directory(session)
        add_fillers(session, 120)
        session.commit()
    engine.dispose()


class PublishedDirectories:
    """One committed directory per backend, made on first use and removed at the end."""

    def __init__(self, tmp_path_factory):
        self.tmp_path_factory = tmp_path_factory
        self.made: dict[str, Published] = {}
        self.drops: list = []

    def get(self, backend: str) -> Published:
        if backend not in self.made:
            url, drop = fresh_database(backend, self.tmp_path_factory)
            self.drops.append(drop)
            fill(url)
            self.made[backend] = Published(backend, url, make_app(url))
        return self.made[backend]

    def close(self) -> None:
        for published in self.made.values():
            published.app.extensions["wayfinder_db"].engine.dispose()
        for drop in self.drops:
            drop()


@pytest.fixture(scope="session")
def published_directories(tmp_path_factory):
    directories = PublishedDirectories(tmp_path_factory)
    yield directories
    directories.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def published(request, published_directories) -> Published:
    """The committed directory on each backend in turn."""
    return published_directories.get(request.param)
