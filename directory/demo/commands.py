"""`wayfinder demo`: write the demo directory into the configured database."""

from __future__ import annotations

import time
from datetime import date

import click
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import select

from directory import cli_support
from directory.demo.generator import (
    AREAS,
    DEMO_AREA_MAX_LISTINGS,
    DEMO_AS_OF,
    DEMO_LISTINGS,
    DEMO_SEED,
    DemoAlreadyLoaded,
    DemoSummary,
    generate_demo,
)
from directory.errors import ValidationError
from directory.models import Service


def _as_of(_ctx, _param, value: str | None) -> date | None:
    if value is None:
        return None
    if value == "today":
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("use a date such as 2026-11-22, or 'today'.") from None


@click.command("demo")
@click.option("--listings", type=click.IntRange(min=1), default=DEMO_LISTINGS, show_default=True, help="How many listings to write.")
@click.option("--seed", type=int, default=DEMO_SEED, show_default=True, help="The same seed always writes the same directory.")
@click.option(
    "--area", type=click.Choice(AREAS), default="newcastle", show_default=True,
    help=f"newcastle: Newcastle upon Tyne and Gateshead up to {DEMO_AREA_MAX_LISTINGS:,} listings, "
    "England above that; england: always spread over England.",
)
@click.option("--if-empty", is_flag=True, help="Do nothing if the directory already has a listing (`make run` uses this).")
@click.option(
    "--as-of", "as_of", callback=_as_of, metavar="DATE",
    help=f"The demo's 'today' (YYYY-MM-DD or 'today'); default {DEMO_AS_OF}, so every machine gets the same demo.",
)
def demo_command(listings: int, seed: int, area: str, if_empty: bool, as_of: date | None) -> None:
    """Load the demo directory: fictional groups and activities at real-world postcodes."""
    err = Console(stderr=True)
    with cli_support.open_session() as session:
        if if_empty and session.scalar(select(Service.id).limit(1)) is not None:
            click.echo("The directory already has listings; the demo was not loaded.")
            return
        started = time.monotonic()
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=err, transient=False) as progress:
            task = progress.add_task("Writing the demo directory", total=listings)
            try:
                summary = generate_demo(
                    session, listings=listings, seed=seed, area=area, as_of=as_of,
                    progress=lambda done, _total: progress.update(task, completed=done),
                )
            except (DemoAlreadyLoaded, ValidationError) as exc:
                session.rollback()
                raise click.ClickException(str(exc)) from None
            progress.update(task, description="Committing")
            session.commit()
            progress.update(task, description="Done")
    _print_summary(summary, time.monotonic() - started)


def _print_summary(summary: DemoSummary, seconds: float) -> None:
    where = "Newcastle upon Tyne and Gateshead" if summary.area == "newcastle" else "England"
    table = Table(title=f"Demo directory: {where}", caption=f"seed {summary.seed}, as of {summary.as_of}", show_header=False)
    table.add_column(justify="left")
    table.add_column(justify="right")
    for label, value in (
        ("Listings", summary.services),
        ("Organisations", summary.organisations),
        ("Venues", summary.locations),
        ("Online or phone only", summary.online_or_phone),
        ("Not checked for over a year", summary.unverified_over_a_year),
        ("Never checked", summary.never_verified),
        ("For residents of an area only", summary.residency_limited),
        ("Deliberate duplicate pairs", summary.duplicates),
    ):
        table.add_row(label, f"{value:,}")
    table.add_section()
    tops = {code: n for code, n in summary.by_category.items() if code in _TOP_LEVEL}
    for code, count in sorted(tops.items(), key=lambda item: -item[1]):
        table.add_row(_TOP_LEVEL[code], f"{count:,}")
    table.add_section()
    table.add_row("Time", f"{seconds:.1f} s")
    Console().print(table)


_TOP_LEVEL = {
    "physical-activity": "Physical activity",
    "nature-gardening": "Nature and gardening",
    "arts-creativity": "Arts and creativity",
    "social-connection": "Social connection",
    "health-conditions": "Living with health conditions",
    "emotional-support": "Emotional support",
    "learning-work": "Learning and work",
    "money-housing": "Money and housing",
}
