"""``kg export cmif``: the letters of the current build as a CMIF v1 file, for correspSearch and other editions.

Read from the published graph (SPARQL over the build's store), never from the sources, so the file says what
the knowledge graph says: sender and addressee (``persName`` for persons and unidentified parties, ``orgName``
for organisations) with a Wikidata item as ``@ref`` where a curator accepted one, else the first external
authority record; the place of sending; the date from the time-span's proleptic Gregorian bounds (CMIF dates are
Gregorian: No. 9, written 27 December 1917 Old Style, is ``when="1918-01-09"``); the document number as
``@key``; our letter URI as ``@ref``; and the edition as ``sourceDesc/bibl`` with its compilers.

Output is deterministic: letters in key order, attributes in a fixed order, bibl ids derived (UUID v5) from the
edition URI, and the file's date taken from the release (``issued``, from ``SOURCE_DATE_EPOCH``) or left out.
"""

from __future__ import annotations

import os
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from kg import void
from kg.store import open_release_store, read_manifest, resolve_release

TEI = "http://www.tei-c.org/ns/1.0"
WIKIDATA = "http://www.wikidata.org/entity/"
LICENCE_TEXT = "This file is licensed under the terms of the Creative Commons License CC-BY 4.0"

PREFIXES = """PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>
PREFIX kgo: <https://kg.example.org/ontology#>
PREFIX kgt: <https://kg.example.org/ontology/types#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX schema: <https://schema.org/>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
"""

LETTERS = PREFIXES + """
SELECT ?letter ?sending ?text ?docno ?edtf ?begin ?end ?editorial ?edition WHERE {
  ?sending crm:P2_has_type kgt:sending ; crm:P16_used_specific_object ?text .
  ?letter crm:P128_carries ?text ; crm:P108i_was_produced_by ?production .  # not a further sheet (…/item/2)
  OPTIONAL { ?text schema:position ?docno }
  OPTIONAL { ?text crm:P165i_is_incorporated_in ?edition . ?edition a schema:Book }
  OPTIONAL { ?sending crm:P4_has_time-span ?span .
             OPTIONAL { ?span kgo:edtf ?edtf }
             OPTIONAL { ?span crm:P82a_begin_of_the_begin ?begin }
             OPTIONAL { ?span crm:P82b_end_of_the_end ?end }
             BIND(EXISTS { ?span crm:P2_has_type kgt:editorial-date } AS ?editorial) }
}"""

PARTIES = PREFIXES + """
SELECT ?sending ?role ?party WHERE {
  { ?sending crm:P14_carried_out_by ?party . BIND("sent" AS ?role) }
  UNION { ?sending kgo:hadAddressee ?party . BIND("received" AS ?role) }
  UNION { ?sending crm:P7_took_place_at ?party . BIND("place" AS ?role) }
  ?sending crm:P2_has_type kgt:sending .
}"""

ENTITIES = PREFIXES + """
SELECT ?entity ?kind ?label ?same ?record WHERE {
  { ?entity a crm:E21_Person . BIND("person" AS ?kind) }
  UNION { ?entity a crm:E74_Group . BIND("org" AS ?kind) }
  UNION { ?entity a crm:E39_Actor . BIND("party" AS ?kind) }
  UNION { ?entity a crm:E53_Place . BIND("place" AS ?kind) }
  OPTIONAL { ?entity rdfs:label ?label . FILTER(LANGMATCHES(LANG(?label), "en")) }
  OPTIONAL { ?entity owl:sameAs ?same . FILTER(STRSTARTS(STR(?same), "http://www.wikidata.org/entity/Q")) }
  OPTIONAL { ?entity crm:P1_is_identified_by ?id . ?id crm:P2_has_type kgt:authority-record-uri ;
                     crm:P190_has_symbolic_content ?record }
}"""

EDITIONS = PREFIXES + """
SELECT ?edition ?title ?year ?compiler ?compilerLabel WHERE {
  ?edition a schema:Book .
  OPTIONAL { ?edition schema:name ?title . FILTER(LANGMATCHES(LANG(?title), "en")) }
  OPTIONAL { ?edition schema:datePublished ?year }
  OPTIONAL { ?edition schema:editor ?compiler . OPTIONAL { ?compiler rdfs:label ?compilerLabel .
             FILTER(LANGMATCHES(LANG(?compilerLabel), "en")) } }
}"""


