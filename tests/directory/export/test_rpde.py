"""The RPDE feed builder: order, moves, tombstones, the last page and pruning, on both databases."""

from __future__ import annotations

from datetime import datetime, time, timedelta, timezone

import pytest
from sqlalchemy import func, select, update

from directory.errors import ValidationError
from directory.export import rpde
from directory.models import ChangeLog, Schedule
from directory.services import delete_service, update_service
from tests.export_data import add_fillers, build_directory
from tests.factories import make_service
from tests.oruk_conformance import OrukSchemas, errors, rpde_page_problems

URL = "https://wayfinder.example/feeds/services"


def everything(session, limit=4, cursor=rpde.Cursor()):
    """Page through the feed to its end, as a consumer would; returns (items, pages)."""
    items, pages = [], []
    for _ in range(1000):
        page = rpde.build_page(session, cursor, limit=limit)
        pages.append(page)
        items += page.items
        if not page.items:
            assert page.next_cursor == cursor  # the last page points at itself
            return items, pages
        cursor = page.next_cursor
    raise AssertionError("the feed never ended")


@pytest.fixture
def directory(session):
    d = build_directory(session)
    session.commit()
    return d


def test_items_are_ordered_by_modified_then_id_and_each_service_appears_once(session, directory):
    items, pages = everything(session)
    keys = [(i["modified"], i["id"]) for i in items]
    assert keys == sorted(keys)
    assert len({i["id"] for i in items}) == len(items) == len(directory.services)
    assert all(isinstance(i["modified"], int) for i in items)
    assert [len(p.items) for p in pages[:-1]] == [4, 4, 2]  # 10 services, 4 a page, then the empty page


def test_an_update_moves_the_service_to_the_end_and_it_appears_once(session, directory):
    items, _ = everything(session)
    walk = directory.services["walk"]
    end = rpde.Cursor(items[-1]["modified"], items[-1]["id"])
    update_service(session, "editor@example.org", walk.id, {"description": "Now with tea."})
    session.commit()
    after, _ = everything(session, cursor=end)
    assert [i["id"] for i in after] == [walk.id]
    assert after[0]["data"]["description"] == "Now with tea."
    assert after[0]["modified"] > items[-1]["modified"]
    again, _ = everything(session)
    assert [i["id"] for i in again].count(walk.id) == 1
    assert again[-1]["id"] == walk.id


def test_a_change_to_a_child_row_moves_the_service_too(session, directory):
    items, _ = everything(session)
    end = rpde.Cursor(items[-1]["modified"], items[-1]["id"])
    directory.services["chair"].schedules.append(Schedule(freq="WEEKLY", byday="TH", opens_at=time(9), closes_at=time(10)))
    session.commit()
    after, _ = everything(session, cursor=end)
    assert [i["id"] for i in after] == [directory.services["chair"].id]
    assert {s["byday"] for s in after[0]["data"]["schedules"]} == {"2MO", "TH"}


def test_a_deletion_becomes_a_tombstone(session, directory):
    debt = directory.services["debt"]
    delete_service(session, "admin@example.org", debt.id)
    session.commit()
    items, _ = everything(session)
    tombstone = items[-1]
    assert tombstone == {"state": "deleted", "kind": rpde.KIND, "id": debt.id, "modified": tombstone["modified"]}
    assert [i["id"] for i in items].count(debt.id) == 1


def test_unpublished_services_are_tombstones_not_data(session, directory):
    items, _ = everything(session)
    states = {i["id"]: i["state"] for i in items}
    assert states[directory.services["draft"].id] == "deleted"
    assert states[directory.services["pending"].id] == "deleted"
    assert states[directory.services["walk"].id] == "updated"
    update_service(session, "moderator@example.org", directory.services["walk"].id, {"moderation_status": "rejected"})
    session.commit()
    items, _ = everything(session)
    assert items[-1]["id"] == directory.services["walk"].id and items[-1]["state"] == "deleted"


def test_the_last_page_is_empty_with_next_equal_to_itself_and_short_cache(session, directory):
    items, pages = everything(session, limit=50)
    assert [len(p.items) for p in pages] == [10, 0]
    first, last = pages
    assert first.cache_control == rpde.LAST_PAGE_CACHE  # not full: it can still grow
    assert last.items == [] and last.cache_control == rpde.LAST_PAGE_CACHE
    assert last.next_cursor == first.next_cursor == rpde.Cursor(items[-1]["modified"], items[-1]["id"])
    full = rpde.build_page(session, rpde.Cursor(), limit=5)
    assert full.full and full.cache_control == rpde.FULL_PAGE_CACHE


def test_an_empty_feed_starts_on_its_last_page(session):
    page = rpde.build_page(session, rpde.Cursor(), limit=10)
    assert page.items == [] and page.next_cursor == rpde.Cursor()


