"""How terms are shown on a page: prefixed names, links on the serving host, dates, statement tables."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import quote

from server.pages.document import RDF_TYPE, Document
from server.pages.iris import key_of
from server.pages.queries import Term

#: Prefixes for Turtle documents and for the prefixed names shown in statement tables.
PREFIXES: dict[str, str] = {
    "crm": "http://www.cidoc-crm.org/cidoc-crm/",
    "schema": "https://schema.org/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "oa": "http://www.w3.org/ns/oa#",
    "prov": "http://www.w3.org/ns/prov#",
    "rico": "https://www.ica.org/standards/RiC/ontology#",
    "dcterms": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "kgo": "https://kg.example.org/ontology#",
    "wd": "http://www.wikidata.org/entity/",
    "wdt": "http://www.wikidata.org/prop/direct/",
    "geo": "http://www.opengis.net/ont/geosparql#",
}

_MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December"]


def prefixes_for(base_uri: str) -> dict[str, str]:
    """The document prefixes (no ``id:`` prefix: our keys hold slashes, which Turtle would have to escape)."""
    return dict(PREFIXES)


def curie(iri: str) -> str:
    """``crm:P14_carried_out_by`` for a CRM IRI; the IRI itself when no prefix fits."""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def local_name(iri: str) -> str:
    return iri.rstrip("/#").rsplit("#", 1)[-1].rsplit("/", 1)[-1]


class Linker:
    """Writes the ``href`` of an IRI: a path on the serving host for our IRIs, the IRI itself otherwise."""

    def __init__(self, base_uri: str, script_root: str = "") -> None:
        self.base_uri = base_uri
        self.script_root = script_root

    def href(self, iri: str) -> str:
        key = key_of(self.base_uri, iri)
        if key is None:
            return iri
        return f"{self.script_root}/id/{quote(key, safe='/:@!$&()*+,;=-._~%')}"

    def doc(self, key: str, ext: str | None = None) -> str:
        path = f"{self.script_root}/doc/{quote(key, safe='/:@!$&()*+,;=-._~%')}"
        return f"{path}.{ext}" if ext else path

    def is_ours(self, iri: str) -> bool:
        return key_of(self.base_uri, iri) is not None


def iso_date(term: Term | str | None) -> dt.date | None:
    """The calendar date at the start of an ``xsd:date``/``xsd:dateTime``/``YYYY-MM-DD…`` literal."""
    text = term.value if isinstance(term, Term) else term
    if not text or len(text) < 10:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def human_date(term: Term | str | None) -> str:
    """``9 January 1918`` for ``1918-01-09``; year or year-month literals as they are read aloud."""
    text = term.value if isinstance(term, Term) else (term or "")
    day = iso_date(text)
    if day:
        return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"
    if len(text) == 7 and text[4] == "-" and text[:4].isdigit() and text[5:].isdigit() \
            and 1 <= int(text[5:]) <= 12:
        return f"{_MONTHS[int(text[5:]) - 1]} {text[:4]}"
    return text


@dataclass
class Row:
    """One line of a statement table: predicate and its values, each value a Term."""

    predicate: str
    curie: str
    values: list[Term]
    inverse: bool = False


def statement_rows(doc: Document, subject: str) -> list[Row]:
    """The statements of ``subject`` in the document, one row per predicate, ``rdf:type`` first."""
    grouped: dict[str, list[Term]] = {}
    for p, o in doc.out.get(subject, ()):
        grouped.setdefault(p, []).append(o)
    order = sorted(grouped, key=lambda p: (p != RDF_TYPE, curie(p)))
    return [Row(p, curie(p), sorted(grouped[p], key=lambda t: (t.kind, t.value))) for p in order]


def incoming_rows(doc: Document) -> list[Row]:
    """The statements pointing at the document's resource from outside it, one row per predicate."""
    grouped: dict[str, list[Term]] = {}
    for s, p in doc.incoming:
        grouped.setdefault(p, []).append(s)
    return [Row(p, curie(p), sorted(grouped[p], key=lambda t: t.value), inverse=True)
            for p in sorted(grouped)]
