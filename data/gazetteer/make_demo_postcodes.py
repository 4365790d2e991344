"""Write ``demo-postcodes.csv``: a small ONS-Postcode-Directory-shaped gazetteer for the demo area.

Run ``python data/gazetteer/make_demo_postcodes.py`` to regenerate; the output is committed so a
fresh clone needs nothing else. Deterministic: the same seed always writes the same file.

What it contains: every postcode district of Newcastle upon Tyne (E08000021) and Gateshead
(E08000037), each with its real sectors placed at their real locations, and 15-40 unit
postcodes per sector jittered within a few hundred metres of the sector centre. The unit codes
follow real postcode grammar but, apart from the landmarks listed in ``KNOWN``, are invented:
good enough to place a venue on the map and exercise the sector/district fallbacks, not a
substitute for the real ONSPD (load that with ``wayfinder import postcodes``).
"""

from __future__ import annotations

import csv
import math
import random
from pathlib import Path

SEED = 20240502
OUT = Path(__file__).with_name("demo-postcodes.csv")
NEWCASTLE = "E08000021"
GATESHEAD = "E08000037"

# Inward-code unit letters never use C, I, K, M, O or V (Royal Mail rule).
UNIT_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

# (sector, latitude, longitude, local authority): sector centres from the real geography.
SECTORS: list[tuple[str, float, float, str]] = [
    # NE1 city centre
    ("NE1 1", 54.9700, -1.6130, NEWCASTLE),  # Collingwood St, Mosley St, Cathedral
    ("NE1 2", 54.9718, -1.6055, NEWCASTLE),  # Pilgrim St, Manors
    ("NE1 3", 54.9688, -1.6060, NEWCASTLE),  # Quayside, Sandhill
    ("NE1 4", 54.9718, -1.6200, NEWCASTLE),  # Westgate Rd, Gallowgate, Stowell St
    ("NE1 5", 54.9703, -1.6170, NEWCASTLE),  # Grainger Market, Central Station
    ("NE1 6", 54.9730, -1.6120, NEWCASTLE),  # Grey St, Blackett St
    ("NE1 7", 54.9772, -1.6160, NEWCASTLE),  # Haymarket, Northumberland St, RVI
    ("NE1 8", 54.9765, -1.6085, NEWCASTLE),  # Civic Centre, Northumbria University
    # NE2 Jesmond, Sandyford, Shieldfield, Spital Tongues
    ("NE2 1", 54.9780, -1.6000, NEWCASTLE),
    ("NE2 2", 54.9860, -1.6020, NEWCASTLE),
    ("NE2 3", 54.9905, -1.6110, NEWCASTLE),
    ("NE2 4", 54.9815, -1.6260, NEWCASTLE),
    # NE3 Gosforth, Kenton, Fawdon, Coxlodge, Kingston Park
    ("NE3 1", 55.0055, -1.6180, NEWCASTLE),
    ("NE3 2", 55.0150, -1.6650, NEWCASTLE),
    ("NE3 3", 55.0000, -1.6530, NEWCASTLE),
    ("NE3 4", 55.0060, -1.6360, NEWCASTLE),
    ("NE3 5", 55.0190, -1.6230, NEWCASTLE),
    # NE4 Elswick, Arthur's Hill, Fenham, Benwell
    ("NE4 5", 54.9712, -1.6310, NEWCASTLE),
    ("NE4 6", 54.9665, -1.6385, NEWCASTLE),
    ("NE4 7", 54.9665, -1.6250, NEWCASTLE),
    ("NE4 8", 54.9705, -1.6600, NEWCASTLE),
    ("NE4 9", 54.9800, -1.6530, NEWCASTLE),
    # NE5 West Denton, Westerhope, Blakelaw, Cowgate, Denton Burn
    ("NE5 1", 54.9905, -1.7190, NEWCASTLE),
    ("NE5 2", 54.9880, -1.6600, NEWCASTLE),
    ("NE5 3", 54.9925, -1.6770, NEWCASTLE),
    ("NE5 4", 54.9825, -1.6950, NEWCASTLE),
    ("NE5 5", 55.0020, -1.6860, NEWCASTLE),
    # NE6 Byker, Heaton, Walker, Walkergate
    ("NE6 1", 54.9745, -1.5935, NEWCASTLE),
    ("NE6 2", 54.9770, -1.5780, NEWCASTLE),
    ("NE6 3", 54.9700, -1.5520, NEWCASTLE),
    ("NE6 4", 54.9800, -1.5530, NEWCASTLE),
    ("NE6 5", 54.9840, -1.5830, NEWCASTLE),
    # NE7 High Heaton, Freeman Hospital
    ("NE7 7", 54.9985, -1.5900, NEWCASTLE),
    # NE12 (Newcastle part: Benton, Coach Lane)
    ("NE12 8", 55.0060, -1.5780, NEWCASTLE),
    # NE13 Great Park, Hazlerigg, Brunswick, Dinnington, Woolsington
    ("NE13 6", 55.0410, -1.6320, NEWCASTLE),
    ("NE13 7", 55.0520, -1.6720, NEWCASTLE),
    ("NE13 8", 55.0300, -1.6880, NEWCASTLE),
    ("NE13 9", 55.0300, -1.6250, NEWCASTLE),
    # NE15 Scotswood, Denton, Lemington, Newburn, Walbottle, Throckley
    ("NE15 6", 54.9700, -1.6850, NEWCASTLE),
    ("NE15 7", 54.9790, -1.6960, NEWCASTLE),
    ("NE15 8", 54.9820, -1.7200, NEWCASTLE),
    ("NE15 9", 54.9890, -1.7500, NEWCASTLE),
    # NE20 (Newcastle part: Callerton, Woolsington villages)
    ("NE20 0", 55.0270, -1.7300, NEWCASTLE),
    # NE27 (Newcastle part: by Gosforth Park)
    ("NE27 0", 55.0370, -1.5870, NEWCASTLE),
    # NE8 Gateshead centre, Bensham, Teams, Saltwell, Deckham
    ("NE8 1", 54.9590, -1.6030, GATESHEAD),
    ("NE8 2", 54.9580, -1.6200, GATESHEAD),
    ("NE8 3", 54.9540, -1.5880, GATESHEAD),
    ("NE8 4", 54.9500, -1.6100, GATESHEAD),
    # NE9 Low Fell, Sheriff Hill, Wrekenton
    ("NE9 5", 54.9400, -1.6000, GATESHEAD),
    ("NE9 6", 54.9290, -1.6010, GATESHEAD),
    ("NE9 7", 54.9270, -1.5750, GATESHEAD),
    # NE10 Felling, Heworth, Pelaw, Wardley, Windy Nook, Leam Lane
    ("NE10 0", 54.9500, -1.5400, GATESHEAD),
    ("NE10 8", 54.9400, -1.5550, GATESHEAD),
    ("NE10 9", 54.9530, -1.5720, GATESHEAD),
    # NE11 Dunston, Team Valley, Lobley Hill, Kibblesworth
    ("NE11 0", 54.9380, -1.6300, GATESHEAD),
    ("NE11 9", 54.9550, -1.6450, GATESHEAD),
    # NE16 Whickham, Swalwell, Sunniside, Marley Hill
    ("NE16 3", 54.9480, -1.6700, GATESHEAD),
    ("NE16 4", 54.9430, -1.6800, GATESHEAD),
    ("NE16 5", 54.9330, -1.6900, GATESHEAD),
    ("NE16 6", 54.9190, -1.6680, GATESHEAD),
    # NE17 (Gateshead part: Chopwell)
    ("NE17 7", 54.9180, -1.8120, GATESHEAD),
    # NE21 Blaydon, Winlaton, Stella
    ("NE21 4", 54.9640, -1.7150, GATESHEAD),
    ("NE21 5", 54.9560, -1.7250, GATESHEAD),
    ("NE21 6", 54.9480, -1.7330, GATESHEAD),
    # NE39 Rowlands Gill, High Spen
    ("NE39 1", 54.9180, -1.7440, GATESHEAD),
    ("NE39 2", 54.9290, -1.7830, GATESHEAD),
    # NE40 Ryton, Crawcrook, Greenside
    ("NE40 3", 54.9720, -1.7650, GATESHEAD),
    ("NE40 4", 54.9630, -1.7900, GATESHEAD),
    # DH3 (Gateshead part: Birtley)
    ("DH3 1", 54.8990, -1.5780, GATESHEAD),
    ("DH3 2", 54.8930, -1.5750, GATESHEAD),
]

