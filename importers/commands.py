"""`wayfinder import ...`, `wayfinder sources ...` and `wayfinder sync`."""

from __future__ import annotations

import sys

import click
from sqlalchemy import select

from directory import cli_support
from directory.errors import DirectoryError
from directory.models import ImportRun, QuarantinedRecord, Source

from importers.pipeline import ImportOptions, Report
from importers.runner import http_settings, run_source
from importers.sources import AlreadyRunning, add_source, get_source, source_for


def _options(quiet: bool, from_start: bool) -> ImportOptions:
    from rich.console import Console

    console = Console(stderr=True)
    return ImportOptions(progress=not quiet and console.is_terminal, from_start=from_start, console=console)


def _print(report: Report) -> None:
    for line in report.lines():
        click.echo(line)
    if not report.ok:
        sys.exit(1)


def _one_off(kind: str, url: str, name, quiet, from_start, authoritative=False, options=None,
             delays=None, timeout=None) -> None:
    with cli_support.open_session() as session:
        try:
            source = source_for(session, kind, url, name, authoritative=authoritative, options=options or {})
            if options and source.options != {**source.options, **options}:
                source.options = {**source.options, **options}
                session.commit()
            click.echo(f"Importing {source.name} ...")
            report = run_source(session, source, _options(quiet, from_start),
                                http_settings(delays=delays, timeout=timeout))
        except AlreadyRunning as exc:
            raise click.ClickException(str(exc)) from None
        except DirectoryError as exc:
            raise click.ClickException(str(exc)) from None
    _print(report)


def _delays(value: str | None):
    return tuple(float(d) for d in value.split(",") if d.strip()) if value else None


_common = [
    click.option("--name", help="Name the source (default: derived from the address)."),
    click.option("--quiet", is_flag=True, help="No progress bar."),
    click.option("--from-start", is_flag=True, help="Ignore where the last run stopped; read everything."),
    click.option("--delays", help="Seconds to wait between retries, e.g. 1,2,4,8."),
    click.option("--timeout", type=float, help="Seconds before a request times out."),
]


def common(func):
    for option in reversed(_common):
        func = option(func)
    return func


@click.command("openactive")
@click.argument("url")
@common
def import_openactive(url, name, quiet, from_start, delays, timeout):
    """Import an OpenActive RPDE feed, or every feed of a dataset site."""
    _one_off("openactive", url, name, quiet, from_start, delays=_delays(delays), timeout=timeout)


@click.command("oruk")
@click.argument("url")
@common
@click.option("--authoritative", is_flag=True, help="Delete listings the API no longer has.")
def import_oruk(url, name, quiet, from_start, delays, timeout, authoritative):
    """Import an Open Referral UK API (3.0, or legacy 1.0)."""
    _one_off("oruk", url, name, quiet, from_start, authoritative, delays=_delays(delays), timeout=timeout)


@click.command("hsds")
@click.argument("path")
@common
@click.option("--authoritative", is_flag=True, help="Delete listings the package no longer has.")
def import_hsds(path, name, quiet, from_start, delays, timeout, authoritative):
    """Import an HSDS tabular data package (a folder with datapackage.json and CSVs)."""
    _one_off("hsds", path, name, quiet, from_start, authoritative)


@click.command("spreadsheet")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False), help="A mapping TOML for your columns.")
@common
@click.option("--authoritative", is_flag=True, help="Delete listings the sheet no longer has.")
def import_spreadsheet(path, mapping, name, quiet, from_start, delays, timeout, authoritative):
    """Import a CSV or Excel sheet (see `wayfinder import template`)."""
    import os

    options = {"mapping": os.path.abspath(mapping)} if mapping else {}
    _one_off("spreadsheet", os.path.abspath(path), name, quiet, True, authoritative, options)


@click.command("template")
@click.argument("path", type=click.Path(dir_okay=False), default="wayfinder-template.xlsx")
def import_template(path):
    """Write the spreadsheet template (.xlsx or .csv) with every column explained."""
    from importers.spreadsheet_template import write_template

    write_template(path)
    click.echo(f"Wrote {path}. Fill one row per activity, then: wayfinder import spreadsheet {path}")


