"""The embed widget's server side: who may frame it, what it shows, and the admin commands."""

from __future__ import annotations

import re

from click.testing import CliRunner

from directory.db import make_session_factory
from directory.embed_origins import register_origin, remove_origin
from web.cli import main


def _register(app, origin):
    with make_session_factory(app.extensions["wayfinder_db"].engine)() as session:
        register_origin(session, "test", origin)
        session.commit()


def _remove(app, origin):
    with make_session_factory(app.extensions["wayfinder_db"].engine)() as session:
        remove_origin(session, "test", origin)
        session.commit()


def test_a_registered_practice_may_frame_the_widget(app, client):
    _register(app, "https://www.elswick-surgery.example")
    try:
        response = client.get("/embed?postcode=NE4+5PL&parent=https://www.elswick-surgery.example")
        csp = response.headers["Content-Security-Policy"]
        assert "frame-ancestors https://www.elswick-surgery.example" in csp
        assert "X-Frame-Options" not in response.headers
        html = response.get_data(as_text=True)
        assert 'data-parent-origin="https://www.elswick-surgery.example"' in html
        assert "Elswick Park Health Walk" in html
        # Links open the full page in the top window, on our host.
        assert re.search(r'<a href="http://wayfinder.test/activity/[^"]+" target="_top">', html)
        assert '<base target="_top">' in html
    finally:
        _remove(app, "https://www.elswick-surgery.example")


def test_an_unregistered_site_may_not(client):
    for parent in ["https://evil.example", "", "null", "javascript:alert(1)", "https://x.example; script-src *"]:
        response = client.get("/embed", query_string={"postcode": "NE4 5PL", "parent": parent})
        assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"], parent
        assert response.headers["X-Frame-Options"] == "DENY"
        assert 'data-parent-origin=""' in response.get_data(as_text=True)


def test_our_own_demo_page_may_frame_it(client):
    response = client.get("/embed?parent=http://wayfinder.test")
    assert "frame-ancestors 'self'" in response.headers["Content-Security-Policy"]


def test_the_snippet_settings_reach_the_search(client):
    html = client.get("/embed", query_string={
        "postcode": "NE6 5XA", "categories": "lunch-clubs,health-walks", "radius": "1", "title": "<b>Heaton</b> activities",
    }).get_data(as_text=True)
    assert "Heaton Lunch Club" in html and "Seated Strength Class" not in html
    assert "&lt;b&gt;Heaton&lt;/b&gt; activities" in html and "<b>Heaton" not in html
    assert '<input type="hidden" name="category" value="lunch-clubs">' in html


def test_loader_script_is_served_as_javascript(client):
    response = client.get("/embed.js")
    assert response.mimetype == "text/javascript"
    body = response.get_data(as_text=True)
    assert "event.origin !== host" in body and "event.source !== frame.contentWindow" in body


def test_demo_page_shows_the_snippet(client):
    html = client.get("/embed/demo").get_data(as_text=True)
    assert '<script src="http://wayfinder.test/embed.js" data-postcode="NE4 5PL"' in html
    assert "&lt;script src=" in html  # the copyable snippet


def test_embed_commands_register_list_and_remove(app):
    runner = CliRunner()
    env = {"DATABASE_URL": app.config["DATABASE_URL"]}
    result = runner.invoke(main, ["embed", "register-origin", "HTTPS://Practice.Example:443/contact", "--label", "Test"], env=env)
    assert result.exit_code == 0, result.output
    assert "Registered https://practice.example." in result.output
    assert "https://practice.example\tTest" in runner.invoke(main, ["embed", "list"], env=env).output
    bad = runner.invoke(main, ["embed", "register-origin", "not a url"], env=env)
    assert bad.exit_code != 0 and "is not a web address" in bad.output
    assert runner.invoke(main, ["embed", "remove", "https://practice.example"], env=env).exit_code == 0
    assert "practice.example" not in runner.invoke(main, ["embed", "list"], env=env).output
