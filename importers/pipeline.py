"""The one import pipeline every source format goes through.

    fetch -> parse            (the format module: a `Reader` yielding pages of records)
    -> normalise              (the format module: `importers.records` dataclasses)
    -> validate               (`importers.validate`: the models' own checks)
    -> geocode                (`importers.geocode`: postcode via the gazetteer)
    -> match                  (same source id; else `importers.dedupe` across sources)
    -> upsert with provenance (`importers.writer`)
    -> report                 (an `ImportRun` row with counts and timings, and a printed summary)

Each page is one transaction, and the reader's resume state (an RPDE `next` URL, a page
number) is saved in that same transaction, so an import that dies part-way leaves the directory
consistent and the next run carries on from the last good page. A record the writer cannot
store is retried on its own inside a savepoint and quarantined, so one bad record never costs
the rest of its page.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from queue import Full, Queue

from sqlalchemy import select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from directory.changelog import set_actor
from directory.errors import DirectoryError
from directory.models import ImportRun, Source, SourceRecord
from directory.models._common import utcnow

from importers.http import FetchError
from importers.records import Deletion, Occurrence, Page, Reader, Rejected, ServiceRecord, Skipped
from importers.writer import Writer

COUNT_KEYS = ("created", "updated", "unchanged", "deleted", "merged", "quarantined")
MAX_WARNINGS = 200  # kept in the stored report; the rest are counted


@dataclass
class ImportOptions:
    progress: bool = True  # draw a progress bar (rich); off in tests and under cron
    from_start: bool = False  # ignore the saved resume state and read the source again
    actor: str | None = None
    console: object | None = None  # a rich Console to draw on


@dataclass
class Report:
    """What a run did, in the words the admin pages and the command line show."""

    run: ImportRun
    counts: dict
    timings: dict
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.run.status == "ok"

    def lines(self) -> list[str]:
        c = self.counts
        out = [
            f"{'Finished' if self.ok else 'Stopped'}: {c.get('created', 0)} created, "
            f"{c.get('updated', 0)} updated, {c.get('unchanged', 0)} unchanged, "
            f"{c.get('deleted', 0)} deleted, {c.get('merged', 0)} merged, "
            f"{c.get('quarantined', 0)} quarantined."
        ]
        extras = {k: v for k, v in c.items() if k not in COUNT_KEYS and v}
        if extras:
            out.append("Also: " + ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in sorted(extras.items())))
        t = self.timings
        out.append(
            f"Took {t.get('total_s', 0):.2f}s ({t.get('fetch_s', 0):.2f}s fetching, "
            f"{t.get('write_s', 0):.2f}s writing) for {t.get('items', 0)} items in {t.get('pages', 0)} "
            f"pages: {t.get('items_per_s', 0):.0f} items/s."
        )
        out += self.notes
        if self.run.error:
            out.append(f"Error: {self.run.error}")
        if self.warnings:
            out.append(f"{len(self.warnings)} warnings, e.g. {self.warnings[0]}")
        return out


def run_import(session: Session, source: Source, reader: Reader, options: ImportOptions | None = None) -> Report:
    """Import everything `reader` yields into the directory as `source`; always stores a report."""
    options = options or ImportOptions()
    _tune_connection(session)
    actor = options.actor or f"import:{source.name}"
    set_actor(session, actor)
    run = ImportRun(source_id=source.id, status="running", counts={}, timings={})
    session.add(run)
    session.commit()
    counts = {k: 0 for k in COUNT_KEYS}
    writer = Writer(session, source, run.id, counts, actor)
    state = {} if options.from_start else dict(source.state or {})
    resumed = bool(state) and reader.snapshot  # a snapshot picked up part-way has not listed everything
    timings = {"fetch_s": 0.0, "write_s": 0.0, "pages": 0, "items": 0}
    notes: list[str] = []
    started = time.perf_counter()
    complete = False
    with _progress(options, source.name) as advance:
        pages = _read_ahead(reader.pages(state))
        while True:
            t0 = time.perf_counter()
            try:
                page = next(pages)
            except StopIteration:
                complete = True
                break
            except FetchError as exc:
                session.rollback()
                writer.reset_caches()
                if exc.body is not None and exc.status is not None and exc.status < 400:
                    writer.quarantine(exc.url, exc.body, str(exc))  # the cut-off page, kept
                run.error = str(exc)
                break
            except (ValueError, OSError, DirectoryError) as exc:  # a file that cannot be read at all
                session.rollback()
                run.error = str(exc)
                break
            finally:
                timings["fetch_s"] += time.perf_counter() - t0
            t1 = time.perf_counter()
            _write_page(session, writer, page)
            if page.state is not None:
                source.state = dict(page.state)
            run.counts = dict(counts)
            session.commit()
            timings["write_s"] += time.perf_counter() - t1
            timings["pages"] += 1
            timings["items"] += len(page.items)
            advance(len(page.items), page.total)
    notes += reader.report_notes()
    if complete and reader.snapshot and source.authoritative and not resumed:
        gone = _delete_unlisted(session, writer, source, counts)
        if gone:
            notes.append(f"Authoritative snapshot: {gone} listings the source no longer has were deleted.")
    elif resumed and source.authoritative and complete:
        notes.append("This run resumed part-way, so nothing was deleted; the next full run will tidy up.")
    elif reader.snapshot and not source.authoritative and complete:
        missing = _unlisted(session, writer, source)
        if missing:
            notes.append(
                f"{len(missing)} listings from earlier imports were not in this one; they were kept "
                "(mark the source authoritative to delete what it no longer lists)."
            )
    total = time.perf_counter() - started
    timings.update(
        total_s=round(total, 3), fetch_s=round(timings["fetch_s"], 3), write_s=round(timings["write_s"], 3),
        items_per_s=round(timings["items"] / total, 1) if total else 0.0,
    )
    run.status = "ok" if complete else "failed"
    run.finished_at = utcnow()
    run.counts = {**counts, "warnings": len(writer.warnings)}
    run.timings = {**timings, "notes": notes, "warnings": writer.warnings[:MAX_WARNINGS]}
    session.commit()
    return Report(run, dict(counts), timings, writer.warnings, notes)


def _tune_connection(session: Session) -> None:
    """Give SQLite a page cache big enough for an import's indexes (its default is 2 MB).

    Inserting 100,000 listings touches indexes far larger than that, and with the default
    every insert went to disk: imports slowed down as the directory grew. Per connection only.
    """
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("PRAGMA cache_size=-262144"))  # KiB: 256 MB, allocated as used
        session.execute(text("PRAGMA mmap_size=1073741824"))


def _read_ahead(pages, depth: int = 2):
    """Fetch and parse the next pages in a thread while this one is written.

    The reader only talks HTTP (or reads a file) and never touches the session, so the two
    overlap safely; waiting on the network and on the database no longer adds up. An error
    in the reader is raised here, in order, as if it had happened in this thread.
    """
    queue: Queue = Queue(maxsize=depth)
    stop = threading.Event()

    def produce():
        try:
            for page in pages:
                while not stop.is_set():
                    try:
                        queue.put(("page", page), timeout=0.1)
                        break
                    except Full:
                        continue
                if stop.is_set():
                    return
            queue.put(("end", None))
        except BaseException as exc:  # handed to the consumer, which decides what it means
            queue.put(("error", exc))

    thread = threading.Thread(target=produce, name="import-reader", daemon=True)
    thread.start()
    try:
        while True:
            kind, value = queue.get()
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()


def _write_page(session: Session, writer: Writer, page: Page) -> None:
    """Apply a page; if the database refuses it, redo it record by record to find the culprit."""
    before = dict(writer.counts)
    try:
        writer.prefetch(page.items)
        for item in page.items:
            _apply(writer, item)
        writer.refresh_parents()
        writer.flush_bulk()
        writer.flush_touches()
    except SQLAlchemyError:
        session.rollback()
        writer.reset_caches()
        writer.counts.clear()
        writer.counts.update(before)  # the failed attempt counted nothing that stuck
        for item in page.items:
            try:
                with session.begin_nested():
                    _apply(writer, item)
                    writer.flush_bulk()
            except (SQLAlchemyError, DirectoryError) as exc:
                writer.reset_caches()
                reason = f"The database refused this record: {str(exc).splitlines()[0][:500]}"
                writer.quarantine(getattr(item, "source_id", None), getattr(item, "raw", None), reason)
        writer.refresh_parents()
        writer.flush_bulk()
        writer.flush_touches()


def _apply(writer: Writer, item) -> None:
    if isinstance(item, ServiceRecord):
        try:
            writer.apply(item)
        except DirectoryError as exc:  # a model validator the pre-check did not foresee
            field = getattr(exc, "field", "record")
            writer.quarantine(item.source_id, item.raw, f"{field}: {getattr(exc, 'message', exc)}")
    elif isinstance(item, Deletion):
        writer.delete(item)
    elif isinstance(item, Occurrence):
        writer.occurrence(item)
    elif isinstance(item, Skipped):
        writer.seen.add(item.source_id)
    elif isinstance(item, Rejected):
        if item.source_id:
            writer.seen.add(item.source_id)  # a bad copy is no reason to delete the good one
        writer.quarantine(item.source_id, item.raw, item.reason)


def _unlisted(session: Session, writer: Writer, source: Source) -> list[SourceRecord]:
    rows = session.scalars(
        select(SourceRecord).where(SourceRecord.source_id == source.id, SourceRecord.entity_type == "service")
    )
    return [r for r in rows if r.source_record_id not in writer.seen]


def _delete_unlisted(session: Session, writer: Writer, source: Source, counts: dict) -> int:
    gone = _unlisted(session, writer, source)
    for sr in gone:
        writer.delete(Deletion(sr.source_record_id))
    session.commit()
    return len(gone)


class _NoProgress:
    def __enter__(self):
        return lambda n, total=None: None

    def __exit__(self, *exc):
        return False


class _RichProgress:
    def __init__(self, console, label):
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        self.progress = Progress(
            SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
            TimeElapsedColumn(), console=console, transient=False,
        )
        self.label = label

    def __enter__(self):
        self.progress.start()
        task = self.progress.add_task(f"Importing {self.label}", total=None)

        def advance(n, total=None):
            if total:
                self.progress.update(task, total=total)
            self.progress.advance(task, n)

        return advance

    def __exit__(self, *exc):
        self.progress.stop()
        return False


def _progress(options: ImportOptions, label: str):
    return _RichProgress(options.console, label) if options.progress else _NoProgress()

