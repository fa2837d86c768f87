"""A light rdflib store for the mapping's graphs: written once, read a few times, then dropped.

Why not rdflib's default ``Memory`` store: it keeps three nested indexes plus a record of contexts for every
triple from the first ``add``, which costs about 12 µs and 1 KB per triple — at 100,000 letters (17 million
triples) more time and memory than the whole build may take. The mapping adds every triple once and its
consumers mostly iterate (validation copies the triples into its own graph, publishing writes them out), so
this store keeps the triples in one insertion-ordered dict (about 0.3 µs and 120 bytes a triple) and builds
indexes by subject, predicate and object only when a pattern is first asked for (``graph.value``, ``in``,
SPARQL). Iteration order is insertion order: deterministic, as everything the build writes must be.

It is an ordinary rdflib ``Store``: ``Graph(store=TripleStore())`` behaves as any graph (add, remove, ``+=``,
``len``, patterns, SPARQL, serialisation, pickling). It holds no named graphs (not context-aware), like
rdflib's ``SimpleMemory``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.store import Store
from rdflib.term import Node

Triple = tuple[Node, Node, Node]
_NO_CONTEXTS: tuple = ()
#: The term classes the mapping makes; ``Graph.add`` checks terms with ``isinstance`` against an abstract base
#: class, which cost a quarter of the mapping's time, so :class:`LightGraph` checks the exact type first.
_TERM_TYPES = frozenset({URIRef, Literal, BNode})


class TripleStore(Store):
    """The triples of one graph in an insertion-ordered dict, indexed lazily on the first pattern query."""

    context_aware = False
    formula_aware = False
    transaction_aware = False
    graph_aware = False

    def __init__(self, configuration: Any = None, identifier: Any = None) -> None:
        super().__init__(configuration)
        self.identifier = identifier
        self._triples: dict[Triple, None] = {}
        #: subject / predicate / object → the triples having it there; ``None`` until a pattern is asked for.
        self._index: tuple[dict[Node, list[Triple]], ...] | None = None
        self._namespace: dict[str, URIRef] = {}
        self._prefix: dict[URIRef, str] = {}

    # --- writing
    def add(self, triple: Triple, context: Any = None, quoted: bool = False) -> None:
        if triple in self._triples:
            return
        self._triples[triple] = None
        if self._index is not None:
            for position, index in enumerate(self._index):
                index.setdefault(triple[position], []).append(triple)

    def addN(self, quads: Iterable[tuple[Node, Node, Node, Any]]) -> None:  # noqa: N802 (rdflib's name)
        add = self.add
        for s, p, o, _context in quads:
            add((s, p, o))

    def add_triples(self, triples: Iterable[Triple]) -> None:
        """Add plain ``(s, p, o)`` tuples, checked only by the caller (the mapping makes rdflib terms)."""
        if self._index is None:
            self._triples.update(dict.fromkeys(triples))
        else:
            for triple in triples:
                self.add(triple)

    def remove(self, triple_pattern: tuple, context: Any = None) -> None:
        doomed = [triple for triple, _ in self.triples(triple_pattern)]
        for triple in doomed:
            del self._triples[triple]
        if doomed:
            self._index = None  # rebuilt on the next pattern query

    # --- reading
    def _indexes(self) -> tuple[dict[Node, list[Triple]], ...]:
        if self._index is None:
            index: tuple[dict[Node, list[Triple]], ...] = ({}, {}, {})
            by_s, by_p, by_o = index
            for triple in self._triples:
                s, p, o = triple
                by_s.setdefault(s, []).append(triple)
                by_p.setdefault(p, []).append(triple)
                by_o.setdefault(o, []).append(triple)
            self._index = index
        return self._index

    def triples(self, triple_pattern: tuple, context: Any = None) -> Iterator[tuple[Triple, Iterator]]:
        s, p, o = triple_pattern
        if s is None and p is None and o is None:
            candidates: Iterable[Triple] = list(self._triples)  # a copy: callers may add while iterating
        elif s is not None and p is not None and o is not None:
            candidates = [(s, p, o)] if (s, p, o) in self._triples else []
        else:
            bound = [(len(found), found) for found in (
                self._indexes()[position].get(term, ()) for position, term in enumerate((s, p, o))
                if term is not None)]
            candidates = min(bound, key=lambda item: item[0])[1]
            candidates = [t for t in candidates if (s is None or t[0] == s) and (p is None or t[1] == p)
                          and (o is None or t[2] == o)]
        for triple in candidates:
            yield triple, iter(_NO_CONTEXTS)

    def snapshot(self) -> list[Triple]:
        """Every triple in insertion order, copied in one C-level call: ``triples`` yields them one at a time,
        each with its contexts, which cost validation about 4 % of a batch (:func:`triples_of`)."""
        return list(self._triples)

    def __len__(self, context: Any = None) -> int:
        return len(self._triples)

    def contexts(self, triple: Any = None) -> Iterator:
        return iter(_NO_CONTEXTS)

    # --- prefixes (as rdflib's SimpleMemory keeps them)
    def bind(self, prefix: str, namespace: URIRef, override: bool = True) -> None:
        bound_namespace = self._namespace.get(prefix)
        bound_prefix = self._prefix.get(namespace)
        if bound_prefix is None and bound_namespace is not None:
            bound_prefix = self._prefix.get(bound_namespace)
        if override:
            if bound_prefix is not None:
                del self._namespace[bound_prefix]
            if bound_namespace is not None:
                del self._prefix[bound_namespace]
            self._prefix[namespace] = prefix
            self._namespace[prefix] = namespace
        else:
            namespace_kept = bound_namespace if bound_namespace is not None else namespace
            prefix_kept = bound_prefix if bound_prefix is not None else prefix
            self._prefix[namespace_kept] = prefix_kept
            self._namespace[prefix_kept] = namespace_kept

    def namespace(self, prefix: str) -> URIRef | None:
        return self._namespace.get(prefix)

    def prefix(self, namespace: URIRef) -> str | None:
        return self._prefix.get(namespace)

    def namespaces(self) -> Iterator[tuple[str, URIRef]]:
        yield from list(self._namespace.items())


class LightGraph(Graph):
    """A ``Graph`` whose ``add`` goes straight to the store when the three terms are plain ``URIRef``,
    ``Literal`` or ``BNode`` (anything else takes rdflib's checks, as before)."""

    def add(self, triple: Triple) -> LightGraph:  # type: ignore[override]
        s, p, o = triple
        if type(s) in _TERM_TYPES and type(p) in _TERM_TYPES and type(o) in _TERM_TYPES:
            self.store.add((s, p, o), self, quoted=False)
            return self
        return super().add(triple)


def light_graph(prefixes: dict[str, str] | None = None) -> Graph:
    """An empty graph on a :class:`TripleStore`, with ``prefixes`` bound in the store (no namespace manager is
    made until someone serialises the graph, so binding costs nothing)."""
    store = TripleStore()
    for prefix, namespace in (prefixes or {}).items():
        store.bind(prefix, URIRef(str(namespace)))
    return LightGraph(store=store, bind_namespaces="none")


def triples_of(graph: Graph) -> list[tuple[Node, Node, Node]]:
    """The triples of ``graph`` as a list, from its store directly when the store holds nothing else (not
    context-aware, as the mapping's ``TripleStore`` and rdflib's ``SimpleMemory``): rdflib's ``Graph.__iter__``
    adds a generator layer that costs about 1 µs a triple, eight times the store's own iteration."""
    store = graph.store
    snapshot = getattr(store, "snapshot", None)  # the mapping's ``TripleStore``: its triples as one list
    if snapshot is not None:
        return snapshot()
    if not store.context_aware:
        return [triple for triple, _contexts in store.triples((None, None, None))]
    return list(graph)
