"""The scale machinery of the mapping (issue 10): the light store, adding into one graph, streaming the corpus
graph by graph, and the name index of the mention finder. Each must be invisible in the output."""

from __future__ import annotations

import dataclasses
import pickle

from mapping_seed import BASE, hand_record
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from kg.mapping import iter_map_corpus, map_corpus, map_letter
from kg.mapping.context import MappingContext
from kg.mapping.namespaces import CRM, PREFIXES, new_graph
from kg.mapping.triples import TripleStore
from kg.mapping.uris import Uris
from kg.mentions import _sentence_initial, _trie_pattern
from kg.records import SourceLocation


def _memory_copy(graph: Graph) -> Graph:
    copy = Graph()
    for triple in graph:
        copy.add(triple)
    return copy


def test_light_store_answers_every_pattern_as_rdflib_memory_does(union):
    light = new_graph()
    light += union
    memory = _memory_copy(union)
    assert isinstance(light.store, TripleStore) and len(light) == len(memory)
    for s, p, o in list(memory)[::7]:
        for pattern in ((s, None, None), (None, p, None), (None, None, o), (s, p, None), (None, p, o),
                        (s, None, o), (s, p, o)):
            assert set(light.triples(pattern)) == set(memory.triples(pattern)), pattern
    assert set(light) == set(memory)
    letter = URIRef(f"{BASE}/id/letter/bl1996-009")
    assert light.value(letter, RDF.type, any=True) is not None
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?s a ?type }"
    assert list(light.query(query)) == list(memory.query(query))


def test_light_store_keeps_indexes_right_through_add_and_remove():
    graph = new_graph()
    a, b = URIRef("http://example.org/a"), URIRef("http://example.org/b")
    graph.add((a, RDFS.label, Literal("A", lang="en")))
    assert graph.value(a, RDFS.label) == Literal("A", lang="en")  # builds the indexes
    graph.add((b, RDFS.label, Literal("B", lang="en")))  # added to built indexes
    graph.add((b, RDFS.label, Literal("B", lang="en")))  # twice is once
    assert len(graph) == 2 and graph.value(b, RDFS.label) == Literal("B", lang="en")
    graph.remove((None, RDFS.label, Literal("A", lang="en")))
    assert len(graph) == 1 and graph.value(a, RDFS.label) is None
    assert list(graph.subjects(RDFS.label, None)) == [b]
    graph.add((a, RDF.type, CRM["E21_Person"]))
    assert set(graph.subjects()) == {a, b} and (a, RDF.type, CRM["E21_Person"]) in graph


def test_mapping_graphs_have_the_prefixes_and_survive_pickling(mapped):
    name, graph = mapped[0]
    assert {prefix: str(ns) for prefix, ns in graph.namespaces()} == \
        {prefix: str(ns) for prefix, ns in PREFIXES.items()}
    assert "@prefix crm: <http://www.cidoc-crm.org/cidoc-crm/>" in graph.serialize(format="turtle")
    copy = pickle.loads(pickle.dumps(graph))
    assert set(copy) == set(graph)


def test_adding_into_a_graph_gives_the_triples_of_a_fresh_graph(authorities):
    record = hand_record()
    ctx = MappingContext(uris=Uris(BASE), authorities=authorities, letter_key="bl1996-009",
                         edition=authorities.editions["bl1996"], source_path=record.source.path)
    fresh = map_letter(record, ctx)
    shared = new_graph()
    marker = (URIRef("http://example.org/x"), RDFS.label, Literal("already here"))
    shared.add(marker)
    again = MappingContext(uris=Uris(BASE), authorities=authorities, letter_key="bl1996-009",
                           edition=authorities.editions["bl1996"], source_path=record.source.path)
    assert map_letter(record, again, into=shared) is shared
    assert set(shared) == set(fresh) | {marker}


def _records(count: int, files: int):
    base = hand_record()
    return [dataclasses.replace(base, doc_no=str(100 + i),
                                source=SourceLocation(path=f"data/sources/page-{i % files}.txt", line=3 + i))
            for i in range(count)]


def test_streaming_yields_the_graphs_of_map_corpus_in_the_same_order(authorities):
    records = _records(7, 3)
    listed = map_corpus(records, authorities, BASE, {})
    streamed = list(iter_map_corpus(records, authorities, BASE, {}))
    assert [name for name, _ in streamed] == [name for name, _ in listed]
    assert [name.rsplit("/", 1)[-1] for name, _ in listed][:3] == ["page-0", "page-1", "page-2"]
    assert [name.rsplit("/", 1)[-1] for name, _ in listed][3:] == ["archives", "edition", "authorities", "ontology"]
    for (_, a), (_, b) in zip(streamed, listed, strict=True):
        assert set(a) == set(b)
        assert getattr(a, "problems", None) == getattr(b, "problems", None)


def test_streaming_hands_out_a_file_graph_before_mapping_the_next_file(authorities):
    records = _records(6, 3)
    mapped: list[str] = []

    def progress(items):
        for item in items:
            mapped.append(item[0])
            yield item

    stream = iter_map_corpus(records, authorities, BASE, {}, progress=progress)
    name, graph = next(stream)
    assert name.endswith("/page-0") and len(graph) > 0
    assert set(mapped) <= {"data/sources/page-0.txt", "data/sources/page-1.txt"}  # page-1 just begun
    assert len(list(stream)) == 2 + 4


def test_name_index_matches_whole_words_only():
    import re

    finder = re.compile(rf"(?<!\w){_trie_pattern(['Lenin', 'Leningrad', 'Len', 'Stalin'])}(?!\w)")
    text = "Lenin, Leningrad, Leninism, Len and Stalin's Stalinism"
    assert [m.group() for m in finder.finditer(text)] == ["Lenin", "Leningrad", "Len", "Stalin"]


def test_sentence_start_is_read_back_to_a_stop_or_list_number():
    assert _sentence_initial("Then. Kamenev", 6)
    assert _sentence_initial("items:\n 12) Kamenev", 12)
    assert _sentence_initial("12. Kamenev", 4)
    assert not _sentence_initial("item12) Kamenev", 8)
    assert not _sentence_initial("and Kamenev", 4)

