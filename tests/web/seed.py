"""A small, fixed directory for the web tests: a few categories, postcodes and activities.

Unit tests of the pages use it so they can say exactly what must appear; the browser tests load
the demo directory instead, when the generator is there, to see the pages with realistic data.
"""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

from directory.gazetteer_import import load_demo_gazetteer
from directory.models import (
    CostOption,
    Location,
    Organization,
    Postcode,
    Schedule,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from directory.taxonomy import load_wayfinder_taxonomy

# Exact postcodes the tests type (the demo gazetteer holds a sample of the area's postcodes).
POSTCODES = {
    "NE4 5PL": (54.9707, -1.6369),
    "NE6 5XA": (54.9762, -1.5825),  # Heaton, about 2.2 miles east
    "NE8 1HE": (54.9553, -1.6050),  # Gateshead
    "NE17 7AA": (54.8520, -1.8330),  # near Consett, about 10 miles away
}


def seed_directory(session, extra: int = 0) -> dict[str, Service]:
    """Create the fixed directory (commits, since the gazetteer loader does); returns the
    services by a short key. `extra` adds that many more cafes around NE4 5PL, so a results
    page can be full and paginated."""
    load_demo_gazetteer(session)
    for code, (lat, lon) in POSTCODES.items():
        session.merge(Postcode(postcode=code, latitude=lat, longitude=lon, sector=code[:-2], district=code.split()[0]))
    load_wayfinder_taxonomy(session)
    session.flush()
    terms = {t.code: t for t in session.query(TaxonomyTerm)}

    def venue(name, postcode, access=()):
        lat, lon = POSTCODES[postcode]
        return Location(name=name, address_1="1 High Street", city="Newcastle upon Tyne", postal_code=postcode,
                        latitude=lat, longitude=lon, accessibility=list(access),
                        transportation="Buses 38 and 39 stop outside.")

    def service(key, name, org, terms_, loc, *, price=None, routes=("self",), byday="TU", opens=time(10), closes=time(11, 30), **fields):
        s = Service(organization=org, name=name, description=fields.pop("description", f"{name}: friendly and welcoming."),
                    referral_routes=list(routes), assured_date=date(2026, 1, 10), **fields)
        s.taxonomy_terms = [terms[t] for t in terms_]
        if loc is not None:
            s.locations.append(ServiceAtLocation(location=loc))
        if byday:
            s.schedules.append(Schedule(freq="WEEKLY", byday=byday, opens_at=opens, closes_at=closes))
        if price is not None:
            s.cost_options.append(CostOption(amount=Decimal(price), option="per session" if price != "0" else None))
        session.add(s)
        return key, s

    walkers = Organization(name="Elswick Walkers", phone="0191 000 0000", email="walks@example.org")
    cafe = Organization(name="Heaton Community Cafe")
    advice = Organization(name="Tyneside Money Advice", website="https://advice.example.org")
    session.add_all([walkers, cafe, advice])
    services = dict([
        service("walk", "Elswick Park Health Walk", walkers, ["health-walks"], venue("Elswick Park Gates", "NE4 5PL", ["step-free", "near-bus-stop"]),
                price="0", what_to_expect="Meet at the park gates. The walk lasts an hour at an easy pace."),
        service("chair", "Seated Strength Class", walkers, ["chair-exercise"], venue("St Michael's Hall", "NE4 5PL", ["step-free", "hearing-loop", "accessible-toilet"]),
                price="2.50", byday="TH", opens=time(14), closes=time(15)),
        service("lunch", "Heaton Lunch Club", cafe, ["lunch-clubs"], venue("Heaton Community Centre", "NE6 5XA", ["dementia-friendly"]),
                price="3", byday="WE", opens=time(12), closes=time(14), capacity_status="full"),
        service("referral", "Gateshead Cardiac Rehab Walk", walkers, ["health-walks"], venue("Saltwell Park", "NE8 1HE"),
                price="0", routes=("clinician", "link_worker"), byday="FR"),
        service("far", "Quillfield Riverside Walk", walkers, ["health-walks"], venue("Quillfield Car Park", "NE17 7AA"), price="0", byday="SA"),
        service("phone", "Money Worries Helpline", advice, ["debt-advice"], None, delivery_modes=["phone"], byday="MO,TU,WE,TH,FR", opens=time(9), closes=time(17)),
    ])
    cafes = ["Elswick", "Arthur's Hill", "Benwell", "Fenham", "Westgate", "Rye Hill"]
    for n in range(extra):
        lat, lon = POSTCODES["NE4 5PL"]
        loc = Location(name=f"{cafes[n % len(cafes)]} Community Hall {n + 1}", address_1=f"{n + 2} Westmorland Road",
                       city="Newcastle upon Tyne", postal_code="NE4 5PL", latitude=lat + 0.001 * (n % 7),
                       longitude=lon + 0.0015 * (n % 5), accessibility=["step-free", "accessible-toilet", "seating"])
        key, cafe_service = service(f"cafe{n}", f"{cafes[n % len(cafes)]} Coffee Morning {n + 1}", cafe, ["lunch-clubs"], loc,
                                    price="1", byday=["MO", "TU", "WE", "TH", "FR"][n % 5], opens=time(10), closes=time(12),
                                    description="A warm welcome, a cuppa and a chat. Come along and meet your neighbours. "
                                                "There is a quiz on the last week of the month and a lift home if you need it.")
        services[key] = cafe_service
    session.commit()
    return services
