"""One generation of the index, as a process sees it: global rows over all segments.

A `Snapshot` joins the cached per-segment columns (`directory.search.segments`) end to end, so
a row number is ``segment offset + local document number`` - the same numbering whoosh uses for
the reader. It is immutable once built and shared by every thread of the process: a search takes
the current snapshot and keeps using it even if a newer one is published meanwhile.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from directory.search.geo_index import AreaIndex, GeoIndex
from directory.search.schema import TEXT_FIELDS
from directory.search.segments import SegmentData
from directory.search.sessions import complex_next, simple_next


@dataclass
class _Part:
    data: SegmentData
    offset: int
    reader: object  # whoosh SegmentReader of this generation


class Snapshot:
    """The searchable state of one index generation."""

    def __init__(self, build: str, generation: int, meta: dict, searcher, parts: list[_Part]):
        self.build = build
        self.generation = generation
        self.meta = meta
        self.head = int(meta.get("head", 0))
        self.gaps = [tuple(g[:2]) for g in meta.get("gaps", [])]
        self.searcher = searcher
        # whoosh readers share file handles between threads; postings and stored-field reads
        # are short, so one lock per snapshot is enough.
        self.lock = threading.RLock()
        self.parts = parts
        self.size = sum(p.data.size for p in parts)
        self.row_part = np.concatenate([np.full(p.data.size, n, np.int32) for n, p in enumerate(parts)]) if parts else np.zeros(0, np.int32)
        self.columns = {
            name: np.concatenate([p.data.columns[name] for p in parts]) if parts else np.zeros(0)
            for name in (parts[0].data.columns if parts else ())
        }
        deleted = np.zeros(self.size, bool)
        for part in parts:
            dels = list(part.reader.deleted_docs_set) if part.reader.has_deletions() else []
            if dels:
                deleted[part.offset + np.asarray(dels, np.int64)] = True
        self.live = (self.columns["live_doc"] & ~deleted) if parts else np.zeros(0, bool)
        self.count = int(self.live.sum())

    # -- identity ----------------------------------------------------------------------------

    def service_id(self, row: int) -> str:
        part = self.parts[self.row_part[row]]
        return part.data.ids[row - part.offset]

    @cached_property
    def names(self) -> np.ndarray:
        return np.concatenate([p.data.names for p in self.parts]) if self.parts else np.zeros(0, object)

    @cached_property
    def name_rank(self) -> np.ndarray:
        """Each row's position in A-Z order of names (for tie-breaks; built when first needed)."""
        names = self.names
        order = sorted(range(self.size), key=lambda row: names[row].casefold())
        rank = np.empty(self.size, np.int64)
        rank[order] = np.arange(self.size)
        return rank

    def facts(self, row: int) -> dict:
        """The stored facts of one listing (read from the index, for the page shown)."""
        part = self.parts[self.row_part[row]]
        with self.lock:
            return part.reader.stored_fields(row - part.offset)["facts"]

    # -- derived structures (built on first use, then shared) -----------------------------------

    @cached_property
    def geo(self) -> GeoIndex:
        rows = [p.data.venue_doc + p.offset for p in self.parts]
        lats = [p.data.venue_lat for p in self.parts]
        lons = [p.data.venue_lon for p in self.parts]
        if not self.parts:
            return GeoIndex.build(np.zeros(0, np.int64), np.zeros(0), np.zeros(0))
        rows, lats, lons = np.concatenate(rows), np.concatenate(lats), np.concatenate(lons)
        keep = self.live[rows]
        return GeoIndex.build(rows[keep], lats[keep], lons[keep])

    @cached_property
    def areas(self) -> AreaIndex:
        merged = {}
        for part in self.parts:
            for local, items in part.data.areas.items():
                if self.live[part.offset + local]:
                    merged[part.offset + local] = items
        return AreaIndex(merged)

    @cached_property
    def category_rows(self) -> dict[str, np.ndarray]:
        """Category key -> live rows filed directly under it."""
        merged: dict[str, list[np.ndarray]] = {}
        for part in self.parts:
            for key, local in part.data.categories.items():
                merged.setdefault(key, []).append(local + part.offset)
        out = {}
        for key, chunks in merged.items():
            rows = np.concatenate(chunks)
            out[key] = rows[self.live[rows]]
        return out

    def rows_under(self, keys) -> np.ndarray:
        """Live rows filed under any of the category `keys` (cached: facets ask every search)."""
        keys = frozenset(keys)
        cache = self.__dict__.setdefault("_rows_under", {})
        found = cache.get(keys)
        if found is None:
            chunks = [self.category_rows[k] for k in keys if k in self.category_rows]
            found = np.unique(np.concatenate(chunks)) if chunks else np.zeros(0, np.int64)
            if len(cache) > 10_000:
                cache.clear()
            cache[keys] = found
        return found

    def rows_in_categories(self, keys) -> np.ndarray:
        """Boolean row mask: filed under any of `keys`."""
        mask = np.zeros(self.size, bool)
        mask[self.rows_under(keys)] = True
        return mask

    @cached_property
    def _slots(self) -> dict[str, np.ndarray]:
        keys = ("doc", "day", "minute", "from", "to")
        if not self.parts:
            return {k: np.zeros(0, np.int64) for k in keys}
        slots = {k: np.concatenate([p.data.slots[k] for p in self.parts]) for k in keys if k != "doc"}
        slots["doc"] = np.concatenate([p.data.slots["doc"] + p.offset for p in self.parts])
        return slots

    @cached_property
    def _complex_rows(self) -> np.ndarray:
        if not self.parts:
            return np.zeros(0, np.int64)
        return np.concatenate([p.data.complex_docs + p.offset for p in self.parts])

    def next_sessions(self, now_local, rows: np.ndarray | None = None) -> np.ndarray:
        """Next session (local minutes; inf = none) for every row, exact for `rows` (or all)."""
        out = simple_next(self._slots, now_local, self.size)
        complex_rows = self._complex_rows
        if rows is not None:
            complex_rows = np.intersect1d(complex_rows, rows, assume_unique=False)
        for row in complex_rows.tolist():
            part = self.parts[self.row_part[row]]
            local = row - part.offset
            with self.lock:
                rules = part.data.rules(part.reader, local)
            value = complex_next(rules, now_local, part.data.next_cache, local)
            if value < out[row]:
                out[row] = value
        return out

    # -- text statistics (whoosh's, so scores agree with whoosh's own BM25F) -------------------

    def idf(self, fieldname: str, text: str) -> float:
        with self.lock:
            return self.searcher.idf(fieldname, text)

    @cached_property
    def avg_lengths(self) -> dict[str, float]:
        with self.lock:
            return {name: self.searcher.avg_field_length(name) or 1.0 for name in TEXT_FIELDS}

    def postings(self, fieldname: str, text: str):
        """Yield (row offset, local ids, frequencies, lengths) per segment holding the term."""
        for part in self.parts:
            with self.lock:
                ids, tf = part.data.postings(part.reader, fieldname, text)
            if len(ids):
                yield part.offset, ids, tf, part.data.lengths[fieldname][ids]

    def doc_frequency(self, fieldname: str, text: str) -> int:
        with self.lock:
            return self.searcher.doc_frequency(fieldname, text)

    @property
    def vocabulary(self) -> dict[str, int]:
        """Whole words of titles, categories and organisations, with how many listings use them."""
        return self.meta.get("vocabulary") or {}

    def close(self) -> None:
        with self.lock:
            try:
                self.searcher.close()
            except Exception:  # already closed by whoosh, or files gone after a rebuild
                pass
