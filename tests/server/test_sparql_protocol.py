"""The SPARQL 1.1 Protocol rules of /sparql, each checked over HTTP against the app under real Granian."""

from __future__ import annotations

import csv
import io
import json
import urllib.parse

import pyoxigraph as ox
import pytest
import requests

from server.config import ServerConfig
from tests.conftest import FIXTURES

LETTERS = "SELECT ?letter WHERE { ?letter a <https://schema.org/Message> } ORDER BY ?letter"
ONE_LETTER = ("CONSTRUCT { ?s ?p ?o } WHERE { BIND(<https://kg.example.org/id/letter/bl1996-009/text> AS ?s) "
              "?s ?p ?o }")
G1 = "https://kg.example.org/graph/source/bl1996-p1"
G2 = "https://kg.example.org/graph/source/bl1996-p2"
AUTH = "https://kg.example.org/graph/authorities"


@pytest.fixture(scope="module")
def base(small_sparql):
    return small_sparql


def letters(response: requests.Response) -> list[str]:
    assert response.status_code == 200, response.text
    return [b["letter"]["value"] for b in response.json()["results"]["bindings"]]


# ----------------------------------------------------------------------------------------------- three ways
# in


def test_get_post_form_and_post_direct_give_the_same_answer(base):
    by_get = letters(requests.get(base, params={"query": LETTERS}))
    by_form = letters(requests.post(base, data={"query": LETTERS}))
    by_direct = letters(requests.post(base, data=LETTERS.encode(),
                                      headers={"Content-Type": "application/sparql-query"}))
    assert by_get == by_form == by_direct
    assert len(by_get) == 3


