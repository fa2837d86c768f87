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
    """The triples of one document, indexed for the page builders."""

    iri: str
    members: list[str]
    triples: list[ox.Triple]
    out: dict[str, list[tuple[str, Term]]] = field(default_factory=dict)
    incoming: list[tuple[Term, str]] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    #: The enrichment triples about the resource's linked Wikidata items (also in ``triples``).
    wikidata: list[ox.Triple] = field(default_factory=list)

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


def exists(store, iri: str) -> bool:
    return queries.ask(store, "exists", this=iri)


def sub_resources(store, iri: str) -> list[str]:
    """The resource, then the IRIs under its URI path reachable from it (breadth first), sorted."""
    members = {iri}
    frontier = [iri]
    for _ in range(MAX_DEPTH):
        if not frontier or len(members) >= MAX_MEMBERS:
            break
        rows = queries.select(store, "neighbours", root=iri, these=frontier)
        found = sorted({row["n"].value for row in rows} - members)
        members.update(found)
        frontier = found
    return [iri] + sorted(members - {iri})[:MAX_MEMBERS]


def gather(store, iri: str, *, known: bool = False) -> Document | None:
    """The document of ``iri``, or ``None`` when the graph says nothing about it (``known``: the caller has
    just checked that it does, which saves a query)."""
    if not known and not exists(store, iri):
        return None
    members = sub_resources(store, iri)
    triples = set(queries.construct(store, "describe", these=members))
    triples.update(queries.construct(store, "incoming", this=iri))
    items = linked_items(iri, ((t.subject.value, t.predicate.value, t.object.value) for t in triples
                               if isinstance(t.subject, ox.NamedNode) and isinstance(t.object, ox.NamedNode)))
    enrichment = _sorted(set(queries.construct(store, "wikidata_facts", items=items))) if items else []
    triples.update(enrichment)
    doc = index(iri, members, _sorted(triples))
    doc.wikidata = enrichment
    return doc


def _sorted(triples) -> list[ox.Triple]:
    return sorted(triples, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def index(iri: str, members: list[str], triples: list[ox.Triple]) -> Document:
    doc = Document(iri=iri, members=members, triples=triples)
    out: dict[str, list[tuple[str, Term]]] = defaultdict(list)
    label_candidates: dict[str, list[Term]] = defaultdict(list)
    for t in triples:
        s, p, o = term_of(t.subject), t.predicate.value, term_of(t.object)
        out[s.value].append((p, o))
        if o.is_iri and o.value == iri and s.value not in members:
            doc.incoming.append((s, p))
        if p in LABEL_PREDICATES and o.kind == "literal":
            label_candidates[s.value].append(o)
    doc.out = dict(out)
    for subject, literals in label_candidates.items():
        if ITEM_IRI.match(subject):
            continue  # a Wikidata item is shown by its Q-id: its labels are Wikidata's word, shown as such
        # rdfs:label first: it is the project's display label; schema:name and skos:prefLabel fill gaps.
        by_pred = [lit for p, lit in out[subject] if p == RDFS_LABEL] or literals
        doc.labels[subject] = best_label(by_pred)
    return doc
