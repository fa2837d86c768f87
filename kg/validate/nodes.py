"""Which graphs are per-source and which nodes belong to one letter: the URI conventions validation relies on."""

from __future__ import annotations

from rdflib import URIRef
from rdflib.term import Node

#: ``{base}/graph/source/{stem}``: one graph per source file (HELPERS.md); every other graph is shared.
SOURCE_GRAPH_MARK = "/graph/source/"
#: ``{base}/id/letter/{key}`` and everything minted below it belong to that one letter.
LOCAL_MARK = "/id/letter/"


def is_source_graph(name: Node) -> bool:
    """A per-source-file graph, as opposed to a shared one (authorities, edition, ontology, Wikidata links)."""
    return SOURCE_GRAPH_MARK in str(name)


def local_root(node: Node) -> str | None:
    """The letter IRI a node belongs to (``…/id/letter/bl1996-009`` for ``…/bl1996-009/note/2``), or None."""
    if not isinstance(node, URIRef):
        return None
    text = str(node)
    at = text.find(LOCAL_MARK)
    if at < 0:
        return None
    end = text.find("/", at + len(LOCAL_MARK))
    return text if end < 0 else text[:end]
