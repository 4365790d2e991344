"""The Alembic migrations build exactly the schema the models describe, on both backends."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from directory import models  # noqa: F401
from directory.db import Base, make_engine


@pytest.mark.parametrize("backend", ["sqlite_url", "postgres_url"])
def test_migrations_match_the_models(request, backend):
    engine = make_engine(request.getfixturevalue(backend))
    with engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diff = compare_metadata(context, Base.metadata)
    engine.dispose()
    assert diff == [], f"models and migrations disagree; generate a migration: {diff}"
