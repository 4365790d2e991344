"""Fixtures for the public-page tests: an app on its own migrated SQLite file with the fixed directory."""

from __future__ import annotations

import re

import pytest

from directory.db import make_engine, make_session_factory, upgrade_database
from tests.web.seed import seed_directory
from web import create_app


@pytest.fixture(scope="session")
def web_db(tmp_path_factory):
    """(url, {key: service id}, search index folder) for a database holding the fixed web-test directory."""
    url = f"sqlite:///{tmp_path_factory.mktemp('web') / 'web.sqlite'}"
    upgrade_database(url)
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        services = seed_directory(session)
        ids = {key: s.id for key, s in services.items()}
        session.commit()
    engine.dispose()
    return url, ids, str(tmp_path_factory.mktemp("web-index"))


@pytest.fixture
def ids(web_db) -> dict[str, str]:
    return web_db[1]


@pytest.fixture
def app(web_db):
    app = create_app({"TESTING": True, "DATABASE_URL": web_db[0], "SEARCH_INDEX_DIR": web_db[2],
                      "SECRET_KEY": "test-secret", "SERVER_NAME": "wayfinder.test"})
    yield app
    app.extensions["wayfinder_db"].engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
