"""A historian's path through the site in a real headless Chromium (Debian's ``chromium`` via Playwright).

Landing page → letter No. 9 → a note marker → the note → Stalin's page, where No. 9 is listed as sent.
Screenshots of the letter and person pages are written under the test's tmp_path for a human to look at.
The browser fixture (tests/server/conftest.py) fails under CI=true when Chromium is missing.
"""

from __future__ import annotations

import pytest

from server.config import ServerConfig
from tests.conftest import FIXTURES


@pytest.fixture(scope="module")
def site(serve_app):
    config = ServerConfig.from_options(data_files=[FIXTURES / "resources.trig"], base_uri="https://kg.example.org")
    with serve_app(config, workers=1, ready_path="/") as url:
        yield url


@pytest.mark.browser
def test_historian_goes_from_landing_page_to_letter_note_and_sender(browser, site, tmp_path):
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(site + "/")
    assert page.locator("h1").first.inner_text().startswith("Bolshevik leadership correspondence")

    page.get_by_role("link", name="No. 9", exact=True).first.click()
    page.wait_for_load_state()
    assert page.url.endswith("/doc/letter/bl1996-009.html")  # followed the 303 from /id/letter/bl1996-009
    assert page.locator("h1").inner_text().startswith("No. 9.")
    page.screenshot(path=str(tmp_path / "letter-009.png"), full_page=True)

    page.locator("sup.marker a[href='#note-2']").click()
    assert page.url.endswith("#note-2")
    note = page.locator("li#note-2")
    assert note.is_visible()
    assert "manifesto to the Ukrainian people" in note.inner_text()
    assert page.evaluate("document.querySelector(':target')?.id") == "note-2"
    note.get_by_role("link", name="note 2 on its own").click()
    page.wait_for_load_state()
    assert page.url.endswith("/doc/letter/bl1996-009/note/2.html")
    page.go_back()
    page.wait_for_load_state()

    page.locator("h1").get_by_role("link", name="Joseph Stalin").click()
    page.wait_for_load_state()
    assert page.url.endswith("/doc/person/stalin.html")
    assert page.locator("h1").inner_text() == "Joseph Stalin"
    sent = page.locator("section.sent")
    assert sent.get_by_role("link", name="No. 9", exact=True).is_visible()
    assert "9 January 1918" in sent.inner_text()
    assert page.locator("svg.network").is_visible()
    wikidata = page.locator("aside.from-wikidata")
    assert wikidata.is_visible() and "Fetched from" in wikidata.inner_text()
    assert wikidata.get_by_role("link", name="Q855").is_visible()
    page.screenshot(path=str(tmp_path / "person-stalin.png"), full_page=True)

    assert errors == []
    assert (tmp_path / "letter-009.png").stat().st_size > 10_000
    assert (tmp_path / "person-stalin.png").stat().st_size > 10_000
    print(f"screenshots: {tmp_path}")


@pytest.mark.browser
def test_script_in_a_letter_never_runs(browser, site):
    page = browser.new_page()
    for path in ("/doc/letter/bl1996-900.html", "/doc/letter/bl1996-900/note/1.html", "/search?q=pwned",
                 "/doc/person/lenin.html"):
        page.goto(site + path)
        assert page.evaluate("typeof window.__pwned") == "undefined", path
    page.goto(site + "/doc/letter/bl1996-900.html")
    assert "<script>window.__pwned=2</script>" in page.locator("div.body").inner_text()  # shown as text
