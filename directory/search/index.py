"""The search index as one process sees it: always current, self-healing, shared by threads.

`SearchIndex.snapshot(session)` is called at the start of every search. Its cheap path is one
primary-key query (the change log's highest id) and a read of the tiny CURRENT file. When the
directory has moved on it catches up before answering: first by picking up a generation another
process has already written, otherwise by applying the new change-log entries itself under
whoosh's write lock (an edit is searchable on the very next search - well inside 2 seconds).
A missing, unreadable or stale index (built for another database, an older schema or other
categories) is rebuilt rather than served wrong.

Several processes may search while one writes: segments are immutable, readers never lock,
and writers serialise on whoosh's lock; full rebuilds go to a new folder and are swapped in.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from sqlalchemy.orm import Session

from directory.search.segments import SegmentData
from directory.search.vocabulary import Categories, load_categories
from directory.search.snapshot import Snapshot, _Part
from directory.search.store import (
    ApplyReport,
    BuildReport,
    IndexStore,
    IndexUnavailable,
    change_log_head,
    gaps_filled,
    taxonomy_fingerprint,
)

log = logging.getLogger(__name__)

WRITER_WAIT_SECONDS = 1.5  # how long a search waits for another process's update to finish
CHECK_INTERVAL_SECONDS = 5.0  # how often the slower staleness checks run per process
OPEN_ATTEMPTS = 4

_registry: dict[str, "SearchIndex"] = {}
_registry_lock = threading.Lock()


def get_index(path: str | Path) -> "SearchIndex":
    """The process-wide `SearchIndex` for a folder (one per folder, shared by threads)."""
    key = str(Path(path).resolve())
    with _registry_lock:
        if key not in _registry:
            _registry[key] = SearchIndex(key)
        return _registry[key]


class SearchIndex:
    """A folder's index plus this process's warm snapshot of it."""

    def __init__(self, path: str | Path, *, check_interval: float = CHECK_INTERVAL_SECONDS):
        self.store = IndexStore(path)
        self.check_interval = check_interval
        self._lock = threading.RLock()
        self._snap: Snapshot | None = None
        self._ix = None
        self._segments: dict[tuple[str, str], SegmentData] = {}
        self._checked_at = 0.0
        self.taxonomy_fingerprint: str | None = None
        self._categories: tuple[str | None, Categories] | None = None
        self.last_rebuild: BuildReport | None = None
        self.last_apply: ApplyReport | None = None

    @property
    def path(self) -> Path:
        return self.store.path

    # -- the search path ---------------------------------------------------------------------------

    def snapshot(self, session: Session) -> Snapshot:
        """A snapshot that reflects every change committed to the directory before this call."""
        conn = session.connection()
        snap = self._snap
        if snap is None or snap.build != self.store.current_build():
            snap = self._open(session)
        elif time.monotonic() - self._checked_at > self.check_interval:
            snap = self._recheck(session)
        head = change_log_head(conn)
        if head > snap.head or gaps_filled(conn, snap.gaps):
            snap = self._catch_up(session, head)
        return snap

    def rebuild(self, session: Session, reason: str = "requested") -> BuildReport:
        """Build the index afresh from the database (what `wayfinder reindex` runs)."""
        with self._lock:
            report = self.store.rebuild(session.connection(), reason)
            self.last_rebuild = report
            self._load_current(session)
            return report

    def categories(self, session: Session) -> Categories:
        """The taxonomy as search reads it, reloaded when the periodic check saw it change."""
        cached = self._categories
        if cached is None or cached[0] != self.taxonomy_fingerprint:
            cached = self._categories = (self.taxonomy_fingerprint, load_categories(session.connection()))
        return cached[1]

    def status(self, session: Session) -> dict:
        """Where the index stands, for the CLI and health pages."""
        snap = self.snapshot(session)
        return {
            "path": str(self.path), "build": snap.build, "generation": snap.generation,
            "listings": snap.count, "head": snap.head,
            "directory_head": change_log_head(session.connection()),
            "segments": len(snap.parts), "built_at": snap.meta.get("built_at"),
        }

    # -- opening, checking, catching up ----------------------------------------------------------

    def _open(self, session: Session) -> Snapshot:
        with self._lock:
            snap = self._snap
            build = self.store.current_build()
            if snap is not None and snap.build == build:
                return snap  # another thread got here first
            try:
                return self._load_current(session, check=True)
            except IndexUnavailable as exc:
                return self._rebuild(session, str(exc), replacing=build)

    def _recheck(self, session: Session) -> Snapshot:
        with self._lock:
            snap = self._snap
            self._checked_at = time.monotonic()
            problem = IndexStore.problem_with(session.connection(), snap.meta, self._taxonomy(session, fresh=True))
            if problem is None:
                return snap
            return self._rebuild(session, problem, replacing=snap.build)

    def _catch_up(self, session: Session, head: int) -> Snapshot:
        conn = session.connection()
        with self._lock:
            snap = self._snap
            if snap.head >= head and not gaps_filled(conn, snap.gaps):
                return snap  # another thread caught up while we waited
            if self._ix.latest_generation() != snap.generation:
                snap = self._load_current(session)  # another process has written it
                if snap.head >= head and not gaps_filled(conn, snap.gaps):
                    return snap
            report = self.store.apply_changes(conn, self._ix, wait=WRITER_WAIT_SECONDS)
            if report is None:
                log.warning("search index: another process holds the writer; serving generation %s", snap.generation)
            else:
                self.last_apply = report
            return self._load_current(session)

    def _rebuild(self, session: Session, reason: str, replacing: str | None) -> Snapshot:
        log.warning("search index in %s is being rebuilt: %s", self.path, reason)
        report = self.store.rebuild(session.connection(), reason, replacing=replacing)
        if report is not None:
            self.last_rebuild = report
        return self._load_current(session, check=report is None)

    def _taxonomy(self, session: Session, fresh: bool = False) -> str:
        if fresh or self.taxonomy_fingerprint is None:
            self.taxonomy_fingerprint = taxonomy_fingerprint(session.connection())
        return self.taxonomy_fingerprint

    def _load_current(self, session: Session, check: bool = False) -> Snapshot:
        """Open CURRENT's latest generation as a snapshot, reusing warm segments.

        A writer in another process may commit (and delete the files of segments it merged)
        between reading the table of contents and opening the files: a missing file is retried
        on the newer generation before the index is called damaged.
        """
        for attempt in range(OPEN_ATTEMPTS):
            try:
                return self._load_generation(session, check)
            except IndexUnavailable as exc:
                if attempt + 1 == OPEN_ATTEMPTS or not isinstance(exc.__cause__, FileNotFoundError):
                    raise
                time.sleep(0.05 * (attempt + 1))
        raise AssertionError("unreachable")

    def _load_generation(self, session: Session, check: bool) -> Snapshot:
        build = self.store.current_build()
        if build is None:
            raise IndexUnavailable(f"there is no search index in {self.path}")
        ix = self.store.open(build)
        try:
            searcher = ix.searcher()
            meta = IndexStore.read_meta(searcher)
        except IndexUnavailable:
            raise
        except Exception as exc:
            raise IndexUnavailable(f"the index in {self.path} cannot be read: {exc!r}") from exc
        if check:
            problem = IndexStore.problem_with(session.connection(), meta, self._taxonomy(session, fresh=True))
            if problem:
                searcher.close()
                raise IndexUnavailable(problem)
        parts = []
        try:
            for segreader, offset in searcher.reader().leaf_readers():
                key = (build, segreader.segment().segment_id())
                data = self._segments.get(key)
                if data is None:
                    data = self._segments[key] = SegmentData.load(segreader)
                # Open the stored-facts file now (whoosh opens it lazily): once this generation
                # is superseded its files may be deleted, and an open file stays readable.
                if segreader.doc_count_all():
                    segreader.stored_fields(0)
                parts.append(_Part(data, offset, segreader))
        except Exception as exc:
            searcher.close()
            raise IndexUnavailable(f"the index in {self.path} is damaged: {exc!r}") from exc
        live = {(build, p.data.segment_id) for p in parts}
        for key in list(self._segments):
            if key not in live:
                del self._segments[key]  # merged away or from an older build
        snap = Snapshot(build, searcher.reader().generation(), meta, searcher, parts)
        self._ix, self._snap = ix, snap
        self._checked_at = time.monotonic()
        return snap
