"""The index on disk: builds, the bookkeeping document, full rebuilds and incremental catch-up.

Layout of `SEARCH_INDEX_DIR`::

    CURRENT          the name of the build in use (replaced atomically)
    builds/<name>/   a whoosh index
    rebuild.lock     held while a full rebuild runs (one at a time, across processes)

A rebuild writes a new build beside the old one and then swaps CURRENT, so processes keep
searching the old build until they notice the swap; the previous build is kept one round for
readers still holding it. Incremental updates go into the current build under whoosh's own
write lock; readers never block.

Where the index stands against the directory is recorded in a bookkeeping document committed
with the data (so it can never disagree with it): the last change-log id applied (`head`), the
entity of that entry (to recognise the same database later), the change-log ids that were
missing when it was applied (`gaps`: on PostgreSQL a transaction that started earlier can
commit an id below one already seen), the schema version and the taxonomy it was built with.
"""

from __future__ import annotations

import fcntl
import hashlib
import logging
import os
import shutil
import time
import uuid
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import func, or_, select
from sqlalchemy.engine import Connection
from whoosh import index as whoosh_index
from whoosh.index import LockError

from directory.models import ChangeLog, Taxonomy, TaxonomyTerm
from directory.search.documents import Document, iter_all_documents, load_documents
from directory.search.query import words_of
from directory.search.schema import META_ID, SCHEMA_VERSION, build_schema, clear_analysis_cache
from directory.search.segments import encode

log = logging.getLogger(__name__)

GAP_TTL_SECONDS = 6 * 3600  # a missing change-log id still missing after this was a rollback
GAP_WINDOW = 5000  # at a full build, ids this far below the head are checked for gaps
WRITER_LIMIT_MB = 256
# Separate files per segment, not whoosh's compound file: a compound file's parts are copied
# into memory by every reading process (165 MB at 100,000 listings), separate files are mapped.
WRITER_OPTIONS = {"limitmb": WRITER_LIMIT_MB, "compound": False}
BUILD_SEGMENT = 25_000  # listings per segment of a full build


ALWAYS = object()  # `rebuild(replacing=ALWAYS)`: rebuild whatever is current


class IndexUnavailable(Exception):
    """The index is missing, unreadable or does not describe this database."""


@dataclass
class BuildReport:
    build: str
    listings: int
    head: int
    seconds: float
    reason: str


@dataclass
class ApplyReport:
    entries: int = 0
    listings_updated: int = 0
    listings_removed: int = 0
    head: int = 0
    gaps: list = field(default_factory=list)


# --------------------------------------------------------------------------------------------
# Change-log questions (cheap: all answered from the primary key)
# --------------------------------------------------------------------------------------------


def change_log_head(conn: Connection) -> int:
    return conn.execute(select(func.max(ChangeLog.id))).scalar() or 0


def entity_at(conn: Connection, entry_id: int) -> str | None:
    return conn.execute(select(ChangeLog.entity_id).where(ChangeLog.id == entry_id)).scalar()


def _in_gaps(gaps):
    return or_(*[ChangeLog.id.between(lo, hi) for lo, hi in gaps])


def gaps_filled(conn: Connection, gaps) -> bool:
    """True when a change-log entry has appeared inside one of the recorded gaps."""
    if not gaps:
        return False
    return conn.execute(select(ChangeLog.id).where(_in_gaps(gaps)).limit(1)).first() is not None


def taxonomy_fingerprint(conn: Connection) -> str:
    """A hash of every category's code and name: names are indexed as listing text."""
    rows = conn.execute(
        select(Taxonomy.name, TaxonomyTerm.code, TaxonomyTerm.name)
        .join(Taxonomy, Taxonomy.id == TaxonomyTerm.taxonomy_id)
        .order_by(Taxonomy.name, TaxonomyTerm.code)
    )
    digest = hashlib.sha256()
    for row in rows:
        digest.update("\x1f".join(row).encode() + b"\x1e")
    return digest.hexdigest()[:16]


def missing_ranges(seen: list[int], low: int, high: int) -> list[list[int]]:
    """Ranges of ids in (low, high] that are not in `seen` (sorted)."""
    ranges, expected = [], low + 1
    for entry in seen:
        if entry < expected:
            continue
        if entry > expected:
            ranges.append([expected, entry - 1])
        expected = entry + 1
    if expected <= high:
        ranges.append([expected, high])
    return ranges


