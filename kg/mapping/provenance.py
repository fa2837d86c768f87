"""Provenance: which source file (and which version of it, by SHA-256) a named graph was read from.

Each source file gets one named graph ``{base}/graph/source/{stem}`` and one resource
``{base}/id/source/{stem}``
(``prov:Entity``, ``schema:MediaObject`` with ``schema:sha256``). The graph ``prov:wasDerivedFrom`` the file;
so does
each letter's English text, which is literally the file's words. The letter sheet itself is not derived from a
file (it is in Moscow), so it carries only ``kgo:sourceLine`` for validation reports.
"""

from __future__ import annotations

from pathlib import PurePath

from rdflib import Graph, Literal, URIRef

from kg.mapping.appellations import en
from kg.mapping.literals import plain
from kg.mapping.namespaces import PROV, RDF, RDFS, SCHEMA, new_graph

PLAIN_TEXT = Literal("text/plain")


def make_prov_source(graph_name: URIRef, source: URIRef, path: str, sha256: str | None, *,
                     into: Graph | None = None) -> Graph:
    graph = new_graph() if into is None else into
    graph.add((source, RDF.type, PROV.Entity))
    graph.add((source, RDF.type, SCHEMA.MediaObject))
    graph.add((source, RDFS.label, en(f"Source file {PurePath(path).name}")))
    graph.add((source, SCHEMA.name, plain(PurePath(path).name)))
    graph.add((source, SCHEMA.encodingFormat, PLAIN_TEXT))
    if sha256:
        graph.add((source, SCHEMA.sha256, plain(sha256)))
    graph.add((graph_name, PROV.wasDerivedFrom, source))
    return graph
