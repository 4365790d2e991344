"""Bulk loaders for the gazetteer: the ONS Postcode Directory, Code-Point Open, place names.

The full ONSPD is ~2.7 million rows, so the postcode import streams the file, never holds more
than one batch in memory, writes each batch in its own transaction (an interrupted import keeps
what it has done and a re-run finishes it), and uses the fastest bulk path each backend offers:
COPY into a temporary table then one ``INSERT ... ON CONFLICT`` on PostgreSQL, a Core
``insert()`` executemany with ``ON CONFLICT`` on SQLite. Re-importing replaces rows (upsert);
a postcode the new file marks terminated is removed. A malformed row is counted and reported
with its line number; it never stops the import.
"""

from __future__ import annotations

import csv
import io
import itertools
import os
import re
import time
import zipfile
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from sqlalchemy import bindparam, delete, exists, select
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from directory.errors import ValidationError
from directory.gazetteer import place_key, recompute_areas
from directory.models import Place, Postcode
from directory.postcodes import parse_postcode

DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "gazetteer"
DEMO_POSTCODES = DATA_DIR / "demo-postcodes.csv"
DEMO_PLACES = DATA_DIR / "places.csv"

BATCH_SIZE = 50_000
MAX_REPORTED_ERRORS = 100
FORMATS = ("auto", "onspd", "codepoint")
_COLUMNS = ("postcode", "latitude", "longitude", "sector", "district", "local_authority")


@dataclass
class ImportSummary:
    """What an import did; `errors` holds the first 100 problems, each with its line number."""

    path: str
    format: str
    rows_read: int = 0
    imported: int = 0
    terminated: int = 0
    no_coordinates: int = 0
    malformed: int = 0
    errors: list[str] = field(default_factory=list)
    areas: int = 0
    seconds: float = 0.0

    def problem(self, where: str, message: str) -> None:
        """Count a malformed row and keep its message (up to a limit) for the report."""
        self.malformed += 1
        if len(self.errors) < MAX_REPORTED_ERRORS:
            self.errors.append(f"{where}: {message}")

    @property
    def rows_per_second(self) -> float:
        return self.rows_read / self.seconds if self.seconds else 0.0

    def report(self) -> str:
        """A plain-text report for the command line and the admin import log."""
        lines = [
            f"Imported {self.imported:,} postcodes from {self.path} ({self.format}) "
            f"in {self.seconds:.1f}s ({self.rows_per_second:,.0f} rows/s).",
            f"Read {self.rows_read:,} rows; skipped {self.terminated:,} terminated and "
            f"{self.no_coordinates:,} without coordinates; {self.malformed:,} malformed.",
            f"Recomputed {self.areas:,} sector and district centroids.",
        ]
        lines += [f"  {error}" for error in self.errors]
        if self.malformed > len(self.errors):
            lines.append(f"  ... and {self.malformed - len(self.errors):,} more malformed rows.")
        return "\n".join(lines)


# -- reading ------------------------------------------------------------------------------


@contextmanager
def _open_sources(path: Path) -> Iterator[list[tuple[str, io.BufferedIOBase, int]]]:
    """(name, binary stream, size) for a CSV file, or for the data CSVs inside a zip.

    The ONSPD and Code-Point Open are both published as zips; reading them in place saves
    unpacking a gigabyte. The ONSPD zip also carries per-area copies under multi_csv/, which
    would double the work, so those are left out.
    """
    with ExitStack() as stack:
        if zipfile.is_zipfile(path):
            archive = stack.enter_context(zipfile.ZipFile(path))
            members = [
                info
                for info in archive.infolist()
                if info.filename.lower().endswith(".csv")
                and "/data/" in f"/{info.filename.lower()}"
                and "multi_csv" not in info.filename.lower()
            ]
            if not members:
                raise ValidationError("file", f"{path.name} holds no data CSV files.")
            yield [
                (info.filename, stack.enter_context(archive.open(info)), info.file_size)
                for info in sorted(members, key=lambda i: i.filename)
            ]
        else:
            yield [(str(path), stack.enter_context(path.open("rb")), path.stat().st_size)]


def _text(stream) -> io.TextIOWrapper:
    # utf-8-sig drops the byte-order mark Excel-saved CSVs start with.
    return io.TextIOWrapper(stream, encoding="utf-8-sig", errors="replace", newline="")


def _header_kind(first: list[str]) -> str | None:
    cells = [c.strip().strip('"').lower() for c in first]
    if {"pcds", "pcd", "pcd7", "pcd8", "pcd2"} & set(cells):
        return "onspd"
    if cells[:1] and cells[0] in ("pc", "postcode") and {"ea", "eastings"} & set(cells):
        return "codepoint-header"
    return None