def add_document(writer, doc: Document) -> None:
    """Write one listing: its text, stored facts and filter columns."""
    fields = doc.fields()
    writer.add_document(**fields, **encode(doc.id, doc.facts, fields, writer.schema))


def document_words(doc: Document) -> set[str]:
    """The whole words of a listing typo correction may offer (three letters or more)."""
    return {w for w in words_of(doc.words, limit=None) if len(w) >= 3 and not w.isdigit()}


# --------------------------------------------------------------------------------------------
# The store
# --------------------------------------------------------------------------------------------


class IndexStore:
    """Builds and updates the whoosh index in one folder."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.builds = self.path / "builds"
        self.current_file = self.path / "CURRENT"

    # -- reading -------------------------------------------------------------------------------

    def current_build(self) -> str | None:
        try:
            name = self.current_file.read_text().strip()
        except FileNotFoundError:
            return None
        return name or None

    def open(self, build: str):
        """The whoosh index of `build`; `IndexUnavailable` if it is missing or unreadable."""
        folder = self.builds / build
        if not folder.is_dir():
            raise IndexUnavailable(f"the index folder {folder} is missing")
        try:
            return whoosh_index.open_dir(str(folder), schema=build_schema())
        except Exception as exc:  # whoosh raises many kinds for a damaged TOC
            raise IndexUnavailable(f"the index in {folder} cannot be opened: {exc!r}") from exc

    @staticmethod
    def read_meta(searcher) -> dict:
        stored = searcher.document(id=META_ID)
        if not stored or "meta" not in (stored.get("facts") or {}):
            raise IndexUnavailable("the index has no bookkeeping document")
        return dict(stored["facts"]["meta"])

    @staticmethod
    def problem_with(conn: Connection, meta: dict, taxonomy: str | None = None) -> str | None:
        """Why an index with this bookkeeping would be served wrong here, or None."""
        if meta.get("schema") != SCHEMA_VERSION:
            return f"it was built by schema version {meta.get('schema')}, this is {SCHEMA_VERSION}"
        head = int(meta.get("head", 0))
        if head:
            if change_log_head(conn) < head:
                return "it has seen changes this database does not have (the database was replaced)"
            if entity_at(conn, head) != meta.get("head_entity"):
                return "its last change is not in this database's change log"
        taxonomy = taxonomy or taxonomy_fingerprint(conn)
        if meta.get("taxonomy") != taxonomy:
            return "the categories have changed since it was built"
        return None

    # -- full rebuild ----------------------------------------------------------------------------

    @contextmanager
    def _rebuild_lock(self):
        self.path.mkdir(parents=True, exist_ok=True)
        with open(self.path / "rebuild.lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)  # waits for a rebuild in another process
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def rebuild(self, conn: Connection, reason: str, *, replacing: str | None | object = ALWAYS) -> BuildReport | None:
        """Build a fresh index from the database and make it current.

        `replacing`: the build the caller found wanting (None: there was none). If, once the lock
        is held, CURRENT names another build, a process has just rebuilt and nothing is done.
        """
        with self._rebuild_lock():
            if replacing is not ALWAYS and self.current_build() != replacing:
                return None
            started = time.perf_counter()
            self.builds.mkdir(parents=True, exist_ok=True)
            name = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S") + f"-{uuid.uuid4().hex[:8]}"
            folder = self.builds / name
            folder.mkdir()
            # The head is read before the listings: anything that changes while they are read
            # has a later id and is applied again afterwards, which is harmless.
            head = change_log_head(conn)
            seen = list(conn.execute(select(ChangeLog.id).where(ChangeLog.id > head - GAP_WINDOW, ChangeLog.id <= head).order_by(ChangeLog.id)).scalars())
            now = time.time()
            ix = whoosh_index.create_in(str(folder), build_schema())
            writer = ix.writer(**WRITER_OPTIONS)
            count = 0
            vocabulary: Counter = Counter()
            try:
                for doc in iter_all_documents(conn):
                    add_document(writer, doc)
                    vocabulary.update(document_words(doc))
                    count += 1
                    if count % BUILD_SEGMENT == 0:
                        # A segment at a time keeps the writer's sorting pool in memory (no
                        # spill to temporary files) and the peak memory of a rebuild bounded.
                        writer.commit(merge=False)
                        writer = ix.writer(**WRITER_OPTIONS)
                meta = {
                    "schema": SCHEMA_VERSION, "head": head, "head_entity": entity_at(conn, head) if head else None,
                    "gaps": [[lo, hi, now] for lo, hi in missing_ranges(seen, max(0, head - GAP_WINDOW), head)],
                    "taxonomy": taxonomy_fingerprint(conn), "built_at": datetime.now(timezone.utc).isoformat(),
                    "listings": count, "vocabulary": dict(vocabulary),
                }
                writer.add_document(id=META_ID, facts={"meta": meta})
                writer.commit(merge=False)
            except BaseException:
                writer.cancel()
                shutil.rmtree(folder, ignore_errors=True)
                raise
            finally:
                clear_analysis_cache()
            previous = self.current_build()
            tmp = self.path / f"CURRENT.{os.getpid()}.tmp"
            tmp.write_text(name)
            os.replace(tmp, self.current_file)
            self._remove_old_builds(keep={name, previous})
            seconds = time.perf_counter() - started
            log.info("search index rebuilt (%s): %d listings in %.1fs", reason, count, seconds)
            return BuildReport(name, count, head, seconds, reason)

    def _remove_old_builds(self, keep: set) -> None:
        # The previous build stays one round: a process may still be reading it.
        for folder in self.builds.iterdir():
            if folder.name not in keep:
                shutil.rmtree(folder, ignore_errors=True)

    # -- incremental ---------------------------------------------------------------------------

    def apply_changes(self, conn: Connection, ix, *, wait: float) -> ApplyReport | None:
        """Apply change-log entries the index has not seen; None if another writer holds it."""
        try:
            writer = ix.writer(timeout=wait, delay=0.02, compound=False)
        except LockError:
            return None
        try:
            with ix.searcher() as searcher:  # the latest commit, read under the write lock
                meta = self.read_meta(searcher)
            report = self._apply(conn, writer, meta)
            if report.entries:
                writer.commit()
            else:
                writer.cancel()
            return report
        except BaseException:
            writer.cancel()
            raise

    def _apply(self, conn: Connection, writer, meta: dict) -> ApplyReport:
        head0 = int(meta.get("head", 0))
        now = time.time()
        gaps = [g for g in meta.get("gaps", []) if now - g[2] < GAP_TTL_SECONDS]
        condition = ChangeLog.id > head0
        if gaps:
            condition = or_(condition, _in_gaps([g[:2] for g in gaps]))
        rows = conn.execute(
            select(ChangeLog.id, ChangeLog.entity_type, ChangeLog.entity_id).where(condition).order_by(ChangeLog.id)
        ).all()
        report = ApplyReport(head=head0, gaps=gaps)
        if not rows:
            return report
        entities = {r.entity_id for r in rows if r.entity_type == "service"}
        documents = load_documents(conn, entities)
        # New words join the vocabulary; words of removed listings stay until the next rebuild
        # (a suggestion that finds little is harmless, and counts are only for ranking them).
        vocabulary = Counter(meta.get("vocabulary") or {})
        for sid in sorted(entities):
            writer.delete_by_term("id", sid)
            if sid in documents:
                add_document(writer, documents[sid])
                for word in document_words(documents[sid]):
                    vocabulary.setdefault(word, 1)
                report.listings_updated += 1
            else:
                report.listings_removed += 1
        ids = [r.id for r in rows]
        head = max(head0, ids[-1])
        filled = set(ids)
        kept = []
        for lo, hi, seen_at in gaps:  # a gap partly filled leaves the unfilled parts
            inside = sorted(i for i in filled if lo <= i <= hi)
            kept += [[a, b, seen_at] for a, b in missing_ranges(inside, lo - 1, hi)]
        kept += [[a, b, now] for a, b in missing_ranges([i for i in ids if i > head0], head0, head)]
        meta = {**meta, "head": head, "head_entity": entity_at(conn, head), "gaps": kept, "vocabulary": dict(vocabulary)}
        writer.delete_by_term("id", META_ID)
        writer.add_document(id=META_ID, facts={"meta": meta})
        report.entries, report.head, report.gaps = len(rows), head, kept
        return report
