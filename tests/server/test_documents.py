"""Resource documents made once: the build's precomputed pack and the per-worker memo, with ETags and 304s.

Checked over HTTP against the app under gunicorn, on a release folder made from the resource-page fixture.
"""

from __future__ import annotations

import json

import pyoxigraph as ox
import pytest
import requests

from kg.documents import DocumentPack
from server.config import ServerConfig
from server.documents import precompute
from tests.conftest import FIXTURES

BASE_URI = "https://kg.example.org"
LETTER_KEY = "letter/bl1996-009"
EXTENSIONS = ("html", "ttl", "jsonld", "nt", "rdf")


def _release(root):
    release = root / "build" / "releases" / "r1"
    release.mkdir(parents=True)
    quads = ox.parse(path=str(FIXTURES / "resources.trig"), format=ox.RdfFormat.TRIG)
    (release / "dataset.nq").write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
    (release / "manifest.json").write_text(json.dumps({"release": "r1", "base_uri": BASE_URI}))
    (root / "build" / "current").symlink_to("releases/r1")
    return release


def _fetch(base, paths):
    return {path: requests.get(base + path, allow_redirects=False, timeout=30) for path in paths}


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    return _release(tmp_path_factory.mktemp("documents"))


def test_precomputed_documents_are_the_bytes_the_server_renders_on_demand(serve_app, release):
    # Stalin's page and document carry the Wikidata link and the facts fetched for it (resources.trig)
    paths = [f"/doc/{LETTER_KEY}.{ext}" for ext in EXTENSIONS] + ["/doc/person/stalin.ttl",
                                                                   "/doc/person/stalin.html"]
    config = ServerConfig.from_options(build_dir=release.parent.parent)
    with serve_app(config, workers=1, ready_path="/sparql") as base:
        live = _fetch(base, paths)

    facts = precompute(release, processes=1)
    assert facts["documents"] >= 2 and sorted(facts["formats"]) == sorted(EXTENSIONS)
    pack = DocumentPack.open(release)
    assert LETTER_KEY in pack and f"{LETTER_KEY}/text" not in pack  # sub-resources are left to the memo
    config = ServerConfig.from_options(build_dir=release.parent.parent)
    with serve_app(config, workers=1, ready_path="/sparql") as base:
        packed = _fetch(base, paths)
        thing = requests.get(base + f"/id/{LETTER_KEY}", headers={"Accept": "text/turtle"},
                             allow_redirects=False, timeout=30)
        sub = requests.get(base + f"/doc/{LETTER_KEY}/text.ttl", timeout=30)
        missing = requests.get(base + "/doc/letter/no-such-letter.ttl", timeout=30)
    for path in paths:
        assert live[path].status_code == packed[path].status_code == 200, path
        assert live[path].content == packed[path].content, path
        assert live[path].headers["ETag"] == packed[path].headers["ETag"], path
        assert live[path].headers["Link"] == packed[path].headers["Link"], path
    ext = "ttl"
    assert packed[f"/doc/{LETTER_KEY}.{ext}"].content == pack.get(LETTER_KEY, ext).body
    assert b"From Wikidata" in pack.get("person/stalin", "html").body
    assert b"wikidata-enrichment/fetch/Q855" in pack.get("person/stalin", "ttl").body
    assert thing.status_code == 303 and thing.headers["Location"].endswith(f"/doc/{LETTER_KEY}.ttl")
    assert sub.status_code == 200 and f"{BASE_URI}/id/{LETTER_KEY}/text" in sub.text
    assert missing.status_code == 404


def test_document_revalidates_with_its_etag_and_answers_304(serve_app, release):
    config = ServerConfig.from_options(build_dir=release.parent.parent)
    with serve_app(config, workers=1, ready_path="/sparql") as base:
        for path in (f"/doc/{LETTER_KEY}.ttl", f"/doc/{LETTER_KEY}/note/1.jsonld", "/doc/person/stalin"):
            first = requests.get(base + path, timeout=30)
            assert first.status_code == 200, path
            etag = first.headers["ETag"]
            assert etag.startswith('"') and len(etag) > 20
            again = requests.get(base + path, headers={"If-None-Match": etag}, timeout=30)
            assert again.status_code == 304 and not again.content, path
            assert again.headers["ETag"] == etag
            assert again.headers["Access-Control-Allow-Origin"] == "*"
            other = requests.get(base + path, headers={"If-None-Match": '"something-else"'}, timeout=30)
            assert other.status_code == 200 and other.content == first.content
        negotiated = requests.get(base + f"/doc/{LETTER_KEY}", headers={"Accept": "text/turtle"}, timeout=30)
        assert negotiated.headers["Content-Location"].endswith(".ttl")
        assert "Accept" in negotiated.headers["Vary"]


