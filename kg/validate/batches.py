"""Validation in batches, in parallel, with the same answer as validating the union of all graphs at once.

pyshacl on one rdflib graph of the whole corpus is linear but heavy (minutes and gigabytes at 100,000 letters),
so the corpus is cut into batches of source graphs and each batch is validated in a forked worker. Four rules
make the batched answer equal to the whole-graph answer (``tests/validate/test_batches.py`` proves it on a
1,000-letter corpus with planted errors):

1. *Local* nodes (blank nodes; IRIs under ``/id/letter/{key}``, ``/id/source/{stem}`` and the source graph's
   own IRI) are described in exactly one source graph. A batch holds its source graphs plus the forward closure,
   in the shared graphs (archives, edition, authorities, ontology, Wikidata links), of every node they reference:
   everything a shape can reach from a local node by following properties forwards. Only local nodes are
   targeted in a batch (``ShapesRunner.run(keep=...)``); shared nodes are there as context.
2. *Common* nodes (every other subject: archive units, persons, ... and anything a source graph says about
   them) are validated once, in a final pass over the shared graphs plus the source graphs' triples about them.
3. A letter minted by two source graphs (the same document on two pages) and letters linked to each other
   (a note of one letter anchored from another) are validated once more together, each connected group in one
   joint pass, and only that pass reports on them.
4. Shapes target by class, by ``sh:targetNode`` or by ``sh:targetSubjectsOf`` (whose focus lives where its
   triple does), never ``sh:targetObjectsOf``; a constraint on a shared node never looks backwards at the
   letters (its pass does not see them).

Each engine fills its own container (``runner.new_data()``): an rdflib graph for turbo and pyshacl, the two plain
dicts of ``kg.validate.index.TripleIndex`` for the compiled engine. Copying the triples into an rdflib graph cost
6 s of a 19 s profile of 10,000 letters; into the index it costs about 2 µs a triple, read from the source
graph's store directly (``triples_of``: rdflib's ``Graph.__iter__`` alone costs about 1 µs a triple).
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from kg.mapping.triples import triples_of
from kg.memory import without_collector
from kg.validate.engine import Runner
from kg.validate.index import BLANK, IRI, LITERAL, TripleIndex, kind
from kg.validate.nodes import LETTER_MARK, is_letter_root, is_source_graph, local_root
from kg.validate.provenance import Provenance, locate
from kg.validate.results import ValidationResult

DEFAULT_BATCH_SIZE = 200
#: A worker is replaced by a fresh fork after this many batches. Reading the parent's objects updates their
#: reference counts, which copies each page touched into the worker (copy-on-write): with the records as objects,
#: a worker that lived through the whole corpus held a private copy of its half of them (900 MiB at 100,000
#: letters). The records are now kept pickled (``kg.mapping.PackedFiles``), but the shared graphs' index is still
#: read as objects. A new worker faults in again the pages it reads, so not too often either. Measured at 100,000
#: letters (records as objects): every 16 batches 65.6 s and 1.86 GiB (all processes, PSS), every 48 batches
#: 60.1 s and 2.06 GiB; with the records packed, every 16 batches 62.7 s and 1.62 GiB.
BATCHES_PER_WORKER = 16

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

    runner: Runner
    corpus: GraphCorpus
    index: TripleIndex
    provenance: Provenance


@dataclass
class _BatchOutcome:
    results: list[ValidationResult] = field(default_factory=list)
    common: set[tuple] = field(default_factory=set)
    roots: dict[str, list[int]] = field(default_factory=dict)
    names: dict[str, URIRef] = field(default_factory=dict)
    links: set[tuple[str, str]] = field(default_factory=set)
    triples: int = 0


_STATE: _Shared | None = None


def _index_shared(graphs: Iterable[NamedGraph], runner: Runner) -> TripleIndex:
    """The shared graphs as one sealed ``TripleIndex``, every IRI as one instance.

    The shared graphs come from several places (the authorities' mapping, Turtle files such as the ontology),
    and a parsed file has a new ``URIRef`` per occurrence; batches copy these triples over and over, and an
    index keyed by equal but distinct instances falls back to rdflib's Python-level ``__eq__`` on every lookup.
    It is made with the runner's own container when that is a ``TripleIndex`` (the compiled engine), so that a
    batch borrows a shared subject's description whole (``TripleIndex.add_described``) and the pass over the
    shared graphs validates this very index, with no copy.
    """
    one: dict[Node, Node] = {}

    def unified() -> Iterator[tuple[Node, Node, Node]]:
        for _name, graph in graphs:
            for s, p, o in triples_of(graph):
                s, p = one.setdefault(s, s), one.setdefault(p, p)
                yield s, p, one.setdefault(o, o) if type(o) is URIRef else o

    data = runner.new_data()
    index = data if isinstance(data, TripleIndex) else TripleIndex()
    index.add_all(unified())
    return index.seal()


def _add_closure(data: Graph | TripleIndex, objects: Iterable[Node], shared: TripleIndex) -> None:
    """Add the forward closure of ``objects`` within the shared graphs: all a forward path can reach."""
    spo = shared.spo
    stack = [o for o in set(objects) if o in spo]
    seen = set(stack)
    reached: list[Node] = []
    while stack:
        subject = stack.pop()
        reached.append(subject)
        for objects_of in spo[subject].values():
            for obj in objects_of:
                if type(obj) is not Literal and obj in spo and obj not in seen:
                    seen.add(obj)
                    stack.append(obj)
    _add_described(data, shared, reached)


def _add_described(data: Graph | TripleIndex, shared: TripleIndex, subjects: Iterable[Node]) -> None:
    """Add every triple ``shared`` has about ``subjects`` (borrowed a subject at a time by a ``TripleIndex``)."""
    if isinstance(data, TripleIndex):
        data.add_described(shared, subjects)
        return
    for subject in subjects:
        for p, objects in shared.spo.get(subject, {}).items():
            for obj in objects:
                data.add((subject, p, obj))


def _add_triples(data: Graph | TripleIndex, triples: Iterable[tuple]) -> None:
    if isinstance(data, TripleIndex):
        data.add_all(triples)
    else:
        for triple in triples:
            data.add(triple)


def _load(indices: Iterable[int], state: _Shared, data: Graph | TripleIndex, outcome: _BatchOutcome) -> set[Node]:
    """Copy source graphs into ``data``; note their roots and common triples; return referenced nodes.

    Every source triple passes through here once, so the loops test a literal by its exact type before any set
    lookup: hashing an rdflib ``Literal`` runs Python code, hashing an IRI does not."""
    referenced: set[Node] = set()
    root_of: dict[Node, str | None] = {}  # local_root per node: most objects are the letter's own IRIs
    for i in indices:
        name, graph = state.corpus.source(i)
        triples = triples_of(graph)
        _add_triples(data, triples)
        letter_objects = set()
        for obj in {o for _s, _p, o in triples if type(o) is not Literal}:
            obj_kind = kind(obj)
            if obj_kind != LITERAL:
                referenced.add(obj)
                if obj_kind == IRI and LETTER_MARK in obj:
                    letter_objects.add(obj)
        if letter_objects:
            for subject, _predicate, obj in triples:
                if type(obj) is not Literal and obj in letter_objects:
                    for node in (subject, obj):
                        if node not in root_of:
                            root_of[node] = local_root(node)
                    target, source = root_of[obj], root_of[subject]
                    if source is not None and target != source:
                        outcome.links.add((source, target))
        outcome.triples += len(triples)
        common: set[Node] = set()
        for subject in {triple[0] for triple in triples}:
            if kind(subject) == BLANK:
                continue
            root = local_root(subject)
            if root is None or subject in state.index.spo:
                common.add(subject)
            elif root == str(subject):
                outcome.names.setdefault(root, name)
                if is_letter_root(root):
                    outcome.roots.setdefault(root, []).append(i)
        if common:
            outcome.common.update(triple for triple in triples if triple[0] in common)
    return referenced


def _is_local(node: Node, state: _Shared) -> bool:
    if isinstance(node, BNode):
        return node not in state.index.spo
    return local_root(node) is not None and node not in state.index.spo


def _run_batch(bounds: tuple[int, int]) -> _BatchOutcome:
    """One batch, without the cyclic collector: it allocates a few hundred thousand dicts, sets and tuples that
    live until it is done and hold no reference cycles, and every collection would walk them again (about a
    tenth of the validation time)."""
    state = _STATE
    assert state is not None, "worker started without shared state"
    return without_collector(_check_batch, bounds, state)


def _check_batch(bounds: tuple[int, int], state: _Shared) -> _BatchOutcome:
    outcome = _BatchOutcome()
    data = state.runner.new_data()
    referenced = _load(range(*bounds), state, data, outcome)
    _add_closure(data, referenced, state.index)
    for result in state.runner.run(data, keep=lambda node: _is_local(node, state)):
        outcome.results.append(locate(result, data, outcome.names, state.provenance))
    return outcome


def _common_pass(state: _Shared, common: set[tuple]) -> list[ValidationResult]:
    """Validate the shared graphs plus every triple the source graphs state about common nodes, together.

    In this process, in one pass, after the batches, on the shared index itself when no source graph states
    anything about a common node (the usual case: the mapping states such things in the shared graphs), else on
    a copy with those triples added. Measured at 100,000 letters and dropped: the pass as the pool's first task,
    beside the batches (2-3 s sooner, but the pages of the shared index and its terms that a worker reads are
    copied into it, 640 MiB, and the validation peaked at 1.94-2.06 GiB); in this process's main thread while
    the workers run (68 s instead of 55: its writes copied the pages it shares with them); every worker
    targeting a share of the nodes over all the data (380 MiB more at 30,000 letters); and chunks of nodes each
    with its forward closure and what points back at it (6.9 s instead of 6.2 s, 2.45 GiB instead of 1.66 GiB).
    """
    return without_collector(_check_common, state, common)


def _check_common(state: _Shared, common: set[tuple]) -> list[ValidationResult]:
    data = state.runner.new_data()
    if isinstance(data, TripleIndex) and not common:
        data = state.index  # validated as it is: nothing to add
    else:
        _add_described(data, state.index, state.index.spo)
        _add_triples(data, common)
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


def _entangled(roots: dict[str, list[int]], links: set[tuple[str, str]]) -> list[set[str]]:
    """Letters that must be validated together: one minted by several graphs, or linked to another letter (a
    note anchored from another letter is referred to twice — visible only with both letters in one graph).
    Returned as connected components, so each joint pass stays as small as the entanglement."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for root, graphs in roots.items():
        if len(graphs) > 1:
            find(root)
    for source, target in links:
        if target in roots and source in roots:
            parent[find(source)] = find(target)
    components: dict[str, set[str]] = {}
    for root in parent:
        components.setdefault(find(root), set()).add(root)
    return sorted(components.values(), key=min)


def _joint_pass(state: _Shared, entangled: dict[str, list[int]],
                common: set[tuple]) -> list[ValidationResult]:
    """Validate together every source graph that mints one of the ``entangled`` letters."""
    indices = sorted({i for graphs in entangled.values() for i in graphs})
    outcome = _BatchOutcome()
    data = state.runner.new_data()
    referenced = _load(indices, state, data, outcome)
    _add_triples(data, common)
    _add_closure(data, referenced | {t[2] for t in common}, state.index)
    def keep(node: Node) -> bool:
        return _is_local(node, state) and _root_of(node, data) in entangled

    return [locate(r, data, outcome.names, state.provenance) for r in state.runner.run(data, keep=keep)]


def validate_corpus(corpus: GraphCorpus, runner: Runner, *, workers: int | None = None,
                    batch_size: int = DEFAULT_BATCH_SIZE,
                    provenance: Provenance | None = None) -> tuple[list[ValidationResult], dict]:
    """Validate a corpus in batches; return the results (sorted, unique) and a few counts for the report."""
    global _STATE
    clock = _Clock()
    state = _Shared(runner, corpus, without_collector(_index_shared, corpus.shared, runner), provenance or Provenance())
    clock.lap("shared index")
    total = len(corpus)
    bounds = [(start, min(start + batch_size, total)) for start in range(0, total, batch_size)]
    workers = max(1, min(workers or os.cpu_count() or 1, len(bounds) or 1))
    _STATE = state
    try:
        if workers == 1 or len(bounds) <= 1:
            outcomes: Iterable[_BatchOutcome] = map(_run_batch, bounds)
            results, common, roots, links, triples = _merge(outcomes)
        else:
            with multiprocessing.get_context("fork").Pool(workers, maxtasksperchild=BATCHES_PER_WORKER) as pool:
                results, common, roots, links, triples = _merge(pool.imap_unordered(_run_batch, bounds))
        clock.lap("batches")
        duplicated = sorted(root for root, graphs in roots.items() if len(graphs) > 1)
        components = _entangled(roots, links)
        entangled = {root for component in components for root in component}
        if entangled:
            results = {k: r for k, r in results.items() if str(r.document) not in entangled}
            for component in components:
                _keep(results, _joint_pass(state, {root: roots[root] for root in component}, common))
        clock.lap("joint passes")
        _keep(results, _common_pass(state, common))
        clock.lap("common pass")
    finally:
        _STATE = None
    ordered = sorted(results.values(), key=sort_key)
    clock.lap("sorting results")
    stats = {"source_graphs": total, "batches": len(bounds), "workers": workers, "source_triples": triples,
             "documents": len(roots), "duplicated_documents": duplicated,
             "jointly_validated_documents": len(entangled), "common_triples": len(common),
             "seconds": clock.laps}
    return ordered, stats


class _Clock:
    """Wall seconds per step of a validation, for the benchmark and ``kg validate``'s statistics."""

    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, step: str) -> None:
        now = time.perf_counter()
        self.laps[step] = round(now - self._last, 3)
        self._last = now


