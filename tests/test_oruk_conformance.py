"""The conformance helpers themselves, against the standards' own good and bad examples.

A checker that passes everything would make every conformance test worthless, so each one is
shown both an example the standard calls valid and one it calls invalid.
"""

from __future__ import annotations

import json

import pytest

from tests.oruk_conformance import OrukSchemas, coordinate_problems, errors, page_problems


@pytest.fixture(scope="module")
def schemas(standards):
    return OrukSchemas(standards)


def _load(standards, *parts):
    return json.loads(standards.joinpath("openreferral", *parts).read_text())


def test_profile_examples_pass_and_the_validator_failures_fail(standards, schemas):
    assert errors(schemas.service, _load(standards, "oruk-3.0-uk-profile", "examples", "service_full.json")) == []
    assert errors(schemas.service_page, _load(standards, "oruk-3.0-uk-profile", "examples", "service_list.json")) == []
    assert errors(schemas.service_core, _load(standards, "hsds-3.0", "examples", "service_full.json")) == []
    mocks = ("oruk-validator", "OpenReferralApi", "Mocks")
    assert errors(schemas.service, _load(standards, *mocks, "V3.0-UK-Default", "service_full.json")) == []
    failing = errors(schemas.service, _load(standards, *mocks, "V3.0-UK-Fail", "service_full.json"))
    assert any(e.startswith("email:") for e in failing)
    failing_page = errors(schemas.service_page, _load(standards, *mocks, "V3.0-UK-Fail", "service_list.json"))
    assert len(failing_page) >= 3 and any("'name' is a required property" in e for e in failing_page)


def test_the_hsds_example_has_impossible_coordinates_the_schemas_accept(standards, schemas):
    example = _load(standards, "hsds-3.0", "examples", "service_full.json")
    assert errors(schemas.service, example) == []
    assert coordinate_problems(example) != []  # latitude 100: only our extra check sees it


@pytest.mark.parametrize("name,expected", [
    ("paginationLastPage.json", []),
    ("pagination.json", ["an id appears twice on the page"]),  # the fixture repeats an id
    ("paginationFirstPageWithIssues.json", ["size 4 but 5 items", "first_page is False on page 1"]),
    ("paginationLastPageWithIssues.json", ["size 4 but 5 items", "empty is True with 5 items",
                                           "last_page is False on page 4 of 4"]),
    ("paginationWithIssues.json", ["size 1 but 4 items", "empty is True with 4 items", "first_page is True on page 2",
                                   "total_pages 1 for 20 items at 5 a page"]),
])
def test_page_invariants_on_the_validator_fixtures(standards, name, expected):
    page = _load(standards, "oruk-validator-legacy", "OpenReferralApi.Tests", "TestData", name)
    problems = page_problems(page, per_page=5)
    for problem in expected:
        assert problem in problems, (problem, problems)
    if not expected:
        assert problems == []