# Real postcodes, at their real coordinates, always present (venues and tests rely on them).
KNOWN: dict[str, tuple[float, float]] = {
    "NE1 8QH": (54.977930, -1.612440),  # Newcastle Civic Centre
    "NE8 1HH": (54.955950, -1.601660),  # Gateshead Civic Centre
    "NE4 5PL": (54.971200, -1.630500),  # Westgate Road, Arthur's Hill
    "NE1 4LP": (54.972400, -1.620600),  # Gallowgate
    "NE6 1AR": (54.974800, -1.595500),  # Byker
    "NE1 7RU": (54.980130, -1.618780),  # Royal Victoria Infirmary / Newcastle University
    "NE7 7DN": (55.002900, -1.593600),  # Freeman Hospital
    "NE1 5DL": (54.968540, -1.617320),  # Central Station
    "NE1 4ST": (54.975570, -1.621650),  # St James' Park
    "NE1 4EP": (54.967600, -1.620700),  # Centre for Life
    "NE1 6BR": (54.973550, -1.612500),  # Theatre Royal, Grey Street
    "NE1 8AG": (54.974180, -1.608900),  # Laing Art Gallery
    "NE1 8ST": (54.977500, -1.607500),  # Northumbria University
    "NE1 7JB": (54.975500, -1.616000),  # Eldon Square
    "NE8 2JR": (54.967500, -1.602000),  # The Glasshouse (Sage Gateshead)
    "NE8 3BA": (54.969000, -1.597700),  # BALTIC
    "NE9 6SX": (54.945000, -1.586000),  # Queen Elizabeth Hospital
    "NE11 9YG": (54.958500, -1.665500),  # Metrocentre
    "NE13 8BZ": (55.037500, -1.691700),  # Newcastle Airport
}

