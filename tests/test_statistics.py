"""kg/statistics.py: the precomputed statistics equal what the GROUP BY queries answer, on the seed and on a
small synthetic corpus mapped by the real mapping; the output is deterministic and every shape can fail."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD

from kg.statistics import StatisticsCollector
from kg.validate import validate_graphs
from kg.validate.engine import ENGINE_VARIABLE

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://kg.example.org"
SEED = ROOT / "data" / "sources" / "bl1996-no009-stalin-to-lenin-1917-12-27.txt"
STATS = f"{BASE}/id/statistics"
QB = Namespace("http://purl.org/linked-data/cube#")
KGO = Namespace("https://kg.example.org/ontology#")
SDMX = Namespace("http://purl.org/linked-data/sdmx/2009/dimension#")
GRAPH = URIRef(f"{BASE}/graph/statistics")
PREFIXES = "PREFIX schema: <https://schema.org/>\n"


def canonical_lines(named_graphs) -> dict[str, list[bytes]]:
    """Each rdflib graph as pyoxigraph writes it: sorted canonical N-Triples lines (what the publisher feeds)."""
    from kg.dumps import CanonicalDataset

    return CanonicalDataset.from_rdflib(named_graphs).graphs


def mapped(sources: list[Path], authorities: Path) -> dict[str, list[bytes]]:
    from kg.authorities import load_authorities
    from kg.files import sha256_file
    from kg.mapping import map_corpus
    from kg.sources import read_sources

    records = read_sources(sources).records
    digests = {str(p): sha256_file(p) for p in sources}
    return canonical_lines(map_corpus(records, load_authorities(authorities), BASE, digests))


@pytest.fixture(scope="module")
def seed() -> dict[str, list[bytes]]:
    return mapped([SEED], ROOT / "data" / "authorities")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, list[bytes]]:
    out = tmp_path_factory.mktemp("corpus")
    subprocess.run([sys.executable, "-m", "benchmarks.corpus", "120", "--out", str(out)], cwd=ROOT, check=True,
                   capture_output=True)
    return mapped(sorted((out / "sources").glob("*.txt")), out / "authorities")


def collect(graphs: dict[str, list[bytes]], order=sorted) -> list[bytes]:
    collector = StatisticsCollector(BASE)
    for name in order(graphs):
        collector.feed(iter(graphs[name]))
    return collector.graph_lines()


def store_of(graphs: dict[str, list[bytes]]) -> ox.Store:
    store = ox.Store()
    for name, lines in graphs.items():
        store.load(b"".join(lines), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(name))
    return store


def rows(store: ox.Store, query: str) -> set[tuple]:
    result = store.query(PREFIXES + query, use_default_graph_as_union=True)
    return {tuple(None if t is None else t.value for t in solution) for solution in result}


def aggregates(store: ox.Store) -> dict[str, set[tuple]]:
    """The statistics computed the slow way: GROUP BY over the letters (first/last date over the dated ones)."""
    return {
        "network": rows(store, """SELECT ?s ?r ?n ?first ?last WHERE {
            { SELECT ?s ?r (COUNT(DISTINCT ?l) AS ?n) WHERE { ?l a schema:Message ; schema:sender ?s ;
              schema:recipient ?r } GROUP BY ?s ?r }
            OPTIONAL { SELECT ?s ?r (MIN(?d) AS ?first) (MAX(?d) AS ?last) WHERE { ?l a schema:Message ;
              schema:sender ?s ; schema:recipient ?r ; schema:dateSent ?d } GROUP BY ?s ?r } }"""),
        "years": rows(store, """SELECT ?y (COUNT(DISTINCT ?l) AS ?n)
            WHERE { ?l a schema:Message ; schema:dateSent ?d . BIND(SUBSTR(STR(?d), 1, 4) AS ?y) } GROUP BY ?y"""),
        "people": rows(store, """SELECT ?x (COUNT(DISTINCT ?s) AS ?sent) (COUNT(DISTINCT ?r) AS ?received) WHERE {
            { ?s a schema:Message ; schema:sender ?x } UNION { ?r a schema:Message ; schema:recipient ?x } }
            GROUP BY ?x"""),
    }


def precomputed(store: ox.Store) -> dict[str, set[tuple]]:
    """The same three answers read from the statistics graph (what the example queries do)."""
    pre = "PREFIX qb: <http://purl.org/linked-data/cube#>\nPREFIX kgo: <https://kg.example.org/ontology#>\n"
    return {
        "network": rows(store, pre + """SELECT ?s ?r ?n ?first ?last WHERE { ?o a kgo:CorrespondenceObservation ;
            kgo:sender ?s ; kgo:recipient ?r ; kgo:letterCount ?n OPTIONAL { ?o kgo:firstDate ?first ;
            kgo:lastDate ?last } }"""),
        "years": rows(store, pre + """SELECT ?y ?n WHERE { ?o a kgo:LettersPerYearObservation ;
            <http://purl.org/linked-data/sdmx/2009/dimension#refPeriod> ?y ; kgo:letterCount ?n }"""),
        "people": rows(store, pre + """SELECT ?x ?sent ?received WHERE { ?o a kgo:CorrespondentObservation ;
            kgo:correspondent ?x ; kgo:lettersSent ?sent ; kgo:lettersReceived ?received }"""),
    }


