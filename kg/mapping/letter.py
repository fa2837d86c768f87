"""One letter as three resources plus the events that made and sent it.

- the sheet kept in the archive: ``crm:E22_Human-Made_Object`` typed letter/telegram and autograph/copy,
  ``rico:Record``, ``schema:ArchiveComponent`` — ``{letter}``;
- the text it carries, in Russian: ``crm:E33_Linguistic_Object``, ``schema:Message`` (sender, recipient,
  dateSent, mentions) — ``{letter}/text``, created (E65) by the senders; and its English translation (our
  source) ``{letter}/text/en``, composed of salutation, body, signatures (E33 parts);
- the sending: ``crm:E7_Activity`` typed "sending", ``P14`` sender(s), ``kgo:hadAddressee`` recipient(s),
  ``P4`` its time-span (see ``kg.mapping.dates``);
- the production of the sheet (E12), carried out by the sender when the sheet is an autograph.

Parties are resolved through the authorities; a party nobody curated gets a local actor under the letter
(``{letter}/party/{i}``, ``crm:E39_Actor`` with the name as printed) and a problem report, never an authority
entry.
"""

from __future__ import annotations

from rdflib import Graph, Literal, URIRef

from kg.authorities import Entity
from kg.mapping.appellations import en, make_e42_identifier, make_source_line
from kg.mapping.archive import AUTOGRAPH_TYPES, copy_type_key, make_archival_item
from kg.mapping.context import MappingContext
from kg.mapping.dates import gregorian_day, make_e52_time_span
from kg.mapping.edition import LANGUAGE_CODES, LANGUAGES, translation_uri
from kg.mapping.letterhead import letterhead_text, make_e34_letterhead
from kg.mapping.namespaces import CRM, KGO, KGT, PROV, RDF, RDFS, RICO, SCHEMA, XSD, new_graph
from kg.mapping.notes import make_e33_editorial_note, make_oa_annotation, note_id
from kg.mapping.publications import make_e33_publication
from kg.mentions import scan
from kg.records import LetterRecord

DOCUMENT_TYPES = {"letter": "letter", "telegram": "telegram", "note": "note-document",
                  "memo": "note-document"}
COMPLETE = {True: Literal(True), False: Literal(False)}
NOT_IDENTIFIED = {role: en(f"{role.capitalize()} as printed; not yet identified.") for role in ("sender", "recipient")}


def resolve_parties(names: list[str], role: str, ctx: MappingContext) -> list[URIRef]:
    """URIs of the printed parties: curated persons/organisations, else local actors with a problem report."""
    uris = []
    for i, name in enumerate(names, start=1):
        entity = ctx.authorities.lookup(name, kinds=("person", "organisation"))
        if entity is not None:
            uris.append(ctx.entity_uri(entity))
        else:
            uris.append(ctx.part("party", f"{role}-{i}"))
            ctx.problems.append(f"{role} {name!r} is not in the authorities")
    return uris


def make_local_parties(names: list[str], role: str, ctx: MappingContext, *, into: Graph | None = None) -> Graph:
    graph = new_graph() if into is None else into
    for i, name in enumerate(names, start=1):
        if ctx.authorities.lookup(name, kinds=("person", "organisation")) is None:
            actor = ctx.part("party", f"{role}-{i}")
            graph.add((actor, RDF.type, CRM["E39_Actor"]))
            graph.add((actor, RDFS.label, en(name)))
            graph.add((actor, CRM["P3_has_note"], NOT_IDENTIFIED.get(role) or
                       en(f"{role.capitalize()} as printed; not yet identified.")))
    return graph


def letter_label(record: LetterRecord, ctx: MappingContext) -> str:
    number = f"No. {record.doc_no}. " if record.doc_no else ""
    parties = f"{', '.join(record.senders) or 'unknown'} to {', '.join(record.recipients) or 'unknown'}"
    return f"{number}{parties}, {record.date_text or 'undated'}"


