"""Fixtures for importer tests: the local HTTP server, sources, and a run helper."""

from __future__ import annotations

import pytest

from directory.models import Source
from importers.http import HttpClient, HttpSettings
from importers.pipeline import ImportOptions, run_import
from tests.importers.feedserver import FeedServer

FAST = HttpSettings(delays=(0.01, 0.02, 0.03), timeout=2.0, max_retry_after=0.05)


@pytest.fixture
def server():
    with FeedServer() as srv:
        yield srv


@pytest.fixture
def client():
    http = HttpClient(FAST)
    yield http
    http.close()


def make_source(session, name="Test feed", kind="openactive", url="http://127.0.0.1/", **kw) -> Source:
    source = Source(name=name, kind=kind, url=url, options=kw.pop("options", {}), state={}, **kw)
    session.add(source)
    session.commit()
    return source


def run(session, source, reader, **kw):
    return run_import(session, source, reader, ImportOptions(progress=False, **kw))
