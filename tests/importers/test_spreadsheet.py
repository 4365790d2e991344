"""Spreadsheets: the template, mappings and messy real inputs, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from directory.models import QuarantinedRecord, Service
from importers.spreadsheet import SpreadsheetReader
from importers.spreadsheet_template import write_template
from importers.spreadsheet_text import parse_cost, parse_when
from tests.importers.conftest import make_source, run

FIXTURES = Path(__file__).with_name("fixtures")


def _service(session, name):
    return session.scalars(select(Service).where(Service.name == name)).one()


def test_messy_csv(session):
    source = make_source(session, kind="spreadsheet", url=str(FIXTURES / "messy.csv"))
    report = run(session, source, SpreadsheetReader(source.url))
    assert report.ok, report.lines()
    assert report.counts["created"] == 4 and report.counts["quarantined"] == 4
    knit = _service(session, "Knit and Natter")
    assert knit.locations[0].location.postal_code == "NE6 2PA"
    assert (knit.schedules[0].byday, knit.schedules[0].opens_at, knit.schedules[0].closes_at) == ("MO,WE", time(10), time(12))
    assert str(knit.cost_options[0].amount) == "0.00" and knit.minimum_age == 18
    assert knit.assured_date == date(2025, 1, 1)  # Excel serial 45658
    assert set(knit.locations[0].location.accessibility) == set() and set(knit.accessibility) == {"step-free", "hearing-loop"}
    chair = _service(session, "Chair-based Exercise")
    assert chair.locations[0].location.postal_code == "NE6 3LE"
    assert sorted((str(c.amount), c.option) for c in chair.cost_options) == [("1.00", "concessions"), ("2.50", None)]
    assert chair.minimum_age == 50 and chair.assured_date == date(2026, 3, 14)
    assert set(chair.referral_routes) == {"link_worker", "clinician"}
    assert _service(session, "Men's Shed").gender == "male"
    swim = _service(session, "Ladies Swim")
    assert swim.gender == "female" and swim.schedules[0].opens_at == time(19)
    reasons = sorted(q.reason for q in session.scalars(select(QuarantinedRecord)))
    assert any(r.startswith("Row 7, column 'Activity name'") and "no name" in r for r in reasons)
    assert any(r.startswith("Row 8, column 'Cost'") and "not a price" in r for r in reasons)
    assert any(r.startswith("Row 9, column 'Days and times'") and "day of the week" in r for r in reasons)
    assert any(r.startswith("Row 10") and "repeats row 2" in r for r in reasons)
    assert any("teleporter" in w for w in report.warnings)


def test_mapping_for_someone_elses_columns(session):
    source = make_source(session, kind="spreadsheet", url=str(FIXTURES / "other-columns.csv"))
    report = run(session, source, SpreadsheetReader(source.url, FIXTURES / "other-columns.toml"))
    assert report.counts["created"] == 2, report.lines()
    cafe = _service(session, "Dementia Cafe")
    assert (cafe.schedules[0].freq, cafe.schedules[0].byday) == ("MONTHLY", "-1FR")
    assert cafe.schedules[0].opens_at == time(14) and cafe.gender == "female"
    assert cafe.cost_options[0].amount is None and cafe.cost_options[0].amount_description == "donation"
    assert cafe.locations[0].location.city == "Newcastle upon Tyne"
    coffee = _service(session, "Coffee Morning")
    assert str(coffee.cost_options[0].amount) == "0.50"


def test_xlsx_with_real_dates_and_blank_rows(session, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["Notes for volunteers"])
    sheet.append([])
    sheet.append(["Activity name", "Postcode", "When", "Cost", "Last checked", "Min age"])
    sheet.append(["Gardening Club", "ne4 5pl", "Sat 10-1", 0, datetime(2026, 2, 1), 16])
    sheet.append([None, None, None, None, None, None])
    sheet.append(["Choir", "NE4 5PL", "Thursday 7-9pm", "£1", None, "sixteen"])
    path = tmp_path / "groups.xlsx"
    book.save(path)
    mapping = {"sheet": {"header_row": 3}}
    source = make_source(session, kind="spreadsheet", url=str(path))
    report = run(session, source, SpreadsheetReader(path, mapping))
    garden = _service(session, "Gardening Club")
    assert garden.assured_date == date(2026, 2, 1) and garden.minimum_age == 16
    assert garden.schedules[0].closes_at == time(13)
    assert report.counts["quarantined"] == 1
    reason = session.scalars(select(QuarantinedRecord.reason)).one()
    assert reason.startswith("Row 6, column 'Min age'")


def test_reimport_is_unchanged_and_authoritative_sheet_deletes(session, tmp_path):
    path = tmp_path / "list.csv"
    path.write_text("Activity name,Postcode,When\nA walk,NE4 5PL,Mon 10-11\nA choir,NE4 5PL,Tue 7-9pm\n")
    source = make_source(session, kind="spreadsheet", url=str(path))
    run(session, source, SpreadsheetReader(path))
    report = run(session, source, SpreadsheetReader(path))
    assert report.counts["unchanged"] == 2 and report.counts["created"] == 0
    path.write_text("Activity name,Postcode,When\nA walk,NE4 5PL,Mon 10-11\n")
    report = run(session, source, SpreadsheetReader(path))
    assert report.counts["deleted"] == 0 and "were kept" in " ".join(report.notes)
    source.authoritative = True
    report = run(session, source, SpreadsheetReader(path))
    assert report.counts["deleted"] == 1
    assert session.scalars(select(Service.name)).all() == ["A walk"]


def test_unreadable_files_fail_clearly(session, tmp_path):
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not really excel")
    source = make_source(session, kind="spreadsheet", url=str(bad))
    report = run(session, source, SpreadsheetReader(bad))
    assert not report.ok and "not a readable Excel file" in report.run.error
    nameless = tmp_path / "nameless.csv"
    nameless.write_text("Colour,Size\nred,big\n")
    source = make_source(session, name="n", kind="spreadsheet", url=str(nameless))
    report = run(session, source, SpreadsheetReader(nameless))
    assert "no column for the activity's name" in report.run.error


def test_template_round_trips(session, tmp_path):
    path = write_template(tmp_path / "template.xlsx")
    book = load_workbook(path)
    assert book.sheetnames == ["Activities", "Help"]
    assert book["Activities"]["A1"].value == "ID" and book["Activities"]["B2"].value == "Heaton Park Health Walk"
    source = make_source(session, kind="spreadsheet", url=str(path))
    report = run(session, source, SpreadsheetReader(path))
    assert report.counts["created"] == 1, report.lines()
    walk = _service(session, "Heaton Park Health Walk")
    assert walk.schedules[0].byday == "TU" and walk.assured_date == date(2026, 3, 14)
    csv_path = write_template(tmp_path / "template.csv")
    assert csv_path.read_bytes().startswith(b"\xef\xbb\xbfID,Activity name")


def test_template_command(tmp_path):
    from web.cli import main

    result = CliRunner().invoke(main, ["import", "template", str(tmp_path / "t.xlsx")])
    assert result.exit_code == 0 and (tmp_path / "t.xlsx").exists()


@pytest.mark.parametrize("text,expected", [
    ("Mon & Wed 10-12", [("WEEKLY", "MO,WE", time(10), time(12))]),
    ("1st Monday of the month 7-9pm", [("MONTHLY", "1MO", time(19), time(21))]),
    ("Mon-Fri 9:00-17:00", [("WEEKLY", "MO,TU,WE,TH,FR", time(9), time(17))]),
    ("Thursday 1.30-3.30pm", [("WEEKLY", "TH", time(13, 30), time(15, 30))]),
    ("Mondays 10-11; Fridays 2-3pm", [("WEEKLY", "MO", time(10), time(11)), ("WEEKLY", "FR", time(14), time(15))]),
])
def test_days_and_times_in_words(text, expected):
    assert [(r.freq, r.byday, r.opens_at, r.closes_at) for r in parse_when(text)] == expected


@pytest.mark.parametrize("text,expected", [
    ("Free", [("0.00", "Free")]), ("£2", [("2.00", None)]),
    ("£5 adults, £2 children", [("5.00", "adults"), ("2.00", "children")]),
])
def test_prices_in_words(text, expected):
    assert [(str(c.amount), c.option) for c in parse_cost(text)] == expected
