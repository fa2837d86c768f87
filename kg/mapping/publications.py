"""Earlier publications of a letter (a journal issue, a volume), cited after its archival reference."""

from __future__ import annotations

from rdflib import Graph, URIRef

from kg.mapping.appellations import en
from kg.mapping.namespaces import CRM, KGT, RDF, RDFS, SCHEMA, new_graph


def make_e33_publication(publication: URIRef, citation: str, text: URIRef, *, into: Graph | None = None) -> Graph:
    """A publication that incorporates the letter's text, identified by its citation as printed."""
    graph = new_graph() if into is None else into
    cited = en(citation)
    graph.add((publication, RDF.type, CRM["E33_Linguistic_Object"]))
    graph.add((publication, RDF.type, SCHEMA.CreativeWork))
    graph.add((publication, CRM["P2_has_type"], KGT["earlier-publication"]))
    graph.add((publication, RDFS.label, cited))
    graph.add((publication, SCHEMA.citation, cited))
    graph.add((publication, CRM["P165_incorporates"], text))
    graph.add((text, SCHEMA.workExample, publication))
    return graph
