"""Validation in batches, in parallel, with the same answer as validating the union of all graphs at once.

pyshacl on one rdflib graph of the whole corpus is linear but heavy (minutes and gigabytes at 100,000 letters),
so the corpus is cut into batches of source graphs and each batch is validated in a forked worker. Three rules
make the batched answer equal to the whole-graph answer:

1. *Local* nodes (blank nodes, and IRIs under ``/id/letter/`` — the letter and everything minted below it) are
   described in exactly one source graph. A batch holds that graph, plus the forward closure of every node it
   references in the shared graphs (authorities, edition, ontology, Wikidata links): everything a shape can
   reach from a local node by following properties forwards. Results on local focus nodes come from the batch.
2. *Common* nodes (any other IRI a source graph describes, e.g. an archive unit cited by many letters, and all
   subjects of the shared graphs) may be described piecewise by many graphs. The workers hand their triples
   back; one final pass validates the shared graphs plus all those triples together, and only that pass reports
   results on common focus nodes.
3. A letter minted by two source graphs (the same document on two pages) is validated once more with all the
   graphs that describe it, and that pass alone reports on it.

What the shapes must respect for this to hold (``tests/validate`` checks the whole corpus both ways): no
``sh:targetSubjectsOf``/``sh:targetObjectsOf`` (class and node targets only), and a constraint on a local node
may look at other nodes only by following properties forwards (``sh:class``, ``sh:node``, SPARQL going
forwards); a constraint that looks backwards (inverse paths) stays within one document.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from kg.validate.engine import PreparedQueryGraph, ShapesRunner
from kg.validate.nodes import is_letter_root, is_source_graph, local_root
from kg.validate.provenance import Provenance, locate
from kg.validate.results import ValidationResult

DEFAULT_BATCH_SIZE = 200

NamedGraph = tuple[URIRef, Graph]


class GraphCorpus:
    """The shared graphs plus per-source graphs reachable by index.

    A subclass may produce source graphs on demand (``source(i)``), so that a forked worker builds only the
    graphs of its own batches: the benchmark validates 100,000 letters that never exist all at once.
    """

    def __init__(self, shared: Sequence[NamedGraph], sources: Sequence[NamedGraph]):
        self.shared = list(shared)
        self._sources = sources

    def __len__(self) -> int:
        return len(self._sources)

    def source(self, index: int) -> NamedGraph:
        return self._sources[index]


def as_corpus(named_graphs: GraphCorpus | Iterable[NamedGraph]) -> GraphCorpus:
    if isinstance(named_graphs, GraphCorpus):
        return named_graphs
    shared, sources = [], []
    for name, graph in named_graphs:
        (sources if is_source_graph(name) else shared).append((name, graph))
    return GraphCorpus(shared, sources)


@dataclass
class _Shared:
    """What every worker inherits at fork: the shapes, the corpus and an index of the shared graphs."""

    runner: ShapesRunner
    corpus: GraphCorpus
    index: dict[Node, list[tuple]]
    provenance: Provenance


@dataclass
class _BatchOutcome:
    results: list[ValidationResult] = field(default_factory=list)
    common: set[tuple] = field(default_factory=set)
    roots: dict[str, list[int]] = field(default_factory=dict)
    names: dict[str, URIRef] = field(default_factory=dict)
    triples: int = 0


_STATE: _Shared | None = None


def _index_shared(graphs: Iterable[NamedGraph]) -> dict[Node, list[tuple]]:
    index: dict[Node, list[tuple]] = {}
    for _name, graph in graphs:
        for triple in graph:
            index.setdefault(triple[0], []).append(triple)
    return index


def _add_closure(data: Graph, objects: Iterable[Node], index: dict[Node, list[tuple]],
                 seen: set[Node] | None = None) -> None:
    """Add the forward closure of ``objects`` within the shared graphs: all a forward path can reach."""
    seen = set() if seen is None else seen
    stack = [o for o in objects if o in index and o not in seen]
    seen.update(stack)
    add = data.add
    while stack:
        node = stack.pop()
        for triple in index[node]:
            add(triple)
            obj = triple[2]
            if obj in index and obj not in seen:
                seen.add(obj)
                stack.append(obj)


def _load(indices: Iterable[int], state: _Shared, data: Graph, outcome: _BatchOutcome) -> set[Node]:
    """Copy source graphs into ``data``; note their roots and common triples; return referenced nodes."""
    add = data.add
    referenced: set[Node] = set()
    for i in indices:
        name, graph = state.corpus.source(i)
        subjects = set()
        for triple in graph:
            add(triple)
            subjects.add(triple[0])
            obj = triple[2]
            if not isinstance(obj, Literal):
                referenced.add(obj)
        outcome.triples += len(graph)
        for subject in subjects:
            if isinstance(subject, BNode):
                continue
            root = local_root(subject)
            if root is None or subject in state.index:
                outcome.common.update(graph.triples((subject, None, None)))
            elif root == str(subject):
                outcome.names.setdefault(root, name)
                if is_letter_root(root):
                    outcome.roots.setdefault(root, []).append(i)
    return referenced


def _is_local(node: Node, state: _Shared) -> bool:
    if isinstance(node, BNode):
        return node not in state.index
    return local_root(node) is not None and node not in state.index


def _run_batch(bounds: tuple[int, int]) -> _BatchOutcome:
    state = _STATE
    assert state is not None, "worker started without shared state"
    outcome = _BatchOutcome()
    data = PreparedQueryGraph()
    referenced = _load(range(*bounds), state, data, outcome)
    _add_closure(data, referenced, state.index)
    for result in state.runner.run(data, keep=lambda node: _is_local(node, state)):
        outcome.results.append(locate(result, data, outcome.names, state.provenance))
    return outcome


def _common_pass(state: _Shared, common: set[tuple]) -> list[ValidationResult]:
    """Validate the shared graphs plus every triple the source graphs state about common nodes, together."""
    data = PreparedQueryGraph()
    for triples in state.index.values():
        for triple in triples:
            data.add(triple)
    for triple in common:
        data.add(triple)
    return [locate(r, data, {}, state.provenance)
            for r in state.runner.run(data, keep=lambda node: not _is_local(node, state))]


def _root_of(node: Node, data: Graph) -> str | None:
    """The letter a local node belongs to; a blank node belongs to the letter of the resource pointing at it."""
    for _ in range(6):
        if not isinstance(node, BNode):
            return local_root(node)
        parent = next(iter(data.subjects(None, node)), None)
        if parent is None:
            return None
        node = parent
    return None


def _duplicates_pass(state: _Shared, duplicated: dict[str, list[int]],
                     common: set[tuple]) -> list[ValidationResult]:
    """Validate together every source graph that mints one of the ``duplicated`` letters."""
    indices = sorted({i for graphs in duplicated.values() for i in graphs})
    outcome = _BatchOutcome()
    data = PreparedQueryGraph()
    referenced = _load(indices, state, data, outcome)
    for triple in common:
        data.add(triple)
    _add_closure(data, referenced | {t[2] for t in common}, state.index)
    def keep(node: Node) -> bool:
        return _is_local(node, state) and _root_of(node, data) in duplicated

    return [locate(r, data, outcome.names, state.provenance) for r in state.runner.run(data, keep=keep)]


def validate_corpus(corpus: GraphCorpus, runner: ShapesRunner, *, workers: int | None = None,
                    batch_size: int = DEFAULT_BATCH_SIZE,
                    provenance: Provenance | None = None) -> tuple[list[ValidationResult], dict]:
    """Validate a corpus in batches; return the results (sorted, unique) and a few counts for the report."""
    global _STATE
    state = _Shared(runner, corpus, _index_shared(corpus.shared), provenance or Provenance())
    total = len(corpus)
    bounds = [(start, min(start + batch_size, total)) for start in range(0, total, batch_size)]
    workers = max(1, min(workers or os.cpu_count() or 1, len(bounds) or 1))
    _STATE = state
    try:
        if workers == 1 or len(bounds) <= 1:
            outcomes: Iterable[_BatchOutcome] = map(_run_batch, bounds)
            results, common, roots, triples = _merge(outcomes)
        else:
            with multiprocessing.get_context("fork").Pool(workers) as pool:
                results, common, roots, triples = _merge(pool.imap_unordered(_run_batch, bounds))
        duplicated = {root: graphs for root, graphs in roots.items() if len(graphs) > 1}
        if duplicated:
            results = {k: r for k, r in results.items() if str(r.document) not in duplicated}
            _keep(results, _duplicates_pass(state, duplicated, common))
        _keep(results, _common_pass(state, common))
    finally:
        _STATE = None
    ordered = sorted(results.values(), key=sort_key)
    stats = {"source_graphs": total, "batches": len(bounds), "workers": workers, "source_triples": triples,
             "documents": len(roots), "duplicated_documents": sorted(duplicated)}
    return ordered, stats


def _merge(outcomes: Iterable[_BatchOutcome]):
    results: dict[tuple, ValidationResult] = {}
    common: set[tuple] = set()
    roots: dict[str, list[int]] = {}
    triples = 0
    for outcome in outcomes:
        _keep(results, outcome.results)
        common |= outcome.common
        for root, graphs in outcome.roots.items():
            roots.setdefault(root, []).extend(graphs)
        triples += outcome.triples
    return results, common, roots, triples


def _keep(results: dict[tuple, ValidationResult], new: Iterable[ValidationResult]) -> None:
    for result in new:
        old = results.get(result.key)
        if old is None or (old.source_file is None and result.source_file is not None):
            results[result.key] = result


def sort_key(result: ValidationResult) -> tuple:
    return (result.source_file or "~", str(result.document or "~"), result.line or 0, str(result.focus),
            str(result.path), str(result.component), result.message)


def validate_union(named_graphs: Iterable[NamedGraph], runner: ShapesRunner) -> list[ValidationResult]:
    """The reference answer: every graph merged into one rdflib graph, validated in one pyshacl run."""
    data = PreparedQueryGraph()
    for _name, graph in named_graphs:
        for triple in graph:
            data.add(triple)
    return sorted((replace(r) for r in runner.run(data)), key=sort_key)
