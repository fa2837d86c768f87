"""kg/network.py: the correspondent network files of a published release say what a SPARQL GROUP BY over that
release says (sender, recipient, COUNT(DISTINCT letter), first and last date, English names; letters sent and
received per correspondent), in a fixed order, and the tools' readers (csv, json) get every value back."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.network import CSV_COLUMNS, NETWORK_FORMATS, network_csv, network_json
from kg.statistics import StatisticsCollector

BASE = "https://kg.example.org"
PREFIXES = """PREFIX schema: <https://schema.org/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


@pytest.fixture(scope="module")
def fixture_release(tmp_path_factory) -> Path:
    """The release tests/test_publish.py publishes from tests/fixtures/publish/letters.trig."""
    from tests.test_publish import publish

    return publish(tmp_path_factory.mktemp("fixture"))


@pytest.fixture(scope="module")
def corpus_release(tmp_path_factory) -> Path:
    """A real `kg build` of 150 synthetic letters: collective senders, several recipients, undated letters."""
    from benchmarks.corpus import generate_corpus
    from kg.build import run_build

    root = tmp_path_factory.mktemp("corpus")
    generate_corpus(150, root / "corpus", seed=3)
    return run_build(root / "corpus" / "sources", root / "build", BASE, quiet=True)


def store_of(release: Path) -> ox.Store:
    store = ox.Store()
    store.bulk_load(path=str(release / "dataset.nq"), format=ox.RdfFormat.N_QUADS)
    return store


def select(store: ox.Store, query: str) -> list[tuple]:
    result = store.query(PREFIXES + query, use_default_graph_as_union=True)
    return [tuple(None if t is None else t.value for t in solution) for solution in result]


def group_by_edges(store: ox.Store) -> set[tuple]:
    """The network the slow way: every letter of every pair counted, dates and names looked up."""
    names = dict(select(store, """SELECT ?x (MIN(?name) AS ?label) WHERE { ?x rdfs:label ?name
        FILTER(lang(?name) = "en") } GROUP BY ?x"""))
    rows = select(store, """SELECT ?s ?r ?n ?first ?last WHERE {
        { SELECT ?s ?r (COUNT(DISTINCT ?l) AS ?n) WHERE { ?l a schema:Message ; schema:sender ?s ;
          schema:recipient ?r } GROUP BY ?s ?r }
        OPTIONAL { SELECT ?s ?r (MIN(?d) AS ?first) (MAX(?d) AS ?last) WHERE { ?l a schema:Message ;
          schema:sender ?s ; schema:recipient ?r ; schema:dateSent ?d } GROUP BY ?s ?r } }""")
    return {(s, names[s], r, names[r], int(n), first, last) for s, r, n, first, last in rows}


def group_by_nodes(store: ox.Store) -> set[tuple]:
    names = dict(select(store, """SELECT ?x (MIN(?name) AS ?label) WHERE { ?x rdfs:label ?name
        FILTER(lang(?name) = "en") } GROUP BY ?x"""))
    rows = select(store, """SELECT ?x (COUNT(DISTINCT ?s) AS ?sent) (COUNT(DISTINCT ?r) AS ?received) WHERE {
        { ?s a schema:Message ; schema:sender ?x } UNION { ?r a schema:Message ; schema:recipient ?x } }
        GROUP BY ?x""")
    return {(x, names[x], int(sent), int(received)) for x, sent, received in rows}


def csv_rows(release: Path) -> list[dict]:
    data = (release / "dumps" / NETWORK_FORMATS["csv"].filename).read_bytes()
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"), newline="")))


def as_edge(row: dict) -> tuple:
    return (row["source"], row["source_label"], row["target"], row["target_label"], int(row["letters"]),
            row["first_date"] or None, row["last_date"] or None)


def read_json(release: Path) -> dict:
    return json.loads((release / "dumps" / NETWORK_FORMATS["json"].filename).read_bytes().decode("utf-8"))


@pytest.mark.parametrize("which", ["fixture_release", "corpus_release"])
def test_the_csv_edges_are_the_group_by_answer(request, which):
    release = request.getfixturevalue(which)
    expected = group_by_edges(store_of(release))
    rows = csv_rows(release)
    assert list(rows[0]) == list(CSV_COLUMNS)
    edges = [as_edge(row) for row in rows]
    assert len(edges) == len(set(edges)) and set(edges) == expected
    assert edges == sorted(edges, key=lambda e: (-e[4], e[0], e[2]))  # the busiest pairs first, then by IRI


@pytest.mark.parametrize("which", ["fixture_release", "corpus_release"])
def test_the_json_links_and_nodes_are_the_group_by_answer(request, which):
    release = request.getfixturevalue(which)
    store = store_of(release)
    document = read_json(release)
    links = [(link["source"], link["source_label"], link["target"], link["target_label"], link["letters"],
              link["first_date"], link["last_date"]) for link in document["links"]]
    assert links == [as_edge(row) for row in csv_rows(release)]  # the same edges, in the same order
    assert all(link["value"] == link["letters"] for link in document["links"])
    nodes = [(n["id"], n["label"], n["letters_sent"], n["letters_received"]) for n in document["nodes"]]
    assert len(nodes) == len(set(nodes)) and set(nodes) == group_by_nodes(store)
    assert {link[0] for link in links} | {link[2] for link in links} == {n[0] for n in nodes}
    assert document["directed"] is True and document["multigraph"] is False
    assert document["graph"]["dataset"] == f"{BASE}/id/statistics/correspondence"


