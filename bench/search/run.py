"""Benchmark: Wayfinder search at 100,000 listings, beside a raw SQLite FTS5 query, and over HTTP.

    .venv/bin/python bench/search/run.py                       # generate a 100,000-listing demo first
    .venv/bin/python bench/search/run.py --db sqlite:////tmp/demo100k.sqlite   # reuse one
    .venv/bin/python bench/search/run.py --listings 20000 --queries 200 --http-requests 400

In one run, over the same listings and the same workload:

1. builds Wayfinder's index (`SearchIndex.rebuild`) and times it (wall and CPU), then opens it
   again as a fresh process would (snapshot load) and reports resident memory;
2. builds an SQLite FTS5 table (porter stemming, BM25 with the same field weights) with a
   table of venue coordinates, in a scratch file;
3. runs the workload through both: Wayfinder's in-process `search()` (text + place + filters,
   facets and next sessions included, search log off) and the raw FTS5 query (text MATCH +
   a lat/lon box, ORDER BY bm25 LIMIT 20), one warm-up pass then a timed pass each;
4. serves the app (gunicorn, 2 workers x 8 threads; werkzeug's threaded server if gunicorn is
   not installed) and sends a bounded number of GET /api/v1/search requests from 20 concurrent
   keep-alive clients on loopback.

Prints a Markdown summary (pasted into docs/performance.md) and writes the raw numbers to
bench/results/search-<time>.json.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import resource
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from directory.db import make_engine, make_session_factory, upgrade_database  # noqa: E402
from directory.geo import bounding_box  # noqa: E402
from directory.search import SearchIndex, SearchRequest, search  # noqa: E402
from directory.search.documents import iter_all_documents  # noqa: E402
from directory.search.schema import FIELD_BOOSTS  # noqa: E402

RADIUS_KM = 8.0467  # 5 miles
WORDS = [
    "knitting", "walking", "choir", "swimming", "yoga", "dementia cafe", "men's shed", "gardening",
    "coffee morning", "lunch club", "chair exercise", "debt advice", "benefits", "food bank", "art class",
    "befriending", "carers", "bereavement", "diabetes", "english class", "volunteering", "dance", "tai chi",
    "I'm lonely", "I can't pay my bills", "my knees hurt", "I want to get out of the house",
    "I've lost my husband", "I feel anxious", "kniting", "swiming", "choier", "walking football",
    "singing for the brain", "digital skills", "cooking", "fishing", "cycling", "green gym", "peer support",
]
FILTERS = [
    {}, {"free": True}, {"days": ("TU",)}, {"times": ("morning",)}, {"accessibility": ("step-free",)},
    {"has_places": True}, {"days": ("WE", "TH"), "free": True}, {"self_referral": True},
]


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def percentiles(values: list[float]) -> dict:
    ordered = sorted(values)

    def at(q: float) -> float:
        return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]

    return {"n": len(ordered), "p50": at(0.50), "p95": at(0.95), "p99": at(0.99), "max": ordered[-1],
            "mean": statistics.fmean(ordered)}


# --------------------------------------------------------------------------------------------


def prepare_database(args, scratch: Path) -> str:
    if args.db:
        return args.db
    from directory.demo import generate_demo

    url = f"sqlite:///{scratch / 'demo.sqlite'}"
    upgrade_database(url)
    factory = make_session_factory(make_engine(url))
    started = time.perf_counter()
    with factory() as session:
        generate_demo(session, listings=args.listings)
        session.commit()
    print(f"generated {args.listings} listings in {time.perf_counter() - started:.0f}s", file=sys.stderr)
    return url


def build_fts(url: str, path: Path) -> tuple[sqlite3.Connection, dict]:
    """The same listings in an FTS5 table, plus venue coordinates in a B-tree-indexed table."""
    factory = make_session_factory(make_engine(url))
    db = sqlite3.connect(path, check_same_thread=False)
    db.execute("CREATE VIRTUAL TABLE fts USING fts5(title, categories, organisation, description, "
               "tokenize='porter unicode61 remove_diacritics 2')")
    db.execute("CREATE TABLE venue (listing INTEGER, lat REAL, lon REAL)")
    started, cpu = time.perf_counter(), time.process_time()
    count = 0
    with factory() as session:
        for n, doc in enumerate(iter_all_documents(session.connection()), start=1):
            db.execute("INSERT INTO fts(rowid, title, categories, organisation, description) VALUES (?,?,?,?,?)",
                       (n, doc.title, doc.categories, doc.organisation, doc.description))
            for venue in doc.facts["venues"]:
                if venue.get("lat") is not None:
                    db.execute("INSERT INTO venue VALUES (?,?,?)", (n, venue["lat"], venue["lon"]))
            count = n
    db.execute("CREATE INDEX venue_lat_lon ON venue (lat, lon)")
    db.commit()
    return db, {"listings": count, "seconds": time.perf_counter() - started, "cpu_seconds": time.process_time() - cpu}


# Text first, then the box: written the other way round ("rowid IN (box)" or a join), FTS5 runs
# the MATCH once per venue in the box and takes 10x-1000x longer. MATERIALIZED keeps SQLite
# from flattening the two steps back together.
FTS_QUERY = (
    "WITH matched AS MATERIALIZED (SELECT rowid AS id, bm25(fts, {weights}) AS score FROM fts WHERE fts MATCH ?) "
    "SELECT id, score FROM matched WHERE id IN "
    "(SELECT listing FROM venue WHERE lat BETWEEN ? AND ? AND lon BETWEEN ? AND ?) "
    "ORDER BY score LIMIT 20"
).format(weights=", ".join(str(b) for b in FIELD_BOOSTS.values()))


def fts_match(text: str) -> str:
    words = [w for w in "".join(c if c.isalnum() else " " for c in text.lower()).split() if len(w) > 1]
    return " OR ".join(f'"{w}"' for w in words)


def workload(url: str, n: int, seed: int) -> list[dict]:
    """`n` searches: realistic words, centred on real venues (so places are populated), filters."""
    factory = make_session_factory(make_engine(url))
    with factory() as session:
        points = session.connection().exec_driver_sql(
            "SELECT latitude, longitude FROM location WHERE latitude IS NOT NULL ORDER BY id").all()
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        lat, lon = rng.choice(points)
        out.append({"text": rng.choice(WORDS), "lat": lat + rng.uniform(-0.02, 0.02),
                    "lon": lon + rng.uniform(-0.03, 0.03), "filters": rng.choice(FILTERS)})
    return out


def run_wayfinder(session, index, queries) -> tuple[list[float], list[int]]:
    times, totals = [], []
    now = datetime.now(timezone.utc)
    for q in queries:
        request = SearchRequest(text=q["text"], latitude=q["lat"], longitude=q["lon"], radius_km=RADIUS_KM,
                                now=now, **q["filters"])
        started = time.perf_counter()
        found = search(session, request, index=index, log=False)
        times.append((time.perf_counter() - started) * 1000)
        totals.append(found.total)
    return times, totals


def run_fts(db, queries) -> tuple[list[float], list[int]]:
    times, counts = [], []
    for q in queries:
        min_lat, min_lon, max_lat, max_lon = bounding_box(q["lat"], q["lon"], RADIUS_KM)
        started = time.perf_counter()
        rows = db.execute(FTS_QUERY, (fts_match(q["text"]), min_lat, max_lat, min_lon, max_lon)).fetchall()
        times.append((time.perf_counter() - started) * 1000)
        counts.append(len(rows))
    return times, counts


# --------------------------------------------------------------------------------------------
# HTTP
# --------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(url: str, index_dir: Path, port: int, instance: Path):
    env = {**os.environ, "DATABASE_URL": url, "WAYFINDER_INDEX_DIR": str(index_dir), "PYTHONPATH": str(ROOT),
           "WAYFINDER_SECRET_KEY": "bench-only"}
    gunicorn = Path(sys.executable).with_name("gunicorn")
    if gunicorn.exists():
        command = [str(gunicorn), "-w", "2", "-k", "gthread", "--threads", "8", "-b", f"127.0.0.1:{port}",
                   "--graceful-timeout", "3", "--log-level", "warning", "web:create_app()"]
        server = "gunicorn (2 workers x 8 threads)"
    else:
        command = [sys.executable, "-c", f"from web import create_app; create_app().run(host='127.0.0.1', port={port}, threaded=True)"]
        server = "werkzeug threaded (gunicorn not installed)"
    proc = subprocess.Popen(command, cwd=instance, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return proc, server
        except OSError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError("the server did not start: " + proc.stderr.read().decode()[-2000:])


def http_load(port: int, queries: list[dict], clients: int, total: int) -> dict:
    paths = []
    for q in queries:
        params = {"q": q["text"], "lat": f"{q['lat']:.5f}", "lon": f"{q['lon']:.5f}", "radius_miles": "5"}
        for key, value in q["filters"].items():
            name = {"days": "day", "times": "time"}.get(key, key)
            params[name] = ",".join(value) if isinstance(value, tuple) else str(value).lower()
        paths.append("/api/v1/search?" + urlencode(params))
    # Warm every worker's snapshot first (a deployment's workers start warm after one request).
    for path in paths[:20]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        conn.request("GET", path)
        conn.getresponse().read()
        conn.close()
    counter = iter(range(total))
    lock = threading.Lock()
    times, errors = [], []

    def client():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                break
            started = time.perf_counter()
            try:
                conn.request("GET", paths[n % len(paths)])
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException) as exc:
                ok, response = False, exc
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                (times if ok else errors).append(elapsed if ok else str(response))
        conn.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return {**percentiles(times), "errors": len(errors), "requests": total, "clients": clients,
            "seconds": seconds, "requests_per_second": total / seconds}


# --------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", help="a database URL with listings (default: generate a demo)")
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=500)
    parser.add_argument("--http-requests", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--keep", help="keep scratch files in this folder")
    parser.add_argument("--reuse", action="store_true",
                        help="with --keep: reuse the index and FTS5 table already there (times only the searches)")
    args = parser.parse_args()

    scratch = Path(args.keep or tempfile.mkdtemp(prefix="wayfinder-bench-"))
    scratch.mkdir(parents=True, exist_ok=True)
    results: dict = {"when": datetime.now(timezone.utc).isoformat(timespec="seconds"), "cpus": os.cpu_count(),
                     "load_average_before": os.getloadavg()}
    try:
        url = prepare_database(args, scratch)
        factory = make_session_factory(make_engine(url))
        index_dir = scratch / "index"
        reuse = args.reuse and args.keep and index_dir.exists() and (scratch / "fts.sqlite").exists()
        if not reuse:
            shutil.rmtree(index_dir, ignore_errors=True)
            with factory() as session:
                cpu = time.process_time()
                report = SearchIndex(index_dir).rebuild(session)
                cpu = time.process_time() - cpu
                results["build"] = {"listings": report.listings, "seconds": report.seconds,
                                    "cpu_seconds": cpu,
                                    "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}
            print(f"index built: {report.listings} listings in {report.seconds:.1f}s", file=sys.stderr)

        # A fresh SearchIndex object opens the index as a new process would.
        rss_before = rss_mb()
        index = SearchIndex(index_dir)
        queries = workload(url, args.queries, args.seed)
        with factory() as session:
            started = time.perf_counter()
            index.snapshot(session)
            results["open"] = {"seconds": time.perf_counter() - started, "rss_mb_before": rss_before,
                               "rss_mb_after": rss_mb()}
            cold, _ = run_wayfinder(session, index, queries)
            warm, totals = run_wayfinder(session, index, queries)
            results["listings"] = index.snapshot(session).count
        results["wayfinder_cold"] = percentiles(cold)
        results["wayfinder"] = {**percentiles(warm), "mean_results": statistics.fmean(totals), "rss_mb": rss_mb()}

        if reuse:
            fts_db = sqlite3.connect(scratch / "fts.sqlite", check_same_thread=False)
        else:
            (scratch / "fts.sqlite").unlink(missing_ok=True)
            fts_db, results["fts_build"] = build_fts(url, scratch / "fts.sqlite")
        run_fts(fts_db, queries)
        fts_times, counts = run_fts(fts_db, queries)
        results["fts5"] = {**percentiles(fts_times), "mean_rows": statistics.fmean(counts)}
        results["ratio_p95"] = results["wayfinder"]["p95"] / results["fts5"]["p95"]

        port = free_port()
        proc, server = start_server(url, index_dir, port, scratch)
        try:
            results["http"] = {"server": server, **http_load(port, queries, args.clients, args.http_requests)}
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        results["load_average_after"] = os.getloadavg()
    finally:
        if not args.keep:
            shutil.rmtree(scratch, ignore_errors=True)

    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"search-{datetime.now():%Y%m%dT%H%M%S}.json").write_text(json.dumps(results, indent=2))
    print(summary(results, args))


def summary(r: dict, args) -> str:
    w, f, h = r["wayfinder"], r["fts5"], r["http"]
    b = r.get("build")
    lines = [
        f"Listings: {r['listings']:,}; workload: {args.queries} searches (seed {args.seed}), words + 5-mile radius"
        f" around real venues + one of {len(FILTERS)} filter sets; {r['cpus']} CPUs, load average"
        f" {r['load_average_before'][0]:.1f} before / {r['load_average_after'][0]:.1f} after.",
        "",
        "| measure | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---|---|---|---|",
        f"| Wayfinder search(), warm (text + place + filters + facets) | {w['p50']:.1f} | {w['p95']:.1f} | {w['p99']:.1f} | {w['max']:.1f} |",
        f"| Wayfinder search(), first pass (cold caches) | {r['wayfinder_cold']['p50']:.1f} | {r['wayfinder_cold']['p95']:.1f} | {r['wayfinder_cold']['p99']:.1f} | {r['wayfinder_cold']['max']:.1f} |",
        f"| raw SQLite FTS5 MATCH + lat/lon box, bm25, LIMIT 20 | {f['p50']:.1f} | {f['p95']:.1f} | {f['p99']:.1f} | {f['max']:.1f} |",
        f"| HTTP GET /api/v1/search, {h['clients']} clients, {h['requests']} requests ({h['server']}) | {h['p50']:.1f} | {h['p95']:.1f} | {h['p99']:.1f} | {h['max']:.1f} |",
        "",
        f"- Wayfinder p95 / FTS5 p95 = {r['ratio_p95']:.2f}x; mean results per search: Wayfinder {w['mean_results']:.0f}"
        f" (all matches, counted), FTS5 {f['mean_rows']:.0f} (top 20 only).",
        f"- Opening the index in a fresh process: {r['open']['seconds']:.2f} s; resident memory"
        f" {r['open']['rss_mb_before']:.0f} MB before, {r['open']['rss_mb_after']:.0f} MB after opening,"
        f" {w['rss_mb']:.0f} MB after the workload.",
        f"- HTTP: {h['requests_per_second']:.0f} requests/s, {h['errors']} errors.",
    ]
    if b:
        lines.append(f"- Index build: {b['seconds']:.1f} s wall, {b['cpu_seconds']:.1f} s CPU, peak RSS"
                     f" {b['peak_rss_mb']:.0f} MB (FTS5 build: {r['fts_build']['seconds']:.1f} s).")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
