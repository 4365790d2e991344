"""`wayfinder feed-prune` prunes old tombstones and refuses a retention under a week."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import click
from click.testing import CliRunner
from sqlalchemy import select, update
from sqlalchemy.orm import sessionmaker

from directory import cli_support
from directory.export.commands import feed_prune_command
from directory.models import ChangeLog
from directory.services import delete_service
from tests.factories import make_service


def _cli(session):
    factory = sessionmaker(bind=session.connection(), join_transaction_mode="create_savepoint")

    @click.group()
    @click.pass_context
    def root(ctx):
        cli_support.provide(ctx, factory, {})

    root.add_command(feed_prune_command)
    return lambda *args: CliRunner().invoke(root, ["feed-prune", *args])


def test_feed_prune(session):
    gone, kept = make_service(session), make_service(session)
    session.commit()
    delete_service(session, "admin@example.org", gone.id)
    session.commit()
    session.execute(update(ChangeLog).values(changed_at=datetime.now(timezone.utc) - timedelta(days=10)))
    session.commit()
    run = _cli(session)

    refused = run("--days", "3")
    assert refused.exit_code != 0 and "at least 7" in refused.output
    assert run("--days", "11").output.strip() == "Pruned 0 tombstones older than 11 days."
    result = run()
    assert result.exit_code == 0 and "Pruned 1 tombstone older than 7 days." in result.output
    logged = set(session.scalars(select(ChangeLog.entity_id)))
    assert gone.id not in logged and kept.id in logged