JITTER_M = 450.0  # "a few hundred metres" around the sector centre


def _jitter(rng: random.Random, lat: float, lon: float) -> tuple[float, float]:
    # Uniform in a disc (sqrt on the radius) so units do not bunch at the centre.
    radius = JITTER_M * math.sqrt(rng.random())
    bearing = rng.random() * 2 * math.pi
    dlat = radius * math.cos(bearing) / 111_320.0
    dlon = radius * math.sin(bearing) / (111_320.0 * math.cos(math.radians(lat)))
    return lat + dlat, lon + dlon


def rows() -> list[tuple[str, float, float, str, str]]:
    """All rows (pcds, lat, long, oslaua, doterm), sorted by postcode, deterministically."""
    rng = random.Random(SEED)
    out = []
    for sector, lat, lon, authority in SECTORS:
        digit = sector.split()[1]
        known = {pc for pc in KNOWN if pc[:-2] == sector}
        count = rng.randint(15, 40)
        units = rng.sample([a + b for a in UNIT_LETTERS for b in UNIT_LETTERS], count)
        codes = {f"{sector.split()[0]} {digit}{unit}" for unit in units} | known
        for code in sorted(codes):
            if code in KNOWN:
                plat, plon = KNOWN[code]
            else:
                plat, plon = _jitter(rng, lat, lon)
            out.append((code, round(plat, 6), round(plon, 6), authority, ""))
    return sorted(out, key=lambda row: _sort_key(row[0]))


def _sort_key(postcode: str) -> tuple[str, int, str]:
    # Natural order (NE2 before NE10), the way the ONSPD and people list them.
    outward, inward = postcode.split()
    area = outward.rstrip("0123456789")
    return area, int(outward[len(area):]), inward


def main() -> None:
    data = rows()
    with OUT.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["pcds", "lat", "long", "oslaua", "doterm"])
        writer.writerows((pc, f"{lat:.6f}", f"{lon:.6f}", la, term) for pc, lat, lon, la, term in data)
    print(f"wrote {len(data)} postcodes to {OUT}")


if __name__ == "__main__":
    main()
