"""Names, identifiers and notes: the E41/E42 and labelling helpers every other mapping module uses."""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from kg.mapping.namespaces import CRM, KGO, RDF, RDFS, XSD, new_graph


def en(text: str) -> Literal:
    """English text: our labels, and the edition's English translation."""
    return Literal(text, lang="en")


def ru(text: str) -> Literal:
    return Literal(text, lang="ru")


def lang_of(text: str) -> Literal:
    """A name as printed, tagged Russian when it is written in Cyrillic, else English."""
    return ru(text) if any("\u0400" <= ch <= "\u04ff" for ch in text) else en(text)


def make_label(subject: URIRef, label: str, label_ru: str | None = None) -> Graph:
    graph = new_graph()
    graph.add((subject, RDFS.label, en(label)))
    if label_ru:
        graph.add((subject, RDFS.label, ru(label_ru)))
    return graph


def make_e42_identifier(subject: URIRef, identifier: URIRef, content: str, id_type: URIRef,
                        label: str | None = None) -> Graph:
    """``subject P1_is_identified_by identifier`` (E42, typed, with its content as a plain string)."""
    graph = new_graph()
    graph.add((subject, CRM["P1_is_identified_by"], identifier))
    graph.add((identifier, RDF.type, CRM["E42_Identifier"]))
    graph.add((identifier, CRM["P2_has_type"], id_type))
    graph.add((identifier, CRM["P190_has_symbolic_content"], Literal(content)))
    graph.add((identifier, RDFS.label, en(label or content)))
    return graph


def make_e41_appellation(subject: URIRef, appellation: URIRef, content: str, app_type: URIRef,
                         label: str | None = None) -> Graph:
    """``subject P1_is_identified_by appellation`` (E41, typed): a name or a date as printed."""
    graph = new_graph()
    graph.add((subject, CRM["P1_is_identified_by"], appellation))
    graph.add((appellation, RDF.type, CRM["E41_Appellation"]))
    graph.add((appellation, CRM["P2_has_type"], app_type))
    graph.add((appellation, CRM["P190_has_symbolic_content"], lang_of(content)))
    graph.add((appellation, RDFS.label, en(label or content)))
    return graph


def make_source_line(subject: Node, line: int | None) -> Graph:
    """``kgo:sourceLine``: the 1-based line of the source file the resource was read from (for validation
    reports)."""
    graph = new_graph()
    if line is not None and line > 0:
        graph.add((subject, KGO.sourceLine, Literal(line, datatype=XSD.positiveInteger)))
    return graph
