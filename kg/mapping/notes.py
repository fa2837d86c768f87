"""Editorial notes: each an E33 typed "editorial note", and a W3C Web Annotation anchoring it at its marker.

A note marker is a point in the letter; the annotation selects the passage the marker closes (from the start
of
its clause or sentence up to the marker), with a ``TextQuoteSelector`` (exact text plus a little context,
robust to
re-segmentation) and a ``TextPositionSelector`` (character offsets in the body's ``P190`` content) as
alternatives for the same segment, as the Web Annotation model allows. A note whose marker the page lost
targets
the whole English text, except a note describing the sheet (the letterhead), which targets the sheet itself.
"""

from __future__ import annotations

import re

from rdflib import Graph, Literal, URIRef

from kg.mapping.appellations import en, make_source_line
from kg.mapping.archive import holding_uri
from kg.mapping.context import MappingContext
from kg.mapping.edition import LANGUAGES, translation_uri
from kg.mapping.literals import plain
from kg.mapping.namespaces import CRM, KGT, OA, RDF, RDFS, SCHEMA, XSD, new_graph
from kg.mentions import scan
from kg.records import LetterRecord, Marker, Note

CONTEXT_CHARS = 32
_CLAUSE_END = re.compile(r"[.!?;:\n]\s+|\n")
_LIST_NUMBER = re.compile(r"\s*(?:\d{1,2}[.)]|[a-z]\))\s+")


def note_id(note: Note, index: int) -> str:
    """The note's number, or ``u{index}`` for an unnumbered note (its position among the document's notes)."""
    return str(note.n) if note.n is not None else f"u{index}"


def anchor_segment(body: str, offset: int) -> tuple[int, int] | None:
    """The passage a marker at ``offset`` closes: back to the previous clause end, without list numbering and
    surrounding blanks. ``None`` when there is no text before the marker."""
    offset = max(0, min(offset, len(body)))
    end = offset
    while end > 0 and body[end - 1].isspace():
        end -= 1
    if end == 0:
        return None
    # a marker right after a full stop closes that sentence, not the next one
    search_to = end - 1 if body[end - 1] in ".!?;:" else end
    start = 0
    for match in _CLAUSE_END.finditer(body, 0, search_to):
        start = match.end()
    number = _LIST_NUMBER.match(body, start)
    if number and number.end() < end:
        start = number.end()
    while start < end and body[start].isspace():
        start += 1
    return (start, end) if start < end else None


def make_e33_editorial_note(note_uri: URIRef, note: Note, ctx: MappingContext, record: LetterRecord, *,
                            into: Graph | None = None) -> Graph:
    graph = new_graph() if into is None else into
    number = f"{note.n}" if note.n is not None else "(unnumbered)"
    doc = f"No. {record.doc_no}" if record.doc_no else ctx.letter_key
    text = en(note.text)
    graph.add((note_uri, RDF.type, CRM["E33_Linguistic_Object"]))
    graph.add((note_uri, RDF.type, SCHEMA.Comment))
    graph.add((note_uri, RDFS.label, en(f"Note {number} to {doc}")))
    graph.add((note_uri, CRM["P2_has_type"], KGT["editorial-note"]))
    graph.add((note_uri, CRM["P190_has_symbolic_content"], text))
    graph.add((note_uri, SCHEMA.text, text))
    graph.add((note_uri, CRM["P72_has_language"], LANGUAGES["en"]))
    if note.n is not None:
        graph.add((note_uri, SCHEMA.position, Literal(note.n)))
    if ctx.edition is not None:
        graph.add((note_uri, CRM["P106i_forms_part_of"], translation_uri(ctx.uris, ctx.edition.key)))
        graph.add((note_uri, SCHEMA.isPartOf, ctx.uris.edition(ctx.edition.key)))
    make_source_line(note_uri, note.line, into=graph)
    found = scan(note.text, ctx.authorities)
    for key in found.entity_keys():
        entity = ctx.authorities.get(key)
        graph.add((note_uri, CRM["P67_refers_to"], ctx.entity_uri(entity)))
        graph.add((note_uri, SCHEMA.mentions, ctx.entity_uri(entity)))
    for unknown in found.unknown:
        ctx.problems.append(f"note {number}: unknown name {unknown.text!r} at {unknown.start}")
    for ref in note.references:  # archival documents the note cites ("RTSKHIDNI. F. 558. On. 1. D. 5398")
        holding = holding_uri(ref, ctx.uris, ctx.authorities)
        graph.add((note_uri, CRM["P67_refers_to"], holding))
    return graph


ANCHOR_LABEL = en("Anchor of an editorial note in the letter")


def make_oa_annotation(annotation: URIRef, note_uri: URIRef, markers: list[Marker], body_uri: URIRef,
                       body: str, fallback_target: URIRef, *, into: Graph | None = None) -> Graph:
    """The annotation whose body is the note and whose targets are the passages its markers close."""
    graph = new_graph() if into is None else into
    graph.add((annotation, RDF.type, OA.Annotation))
    graph.add((annotation, OA.motivatedBy, OA.commenting))
    graph.add((annotation, OA.hasBody, note_uri))
    graph.add((annotation, RDFS.label, ANCHOR_LABEL))
    targets = 0
    for marker in sorted(markers, key=lambda m: m.offset):
        segment = anchor_segment(body, marker.offset)
        if segment is None:
            continue
        targets += 1
        start, end = segment
        target = URIRef(f"{annotation}/target/{targets}")
        quote, position = URIRef(f"{target}/quote"), URIRef(f"{target}/position")
        graph.add((annotation, OA.hasTarget, target))
        graph.add((target, RDF.type, OA.SpecificResource))
        graph.add((target, OA.hasSource, body_uri))
        graph.add((target, OA.hasSelector, quote))
        graph.add((target, OA.hasSelector, position))
        graph.add((quote, RDF.type, OA.TextQuoteSelector))
        graph.add((quote, OA.exact, plain(body[start:end])))
        graph.add((quote, OA.prefix, plain(body[max(0, start - CONTEXT_CHARS):start])))
        graph.add((quote, OA.suffix, plain(body[end:end + CONTEXT_CHARS])))
        graph.add((position, RDF.type, OA.TextPositionSelector))
        graph.add((position, OA.start, Literal(start, datatype=XSD.nonNegativeInteger)))
        graph.add((position, OA.end, Literal(end, datatype=XSD.nonNegativeInteger)))
    if targets == 0:
        graph.add((annotation, OA.hasTarget, fallback_target))
    return graph
