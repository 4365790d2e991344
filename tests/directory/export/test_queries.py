"""The `/services` filters and paging, run on SQLite and PostgreSQL with the same expectations."""

from __future__ import annotations

import time as clock
from datetime import datetime, timedelta, timezone

import pytest

from directory.errors import NotFound, ValidationError
from directory.export.paging import PageRequest, envelope, parse_page
from directory.export.queries import ServiceFilters, filters_from_params, find_services
from directory.postcodes import normalise_postcode
from tests.export_data import POSTCODES, add_fillers, build_directory
from tests.oruk_conformance import page_problems


def locate(text: str) -> tuple[float, float]:
    """A stand-in gazetteer over the test postcodes (the real one is tested in the API)."""
    code = normalise_postcode(text)
    if code not in POSTCODES:
        raise NotFound(f"We could not find {code}.")
    return POSTCODES[code]


@pytest.fixture
def directory(session):
    d = build_directory(session)
    session.commit()
    return d


def names(session, d, **params) -> list[str]:
    filters = filters_from_params({k: str(v) for k, v in params.items()}, locate)
    ids, total = find_services(session, filters, PageRequest(1, 200))
    assert total == len(ids)
    by_id = {s.id: s.name for s in d.services.values()}
    return [by_id[i] for i in ids]


def short(d, *keys) -> list[str]:
    """Names of the services with these short names, in the published order (by name)."""
    return sorted(d.services[k].name for k in keys)


def test_no_filter_lists_every_published_service_by_name(session, directory):
    expected = short(directory, "walk", "chair", "debt", "swim", "lunch", "fair", "sunderland", "defunct")
    assert names(session, directory) == expected  # drafts and pending edits stay hidden


@pytest.mark.parametrize("text,keys", [
    ("debt", ["debt"]),
    ("CONFIDENTIAL", ["debt"]),  # description, any case
    ("heaton walkers", ["walk"]),  # organisation name, every word must match
    ("lunch clubs", ["lunch"]),  # "clubs" is only in the category's name
    ("100%", []),  # LIKE wildcards are literal
    ("under_score", []),
])
def test_text_search(session, directory, text, keys):
    assert names(session, directory, text=text) == short(directory, *keys)
    assert names(session, directory, search=text) == short(directory, *keys)


def test_taxonomy_term_includes_the_terms_beneath_it(session, directory):
    term = directory.terms["physical-activity"]
    assert names(session, directory, taxonomy_term_id=term.id) == short(directory, "walk", "chair", "swim")
    leaf = directory.terms["swimming"]
    assert names(session, directory, taxonomy_term_id=leaf.id) == short(directory, "swim")


def test_taxonomy_and_organisation(session, directory):
    assert names(session, directory, taxonomy_id=directory.taxonomy.id) == short(
        directory, "walk", "chair", "debt", "swim", "lunch")
    org = directory.services["walk"].organization_id
    assert names(session, directory, organization_id=org) == short(directory, "walk")
    assert names(session, directory, organization_id="no-such-org") == []


def test_ages_follow_the_profile_wording(session, directory):
    # minimum_age=N: the service's own minimum is at least N; maximum_age=N: its maximum at most N.
    assert names(session, directory, minimum_age=18) == short(directory, "walk", "chair", "debt")
    assert names(session, directory, minimum_age=17.5) == short(directory, "walk", "chair", "debt")
    assert names(session, directory, maximum_age=100) == short(directory, "walk")


@pytest.mark.parametrize("params,keys", [
    ({"day": "TU"}, ["walk", "swim", "sunderland", "defunct"]),
    ({"day": "monday"}, ["chair", "swim"]),  # the second Monday of the month counts
    ({"day": "Wed"}, ["lunch", "swim"]),
    ({"start_time": "12:00"}, ["chair", "lunch"]),
    ({"end_time": "08:00"}, ["swim"]),
    ({"day": "MO", "start_time": "14:00", "end_time": "15:00"}, ["chair"]),
    ({"day": "WE", "start_time": "13:00"}, []),  # one session must satisfy all three
])
def test_day_and_times(session, directory, params, keys):
    assert names(session, directory, **params) == short(directory, *keys)