@click.command("quarantine")
@click.option("--source", "source_name", help="Only this source.")
@click.option("--all", "show_all", is_flag=True, help="Include records since imported successfully.")
@click.option("--show", "show_id", help="Print one record's raw form in full.")
def import_quarantine(source_name, show_all, show_id):
    """List records imports could not accept, with the reason and what to do."""
    with cli_support.open_session() as session:
        if show_id:
            row = session.get(QuarantinedRecord, show_id)
            if row is None:
                raise click.ClickException(f"No quarantined record {show_id}.")
            click.echo(f"Reason: {row.reason}\nSource record: {row.source_record_id}\n{row.raw}")
            return
        query = select(QuarantinedRecord, Source.name).join(Source, isouter=True).order_by(
            QuarantinedRecord.created_at)
        if source_name:
            query = query.where(Source.name == source_name)
        if not show_all:
            query = query.where(QuarantinedRecord.resolved_at.is_(None))
        rows = session.execute(query).all()
        if not rows:
            click.echo("Nothing in quarantine.")
            return
        for row, name in rows:
            state = " (resolved)" if row.resolved_at else ""
            click.echo(f"{row.id}  {name}  {row.source_record_id or '-'}{state}\n    {row.reason}")
        click.echo(f"{len(rows)} quarantined. `wayfinder import quarantine --show ID` prints one in full.")


@click.group("sources")
def sources_group():
    """Configure the feeds, APIs and files `wayfinder sync` imports."""


@sources_group.command("add")
@click.argument("name")
@click.argument("kind", type=click.Choice(["openactive", "oruk", "hsds", "spreadsheet"]))
@click.argument("url")
@click.option("--authoritative", is_flag=True, help="A full snapshot: delete what it no longer lists.")
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False), help="Spreadsheet mapping TOML.")
def sources_add(name, kind, url, authoritative, mapping):
    """Add a source: NAME KIND URL-or-PATH."""
    import os

    options = {"mapping": os.path.abspath(mapping)} if mapping else {}
    if kind in ("hsds", "spreadsheet"):
        url = os.path.abspath(url)
    with cli_support.open_session() as session:
        try:
            add_source(session, name, kind, url, authoritative=authoritative, options=options)
            session.commit()
        except DirectoryError as exc:
            raise click.ClickException(str(exc)) from None
    click.echo(f"Added {kind} source {name!r}.")


@sources_group.command("list")
def sources_list():
    """List sources with their last run."""
    with cli_support.open_session() as session:
        sources = session.scalars(select(Source).order_by(Source.name)).all()
        if not sources:
            click.echo("No sources yet. Add one with `wayfinder sources add NAME KIND URL`.")
        for source in sources:
            run = session.scalars(
                select(ImportRun).where(ImportRun.source_id == source.id).order_by(ImportRun.started_at.desc())
            ).first()
            last = "never run" if run is None else (
                f"last run {run.started_at:%Y-%m-%d %H:%M} {run.status}: "
                + (", ".join(f"{k} {v}" for k, v in (run.counts or {}).items() if v) or "nothing new")
                + (f" - {run.error}" if run.error else ""))
            flag = " authoritative" if source.authoritative else ""
            click.echo(f"{source.name}  [{source.kind}{flag}]  {source.url}\n    {last}")


@sources_group.command("remove")
@click.argument("name")
def sources_remove(name):
    """Remove a source (its listings stay in the directory)."""
    with cli_support.open_session() as session:
        try:
            source = get_source(session, name)
        except DirectoryError as exc:
            raise click.ClickException(str(exc)) from None
        session.delete(source)
        session.commit()
    click.echo(f"Removed source {name!r}; its listings were kept.")


@click.command("sync")
@click.option("--source", "only", help="Sync only this source.")
@click.option("--quiet", is_flag=True, help="No progress bar (for cron).")
@click.option("--from-start", is_flag=True, help="Read every source from the beginning.")
def sync_command(only, quiet, from_start):
    """Import every configured source, one run at a time (safe to run from cron)."""
    from importers.sources import import_lock

    failed = 0
    with cli_support.open_session() as session:
        sources = session.scalars(select(Source).where(Source.kind.in_(
            ["openactive", "oruk", "hsds", "spreadsheet"])).order_by(Source.name)).all()
        if only:
            sources = [s for s in sources if s.name == only]
        if not sources:
            click.echo("No sources to sync. Add one with `wayfinder sources add`.")
            return
        try:
            with import_lock(session.get_bind()):
                for source in sources:
                    click.echo(f"== {source.name}")
                    report = run_source(session, source, _options(quiet, from_start), lock=False)
                    for line in report.lines():
                        click.echo(line)
                    failed += not report.ok
        except AlreadyRunning as exc:
            raise click.ClickException(str(exc)) from None
    if failed:
        sys.exit(1)


def register(group: click.Group) -> None:
    """Add the importers' commands to `wayfinder` (under its `import` group)."""
    import_group = group.commands.get("import")
    if import_group is None:  # pragma: no cover - the directory registers it first
        import_group = click.Group("import", help="Bring data into Wayfinder.")
        group.add_command(import_group)
    for command in (import_openactive, import_oruk, import_hsds, import_spreadsheet, import_template,
                    import_quarantine):
        import_group.add_command(command)
    group.add_command(sources_group)
    group.add_command(sync_command)
