"""A resource's document: what ``/doc/{key}`` serves in every format and what its HTML page is drawn from.

Following Pubby and LodView, a document holds the resource's own statements, the labels of everything it
points to and the statements pointing at it; and, because our URIs nest (``letter/bl1996-009/sending``), it
also holds the sub-resources under the resource's URI path, so that one document tells the whole letter.

A resource linked to Wikidata (``owl:sameAs wd:Q…``, a statement of the resource) also carries what the build
fetched about that item (``server/pages/wikidata.py``): those triples are about the Wikidata item, its
Wikipedia articles and the fetch activity, never about our resource, so they stay distinguishable in every
format; the page builders read them from ``Document.wikidata`` only.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property

import pyoxigraph as ox

from server.pages import queries
from server.pages.queries import Term, term_of
from server.pages.wikidata import ITEM_IRI, linked_items

RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SCHEMA_NAME = "https://schema.org/name"
SKOS_PREF = "http://www.w3.org/2004/02/skos/core#prefLabel"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL_PREDICATES = (RDFS_LABEL, SCHEMA_NAME, SKOS_PREF)

#: How deep the walk to sub-resources goes (letter → text → text/en → body → target → annotation → note: six).
MAX_DEPTH = 8
#: A cap on sub-resources, so that a pathological graph cannot make one page unbounded.
MAX_MEMBERS = 2000


@dataclass
class Document:
    """The triples of one document, indexed for the page builders when they first ask (``out``, ``incoming``,
    ``labels``): an RDF document (Turtle, JSON-LD…) is written from ``triples`` alone, and indexing a letter's
    was a fifth of its time."""

    iri: str
    members: list[str]
    triples: list[ox.Triple]
    #: The enrichment triples about the resource's linked Wikidata items (also in ``triples``).
    wikidata: list[ox.Triple] = field(default_factory=list)

    @cached_property
    def _index(self) -> tuple[dict[str, list[tuple[str, Term]]], list[tuple[Term, str]], dict[str, str]]:
        return _indexed(self.iri, self.members, self.triples)

    @property
    def out(self) -> dict[str, list[tuple[str, Term]]]:
        """Subject → its (predicate, object) pairs."""
        return self._index[0]

    @property
    def incoming(self) -> list[tuple[Term, str]]:
        """(subject, predicate) of the statements pointing at the resource from outside the document's members."""
        return self._index[1]

    @property
    def labels(self) -> dict[str, str]:
        """Subject → its display label."""
        return self._index[2]

    def values(self, subject: str, predicate: str) -> list[Term]:
        """Objects of ``subject predicate ?o`` (a blank node's id works as the subject too)."""
        return [o for p, o in self.out.get(subject, ()) if p == predicate]

    def value(self, subject: str, predicate: str) -> Term | None:
        found = self.values(subject, predicate)
        return found[0] if found else None

    def subjects(self, predicate: str, obj: str) -> list[str]:
        return sorted(s for s, pairs in self.out.items()
                      for p, o in pairs if p == predicate and o.value == obj)

    def types(self, subject: str) -> set[str]:
        return {o.value for o in self.values(subject, RDF_TYPE)}

    def label(self, iri: str) -> str | None:
        return self.labels.get(iri)


def best_label(literals: list[Term]) -> str | None:
    """English first, then untagged, then any language, each time the alphabetically first (deterministic)."""
    for accept in (lambda t: t.lang == "en", lambda t: not t.lang, lambda t: True):
        chosen = sorted(t.value for t in literals if accept(t))
        if chosen:
            return chosen[0]
    return None


class _Queried:
    """The document's lookups as the queries in ``server/queries/`` (``exists``, ``neighbours``, ``describe``,
    ``incoming``): what any store answers, a remote SPARQL server included (``kg serve --store``)."""

    def __init__(self, store) -> None:
        self.store = store

    def exists(self, iri: str) -> bool:
        return queries.ask(self.store, "exists", this=iri)

    def neighbours(self, root: str, frontier: list[str]) -> set[str]:
        return {row["n"].value for row in queries.select(self.store, "neighbours", root=root, these=frontier)}

    def describe(self, members: list[str]) -> set[ox.Triple]:
        return set(queries.construct(self.store, "describe", these=members))

    def incoming(self, iri: str) -> set[ox.Triple]:
        return set(queries.construct(self.store, "incoming", this=iri))


