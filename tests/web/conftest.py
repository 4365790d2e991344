"""Web fixtures: the app over a database file of its own (requests commit, so no rollback trick)."""

from __future__ import annotations

import pytest

from directory.db import make_engine, make_session_factory, upgrade_database
from web import create_app


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    """A migrated SQLite file and a session factory on it."""
    folder = tmp_path_factory.mktemp("web")
    url = f"sqlite:///{folder / 'wayfinder.sqlite'}"
    upgrade_database(url)
    engine = make_engine(url)
    yield url, make_session_factory(engine), folder
    engine.dispose()


@pytest.fixture(scope="module")
def app(database):
    url, _, folder = database
    return create_app({"TESTING": True, "DATABASE_URL": url, "SEARCH_INDEX_DIR": str(folder / "index")})


@pytest.fixture
def client(app):
    return app.test_client()
