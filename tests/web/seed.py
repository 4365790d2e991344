"""A small, fixed directory for the web tests: a few categories, postcodes and activities.

Unit tests of the pages use it so they can say exactly what must appear; the browser tests load
the demo directory instead, when the generator is there, to see the pages with realistic data.
"""

from __future__ import annotations

from datetime import date, time
from decimal import Decimal

from directory.models import (
    CostOption,
    Location,
    Organization,
    Place,
    Postcode,
    PostcodeArea,
    Schedule,
    Service,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)

POSTCODES = {
    "NE4 5PL": (54.9707, -1.6369),
    "NE6 5XA": (54.9762, -1.5825),  # Heaton, about 2.5 miles east
    "NE8 1HE": (54.9553, -1.6050),  # Gateshead
    "DH1 3LE": (54.7761, -1.5733),  # Durham, far away
}


def seed_directory(session) -> dict[str, Service]:
    """Create the fixed directory; returns the services by a short key."""
    for code, (lat, lon) in POSTCODES.items():
        session.add(Postcode(postcode=code, latitude=lat, longitude=lon, sector=code[:-2], district=code.split()[0]))
        session.merge(PostcodeArea(code=code.split()[0], kind="district", latitude=lat, longitude=lon, postcode_count=1))
    session.add(Place(name="Heaton", name_key="heaton", kind="suburb", latitude=54.9762, longitude=-1.5825, postcode_district="NE6"))
    taxonomy = Taxonomy(name="wayfinder")
    session.add(taxonomy)
    terms = {}
    for code, name, parent, synonyms, needs in [
        ("physical-activity", "Being active", None, ["exercise"], ["I want to get fitter"]),
        ("health-walks", "Health walks", "physical-activity", ["walking", "walk"], ["I want to get out of the house"]),
        ("chair-exercise", "Chair exercise", "physical-activity", ["seated exercise"], ["I can't walk far"]),
        ("social-connection", "Meeting people", None, ["social"], ["I feel lonely", "I'm lonely"]),
        ("lunch-clubs", "Lunch clubs and coffee mornings", "social-connection", ["coffee morning"], []),
        ("money-housing", "Money and housing", None, ["advice"], ["I can't pay my bills"]),
    ]:
        terms[code] = TaxonomyTerm(taxonomy=taxonomy, code=code, name=name, synonyms=synonyms, need_phrases=needs,
                                   parent=terms.get(parent))
    session.add_all(terms.values())

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
        service("durham", "Durham Riverside Walk", walkers, ["health-walks"], venue("Durham Riverside", "DH1 3LE"), price="0", byday="SA"),
        service("phone", "Money Worries Helpline", advice, ["money-housing"], None, delivery_modes=["phone"], byday="MO,TU,WE,TH,FR", opens=time(9), closes=time(17)),
    ])
    session.flush()
    return services