def test_seed_statistics_are_one_letter_from_stalin_to_lenin(seed):
    lines = b"".join(collect(seed)).decode()
    pair = f"<{STATS}/correspondence/person/stalin/to/person/lenin>"
    assert f'{pair} <{KGO}letterCount> "1"^^<{XSD}integer> .' in lines
    assert f'{pair} <{KGO}firstDate> "1918-01-09"^^<{XSD}date> .' in lines
    assert f'{pair} <{RDFS.label}> "Letters from Joseph Stalin to Vladimir Lenin"@en .' in lines
    assert f'<{STATS}/letters-per-year/1918> <{SDMX.refPeriod}> "1918"^^<{XSD}gYear> .' in lines
    assert f'<{STATS}/correspondents/person/lenin> <{KGO}lettersReceived> "1"^^<{XSD}integer> .' in lines


@pytest.mark.parametrize("data", ["seed", "corpus"])
def test_statistics_equal_the_group_by_answers(request, data):
    graphs = request.getfixturevalue(data)
    store = store_of(graphs)
    expected = aggregates(store)
    store.load(b"".join(collect(graphs)), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(str(GRAPH)))
    assert precomputed(store) == expected
    assert sum(n for *_, n in [(y, int(c)) for y, c in expected["years"]]) > 0


def test_same_lines_in_any_graph_order_give_the_same_bytes(corpus):
    assert collect(corpus) == collect(corpus, order=lambda g: sorted(g, reverse=True))
    assert collect(corpus) == sorted(set(collect(corpus)))


def test_a_letter_split_over_two_feeds_is_not_counted(seed):
    """The contract: one feed() is one graph; a Message's type and parties are joined within the call."""
    source = next(lines for name, lines in seed.items() if "/graph/source/" in name)
    collector = StatisticsCollector(BASE)
    typed = [line for line in source if b"schema.org/Message>" in line]
    collector.feed(typed)
    collector.feed([line for line in source if line not in typed])
    assert collector.pairs == {} and collector.years == {}


# ----------------------------------------------------------------------------------------- SHACL shapes
PAIR = URIRef(f"{STATS}/correspondence/person/stalin/to/person/lenin")
YEAR = URIRef(f"{STATS}/letters-per-year/1918")
LENIN = URIRef(f"{STATS}/correspondents/person/lenin")
NETWORK = URIRef(f"{STATS}/correspondence")


@pytest.fixture(params=["turbo", "pyshacl"])
def engine(request, monkeypatch) -> str:
    monkeypatch.setenv(ENGINE_VARIABLE, request.param)
    return request.param


@pytest.fixture()
def stats_graph(seed) -> Graph:
    graph = Graph()
    graph.parse(data=b"".join(collect(seed)).decode(), format="nt")
    return graph


