"""The demo directory generator: deterministic, complete, realistic, and able to scale.

The main checks run the real default demo (450 listings, Newcastle upon Tyne and Gateshead) on
SQLite and PostgreSQL, with the real Wayfinder taxonomy and demo gazetteer loaded by the
generator itself.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal

import click
import pytest
from click.testing import CliRunner
from rapidfuzz import fuzz
from sqlalchemy import func, select

from directory import cli_support
from directory.db import make_engine, make_session_factory, upgrade_database
from directory.demo import (
    DEMO_AREA_MAX_LISTINGS,
    DEMO_AS_OF,
    DemoAlreadyLoaded,
    generate_demo,
    resolve_area,
)
from directory.demo.commands import demo_command
from directory.demo.content import load_content
from directory.errors import ValidationError
from directory.geo import haversine_km, point_in_area, polygon_from_geojson
from directory.models import (
    ChangeLog,
    Contact,
    CostOption,
    Language,
    Location,
    Organization,
    Place,
    Postcode,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Source,
    SourceRecord,
    Taxonomy,
    TaxonomyTerm,
    Verification,
    service_taxonomy,
)
from directory.postcodes import normalise_postcode
from directory.schedules import parse_byday

DUMPED = (Organization, Location, Service, ServiceAtLocation, Schedule, CostOption, Language, Contact, ServiceArea, Source, SourceRecord, Verification)
# Ofcom's numbers for drama: Tyneside, the 0808 freephone range, London, the other big cities
# and the "no area" 01632 range. Feeds write numbers without spaces, so allow both.
DRAMA_PHONE = re.compile(r"^(0191 ?498 ?0|0808 ?157 ?0|020 ?7946 ?0|01\d\d ?496 ?0|01632 ?960)\d{3}$")


def _plain(value):
    if isinstance(value, datetime):  # SQLite hands back naive UTC, PostgreSQL aware
        return (value if value.tzinfo else value.replace(tzinfo=timezone.utc)).astimezone(timezone.utc).isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, (dict, list)):
        return json.dumps(value, sort_keys=True)
    return value


def canonical_dump(session) -> dict:
    """Every demo row in primary-key order, in backend-neutral form.

    Taxonomy terms appear by code (their ids are the taxonomy loader's, not the demo's). The
    change log appears as (entity, action, actor): its ids and times record when rows were
    really written, so they are the one thing the seed does not fix.
    """
    dump = {}
    for model in DUMPED:
        table = model.__table__
        rows = session.execute(select(table).order_by(*table.primary_key.columns)).mappings()
        dump[table.name] = [{key: _plain(value) for key, value in row.items()} for row in rows]
    codes = dict(session.execute(select(TaxonomyTerm.id, TaxonomyTerm.code)).all())
    dump["service_taxonomy"] = sorted((sid, codes[tid]) for sid, tid in session.execute(select(service_taxonomy)).all())
    dump["change_log"] = sorted(
        session.execute(select(ChangeLog.entity_type, ChangeLog.entity_id, ChangeLog.action, ChangeLog.actor)).all()
    )
    return dump


@pytest.fixture
def fresh_sessions(tmp_path):
    """Sessions on brand-new, migrated SQLite files: ``fresh_sessions("a")``."""
    opened = []

    def make(name: str):
        url = f"sqlite:///{tmp_path / name}.sqlite"
        upgrade_database(url)
        engine = make_engine(url)
        session = make_session_factory(engine)()
        opened.append((session, engine))
        return session

    yield make
    for session, engine in opened:
        session.close()
        engine.dispose()


# -- determinism -----------------------------------------------------------------------------


def test_same_seed_gives_identical_directories_in_two_databases(session, fresh_sessions):
    # On the PostgreSQL run this also holds PostgreSQL and SQLite to the same content.
    first = generate_demo(session)
    other = fresh_sessions("other")
    second = generate_demo(other)
    session.flush()
    dump = canonical_dump(session)
    assert dump == canonical_dump(other)
    assert first == second
    assert len(dump["service"]) == 450 and dump["service"][0]["id"]  # ids included


def test_a_different_seed_gives_a_different_directory(fresh_sessions):
    a, b = fresh_sessions("a"), fresh_sessions("b")
    generate_demo(a, listings=150, seed=1)
    generate_demo(b, listings=150, seed=2)
    dump_a, dump_b = canonical_dump(a), canonical_dump(b)
    assert {s["id"] for s in dump_a["service"]}.isdisjoint(s["id"] for s in dump_b["service"])
    assert [s["name"] for s in dump_a["service"]] != [s["name"] for s in dump_b["service"]]


def test_the_bulk_writer_writes_exactly_what_the_orm_writer_writes(fresh_sessions):
    orm, bulk = fresh_sessions("orm"), fresh_sessions("bulk")
    generate_demo(orm, listings=300, seed=5, bulk=False)
    generate_demo(bulk, listings=300, seed=5, bulk=True)
    assert canonical_dump(orm) == canonical_dump(bulk)  # change-log entries included


def test_no_wall_clock_leaks_into_the_rows(sqlite_session):
    as_of = date(2020, 3, 1)  # long before any machine running this test
    generate_demo(sqlite_session, listings=120, as_of=as_of)
    latest = datetime.combine(as_of + timedelta(days=1), time(0), tzinfo=timezone.utc)
    for model in (Organization, Service, SourceRecord, Verification):
        for column in model.__table__.columns:
            if isinstance(column.type, type(Service.__table__.c.created_at.type)):
                for (value,) in sqlite_session.execute(select(column).where(column.is_not(None))):
                    assert value.replace(tzinfo=timezone.utc) < latest or column.key == "capacity_expires_at", column
    assert all(d <= as_of for (d,) in sqlite_session.execute(select(Service.assured_date).where(Service.assured_date.is_not(None))))


# -- the demo directory itself ---------------------------------------------------------------


def test_the_demo_directory_meets_the_brief(session):
    summary = generate_demo(session)
    services = session.scalars(select(Service)).all()

    # Size: 400+ activities from 120+ organisations, every one with a live organisation.
    assert summary.area == "newcastle" and summary.services == len(services) == 450
    assert len(services) >= 400
    org_ids = set(session.scalars(select(Organization.id)))
    assert summary.organisations == len(org_ids) >= 120
    assert {s.organization_id for s in services} <= org_ids

    # Every category of the Wayfinder taxonomy is used directly, leaves and parents alike.
    wayfinder = session.scalar(select(Taxonomy).where(Taxonomy.name == "wayfinder"))
    codes = set(session.scalars(select(TaxonomyTerm.code).where(TaxonomyTerm.taxonomy_id == wayfinder.id)))
    used = {t.code for s in services for t in s.taxonomy_terms}
    assert used == codes and len(codes) == 45
    assert all(summary.by_category[code] > 0 for code in codes)

    # Venues: physical, at postcodes the gazetteer knows, within a few metres of them.
    postcodes = {p.postcode: p for p in session.scalars(select(Postcode))}
    venues = session.scalars(select(Location)).all()
    assert summary.locations == len(venues)
    for venue in venues:
        assert venue.location_type == "physical" and venue.postal_code in postcodes, venue.postal_code
        centre = postcodes[venue.postal_code]
        assert haversine_km(venue.latitude, venue.longitude, centre.latitude, centre.longitude) < 0.03
        assert venue.city in ("Newcastle upon Tyne", "Gateshead")
    places = set(session.scalars(select(Place.name)))
    assert {v.address_2 for v in venues} <= places  # neighbourhood names the gazetteer can find
    assert any(v.accessibility for v in venues) and any(s.accessibility for s in services)

    # Some online or phone-only services with no venue; everything else at exactly one venue.
    remote = [s for s in services if not s.locations]
    assert len(remote) >= 10 and summary.online_or_phone == len(remote)
    assert all(set(s.delivery_modes) <= {"online", "phone"} for s in remote)
    assert all(len(s.locations) == 1 and "in_person" in s.delivery_modes for s in services if s.locations)
    assert {"online", "phone"} <= {m for s in remote for m in s.delivery_modes}

    # Freshness: ~10% not checked for over a year, a few never.
    stale = [s for s in services if s.assured_date and (DEMO_AS_OF - s.assured_date).days > 365]
    never = [s for s in services if s.assured_date is None]
    assert 0.05 * 450 <= len(stale) <= 0.15 * 450 and summary.unverified_over_a_year == len(stale)
    assert 1 <= len(never) <= 0.08 * 450

    # Schedules: realistic rules, valid times and dates.
    schedules = [sc for s in services for sc in s.schedules]
    assert all(s.schedules for s in services)
    for sc in schedules:
        if sc.by_appointment:
            assert sc.freq is None
            continue
        assert sc.freq in ("WEEKLY", "MONTHLY") and sc.byday and parse_byday(sc.byday)
        assert time(7) <= sc.opens_at < sc.closes_at <= time(23)
        if sc.valid_from and sc.valid_to:
            assert sc.valid_to >= sc.valid_from
        if sc.interval == 2:
            assert sc.dtstart and sc.dtstart.weekday() == ("MO", "TU", "WE", "TH", "FR", "SA", "SU").index(sc.byday)
    kinds = Counter(("appointment" if sc.by_appointment else f"{sc.freq}/{sc.interval}") for sc in schedules)
    assert kinds["WEEKLY/1"] > kinds["MONTHLY/1"] > 0 and kinds["WEEKLY/2"] > 0 and kinds["appointment"] > 0
    assert any(sc.byday.startswith("-1") for sc in schedules if sc.byday)
    assert any(re.match(r"^[1-4](MO|TU|WE|TH|FR|SA|SU)$", sc.byday or "") for sc in schedules)
    assert any(sc.valid_to for sc in schedules)  # courses end

    # Costs: mostly free or low cost, with concessions.
    free = [s for s in services if s.cost_options and all(c.amount == 0 for c in s.cost_options)]
    assert len(free) > 0.5 * 450
    paid = [c.amount for s in services for c in s.cost_options if c.amount]
    assert paid and max(paid) <= 60 and sorted(paid)[len(paid) // 2] <= 5
    assert any(c.option == "Concessions" for s in services for c in s.cost_options)

    # Who it is for: ages, gender, referral routes, conditions.
    assert any(s.minimum_age == 50 for s in services) and any(s.maximum_age for s in services)
    assert {"female", "male"} <= {s.gender for s in services}
    assert any("swim" in s.name.lower() for s in services if s.gender == "female")
    assert {"self", "link_worker", "clinician"} == {r for s in services for r in s.referral_routes}
    assert any(s.conditions and "one-to-one personal care" in s.conditions for s in services)

    # Capacity: mostly open, every other state present, with when it was said.
    capacity = Counter(s.capacity_status for s in services)
    assert capacity["open"] > 450 / 2 and all(capacity[c] for c in ("limited", "full", "waiting_list", "unknown"))
    for s in services:
        if s.capacity_status in ("limited", "full", "waiting_list"):
            assert s.capacity_stated_at is not None
            assert s.capacity_expires_at is None or s.capacity_expires_at > s.capacity_stated_at

    # Languages, contacts, fictional phone numbers and example.org addresses.
    languages = {lang.name for s in services for lang in s.languages}
    assert {"English", "Urdu", "Polish", "Arabic", "Bengali"} <= languages
    phones = [s.phone for s in services] + [c.phone for s in services for c in s.contacts]
    phones += list(session.scalars(select(Organization.phone)))
    assert phones and all(DRAMA_PHONE.match(p) for p in phones if p), [p for p in phones if p and not DRAMA_PHONE.match(p)]
    emails = [s.email for s in services] + [c.email for s in services for c in s.contacts]
    assert all(e.endswith("@example.org") for e in emails if e)

    # Residency areas: valid polygons that contain the listing's venue.
    limited = [s for s in services if s.service_areas]
    assert limited and summary.residency_limited == len(limited)
    assert any(a.name == "Gateshead residents only" for s in limited for a in s.service_areas)
    for s in limited:
        for area in s.service_areas:
            polygon_from_geojson(area.extent)
            for sal in s.locations:
                assert point_in_area(sal.location.latitude, sal.location.longitude, area.extent), (s.name, area.name)

    # Plain English: every listing says what it is and what the first visit is like.
    assert all(len(s.description) > 60 and s.what_to_expect for s in services if s.id not in {b for _, b in summary.duplicate_pairs})
    assert not [s.name for s in services if "{" in s.name + s.description + (s.what_to_expect or "")]


def test_every_listing_has_provenance_and_the_duplicates_come_from_two_sources(session):
    summary = generate_demo(session)
    sources = {s.name: s for s in session.scalars(select(Source))}
    assert set(sources) == {"Wayfinder demo", "Newcastle CVS spreadsheet", "Active Newcastle OpenActive feed"}
    records = session.scalars(select(SourceRecord)).all()
    demo_records = Counter(r.entity_id for r in records if r.source_id == sources["Wayfinder demo"].id)
    service_ids = set(session.scalars(select(Service.id)))
    assert set(demo_records) == service_ids and set(demo_records.values()) == {1}

    assert 3 <= summary.duplicates == len(summary.duplicate_pairs) <= 15
    by_source = {}
    for r in records:
        by_source.setdefault(r.entity_id, set()).add(r.source_id)
    for original_id, copy_id in summary.duplicate_pairs:
        original, copy = session.get(Service, original_id), session.get(Service, copy_id)
        assert sources["Newcastle CVS spreadsheet"].id in by_source[original_id]
        assert sources["Active Newcastle OpenActive feed"].id in by_source[copy_id]
        assert original.name != copy.name and fuzz.token_set_ratio(original.name.lower(), copy.name.lower()) >= 70
        assert {t.code for t in original.taxonomy_terms} == {t.code for t in copy.taxonomy_terms}
        a, b = original.locations[0].location, copy.locations[0].location
        assert a.id != b.id and haversine_km(a.latitude, a.longitude, b.latitude, b.longitude) < 1.5
        assert original.schedules[0].byday == copy.schedules[0].byday


def test_one_created_change_log_entry_per_listing(session):
    generate_demo(session)
    ids = set(session.scalars(select(Service.id)))
    entries = session.execute(select(ChangeLog.entity_id, ChangeLog.action, ChangeLog.actor).where(ChangeLog.entity_type == "service")).all()
    assert len(entries) == len(ids) == 450
    assert {e.entity_id for e in entries} == ids
    assert {(e.action, e.actor) for e in entries} == {("created", "Wayfinder demo generator")}


def test_loading_the_same_seed_twice_is_refused(sqlite_session):
    generate_demo(sqlite_session, listings=60)
    with pytest.raises(DemoAlreadyLoaded, match="seed 20261122"):
        generate_demo(sqlite_session, listings=60)
    generate_demo(sqlite_session, listings=60, seed=3)  # another seed adds another demo
    assert sqlite_session.scalar(select(func.count()).select_from(Service)) == 120


def test_the_area_rule():
    assert resolve_area("newcastle", 450) == "newcastle"
    assert resolve_area("newcastle", DEMO_AREA_MAX_LISTINGS) == "newcastle"
    assert resolve_area("newcastle", DEMO_AREA_MAX_LISTINGS + 1) == "england"
    assert resolve_area("england", 10) == "england"
    with pytest.raises(ValidationError, match="not a demo area"):
        resolve_area("wales", 10)


def test_every_content_template_is_coherent():
    content = load_content()
    assert len(content.templates) >= 80 and len(content.towns) >= 60
    for template in content.templates:
        assert template.names and template.descriptions and template.expect, template.key


# -- scale -----------------------------------------------------------------------------------


@pytest.mark.slow
def test_a_big_run_spreads_over_england_with_valid_places(sqlite_session):
    summary = generate_demo(sqlite_session, listings=3000)
    assert summary.area == "england" and summary.services == 3000
    venues = sqlite_session.scalars(select(Location)).all()
    assert len({v.city for v in venues}) >= 40
    gazetteer = set(sqlite_session.scalars(select(Postcode.postcode)))
    for venue in venues:
        assert 49.9 < venue.latitude < 55.9 and -6.4 < venue.longitude < 1.8, venue
        assert normalise_postcode(venue.postal_code) == venue.postal_code
        if venue.city in ("Newcastle upon Tyne", "Gateshead"):
            assert venue.postal_code in gazetteer  # the demo area keeps its real postcodes
    for (extent,) in sqlite_session.execute(select(ServiceArea.extent)):
        polygon_from_geojson(extent)
    assert sqlite_session.scalar(select(func.count()).select_from(ChangeLog)) == 3000
    assert sqlite_session.scalar(select(func.count(func.distinct(ChangeLog.entity_id)))) == 3000


# -- the command -----------------------------------------------------------------------------


def test_the_demo_command_loads_once_and_respects_if_empty(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    upgrade_database(url)
    engine = make_engine(url)
    factory = make_session_factory(engine)

    @click.group()
    @click.pass_context
    def cli(ctx):
        cli_support.provide(ctx, factory, {"DATABASE_URL": url})

    cli.add_command(demo_command)
    runner = CliRunner()
    result = runner.invoke(cli, ["demo", "--listings", "80", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "Listings" in result.output and "80" in result.output
    with factory() as check:
        assert check.scalar(select(func.count()).select_from(Service)) == 80

    again = runner.invoke(cli, ["demo", "--if-empty"])
    assert again.exit_code == 0 and "already has listings" in again.output
    refused = runner.invoke(cli, ["demo", "--listings", "80"])
    assert refused.exit_code != 0 and "already in this database" in refused.output
    bad = runner.invoke(cli, ["demo", "--as-of", "yesterday"])
    assert bad.exit_code != 0
    with factory() as check:
        assert check.scalar(select(func.count()).select_from(Service)) == 80
    engine.dispose()
