"""Every RDF namespace the project writes, in one place.

The mapping, the shapes, the server and the tests import prefixes from here so that a vocabulary IRI is
spelled
exactly once. Our own vocabulary (``kgo:``) and its types (``kgt:``) live at fixed IRIs that do not follow the
deployment's base URI: a vocabulary term must mean the same thing wherever the data is published.
"""

from __future__ import annotations

from rdflib import Graph, Namespace
from rdflib.namespace import OWL, PROV, RDF, RDFS, SKOS, XSD

from kg.settings import ONTOLOGY_NAMESPACE

CRM = Namespace("http://www.cidoc-crm.org/cidoc-crm/")
SCHEMA = Namespace("https://schema.org/")
RICO = Namespace("https://www.ica.org/standards/RiC/ontology#")
RST = Namespace("https://www.ica.org/standards/RiC/vocabularies/recordSetTypes#")
OA = Namespace("http://www.w3.org/ns/oa#")
KGO = Namespace(ONTOLOGY_NAMESPACE)
#: Our E55 types (a SKOS concept scheme): letter, autograph, fond, editorial note, Julian calendar, ...
KGT = Namespace(ONTOLOGY_NAMESPACE.rstrip("#") + "/types#")

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
    """An empty graph with our prefixes bound (so serialisations are readable); nothing else."""
    graph = Graph(bind_namespaces="none")
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph


__all__ = ["CRM", "KGO", "KGT", "OA", "OWL", "PREFIXES", "PROV", "RDF", "RDFS", "RICO", "RST", "SCHEMA",
           "SKOS", "XSD", "new_graph"]
