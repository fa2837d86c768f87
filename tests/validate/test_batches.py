"""Batched, parallel validation gives exactly the whole-graph answer (kg.validate.batches), proven on a
1,000-letter synthetic corpus mapped by the real mapping, with errors planted in local, shared and duplicated
resources."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS, XSD

from kg.mapping.namespaces import CRM, OA
from kg.validate import ShapesRunner, load_shapes, runner_for, validate_graphs
from kg.validate.batches import validate_union
from kg.validate.engine import path_text

BASE = "https://kg.example.org"


def _mapped(tmp_path_factory, letters: int) -> list[tuple[URIRef, Graph]]:
    """``letters`` synthetic letters mapped by the real mapping, each graph an editable rdflib copy."""
    from benchmarks.corpus import generate_authorities, iter_records
    from kg.authorities import load_authorities
    from kg.mapping import map_corpus

    folder = Path(tmp_path_factory.mktemp("authorities"))
    generate_authorities(folder)
    graphs = map_corpus(list(iter_records(letters)), load_authorities(folder), BASE, {})
    return [(name, _copy(g)) for name, g in graphs]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> list[tuple[URIRef, Graph]]:
    return _mapped(tmp_path_factory, 1000)


def _copy(graph: Graph) -> Graph:
    copy = Graph()
    copy += graph
    return copy


def _letters(graph: Graph) -> list[URIRef]:
    return sorted(s for s in graph.subjects(CRM["P108i_was_produced_by"], None))


def plant_errors(graphs: list[tuple[URIRef, Graph]]) -> dict[str, URIRef]:
    """Break rules in the first, a middle and the last source graph, the shared authorities, and across graphs."""
    sources = [g for name, g in graphs if "/graph/source/" in str(name)]
    authorities = next(g for name, g in graphs if str(name).endswith("/graph/authorities"))
    planted = {}
    first, middle, last = sources[0], sources[len(sources) // 2], sources[-1]
    letter = _letters(first)[0]
    span = URIRef(f"{letter}/sending/time-span")
    first.set((span, CRM["P82a_begin_of_the_begin"], Literal("1930-01-01T00:00:00", datatype=XSD.dateTime)))
    planted["date ends before it begins"] = span
    letter = _letters(middle)[0]
    middle.set((URIRef(f"{letter}/identifier/folios"), CRM["P190_has_symbolic_content"], Literal("9-2")))
    planted["folios backwards"] = letter
    # the same letter minted by two source graphs far apart, with two different English labels
    twin = _letters(last)[0]
    for triple in last.triples((twin, None, None)):
        first.add(triple)
    first.set((twin, RDFS.label, Literal("A different heading", lang="en")))
    planted["letter minted twice"] = twin
    # an anchor in the last letter pointing at a note of the first letter
    annotation = next(s for s in last.subjects(OA.hasBody, None))
    last.set((annotation, OA.hasBody, URIRef(f"{_letters(first)[0]}/note/1")))
    planted["anchor of another letter"] = annotation
    # a shared person without English label, and a person dead before most letters were written
    person = sorted(authorities.subjects(CRM["P100i_died_in"], None))[0]
    authorities.remove((person, RDFS.label, None))
    planted["person without label"] = person
    sender = next(o for g in sources[1:] for s, o in g.subject_objects(CRM["P14_carried_out_by"])
                  if (o, CRM["P100i_died_in"], None) in authorities and o != person)
    death_span = URIRef(f"{sender}/death/time-span")
    authorities.set((death_span, CRM["P82a_begin_of_the_begin"], Literal("1900-01-01T00:00:00", datatype=XSD.dateTime)))
    authorities.set((death_span, CRM["P82b_end_of_the_end"], Literal("1900-12-31T23:59:59", datatype=XSD.dateTime)))
    planted["sender dead"] = sender
    return planted


@pytest.fixture(scope="module")
def planted_corpus(corpus) -> tuple[list[tuple[URIRef, Graph]], dict[str, URIRef], set[tuple]]:
    """The corpus with errors planted, and the reference answer: pyshacl (``ShapesRunner``) on the whole graph."""
    planted = plant_errors(corpus)
    runner = ShapesRunner(load_shapes())
    return corpus, planted, {_key(r, runner.shapes) for r in validate_union(corpus, runner)}


def _key(result, shapes: Graph) -> tuple:
    """Comparable across runners: a blank-node path (a node of that runner's shapes graph) as its SPARQL text."""
    path = result.path if result.path is None or isinstance(result.path, URIRef) else path_text(shapes, result.path)
    return (result.focus, path, result.component, result.severity, result.message)


@pytest.mark.slow
def test_batched_parallel_validation_equals_whole_graph_validation(planted_corpus, engine):
    """Under each engine, batched == whole-graph == pyshacl on the whole graph."""
    corpus, planted, reference = planted_corpus
    batched = validate_graphs(corpus, workers=2, batch_size=100)
    runner = runner_for()
    whole = validate_union(corpus, runner)
    assert batched.stats["batches"] >= 5 and batched.stats["duplicated_documents"]
    keys = {_key(r, batched.shapes) for r in batched.results}
    assert keys == {_key(r, runner.shapes) for r in whole}
    assert keys == reference
    focus_nodes = {r.focus for r in batched.results if r.is_violation}
    values = {r.value for r in batched.results if r.is_violation}
    assert planted["date ends before it begins"] in focus_nodes
    assert planted["folios backwards"] in focus_nodes
    assert planted["letter minted twice"] in focus_nodes
    assert planted["anchor of another letter"] in focus_nodes
    assert planted["person without label"] in focus_nodes
    assert planted["sender dead"] in values
    assert not batched.conforms


def test_the_engine_answers_as_stock_pyshacl_does(seed_copy, engine):
    """Our runner (shapes harvested once, SimpleMemory store, parsed SPARQL reused, targets filtered) reports the
    same results as ``pyshacl.validate`` on the same union graph, errors included; so does the turbo runner."""
    from pyshacl import validate

    from kg.validate import load_shapes
    from kg.validate.engine import results_from_report

    source = next(g for name, g in seed_copy if "/graph/source/" in str(name))
    letter = URIRef("https://kg.example.org/id/letter/bl1996-009")
    source.set((URIRef(f"{letter}/identifier/folios"), CRM["P190_has_symbolic_content"], Literal("7-3")))
    source.set((URIRef(f"{letter}/sending/time-span"), CRM["P82a_begin_of_the_begin"],
                Literal("1918-03-01T00:00:00", datatype=XSD.dateTime)))
    source.remove((URIRef(f"{letter}/annotation/3"), OA.hasBody, None))
    union = Graph()
    for _name, g in seed_copy:
        union += g
    shapes = load_shapes()
    _conforms, report, _text = validate(union, shacl_graph=shapes, inference="none", allow_warnings=True)
    stock = {(r.focus, r.component, r.severity, r.message) for r in results_from_report(report)}
    runner = runner_for(shapes)
    assert type(runner).__name__ == {"pyshacl": "ShapesRunner", "turbo": "TurboRunner",
                                       "compiled": "CompiledRunner"}[engine]
    ours = {(r.focus, r.component, r.severity, r.message) for r in validate_union(seed_copy, runner)}
    assert ours == stock and len(ours) >= 5


@pytest.fixture(scope="module")
def small_corpus(tmp_path_factory) -> list[tuple[URIRef, Graph]]:
    return _mapped(tmp_path_factory, 80)


def test_the_shared_graphs_are_checked_with_what_source_graphs_add_to_them(small_corpus):
    """The final pass validates the shared index itself when no source graph states anything about a shared
    node, and a copy with those triples added when one does: both answers are the whole graph's."""
    runner = runner_for()
    clean = validate_graphs(small_corpus, workers=2, batch_size=10)
    assert clean.stats["common_triples"] == 0
    assert {_key(r, runner.shapes) for r in clean.results} == {
        _key(r, runner.shapes) for r in validate_union(small_corpus, runner)}

    sources = [g for name, g in small_corpus if "/graph/source/" in str(name)]
    source = sources[len(sources) // 2]
    sender = next(iter(source.objects(None, CRM["P14_carried_out_by"])))
    source.add((sender, RDFS.label, Literal("a second label, without a language")))  # about a shared person
    try:
        broken = validate_graphs(small_corpus, workers=2, batch_size=10)
        whole = validate_union(small_corpus, runner)
    finally:
        source.remove((sender, RDFS.label, Literal("a second label, without a language")))
    assert broken.stats["common_triples"] == 1
    assert sender in {r.focus for r in broken.results if r.is_violation}
    assert sender not in {r.focus for r in clean.results if r.is_violation}
    assert {_key(r, runner.shapes) for r in broken.results} == {_key(r, runner.shapes) for r in whole}
