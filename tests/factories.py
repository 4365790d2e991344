"""Factories that build real, valid directory objects with sensible defaults."""

from __future__ import annotations

import itertools
from datetime import time

from directory.models import (
    CostOption,
    Location,
    Organization,
    Schedule,
    Service,
    ServiceAtLocation,
)

_counter = itertools.count(1)


def make_organization(session, **fields) -> Organization:
    fields.setdefault("name", f"Test Group {next(_counter)}")
    org = Organization(**fields)
    session.add(org)
    return org


def make_location(session, **fields) -> Location:
    fields.setdefault("name", "St Michael's Community Centre")
    fields.setdefault("latitude", 54.9707)
    fields.setdefault("longitude", -1.6369)
    fields.setdefault("postal_code", "NE4 5PL")
    loc = Location(**fields)
    session.add(loc)
    return loc


def make_service(session, *, organization=None, location=None, schedule=True, **fields) -> Service:
    """A published weekly activity at a venue; pass `location=False` for a phone service."""
    fields.setdefault("name", f"Tuesday Health Walk {next(_counter)}")
    fields.setdefault("description", "A gentle guided walk for all abilities.")
    service = Service(organization=organization or make_organization(session), **fields)
    if location is not False:
        service.locations.append(ServiceAtLocation(location=location or make_location(session)))
    if schedule:
        service.schedules.append(
            Schedule(freq="WEEKLY", byday="TU", opens_at=time(10), closes_at=time(11, 30))
        )
    session.add(service)
    return service


def add_cost(service, amount, option=None) -> CostOption:
    cost = CostOption(amount=amount, option=option)
    service.cost_options.append(cost)
    return cost
