"""Names, identifiers and notes: the E41/E42 and labelling helpers every other mapping module uses.

Every ``make_*`` function of the mapping adds its triples to the graph given as ``into`` (the graph of the source
file being mapped) and returns that graph; without ``into`` it fills a fresh graph, so each function can still be
called and tested on its own. Adding into one graph instead of merging many small ones is what lets the mapping
scale (issue 10): a merge re-adds every triple, and nested merges re-added each triple four or five times.
"""

from __future__ import annotations

from functools import lru_cache

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from kg.mapping.literals import plain, tagged
from kg.mapping.namespaces import CRM, KGO, RDF, RDFS, XSD, new_graph


def en(text: str) -> Literal:
    """English text: our labels, and the edition's English translation."""
    return tagged(text, "en")


def ru(text: str) -> Literal:
    return tagged(text, "ru")


def lang_of(text: str) -> Literal:
    """A name as printed, tagged Russian when it is written in Cyrillic, else English."""
    return ru(text) if any("\u0400" <= ch <= "\u04ff" for ch in text) else en(text)


@lru_cache(maxsize=4096)
def positive_integer(value: int) -> Literal:
    """``value`` as ``xsd:positiveInteger`` (source lines: a few thousand distinct numbers, made once each)."""
    return Literal(value, datatype=XSD.positiveInteger)


def make_label(subject: URIRef, label: str, label_ru: str | None = None, *, into: Graph | None = None) -> Graph:
    graph = new_graph() if into is None else into
    graph.add((subject, RDFS.label, en(label)))
    if label_ru:
        graph.add((subject, RDFS.label, ru(label_ru)))
    return graph


def make_e42_identifier(subject: URIRef, identifier: URIRef, content: str, id_type: URIRef,
                        label: str | None = None, *, into: Graph | None = None) -> Graph:
    """``subject P1_is_identified_by identifier`` (E42, typed, with its content as a plain string)."""
    graph = new_graph() if into is None else into
    graph.add((subject, CRM["P1_is_identified_by"], identifier))
    graph.add((identifier, RDF.type, CRM["E42_Identifier"]))
    graph.add((identifier, CRM["P2_has_type"], id_type))
    graph.add((identifier, CRM["P190_has_symbolic_content"], plain(content)))
    graph.add((identifier, RDFS.label, en(label or content)))
    return graph


def make_e41_appellation(subject: URIRef, appellation: URIRef, content: str, app_type: URIRef,
                         label: str | None = None, *, into: Graph | None = None) -> Graph:
    """``subject P1_is_identified_by appellation`` (E41, typed): a name or a date as printed."""
    graph = new_graph() if into is None else into
    graph.add((subject, CRM["P1_is_identified_by"], appellation))
    graph.add((appellation, RDF.type, CRM["E41_Appellation"]))
    graph.add((appellation, CRM["P2_has_type"], app_type))
    graph.add((appellation, CRM["P190_has_symbolic_content"], lang_of(content)))
    graph.add((appellation, RDFS.label, en(label or content)))
    return graph


def make_source_line(subject: Node, line: int | None, *, into: Graph | None = None) -> Graph:
    """``kgo:sourceLine``: the 1-based line of the source file the resource was read from (for validation
    reports)."""
    graph = new_graph() if into is None else into
    if line is not None and line > 0:
        graph.add((subject, KGO.sourceLine, positive_integer(line)))
    return graph