def test_form_body_is_decoded_exactly_once(base):
    # %2541 is "%41" once decoded: a server that decodes twice would look for "A" instead.
    query = 'SELECT ?x WHERE { BIND("%41 ü" AS ?x) }'
    body = urllib.parse.urlencode({"query": query})
    response = requests.post(base, data=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert response.json()["results"]["bindings"][0]["x"]["value"] == "%41 ü"


def test_non_ascii_round_trips_through_every_way_in(base):
    query = 'SELECT ?p WHERE { ?p <http://www.w3.org/2000/01/rdf-schema#label> "Иосиф Сталин"@ru }'
    for response in (requests.get(base, params={"query": query}),
                     requests.post(base, data={"query": query}),
                     requests.post(base, data=query.encode("utf-8"),
                                   headers={"Content-Type": "application/sparql-query; charset=utf-8"})):
        assert response.json()["results"]["bindings"][0]["p"]["value"] == "https://kg.example.org/id/person/stalin"


# ----------------------------------------------------------------------------------------------- dataset


def test_default_graph_is_the_union_of_all_named_graphs(base):
    assert len(letters(requests.get(base, params={"query": LETTERS}))) == 3


def test_default_graph_uri_restricts_the_default_graph(base):
    only_p2 = letters(requests.get(base, params={"query": LETTERS, "default-graph-uri": G2}))
    assert only_p2 == ["https://kg.example.org/id/letter/bl1996-011/text"]


def test_repeated_default_graph_uri_merges_graphs(base):
    both = letters(requests.get(base, params=[("query", LETTERS), ("default-graph-uri", G1),
                                              ("default-graph-uri", G2)]))
    assert len(both) == 3


def test_protocol_dataset_overrides_from_clauses(base):
    query = LETTERS.replace("WHERE", f"FROM <{G1}> WHERE")
    assert len(letters(requests.get(base, params={"query": query}))) == 2
    overridden = letters(requests.get(base, params={"query": query, "default-graph-uri": G2}))
    assert overridden == ["https://kg.example.org/id/letter/bl1996-011/text"]


def test_named_graph_uri_limits_graph_patterns(base):
    query = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g"
    all_graphs = requests.get(base, params={"query": query}).json()["results"]["bindings"]
    assert [b["g"]["value"] for b in all_graphs] == [AUTH, G1, G2]
    named = requests.get(base, params={"query": query, "named-graph-uri": AUTH}).json()["results"]["bindings"]
    assert [b["g"]["value"] for b in named] == [AUTH]


def test_protocol_dataset_with_only_named_graphs_has_an_empty_default_graph(base):
    response = requests.get(base, params={"query": LETTERS, "named-graph-uri": G1})
    assert letters(response) == []


# ----------------------------------------------------------------------------------------------- formats


@pytest.mark.parametrize(("accept", "media_type"), [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("application/json", "application/sparql-results+json"),
    ("*/*", "application/sparql-results+json"),
    ("text/csv;q=0.5, text/tab-separated-values;q=0.9", "text/tab-separated-values"),
    ("application/sparql-results+json;q=0.1, application/sparql-results+xml",
     "application/sparql-results+xml"),
    ("text/*", "text/csv"),
    ("text/csv;q=0, */*;q=0.5", "application/sparql-results+json"),
])
def test_select_results_negotiated_by_accept_with_q_values(base, accept, media_type):
    response = requests.get(base, params={"query": LETTERS}, headers={"Accept": accept})
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == media_type
    assert "Accept" in response.headers["Vary"]


def test_select_results_parse_in_every_format(base):
    for fmt, media in (("json", ox.QueryResultsFormat.JSON), ("xml", ox.QueryResultsFormat.XML),
                       ("tsv", ox.QueryResultsFormat.TSV)):
        body = requests.get(base, params={"query": LETTERS, "format": fmt}).content
        rows = list(ox.parse_query_results(body, media))
        assert len(rows) == 3
    body = requests.get(base, params={"query": LETTERS, "format": "csv"}).text
    assert list(csv.reader(io.StringIO(body)))[0] == ["letter"]
    assert body.endswith("\r\n")


def test_no_accept_header_gets_json_results(base):
    response = requests.get(base, params={"query": LETTERS}, headers={"Accept": None})
    assert response.headers["Content-Type"] == "application/sparql-results+json"


def test_ask_answers_a_boolean(base):
    response = requests.get(base, params={"query": "ASK { ?s a <https://schema.org/Message> }"})
    assert response.json() == {"head": {}, "boolean": True}


@pytest.mark.parametrize(("accept", "media_type", "syntax"), [
    ("text/turtle", "text/turtle", ox.RdfFormat.TURTLE),
    ("application/n-triples", "application/n-triples", ox.RdfFormat.N_TRIPLES),
    ("application/ld+json", "application/ld+json", ox.RdfFormat.JSON_LD),
    ("application/rdf+xml", "application/rdf+xml", ox.RdfFormat.RDF_XML),
    ("*/*", "text/turtle", ox.RdfFormat.TURTLE),
    ("application/rdf+xml;q=0.5, application/ld+json;q=0.8", "application/ld+json", ox.RdfFormat.JSON_LD),
])
def test_construct_negotiated_into_rdf_syntaxes(base, accept, media_type, syntax):
    response = requests.get(base, params={"query": ONE_LETTER}, headers={"Accept": accept})
    assert response.status_code == 200, response.text
    assert response.headers["Content-Type"].split(";")[0] == media_type
    triples = list(ox.parse(response.content, syntax))
    assert len(triples) == 7  # two types, label, sender, recipient, date, one mention


def test_describe_is_a_graph_not_a_results_table(base):
    response = requests.get(base, params={"query": "DESCRIBE <https://kg.example.org/id/person/stalin>"})
    assert response.headers["Content-Type"].startswith("text/turtle")
    assert "Иосиф Сталин" in response.text


def test_format_parameter_overrides_accept(base):
    response = requests.get(base, params={"query": ONE_LETTER, "format": "jsonld"},
                            headers={"Accept": "text/turtle"})
    assert response.headers["Content-Type"] == "application/ld+json"
    response = requests.get(base, params={"query": LETTERS, "output": "tsv"})
    assert response.headers["Content-Type"].startswith("text/tab-separated-values")


def test_unsatisfiable_accept_is_406_listing_the_offer(base):
    response = requests.get(base, params={"query": LETTERS}, headers={"Accept": "image/png"})
    assert response.status_code == 406
    assert "application/sparql-results+json" in response.text
    response = requests.get(base, params={"query": ONE_LETTER}, headers={"Accept": "text/csv"})
    assert response.status_code == 406
    assert "text/turtle" in response.text
    response = requests.get(base, params={"query": LETTERS, "format": "png"})
    assert response.status_code == 406


# ----------------------------------------------------------------------------------------------- description


def test_service_description_at_the_endpoint_url(base):
    response = requests.get(base, headers={"Accept": "text/turtle"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/turtle")
    store = ox.Store()
    store.load(response.content, ox.RdfFormat.TURTLE)
    sd = "http://www.w3.org/ns/sparql-service-description#"
    ask = (f"PREFIX sd: <{sd}> ASK {{ <{base}> a sd:Service ; sd:endpoint <{base}> ; "
           "sd:supportedLanguage sd:SPARQL11Query ; sd:feature sd:UnionDefaultGraph ; "
           "sd:resultFormat <http://www.w3.org/ns/formats/SPARQL_Results_TSV> ; "
           f"sd:defaultDataset [ sd:namedGraph [ sd:name <{G1}> ] ] }}")
    assert bool(store.query(ask))
    assert not bool(store.query(f"PREFIX sd: <{sd}> ASK {{ ?s sd:supportedLanguage sd:SPARQL11Update }}"))


def test_service_description_is_negotiated(base):
    response = requests.get(base, headers={"Accept": "application/ld+json"})
    assert response.headers["Content-Type"] == "application/ld+json"
    assert json.loads(response.text)
    assert requests.get(base).headers["Content-Type"].startswith("text/turtle")  # */* from requests
    assert requests.get(base, headers={"Accept": "image/png"}).status_code == 406


# ----------------------------------------------------------------------------------------------- CORS


def test_cors_on_answers_and_errors(base):
    for response in (requests.get(base, params={"query": LETTERS}, headers={"Origin": "https://example.net"}),
                     requests.get(base, params={"query": "SELECT"}, headers={"Origin": "https://example.net"}),
                     requests.get(base)):
        assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_cors_preflight_allows_posting_queries(base):
    response = requests.options(base, headers={"Origin": "https://example.net",
                                               "Access-Control-Request-Method": "POST",
                                               "Access-Control-Request-Headers": "content-type, accept"})
    assert response.status_code in (200, 204)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "content-type" in response.headers["Access-Control-Allow-Headers"].lower()


# ----------------------------------------------------------------------------------------------- read-only


@pytest.mark.parametrize("request_kwargs", [
    {"method": "GET", "params": {"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}},
    {"method": "POST", "data": {"update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}},
    {"method": "POST", "data": b"INSERT DATA { <urn:a> <urn:b> <urn:c> }",
     "headers": {"Content-Type": "application/sparql-update"}},
    {"method": "POST", "data": {"query": "SELECT * WHERE { ?s ?p ?o }",
                                "update": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}},
    {"method": "GET", "params": {"query": "INSERT DATA { <urn:a> <urn:b> <urn:c> }"}},
    {"method": "POST", "data": {"query": "PREFIX x: <urn:x> DELETE WHERE { ?s ?p ?o }"}},
    {"method": "POST", "data": {"query": "LOAD <http://127.0.0.1:9/data.ttl>"}},
    {"method": "POST", "data": {"query": "CLEAR ALL"}},
    {"method": "POST", "data": {"query": "DROP GRAPH <urn:g>"}},
])
def test_every_update_shape_is_refused_and_nothing_is_stored(base, request_kwargs):
    response = requests.request(url=base, **request_kwargs)
    assert 400 <= response.status_code < 500
    assert "read-only" in response.text
    check = requests.get(base, params={"query": "ASK { <urn:a> <urn:b> <urn:c> }"})
    assert check.json()["boolean"] is False


# ----------------------------------------------------------------------------------------------- bad input


def test_malformed_query_is_400_naming_line_and_column(base):
    response = requests.get(base, params={"query": "SELECT ?s WHERE {\n  ?s ?p \n}"})
    assert response.status_code == 400
    assert "line 3, column " in response.text


def test_text_that_is_no_query_is_400(base):
    for text in ("hello", "   ", "PREFIX ex: <urn:x>"):
        response = requests.get(base, params={"query": text})
        assert response.status_code == 400, text


def test_two_queries_are_400(base):
    response = requests.get(base, params=[("query", "ASK {}"), ("query", "ASK {}")])
    assert response.status_code == 400


def test_post_without_query_is_400(base):
    assert requests.post(base, data={"format": "json"}).status_code == 400


@pytest.mark.parametrize("content_type", ["text/plain", "application/json", None])
def test_wrong_body_media_type_is_415(base, content_type):
    headers = {"Content-Type": content_type} if content_type else {}
    response = requests.post(base, data=b"ASK {}", headers=headers)
    assert response.status_code == 415
    assert "application/sparql-query" in response.text


def test_non_utf8_bodies_are_4xx(base):
    utf16 = "ASK { ?s ?p \"é\" }".encode("utf-16")
    direct = {"Content-Type": "application/sparql-query"}
    assert requests.post(base, data=utf16, headers=direct).status_code == 400
    assert requests.post(base, data=utf16, headers={
        "Content-Type": "application/sparql-query; charset=utf-16"}).status_code == 415
    latin1_form = b"query=" + urllib.parse.quote_from_bytes('ASK { ?s ?p "é" }'.encode("latin-1")).encode()
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    response = requests.post(base, data=latin1_form, headers=form)
    assert response.status_code == 400
    assert requests.get(base + "?query=ASK%20%7B%22%E9%22%7D").status_code == 400


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_other_methods_are_405_with_allow(base, method):
    response = requests.request(method, base, data=b"ASK {}")
    assert response.status_code == 405
    assert {"GET", "POST"} <= {m.strip() for m in response.headers["Allow"].split(",")}


def test_invalid_graph_iri_is_400(base):
    response = requests.get(base, params={"query": LETTERS, "default-graph-uri": "not an iri"})
    assert response.status_code == 400


def test_head_request_gets_headers_only(base):
    response = requests.head(base, params={"query": LETTERS})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/sparql-results+json"
    assert response.content == b""


def test_long_get_query_is_accepted(base):
    padding = "# " + "x" * 9000 + "\n"
    assert len(letters(requests.get(base, params={"query": padding + LETTERS}))) == 3


def test_behind_a_proxy_the_service_description_names_the_public_endpoint(serve_app):
    config = ServerConfig.from_options(data_files=[FIXTURES / "letters-small.trig"])
    config.behind_proxy = True
    forwarded = {"Accept": "text/turtle", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "letters.example.net",
                 "X-Forwarded-Prefix": "/kg"}
    with serve_app(config) as url:
        trusted = requests.get(url + "/sparql", headers=forwarded)
    with serve_app(ServerConfig.from_options(data_files=[FIXTURES / "letters-small.trig"])) as url:
        untrusted = requests.get(url + "/sparql", headers=forwarded)
    assert "<https://letters.example.net/kg/sparql>" in trusted.text
    assert "letters.example.net" not in untrusted.text
