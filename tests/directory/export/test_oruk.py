"""The ORUK serialisers: valid against the UK profile and HSDS 3.0, stable, and honest."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from directory.export import oruk
from directory.export.extensions import VOCABULARIES, read_wayfinder_attributes, wayfinder_attributes
from directory.export.loading import last_changed, load_services
from tests.export_data import NEWCASTLE, build_directory
from tests.oruk_conformance import OrukSchemas, coordinate_problems, errors


@pytest.fixture(scope="module")
def schemas(standards):
    return OrukSchemas(standards)


def _walk(value, path="$"):
    """Yield (path, value) for every node of a JSON document."""
    yield path, value
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _walk(child, f"{path}.{key}")
    elif isinstance(value, list):
        for n, child in enumerate(value):
            yield from _walk(child, f"{path}[{n}]")


def _trees(session):
    d = build_directory(session)
    session.commit()
    services = load_services(session, [s.id for s in d.services.values()])
    changed = last_changed(session, services)
    return d, {name: oruk.service_full(services[s.id], changed[s.id]) for name, s in d.services.items()}


def test_every_service_tree_validates_against_the_uk_profile_and_hsds_core(session, schemas):
    _, trees = _trees(session)
    for name, tree in trees.items():
        assert errors(schemas.service, tree) == [], name
        assert errors(schemas.service_core, tree) == [], name
        assert coordinate_problems(tree) == [], name


def test_list_items_and_organisations_validate(session, schemas):
    d, _ = _trees(session)
    for service in d.services.values():
        assert errors(schemas.service_list_item, oruk.service_summary(service)) == []
        org = oruk.organization_full(service.organization, [oruk.service_summary(service)])
        assert errors(schemas.organization, org) == []
        assert errors(schemas.organization_list_item, oruk.organization_summary(service.organization)) == []


def test_taxonomies_and_terms_validate(session, schemas):
    d, _ = _trees(session)
    terms = list(d.terms.values())
    assert errors(schemas.taxonomy, oruk.taxonomy(d.taxonomy, terms)) == []
    for term in terms:
        assert errors(schemas.taxonomy_term, oruk.taxonomy_term(term)) == []


def test_the_schemas_would_catch_a_broken_tree(session, schemas):
    """Guard against a validator that passes everything (a bad $ref resolves to `{}`)."""
    _, trees = _trees(session)
    broken = json.loads(json.dumps(trees["walk"]))
    broken["id"] = "not-a-uuid"
    broken["email"] = "no at sign"
    del broken["name"]
    broken["schedules"][0]["freq"] = "DAILY"
    found = errors(schemas.service, broken)
    assert any("name" in e for e in found)
    assert any(e.startswith("id:") for e in found)
    assert any(e.startswith("email:") for e in found)
    assert any(e.startswith("schedules/0/freq") for e in found)


def test_no_nulls_anywhere(session):
    _, trees = _trees(session)
    for name, tree in trees.items():
        nulls = [path for path, value in _walk(tree) if value is None]
        assert nulls == [], name


def test_output_is_stable_between_calls(session):
    d, first = _trees(session)
    services = load_services(session, [s.id for s in d.services.values()])
    changed = last_changed(session, services)
    again = {name: oruk.service_full(services[s.id], changed[s.id]) for name, s in d.services.items()}
    assert again == first


def test_an_id_always_names_the_same_kind_of_thing(session):
    """Derived ids (addresses, phones, accessibility) never collide with each other or rows."""
    import re

    _, trees = _trees(session)
    kinds: dict[str, set[str]] = {}
    for tree in trees.values():
        for path, value in _walk(tree):
            if path.endswith(".id") and ".attributes[" not in path:
                kinds.setdefault(value, set()).add(re.sub(r"\[\d+\]", "", path))
    assert {i: k for i, k in kinds.items() if len(k) > 1} == {}
    assert len(kinds) > 60  # the walk alone has over a dozen ids: the test saw them


def test_schedules_become_profile_rules(session):
    _, trees = _trees(session)
    walk = trees["walk"]["schedules"][0]
    assert (walk["freq"], walk["byday"], walk["opens_at"], walk["closes_at"]) == ("WEEKLY", "TU", "10:00:00", "11:30:00")
    assert walk["description"] == "Every Tuesday, 10am to 11:30am"
    daily = trees["swim"]["schedules"][0]
    assert (daily["freq"], daily["interval"], daily["byday"]) == ("WEEKLY", 1, "MO,TU,WE,TH,FR,SA,SU")
    monthly = trees["chair"]["schedules"][0]
    assert (monthly["freq"], monthly["byday"], monthly["valid_from"]) == ("MONTHLY", "2MO", "2026-01-01")
    # The monthly session is at a venue: the schedule points at that service_at_location.
    assert monthly["service_at_location_id"] == trees["chair"]["service_at_locations"][0]["id"]
    fortnightly = trees["lunch"]["schedules"][0]
    assert (fortnightly["interval"], fortnightly["dtstart"]) == (2, "2026-01-07")
    yearly = trees["fair"]["schedules"][0]
    assert "freq" not in yearly and yearly["description"].startswith("Once a year")
    by_appointment = trees["debt"]["schedules"][0]
    assert "freq" not in by_appointment and "appointment" in by_appointment["description"]
    assert by_appointment["notes"] == "Call to book a time."


def test_costs_languages_contacts_and_phones(session):
    _, trees = _trees(session)
    walk = trees["walk"]
    assert [(c["amount"], c["option"], c["currency"]) for c in walk["cost_options"]] == [(0, "per walk", "GBP")]
    assert sorted(c["amount"] for c in trees["lunch"]["cost_options"]) == [1.5, 3]
    assert [(lang["name"], lang["code"]) for lang in walk["languages"]] == [("English", "en")]
    contact = walk["contacts"][0]
    assert (contact["name"], contact["title"], contact["email"]) == ("Ann Walker", "Walk leader", "ann@heatonwalkers.example")
    assert contact["phones"][0]["number"] == "07700 900001"
    assert walk["phones"][0]["number"] == "0191 000 0002"
    assert walk["organization"]["website"] == "https://www.heatonwalkers.example"  # bare domain fixed
    assert walk["organization"]["organization_identifiers"][0]["identifier"] == "1234567"


def test_locations_carry_address_and_accessibility(session):
    _, trees = _trees(session)
    location = trees["walk"]["service_at_locations"][0]["location"]
    assert (location["latitude"], location["longitude"]) == (54.9785, -1.588)
    assert location["addresses"][0]["postal_code"] == "NE6 5AA"
    assert [a["description"] for a in location["accessibility"]][:2] == ["Step-free access", "Accessible toilet"]
    assert location["accessibility"][-1]["description"] == "Ramp at the side door."
    virtual = trees["fair"]["service_at_locations"][0]["location"]
    assert virtual["location_type"] == "virtual" and virtual["addresses"] == []
    assert virtual["url"] == "https://zoom.example/j/1"


def test_service_area_extent_is_the_geojson_as_a_string(session):
    _, trees = _trees(session)
    area = trees["debt"]["service_areas"][0]
    assert area["extent_type"] == "geojson"
    assert json.loads(area["extent"]) == NEWCASTLE
    assert area["service_area"] == "For people living in Newcastle."


def test_categories_and_wayfinder_facts_are_attributes(session):
    d, trees = _trees(session)
    lunch = trees["lunch"]["attributes"]
    categories = {a["taxonomy_term"]["term"] for a in lunch if a["link_type"] == "category"}
    assert categories == {"lunch-clubs", "social"}
    assert {a["taxonomy_term"]["taxonomy"] for a in lunch if a["link_type"] == "category"} == {"wayfinder-test"}
    facts = read_wayfinder_attributes(trees["walk"]["attributes"])
    assert facts == {"referral_routes": ["self", "link_worker"], "delivery_modes": ["in_person"],
                     "accessibility": ["dementia-friendly"], "capacity_status": "open"}
    assert read_wayfinder_attributes(trees["swim"]["attributes"])["gender"] == "female"
    assert "gender" not in read_wayfinder_attributes(trees["walk"]["attributes"])  # "any" is not said
    assert read_wayfinder_attributes(trees["lunch"]["attributes"])["capacity_status"] == "waiting_list"


def test_vocabulary_term_ids_do_not_depend_on_the_instance(session):
    d, _ = _trees(session)
    ids = {a["taxonomy_term_id"] for a in wayfinder_attributes(d.services["walk"])}
    referral = next(v for v in VOCABULARIES if v.key == "referral_routes")
    assert referral.term_id("self") in ids
    # Pinned: a changed namespace or naming would silently break every consumer's mapping.
    assert referral.term_id("self") == "9f874b29-4f9e-5d36-8ee9-641f02237abd"


def test_last_modified_follows_changes_to_children(session):
    d, trees = _trees(session)
    walk = d.services["walk"]
    before = trees["walk"]["last_modified"]
    walk.schedules[0].notes = "Meet at the bandstand."
    session.commit()
    services = load_services(session, [walk.id])
    changed = last_changed(session, services)[walk.id]
    assert changed >= datetime.fromisoformat(before.replace("Z", "+00:00"))
    assert changed.tzinfo is not None


@pytest.mark.parametrize("raw,expected", [
    ("https://example.org/a", "https://example.org/a"), ("www.example.org", "https://www.example.org"),
    ("not a url", None), ("mailto:x@example.org", None), ("", None), (None, None),
])
def test_web_uri(raw, expected):
    assert oruk.web_uri(raw) == expected


def test_iso_datetime_is_utc_with_z():
    naive = datetime(2026, 3, 1, 12, 0, 5)
    assert oruk.iso_datetime(naive) == "2026-03-01T12:00:05Z"
    aware = datetime(2026, 7, 1, 13, 0, tzinfo=timezone.utc).astimezone()
    assert oruk.iso_datetime(aware) == "2026-07-01T13:00:00Z"
