"""Which graphs are per-source and which nodes belong to one letter: the URI conventions validation relies on."""

from __future__ import annotations

from rdflib import URIRef
from rdflib.term import Node

#: ``{base}/graph/source/{stem}``: one graph per source file (HELPERS.md); every other graph is shared.
SOURCE_GRAPH_MARK = "/graph/source/"
#: ``{base}/id/letter/{key}`` and everything minted below it belong to that one letter; the source file
#: resource ``{base}/id/source/{stem}`` and the graph IRI itself belong to that one source graph.
LETTER_MARK = "/id/letter/"
LOCAL_MARKS = (LETTER_MARK, "/id/source/", SOURCE_GRAPH_MARK)


def is_source_graph(name: Node) -> bool:
    """A per-source-file graph, as opposed to a shared one (authorities, edition, ontology, Wikidata links)."""
    return SOURCE_GRAPH_MARK in str(name)


def local_root(node: Node) -> str | None:
    """The letter (or source) IRI a node belongs to (``…/id/letter/bl1996-009`` for ``…/bl1996-009/note/2``)."""
    if not isinstance(node, URIRef):
        return None
    text = str(node)
    for mark in LOCAL_MARKS:
        at = text.find(mark)
        if at >= 0:
            end = text.find("/", at + len(mark))
            return text if end < 0 else text[:end]
    return None


def is_letter_root(root: str) -> bool:
    return LETTER_MARK in root