def make_e22_letter_item(record: LetterRecord, ctx: MappingContext, senders: list[URIRef],
                         recipients: list[URIRef], *, into: Graph | None = None) -> Graph:
    graph = new_graph() if into is None else into
    item = ctx.letter
    label = letter_label(record, ctx)
    label_en = en(label)
    graph.add((item, RDF.type, CRM["E22_Human-Made_Object"]))
    graph.add((item, RDF.type, SCHEMA.ArchiveComponent))
    graph.add((item, RDF.type, RICO.Record))
    graph.add((item, RDFS.label, label_en))
    graph.add((item, SCHEMA.name, label_en))
    graph.add((item, RICO.title, label_en))
    doc_type = KGT[DOCUMENT_TYPES.get((record.document_type or "letter").lower(), "letter")]
    graph.add((item, CRM["P2_has_type"], doc_type))
    graph.add((item, RICO.hasDocumentaryFormType, doc_type))
    graph.add((item, CRM["P128_carries"], ctx.part("text")))
    graph.add((item, CRM["P108i_was_produced_by"], ctx.part("production")))
    for sender in senders:
        graph.add((item, RICO.hasAuthor, sender))
    for recipient in recipients:
        graph.add((item, RICO.hasAddressee, recipient))
    graph.add((item, KGO.completeInSource, COMPLETE.get(record.complete) or Literal(record.complete)))
    make_source_line(item, record.source.line if record.source else None, into=graph)
    if record.archival_refs:
        make_archival_item(item, record.archival_refs[0], ctx.uris, ctx.authorities, into=graph)
    for i, ref in enumerate(record.archival_refs[1:], start=2):
        other = ctx.part("item", str(i))  # a further sheet (another copy) cited for the same document
        graph.add((other, RDF.type, CRM["E22_Human-Made_Object"]))
        graph.add((other, RDF.type, SCHEMA.ArchiveComponent))
        graph.add((other, RDF.type, RICO.Record))
        graph.add((other, RDFS.label, en(f"{label} (sheet {i})")))
        graph.add((other, CRM["P128_carries"], ctx.part("text")))
        graph.add((other, CRM["P2_has_type"], doc_type))
        make_archival_item(other, ref, ctx.uris, ctx.authorities, into=graph)
    return graph


def make_e12_production(record: LetterRecord, ctx: MappingContext, senders: list[URIRef], *,
                        into: Graph | None = None) -> Graph:
    """Who made the sheet: the sender only when the archive calls it an autograph (written in their hand)."""
    graph = new_graph() if into is None else into
    production = ctx.part("production")
    graph.add((production, RDF.type, CRM["E12_Production"]))
    graph.add((production, RDFS.label, en(f"Production of {letter_label(record, ctx)}")))
    ref = record.archival_refs[0] if record.archival_refs else None
    if ref is not None and copy_type_key(ref.copy_type) in AUTOGRAPH_TYPES:
        for sender in senders:
            graph.add((production, CRM["P14_carried_out_by"], sender))
    return graph


def make_e33_texts(record: LetterRecord, ctx: MappingContext, senders: list[URIRef],
                   recipients: list[URIRef], *, into: Graph | None = None) -> Graph:
    """The Russian original (the message) and the English translation with its parts."""
    graph = new_graph() if into is None else into
    text, text_en, creation = ctx.part("text"), ctx.part("text", "en"), ctx.part("text", "creation")
    label = letter_label(record, ctx)
    # The original's language is the edition's (Russian for the 1996 volume); an edition of unknown language
    # (a CMIF file) states none. Only an edition in another language than English has our English text.
    language = ctx.edition.language if ctx.edition is not None and ctx.edition.language in LANGUAGES else None
    translated = language is not None and language != "en"
    graph.add((text, RDF.type, CRM["E33_Linguistic_Object"]))
    graph.add((text, RDF.type, SCHEMA.Message))
    described = {"ru": "Russian original", "en": "English original"}.get(language or "", "original")
    graph.add((text, RDFS.label, en(f"Text of {label} ({described})")))
    graph.add((text, SCHEMA.name, en(label)))
    if language is not None:
        graph.add((text, CRM["P72_has_language"], LANGUAGES[language]))
        graph.add((text, SCHEMA.inLanguage, LANGUAGE_CODES[language]))
    if translated:
        graph.add((text, CRM["P73_has_translation"], text_en))
    graph.add((text, CRM["P94i_was_created_by"], creation))
    graph.add((creation, RDF.type, CRM["E65_Creation"]))
    graph.add((creation, RDFS.label, en(f"Writing of {label}")))
    for sender in senders:
        graph.add((creation, CRM["P14_carried_out_by"], sender))
        graph.add((text, SCHEMA.sender, sender))
    for recipient in recipients:
        graph.add((text, SCHEMA.recipient, recipient))
    day = gregorian_day(record)
    if day is not None:
        graph.add((text, SCHEMA.dateSent, Literal(day.isoformat(), datatype=XSD.date)))
    if ctx.edition is not None:
        edition = ctx.uris.edition(ctx.edition.key)
        graph.add((text, CRM["P165i_is_incorporated_in"], edition))
        graph.add((text, SCHEMA.isPartOf, edition))
        if translated:
            graph.add((text_en, CRM["P165i_is_incorporated_in"], translation_uri(ctx.uris, ctx.edition.key)))
    if record.doc_no:
        make_e42_identifier(text, ctx.part("text", "identifier", "document-number"), record.doc_no,
                            KGT["document-number"], label=f"No. {record.doc_no}", into=graph)
        graph.add((text, SCHEMA.position, Literal(record.doc_no)))
    if not translated:
        return graph  # metadata only (CMIF): no text of ours, nothing mentioned
    graph.add((text_en, RDF.type, CRM["E33_Linguistic_Object"]))
    graph.add((text_en, RDF.type, SCHEMA.CreativeWork))
    graph.add((text_en, RDFS.label, en(f"Text of {label} (English translation)")))
    graph.add((text_en, CRM["P72_has_language"], LANGUAGES["en"]))
    graph.add((text_en, SCHEMA.inLanguage, LANGUAGE_CODES["en"]))
    graph.add((text_en, SCHEMA.translationOfWork, text))
    if ctx.source_path:
        graph.add((text_en, PROV.wasDerivedFrom, ctx.uris.source(ctx.source_path)))
    parts = [("salutation", record.salutation, record.lines.get("salutation"))]
    parts += [(f"address/{i}", line, None) for i, line in enumerate(record.address_lines, start=1)]
    parts += [("body", record.body, record.lines.get("body"))]
    signature_line = record.lines.get("signature", record.lines.get("signatures"))
    parts += [(f"signature/{i}", sig, signature_line) for i, sig in enumerate(record.signatures, start=1)]
    for name, content, line in parts:
        if not content:
            continue
        part = ctx.part("text", "en", *name.split("/"))
        kind = name.split("/")[0]
        graph.add((part, RDF.type, CRM["E33_Linguistic_Object"]))
        graph.add((part, RDFS.label, en(f"{kind.capitalize()} of {label}")))
        graph.add((part, CRM["P2_has_type"], KGT[f"letter-{kind}"]))
        graph.add((part, CRM["P106i_forms_part_of"], text_en))
        graph.add((part, CRM["P190_has_symbolic_content"], en(content)))
        make_source_line(part, line, into=graph)
    if record.body:
        found = scan(record.body, ctx.authorities)
        for key in found.entity_keys():
            entity: Entity = ctx.authorities.get(key)
            mentioned = ctx.entity_uri(entity)
            graph.add((text, CRM["P67_refers_to"], mentioned))
            graph.add((text, SCHEMA.mentions, mentioned))
        for unknown in found.unknown:
            ctx.problems.append(f"body: unknown name {unknown.text!r} at {unknown.start}")
    return graph


