"""The clients scholars use (SPARQLWrapper, rdflib's SPARQLStore, plain HTTP) against the endpoint,
embedded and in front of a real remote Oxigraph server (``kg serve --store URL``)."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
import rdflib
import requests
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper

from kg.store import push
from server.config import ServerConfig
from tests.conftest import FIXTURES

PAIRS = """PREFIX schema: <https://schema.org/>
SELECT ?sender ?recipient (COUNT(?l) AS ?n) WHERE { ?l schema:sender ?sender ; schema:recipient ?recipient }
GROUP BY ?sender ?recipient ORDER BY DESC(?n)"""
EXPECTED_PAIRS = [("https://kg.example.org/id/person/stalin", "https://kg.example.org/id/person/lenin", "2"),
                  ("https://kg.example.org/id/person/lenin", "https://kg.example.org/id/person/stalin", "1")]


@pytest.fixture(scope="module")
def embedded(serve_app):
    config = ServerConfig.from_options(data_files=[FIXTURES / "letters-small.trig"])
    with serve_app(config) as url:
        yield url + "/sparql"


@pytest.fixture(scope="module")
def remote(serve_app, oxigraph_server, tmp_path_factory):
    """Our endpoint in front of an Oxigraph server fed the fixture through the Graph Store Protocol."""
    with oxigraph_server() as oxigraph:
        quads = list(ox.parse(path=str(FIXTURES / "letters-small.trig")))
        sent = push(oxigraph + "/store", quads)
        assert sum(sent.values()) == len(quads)
        config = ServerConfig.from_options(build_dir=tmp_path_factory.mktemp("no-build"),
                                           store_url=oxigraph + "/query")
        with serve_app(config) as url:
            yield url + "/sparql"


def pairs_with_sparqlwrapper(endpoint: str, method: str) -> list[tuple[str, str, str]]:
    client = SPARQLWrapper(endpoint)
    client.setMethod(method)
    client.setQuery(PAIRS)
    client.setReturnFormat(JSON)
    rows = client.query().convert()["results"]["bindings"]
    return [(r["sender"]["value"], r["recipient"]["value"], r["n"]["value"]) for r in rows]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_sparqlwrapper_select(embedded, method):
    assert pairs_with_sparqlwrapper(embedded, method) == EXPECTED_PAIRS


def test_sparqlwrapper_construct_into_rdflib(embedded):
    client = SPARQLWrapper(embedded)
    client.setQuery("CONSTRUCT WHERE { <https://kg.example.org/id/person/lenin> ?p ?o }")
    client.setReturnFormat(TURTLE)
    graph = rdflib.Graph().parse(data=client.query().convert(), format="turtle")
    assert rdflib.Literal("Владимир Ленин", lang="ru") in set(graph.objects())


def test_rdflib_sparqlstore(embedded):
    graph = rdflib.Graph(store=SPARQLStore(embedded, returnFormat="json"))
    rows = list(graph.query(PAIRS))
    assert [(str(s), str(r), str(n)) for s, r, n in rows] == EXPECTED_PAIRS
    assert bool(graph.query("ASK { ?s a <http://www.cidoc-crm.org/cidoc-crm/E21_Person> }").askAnswer)


def test_remote_store_answers_like_the_embedded_one(embedded, remote):
    assert pairs_with_sparqlwrapper(remote, "GET") == pairs_with_sparqlwrapper(embedded, "GET")
    query = "CONSTRUCT WHERE { <https://kg.example.org/id/person/stalin> ?p ?o }"
    for accept, syntax in (("text/turtle", ox.RdfFormat.TURTLE),
                           ("application/n-triples", ox.RdfFormat.N_TRIPLES)):
        ours = requests.get(embedded, params={"query": query}, headers={"Accept": accept})
        theirs = requests.get(remote, params={"query": query}, headers={"Accept": accept})
        assert theirs.headers["Content-Type"].split(";")[0] == accept
        assert set(ox.parse(theirs.content, syntax)) == set(ox.parse(ours.content, syntax))


def test_remote_store_keeps_the_dataset_parameters(remote):
    query = "SELECT ?l WHERE { ?l a <https://schema.org/Message> }"
    response = requests.get(remote, params={"query": query,
                                            "default-graph-uri": "https://kg.example.org/graph/source/bl1996-p2"})
    assert [b["l"]["value"] for b in response.json()["results"]["bindings"]] == [
        "https://kg.example.org/id/letter/bl1996-011/text"]


def test_remote_store_keeps_the_rules(remote):
    assert requests.post(remote, data={"update": "CLEAR ALL"}).status_code == 403
    assert requests.post(remote, data={"query": "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> {} }"}) \
        .status_code == 400
    bad = requests.get(remote, params={"query": "SELECT ?s WHERE { ?s ?p }"})
    assert bad.status_code == 400 and bad.text
    assert requests.get(remote, params={"query": "ASK { ?s ?p ?o }"}).json()["boolean"] is True
