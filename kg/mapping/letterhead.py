"""The letterhead: an inscription on the sheet, known to us from an editorial note ("On the letterhead: ...").

The printed letterhead is Russian; what we have is the English translation quoted in the note. So the sheet
carries an ``E34_Inscription`` (Russian, content unknown to us) that ``P73_has_translation`` an English E33
holding
the quoted words; both refer to what the mention finder recognises in them (e.g. the People's Commissariat of
Finance), and the note refers to the inscription.
"""

from __future__ import annotations

import re

from rdflib import Graph, URIRef

from kg.mapping.appellations import en
from kg.mapping.context import MappingContext
from kg.mapping.edition import LANGUAGES
from kg.mapping.namespaces import CRM, KGT, RDF, RDFS, new_graph
from kg.mentions import scan
from kg.records import Note

_LETTERHEAD = re.compile(r"^\s*(?:Written\s+)?on\s+(?:the\s+|a\s+)?letterhead\s*(?:of\s*)?[:,]?\s*(.+)$",
                         re.IGNORECASE | re.DOTALL)
_QUOTED = re.compile(r"[\"“«](.+?)[\"”»]", re.DOTALL)


def letterhead_text(note: Note) -> str | None:
    """The letterhead's words from a note such as ``On the letterhead: "People's Commissar for ..."``."""
    match = _LETTERHEAD.match(note.text)
    if not match:
        return None
    rest = match.group(1).strip()
    quoted = _QUOTED.search(rest)
    text = quoted.group(1) if quoted else rest
    text = text.strip()
    return text[:-1].rstrip() if text.endswith(".") else text


def make_e34_letterhead(item: URIRef, note_uri: URIRef, text: str, ctx: MappingContext, *,
                        into: Graph | None = None) -> Graph:
    graph = new_graph() if into is None else into
    letterhead = URIRef(f"{item}/letterhead")
    english = URIRef(f"{letterhead}/en")
    graph.add((item, CRM["P128_carries"], letterhead))
    graph.add((letterhead, RDF.type, CRM["E34_Inscription"]))
    graph.add((letterhead, CRM["P2_has_type"], KGT.letterhead))
    graph.add((letterhead, RDFS.label, en(f"Letterhead: {text}")))
    graph.add((letterhead, CRM["P72_has_language"], LANGUAGES["ru"]))
    graph.add((letterhead, CRM["P73_has_translation"], english))
    graph.add((english, RDF.type, CRM["E33_Linguistic_Object"]))
    graph.add((english, RDFS.label, en(f"Letterhead (English): {text}")))
    graph.add((english, CRM["P190_has_symbolic_content"], en(text)))
    graph.add((english, CRM["P72_has_language"], LANGUAGES["en"]))
    graph.add((note_uri, CRM["P67_refers_to"], letterhead))
    for key in scan(text, ctx.authorities).entity_keys():
        entity = ctx.authorities.get(key)
        graph.add((letterhead, CRM["P67_refers_to"], ctx.entity_uri(entity)))
        graph.add((english, CRM["P67_refers_to"], ctx.entity_uri(entity)))
    return graph