def detect_format(first_row: list[str]) -> str:
    """"onspd" or "codepoint" from a file's first row, or `ValidationError` if neither."""
    kind = _header_kind(first_row)
    if kind:
        return "codepoint" if kind == "codepoint-header" else kind
    if len(first_row) >= 4:
        try:
            parse_postcode(first_row[0])
            float(first_row[2]), float(first_row[3])
            return "codepoint"
        except ValueError:  # ValidationError is a ValueError
            pass
    raise ValidationError(
        "format",
        "Could not tell the file's layout: expected the ONS Postcode Directory (a header with "
        "pcds, lat, long) or Code-Point Open (postcode, quality, eastings, northings).",
    )


def _onspd_columns(header: list[str]) -> dict[str, int]:
    cells = [c.strip().strip('"').lower() for c in header]

    def first(*names: str) -> int | None:
        return next((cells.index(n) for n in names if n in cells), None)

    # Newer releases name the local-authority column after the year (lad23cd, lad24cd, ...).
    authority = first("oslaua", "laua")
    if authority is None:
        authority = next((i for i, c in enumerate(cells) if re.fullmatch(r"lad\d*cd", c)), None)
    columns = {
        "postcode": first("pcds", "pcd", "pcd7", "pcd8", "pcd2"),
        "lat": first("lat", "latitude"),
        "long": first("long", "lon", "longitude"),
        "doterm": first("doterm"),
        "authority": authority,
    }
    # Named as the ONSPD names them, so the message points at the header to fix.
    needed = (("postcode", "pcds"), ("lat", "lat"), ("long", "long"))
    if missing := [column for name, column in needed if columns[name] is None]:
        raise ValidationError("file", f"The ONS Postcode Directory header has no {', '.join(missing)} column.")
    return columns


# -- writing ------------------------------------------------------------------------------


