"""The browser query page at /sparql: vendored YASGUI (no internet needed) and example queries that work."""

from __future__ import annotations

import re

import pytest
import requests
from markupsafe import escape

from server.config import ServerConfig
from server.sparql import example_queries
from tests.conftest import FIXTURES

BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,*/*;q=0.8"


@pytest.fixture(scope="module")
def site(serve_app, tmp_path_factory):
    """The small fixture plus its precomputed statistics graph, as a build would publish them (two examples
    query that graph)."""
    import pyoxigraph as ox

    from kg.dumps import CanonicalDataset
    from kg.spill import graph_suffix
    from kg.statistics import StatisticsCollector

    fixture = FIXTURES / "letters-small.trig"
    collector = StatisticsCollector("https://kg.example.org")
    for lines in CanonicalDataset.from_quads(ox.parse(path=str(fixture), format=ox.RdfFormat.TRIG)).graphs.values():
        collector.feed(lines)
    suffix = graph_suffix("https://kg.example.org/graph/statistics")
    statistics = tmp_path_factory.mktemp("statistics") / "statistics.nq"
    statistics.write_bytes(b"".join(line[:-3] + suffix for line in collector.graph_lines()))
    config = ServerConfig.from_options(data_files=[fixture, statistics])
    with serve_app(config) as url:
        yield url


def test_browser_gets_the_query_page(site):
    response = requests.get(site + "/sparql", headers={"Accept": BROWSER_ACCEPT})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/html; charset=utf-8"
    assert "Accept" in response.headers["Vary"]
    html = response.text
    assert 'id="yasgui"' in html
    for example in example_queries():
        assert str(escape(example["title"])) in html


def test_page_loads_only_local_assets_and_they_are_served(site):
    html = requests.get(site + "/sparql", headers={"Accept": "text/html"}).text
    assets = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    scripts_and_styles = [a for a in assets if a.endswith((".js", ".css"))]
    assert len(scripts_and_styles) == 3
    for asset in scripts_and_styles:
        assert asset.startswith("/"), asset  # same origin: works with no internet
        response = requests.get(site + asset)
        assert response.status_code == 200, asset
        assert len(response.content) > 500
    js = requests.get(site + "/static/vendor/yasgui/yasgui.min.js")
    assert "javascript" in js.headers["Content-Type"]
    assert len(js.content) > 500_000


def test_examples_cover_the_three_questions():
    titles = " ".join(e["title"].lower() for e in example_queries())
    assert "who wrote to whom" in titles
    assert "by month" in titles
    assert "mentioned in" in titles and "notes" in titles


@pytest.mark.parametrize("example", example_queries(), ids=lambda e: e["id"])
def test_every_example_runs_and_finds_something(site, example):
    is_graph = "CONSTRUCT" in example["query"] or "DESCRIBE" in example["query"]
    response = requests.post(site + "/sparql", data={"query": example["query"]},
                             headers={"Accept": "application/n-triples" if is_graph
                                      else "application/sparql-results+json"})
    assert response.status_code == 200, response.text
    if is_graph:
        assert response.text.count(" .\n") >= 3
    else:
        assert response.json()["results"]["bindings"]


# ----------------------------------------------------------------------------------------------- in a browser

@pytest.fixture(scope="module")
def page(browser):
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    yield page
    page.close()


@pytest.mark.browser
def test_example_runs_in_yasgui_offline_and_links_dereference_here(site, page, tmp_path):
    requested: list[str] = []
    page.on("request", lambda r: requested.append(r.url))
    page.goto(site + "/sparql#example=01-who-wrote-to-whom")
    page.wait_for_selector("#yasgui table td a", timeout=15000)
    page.screenshot(path=str(tmp_path / "sparql-page.png"), full_page=True)
    hrefs = [a.get_attribute("href") for a in page.query_selector_all("#yasgui table td a")]
    assert site + "/id/person/stalin" in hrefs  # the canonical https://kg.example.org/... mapped to this host
    assert all(url.startswith(site) or url.startswith("data:") for url in requested), requested