def make_e7_sending(record: LetterRecord, ctx: MappingContext, senders: list[URIRef],
                    recipients: list[URIRef], *, into: Graph | None = None) -> Graph:
    graph = new_graph() if into is None else into
    sending, time_span = ctx.part("sending"), ctx.part("sending", "time-span")
    graph.add((sending, RDF.type, CRM["E7_Activity"]))
    graph.add((sending, CRM["P2_has_type"], KGT.sending))
    graph.add((sending, RDFS.label, en(f"Sending of {letter_label(record, ctx)}")))
    graph.add((sending, CRM["P16_used_specific_object"], ctx.part("text")))
    for sender in senders:
        graph.add((sending, CRM["P14_carried_out_by"], sender))
    for recipient in recipients:
        graph.add((sending, KGO.hadAddressee, recipient))
    graph.add((sending, CRM["P4_has_time-span"], time_span))
    make_e52_time_span(time_span, record, into=graph)
    for name in record.places_sent:  # given apart from the dateline only by CMIF files
        place = ctx.authorities.lookup(name, kinds=("place",))
        if place is None:
            ctx.problems.append(f"place of sending {name!r} is not in the authorities")
            continue
        graph.add((sending, CRM["P7_took_place_at"], ctx.entity_uri(place)))
    return graph


def make_notes(record: LetterRecord, ctx: MappingContext, *, into: Graph | None = None) -> Graph:
    graph = new_graph() if into is None else into
    body_uri = ctx.part("text", "en", "body")
    for index, note in enumerate(record.notes, start=1):
        nid = note_id(note, index)
        note_uri = ctx.part("note", nid)
        make_e33_editorial_note(note_uri, note, ctx, record, into=graph)
        markers = [m for m in record.markers if note.n is not None and m.n == note.n]
        letterhead = letterhead_text(note)
        fallback = ctx.part("text", "en")
        if letterhead:
            make_e34_letterhead(ctx.letter, note_uri, letterhead, ctx, into=graph)
            fallback = ctx.letter
        make_oa_annotation(ctx.part("annotation", nid), note_uri, markers, body_uri, record.body, fallback,
                           into=graph)
    return graph


def map_letter(record: LetterRecord, ctx: MappingContext, *, into: Graph | None = None) -> Graph:
    """Everything one document says, added to ``into`` (the source file's graph) or to a fresh graph; pure:
    same record and context, same triples."""
    graph = new_graph() if into is None else into
    senders = resolve_parties(record.senders, "sender", ctx)
    recipients = resolve_parties(record.recipients, "recipient", ctx)
    make_local_parties(record.senders, "sender", ctx, into=graph)
    make_local_parties(record.recipients, "recipient", ctx, into=graph)
    make_e22_letter_item(record, ctx, senders, recipients, into=graph)
    make_e12_production(record, ctx, senders, into=graph)
    make_e33_texts(record, ctx, senders, recipients, into=graph)
    make_e7_sending(record, ctx, senders, recipients, into=graph)
    make_notes(record, ctx, into=graph)
    for i, citation in enumerate(record.publications, start=1):
        make_e33_publication(ctx.part("publication", str(i)), citation, ctx.part("text"), into=graph)
    return graph