class _Writer:
    """Writes batches through an Engine (one transaction each) or a Session (commit each)."""

    def __init__(self, target: Engine | Session):
        self.target = target
        bind = target if isinstance(target, Engine) else target.get_bind()
        self.dialect = bind.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        if isinstance(self.target, Engine):
            with self.target.begin() as conn:
                yield conn
        else:
            yield self.target.connection()
            self.target.commit()

    def has_rows(self) -> bool:
        with self.transaction() as conn:
            return bool(conn.execute(select(exists().select_from(Postcode))).scalar())

    def upsert(self, conn: Connection, rows: list[tuple]) -> None:
        if self.dialect == "postgresql":
            self._copy_upsert(conn, rows)
            return
        # Only SQLite and PostgreSQL are supported backends (see directory.db).
        from sqlalchemy.dialects.sqlite import insert as dialect_insert

        table = Postcode.__table__
        stmt = dialect_insert(table)
        stmt = stmt.on_conflict_do_update(
            index_elements=[table.c.postcode],
            set_={name: stmt.excluded[name] for name in _COLUMNS[1:]},
        )
        conn.execute(stmt, [dict(zip(_COLUMNS, r)) for r in rows])

    def _copy_upsert(self, conn: Connection, rows: list[tuple]) -> None:
        # COPY is several times faster than any INSERT form; the temporary table lets the
        # final step be an upsert, which COPY alone cannot do.
        conn.exec_driver_sql(
            "CREATE TEMP TABLE IF NOT EXISTS postcode_load (postcode varchar(8), "
            "latitude double precision, longitude double precision, sector varchar(6), "
            "district varchar(4), local_authority varchar(100))"
        )
        conn.exec_driver_sql("TRUNCATE postcode_load")
        driver = conn.connection.driver_connection
        with driver.cursor() as cursor:
            with cursor.copy(f"COPY postcode_load ({', '.join(_COLUMNS)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in _COLUMNS[1:])
        changed = " OR ".join(f"postcode.{c} IS DISTINCT FROM EXCLUDED.{c}" for c in _COLUMNS[1:])
        # The WHERE skips rewriting unchanged rows, so re-importing the same release is cheap.
        conn.exec_driver_sql(
            f"INSERT INTO postcode ({', '.join(_COLUMNS)}) SELECT {', '.join(_COLUMNS)} "
            f"FROM postcode_load ON CONFLICT (postcode) DO UPDATE SET {updates} WHERE {changed}"
        )

    def remove(self, conn: Connection, postcodes: list[str]) -> None:
        table = Postcode.__table__
        if self.dialect == "postgresql":
            conn.exec_driver_sql("DELETE FROM postcode WHERE postcode = ANY(%(codes)s)", {"codes": postcodes})
        else:
            conn.execute(delete(table).where(table.c.postcode == bindparam("pc")), [{"pc": p} for p in postcodes])


def _to_wgs84():
    from pyproj import Transformer

    # OSGB36 / British National Grid -> WGS84. always_xy keeps (easting, northing) in and
    # (longitude, latitude) out, whatever axis order the CRS definitions declare.
    return Transformer.from_crs("EPSG:27700", "EPSG:4326", always_xy=True)


def _flush(writer, summary, batch: dict, removed: list, grid: list, transformer) -> None:
    if grid:  # Code-Point rows carry eastings/northings: convert the whole batch at once
        longs, lats = transformer.transform([g[1] for g in grid], [g[2] for g in grid])
        for (code, _e, _n, sector, district, authority), lat, lon in zip(grid, lats, longs):
            batch[code] = (code, round(lat, 6), round(lon, 6), sector, district, authority)
        grid.clear()
    if not batch and not removed:
        return
    with writer.transaction() as conn:
        if removed:
            writer.remove(conn, removed)
        if batch:
            writer.upsert(conn, list(batch.values()))
    summary.imported += len(batch)
    batch.clear()
    removed.clear()


def import_postcodes(
    engine_or_session: Engine | Session,
    path: str | os.PathLike,
    fmt: str = "auto",
    progress: bool = True,
    batch_size: int = BATCH_SIZE,
) -> ImportSummary:
    """Load an ONS Postcode Directory or Code-Point Open CSV (or their zips) into `postcode`.

    `fmt` is "auto" (detected from the first row), "onspd" or "codepoint". Terminated
    postcodes (ONSPD ``doterm`` set) and rows without coordinates (ONSPD latitude 99.999999,
    Code-Point quality 90 or a 0 easting) are skipped and counted; malformed rows are counted
    and reported with their line numbers. Given a Session, each batch is committed through it.
    Finishes with `recompute_areas`. Raises `ValidationError` when the layout is not
    recognised.
    """
    if fmt not in FORMATS:
        raise ValidationError("format", f"Unknown format '{fmt}'. Use one of: {', '.join(FORMATS)}.")
    path = Path(path)
    started = time.perf_counter()
    writer = _Writer(engine_or_session)
    replacing = writer.has_rows()  # a first import has nothing to remove: skip those deletes
    summary = ImportSummary(path=str(path), format=fmt)
    batch: dict[str, tuple] = {}  # keyed by postcode: a repeated row must not upsert twice
    removed: list[str] = []
    grid: list[tuple] = []
    transformer = None
    columns: dict[str, int] | None = None

    with _open_sources(path) as sources, _progress(progress, sum(s[2] for s in sources)) as bar:
        done_bytes = 0
        for name, stream, size in sources:
            where = "line" if len(sources) == 1 else f"{Path(name).name} line"
            reader = csv.reader(_text(stream))
            first = next(reader, None)
            if first is None:
                continue
            kind = detect_format(first) if fmt == "auto" else fmt
            if summary.format == "auto":
                summary.format = kind
            rows = reader
            if kind == "onspd":
                columns = _onspd_columns(first)
                parse = _onspd_row(columns)
            else:
                if _header_kind(first) is None:  # Code-Point Open has no header: row 1 is data
                    rows = itertools.chain([first], reader)
                transformer = transformer or _to_wgs84()
                parse = _codepoint_row
            for row in rows:
                if not any(cell.strip() for cell in row):  # a blank line is not a row
                    continue
                summary.rows_read += 1
                try:
                    outcome = parse(row)
                except (ValueError, IndexError) as exc:
                    summary.problem(f"{where} {reader.line_num}", _plain(exc, row))
                    continue
                if outcome == "terminated":
                    summary.terminated += 1
                    if replacing and (code := _terminated_code(row, columns)):
                        removed.append(code)
                elif outcome == "no-coordinates":
                    summary.no_coordinates += 1
                elif kind == "onspd":
                    batch[outcome[0]] = outcome
                else:
                    grid.append(outcome)
                if len(batch) + len(grid) + len(removed) >= batch_size:
                    _flush(writer, summary, batch, removed, grid, transformer)
                    bar(done_bytes + _position(stream, size))
            _flush(writer, summary, batch, removed, grid, transformer)
            done_bytes += size
            bar(done_bytes)

    with writer.transaction() as conn:
        summary.areas = recompute_areas(conn)
    summary.seconds = time.perf_counter() - started
    return summary


def _position(stream, size: int) -> int:
    try:
        return min(stream.tell(), size)
    except (OSError, ValueError):
        return 0


def _plain(exc: Exception, row: list[str]) -> str:
    if isinstance(exc, ValidationError):
        return exc.message
    if isinstance(exc, IndexError):
        return f"too few columns ({len(row)})"
    return str(exc)


# ONSPD's pcds column is already in standard form; matching that shape directly skips the
# general normaliser for ~all rows (a measurable share of a 2.7 million-row import).
_STANDARD = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?) ([0-9])[A-Z]{2}")


