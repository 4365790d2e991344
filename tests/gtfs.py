"""Build small GTFS feeds (zip files) for tests: a handful of stops, routes and trips."""

from __future__ import annotations

import zipfile
from pathlib import Path

# Central Newcastle (home), Gosforth (a venue 4 km north) and the Haymarket between them.
STOPS = [
    ("home-stop", "Westgate Road", 54.9780, -1.6077),
    ("middle", "Haymarket", 54.9960, -1.6100),
    ("venue-stop", "Gosforth High Street", 55.0140, -1.6115),
    ("station", "Central Station (parent)", 54.9690, -1.6170),
]

FILES = {
    "agency.txt": "agency_id,agency_name,agency_url,agency_timezone\nGN,Go North East,https://example.org,Europe/London\n",
    "routes.txt": "route_id,agency_id,route_short_name,route_long_name,route_type\nR1,GN,Q3,Quaylink,3\nR2,GN,X12,,3\n",
    "trips.txt": "route_id,service_id,trip_id,trip_headsign\nR1,WEEKDAY,T1,Gosforth\nR2,SATURDAY,T2,Gosforth\nR1,WEEKDAY,T3,Gosforth\n",
    "stop_times.txt": (
        "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
        "T1,09:30:00,09:30:00,home-stop,1\nT1,,,middle,2\nT1,09:50:00,09:50:00,venue-stop,3\n"
        "T2,09:20:00,09:20:00,home-stop,1\nT2,09:45:00,09:45:00,venue-stop,2\n"
        "T3,25:05:00,25:05:00,home-stop,1\nT3,25:25:00,25:25:00,venue-stop,2\n"
    ),
    "calendar.txt": (
        "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
        "WEEKDAY,1,1,1,1,1,0,0,20260101,20261231\nSATURDAY,0,0,0,0,0,1,0,20260101,20261231\n"
    ),
    "calendar_dates.txt": "service_id,date,exception_type\nWEEKDAY,20260310,2\n",
}


def stops_txt() -> str:
    lines = ["stop_id,stop_name,stop_lat,stop_lon,location_type"]
    for stop_id, name, lat, lon in STOPS:
        lines.append(f"{stop_id},{name},{lat},{lon},{1 if stop_id == 'station' else 0}")
    return "\n".join(lines) + "\n"


def make_feed(path: Path, *, leave_out: str | None = None, replace: dict[str, str] | None = None) -> Path:
    """Write the test feed to `path` (optionally without one file, or with some files replaced)."""
    files = {**FILES, "stops.txt": stops_txt(), **(replace or {})}
    with zipfile.ZipFile(path, "w") as archive:
        for name, text in files.items():
            if name != leave_out:
                # A byte-order mark on one file, as real feeds often have.
                archive.writestr(name, ("\ufeff" if name == "stops.txt" else "") + text)
    return path