class _Native(_Queried):
    """The same lookups answered from the embedded store's indexes (``quads_for_pattern``), each exactly what
    its query answers.

    Why: a document took about seven queries, and parsing and planning them cost more than evaluating them:
    7 ms for a letter's Turtle document at 10,000 letters, 8.4 ms of CPU at 100,000.
    ``tests/server/test_documents.py`` checks that both ways give the same triples.
    """

    def __init__(self, store: ox.Store) -> None:
        super().__init__(store)
        self.quads = store.quads_for_pattern

    def exists(self, iri: str) -> bool:
        node = ox.NamedNode(iri)
        return next(iter(self.quads(node, None, None)), None) is not None or \
            next(iter(self.quads(None, None, node)), None) is not None

    def neighbours(self, root: str, frontier: list[str]) -> set[str]:
        """IRIs under ``root/`` linked to the frontier in either direction, directly or through up to two
        blank nodes (``neighbours.rq``)."""
        prefix, found = root + "/", set()
        for iri in frontier:
            this = ox.NamedNode(iri)
            reached = [quad.object for quad in self.quads(this, None, None)]
            for quad in self.quads(None, None, this):
                reached.append(quad.subject)
                if isinstance(quad.subject, ox.BlankNode):
                    for inner in self.quads(None, None, quad.subject):
                        reached.append(inner.subject)
                        if isinstance(inner.subject, ox.BlankNode):
                            reached.extend(outer.subject for outer in self.quads(None, None, inner.subject))
            found.update(n.value for n in reached if isinstance(n, ox.NamedNode) and n.value.startswith(prefix))
        return found

    def _labels(self, node: ox.NamedNode, into: set[ox.Triple], done: set[ox.NamedNode]) -> None:
        """Add the labels of ``node`` to ``into``, once per node (``done``: the nodes already looked up)."""
        if node in done:
            return
        done.add(node)
        for predicate in _LABEL_NODES:
            into.update(quad.triple for quad in self.quads(node, predicate, None))

    def describe(self, members: list[str]) -> set[ox.Triple]:
        """The members' statements, the blank nodes they own (two levels) and the labels of what they point
        to (``describe.rq``)."""
        out: set[ox.Triple] = set()
        labelled: set[ox.NamedNode] = set()
        for iri in members:
            for quad in self.quads(ox.NamedNode(iri), None, None):
                out.add(quad.triple)
                obj = quad.object
                if isinstance(obj, ox.NamedNode):
                    self._labels(obj, out, labelled)
                elif isinstance(obj, ox.BlankNode):
                    for inner in self.quads(obj, None, None):
                        out.add(inner.triple)
                        second = inner.object
                        if isinstance(second, ox.NamedNode):
                            self._labels(second, out, labelled)
                        elif isinstance(second, ox.BlankNode):
                            out.update(quad.triple for quad in self.quads(second, None, None))
        return out

    def incoming(self, iri: str) -> set[ox.Triple]:
        """Statements pointing at ``iri`` from IRIs, with the labels of their subjects (``incoming.rq``)."""
        out: set[ox.Triple] = set()
        labelled: set[ox.NamedNode] = set()
        for quad in self.quads(None, None, ox.NamedNode(iri)):
            if isinstance(quad.subject, ox.NamedNode):
                out.add(quad.triple)
                self._labels(quad.subject, out, labelled)
        return out


_LABEL_NODES = tuple(ox.NamedNode(p) for p in LABEL_PREDICATES)


def _lookups(store) -> _Queried:
    """The embedded pyoxigraph store's indexes (``kg.store.EmbeddedStore.native``), else the queries."""
    native = getattr(store, "native", None)
    return _Native(native) if isinstance(native, ox.Store) else _Queried(store)


def exists(store, iri: str) -> bool:
    return _lookups(store).exists(iri)


def sub_resources(store, iri: str) -> list[str]:
    """The resource, then the IRIs under its URI path reachable from it (breadth first), sorted."""
    lookups = _lookups(store)
    members = {iri}
    frontier = [iri]
    for _ in range(MAX_DEPTH):
        if not frontier or len(members) >= MAX_MEMBERS:
            break
        found = sorted(lookups.neighbours(iri, frontier) - members)
        members.update(found)
        frontier = found
    return [iri] + sorted(members - {iri})[:MAX_MEMBERS]


def gather(store, iri: str, *, known: bool = False) -> Document | None:
    """The document of ``iri``, or ``None`` when the graph says nothing about it (``known``: the caller has
    just checked that it does, which saves a query)."""
    lookups = _lookups(store)
    if not known and not lookups.exists(iri):
        return None
    members = sub_resources(store, iri)
    triples = lookups.describe(members) | lookups.incoming(iri)
    items = linked_items(iri, ((t.subject.value, t.predicate.value, t.object.value) for t in triples
                               if isinstance(t.subject, ox.NamedNode) and isinstance(t.object, ox.NamedNode)))
    enrichment = _sorted(set(queries.construct(store, "wikidata_facts", items=items))) if items else []
    triples.update(enrichment)
    return Document(iri=iri, members=members, triples=_sorted(triples), wikidata=enrichment)


def _sorted(triples) -> list[ox.Triple]:
    return sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def _indexed(iri: str, members: list[str], triples: list[ox.Triple]) \
        -> tuple[dict[str, list[tuple[str, Term]]], list[tuple[Term, str]], dict[str, str]]:
    out: dict[str, list[tuple[str, Term]]] = defaultdict(list)
    incoming: list[tuple[Term, str]] = []
    labels: dict[str, str] = {}
    label_candidates: dict[str, list[Term]] = defaultdict(list)
    member_set = set(members)
    for t in triples:
        s, p, o = term_of(t.subject), t.predicate.value, term_of(t.object)
        out[s.value].append((p, o))
        if o.is_iri and o.value == iri and s.value not in member_set:
            incoming.append((s, p))
        if p in LABEL_PREDICATES and o.kind == "literal":
            label_candidates[s.value].append(o)
    for subject, literals in label_candidates.items():
        if ITEM_IRI.match(subject):
            continue  # a Wikidata item is shown by its Q-id: its labels are Wikidata's word, shown as such
        # rdfs:label first: it is the project's display label; schema:name and skos:prefLabel fill gaps.
        by_pred = [lit for p, lit in out[subject] if p == RDFS_LABEL] or literals
        labels[subject] = best_label(by_pred)
    return dict(out), incoming, labels