class CmifExportError(Exception):
    """No build, or a build without letters."""


@dataclass
class Entity:
    kind: str = "party"
    label: str = ""
    wikidata: list[str] = field(default_factory=list)
    records: list[str] = field(default_factory=list)

    @property
    def ref(self) -> str | None:
        """One URI for ``@ref``: the accepted Wikidata item, else the first authority record."""
        return (sorted(self.wikidata) or sorted(self.records) or [None])[0]


@dataclass
class Letter:
    uri: str
    doc_no: str | None
    date: dict[str, str]
    editorial: bool
    edition: str | None
    senders: list[str] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    places: list[str] = field(default_factory=list)


def _value(term: object) -> str | None:
    return None if term is None else str(getattr(term, "value", term))


def cmif_date(edtf: str | None, begin: str | None, end: str | None) -> dict[str, str]:
    """CMIF date attributes from the Gregorian EDTF (or, failing that, the bounds): a day, month or year is
    ``@when``; an interval ``@notBefore``/``@notAfter`` (the letter lies within it); an open end only one."""
    if edtf:
        if "/" not in edtf:
            return {"when": edtf}
        first, last = edtf.split("/", 1)
        out = {}
        if first != "..":
            out["notBefore"] = first
        if last != "..":
            out["notAfter"] = last
        return out
    first, last = (begin or "")[:10], (end or "")[:10]
    if first and first == last:
        return {"when": first}
    return {k: v for k, v in (("notBefore", first), ("notAfter", last)) if v}


def _bibl_id(edition: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, edition))


def _issued(release: Path) -> str | None:
    issued = read_manifest(release).get("issued")
    if issued:
        return str(issued)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC).isoformat(timespec="seconds")
    return None


def collect(build_dir: Path) -> tuple[str, str | None, list[Letter], dict[str, Entity], dict[str, dict]]:
    """(base URI, date of the release, letters, entities by URI, editions by URI) from the build's graph."""
    release = resolve_release(build_dir)
    base = read_manifest(release).get("base_uri") or "https://kg.example.org"
    store = open_release_store(release)
    letters: dict[str, Letter] = {}
    by_sending: dict[str, Letter] = {}
    for row in store.query(LETTERS):
        uri = _value(row["letter"])
        if uri in letters:
            continue
        letter = Letter(uri, _value(row["docno"]), cmif_date(_value(row["edtf"]), _value(row["begin"]),
                                                           _value(row["end"])),
                        _value(row["editorial"]) == "true", _value(row["edition"]))
        letters[uri] = letter
        by_sending[_value(row["sending"])] = letter
    if not letters:
        raise CmifExportError(f"the build in {build_dir} holds no letters")
    for row in store.query(PARTIES):
        letter = by_sending.get(_value(row["sending"]))
        if letter is None:
            continue
        target = {"sent": letter.senders, "received": letter.recipients, "place": letter.places}[
            _value(row["role"])]
        party = _value(row["party"])
        if party not in target:
            target.append(party)
    entities: dict[str, Entity] = defaultdict(Entity)
    for row in store.query(ENTITIES):
        entity = entities[_value(row["entity"])]
        kind = _value(row["kind"])
        if kind != "party" or entity.kind == "party":
            entity.kind = kind
        entity.label = entity.label or _value(row["label"]) or ""
        for key, values in (("same", entity.wikidata), ("record", entity.records)):
            value = _value(row[key])
            if value and value not in values:
                values.append(value)
    editions: dict[str, dict] = {}
    order = {key: i for i, (key, _name) in enumerate(void.COMPILERS)}
    for row in store.query(EDITIONS):
        edition = editions.setdefault(_value(row["edition"]), {"title": None, "year": None, "compilers": {}})
        edition["title"] = edition["title"] or _value(row["title"])
        edition["year"] = edition["year"] or _value(row["year"])
        compiler = _value(row["compiler"])
        if compiler:
            edition["compilers"][compiler] = _value(row["compilerLabel"]) or compiler.rsplit("/", 1)[-1]
    for edition in editions.values():
        edition["compilers"] = [label for uri, label in sorted(
            edition["compilers"].items(), key=lambda kv: (order.get(kv[0].rsplit("/", 1)[-1], len(order)), kv[1]))]
    return base, _issued(release), sorted(letters.values(), key=lambda x: x.uri), dict(entities), editions


