"""`wayfinder feed-prune`: forget deletions older than the feed's tombstone retention."""

from __future__ import annotations

from datetime import timedelta

import click

from directory import cli_support
from directory.export.rpde import TOMBSTONE_RETENTION, prune_tombstones


@click.command("feed-prune")
@click.option("--days", type=int, default=TOMBSTONE_RETENTION.days, show_default=True,
              help=f"Keep tombstones this many days (at least {TOMBSTONE_RETENTION.days}).")
def feed_prune_command(days: int) -> None:
    """Remove RPDE tombstones (and the change history) of services deleted long ago.

    Run it from cron, say daily. Consumers that poll at least weekly still see every deletion.
    """
    if days < TOMBSTONE_RETENTION.days:
        raise click.BadParameter(f"must be at least {TOMBSTONE_RETENTION.days}", param_hint="--days")
    with cli_support.open_session() as session:
        count = prune_tombstones(session, keep=timedelta(days=days))
        session.commit()
    click.echo(f"Pruned {count} tombstone{'s' if count != 1 else ''} older than {days} days.")


def register(group: click.Group) -> None:
    group.add_command(feed_prune_command)
