"""Fixtures for the matching tests (helpers live in tests/matching/helpers.py)."""

from __future__ import annotations

import pytest

from directory.taxonomy_index import read_wayfinder_taxonomy
from matching.config import load_config


@pytest.fixture(scope="session")
def config():
    return load_config()


@pytest.fixture(scope="session")
def wayfinder_terms():
    return read_wayfinder_taxonomy()




@pytest.fixture(scope="session")
def wayfinder_topics(wayfinder_terms):
    """The real taxonomy's topic model, trained once for the whole test run."""
    from matching.topics import TopicModel

    return TopicModel(wayfinder_terms)
