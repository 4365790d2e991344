"""A small real directory in a fresh SQLite file, for the match API and commands."""

from __future__ import annotations

import math
import random
from datetime import date, time

from directory.db import make_engine, make_session_factory, upgrade_database
from directory.models import Postcode, Schedule
from directory.services import resolve_terms
from directory.taxonomy import load_wayfinder_taxonomy
from tests.factories import add_cost, make_location, make_organization, make_service

HOME_POSTCODE = ("NE1 4AA", 54.971237, -1.616760)
GOSFORTH = (55.0140, -1.6115)  # beside the test feed's "Gosforth High Street" stop


def _near(lat: float, lon: float, north_km: float, east_km: float) -> tuple[float, float]:
    return lat + north_km / 111.2, lon + east_km / (111.2 * math.cos(math.radians(lat)))


def make_world(path, *, walking_groups: int = 0, seed: int = 0) -> str:
    """Create and fill a database; returns its URL."""
    url = f"sqlite:///{path}"
    upgrade_database(url)
    engine = make_engine(url)
    session = make_session_factory(engine)()
    load_wayfinder_taxonomy(session)
    code, lat, lon = HOME_POSTCODE
    session.add(Postcode(postcode=code, latitude=lat, longitude=lon, sector="NE1 4", district="NE1"))
    org = make_organization(session, name="Tyneside Money Matters")
    debt = make_service(session, organization=org, name="Money and debt advice drop-in",
                        description="Free, confidential advice from trained advisers.",
                        location=make_location(session, name="Elswick Library", latitude=54.9720, longitude=-1.6200,
                                               postal_code="NE4 6SX", accessibility=["step-free"]))
    debt.taxonomy_terms = resolve_terms(session, ["debt-advice"])
    add_cost(debt, 0)
    walk = make_service(session, name="Leazes Park health walk", description="A gentle walk for all abilities.",
                        location=make_location(session, name="Leazes Park gates", latitude=54.9790,
                                               longitude=-1.6230, postal_code="NE1 4PF"))
    walk.taxonomy_terms = resolve_terms(session, ["health-walks"])
    add_cost(walk, 0)
    choir = make_service(session, name="Gosforth community choir", description="Sing with friends, no auditions.",
                         location=make_location(session, name="Gosforth Civic Hall", latitude=GOSFORTH[0],
                                                longitude=GOSFORTH[1], postal_code="NE3 1HQ"), schedule=False)
    choir.schedules.append(Schedule(freq="WEEKLY", byday="TU", opens_at=time(10), closes_at=time(12)))
    choir.taxonomy_terms = resolve_terms(session, ["music-choirs"])
    add_cost(choir, 2)
    closed = make_service(session, name="Old debt clinic", status="defunct",
                          location=make_location(session, latitude=54.9712, longitude=-1.6168, postal_code="NE1 4AA"))
    closed.taxonomy_terms = resolve_terms(session, ["debt-advice"])
    rng = random.Random(seed)
    walks = resolve_terms(session, ["health-walks"])
    for n in range(walking_groups):
        glat, glon = _near(lat, lon, rng.uniform(-6, 6), rng.uniform(-6, 6))
        group = make_service(session, name=f"Walking group {n}",
                             assured_date=date(2026, 2, 1) if rng.random() < 0.5 else date(2023, 1, 1),
                             location=make_location(session, latitude=glat, longitude=glon, postal_code="NE1 4AA"))
        group.taxonomy_terms = walks
    session.commit()
    session.close()
    engine.dispose()
    return url
