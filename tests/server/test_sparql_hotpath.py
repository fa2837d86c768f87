"""The fast path of /sparql: answers cached by normalised query and by exact request, with every rule kept.

The cache keys are checked as functions (what normalises alike, what must not), the cache's memory bound
directly, and the answers over HTTP against the app under real gunicorn: a repeat or a reformatted query
gives the same bytes and headers, errors are never remembered, and what the hot path hands to Flask
(service description, HEAD) still works.
"""

from __future__ import annotations

import pytest
import requests

from kg.store import Answer
from server.answers import ENTRY_OVERHEAD, AnswerCache, normalise

LETTERS = "SELECT ?letter WHERE { ?letter a <https://schema.org/Message> } ORDER BY ?letter"
JSON = "application/sparql-results+json"


@pytest.fixture(scope="module")
def base(small_sparql):
    return small_sparql


# ----------------------------------------------------------------------------------------------- keys


def test_normalise_drops_comments_and_collapses_whitespace_outside_strings_and_iris():
    text = "  SELECT  ?s # who\n\tWHERE {\r\n ?s <http://e/a#b>  \"x  # y\" ; <http://e/p> '''a\n\n#b''' }\n"
    assert normalise(text) == "SELECT ?s WHERE { ?s <http://e/a#b> \"x  # y\" ; <http://e/p> '''a\n\n#b''' }"


def test_normalise_keeps_what_it_cannot_lex_safely():
    escaped = "SELECT * { <http://e/\\u00e9#a> ?p ?o }  # two\n"
    assert normalise(escaped) == escaped.strip()  # a \\u escape could hide anything: no normalising
    nbsp = "SELECT\u00a0* { ?s ?p ?o }"
    assert normalise(nbsp) != normalise("SELECT * { ?s ?p ?o }")  # not SPARQL whitespace: a syntax error


def test_different_literals_never_share_a_key():
    one = AnswerCache.key('SELECT ?v { BIND("a  b" AS ?v) }', [], [], JSON)
    two = AnswerCache.key('SELECT ?v { BIND("a b" AS ?v) }', [], [], JSON)
    assert one != two
    assert AnswerCache.key(LETTERS, ["urn:g"], [], JSON) != AnswerCache.key(LETTERS, [], ["urn:g"], JSON)
    assert AnswerCache.key(LETTERS, [], [], JSON) != AnswerCache.key(LETTERS, [], [], "text/csv")


def test_cache_memory_stays_within_its_budget_and_keeps_the_recent():
    cache = AnswerCache(budget=10_000, max_entry=3_000)
    for i in range(50):
        cache.put(AnswerCache.key(f"ASK {{ <urn:{i}> ?p ?o }}", [], [], JSON), Answer(JSON, b"x" * 1000))
        assert cache.size <= cache.budget
    assert len(cache) == 10_000 // (1000 + len("ASK { <urn:0> ?p ?o }") + len(JSON) + ENTRY_OVERHEAD)
    assert cache.get(AnswerCache.key("ASK { <urn:49> ?p ?o }", [], [], JSON)) is not None
    assert cache.get(AnswerCache.key("ASK { <urn:0> ?p ?o }", [], [], JSON)) is None  # least recent went first
    cache.put(("big", (), (), JSON), Answer(JSON, b"x" * 3_001))
    assert cache.get(("big", (), (), JSON)) is None  # over max_entry: never kept


# ----------------------------------------------------------------------------------------------- over HTTP


def _headers(response: requests.Response) -> dict[str, str]:
    return {k.lower(): v for k, v in response.headers.items() if k.lower() != "date"}


def test_repeated_and_reformatted_queries_get_the_same_answer_and_headers(base):
    first = requests.post(base, data={"query": LETTERS}, headers={"Accept": JSON})
    repeat = requests.post(base, data={"query": LETTERS}, headers={"Accept": JSON})
    reformatted = requests.post(base, data={"query": "# the letters\n" + LETTERS.replace(" ", "\n  ")},
                                headers={"Accept": JSON})
    by_get = requests.get(base, params={"query": LETTERS}, headers={"Accept": JSON})
    for response in (first, repeat, reformatted, by_get):
        assert response.status_code == 200
        assert response.content == first.content
        assert _headers(response) == _headers(first)
    assert first.headers["Vary"] == "Accept"
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    assert first.headers["Content-Type"] == JSON
    assert len(first.json()["results"]["bindings"]) == 3


def test_literals_that_differ_only_in_spaces_are_different_answers(base):
    wide = requests.get(base, params={"query": 'SELECT ?v WHERE { BIND("a  b" AS ?v) }'}, headers={"Accept": JSON})
    narrow = requests.get(base, params={"query": 'SELECT ?v WHERE { BIND("a b" AS ?v) }'}, headers={"Accept": JSON})
    assert wide.json()["results"]["bindings"][0]["v"]["value"] == "a  b"
    assert narrow.json()["results"]["bindings"][0]["v"]["value"] == "a b"


def test_errors_are_never_remembered(base):
    bad = "SELECT ?s WHERE { ?s ?p }"
    for _ in range(3):
        response = requests.post(base, data={"query": bad})
        assert response.status_code == 400
        assert "line 1, column" in response.text
        assert response.headers["Access-Control-Allow-Origin"] == "*" and response.headers["Vary"] == "Accept"
    # a cached answer is still negotiated: the same query asking for nothing it can have is a 406
    requests.get(base, params={"query": LETTERS}, headers={"Accept": JSON})
    refused = requests.get(base, params={"query": LETTERS}, headers={"Accept": "image/png"})
    assert refused.status_code == 406


def test_what_the_hot_path_hands_on_is_answered_by_flask(base):
    description = requests.get(base, headers={"Accept": "text/turtle"})
    assert description.status_code == 200 and "sd:Service" in description.text
    head = requests.head(base, params={"query": LETTERS}, headers={"Accept": "text/csv"})
    assert head.status_code == 200 and head.headers["Content-Type"].startswith("text/csv") and not head.content
    preflight = requests.options(base, headers={"Origin": "https://example.net",
                                                "Access-Control-Request-Method": "POST"})
    assert preflight.status_code == 204 and "POST" in preflight.headers["Access-Control-Allow-Methods"]