def test_the_corpus_network_is_not_trivial(corpus_release):
    """So that the equalities above compare something: many pairs, several letters per pair, undated pairs."""
    edges = [as_edge(row) for row in csv_rows(corpus_release)]
    assert len(edges) > 100
    assert any(e[4] > 1 for e in edges) and any(e[5] is None for e in edges) and any(e[5] != e[6] for e in edges)
    assert any("/org/" in e[0] for e in edges)  # collective senders are correspondents too


def test_the_files_are_utf8_with_lf_line_ends_and_one_trailing_newline(corpus_release):
    for fmt in NETWORK_FORMATS.values():
        data = (corpus_release / "dumps" / fmt.filename).read_bytes()
        assert b"\r" not in data and data.endswith(b"\n") and not data.endswith(b"\n\n")
        data.decode("utf-8")
    assert (corpus_release / "dumps/network.json").read_bytes().count(b"\n") == 1


# --------------------------------------------------------------------------------------------- unit level
def collector_of(lines: list[str]) -> StatisticsCollector:
    collector = StatisticsCollector(BASE)
    collector.feed([(line + "\n").encode("utf-8") for line in lines])
    return collector


SCHEMA = "https://schema.org/"
XSD_DATE = "<http://www.w3.org/2001/XMLSchema#date>"
RDF_TYPE = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
A, B = f"{BASE}/id/person/a", f"{BASE}/id/person/b"


def awkward() -> StatisticsCollector:
    """Names with a comma, quotes, a line break and Cyrillic; a pair with two dated letters, one undated."""
    letter1, letter2, letter3 = (f"<{BASE}/id/letter/x-{n}/text>" for n in (1, 2, 3))
    lines = [
        f'<{A}> {LABEL} "Ulyanov, V. I. \\"Lenin\\""@en .',
        f'<{A}> {LABEL} "Ульянов"@ru .',
        f'<{B}> {LABEL} "Koba\\nStalin"@en .',
    ]
    for letter, (sender, recipient), date in ((letter1, (A, B), "1918-01-09"), (letter2, (A, B), "1917-12-27"),
                                              (letter3, (B, A), None)):
        lines += [f"{letter} {RDF_TYPE} <{SCHEMA}Message> .", f"{letter} <{SCHEMA}sender> <{sender}> .",
                  f"{letter} <{SCHEMA}recipient> <{recipient}> ."]
        if date:
            lines.append(f'{letter} <{SCHEMA}dateSent> "{date}"^^{XSD_DATE} .')
    return collector_of(lines)


def test_csv_quoting_gives_every_name_back_to_a_csv_reader():
    data = network_csv(awkward())
    assert data.splitlines()[1].startswith(f'{A},"Ulyanov, V. I. ""Lenin""",{B},"Koba'.encode())
    rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
    assert rows[1:] == [[A, 'Ulyanov, V. I. "Lenin"', B, "Koba\nStalin", "2", "1917-12-27", "1918-01-09"],
                        [B, "Koba\nStalin", A, 'Ulyanov, V. I. "Lenin"', "1", "", ""]]


def test_json_keeps_names_and_undated_pairs_as_they_are():
    document = json.loads(network_json(awkward()))
    assert [(n["id"], n["label"], n["letters_sent"], n["letters_received"]) for n in document["nodes"]] == [
        (A, 'Ulyanov, V. I. "Lenin"', 2, 1), (B, "Koba\nStalin", 1, 2)]
    undated = document["links"][1]
    assert (undated["source"], undated["target"], undated["target_label"]) == (B, A, 'Ulyanov, V. I. "Lenin"')
    assert (undated["first_date"], undated["last_date"], undated["letters"]) == (None, None, 1)
    assert "Ульянов" not in network_json(awkward()).decode("utf-8")  # the English name, not the Russian one


def test_the_release_files_are_what_the_counts_give_in_any_feeding_order(corpus_release):
    """The published bytes follow from the counts alone, not from the order graphs were counted in (kg build
    sorts in several processes and merges their collectors): feeding the release's graphs forwards into one
    collector, or backwards into two merged ones, gives the release's files byte for byte."""
    quads = ox.parse(path=str(corpus_release / "dataset.nq"), format=ox.RdfFormat.N_QUADS)
    graphs: dict[str, list[ox.Triple]] = {}
    for quad in quads:
        graphs.setdefault(quad.graph_name.value, []).append(quad.triple)
    # What the publisher counts: every graph but the two it makes afterwards (statistics, description).
    names = sorted(set(graphs) - {f"{BASE}/graph/statistics", f"{BASE}/graph/void"})
    lines = {name: ox.serialize(graphs[name], format=ox.RdfFormat.N_TRIPLES).splitlines(keepends=True)
             for name in names}
    forward = StatisticsCollector(BASE)
    for name in names:
        forward.feed(lines[name])
    halves = [StatisticsCollector(BASE), StatisticsCollector(BASE)]
    for number, name in enumerate(reversed(names)):
        halves[number % 2].feed(lines[name])
    backward = StatisticsCollector(BASE)
    for half in halves:
        backward.merge(half)
    for make, fmt in ((network_csv, NETWORK_FORMATS["csv"]), (network_json, NETWORK_FORMATS["json"])):
        published = (corpus_release / "dumps" / fmt.filename).read_bytes()
        assert make(forward) == make(backward) == published