def _merge(outcomes: Iterable[_BatchOutcome]):
    results: dict[tuple, ValidationResult] = {}
    common: set[tuple] = set()
    roots: dict[str, list[int]] = {}
    links: set[tuple[str, str]] = set()
    triples = 0
    for outcome in outcomes:
        _keep(results, outcome.results)
        common |= outcome.common
        links |= outcome.links
        for root, graphs in outcome.roots.items():
            roots.setdefault(root, []).extend(graphs)
        triples += outcome.triples
    return results, common, roots, links, triples


def _keep(results: dict[tuple, ValidationResult], new: Iterable[ValidationResult]) -> None:
    for result in new:
        old = results.get(result.key)
        if old is None or (old.source_file is None and result.source_file is not None):
            results[result.key] = result


def sort_key(result: ValidationResult) -> tuple:
    return (result.source_file or "~", str(result.document or "~"), result.line or 0, str(result.focus),
            str(result.path), str(result.component), result.message)


def validate_union(named_graphs: Iterable[NamedGraph], runner: Runner) -> list[ValidationResult]:
    """The reference answer: every graph merged into one rdflib graph, validated in one pyshacl run."""
    data = runner.new_data()
    for _name, graph in named_graphs:
        _add_triples(data, triples_of(graph))
    return sorted((replace(r) for r in runner.run(data)), key=sort_key)
