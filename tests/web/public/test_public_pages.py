"""The public pages, through the Flask test client: what a person sees and what is refused."""

from __future__ import annotations

import re

from icalendar import Calendar

from tests.web.public.conftest import csrf_token


def text_of(response) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_start_page_asks_where_and_what_and_offers_categories(client):
    response = client.get("/")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Where are you?" in html and "What would you like help with?" in html
    assert 'action="/results"' in html
    # Quick categories: plain names with icons, one tap to the results.
    assert 'href="/results?category=physical-activity"' in html
    assert "Being active" in html and "/static/icons/running.svg" in html
    # The header search goes to our results, not to nhs.uk.
    assert "www.nhs.uk/search" not in html
    assert re.search(r'<form[^>]*id="search"[^>]*action="/results"|<form[^>]*action="/results"[^>]*id="search"', html)


def test_results_show_distance_next_session_cost_access_and_way_in(client):
    response = client.get("/results?where=NE4+5PL&q=walk")
    text = text_of(response)
    assert response.status_code == 200
    assert "within 3 miles of NE4 5PL" in text
    assert "Elswick Park Health Walk" in text
    assert "Distance less than 0.1 miles" in text
    assert re.search(r"Next session (Today|Tomorrow|\w+day \d+ \w+) at 10am", text)
    assert "Cost Free" in text
    assert "Access Step-free access, Bus stop nearby" in text
    assert "You can just turn up" in text
    assert "Ask to be referred" in text  # the cardiac rehab walk needs a referral
    assert "Quillfield Riverside Walk" not in text  # 10 miles away


def test_filters_are_checkboxes_in_a_plain_get_form(client):
    html = client.get("/results?where=NE4+5PL").get_data(as_text=True)
    form = re.search(r'<form action="/results" method="get" class="wf-filter-form".*?</form>', html, re.S).group(0)
    for name, value in [("only", "free"), ("only", "turn-up"), ("day", "TU"), ("time", "morning"), ("access", "step-free"), ("category", "physical-activity")]:
        assert re.search(rf'type="checkbox" name="{name}" value="{value}"|name="{name}" type="checkbox" value="{value}"', form), (name, value)


def test_checking_a_filter_narrows_the_results(client):
    everything = text_of(client.get("/results?where=NE4+5PL"))
    assert "Seated Strength Class" in everything and "Gateshead Cardiac Rehab Walk" in everything
    free = text_of(client.get("/results?where=NE4+5PL&only=free"))
    assert "Seated Strength Class" not in free and "Elswick Park Health Walk" in free
    turn_up = text_of(client.get("/results?where=NE4+5PL&only=turn-up"))
    assert "Gateshead Cardiac Rehab Walk" not in turn_up
    thursday = text_of(client.get("/results?where=NE4+5PL&day=TH"))
    assert "Seated Strength Class" in thursday and "Elswick Park Health Walk" not in thursday
    loop = text_of(client.get("/results?where=NE4+5PL&access=hearing-loop"))
    assert "1 result within" in loop and "Seated Strength Class" in loop


def test_pagination_links_keep_the_search(client, app):
    from werkzeug.datastructures import MultiDict

    from web.public.forms import parse_search, search_args
    from web.public.finder import find_activities
    from web.public.views import now_local

    req = parse_search(MultiDict([("where", "NE4 5PL"), ("only", "free"), ("page", "2")]))
    assert search_args(req, page=3) == {"where": "NE4 5PL", "radius": "3", "only": ["free"], "page": 3}
    with app.app_context():
        session = app.extensions["wayfinder_db"].session_factory()
        page = find_activities(session, parse_search(MultiDict([("where", "NE4 5PL"), ("page", "2")]), per_page=2),
                               now_local(), app.config["SEARCH_INDEX_DIR"])
        session.close()
    assert page.total >= 4 and page.pages >= 2 and len(page.results) == 2


def test_filter_checkboxes_say_how_many_they_would_leave(client):
    html = client.get("/results?where=NE4+5PL").get_data(as_text=True)
    assert re.search(r"Free \(\d+\)", html) and re.search(r"Thursday \(2\)", html)  # the class, and the weekday helpline


def test_nothing_found_suggests_a_wider_radius_and_related_categories(client):
    response = client.get("/results?where=NE6+5XA&category=chair-exercise&radius=1")
    text = text_of(response)
    html = response.get_data(as_text=True)
    assert "Nothing found within 1 mile of NE6 5XA" in text
    assert "Look further away, up to 3 miles (1 result)" in text
    assert "radius=3" in html
    assert "Try something like it" in text or "something like it" in text
    assert 'category=health-walks' in html  # a sibling of chair exercise
    assert "link worker" in text


def test_an_unknown_place_is_a_clear_error_not_a_crash(client):
    response = client.get("/results?where=Atlantis")
    text = text_of(response)
    assert response.status_code == 200
    assert "There is a problem" in text
    assert "We could not find a place called 'Atlantis'" in text.replace("&#39;", "'")
    assert 'href="#where"' in response.get_data(as_text=True)


def test_a_place_only_the_online_geocoder_knows_is_found_when_one_is_configured(app, client):
    from directory.gazetteer import GeocodedPlace, InMemoryGeocoder

    app.extensions["wayfinder_geocoder"] = InMemoryGeocoder(
        {"Atlantis": GeocodedPlace(54.9707, -1.6369, "Atlantis, Newcastle")})
    text = text_of(client.get("/results?where=Atlantis"))
    assert "There is a problem" not in text and "Elswick Park Health Walk" in text


