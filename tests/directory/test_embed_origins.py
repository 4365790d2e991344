"""Registered embed origins are exact browser origins."""

from __future__ import annotations

import pytest

from directory.embed_origins import is_registered, list_origins, normalise_origin, register_origin, remove_origin
from directory.errors import NotFound, ValidationError


@pytest.mark.parametrize("given,expected", [
    ("https://www.practice.nhs.uk", "https://www.practice.nhs.uk"),
    ("HTTPS://WWW.Practice.NHS.uk/", "https://www.practice.nhs.uk"),
    ("https://practice.example:443/contact?x=1", "https://practice.example"),
    ("http://127.0.0.1:8001", "http://127.0.0.1:8001"),
    ("http://localhost:80", "http://localhost"),
])
def test_origins_are_normalised_as_browsers_report_them(given, expected):
    assert normalise_origin(given) == expected


@pytest.mark.parametrize("bad", ["", "practice.example", "ftp://practice.example", "https://", "https://user:pw@practice.example",
                                 "https://*.example", "https://a.example:99999", "javascript:alert(1)"])
def test_junk_is_refused(bad):
    with pytest.raises(ValidationError):
        normalise_origin(bad)


def test_register_is_idempotent_and_remove_works(session):
    register_origin(session, "admin", "https://practice.example", "Elswick Road Surgery")
    register_origin(session, "admin", "https://practice.example/")
    session.flush()
    assert [o.origin for o in list_origins(session)] == ["https://practice.example"]
    assert is_registered(session, "https://practice.example")
    assert not is_registered(session, "https://practice.example:8443")
    assert not is_registered(session, "null")
    remove_origin(session, "admin", "https://practice.example")
    session.flush()
    assert not is_registered(session, "https://practice.example")
    with pytest.raises(NotFound):
        remove_origin(session, "admin", "https://practice.example")
