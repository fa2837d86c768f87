"""Where a validation result came from: the letter, the source file and the line an editor should open.

The mapping states on every letter which file it was read from and at which line, and on some sub-resources
(a note, an archival reference, the date) the line of that element. A result's focus node is traced to the
nearest node that carries a line (itself, the resource that points at it, or its letter), so the report can say
"line 7" rather than "somewhere in this file".
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import PROV
from rdflib.term import Node

from kg.settings import ONTOLOGY_NAMESPACE
from kg.validate.nodes import local_root
from kg.validate.results import ValidationResult

KGO_NS = ONTOLOGY_NAMESPACE


@dataclass(frozen=True)
class Provenance:
    """The properties that carry a source file and a line number, in the order they are tried."""

    file_properties: tuple[URIRef, ...] = (URIRef(KGO_NS + "sourceFile"), PROV.hadPrimarySource,
                                           PROV.wasDerivedFrom)
    line_properties: tuple[URIRef, ...] = (URIRef(KGO_NS + "sourceLine"),)
    path_properties: tuple[URIRef, ...] = (URIRef(KGO_NS + "sourcePath"), URIRef(KGO_NS + "path"))


def _owner_chain(data: Graph, node: Node, limit: int = 6) -> list[Node]:
    """``node``, then the resources pointing at it, up to the first IRI (blank nodes have no place of their own)."""
    chain = [node]
    while isinstance(chain[-1], BNode) and len(chain) < limit:
        parent = next(iter(data.subjects(None, chain[-1])), None)
        if parent is None:
            break
        chain.append(parent)
    return chain


def _first(data: Graph, node: Node, properties: tuple[URIRef, ...]) -> Node | None:
    for prop in properties:
        value = data.value(node, prop, any=True)
        if value is not None:
            return value
    return None


def _file_text(data: Graph, value: Node, prov: Provenance) -> str:
    if isinstance(value, Literal):
        return str(value)
    path = _first(data, value, prov.path_properties)
    if path is not None:
        return str(path)
    text = str(value)
    return text[len("file://"):] if text.startswith("file://") else text


def locate(result: ValidationResult, data: Graph, graph_of: dict[str, URIRef],
           prov: Provenance) -> ValidationResult:
    """The result with ``document``, ``source_file``, ``line`` and ``graph`` filled in where they are known."""
    chain = _owner_chain(data, result.focus)
    root = next((r for r in map(local_root, chain) if r is not None), None)
    document = URIRef(root) if root else None
    candidates = chain + ([document] if document is not None and document not in chain else [])
    line = None
    for node in candidates:
        value = _first(data, node, prov.line_properties)
        if value is not None:
            try:
                line = int(value)
            except (TypeError, ValueError):
                continue
            break
    source_file = None
    for node in candidates:
        value = _first(data, node, prov.file_properties)
        if value is not None:
            source_file = _file_text(data, value, prov)
            break
    graph = graph_of.get(root) if root else None
    if source_file is None and graph is not None:
        source_file = str(graph).rsplit("/", 1)[-1]
    return replace(result, document=document, source_file=source_file, line=line, graph=graph)
