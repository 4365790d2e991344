"""`wayfinder reindex`, `wayfinder search-index status` and `wayfinder search-log prune`."""

from __future__ import annotations

import click

from directory import cli_support
from directory.search.index import get_index
from directory.search.log import DEFAULT_RETENTION_DAYS, prune


def _index():
    return get_index(cli_support.settings()["SEARCH_INDEX_DIR"])


@click.command("reindex")
@click.option("--if-missing", is_flag=True, help="Only build when there is no usable index yet.")
def reindex_command(if_missing: bool) -> None:
    """Rebuild the search index from the database (the index is derived and disposable)."""
    index = _index()
    with cli_support.open_session() as session:
        if if_missing:
            status = index.status(session)  # opens (and builds or repairs) as a search would
            click.echo(f"Search index ready: {status['listings']} listings in {status['path']}.")
            return
        report = index.rebuild(session)
    click.echo(f"Search index rebuilt: {report.listings} listings in {report.seconds:.1f}s ({index.path}).")


@click.group("search-index")
def search_index_group() -> None:
    """Look after the search index."""


@search_index_group.command("status")
def status_command() -> None:
    """Where the index stands against the directory's change log."""
    with cli_support.open_session() as session:
        status = _index().status(session)
    for key, value in status.items():
        click.echo(f"{key}: {value}")


@click.group("search-log")
def search_log_group() -> None:
    """The anonymous search log."""


@search_log_group.command("prune")
@click.option("--days", type=click.IntRange(min=1), default=None,
              help=f"Keep this many days (default: SEARCH_LOG_RETENTION_DAYS, else {DEFAULT_RETENTION_DAYS}).")
def prune_command(days: int | None) -> None:
    """Delete search-log entries older than the retention period."""
    days = days or int(cli_support.settings().get("SEARCH_LOG_RETENTION_DAYS") or DEFAULT_RETENTION_DAYS)
    with cli_support.open_session() as session:
        removed = prune(session, days)
    click.echo(f"Removed {removed} search-log entries older than {days} days.")


def register(group: click.Group) -> None:
    group.add_command(reindex_command)
    group.add_command(search_index_group)
    group.add_command(search_log_group)
