"""The landing-page search over a release's persisted index (search.sqlite beside dataset.nq), over HTTP."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
import requests

from kg.textindex import TextIndexWriter
from server.config import ServerConfig
from tests.conftest import FIXTURES

BASE_URI = "https://kg.example.org"


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    root = tmp_path_factory.mktemp("search")
    release = root / "build" / "releases" / "r1"
    release.mkdir(parents=True)
    quads = list(ox.parse(path=str(FIXTURES / "resources.trig"), format=ox.RdfFormat.TRIG))
    (release / "dataset.nq").write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
    (release / "manifest.json").write_text(json.dumps({"release": "r1", "base_uri": BASE_URI}))
    (root / "build" / "current").symlink_to("releases/r1")
    writer = TextIndexWriter(BASE_URI)
    triples = [ox.Triple(q.subject, q.predicate, q.object) for q in quads]
    writer.feed(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).splitlines(keepends=True))
    writer.write(release / "search.sqlite")
    writer.close()
    return release


def test_release_search_answers_as_the_in_memory_index_did(serve_app, release):
    config = ServerConfig.from_options(build_dir=release.parent.parent)
    with serve_app(config, workers=1, ready_path="/") as site:
        page = requests.get(site + "/search", params={"q": "Smolny noon"}, timeout=30).text
        assert 'href="/id/letter/bl1996-009"' in page
        page = requests.get(site + "/search", params={"q": "koba"}, timeout=30).text
        assert 'href="/id/person/stalin"' in page
        page = requests.get(site + "/search", params={"q": "nothingmatchesthis"}, timeout=30).text
        assert "0 results" in page


def test_the_release_index_file_is_used_when_present(release):
    from server.app import create_app
    from server.pages.search import ReleaseIndex, index_for

    config = ServerConfig.from_options(build_dir=release.parent.parent)
    app = create_app(config)
    index = index_for(app, config.store, config.base_uri)
    assert isinstance(index, ReleaseIndex) and index.path == release / "search.sqlite"
