"""Where demo venues go: towns, their neighbourhoods, venue postcodes and residency areas.

Two layouts share one shape (towns made of localities):

* the Newcastle/Gateshead demo: two towns (the two local authorities) whose localities are the
  neighbourhoods in ``newcastle-areas.csv``; venue postcodes are drawn from the gazetteer's own
  ``demo-postcodes.csv`` (each assigned to its nearest neighbourhood of the same authority), so
  every venue postcode geocodes; residency areas are built from those postcodes' Voronoi cells.
* England: the towns in ``england-towns.csv`` with generated localities and synthetic but
  well-formed postcodes around them (coordinates are set on the venue directly); residency
  areas are circles. Newcastle and Gateshead keep their real neighbourhoods and postcodes.
"""

from __future__ import annotations

import csv
import math
import random
from bisect import bisect
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path

from directory.demo.content import Content
from directory.postcodes import normalise_postcode

UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"  # Royal Mail never uses C I K M O V in the inward code
KM_PER_DEG_LAT = 111.32
# How far a venue is nudged from its postcode's centroid, in degrees (about 10 m): enough that
# venues sharing a postcode do not sit on one map pin, far too little to leave the postcode.
NUDGE = 0.0001
NEWCASTLE_REGION = "Tyne and Wear"
LANGUAGE_POOL_CITY = ("Urdu", "Punjabi", "Bengali", "Polish", "Arabic", "Somali", "Romanian", "Gujarati", "Chinese (Cantonese)")
LANGUAGE_POOL_TOWN = ("Polish", "Romanian", "Urdu")


@dataclass
class Locality:
    """A neighbourhood: where organisations are based and venues are placed."""

    name: str
    town: "TownPlace"
    latitude: float
    longitude: float
    weight: float
    languages: tuple[str, ...]
    pool: list[tuple[str, float, float]] | None = None  # gazetteer postcodes, shuffled
    outward: str | None = None  # synthetic postcodes: "LS6"
    sector: int = 1
    cursor: int = 0
    area: dict | None = field(default=None, repr=False)


@dataclass
class TownPlace:
    """A town (or, in the Newcastle demo, a local authority) made of localities."""

    name: str
    region: str
    region_words: tuple[str, ...]
    phone_prefix: str
    weight: float
    latitude: float
    longitude: float
    radius_km: float
    localities: list[Locality] = field(default_factory=list)
    la_code: str | None = None
    area: dict | None = field(default=None, repr=False)
    _cum: list[float] = field(default_factory=list, repr=False)

    def pick_locality(self, rng: random.Random) -> Locality:
        if not self._cum:
            self._cum = list(accumulate(loc.weight for loc in self.localities))
        return self.localities[bisect(self._cum, rng.random() * self._cum[-1])]


def read_gazetteer_postcodes(path: Path) -> list[tuple[str, float, float, str]]:
    """Live postcodes from an ONSPD-shaped CSV (``pcds,lat,long,oslaua,doterm``), file order."""
    rows = []
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if (row.get("doterm") or "").strip():
                continue  # terminated postcodes are not loaded into the gazetteer either
            rows.append((normalise_postcode(row["pcds"]), float(row["lat"]), float(row["long"]), row["oslaua"]))
    return rows


def _sq_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    # Equirectangular is plenty for "which neighbourhood centre is nearest" over a few km.
    dy = (lat2 - lat1) * KM_PER_DEG_LAT
    dx = (lon2 - lon1) * KM_PER_DEG_LAT * math.cos(math.radians((lat1 + lat2) / 2))
    return dx * dx + dy * dy