def test_hostile_search_text_is_escaped(client):
    html = client.get('/results?q=<script>alert(1)</script>"><img src=x onerror=alert(1)>').get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_activity_page_has_everything_a_person_needs(client, ids):
    response = client.get(f"/activity/{ids['walk']}")
    text = text_of(response)
    assert response.status_code == 200
    for heading in ["What it is", "What to expect on your first visit", "When", "Next dates", "Where",
                    "How to get there", "Accessibility", "Cost", "Who it is for", "How to join", "Contact",
                    "Share this page", "Report something wrong"]:
        assert heading in text, heading
    assert "Every Tuesday, 10am to 11:30am" in text
    assert "Meet at the park gates" in text
    assert "Buses 38 and 39 stop outside" in text
    assert "You do not need to be referred" in text
    assert "Last checked: 10 January 2026" in text
    html = response.get_data(as_text=True)
    assert f'href="/activity/{ids["walk"]}/print"' in html
    assert f'href="/activity/{ids["walk"]}/calendar.ics"' in html
    assert 'href="tel:01910000000"' in html
    assert f'value="http://wayfinder.test/activity/{ids["walk"]}"' in html  # share by link


def test_unknown_activity_is_404(client):
    assert client.get("/activity/no-such-thing").status_code == 404


def test_print_view_is_plain(client, ids):
    html = client.get(f"/activity/{ids['walk']}/print").get_data(as_text=True)
    assert "css/print.css" in html and "nhsuk-header" not in html and "<form" not in html
    assert "Every Tuesday, 10am to 11:30am" in html


def test_calendar_file_repeats_weekly_in_london_time(client, ids):
    response = client.get(f"/activity/{ids['walk']}/calendar.ics")
    assert response.mimetype == "text/calendar"
    assert "attachment" in response.headers["Content-Disposition"]
    event = Calendar.from_ical(response.data).walk("VEVENT")[0]
    assert str(event["summary"]) == "Elswick Park Health Walk"
    assert event["rrule"]["FREQ"] == ["WEEKLY"] and event["rrule"]["BYDAY"] == ["TU"]
    start = event.decoded("dtstart")
    assert (start.hour, start.minute, start.strftime("%a"), str(start.tzinfo)) == (10, 0, "Tue", "Europe/London")
    assert "Elswick Park Gates" in str(event["location"])


def test_report_needs_the_csrf_token(client, ids):
    response = client.post(f"/activity/{ids['walk']}/report", data={"problem": "times"})
    assert response.status_code == 400


def test_report_is_stored_and_thanked(client, app, ids):
    from sqlalchemy import select

    from directory.models import ProblemReport

    page = client.get(f"/activity/{ids['chair']}").get_data(as_text=True)
    hostile = "<script>alert('x')</script> now on Fridays"
    response = client.post(f"/activity/{ids['chair']}/report",
                           data={"csrf_token": csrf_token(page), "problem": "times", "details": hostile, "reply_email": ""})
    assert response.status_code == 302 and response.headers["Location"].endswith("reported=1#report")
    assert "Thank you" in client.get(response.headers["Location"]).get_data(as_text=True)
    with app.extensions["wayfinder_db"].session_factory() as session:
        report = session.scalars(select(ProblemReport).where(ProblemReport.service_id == ids["chair"])).one()
        assert (report.problem, report.details, report.reply_email) == ("times", hostile, None)


def test_report_errors_are_shown_next_to_the_fields(client, ids):
    page = client.get(f"/activity/{ids['walk']}").get_data(as_text=True)
    response = client.post(f"/activity/{ids['walk']}/report",
                           data={"csrf_token": csrf_token(page), "problem": "other", "reply_email": "not an email"})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "There is a problem" in html and "Tell us what is wrong." in html
    assert "<title>Error:" in html


def test_every_response_has_security_headers(client, ids):
    for url in ["/", "/results?where=NE4+5PL", f"/activity/{ids['walk']}", f"/activity/{ids['walk']}/print",
                "/embed/demo", "/embed.js", "/no-such-page"]:
        response = client.get(url)
        csp = response.headers["Content-Security-Policy"]
        nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
        assert "default-src 'self'" in csp and "object-src 'none'" in csp, url
        assert "frame-ancestors 'none'" in csp and response.headers["X-Frame-Options"] == "DENY", url
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        html = response.get_data(as_text=True)
        for script in re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html):
            assert f'nonce="{nonce}"' in script, (url, script)  # every inline script carries the nonce
        assert not re.search(r"<[^>]+\son[a-z]+\s*=", html), url  # no inline event handlers
        assert "style=" not in html, url  # no inline styles for the CSP to refuse


def test_no_map_unless_a_tile_server_is_configured(client):
    html = client.get("/results?where=NE4+5PL").get_data(as_text=True)
    assert "leaflet" not in html and "wf-map" not in html


def test_map_with_a_tile_server_comes_after_the_list(web_db):
    from web import create_app

    app = create_app({"TESTING": True, "DATABASE_URL": web_db[0], "SEARCH_INDEX_DIR": web_db[2], "SECRET_KEY": "x",
                      "MAP_TILE_URL": "https://{s}.tiles.example.org/{z}/{x}/{y}.png"})
    response = app.test_client().get("/results?where=NE4+5PL")
    html = response.get_data(as_text=True)
    assert "vendor/leaflet/leaflet.js" in html and "vendor/leaflet/leaflet.css" in html
    assert html.index('class="wf-results"') < html.index('id="wf-map"')  # the list stays primary
    assert "data-tiles=\"https://{s}.tiles.example.org/{z}/{x}/{y}.png\"" in html
    assert "img-src 'self' data: https://*.tiles.example.org" in response.headers["Content-Security-Policy"]
    app.extensions["wayfinder_db"].engine.dispose()