def results(graph: Graph) -> set[tuple]:
    outcome = validate_graphs([(GRAPH, graph)], workers=1)
    return {(r.focus, r.path, r.component, r.severity) for r in outcome.results}


def test_the_seed_statistics_conform(stats_graph, engine):
    assert results(stats_graph) == set()


MUTATIONS = {
    "count zero": (lambda g: g.set((PAIR, KGO.letterCount, Literal(0))), PAIR, KGO.letterCount,
                   SH.MinInclusiveConstraintComponent),
    "count as xsd:long": (lambda g: g.set((YEAR, KGO.letterCount, Literal("1", datatype=XSD.long))), YEAR,
                          KGO.letterCount, SH.DatatypeConstraintComponent),
    "no sender": (lambda g: g.remove((PAIR, KGO.sender, None)), PAIR, KGO.sender, SH.MinCountConstraintComponent),
    "literal recipient": (lambda g: g.set((PAIR, KGO.recipient, Literal("Lenin"))), PAIR, KGO.recipient,
                          SH.NodeKindConstraintComponent),
    "dates backwards": (lambda g: g.set((PAIR, KGO.firstDate, Literal("1918-02-01", datatype=XSD.date))), PAIR,
                        KGO.firstDate, SH.LessThanOrEqualsConstraintComponent),
    "year not gYear": (lambda g: g.set((YEAR, SDMX.refPeriod, Literal("1918"))), YEAR, SDMX.refPeriod,
                       SH.DatatypeConstraintComponent),
    "negative received": (lambda g: g.set((LENIN, KGO.lettersReceived, Literal(-1))), LENIN, KGO.lettersReceived,
                          SH.MinInclusiveConstraintComponent),
    "unknown property": (lambda g: g.add((LENIN, RDFS.comment, Literal("x", lang="en"))), LENIN, RDFS.comment,
                         SH.ClosedConstraintComponent),
    "wrong data set": (lambda g: g.set((YEAR, QB.dataSet, NETWORK)), YEAR, QB.dataSet,
                       SH.PatternConstraintComponent),
    "two data sets": (lambda g: g.add((PAIR, QB.dataSet, URIRef("https://old.example.org/id/statistics/correspondence"))),
                      PAIR, QB.dataSet, SH.MaxCountConstraintComponent),
    "untagged label": (lambda g: g.set((PAIR, RDFS.label, Literal("Letters"))), PAIR, RDFS.label,
                       SH.DatatypeConstraintComponent),
    "unknown structure": (lambda g: g.set((NETWORK, QB.structure, KGO.Other)), NETWORK, QB.structure,
                          SH.InConstraintComponent),
    "data set without comment": (lambda g: g.remove((NETWORK, RDFS.comment, None)), NETWORK, RDFS.comment,
                                 SH.MinCountConstraintComponent),
}


@pytest.mark.parametrize("name", MUTATIONS)
def test_every_rule_can_fail(stats_graph, engine, name):
    mutate, focus, path, component = MUTATIONS[name]
    mutate(stats_graph)
    assert results(stats_graph) == {(focus, path, component, SH.Violation)}


def test_observations_are_typed_for_their_shapes(stats_graph):
    assert (PAIR, RDF.type, QB.Observation) in stats_graph
    assert (PAIR, RDF.type, KGO.CorrespondenceObservation) in stats_graph


def test_collectors_merged_from_several_processes_equal_one_collector(corpus):
    """The publisher feeds graphs in two sorting processes and merges their collectors."""
    import random

    whole = StatisticsCollector(BASE)
    for lines in corpus.values():
        whole.feed(lines)
    names = sorted(corpus)
    random.Random(3).shuffle(names)
    parts = [StatisticsCollector(BASE) for _ in range(3)]
    for number, name in enumerate(names):
        parts[number % 3].feed(corpus[name])
    merged = StatisticsCollector(BASE)
    for part in parts:
        merged.merge(part)
    assert merged.graph_lines() == whole.graph_lines()
    assert len(whole.pairs) > 10