def _postcode_parts(text: str) -> tuple[str, str, str]:
    """(postcode, sector, district) in standard form, or ValueError for a partial/invalid one."""
    if match := _STANDARD.fullmatch(text):
        district, digit = match.groups()
        return text, f"{district} {digit}", district
    parts = parse_postcode(text)
    if parts.postcode is None:
        raise ValueError(f"'{text.strip()}' is not a full postcode")
    return parts.postcode, parts.sector, parts.district


def _coordinate(text: str, name: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{name} '{text}' is not a number") from None


def _onspd_row(columns: dict[str, int]):
    pc_i, lat_i, lon_i = columns["postcode"], columns["lat"], columns["long"]
    term_i, la_i = columns["doterm"], columns["authority"]

    def parse(row: list[str]):
        if term_i is not None and row[term_i].strip():
            return "terminated"
        lat_text, lon_text = row[lat_i].strip(), row[lon_i].strip()
        if not lat_text or lat_text.startswith("99.999"):  # ONSPD's "no grid reference"
            return "no-coordinates"
        postcode, sector, district = _postcode_parts(row[pc_i])
        lat, lon = _coordinate(lat_text, "latitude"), _coordinate(lon_text, "longitude")
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise ValueError(f"coordinates {lat}, {lon} are out of range")
        authority = (row[la_i].strip() or None) if la_i is not None else None
        return (postcode, lat, lon, sector, district, authority)

    return parse


def _codepoint_row(row: list[str]):
    # Postcode, Positional_quality_indicator, Eastings, Northings, Country_code,
    # NHS_regional_HA_code, NHS_HA_code, Admin_county_code, Admin_district_code, Admin_ward_code
    postcode, sector, district = _postcode_parts(row[0])
    quality = row[1].strip()
    easting, northing = _coordinate(row[2], "easting"), _coordinate(row[3], "northing")
    if quality == "90" or (easting == 0 and northing == 0):  # 90 = no coordinates
        return "no-coordinates"
    if not (0 <= easting <= 800_000 and 0 <= northing <= 1_400_000):
        raise ValueError(f"grid reference {easting:.0f}, {northing:.0f} is outside Great Britain")
    authority = (row[8].strip() or None) if len(row) > 8 else None
    return (postcode, easting, northing, sector, district, authority)


def _terminated_code(row: list[str], columns: dict[str, int]) -> str | None:
    try:
        return _postcode_parts(row[columns["postcode"]])[0]
    except (ValueError, IndexError):
        return None


@contextmanager
def _progress(enabled: bool, total: int):
    """A callable that moves a rich progress bar to a byte position (or does nothing)."""
    if not enabled:
        yield lambda _done: None
        return
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress(
        TextColumn("Importing postcodes"),
        BarColumn(),
        DownloadColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    ) as bar:
        task = bar.add_task("import", total=total or None)
        yield lambda done: bar.update(task, completed=done)


# -- places and the demo ------------------------------------------------------------------


def import_places(session: Session, path: str | os.PathLike) -> int:
    """Load a places CSV (name,kind,lat,long,local_authority,postcode_district) and commit.

    Upserts on (name, local authority), so re-loading updates rather than duplicates.
    Returns the number of places read. Raises `ValidationError` naming the line of a bad row.
    """
    existing = {(p.name_key, p.local_authority): p for p in session.scalars(select(Place))}
    count = 0
    with Path(path).open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        for record in reader:
            name = (record.get("name") or "").strip()
            try:
                lat, lon = float(record["lat"]), float(record["long"])
            except (KeyError, TypeError, ValueError):
                raise ValidationError(
                    "place", f"line {reader.line_num}: '{name}' has no usable lat/long."
                ) from None
            if not name or not (-90 <= lat <= 90 and -180 <= lon <= 180):
                raise ValidationError("place", f"line {reader.line_num}: bad name or coordinates.")
            authority = (record.get("local_authority") or "").strip() or None
            key = place_key(name)
            place = existing.get((key, authority))
            if place is None:
                place = existing[(key, authority)] = Place(name_key=key, local_authority=authority)
                session.add(place)
            place.name, place.latitude, place.longitude = name, lat, lon
            place.kind = (record.get("kind") or "place").strip() or "place"
            district = (record.get("postcode_district") or "").strip().upper()
            place.postcode_district = district or None
            count += 1
    session.commit()
    return count


def load_demo_gazetteer(session: Session) -> int:
    """Load the demo area's postcodes and places (idempotent) and return the postcode count.

    Upserts ``data/gazetteer/demo-postcodes.csv`` and ``places.csv``, recomputes the sector
    and district centroids, and commits.
    """
    summary = import_postcodes(session, DEMO_POSTCODES, fmt="onspd", progress=False)
    import_places(session, DEMO_PLACES)
    return summary.imported
