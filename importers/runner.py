"""Running a configured source: pick its format module, hold the lock, run the pipeline."""

from __future__ import annotations

import os

from sqlalchemy.orm import Session

from directory.models import Source

from importers.http import HttpClient, HttpSettings
from importers.pipeline import ImportOptions, Report, run_import
from importers.sources import import_lock


def http_settings(**overrides) -> HttpSettings:
    """Retry delays and timeout from the environment (WAYFINDER_IMPORT_DELAYS="1,2,4"), or overrides."""
    settings = HttpSettings()
    delays = os.environ.get("WAYFINDER_IMPORT_DELAYS")
    if delays is not None:
        settings.delays = tuple(float(d) for d in delays.split(",") if d.strip())
    if os.environ.get("WAYFINDER_IMPORT_TIMEOUT"):
        settings.timeout = float(os.environ["WAYFINDER_IMPORT_TIMEOUT"])
    for key, value in overrides.items():
        if value is not None:
            setattr(settings, key, value)
    return settings


def build_reader(session: Session, source: Source, client: HttpClient):
    """The format module's reader for `source` (imported lazily: each pulls its own libraries)."""
    options = source.options or {}
    if source.kind == "openactive":
        from importers.openactive import discover, reader_for

        feeds = options.get("feeds")
        if not feeds:
            feeds = [list(f) for f in discover(source.url, client)]
            source.options = {**options, "feeds": feeds}
            session.commit()
        return reader_for(source.url, client, feeds)
    if source.kind == "oruk":
        from importers.oruk import OrukReader

        return OrukReader(source.url, client)
    if source.kind == "hsds":
        from importers.hsds_package import HsdsPackageReader

        return HsdsPackageReader(source.url)
    if source.kind == "spreadsheet":
        from importers.spreadsheet import SpreadsheetReader

        return SpreadsheetReader(source.url, mapping=options.get("mapping"))
    raise ValueError(f"Unknown source kind {source.kind!r}.")


def run_source(session: Session, source: Source, options: ImportOptions | None = None,
               settings: HttpSettings | None = None, lock: bool = True) -> Report:
    """Import one source end to end (under the one-run-at-a-time lock unless `lock=False`)."""
    client = HttpClient(settings or http_settings())
    try:
        if not lock:
            return _run(session, source, client, options)
        with import_lock(session.get_bind().engine if hasattr(session.get_bind(), "engine") else session.get_bind()):
            return _run(session, source, client, options)
    finally:
        client.close()


def _run(session, source, client, options) -> Report:
    from importers.http import FetchError
    from directory.models import ImportRun
    from directory.models._common import utcnow

    try:
        reader = build_reader(session, source, client)
    except (FetchError, ValueError, OSError) as exc:
        session.rollback()
        run = ImportRun(source_id=source.id, status="failed", counts={}, timings={}, error=str(exc),
                        finished_at=utcnow())
        session.add(run)
        session.commit()
        return Report(run, {}, {}, [], [])
    return run_import(session, source, reader, options)
