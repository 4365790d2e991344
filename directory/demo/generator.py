"""The demo directory generator: a realistic, deterministic directory of community activities.

`generate_demo(session)` loads Wayfinder's taxonomy and the demo postcode gazetteer, then writes
organisations, venues and listings planned by `directory.demo.planner` from the content in
``data/demo/``. The same seed (and content files) always writes the same rows, ids included:

* ids come from a seeded stream (`records.Ids`), never `uuid4()`;
* every date and time is relative to `as_of` (default `DEMO_AS_OF`), never the wall clock, so
  the demo is identical on any day. Freshness is relative to that date too: a listing "last
  checked 14 months ago" is 14 months before `as_of`. Pass ``as_of=date.today()`` (the CLI's
  ``--as-of today``) for a demo that looks fresh today.
  The change log's own `changed_at` and `id` are the one exception: they record when the rows
  were really written, as for any other write.

Which area: ``area="newcastle"`` writes the Newcastle upon Tyne and Gateshead demo while
``listings <= DEMO_AREA_MAX_LISTINGS`` (2,000) and spreads larger runs over England (the demo
gazetteer has ~2,000 postcodes and the two boroughs ~500,000 people: more listings than that
would stack venues on every postcode); ``area="england"`` always spreads over England.

How it is written (`directory.demo.writers`): up to `DEMO_AREA_MAX_LISTINGS` listings through
the ORM, so the model validators check every row and the change-log hook writes one "created"
entry per listing; above that with Core bulk inserts (several times faster at 100,000), which
write the same rows and the same change-log entries themselves - a test holds the two to
identical output. Rows go out every `batch_size` listings, so memory stays flat. Nothing is
committed: the caller commits (`wayfinder demo` does), so a failed run leaves no half demo.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from typing import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session

from directory.changelog import ACTOR_KEY, set_actor
from directory.demo.content import load_content
from directory.demo.geography import Geography, read_gazetteer_postcodes
from directory.demo.planner import Planner
from directory.demo.records import CVS_SOURCE, DEMO_SOURCE, OPENACTIVE_SOURCE, Ids
from directory.demo.writers import CoreWriter, OrmWriter
from directory.errors import DirectoryError, ValidationError
from directory.models import Source, TaxonomyTerm

DEMO_SEED = 20261122
DEMO_AS_OF = date(2026, 11, 22)  # the demo's "today"; see the module docstring
DEMO_LISTINGS = 450
DEMO_AREA_MAX_LISTINGS = 2000
AREAS = ("newcastle", "england")
ACTOR = "Wayfinder demo generator"
DEMO_SOURCE_NAME = "Wayfinder demo"

# (name, kind, url) of the sources each layout's listings come from.
SOURCES = {
    "newcastle": {
        CVS_SOURCE: ("Newcastle CVS spreadsheet", "spreadsheet", None),
        OPENACTIVE_SOURCE: ("Active Newcastle OpenActive feed", "openactive", "https://example.org/openactive/active-newcastle/session-series"),
    },
    "england": {
        CVS_SOURCE: ("Local CVS spreadsheets (England demo)", "spreadsheet", None),
        OPENACTIVE_SOURCE: ("OpenActive feeds (England demo)", "openactive", "https://example.org/openactive/england/session-series"),
    },
}

Progress = Callable[[int, int], None]


class DemoAlreadyLoaded(DirectoryError):
    """This database already holds the demo for this seed (its ids would collide)."""


@dataclass(frozen=True)
class DemoSummary:
    """What `generate_demo` wrote.

    `by_category` counts listings under each taxonomy code, a parent category counting every
    listing filed under it or under any of its children. `duplicate_pairs` lists each deliberate
    duplicate as (original listing id, second source's copy id): the answer key for dedupe.
    """

    area: str
    seed: int
    as_of: date
    organisations: int
    services: int
    locations: int
    duplicates: int
    by_category: dict[str, int]
    online_or_phone: int = 0
    unverified_over_a_year: int = 0
    never_verified: int = 0
    residency_limited: int = 0
    duplicate_pairs: tuple[tuple[str, str], ...] = field(default=(), repr=False)


def resolve_area(area: str, listings: int) -> str:
    """The layout a run uses: "newcastle" up to `DEMO_AREA_MAX_LISTINGS` listings, else "england"."""
    if area not in AREAS:
        raise ValidationError("area", f"{area!r} is not a demo area: use {' or '.join(AREAS)}.")
    if area == "newcastle" and listings > DEMO_AREA_MAX_LISTINGS:
        return "england"
    return area


def generate_demo(
    session: Session,
    *,
    listings: int = DEMO_LISTINGS,
    seed: int = DEMO_SEED,
    area: str = "newcastle",
    as_of: date | None = None,
    batch_size: int = 1000,
    progress: Progress | None = None,
    bulk: bool | None = None,
) -> DemoSummary:
    """Write a demo directory of `listings` listings and return what was written.

    Loads the Wayfinder taxonomy and the demo gazetteer first (both idempotent; the gazetteer
    loader commits). Deterministic for a given `seed`, `as_of` and content. Flushes every
    `batch_size` listings and calls ``progress(done, listings)``; does not commit. `bulk` picks
    the writer (None: Core bulk inserts above `DEMO_AREA_MAX_LISTINGS` listings, else the ORM).
    Raises `DemoAlreadyLoaded` when this seed's demo is already in the database.
    """
    if listings < 1:
        raise ValidationError("listings", "Ask for at least one listing.")
    layout = resolve_area(area, listings)
    as_of = as_of or DEMO_AS_OF
    # Imported here: the taxonomy and gazetteer modules are heavier and only needed to run.
    from directory.gazetteer_import import DEMO_POSTCODES, load_demo_gazetteer
    from directory.taxonomy import load_wayfinder_taxonomy

    taxonomy = load_wayfinder_taxonomy(session)
    load_demo_gazetteer(session)
    terms = {t.code: t for t in session.scalars(select(TaxonomyTerm).where(TaxonomyTerm.taxonomy_id == taxonomy.id).order_by(TaxonomyTerm.code))}
    by_id = {t.id: t.code for t in terms.values()}
    parents = {code: by_id.get(term.parent_id) for code, term in terms.items()}

    content = load_content()
    unknown = sorted(set(content.codes()) - set(terms))
    if unknown:
        raise ValidationError("taxonomy", f"The demo content uses categories the taxonomy lacks: {', '.join(unknown)}.")
    postcodes = read_gazetteer_postcodes(DEMO_POSTCODES)
    geo_rng = random.Random(f"wayfinder-demo-geography:{seed}")
    geography = (Geography.newcastle if layout == "newcastle" else Geography.england)(content, geo_rng, postcodes)
    planner = Planner(content, geography, listings=listings, seed=seed, as_of=as_of, parents=parents)

    previous_actor = session.info.get(ACTOR_KEY)
    set_actor(session, ACTOR)
    try:
        sources = _sources(session, layout, seed, listings, as_of)
        use_bulk = listings > DEMO_AREA_MAX_LISTINGS if bulk is None else bulk
        writer = (CoreWriter if use_bulk else OrmWriter)(
            session, terms=terms, sources=sources, seed=seed, as_of=as_of,
            batch_size=batch_size, total=listings, progress=progress, actor=ACTOR,
        )
        for record in planner.records():
            writer.add(record)
        writer.finish()
    finally:
        set_actor(session, previous_actor)

    by_category: dict[str, int] = {code: 0 for code in terms}
    for codes, count in writer.codes.items():
        for code in {ancestor for code in codes for ancestor in _lineage(code, parents)}:
            by_category[code] += count
    return DemoSummary(
        area=layout, seed=seed, as_of=as_of,
        organisations=writer.organisations, services=writer.services, locations=writer.locations,
        duplicates=len(planner.duplicate_pairs), by_category=by_category,
        online_or_phone=writer.remote, unverified_over_a_year=writer.stale,
        never_verified=writer.never_verified, residency_limited=writer.residency,
        duplicate_pairs=tuple(planner.duplicate_pairs),
    )


def _lineage(code: str | None, parents: dict[str, str | None]):
    while code is not None:
        yield code
        code = parents.get(code)


def _sources(session: Session, layout: str, seed: int, listings: int, as_of: date) -> dict[str, Source]:
    """The demo's sources, created on first use; refuses a seed that was already loaded."""
    ids = Ids(f"{seed}-sources")
    created = datetime.combine(as_of, time(9), tzinfo=timezone.utc)
    specs = {DEMO_SOURCE: (DEMO_SOURCE_NAME, "demo", None), **SOURCES[layout]}
    found: dict[str, Source] = {}
    for key, (name, kind, url) in specs.items():
        source_id = ids.new()  # drawn whether or not it is used, so ids never depend on the database
        source = session.scalar(select(Source).where(Source.name == name))
        if source is None:
            source = Source(id=source_id, name=name, kind=kind, url=url, created_at=created, options={}, state={})
            session.add(source)
        found[key] = source
    demo = found[DEMO_SOURCE]
    runs = list((demo.state or {}).get("runs", []))
    if any(run.get("seed") == seed for run in runs):
        raise DemoAlreadyLoaded(
            f"The demo for seed {seed} is already in this database. Use another seed, or a fresh database."
        )
    # A new dict (not an in-place edit) so the JSON column sees the change.
    demo.state = {**(demo.state or {}), "runs": runs + [{"seed": seed, "listings": listings, "area": layout, "as_of": as_of.isoformat()}]}
    session.flush()
    return found