def bibl_text(edition: dict) -> str:
    parts = []
    if edition["compilers"]:
        parts.append(", ".join(edition["compilers"]) + " (comp.):")
    parts.append((edition["title"] or "Untitled edition").rstrip(".") + ".")
    if edition["year"] and edition["year"] not in (edition["title"] or ""):
        parts.append(f"{edition['year']}.")
    return " ".join(parts)


def _element(name: str, attrs: dict[str, str | None], text: str | None = None) -> str:
    attributes = "".join(f" {k}={quoteattr(v)}" for k, v in attrs.items() if v)
    if text is None:
        return f"<{name}{attributes}/>"
    return f"<{name}{attributes}>{escape(text)}</{name}>"


def _name(uri: str, entities: dict[str, Entity]) -> str:
    entity = entities.get(uri, Entity())
    tag = "orgName" if entity.kind == "org" else "persName"
    return _element(tag, {"ref": entity.ref}, entity.label or uri.rsplit("/", 1)[-1])


def render(base: str, issued: str | None, letters: list[Letter], entities: dict[str, Entity],
           editions: dict[str, dict]) -> str:
    """The CMIF document as text (UTF-8, two-space indentation, one element per line)."""
    used = sorted({letter.edition for letter in letters if letter.edition})
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<TEI xmlns="{TEI}">', "  <teiHeader>", "    <fileDesc>",
             "      <titleStmt>", "        " + _element("title", {}, f"{void.TITLE} — index of letters (CMIF)"),
             "        " + _element("editor", {}, void.PROJECT_NAME), "      </titleStmt>",
             "      <publicationStmt>",
             "        <publisher>" + _element("ref", {"target": base}, void.PROJECT_NAME) + "</publisher>",
             "        " + _element("idno", {"type": "url"}, f"{base}/dumps/cmif.xml")]
    if issued:
        lines.append("        " + _element("date", {"when": issued}))
    lines += ["        <availability>",
              "          " + _element("licence", {"target": str(void.LICENSE)}, LICENCE_TEXT),
              "        </availability>", "      </publicationStmt>", "      <sourceDesc>"]
    for edition in used:
        lines.append("        " + _element("bibl", {"type": "print", "xml:id": _bibl_id(edition)},
                                           bibl_text(editions.get(edition, {"title": None, "year": None,
                                                                            "compilers": []}))))
    lines += ["      </sourceDesc>", "    </fileDesc>", "    <profileDesc>"]
    for letter in letters:
        attrs = {"ref": letter.uri, "key": letter.doc_no,
                 "source": f"#{_bibl_id(letter.edition)}" if letter.edition else None}
        lines.append("      " + _element("correspDesc", attrs)[:-2] + ">")
        lines.append('        <correspAction type="sent">')
        lines += ["          " + _name(uri, entities) for uri in sorted(letter.senders)] or \
            ["          <persName>Unknown</persName>"]
        for place in sorted(letter.places):
            entity = entities.get(place, Entity())
            lines.append("          " + _element("placeName", {"ref": entity.ref}, entity.label or place))
        if letter.date:
            attrs = dict(letter.date)
            if letter.editorial:
                attrs["evidence"] = "conjecture"
            lines.append("          " + _element("date", attrs))
        lines.append("        </correspAction>")
        lines.append('        <correspAction type="received">')
        lines += ["          " + _name(uri, entities) for uri in sorted(letter.recipients)] or \
            ["          <persName>Unknown</persName>"]
        lines.append("        </correspAction>")
        lines.append("      </correspDesc>")
    lines += ["    </profileDesc>", "  </teiHeader>", "  <text>", "    <body>", "      <p/>", "    </body>",
              "  </text>", "</TEI>", ""]
    return "\n".join(lines)


def export_cmif(build_dir: Path) -> str:
    """The CMIF file for the current release of ``build_dir``."""
    return render(*collect(build_dir))