def test_paging_through_a_larger_feed_reaches_the_end(session, directory):
    add_fillers(session, 37)
    session.commit()
    items, pages = everything(session, limit=7)
    assert len(items) == 47 and len(pages) == 8  # 47 items in 7 full pages, then the empty page
    assert len({i["id"] for i in items}) == 47


def test_tie_on_modified_is_broken_by_id(session, directory):
    """Two items with one `modified` (possible when ids are shared): afterId splits them."""
    items, _ = everything(session)
    first, second = items[0], items[1]
    page = rpde.build_page(session, rpde.Cursor(first["modified"], first["id"]), limit=1)
    assert page.items[0]["id"] == second["id"]
    # A cursor with the same timestamp and a smaller id includes the item at that timestamp.
    page = rpde.build_page(session, rpde.Cursor(first["modified"], ""), limit=1)
    assert page.items[0]["id"] == first["id"]


def test_feed_pages_and_their_data_validate(session, directory, standards):
    schemas = OrukSchemas(standards)
    update_service(session, "e@example.org", directory.services["lunch"].id, {"capacity_status": "full"})
    delete_service(session, "e@example.org", directory.services["fair"].id)
    session.commit()
    _, pages = everything(session, limit=3)
    for page in pages:
        body = page.to_json(URL + "?afterTimestamp=1&afterId=x")
        assert rpde_page_problems(standards, body) == []
        for item in body["items"]:
            if item["state"] == "updated":
                assert errors(schemas.service, item["data"]) == []


def test_the_rpde_checker_would_catch_a_broken_page(standards):
    bad = {"next": "/relative", "items": [
        {"state": "deleted", "kind": "Service", "id": "a", "modified": "12", "data": {}},
        {"state": "gone", "kind": "Service", "id": "b", "modified": 13},
        {"kind": "Service", "id": "c", "modified": 14, "state": "updated"},
    ]}
    problems = rpde_page_problems(standards, bad)
    for expected in ("page lacks license", "next is not an absolute URL", "is not an integer",
                     "is deleted but carries data", "state 'gone'", "is updated but has no data"):
        assert any(expected in p for p in problems), expected
    spec_example = __import__("json").loads((standards / "openactive" / "rpde-spec-1.0-example-response.json").read_text())
    assert rpde_page_problems(standards, spec_example) == []


def test_settle_holds_back_changes_younger_than_the_window(session, directory):
    make_service(session, name="Brand New Group")
    session.commit()
    now = datetime.now(timezone.utc)
    held = rpde.build_page(session, rpde.Cursor(), limit=100, now=now, settle=timedelta(minutes=5))
    assert held.items == []  # everything was written moments ago
    later = rpde.build_page(session, rpde.Cursor(), limit=100, now=now + timedelta(minutes=6), settle=timedelta(minutes=5))
    assert len(later.items) == 11


def _age_log(session, days: float):
    """Pretend every change-log entry was written `days` ago."""
    session.execute(update(ChangeLog).values(changed_at=datetime.now(timezone.utc) - timedelta(days=days)))
    session.commit()


def test_prune_keeps_tombstones_for_at_least_a_week(session, directory):
    debt = directory.services["debt"]
    delete_service(session, "admin@example.org", debt.id)
    session.commit()
    _age_log(session, 6.9)
    assert rpde.prune_tombstones(session) == 0
    assert debt.id in {i["id"] for i in everything(session)[0]}
    _age_log(session, 7.1)
    assert rpde.prune_tombstones(session) == 1
    session.commit()
    assert debt.id not in {i["id"] for i in everything(session)[0]}
    # Live services keep their history, however old.
    assert session.scalar(select(func.count()).select_from(ChangeLog).where(
        ChangeLog.entity_id == directory.services["walk"].id)) >= 1
    with pytest.raises(ValueError, match="at least 7 days"):
        rpde.prune_tombstones(session, keep=timedelta(days=3))


def test_new_ids_after_a_prune_still_sort_after_everything_served(session, directory):
    items, _ = everything(session)
    delete_service(session, "admin@example.org", directory.services["debt"].id)
    session.commit()
    _age_log(session, 8)
    rpde.prune_tombstones(session)
    session.commit()
    fresh = make_service(session, name="After The Prune")
    session.commit()
    after, _ = everything(session, cursor=rpde.Cursor(items[-1]["modified"], items[-1]["id"]))
    assert [i["id"] for i in after] == [fresh.id]


@pytest.mark.parametrize("ts,after_id", [("5", None), (None, "x"), ("five", "x")])
def test_cursor_parameters_must_come_together_and_be_integers(ts, after_id):
    with pytest.raises(ValidationError):
        rpde.Cursor.parse(ts, after_id)


def test_limit_parameter():
    assert rpde.parse_limit(None) == rpde.DEFAULT_LIMIT
    assert rpde.parse_limit("25") == 25
    for bad in ("0", "1001", "many"):
        with pytest.raises(ValidationError):
            rpde.parse_limit(bad)