def test_documents_answered_before_flask_carry_the_headers_flask_gives(serve_app, tmp_path):
    """The first request renders through Flask; the repeat comes from the memo by the hot path
    (server/hotpath.py): same bytes, same headers (gunicorn's Date aside)."""
    release = _release(tmp_path)
    config = ServerConfig.from_options(build_dir=release.parent.parent)
    asks = [(f"/doc/{LETTER_KEY}.ttl", "*/*"), (f"/doc/{LETTER_KEY}.html", "text/html"),
            ("/doc/person/stalin", "text/turtle"), ("/doc/person/stalin", "application/ld+json;q=0.9, */*;q=0.1")]
    with serve_app(config, workers=1, ready_path="/sparql") as base:
        for path, accept in asks:
            first = requests.get(base + path, headers={"Accept": accept}, timeout=30)
            again = requests.get(base + path, headers={"Accept": accept}, timeout=30)
            assert first.status_code == again.status_code == 200, path
            assert first.content == again.content, path
            headers = {k.lower(): v for k, v in first.headers.items() if k.lower() not in ("date",)}
            repeat = {k.lower(): v for k, v in again.headers.items() if k.lower() not in ("date",)}
            assert headers == repeat, path
            assert repeat["access-control-allow-origin"] == "*" and "ETag" in repeat["access-control-expose-headers"]


BLANK_NODES = """
@prefix ex: <https://kg.example.org/id/> .
@prefix oa: <http://www.w3.org/ns/oa#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
<https://kg.example.org/graph/source/b> {
  ex:letter\\/b1 rdfs:label "Letter B1"@en ; ex:hasPart ex:letter\\/b1\\/text ;
      ex:about [ rdfs:label "a blank" ; ex:mentions ex:person\\/x ;
                 ex:deeper [ ex:deepest [ rdfs:label "three levels down" ] ; ex:names ex:person\\/x ] ] .
  ex:person\\/x rdfs:label "X"@en .
  ex:letter\\/b1\\/note\\/1 ex:refersTo ex:letter\\/b1 .
  ex:letter\\/b1\\/note\\/2 ex:holds [ ex:inner [ ex:points ex:letter\\/b1 ] ] .
  ex:letter\\/b1\\/note\\/3 ex:via [ ex:to ex:letter\\/b1 ] .
  [ a oa:Annotation ; oa:hasTarget [ oa:hasSource ex:letter\\/b1 ; oa:hasSelector [ oa:exact "quoted" ] ] ] .
  ex:letter\\/b1\\/text rdfs:label "text" .
}
"""


def test_the_embedded_store_gives_every_document_the_triples_its_queries_give(tmp_path):
    """Documents are gathered from the embedded store's indexes (``server.pages.document._Native``) and from a
    remote store with the queries in ``server/queries/``: for every resource of the fixture (and for IRIs that
    name nothing), both ways give the same members, triples, labels and incoming links."""
    from kg.store import load_files
    from server.pages import document

    (tmp_path / "blank.trig").write_text(BLANK_NODES, encoding="utf-8")  # blank nodes one to three levels deep
    embedded = load_files([FIXTURES / "resources.trig", tmp_path / "blank.trig"])

    class QueriesOnly:  # what a remote store offers: SPARQL, no indexes
        def query(self, *args, **kwargs):
            return embedded.query(*args, **kwargs)

    from server.pages.iris import is_safe_iri

    # (the fixture's hostile IRIs, javascript: and the like, are never looked up: no URI of ours names them)
    subjects = sorted({quad.subject.value for quad in embedded.native
                       if isinstance(quad.subject, ox.NamedNode) and is_safe_iri(quad.subject.value)})
    assert len(subjects) > 20 and any("/note/" in s for s in subjects)
    letter = document.gather(embedded, f"{BASE_URI}/id/letter/b1")
    assert letter.members == [f"{BASE_URI}/id/letter/b1", *(f"{BASE_URI}/id/letter/b1/{part}" for part in
                                                             ("note/1", "note/2", "note/3", "text"))]
    assert sum(isinstance(t.subject, ox.BlankNode) for t in letter.triples) >= 4
    labels = {t.object.value for t in letter.triples if t.predicate.value.endswith("#label")}
    assert "X" in labels and "three levels down" not in labels  # two levels of blank nodes, then their labels
    compared = 0
    for iri in [*subjects, f"{BASE_URI}/id/nothing-here", "http://example.org/elsewhere"]:
        native, queried = document.gather(embedded, iri), document.gather(QueriesOnly(), iri)
        assert (native is None) == (queried is None), iri
        if native is None:
            continue
        assert native.members == queried.members, iri
        assert native.triples == queried.triples, iri
        assert (native.labels, native.incoming, native.wikidata) == (queried.labels, queried.incoming,
                                                                      queried.wikidata), iri
        compared += 1
    assert compared == len(subjects)