class Geography:
    """The towns and localities of one demo layout, and the venue points within them."""

    def __init__(self, kind: str, towns: list[TownPlace]):
        self.kind = kind  # "newcastle" | "england"
        self.towns = [t for t in towns if t.localities]
        self._cum = list(accumulate(t.weight for t in self.towns))
        self._used: set[str] = set()
        self._postcode_rows: list[tuple[str, float, float, str]] = []
        self._cells: "_Cells | None" = None

    # -- construction -------------------------------------------------------------------

    @classmethod
    def newcastle(cls, content: Content, rng: random.Random, postcodes: list) -> "Geography":
        """The demo area: Newcastle upon Tyne and Gateshead, venues at gazetteer postcodes."""
        regions = tuple(content.words["newcastle_regions"])
        towns: dict[str, TownPlace] = {}
        for area in content.areas:
            town = towns.get(area.local_authority)
            if town is None:
                town = towns[area.local_authority] = TownPlace(
                    area.local_authority, NEWCASTLE_REGION, regions, "0191 498 0", 0.0,
                    area.latitude, area.longitude, 6.0, la_code=area.local_authority_code,
                )
            town.weight += area.weight
            town.localities.append(Locality(area.name, town, area.latitude, area.longitude, area.weight, area.languages))
        geography = cls("newcastle", list(towns.values()))
        geography._attach_postcodes(rng, postcodes)
        return geography

    @classmethod
    def england(cls, content: Content, rng: random.Random, postcodes: list) -> "Geography":
        """English towns and cities weighted by population, for the scaled-up demo."""
        towns = []
        for town in content.towns:
            place = TownPlace(
                town.name, town.region, town.region_words, town.phone_prefix, float(town.population),
                town.latitude, town.longitude, town.radius_km,
            )
            if town.demo_area:
                for area in content.areas:
                    if area.local_authority == town.name:
                        place.la_code = area.local_authority_code
                        place.localities.append(
                            Locality(area.name, place, area.latitude, area.longitude, area.weight, area.languages)
                        )
            else:
                _synthetic_localities(rng, content, town, place)
            towns.append(place)
        geography = cls("england", towns)
        geography._attach_postcodes(rng, postcodes)
        return geography

    def _attach_postcodes(self, rng: random.Random, postcodes: list) -> None:
        by_la: dict[str, list[Locality]] = {}
        for town in self.towns:
            if town.la_code:
                by_la.setdefault(town.la_code, []).extend(town.localities)
        if not by_la:
            return
        for loc in (loc for locs in by_la.values() for loc in locs):
            loc.pool = []
        for row in postcodes:
            candidates = by_la.get(row[3])
            if not candidates:
                continue
            nearest = min(candidates, key=lambda loc: _sq_km(row[1], row[2], loc.latitude, loc.longitude))
            nearest.pool.append(row[:3])
        self._postcode_rows = [row for row in postcodes if row[3] in by_la]
        for loc in (loc for locs in by_la.values() for loc in locs):
            rng.shuffle(loc.pool)
        for town in self.towns:
            # A neighbourhood with no postcodes in the gazetteer cannot host a venue, and one
            # with only a handful would pile many venues onto one postcode: weigh it down.
            town.localities = [loc for loc in town.localities if loc.pool is None or loc.pool]
            for loc in town.localities:
                if loc.pool is not None:
                    loc.weight *= min(1.0, len(loc.pool) / 10)
            town._cum = []
        self.towns = [t for t in self.towns if t.localities]
        self._cum = list(accumulate(t.weight for t in self.towns))

    # -- picking places -----------------------------------------------------------------

    def pick_town(self, rng: random.Random) -> TownPlace:
        return self.towns[bisect(self._cum, rng.random() * self._cum[-1])]

    def venue_point(self, rng: random.Random, loc: Locality) -> tuple[str, float, float]:
        """A postcode and coordinates for a new venue in `loc`.

        Gazetteer localities hand out their postcodes in (seeded) shuffled order, starting again
        when every one has a venue; synthetic ones invent an unused postcode in the locality's
        sector, within about a kilometre of its centre.
        """
        if loc.pool:
            postcode, lat, lon = loc.pool[loc.cursor % len(loc.pool)]
            loc.cursor += 1
            return postcode, round(lat + rng.uniform(-NUDGE, NUDGE), 6), round(lon + rng.uniform(-NUDGE, NUDGE), 6)
        distance = 1.0 * math.sqrt(rng.random())
        bearing = rng.uniform(0, 2 * math.pi)
        lat = loc.latitude + distance * math.cos(bearing) / KM_PER_DEG_LAT
        lon = loc.longitude + distance * math.sin(bearing) / (KM_PER_DEG_LAT * math.cos(math.radians(loc.latitude)))
        return self._synthetic_postcode(rng, loc), round(lat, 6), round(lon, 6)

    def near_point(self, rng: random.Random, loc: Locality, postcode: str, lat: float, lon: float) -> tuple[str, float, float]:
        """A different postcode close to (`lat`, `lon`) in the same locality, for a duplicate."""
        if loc.pool:
            others = [row for row in loc.pool if row[0] != postcode]
            if others:
                best = min(others, key=lambda row: _sq_km(lat, lon, row[1], row[2]))
                return best[0], round(best[1] + rng.uniform(-NUDGE, NUDGE), 6), round(best[2] + rng.uniform(-NUDGE, NUDGE), 6)
            return postcode, lat, lon
        return self._synthetic_postcode(rng, loc), round(lat + rng.uniform(-0.0006, 0.0006), 6), round(lon + rng.uniform(-0.0009, 0.0009), 6)

    def _synthetic_postcode(self, rng: random.Random, loc: Locality) -> str:
        for _ in range(50):
            code = f"{loc.outward} {loc.sector}{rng.choice(UNIT_LETTERS)}{rng.choice(UNIT_LETTERS)}"
            if code not in self._used:
                self._used.add(code)
                return code
        loc.sector = loc.sector % 9 + 1  # this sector is full: move on to the next one
        return self._synthetic_postcode(rng, loc)

    # -- residency areas ----------------------------------------------------------------

    def town_area(self, town: TownPlace) -> dict:
        """A GeoJSON (Multi)Polygon covering the town, for "residents only" listings."""
        if town.area is None:
            if town.la_code and self._postcode_rows:
                town.area = self._cells_union({row[0] for row in self._postcode_rows if row[3] == town.la_code})
            else:
                town.area = _circle(town.latitude, town.longitude, town.radius_km + 1.5)
        return town.area

    def locality_area(self, loc: Locality) -> dict:
        """A GeoJSON (Multi)Polygon covering the locality and all its venue postcodes."""
        if loc.area is None:
            if loc.pool:
                loc.area = self._cells_union({row[0] for row in loc.pool})
            else:
                loc.area = _circle(loc.latitude, loc.longitude, 1.6)
        return loc.area

    def _cells_union(self, members: set[str]) -> dict:
        if self._cells is None:
            self._cells = _Cells(self._postcode_rows)
        return self._cells.union(members)