def test_modified_after(session, directory):
    assert names(session, directory, modified_after="2000-01-01") == names(session, directory)
    future = (datetime.now(timezone.utc) + timedelta(days=1)).isoformat()
    assert names(session, directory, modified_after=future) == []
    clock.sleep(0.01)
    since = datetime.now(timezone.utc)
    clock.sleep(0.01)
    directory.services["chair"].schedules[0].notes = "Not in August."  # a child row changes
    session.commit()
    assert names(session, directory, modified_after=since.isoformat()) == short(directory, "chair")


def test_postcode_and_proximity(session, directory):
    # Within 1 km of NE4 5PL: Elswick Pool's two services, but one is for Sunderland residents.
    assert names(session, directory, postcode="ne45pl", proximity=1000) == short(directory, "swim")
    assert names(session, directory, postcode="NE4 5PL", proximity=5000) == short(
        directory, "swim", "walk", "lunch", "defunct", "chair")
    # A postcode alone only applies residency areas; services without one are everywhere.
    everyone = short(directory, "walk", "chair", "debt", "swim", "lunch", "fair", "sunderland", "defunct")
    assert names(session, directory, postcode="NE4 5PL") == [n for n in everyone if n != directory.services["sunderland"].name]
    assert names(session, directory, postcode="SR1 1AA") == [n for n in everyone if n != directory.services["debt"].name]


@pytest.mark.parametrize("params,field", [
    ({"proximity": "100"}, "proximity"),
    ({"postcode": "NE4 5PL", "proximity": "-3"}, "proximity"),
    ({"postcode": "NE4 5PL", "proximity": "far"}, "proximity"),
    ({"postcode": "NE4 5PL", "proximity": "9999999"}, "proximity"),
    ({"postcode": "not a postcode"}, "postcode"),
    ({"day": "Funday"}, "day"),
    ({"start_time": "25:00"}, "start_time"),
    ({"minimum_age": "old"}, "minimum_age"),
    ({"maximum_age": "nan"}, "maximum_age"),
    ({"modified_after": "yesterday"}, "modified_after"),
])
def test_nonsense_is_a_validation_error_naming_the_parameter(params, field):
    with pytest.raises(ValidationError) as err:
        filters_from_params(params, locate)
    assert err.value.field == field


def test_unknown_postcode_is_not_found():
    with pytest.raises(NotFound):
        filters_from_params({"postcode": "NE99 9ZZ"}, locate)


def test_unknown_parameters_are_ignored():
    assert filters_from_params({"format": "json", "full": "true", "text": "  "}, locate) == ServiceFilters()


@pytest.mark.parametrize("geo", [False, True])
def test_paging_through_everything_sees_each_service_once(session, directory, geo):
    add_fillers(session, 25)
    session.commit()
    filters = ServiceFilters(point=POSTCODES["NE4 5PL"]) if geo else ServiceFilters()
    every, total = find_services(session, filters, PageRequest(1, 1000))
    seen = []
    for number in range(1, 6):
        request = PageRequest(number, 7)
        ids, page_total = find_services(session, filters, request)
        page = envelope([{"id": i} for i in ids], page_total, request)
        assert page_problems(page, per_page=7) == []
        seen += ids
    assert seen == every and len(set(seen)) == total == (32 if geo else 33)


def test_page_parameters():
    assert parse_page(None, None) == PageRequest(1, 50)
    assert parse_page("3", "20") == PageRequest(3, 20)
    assert parse_page("1", "5000") == PageRequest(1, 200)  # lowered to the limit
    assert parse_page("1", "5000", maximum=10_000) == PageRequest(1, 5000)
    for page, per_page, field in [("0", None, "page"), ("x", None, "page"), (None, "0", "per_page"), (None, "-1", "per_page")]:
        with pytest.raises(ValidationError) as err:
            parse_page(page, per_page)
        assert err.value.field == field


def test_envelope_flags():
    assert envelope([], 0, PageRequest(1, 10)) | {"contents": None} == {
        "total_items": 0, "total_pages": 0, "page_number": 1, "size": 0, "first_page": True,
        "last_page": True, "empty": True, "contents": None}
    middle = envelope([{"id": "a"}], 21, PageRequest(2, 10))
    assert (middle["total_pages"], middle["first_page"], middle["last_page"], middle["empty"]) == (3, False, False, False)
    beyond = envelope([], 21, PageRequest(9, 10))
    assert (beyond["last_page"], beyond["empty"], beyond["size"]) == (True, True, 0)
