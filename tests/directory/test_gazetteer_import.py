"""Bulk postcode and place imports: ONSPD and Code-Point layouts, skips, errors, idempotence.

Real files in tmp_path, real SQLite and PostgreSQL through the `session` fixture.
"""

from __future__ import annotations

import zipfile

import pytest
import click
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import sessionmaker

from directory import cli_support
from directory.db import make_engine, make_session_factory, upgrade_database
from directory.errors import ValidationError
from directory.gazetteer import Gazetteer
from directory.gazetteer_commands import places_command, postcodes_command
from directory.gazetteer_import import detect_format, import_places, import_postcodes
from directory.geo import haversine_km
from directory.models import Place, Postcode, PostcodeArea

# A slice of the real ONSPD header: the importer must find its columns by name among many.
ONSPD_HEADER = "pcd,pcd2,pcds,dointr,doterm,oscty,oslaua,osward,usertype,oseast1m,osnrth1m,ctry,lat,long,imd"


def onspd_row(pcds, lat, long, doterm="", oslaua="E08000021"):
    pcd = pcds.replace(" ", "").ljust(7)
    return f'"{pcd}","{pcd}","{pcds}","198001","{doterm}","E99999999","{oslaua}","E05001","0","424800","564800","E92000001",{lat},{long},"12345"'


ONSPD_ROWS = [
    onspd_row("NE1 8QH", "54.977930", "-1.612440"),  # line 2
    onspd_row("NE1 8AG", "54.974180", "-1.608900"),  # line 3
    onspd_row("NE1 8ZZ", "54.975000", "-1.610000", doterm="200512"),  # line 4: terminated
    onspd_row("NE1 4LP", "99.999999", "0.000000"),  # line 5: ONSPD's "no coordinates"
    onspd_row("NE8 1HH", "54.955950", "-1.601660", oslaua="E08000037"),  # line 6
    onspd_row("NOT A PC", "54.9", "-1.6"),  # line 7: malformed postcode
    onspd_row("NE8 1AB", "fifty-four", "-1.6", oslaua="E08000037"),  # line 8: malformed latitude
    '"NE8 1AD","NE8 1AD"',  # line 9: truncated row
    onspd_row("ne4 5pl", "54.971200", "-1.630500"),  # line 10: lower case is still fine
]


@pytest.fixture
def onspd_file(tmp_path):
    path = tmp_path / "ONSPD_FEB_2024_UK.csv"
    path.write_text(ONSPD_HEADER + "\n" + "\n".join(ONSPD_ROWS) + "\n", encoding="utf-8")
    return path


def _codes(session) -> set[str]:
    return set(session.scalars(select(Postcode.postcode)))


def test_onspd_import_skips_terminated_and_no_coordinate_rows(session, onspd_file):
    summary = import_postcodes(session, onspd_file, progress=False)
    assert summary.format == "onspd"
    assert _codes(session) == {"NE1 8QH", "NE1 8AG", "NE8 1HH", "NE4 5PL"}
    assert (summary.rows_read, summary.imported) == (9, 4)
    assert (summary.terminated, summary.no_coordinates, summary.malformed) == (1, 1, 3)
    civic = session.get(Postcode, "NE1 8QH")
    assert (civic.latitude, civic.longitude) == (54.97793, -1.61244)
    assert (civic.sector, civic.district, civic.local_authority) == ("NE1 8", "NE1", "E08000021")
    assert session.get(Postcode, "NE8 1HH").local_authority == "E08000037"


def test_malformed_rows_are_reported_with_line_numbers(session, onspd_file):
    summary = import_postcodes(session, onspd_file, progress=False)
    assert summary.errors == [
        "line 7: 'NOT A PC' is not a UK postcode. Check it, for example NE4 5PL.",
        "line 8: latitude 'fifty-four' is not a number",
        "line 9: too few columns (2)",
    ]
    report = summary.report()
    assert "Imported 4 postcodes" in report and "3 malformed" in report and "line 8:" in report


def test_areas_are_recomputed_after_import(session, onspd_file):
    summary = import_postcodes(session, onspd_file, progress=False)
    areas = {a.code: a for a in session.scalars(select(PostcodeArea))}
    assert set(areas) == {"NE1 8", "NE8 1", "NE4 5", "NE1", "NE8", "NE4"} and summary.areas == 6
    assert areas["NE1 8"].postcode_count == 2
    assert areas["NE1 8"].latitude == pytest.approx((54.97793 + 54.97418) / 2)
    # ...so the fallbacks work straight away.
    assert Gazetteer(session).lookup("NE1 8XX").label == "near NE1 8 (exact postcode not found)"


