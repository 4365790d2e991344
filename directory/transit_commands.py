"""``wayfinder import gtfs FEED.zip``: load a bus timetable for real bus reachability."""

from __future__ import annotations

import click

from directory.cli_support import open_session
from directory.errors import ValidationError


@click.command("gtfs")
@click.argument("feed", type=click.Path(exists=True, dir_okay=False))
@click.option("--name", help="What to call the feed in reports (default: the file name).")
def gtfs_command(feed: str, name: str | None) -> None:
    """Load a GTFS timetable (a zip), replacing the one loaded before.

    England's bus timetables are published as GTFS by the Bus Open Data Service. Matching then
    checks real trips ("bus Q3 from Heaton Road at 9:32") instead of estimating bus journeys.
    """
    from directory.transit import import_gtfs

    with open_session() as session:
        try:
            summary = import_gtfs(session, feed, name=name)
        except ValidationError as exc:
            raise click.ClickException(f"{exc.field}: {exc.message}") from None
    click.echo(summary.report())
