import pytest
@pytest.mark.browser
def test_shots(live_server, page, live_ids):
    msgs=[]
    page.on("console", lambda m: msgs.append(m.text))
    page.on("response", lambda r: r.status >= 400 and msgs.append(r.url))
    for name, url in [("start","/"),("results","/results?where=NE4+5PL&q=walking"),("activity",f"/activity/{live_ids['walk']}"),("none","/results?where=DH1+3LE&category=chair-exercise"),("embed","/embed/demo")]:
        page.goto(live_server.url+url)
        page.wait_for_timeout(300)
        page.screenshot(path=f"/tmp/shot-{name}.png", full_page=True)
    print(msgs)