def test_reimport_is_idempotent_and_replaces(session, onspd_file, tmp_path):
    import_postcodes(session, onspd_file, progress=False)
    again = import_postcodes(session, onspd_file, progress=False)
    assert again.imported == 4
    assert session.scalar(select(func.count()).select_from(Postcode)) == 4
    assert session.scalar(select(func.count()).select_from(PostcodeArea)) == 6

    # A newer release: NE1 8QH moved, NE1 8AG terminated, NE6 1AR new.
    newer = tmp_path / "newer.csv"
    newer.write_text(
        "\n".join(
            [
                ONSPD_HEADER,
                onspd_row("NE1 8QH", "54.978000", "-1.612500"),
                onspd_row("NE1 8AG", "54.974180", "-1.608900", doterm="202402"),
                onspd_row("NE6 1AR", "54.974800", "-1.595500"),
            ]
        ),
        encoding="utf-8",
    )
    summary = import_postcodes(session, newer, progress=False)
    assert (summary.imported, summary.terminated) == (2, 1)
    assert _codes(session) == {"NE1 8QH", "NE8 1HH", "NE4 5PL", "NE6 1AR"}
    assert session.get(Postcode, "NE1 8QH").latitude == 54.978
    assert session.get(PostcodeArea, "NE1 8").postcode_count == 1


def test_duplicate_rows_in_one_file_keep_the_last(session, tmp_path):
    path = tmp_path / "dups.csv"
    path.write_text(
        "\n".join([ONSPD_HEADER, onspd_row("NE1 8QH", "54.1", "-1.1"), onspd_row("NE18QH", "54.977930", "-1.612440")]),
        encoding="utf-8",
    )
    assert import_postcodes(session, path, progress=False).imported == 1
    assert session.get(Postcode, "NE1 8QH").latitude == 54.97793


def test_small_batches_give_the_same_result(session, onspd_file):
    summary = import_postcodes(session, onspd_file, progress=False, batch_size=2)
    assert summary.imported == 4 and _codes(session) == {"NE1 8QH", "NE1 8AG", "NE8 1HH", "NE4 5PL"}


CODEPOINT_ROWS = [
    '"NE1 8QH",10,424800,564800,"E92000001","E40000009","E38000127","","E08000021","E05001104"',
    '"NE8 1HH",10,425230,562790,"E92000001","E40000009","E38000127","","E08000037","E05001063"',
    '"NE1 9ZZ",90,0,0,"E92000001","","","","",""',  # line 3: no coordinates
    '"NE8 1AB",10,abc,562790,"E92000001","","","","E08000037",""',  # line 4: malformed
    '"NE4  5PL",10,423750,564500,"E92000001","","","","E08000021",""',  # two spaces, as in PCD7
]


def test_codepoint_layout_is_detected_and_converted_from_the_national_grid(session, tmp_path):
    path = tmp_path / "ne.csv"
    path.write_text("\n".join(CODEPOINT_ROWS) + "\n", encoding="utf-8")
    summary = import_postcodes(session, path, progress=False)
    assert summary.format == "codepoint"
    assert (summary.imported, summary.no_coordinates, summary.malformed) == (3, 1, 1)
    assert summary.errors == ["line 4: easting 'abc' is not a number"]
    civic = session.get(Postcode, "NE1 8QH")
    # 424800,564800 is by Newcastle Civic Centre (54.978, -1.613); the grid square is 100 m
    # coarse, hence the tolerance.
    assert haversine_km(civic.latitude, civic.longitude, 54.978, -1.613) < 0.15
    assert civic.local_authority == "E08000021"
    assert session.get(Postcode, "NE4 5PL").district == "NE4"


def test_codepoint_conversion_matches_the_ordnance_survey_worked_example(session, tmp_path):
    # OS "A guide to coordinate systems in Great Britain": Caister water tower,
    # E 651409.903 N 313177.270 is ETRS89 (= WGS84 to within a metre) 52°39'28.8282"N 1°42'57.8663"E.
    path = tmp_path / "nr.csv"
    path.write_text('"NR30 5AA",10,651409.903,313177.270,"E92000001","","","","E07000145",""\n', encoding="utf-8")
    import_postcodes(session, path, fmt="codepoint", progress=False)
    tower = session.get(Postcode, "NR30 5AA")
    expected = (52 + 39 / 60 + 28.8282 / 3600, 1 + 42 / 60 + 57.8663 / 3600)
    assert haversine_km(tower.latitude, tower.longitude, *expected) < 0.01  # 10 m