def _synthetic_localities(rng: random.Random, content: Content, town, place: TownPlace) -> None:
    words = content.words
    count = max(3, min(40, round(town.population / 30000)))
    pool = LANGUAGE_POOL_CITY if town.population >= 250000 else LANGUAGE_POOL_TOWN
    names: set[str] = {town.name}
    cos_lat = math.cos(math.radians(town.latitude))
    for index in range(count):
        name = town.name
        while name in names:
            name = rng.choice(words["locality_starts"]) + rng.choice(words["locality_ends"])
        names.add(name)
        distance = town.radius_km * 0.85 * math.sqrt(rng.random())
        bearing = rng.uniform(0, 2 * math.pi)
        languages = tuple(sorted(rng.sample(pool, rng.choice((0, 0, 1, 2) if pool is LANGUAGE_POOL_CITY else (0, 0, 1)))))
        place.localities.append(
            Locality(
                name, place,
                round(town.latitude + distance * math.cos(bearing) / KM_PER_DEG_LAT, 6),
                round(town.longitude + distance * math.sin(bearing) / (KM_PER_DEG_LAT * cos_lat), 6),
                rng.uniform(0.5, 1.5), languages,
                outward=town.outward_codes[index % len(town.outward_codes)],
                sector=rng.randint(1, 9),
            )
        )


def _circle(lat: float, lon: float, radius_km: float, sides: int = 32) -> dict:
    dlat = radius_km / KM_PER_DEG_LAT
    dlon = radius_km / (KM_PER_DEG_LAT * math.cos(math.radians(lat)))
    ring = [
        [round(lon + dlon * math.sin(2 * math.pi * i / sides), 6), round(lat + dlat * math.cos(2 * math.pi * i / sides), 6)]
        for i in range(sides)
    ]
    ring.append(ring[0])
    return {"type": "Polygon", "coordinates": [ring]}


class _Cells:
    """The Voronoi cells of all the demo postcodes, built once and unioned per area.

    Every point of a cell is closer to its postcode than to any other, so neighbouring areas
    meet without gaps or overlaps. Cells are clipped to ~600 m around the postcodes (no
    infinite cells); an area is grown by ~40 m so a venue nudged off its centroid stays inside,
    then simplified to keep the GeoJSON small.
    """

    def __init__(self, rows: list[tuple[str, float, float, str]]):
        import shapely

        # Work in a plane where a degree of longitude is as long as a degree of latitude, so
        # "nearest" means nearest on the ground.
        self.scale = math.cos(math.radians(sum(r[1] for r in rows) / len(rows)))
        points = shapely.points([(r[2] * self.scale, r[1]) for r in rows])
        self.clip = shapely.unary_union(shapely.buffer(points, 0.0055))
        cells = shapely.voronoi_polygons(shapely.multipoints(points), extend_to=self.clip.envelope, ordered=True)
        self.cells = dict(zip((r[0] for r in rows), shapely.get_parts(cells)))

    def union(self, members: set[str]) -> dict:
        import shapely
        from shapely.geometry import mapping

        chosen = [cell for code, cell in self.cells.items() if code in members]
        area = shapely.unary_union(chosen).intersection(self.clip).buffer(0.0004).simplify(0.0002)
        area = shapely.transform(area, lambda xy: xy / [self.scale, 1.0])
        # Snapping to a 1e-6 degree grid (~0.1 m) keeps the polygon valid and the JSON short.
        geojson = mapping(shapely.set_precision(area, 1e-6))
        return {"type": geojson["type"], "coordinates": _rounded(geojson["coordinates"])}


def _rounded(value):
    if isinstance(value, (list, tuple)) and value and isinstance(value[0], float):
        return [round(value[0], 6), round(value[1], 6)]
    return [_rounded(v) for v in value]
