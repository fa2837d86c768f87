"""What a letter page shows, read from the letter's document (the letter and everything under its URI)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from server.pages import queries
from server.pages.document import Document
from server.pages.iris import is_safe_iri, key_of, kind_of
from server.pages.present import human_date, local_name
from server.pages.queries import Term

CRM = "http://www.cidoc-crm.org/cidoc-crm/"
SCHEMA = "https://schema.org/"
OA = "http://www.w3.org/ns/oa#"
CONTENT = CRM + "P190_has_symbolic_content"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
MENTION_PREDICATES = (SCHEMA + "mentions", CRM + "P67_refers_to")
PUBLICATION_PREDICATES = (SCHEMA + "citation", "http://purl.org/dc/terms/bibliographicCitation",
                          "http://purl.org/dc/terms/isReferencedBy")


@dataclass
class Segment:
    """A run of letter text, followed by the marker of a note (or by nothing)."""

    text: str
    note: str | None = None  # note number


@dataclass
class NoteView:
    n: str
    iri: str
    text: str
    lang: str | None
    has_marker: bool


@dataclass
class LetterView:
    iri: str
    key: str
    label: str
    no: str | None = None
    senders: list[str] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    date_printed: str | None = None
    date_written: str | None = None
    calendar: str | None = None  # "Old Style" / "New Style"
    date_gregorian: str | None = None
    date_editorial: bool = False
    time_place: str | None = None
    places: list[str] = field(default_factory=list)
    text_lang: str | None = None
    salutation: str | None = None
    segments: list[Segment] = field(default_factory=list)
    signatures: list[str] = field(default_factory=list)
    notes: list[NoteView] = field(default_factory=list)
    archival_chain: list[tuple[str, str]] = field(default_factory=list)  # (iri, label), archive first
    folios: str | None = None
    copy_types: list[str] = field(default_factory=list)
    reference_printed: str | None = None
    reference_normalised: str | None = None
    publications: list[str] = field(default_factory=list)
    mentions: dict[str, list[str]] = field(default_factory=dict)  # kind -> IRIs
    wikidata: dict[str, list[str]] = field(default_factory=dict)  # mentioned IRI -> linked Wikidata item IRIs
    edition: str | None = None


def _literal(doc: Document, subject: str, *names: str) -> str | None:
    """The first literal of ``subject`` whose predicate's local name is one of ``names`` (any namespace).

    The page is drawn from the model's own vocabulary (``kgo:``); matching on local names keeps it working
    while that small vocabulary settles, and unknown properties still appear in the statement table.
    """
    for wanted in names:
        for p, o in doc.out.get(subject, ()):
            if o.kind == "literal" and local_name(p) == wanted:
                return o.value
    return None


def _objects(doc: Document, subject: str, *names: str) -> list[Term]:
    return [o for p, o in doc.out.get(subject, ()) if local_name(p) in names]


def _typed_part(doc: Document, subject: str, predicate: str, type_name: str) -> str | None:
    """The content of the part of ``subject`` (reached by ``predicate``) typed ``…#type_name`` (an E41 date as
    printed, an E42 archival reference): ``P190_has_symbolic_content``, else its label."""
    for part in doc.values(subject, predicate):
        if any(local_name(t.value) == type_name for t in doc.values(part.value, CRM + "P2_has_type")):
            content = doc.value(part.value, CONTENT) or doc.value(part.value, RDFS_LABEL)
            if content is not None:
                return content.value
    return None


def message_of(doc: Document, iri: str) -> str:
    """Where the schema.org mirror (sender, recipient, dateSent, No.) sits: the letter or its text."""
    if doc.values(iri, SCHEMA + "sender") or doc.values(iri, SCHEMA + "position"):
        return iri
    return f"{iri}/text"


def _note_number(iri: str, doc: Document) -> str:
    position = doc.value(iri, SCHEMA + "position")
    return position.value if position else local_name(iri)


def _annotation_markers(doc: Document, text_iri: str, notes_by_iri: dict[str, str]) -> list[tuple[int, str]]:
    """(offset, note number) of every annotation whose target selects a position in ``text_iri``."""
    markers = []
    for subject in doc.members:
        if OA + "Annotation" not in doc.types(subject):
            continue
        bodies = [b.value for b in doc.values(subject, OA + "hasBody") if b.value in notes_by_iri]
        for target in doc.values(subject, OA + "hasTarget"):
            source = doc.value(target.value, OA + "hasSource")
            if source is None or source.value != text_iri:
                continue
            for selector in doc.values(target.value, OA + "hasSelector"):
                # the marker stands right after the passage the note comments on
                end = doc.value(selector.value, OA + "end") or doc.value(selector.value, OA + "start")
                if end is not None and end.value.isdigit():
                    markers.extend((int(end.value), notes_by_iri[b]) for b in bodies)
    return sorted(set(markers), key=lambda m: (m[0], _num_key(m[1])))


def _num_key(n: str) -> tuple[int, str]:
    return (int(n), n) if n.isdigit() else (1 << 30, n)


def _segments(text: str, markers: list[tuple[int, str]]) -> list[Segment]:
    segments, pos = [], 0
    for offset, n in markers:
        offset = max(pos, min(offset, len(text)))
        segments.append(Segment(text[pos:offset], n))
        pos = offset
    segments.append(Segment(text[pos:]))
    return segments


def _the_text(doc: Document, iri: str) -> tuple[str | None, Term | None]:
    """The text to show: the English translation if there is one, else the original; (IRI, content)."""
    candidates = []
    for text in doc.values(iri, CRM + "P128_carries"):
        candidates.extend(t.value for t in doc.values(text.value, CRM + "P73_has_translation"))
        candidates.append(text.value)
    candidates = [f"{iri}/text/en/body", *[f"{c}/body" for c in candidates], *candidates,
                  f"{iri}/text/en", f"{iri}/text"]
    for candidate in candidates:
        content = doc.value(candidate, CONTENT)
        if content is not None:
            return candidate, content
    return None, None


def build(doc: Document, store, base_uri: str) -> LetterView:
    iri = doc.iri
    view = LetterView(iri=iri, key=key_of(base_uri, iri) or iri, label=doc.label(iri) or local_name(iri))
    msg = message_of(doc, iri)
    no = doc.value(msg, SCHEMA + "position")
    view.no = no.value if no else None
    view.senders = [t.value for t in doc.values(msg, SCHEMA + "sender")]
    view.recipients = [t.value for t in doc.values(msg, SCHEMA + "recipient")]

    sending = f"{iri}/sending"
    span = next((t.value for t in doc.values(sending, CRM + "P4_has_time-span")), f"{iri}/sending/time-span")
    identified_by = CRM + "P1_is_identified_by"
    view.date_printed = (_typed_part(doc, span, identified_by, "date-as-printed")
                         or _literal(doc, span, "dateAsPrinted", "datePrinted", "dateText"))
    view.date_written = _literal(doc, span, "dateInCalendar", "dateAsWritten", "dateWritten")
    calendar = " ".join(t.value.lower() for t in _objects(doc, span, "calendar", "originalCalendar",
                                                            "dateCalendar"))
    calendar += " " + (_literal(doc, span, "calendar", "dateCalendar") or "").lower()
    if "julian" in calendar or "Q1985786" in calendar:
        view.calendar = "Old Style (Julian)"
    elif "gregorian" in calendar or "Q1985727" in calendar:
        view.calendar = "New Style (Gregorian)"
    editorial = _literal(doc, span, "editorialDate", "dateEditorial")
    span_types = {local_name(t.value) for t in doc.values(span, CRM + "P2_has_type")}
    view.date_editorial = editorial in ("true", "1") or "editorial-date" in span_types or bool(
        view.date_printed and "[" in view.date_printed)
    begin = doc.value(span, CRM + "P82a_begin_of_the_begin") or doc.value(msg, SCHEMA + "dateSent")
    view.date_gregorian = human_date(begin) if begin else None
    view.time_place = (_typed_part(doc, span, identified_by, "dateline")
                       or _literal(doc, span, "timePlaceAsPrinted", "timePlaceText"))
    view.places = [t.value for t in doc.values(sending, CRM + "P7_took_place_at")]

    notes = sorted((m for m in doc.members if re.search(r"/note/[^/]+$", m) and doc.value(m, CONTENT)),
                   key=lambda m: _num_key(_note_number(m, doc)))
    notes_by_iri = {m: _note_number(m, doc) for m in notes}
    text_iri, content = _the_text(doc, iri)
    if text_iri and text_iri.endswith("/body"):
        whole = text_iri[: -len("/body")]
        salutation = doc.value(f"{whole}/salutation", CONTENT)
        view.salutation = salutation.value if salutation else None
        view.signatures = [doc.value(m, CONTENT).value for m in doc.members
                           if m.startswith(f"{whole}/signature/") and doc.value(m, CONTENT)]
    marked = set()
    if content is not None:
        view.text_lang = content.lang
        markers = _annotation_markers(doc, text_iri, notes_by_iri)
        marked = {n for _, n in markers}
        view.segments = _segments(content.value, markers)
    for m in notes:
        body = doc.value(m, CONTENT)
        view.notes.append(NoteView(notes_by_iri[m], m, body.value, body.lang, notes_by_iri[m] in marked))

    units = [t.value for t in doc.values(iri, CRM + "P46i_forms_part_of")]
    if units:
        view.archival_chain = archival_chain(store, units[0], doc)
    view.folios = _typed_part(doc, iri, identified_by, "folios") or _literal(doc, iri, "folios", "folio")
    view.copy_types = sorted(doc.label(t.value) or local_name(t.value)
                             for t in doc.values(iri, CRM + "P2_has_type") if local_name(t.value) != "letter")
    view.reference_printed = (_typed_part(doc, iri, identified_by, "archival-reference-as-printed")
                              or _literal(doc, iri, "archivalReferenceAsPrinted"))
    view.reference_normalised = (_typed_part(doc, iri, identified_by, "archival-reference-normalised")
                                 or _literal(doc, iri, "archivalReference"))
    publications = {o.value for s in (iri, msg) for p in PUBLICATION_PREDICATES for o in doc.values(s, p)
                    if o.kind == "literal"}
    for s in (iri, msg):
        for work in doc.values(s, SCHEMA + "workExample"):
            cited = doc.value(work.value, SCHEMA + "citation") or doc.value(work.value, RDFS_LABEL)
            publications.add(cited.value if cited else doc.label(work.value) or work.value)
    view.publications = sorted(publications)
    edition = doc.value(msg, SCHEMA + "isPartOf") or doc.value(iri, SCHEMA + "isPartOf")
    view.edition = edition.value if edition else None

    mentioned: dict[str, set[str]] = {}
    for subject in doc.members:
        for p in MENTION_PREDICATES:
            for o in doc.values(subject, p):
                if o.is_iri:
                    key = key_of(base_uri, o.value)
                    mentioned.setdefault(kind_of(key) if key else "other", set()).add(o.value)
    order = ["person", "org", "place", "event"]
    view.mentions = {k: sorted(mentioned[k], key=lambda i: (doc.label(i) or i).casefold())
                     for k in sorted(mentioned, key=lambda k: (order.index(k) if k in order else 9, k))}
    view.wikidata = wikidata_links(store, [i for k in view.mentions for i in view.mentions[k]])
    return view


def wikidata_links(store, iris: list[str]) -> dict[str, list[str]]:
    """The Wikidata items each of ``iris`` is linked to (for the small markers beside mentioned entities)."""
    found: dict[str, set[str]] = {}
    safe = [i for i in iris if is_safe_iri(i)]
    if not safe:
        return {}
    for r in queries.select(store, "same_as", these=safe):
        found.setdefault(r["this"].value, set()).add(r["item"].value)
    return {iri: sorted(items) for iri, items in sorted(found.items())}


def archival_chain(store, unit: str, doc: Document) -> list[tuple[str, str]]:
    """archive → fond → opis → delo for the unit a letter forms part of, with labels, outermost first."""
    rows = queries.select(store, "ancestors", this=unit)
    parent_of = {r["unit"].value: r["parent"].value for r in rows if "parent" in r}
    labels: dict[str, str] = {}
    for r in sorted(rows, key=lambda r: r["label"].lang != "en" if "label" in r else True, reverse=True):
        if "label" in r:  # English last, so it wins
            labels[r["unit"].value] = r["label"].value
    # The unit's direct parent is the one ancestor that is nobody's parent.
    lowest = sorted({r["unit"].value for r in rows} - set(parent_of.values()))
    chain, current = [unit], (lowest[0] if lowest else None)
    while current and current not in chain:
        chain.append(current)
        current = parent_of.get(current)
    labels.setdefault(unit, doc.label(unit) or local_name(unit))
    return [(i, labels.get(i) or local_name(i)) for i in reversed(chain)]
