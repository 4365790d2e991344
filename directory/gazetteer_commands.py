"""Command-line loaders for the gazetteer: ``wayfinder import postcodes`` and ``places``.

Defined here, next to what they manage; `web.cli` registers them under its ``import`` group.
"""

from __future__ import annotations

import click

from directory.cli_support import open_session
from directory.errors import ValidationError


@click.command("postcodes")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["auto", "onspd", "codepoint"]),
    default="auto",
    show_default=True,
    help="ONS Postcode Directory or Code-Point Open layout (auto detects it).",
)
@click.option("--no-progress", is_flag=True, help="Do not draw a progress bar (for logs).")
def postcodes_command(file: str, fmt: str, no_progress: bool) -> None:
    """Load postcodes from an ONS Postcode Directory or Code-Point Open CSV (or its zip).

    Re-running with a newer release replaces what was there; terminated postcodes are removed.
    """
    from directory.gazetteer_import import import_postcodes

    with open_session() as session:
        try:
            summary = import_postcodes(session, file, fmt=fmt, progress=not no_progress)
        except ValidationError as exc:
            raise click.ClickException(exc.message) from None
    click.echo(summary.report())
    if summary.imported == 0:
        raise click.ClickException("No postcodes were imported.")


@click.command("places")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
def places_command(file: str) -> None:
    """Load place names from a CSV with columns name,kind,lat,long,local_authority,postcode_district."""
    from directory.gazetteer_import import import_places

    with open_session() as session:
        try:
            count = import_places(session, file)
        except ValidationError as exc:
            raise click.ClickException(exc.message) from None
    click.echo(f"Loaded {count:,} places from {file}.")
