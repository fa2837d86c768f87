"""Where a validation result came from: the letter, the source file and the line an editor should open.

The mapping (``kg/mapping/__init__.py``) states the file once per source graph (the graph IRI
``prov:wasDerivedFrom`` a ``{base}/id/source/{stem}`` resource with ``schema:name``) and a ``kgo:sourceLine`` on
every resource read from a known line: the letter sheet (the document's first line), the time-span (date line),
the text parts, each note, each archival reference. Within a letter every IRI starts with the letter's IRI, so a
focus node is traced up its IRI path (``…/annotation/2/target/1`` → ``…/annotation/2`` → the letter) to the
nearest resource with a line; an annotation takes the line of its note. The report then says "line 21", not
"somewhere in this file".
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import PROV, Namespace
from rdflib.term import Node

from kg.settings import ONTOLOGY_NAMESPACE
from kg.validate.nodes import is_letter_root, local_root
from kg.validate.results import ValidationResult

KGO_NS = ONTOLOGY_NAMESPACE
OA = Namespace("http://www.w3.org/ns/oa#")
SCHEMA = Namespace("https://schema.org/")


@dataclass(frozen=True)
class Provenance:
    """The properties that carry a source file and a line number, in the order they are tried."""

    file_properties: tuple[URIRef, ...] = (PROV.wasDerivedFrom,)
    line_properties: tuple[URIRef, ...] = (URIRef(KGO_NS + "sourceLine"),)
    path_properties: tuple[URIRef, ...] = (SCHEMA.name,)
    #: From a resource without a line of its own to the resource whose line stands for it.
    stand_in_properties: tuple[URIRef, ...] = (OA.hasBody,)
    #: Results about where a sheet is kept point at the archival line: ``{focus}/{suffix}`` carries its line.
    line_of_path: tuple[tuple[URIRef, str], ...] = tuple(
        (URIRef(p), "identifier/archival-reference") for p in (
            "http://www.cidoc-crm.org/cidoc-crm/P46i_forms_part_of",
            "http://www.cidoc-crm.org/cidoc-crm/P1_is_identified_by",
            "http://www.cidoc-crm.org/cidoc-crm/P50_has_current_keeper",
            "https://www.ica.org/standards/RiC/ontology#isOrWasIncludedIn"))


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


def _ancestors(node: Node, root: str | None) -> list[Node]:
    """``…/annotation/2/target/1`` → itself, ``…/annotation/2/target``, ``…/annotation/2``, … up to the letter."""
    if root is None or not isinstance(node, URIRef):
        return []
    text, out = str(node), []
    while len(text) > len(root):
        out.append(URIRef(text))
        text = text.rsplit("/", 1)[0]
    out.append(URIRef(root))
    return out


def _line(data: Graph, nodes: list[Node], prov: Provenance) -> int | None:
    for node in nodes:
        for candidate in [node] + [data.value(node, p) for p in prov.stand_in_properties]:
            if candidate is None:
                continue
            value = _first(data, candidate, prov.line_properties)
            if value is not None:
                try:
                    return int(value)
                except (TypeError, ValueError):
                    continue
    return None


def locate(result: ValidationResult, data: Graph, graph_of: dict[str, URIRef],
           prov: Provenance) -> ValidationResult:
    """The result with ``document``, ``source_file``, ``line`` and ``graph`` filled in where they are known."""
    chain = _owner_chain(data, result.focus)
    root = next((r for r in map(local_root, chain) if r is not None), None)
    document = URIRef(root) if root and is_letter_root(root) else None
    line = None
    if root and isinstance(result.path, URIRef) and isinstance(chain[-1], URIRef):
        suffix = dict(prov.line_of_path).get(result.path)
        if suffix:
            line = _line(data, [URIRef(f"{chain[-1]}/{suffix}")], prov)
    if line is None and root:
        line = _line(data, _ancestors(chain[-1], root), prov)
    graph = graph_of.get(root) if root else None
    source_file = None
    if graph is not None:
        value = _first(data, graph, prov.file_properties)
        source_file = _file_text(data, value, prov) if value is not None else str(graph).rsplit("/", 1)[-1]
    return replace(result, document=document, source_file=source_file, line=line, graph=graph)