def test_codepoint_zip_with_a_header_file(session, tmp_path):
    path = tmp_path / "codepo_gb.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Doc/Code-Point_Open_Column_Headers.csv", "PC,PQ,EA,NO,CY,RH,LH,CC,DC,WC\n")
        archive.writestr("Data/CSV/ne.csv", "\n".join(CODEPOINT_ROWS[:2]) + "\n")
        archive.writestr("Data/CSV/dh.csv", '"DH3 1AP",10,427300,553900,"E92000001","","","","E08000037",""\n')
    summary = import_postcodes(session, path, progress=False)
    assert (summary.format, summary.imported) == ("codepoint", 3)
    assert _codes(session) == {"NE1 8QH", "NE8 1HH", "DH3 1AP"}


def test_unrecognised_layout_and_unknown_format_are_refused(session, tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("name,town\nAnn,Leeds\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="Could not tell the file's layout"):
        import_postcodes(session, path, progress=False)
    with pytest.raises(ValidationError, match="no pcds, lat, long column"):
        import_postcodes(session, path, fmt="onspd", progress=False)
    with pytest.raises(ValidationError, match="Unknown format"):
        import_postcodes(session, path, fmt="paf", progress=False)
    assert detect_format(["pcd", "pcds", "lat", "long"]) == "onspd"
    assert detect_format(["NE1 8QH", "10", "424800", "564800"]) == "codepoint"


def test_import_through_an_engine_commits_each_batch(tmp_path, onspd_file):
    url = f"sqlite:///{tmp_path / 'engine.sqlite'}"
    upgrade_database(url)
    engine = make_engine(url)
    try:
        summary = import_postcodes(engine, onspd_file, progress=False, batch_size=2)
        assert summary.imported == 4
        with make_session_factory(engine)() as fresh:
            assert _codes(fresh) == {"NE1 8QH", "NE1 8AG", "NE8 1HH", "NE4 5PL"}
            assert fresh.get(PostcodeArea, "NE1").postcode_count == 2
    finally:
        engine.dispose()


def test_places_import_upserts(session, tmp_path):
    path = tmp_path / "places.csv"
    path.write_text(
        "name,kind,lat,long,local_authority,postcode_district\n"
        "Heaton,suburb,54.983,-1.58,Newcastle upon Tyne,NE6\n"
        "Arthur's Hill,suburb,54.972,-1.633,Newcastle upon Tyne,ne4\n",
        encoding="utf-8",
    )
    assert import_places(session, path) == 2
    assert import_places(session, path) == 2
    assert session.scalar(select(func.count()).select_from(Place)) == 2
    hill = session.scalars(select(Place).where(Place.name_key == "arthurs hill")).one()
    assert (hill.name, hill.postcode_district) == ("Arthur's Hill", "NE4")

    path.write_text("name,kind,lat,long,local_authority,postcode_district\nNowhere,town,north,south,,\n")
    with pytest.raises(ValidationError, match="line 2"):
        import_places(session, path)


def _cli(session):
    """Run the commands as `wayfinder import ...` would, with a session on the test's connection."""
    factory = sessionmaker(bind=session.connection(), join_transaction_mode="create_savepoint")

    @click.group()
    @click.pass_context
    def root(ctx):
        cli_support.provide(ctx, factory, {})

    group = click.Group("import")
    group.add_command(postcodes_command)
    group.add_command(places_command)
    root.add_command(group)
    return lambda *args: CliRunner().invoke(root, ["import", *args])


def test_commands(session, onspd_file, tmp_path):
    run = _cli(session)
    result = run("postcodes", str(onspd_file), "--format", "onspd", "--no-progress")
    assert result.exit_code == 0, result.output
    assert "Imported 4 postcodes" in result.output and "line 7:" in result.output
    assert "NE1 8QH" in _codes(session)

    bad = tmp_path / "bad.csv"
    bad.write_text("name,town\nAnn,Leeds\n")
    result = run("postcodes", str(bad))
    assert result.exit_code == 1 and "Could not tell the file's layout" in result.output

    places = tmp_path / "places.csv"
    places.write_text("name,kind,lat,long,local_authority,postcode_district\nHeaton,suburb,54.983,-1.58,,NE6\n")
    result = run("places", str(places))
    assert result.exit_code == 0 and "Loaded 1 places" in result.output
