"""Reading an RDF file as (graph name, graph) pairs, the shape every stage after the mapping takes.

One place for it, because ``kg validate FILE`` and the tests that start from a fixture both need the same answer:
TriG and N-Quads keep their named graphs; a triples-only file becomes one graph named after the file.
"""

from __future__ import annotations

from pathlib import Path

from rdflib import Dataset, Graph, URIRef
from rdflib.util import guess_format


def read_named_graphs(path: Path) -> list[tuple[URIRef, Graph]]:
    """The non-empty named graphs of ``path``, each copied into a plain graph of its own."""
    fmt = guess_format(str(path)) or "turtle"
    if fmt not in {"trig", "nquads"}:
        graph = Graph()
        graph.parse(path, format=fmt)
        return [(URIRef(Path(path).resolve().as_uri()), graph)]
    dataset = Dataset()
    dataset.parse(path, format=fmt)
    named = []
    for graph in dataset.graphs():
        if len(graph) and isinstance(graph.identifier, URIRef):
            copy = Graph()
            for triple in graph:
                copy.add(triple)
            named.append((URIRef(graph.identifier), copy))
    return named
