"""Every RDF namespace the project writes, in one place.

The mapping, the shapes, the server and the tests import prefixes from here so that a vocabulary IRI is
spelled
exactly once. Our own vocabulary (``kgo:``) and its types (``kgt:``) live at fixed IRIs that do not follow the
deployment's base URI: a vocabulary term must mean the same thing wherever the data is published.
"""

from __future__ import annotations

from rdflib import Graph, Namespace, URIRef
from rdflib import namespace as _rdflib

from kg.mapping.triples import light_graph
from kg.settings import ONTOLOGY_NAMESPACE


class TermNamespace(Namespace):
    """A ``Namespace`` that mints each term once (``CRM["P2_has_type"]`` is then a dict lookup).

    The mapping names the same few hundred terms millions of times; minting a fresh ``URIRef`` each time cost
    time and kept one copy of the IRI per triple in memory. Otherwise an ordinary ``Namespace``."""

    def term(self, name: str) -> URIRef:
        if not isinstance(name, str):  # a slice: Namespace.term handles it, nothing to remember
            return super().term(name)
        terms = self.__dict__.setdefault("_terms", {})
        try:
            return terms[name]
        except KeyError:
            term = terms[name] = self._mint(name)
            return term

    def _mint(self, name: str) -> URIRef:
        return super().term(name)

    def __getitem__(self, key: str) -> URIRef:  # type: ignore[override]
        return self.term(key)

    def __getattr__(self, name: str) -> URIRef:
        if name.startswith("__"):  # not a term: Python asking for a special attribute
            raise AttributeError(name)
        term = self.__dict__[name] = self.term(name)  # found as a plain attribute from now on
        return term


class ClosedNamespace(TermNamespace):
    """One of rdflib's closed vocabularies (``RDF``, ``XSD``…) with its terms remembered as ``TermNamespace``'s.

    rdflib answers ``RDF.type`` through a metaclass that checks the name against the vocabulary on every use
    (0.7 µs, called millions of times by the mapping); here rdflib checks a name the first time only (an
    unknown term fails or warns exactly as rdflib makes it), and later uses are a plain attribute."""

    def __new__(cls, vocabulary: type[_rdflib.DefinedNamespace]) -> ClosedNamespace:
        made = super().__new__(cls, str(vocabulary))
        made.__dict__["_vocabulary"] = vocabulary
        return made

    def _mint(self, name: str) -> URIRef:
        return getattr(self.__dict__["_vocabulary"], name)


CRM = TermNamespace("http://www.cidoc-crm.org/cidoc-crm/")
SCHEMA = TermNamespace("https://schema.org/")
RICO = TermNamespace("https://www.ica.org/standards/RiC/ontology#")
RST = TermNamespace("https://www.ica.org/standards/RiC/vocabularies/recordSetTypes#")
OA = TermNamespace("http://www.w3.org/ns/oa#")
KGO = TermNamespace(ONTOLOGY_NAMESPACE)
#: Our E55 types (a SKOS concept scheme): letter, autograph, fond, editorial note, Julian calendar, ...
KGT = TermNamespace(ONTOLOGY_NAMESPACE.rstrip("#") + "/types#")

OWL = ClosedNamespace(_rdflib.OWL)
PROV = ClosedNamespace(_rdflib.PROV)
RDF = ClosedNamespace(_rdflib.RDF)
RDFS = ClosedNamespace(_rdflib.RDFS)
SKOS = ClosedNamespace(_rdflib.SKOS)
XSD = ClosedNamespace(_rdflib.XSD)

PREFIXES: dict[str, Namespace] = {
    "crm": CRM,
    "schema": SCHEMA,
    "rico": RICO,
    "ric-rst": RST,
    "oa": OA,
    "prov": PROV,
    "skos": SKOS,
    "owl": OWL,
    "rdf": RDF,
    "rdfs": RDFS,
    "xsd": XSD,
    "kgo": KGO,
    "kgt": KGT,
}


def new_graph() -> Graph:
    """An empty graph with our prefixes bound (so serialisations are readable); nothing else.

    It sits on the mapping's light store (``kg.mapping.triples``), and the prefixes are bound in the store, so a
    graph costs next to nothing until it holds triples. Make one per graph that leaves the mapping (one per
    source file, the shared graphs), not per resource: the ``make_*`` functions add to the graph they are given.
    """
    return light_graph(PREFIXES)


__all__ = ["CRM", "KGO", "KGT", "OA", "OWL", "PREFIXES", "PROV", "RDF", "RDFS", "RICO", "RST", "SCHEMA",
           "SKOS", "TermNamespace", "XSD", "new_graph"]
