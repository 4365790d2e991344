"""Taxonomy loaders: the Wayfinder TOML, the OpenActive Activity List, storage and fetching.

Storage tests run on SQLite and PostgreSQL (the `session` fixture); fetching runs over real
HTTP against a server started here on 127.0.0.1.

Storage tests flush rather than commit: on SQLite a commit inside the `session` fixture is not
undone by its rollback (pysqlite starts the transaction at the first SAVEPOINT, so releasing it
commits), and committed terms would leak into later tests. The command-line tests, which must
commit, get a database file of their own.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import logging
import threading
import uuid
from functools import partial
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select

from directory import cli_support
from directory.db import make_engine, make_session_factory, upgrade_database
from directory.errors import NotFound, ValidationError
from directory.models import Taxonomy, TaxonomyTerm
from directory.services import resolve_terms
from directory.taxonomy import (
    ACTIVITY_LIST,
    WAYFINDER,
    ActivityListUnavailable,
    TaxonomyIndex,
    TermSpec,
    descendant_codes,
    fetch_activity_list,
    load_activity_list,
    load_wayfinder_taxonomy,
    read_activity_list,
    read_wayfinder_taxonomy,
    sync_taxonomy,
)
from directory.taxonomy_activity_list import cache_path
from directory.taxonomy_commands import taxonomy_group

EXPECTED = {
    "physical-activity": [
        "health-walks", "chair-exercise", "swimming", "dance", "walking-sports", "cycling",
        "gym-exercise", "yoga-tai-chi",
    ],
    "nature-gardening": ["gardening", "green-gym", "fishing"],
    "arts-creativity": ["arts", "music-choirs", "crafts", "reading-writing"],
    "social-connection": [
        "mens-sheds", "befriending", "lunch-clubs", "faith-cultural", "family-groups", "community-groups",
    ],
    "health-conditions": ["dementia-support", "long-term-conditions", "weight-cooking", "pain-management"],
    "emotional-support": ["peer-support-mental-health", "bereavement", "carers-support"],
    "learning-work": ["digital-skills", "adult-learning", "english-classes", "volunteering", "employment-support"],
    "money-housing": ["welfare-benefits", "debt-advice", "housing-advice", "food-banks"],
}

MEDAU = "d101b63b-572f-49d2-a027-d3a5748e6315"
MEDAU_MOVEMENT_NAME = "Medau Movement"


@pytest.fixture(scope="module")
def activity_list_path(standards) -> Path:
    return standards / "openactive" / "activity-list.jsonld"


@pytest.fixture(scope="module")
def activity_list_data(activity_list_path) -> dict:
    return json.loads(activity_list_path.read_text())


@pytest.fixture(scope="module")
def activity_specs(activity_list_data) -> list[TermSpec]:
    return read_activity_list(activity_list_data)


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "taxonomy.toml"
    path.write_text(text)
    return path


# -- the Wayfinder TOML ----------------------------------------------------------------------


def test_wayfinder_taxonomy_has_every_agreed_code_in_place():
    specs = {s.code: s for s in read_wayfinder_taxonomy()}
    for parent, children in EXPECTED.items():
        assert specs[parent].parent_code is None
        for child in children:
            assert specs[child].parent_code == parent, child
    expected_codes = set(EXPECTED) | {c for cs in EXPECTED.values() for c in cs}
    assert set(specs) == expected_codes


def test_wayfinder_terms_are_complete_and_plain():
    specs = read_wayfinder_taxonomy()
    leaves = [s for s in specs if s.parent_code]
    for spec in specs:
        assert spec.name and spec.description and spec.icon, spec.code
        assert spec.description.endswith("."), spec.code
        assert len(spec.name) <= 40, spec.code
    for leaf in leaves:
        assert len(leaf.synonyms) >= 5, leaf.code
        assert 8 <= len(leaf.need_phrases) <= 25, leaf.code
        assert len({p.lower() for p in leaf.need_phrases}) == len(leaf.need_phrases), leaf.code
    # Need phrases are what people say ("I'm lonely"), not catalogue labels ("Loneliness").
    phrases = [p for s in specs for p in s.need_phrases]
    spoken = [p for p in phrases if p.split()[0].lower() in {"i", "i'm", "i've", "i'd", "my", "i'll"}]
    assert len(spoken) / len(phrases) > 0.8


def test_parents_come_before_their_children_in_the_file():
    seen: set[str] = set()
    for spec in read_wayfinder_taxonomy():
        if spec.parent_code:
            assert spec.parent_code in seen, spec.code
        seen.add(spec.code)


def test_need_phrases_cover_the_people_link_workers_meet():
    phrases = " | ".join(p.lower() for s in read_wayfinder_taxonomy() for p in s.need_phrases)
    for words in ["husband", "wife", "widow", "widower", "mum", "dad", "carer", "diabetes", "copd",
                  "low", "anxious", "bills", "debt", "rent", "lonely", "english", "computer", "job"]:
        assert words in phrases, words


def test_extra_parents_are_read_from_also_under():
    specs = {s.code: s for s in read_wayfinder_taxonomy()}
    assert specs["green-gym"].extra_parent_codes == ("physical-activity",)


@pytest.mark.parametrize(
    "toml,message",
    [
        ('[[term]]\ncode = "a"\nname = "A"\n[[term]]\ncode = "a"\nname = "A again"\n', "'a' is used twice"),
        ('[[term]]\ncode = "a"\nname = "A"\nparent = "nowhere"\n', "parent 'nowhere', which is not a term"),
        ('[[term]]\ncode = "a"\nname = "A"\nalso_under = ["nowhere"]\n', "parent 'nowhere', which is not a term"),
        (
            '[[term]]\ncode = "a"\nname = "A"\nparent = "c"\n[[term]]\ncode = "b"\nname = "B"\nparent = "a"\n'
            '[[term]]\ncode = "c"\nname = "C"\nparent = "b"\n',
            "go round in a circle: a -> c -> b -> a",
        ),
        ('[[term]]\ncode = "a"\nname = "A"\nparent = "a"\n', "its own parent"),
        ('[[term]]\ncode = "Not A Slug"\nname = "A"\n', "lower-case letters"),
        ('[[term]]\ncode = "a"\n', "needs a name"),
        ('[[term]]\ncode = "a"\nname = "A"\nneed_phrase = ["oops"]\n', "unknown field.*need_phrase"),
        ('[[term]]\ncode = "a"\nname = "A"\nsynonyms = "just one"\n', "list of non-empty text"),
        ('[taxonomy]\nname = "x"\n', "no \\[\\[term\\]\\] entries"),
        ('[[term]\ncode = "a"\n', "not valid TOML"),
    ],
)
def test_bad_taxonomy_files_give_clear_errors(tmp_path, toml, message):
    with pytest.raises(ValidationError, match=message) as err:
        read_wayfinder_taxonomy(write(tmp_path, toml))
    assert "taxonomy.toml" in str(err.value)


def test_missing_taxonomy_file_is_a_clear_error(tmp_path):
    with pytest.raises(ValidationError, match="no taxonomy file"):
        read_wayfinder_taxonomy(tmp_path / "nope.toml")


def test_repeated_synonyms_are_dropped_keeping_order(tmp_path):
    path = write(tmp_path, '[[term]]\ncode = "a"\nname = "A"\nsynonyms = ["x", "y", "x", " y "]\n')
    assert read_wayfinder_taxonomy(path)[0].synonyms == ("x", "y")


# -- storing taxonomies (SQLite and PostgreSQL) ----------------------------------------------


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def terms_of(session, name: str) -> dict[str, TaxonomyTerm]:
    query = select(TaxonomyTerm).join(Taxonomy).where(Taxonomy.name == name)
    return {t.code: t for t in session.scalars(query)}


def test_wayfinder_taxonomy_is_stored_with_its_hierarchy(session):
    taxonomy = load_wayfinder_taxonomy(session)
    session.flush()
    session.expunge_all()
    assert taxonomy.name == WAYFINDER
    stored = session.scalar(select(Taxonomy).where(Taxonomy.name == WAYFINDER))
    assert stored.version == "2025.1"
    terms = terms_of(session, WAYFINDER)
    assert len(terms) == 45
    assert terms["health-walks"].parent.code == "physical-activity"
    assert terms["physical-activity"].parent_id is None
    assert "knitting" in terms["crafts"].synonyms
    assert "I'm lonely" in terms["befriending"].need_phrases
    assert terms["green-gym"].extra_parent_ids == [terms["physical-activity"].id]
    # The service layer can now file listings under these codes.
    assert [t.code for t in resolve_terms(session, ["crafts", "debt-advice"], WAYFINDER)] == ["crafts", "debt-advice"]


def test_loading_twice_changes_nothing(session):
    name = unique("twice")
    first: list = []
    sync_taxonomy(session, name, read_wayfinder_taxonomy(), on_change=lambda *change: first.append(change))
    session.flush()
    assert len(first) == 45 and {action for action, _ in first} == {"created"}
    ids = {code: t.id for code, t in terms_of(session, name).items()}

    second: list = []
    sync_taxonomy(session, name, read_wayfinder_taxonomy(), on_change=lambda *change: second.append(change))
    assert not session.dirty and not session.new
    session.flush()
    assert second == []
    assert {code: t.id for code, t in terms_of(session, name).items()} == ids
    assert session.scalar(select(func.count()).select_from(Taxonomy).where(Taxonomy.name == name)) == 1


def test_reloading_the_wayfinder_taxonomy_reports_no_changes(session):
    load_wayfinder_taxonomy(session)
    session.flush()
    again: list = []
    load_wayfinder_taxonomy(session, on_change=lambda *change: again.append(change))
    assert again == [] and not session.dirty and not session.new


def test_changed_terms_are_updated_in_place(session):
    specs = read_wayfinder_taxonomy()
    demo = unique("demo")
    sync_taxonomy(session, demo, specs, version="1")
    session.flush()
    before = terms_of(session, demo)
    crafts_id = before["crafts"].id

    changed = []
    for spec in specs:
        if spec.code == "crafts":
            spec = dataclasses.replace(spec, name="Crafts", synonyms=spec.synonyms + ("basket weaving",))
        elif spec.code == "fishing":  # moves to another branch
            spec = dataclasses.replace(spec, parent_code="physical-activity")
        elif spec.code == "green-gym":
            spec = dataclasses.replace(spec, extra_parent_codes=())
        changed.append(spec)
    changed.append(TermSpec("angling-for-beginners", "Angling for beginners", parent_code="fishing"))
    log: list = []
    taxonomy = sync_taxonomy(session, demo, changed, version="2", on_change=lambda *c: log.append(c))
    session.flush()
    session.expunge_all()

    assert sorted(log) == [
        ("created", "angling-for-beginners"), ("updated", "crafts"), ("updated", "fishing"), ("updated", "green-gym"),
    ]
    after = terms_of(session, demo)
    assert after["crafts"].id == crafts_id
    assert after["crafts"].name == "Crafts"
    assert after["crafts"].synonyms[-1] == "basket weaving"
    assert after["fishing"].parent.code == "physical-activity"
    assert after["green-gym"].extra_parent_ids == []
    assert after["angling-for-beginners"].parent.code == "fishing"
    assert session.get(Taxonomy, taxonomy.id).version == "2"
    assert descendant_codes(session, "physical-activity", demo) >= {"fishing", "angling-for-beginners"}
    assert "fishing" not in descendant_codes(session, "nature-gardening", demo)


def test_sync_refuses_a_broken_hierarchy(session):
    with pytest.raises(ValidationError, match="not a term"):
        sync_taxonomy(session, "broken", [TermSpec("a", "A", parent_code="b")])


def test_descendant_codes_walk_the_stored_tree(session):
    load_wayfinder_taxonomy(session)
    session.flush()
    assert descendant_codes(session, "money-housing", WAYFINDER) == {
        "money-housing", "welfare-benefits", "debt-advice", "housing-advice", "food-banks",
    }
    assert descendant_codes(session, "crafts", WAYFINDER) == {"crafts"}
    assert "green-gym" in descendant_codes(session, "physical-activity", WAYFINDER)
    index = TaxonomyIndex.from_specs(read_wayfinder_taxonomy())
    for root in EXPECTED:
        assert descendant_codes(session, root, WAYFINDER) == index.expand(root)
    with pytest.raises(NotFound, match="no-such-code"):
        descendant_codes(session, "no-such-code")
    with pytest.raises(NotFound, match="'openactive-activity-list'"):
        descendant_codes(session, "crafts", ACTIVITY_LIST)


# -- the OpenActive Activity List ------------------------------------------------------------


def test_activity_list_reads_every_concept(activity_specs, activity_list_data):
    assert len(activity_specs) == 768
    index = TaxonomyIndex.from_specs(activity_specs)
    assert len(index.roots()) == 146
    assert max(index.depth(code) for code in index.codes) == 3
    by_name = {s.name: s for s in activity_specs}
    angling = by_name["Angling"]
    assert angling.synonyms == ("Fishing",)
    assert angling.uri == "https://openactive.io/activity-list#" + angling.code
    assert angling.description
    # The code is the URI fragment, which is the concept's identifier.
    identifiers = {c["identifier"] for c in activity_list_data["concept"]}
    assert {s.code for s in activity_specs} == identifiers


def test_activity_list_keeps_every_alt_label(activity_specs, activity_list_data):
    with_alt = {c["prefLabel"]: c["altLabel"] for c in activity_list_data["concept"] if c.get("altLabel")}
    assert len(with_alt) == 16 and sum(len(v) for v in with_alt.values()) == 18
    by_name = {s.name: s for s in activity_specs}
    for label, alts in with_alt.items():
        assert list(by_name[label].synonyms) == alts
    assert by_name["Canal and River Walking"].synonyms == ("Canal Walking", "River Walking")
    assert by_name["Open Water Swimming"].synonyms == ("Outdoor Swimming", "Wild Swimming")


def test_activity_list_records_every_broader_concept(activity_specs, activity_list_data):
    multi = [c for c in activity_list_data["concept"] if len(c.get("broader", [])) > 1]
    assert len(multi) == 22
    specs = {s.code: s for s in activity_specs}
    for concept in multi:
        spec = specs[concept["identifier"]]
        broader = [b.rsplit("#", 1)[1] for b in concept["broader"]]
        assert spec.parent_code == broader[0]
        assert list(spec.extra_parent_codes) == broader[1:]
    assert sum(1 for s in activity_specs if s.extra_parent_codes) == 22
    # A concept with several broader concepts is found under each of them.
    index = TaxonomyIndex.from_specs(activity_specs)
    bodybalance = next(s for s in activity_specs if s.name.startswith("Bodybalance"))
    for parent in (bodybalance.parent_code, *bodybalance.extra_parent_codes):
        assert bodybalance.code in index.expand(parent)


def test_activity_list_tree_comes_from_broader_not_narrower(activity_specs, activity_list_data):
    index = TaxonomyIndex.from_specs(activity_specs)
    medau = next(c for c in activity_list_data["concept"] if c["identifier"] == MEDAU)
    assert len(medau["narrower"]) == 3  # two of them point at concepts that do not exist
    assert [index.name(c) for c in index.children(MEDAU)] == [MEDAU_MOVEMENT_NAME]
    roots = [s for s in activity_specs if s.parent_code is None]
    tops = [c for c in activity_list_data["concept"] if c.get("topConceptOf")]
    assert {s.code for s in roots} == {c["identifier"] for c in tops}
    # Every child's parent is its first broader concept.
    concepts = {c["identifier"]: c for c in activity_list_data["concept"]}
    for spec in activity_specs:
        broader = concepts[spec.code].get("broader")
        assert spec.parent_code == (broader[0].rsplit("#", 1)[1] if broader else None)


def test_activity_list_accepts_at_id_and_at_type(activity_list_data, activity_specs):
    data = copy.deepcopy(activity_list_data)
    for concept in data["concept"]:
        concept["@id"] = concept.pop("id")
        concept["@type"] = concept.pop("type")
        if "broader" in concept:
            concept["broader"] = [{"@id": b} for b in concept["broader"]]
    assert read_activity_list(data) == activity_specs


def test_activity_list_edge_cases():
    data = {
        "concept": [
            {"@id": "https://example.org/list#top", "@type": "skos:Concept", "prefLabel": {"en": "Top"},
             "topConceptOf": "https://example.org/list", "broader": ["https://example.org/list#other"]},
            {"id": "https://example.org/list#other", "type": "Concept", "prefLabel": "Other",
             "topConceptOf": "https://example.org/list", "altLabel": "Alt"},
            {"id": "https://example.org/list/child", "prefLabel": "Child", "broader": "https://example.org/list#top"},
            {"id": "https://example.org/list#scheme-note", "type": "ConceptScheme", "prefLabel": "Not a concept"},
        ]
    }
    specs = {s.code: s for s in read_activity_list(data)}
    assert set(specs) == {"top", "other", "child"}
    assert specs["top"].parent_code is None and specs["top"].extra_parent_codes == ("other",)
    assert specs["other"].synonyms == ("Alt",)
    assert specs["child"].parent_code == "top"


@pytest.mark.parametrize(
    "data,message",
    [
        ({}, "no `concept` list"),
        ({"concept": [{"prefLabel": "No id"}]}, "has no id"),
        ({"concept": [{"id": "https://x#a"}]}, "has no prefLabel"),
        ({"concept": [{"id": "https://x#a", "prefLabel": "A", "broader": ["https://x#gone"]}]}, "'gone', which is not a term"),
    ],
)
def test_bad_activity_lists_give_clear_errors(data, message):
    with pytest.raises(ValidationError, match=message):
        read_activity_list(data)


def test_activity_list_is_stored_and_reloaded_idempotently(session, activity_list_data, activity_specs):
    taxonomy = load_activity_list(session, activity_list_data)
    session.flush()
    assert taxonomy.uri == "https://openactive.io/activity-list"
    terms = terms_of(session, ACTIVITY_LIST)
    assert len(terms) == 768
    assert sum(1 for t in terms.values() if t.parent_id is None) == 146
    by_id = {t.id: t for t in terms.values()}
    specs = {s.code: s for s in activity_specs}
    for code, term in terms.items():
        spec = specs[code]
        assert (by_id[term.parent_id].code if term.parent_id else None) == spec.parent_code
        assert [by_id[i].code for i in term.extra_parent_ids] == list(spec.extra_parent_codes)
    assert terms[MEDAU].term_uri.endswith(MEDAU)

    again: list = []
    load_activity_list(session, activity_list_data, on_change=lambda *c: again.append(c))
    session.flush()
    assert again == []
    index = TaxonomyIndex.from_specs(activity_specs)
    for root in index.roots()[:20]:
        assert descendant_codes(session, root, ACTIVITY_LIST) == index.expand(root)


# -- fetching over HTTP, with a cache ------------------------------------------------------------


class Server:
    """A real HTTP server on 127.0.0.1 (port chosen by the OS), stopped on request."""

    def __init__(self, handler):
        self.requests = 0

        def counting(*args, **kwargs):  # one connection per request (HTTP/1.0 handlers)
            self.requests += 1
            return handler(*args, **kwargs)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), counting)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join()


class FileOr500(SimpleHTTPRequestHandler):
    """Serves files, or answers 500 once the test sets `server.broken`."""

    def do_GET(self):
        if getattr(self.server, "broken", False):
            self.send_error(500, "Internal Server Error")
        else:
            super().do_GET()

    def log_message(self, *args):  # keep test output quiet
        pass


class Broken(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_error(500, "Internal Server Error")

    def log_message(self, *args):
        pass


@pytest.fixture
def file_server(activity_list_path):
    server = Server(partial(FileOr500, directory=str(activity_list_path.parent)))
    yield server
    if server.thread.is_alive():
        server.stop()


def test_fetch_downloads_then_serves_from_cache_when_the_server_is_down(file_server, tmp_path, caplog):
    url = f"{file_server.base}/activity-list.jsonld"
    data = fetch_activity_list(url, tmp_path / "cache")
    assert len(data["concept"]) == 768
    assert cache_path(url, tmp_path / "cache").exists()
    assert file_server.requests == 1

    # Fresh cache: no request at all.
    assert fetch_activity_list(url, tmp_path / "cache") == data
    assert file_server.requests == 1

    file_server.stop()
    # Stale cache and the server gone: the cached copy, with a warning that says so.
    with caplog.at_level(logging.WARNING, logger="directory.taxonomy_activity_list"):
        again = fetch_activity_list(url, tmp_path / "cache", max_age=0)
    assert again == data
    assert any("using the copy cached" in r.getMessage() and url in r.getMessage() for r in caplog.records)


def test_fetch_error_without_cache_is_clear(tmp_path):
    server = Server(Broken)
    try:
        url = f"{server.base}/activity-list.jsonld"
        with pytest.raises(ActivityListUnavailable) as err:
            fetch_activity_list(url, tmp_path / "cache")
    finally:
        server.stop()
    message = str(err.value)
    assert url in message and "500" in message and "no usable cached copy" in message
    assert not cache_path(url, tmp_path / "cache").exists()


def test_fetch_falls_back_to_cache_on_server_error(file_server, tmp_path, caplog):
    url = f"{file_server.base}/activity-list.jsonld"
    data = fetch_activity_list(url, tmp_path)
    file_server.httpd.broken = True
    with caplog.at_level(logging.WARNING, logger="directory.taxonomy_activity_list"):
        again = fetch_activity_list(url, tmp_path, max_age=None)  # None: always ask the server first
    assert file_server.requests == 2
    assert again == data
    assert "HTTPError: 500" in caplog.text


def test_fetch_refuses_a_document_that_is_not_an_activity_list(tmp_path):
    with pytest.raises(ActivityListUnavailable, match="not an OpenActive Activity List"):
        fetch_activity_list("http://example.invalid/list", tmp_path, fetch=lambda _u: b'{"hello": "world"}')
    with pytest.raises(ActivityListUnavailable, match="not JSON"):
        fetch_activity_list("http://example.invalid/list", tmp_path, fetch=lambda _u: "<html>")


# -- the command line ----------------------------------------------------------------------------


@pytest.fixture
def cli_db(tmp_path):
    """A migrated SQLite file of its own: the commands commit, so they must not share one."""
    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    upgrade_database(url)
    engine = make_engine(url)
    yield make_session_factory(engine)
    engine.dispose()


def run(factory, args, settings=None):
    @click.group()
    @click.pass_context
    def cli(ctx):
        # The same hand-over `web.cli` does.
        cli_support.provide(ctx, factory, settings or {})

    cli.add_command(taxonomy_group)
    return CliRunner().invoke(cli, args, catch_exceptions=False)


def stored(factory, name: str) -> dict[str, TaxonomyTerm]:
    with factory() as session:
        return terms_of(session, name)


def test_cli_loads_the_wayfinder_taxonomy(cli_db):
    result = run(cli_db, ["taxonomy", "load"])
    assert result.exit_code == 0, result.output
    assert "45 terms (45 new, 0 updated)" in result.output
    result = run(cli_db, ["taxonomy", "load"])
    assert "45 terms (0 new, 0 updated)" in result.output
    assert len(stored(cli_db, WAYFINDER)) == 45


def test_cli_reports_a_bad_taxonomy_file(cli_db, tmp_path):
    path = write(tmp_path, '[[term]]\ncode = "a"\nname = "A"\nparent = "zz"\n')
    result = run(cli_db, ["taxonomy", "load", "--file", str(path)])
    assert result.exit_code == 1
    assert "'zz', which is not a term" in result.output


def test_cli_loads_the_activity_list_from_a_file(cli_db, activity_list_path):
    result = run(cli_db, ["taxonomy", "activity-list", "--file", str(activity_list_path)])
    assert result.exit_code == 0, result.output
    assert "768 terms (768 new, 0 updated)" in result.output


def test_cli_fetches_the_configured_activity_list(cli_db, file_server, tmp_path):
    settings = {"ACTIVITY_LIST_URL": f"{file_server.base}/activity-list.jsonld", "INSTANCE_PATH": str(tmp_path)}
    result = run(cli_db, ["taxonomy", "activity-list"], settings)
    assert result.exit_code == 0, result.output
    assert "768 terms" in result.output
    assert cache_path(settings["ACTIVITY_LIST_URL"], tmp_path / "cache").exists()


def test_cli_needs_an_address_or_a_file(cli_db, tmp_path):
    result = run(cli_db, ["taxonomy", "activity-list"], {"INSTANCE_PATH": str(tmp_path)})
    assert result.exit_code == 2
    assert "WAYFINDER_ACTIVITY_LIST_URL" in result.output
    result = run(cli_db, ["taxonomy", "activity-list", "--file", __file__, "--url", "http://x"])
    assert result.exit_code == 2 and "not both" in result.output


def test_cli_reports_an_unreachable_list_clearly(cli_db, tmp_path):
    server = Server(Broken)
    try:
        result = run(cli_db, ["taxonomy", "activity-list", "--url", f"{server.base}/list"],
                     {"INSTANCE_PATH": str(tmp_path)})
    finally:
        server.stop()
    assert result.exit_code == 1
    assert "Could not fetch the OpenActive Activity List" in result.output
