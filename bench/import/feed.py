"""A deterministic OpenActive RPDE feed of N SessionSeries, served from loopback for the benchmark.

Items are generated on the fly from their index (seeded), so 100,000 of them cost no memory and
every run sees the same feed. Paging follows RPDE's afterTimestamp/afterId strategy.
"""

from __future__ import annotations

import json
import random
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

TOWNS = [  # (town, postcode district, lat, lon) across England
    ("Newcastle upon Tyne", "NE1", 54.9783, -1.6178), ("Gateshead", "NE8", 54.9527, -1.6034),
    ("Leeds", "LS1", 53.7997, -1.5492), ("Manchester", "M1", 53.4808, -2.2426),
    ("Birmingham", "B1", 52.4862, -1.8904), ("Bristol", "BS1", 51.4545, -2.5879),
    ("Norwich", "NR1", 52.6309, 1.2974), ("Plymouth", "PL1", 50.3755, -4.1427),
    ("York", "YO1", 53.9600, -1.0873), ("London", "E1", 51.5155, -0.0723),
]
ACTIVITIES = ["Walking", "Swimming", "Yoga", "Pilates", "Netball", "Badminton", "Running", "Tai Chi",
              "Aqua Aerobics", "Zumba", "Walking Football", "Table Tennis", "Bowls", "Cycling", "Dance"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
BASE_MODIFIED = 1_700_000_000_000


def item(n: int) -> dict:
    rnd = random.Random(n)
    venue = n // 25  # 25 activities per venue, 500 per organiser
    town, district, lat, lon = TOWNS[venue % len(TOWNS)]
    activity = ACTIVITIES[rnd.randrange(len(ACTIVITIES))]
    hour = rnd.choice([9, 10, 11, 13, 14, 18, 19])
    return {
        "state": "updated", "kind": "SessionSeries", "id": f"ss{n}", "modified": BASE_MODIFIED + n,
        "data": {
            "@context": "https://openactive.io/", "@type": "SessionSeries",
            "@id": f"https://bench.example/session-series/{n}",
            "name": f"{activity} at {town} venue {venue}", "description": f"A friendly {activity.lower()} session.",
            "activity": [{"@type": "Concept", "prefLabel": activity}],
            "organizer": {"@type": "Organization", "@id": f"https://bench.example/org/{n // 500}",
                          "name": f"{town} Leisure Trust {n // 500}"},
            "location": {"@type": "Place", "@id": f"https://bench.example/place/{venue}",
                         "name": f"{town} Community Venue {venue}",
                         "address": {"@type": "PostalAddress", "streetAddress": f"{venue} High Street",
                                     "addressLocality": town, "postalCode": f"{district} {venue % 9 + 1}{chr(65 + venue // 9 % 26)}{chr(65 + venue // 234 % 26)}"},
                         "geo": {"@type": "GeoCoordinates", "latitude": round(lat + (venue % 97) * 0.001, 6),
                                 "longitude": round(lon + (venue % 89) * 0.001, 6)}},
            "ageRange": {"@type": "QuantitativeValue", "minValue": rnd.choice([16, 18, 50, 60])},
            "genderRestriction": "https://openactive.io/NoRestriction",
            "offers": [{"@type": "Offer", "price": rnd.choice([0, 2, 2.5, 3, 4.5]), "priceCurrency": "GBP"}],
            "eventSchedule": [{"@type": "PartialSchedule", "repeatFrequency": "P1W",
                               "byDay": [f"https://schema.org/{DAYS[rnd.randrange(7)]}"],
                               "startTime": f"{hour:02d}:00", "endTime": f"{hour + 1:02d}:00",
                               "scheduleTimezone": "Europe/London"}],
        },
    }


def serve(port_queue, total: int, page_size: int) -> None:
    """Run the feed server (in its own process, so it does not compete for our GIL)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
            start = int(query["afterId"][2:]) + 1 if "afterId" in query else 0
            items = [item(i) for i in range(start, min(start + page_size, total))]
            if items:
                last = items[-1]
                nxt = f"/feed?afterTimestamp={last['modified']}&afterId={last['id']}"
            else:
                nxt = self.path
            body = json.dumps({"items": items, "next": nxt, "license": "https://creativecommons.org/licenses/by/4.0/"}).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    port_queue.put(httpd.server_address[1])
    httpd.serve_forever()
