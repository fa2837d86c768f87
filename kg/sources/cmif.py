"""Reader of CMIF files (Correspondence Metadata Interchange Format: TEI ``correspDesc``, v1 and v2 ``note/ref``).

Other editions publish the metadata of their letters as CMIF (sender, addressee, places, dates, the edition):
this module turns each ``correspDesc`` into a :class:`LetterRecord`, keeping names as printed beside the
authority URIs the file gives, the line each came from, and everything doubtful (``@cert``, ``@evidence``, an
unclear licence) as a warning. CMIF dates are proleptic Gregorian ISO dates (``YYYY``, ``YYYY-MM``,
``YYYY-MM-DD``).

Parsed with the standard library's expat (no new dependency), which gives each element its line; documents
declaring entities are refused (no entity expansion, no external fetches).

Public API: :func:`read_cmif` (the ``kg.sources`` hook) and :func:`parse_cmif`, which also returns the file's
header (title, editors, publisher, licence, bibliography) and whether each party is a person or an
organisation, for ``kg import cmif``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

from kg.records import LetterRecord, SourceLocation
from kg.sources.base import SourceFormatError

TEI = "http://www.tei-c.org/ns/1.0"
XML_ID = "http://www.w3.org/XML/1998/namespace}id"
CMIF_VOCAB = "https://lod.academy/cmif/vocab/terms/"
_ISO = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")
_CC = re.compile(r"https?://creativecommons\.org/(?:licenses/(by|by-sa|by-nd|by-nc|by-nc-sa|by-nc-nd)/"
                 r"(\d+\.\d+)(?:/[a-z-]+)?|publicdomain/(zero|mark)/1\.0)/?(?:[a-z]{2}(?:-[A-Za-z]{2})?/?)?")


# ------------------------------------------------------------------------------------------ a tiny tree
@dataclass
class Node:
    """An element with the 1-based line of its start tag (``xml.etree`` elements cannot carry one)."""

    tag: str  # "{namespace}local" as in ElementTree
    attrib: dict[str, str]
    line: int
    children: list[Node] = field(default_factory=list)
    parts: list[str] = field(default_factory=list)  # own text pieces, in order

    @property
    def local(self) -> str:
        return self.tag.rsplit("}", 1)[-1]

    def text(self) -> str:
        """All text inside, whitespace collapsed (a name broken over two lines is one name)."""
        return " ".join("".join(self._all_text()).split())

    def _all_text(self) -> list[str]:
        out = list(self.parts)
        for child in self.children:
            out += child._all_text()
        return out

    def find(self, *path: str) -> Node | None:
        found = self.findall(*path)
        return found[0] if found else None

    def findall(self, *path: str) -> list[Node]:
        """Children (then grandchildren …) in the TEI namespace by local name."""
        nodes = [self]
        for name in path:
            nodes = [c for n in nodes for c in n.children if c.tag == f"{{{TEI}}}{name}"]
        return nodes

    def iter(self, name: str) -> list[Node]:
        out = [self] if self.tag == f"{{{TEI}}}{name}" else []
        for child in self.children:
            out += child.iter(name)
        return out

    def get(self, name: str) -> str | None:
        value = self.attrib.get(name)
        return value.strip() if isinstance(value, str) else None


def parse_xml(data: bytes) -> Node:
    """Parse XML into :class:`Node` s; :class:`SourceFormatError` (with a line) for anything not well-formed."""
    parser = expat.ParserCreate(namespace_separator="}")
    stack: list[Node] = []
    root: list[Node] = []

    def start(name: str, attrs: dict[str, str]) -> None:
        tag = "{" + name if "}" in name else name
        attrib = {("{" + k if "}" in k else k): v for k, v in attrs.items()}
        node = Node(tag, attrib, parser.CurrentLineNumber)
        (stack[-1].children if stack else root).append(node)
        stack.append(node)

    def end(_name: str) -> None:
        stack.pop()

    def chars(data: str) -> None:
        if stack:
            stack[-1].parts.append(data)

    def no_entities(*_args: object) -> None:
        raise SourceFormatError("the file declares XML entities, which CMIF files never need; refused",
                                parser.CurrentLineNumber)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.EntityDeclHandler = no_entities
    parser.ExternalEntityRefHandler = lambda *_a: 0
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        raise SourceFormatError(f"not well-formed XML: {expat.ErrorString(exc.code)}", exc.lineno) from exc
    if not root:
        raise SourceFormatError("the file holds no XML element", 1)
    return root[0]


# ------------------------------------------------------------------------------------------ the CMIF model
@dataclass
class CmifName:
    """A person, organisation or place as printed, with the authority URIs of its ``@ref``."""

    name: str
    kind: str  # person | organisation | place
    refs: list[str]
    line: int


@dataclass
class CmifBibl:
    """One ``sourceDesc/bibl``: an edition the letters are published in."""

    id: str | None
    type: str | None
    text: str
    line: int


@dataclass
class CmifHeader:
    title: str | None = None
    editors: list[str] = field(default_factory=list)
    publishers: list[str] = field(default_factory=list)
    licence_text: str | None = None
    licence_target: str | None = None
    idno: str | None = None
    date: str | None = None
    bibls: list[CmifBibl] = field(default_factory=list)


@dataclass
class CmifLetter:
    record: LetterRecord
    senders: list[CmifName] = field(default_factory=list)
    recipients: list[CmifName] = field(default_factory=list)
    places: list[CmifName] = field(default_factory=list)


@dataclass
class CmifFile:
    path: str
    header: CmifHeader
    letters: list[CmifLetter]
    warnings: list[str] = field(default_factory=list)  # about the file as a whole (licence, header)


def _refs(node: Node) -> list[str]:
    """``@ref`` may hold several URIs (TEI: a list of pointers)."""
    return (node.get("ref") or "").split()


def _doubt(node: Node, what: str) -> list[str]:
    """``@cert`` / ``@evidence`` of an element, as warnings in the editors' words."""
    out = []
    if node.get("evidence"):
        out.append(f"line {node.line}: {what} given with evidence={node.get('evidence')!r}")
    if node.get("cert"):
        out.append(f"line {node.line}: {what} given with cert={node.get('cert')!r}")
    return out


def _licence_warning(text: str | None, target: str | None) -> str | None:
    if not target:
        return "the file states no licence URL (CMIF requires availability/licence/@target); reuse terms unclear"
    if not _CC.fullmatch(target):
        said = f" (the licence text says {text!r})" if text else ""
        return (f"the licence URL {target!r} is not a valid Creative Commons licence URL{said}; "
                "reuse terms are unclear: ask the publisher")
    if text and "cc0" in text.casefold().replace(" ", "") and "/publicdomain/zero/" not in target:
        return f"the licence text {text!r} does not match its URL {target!r}; reuse terms are unclear"
    return None


def _header(root: Node) -> tuple[CmifHeader, list[str]]:
    header = CmifHeader()
    warnings: list[str] = []
    file_desc = root.find("teiHeader", "fileDesc")
    if file_desc is None:
        return header, ["the file has no teiHeader/fileDesc (CMIF requires title, publisher, licence, bibl)"]
    title = file_desc.find("titleStmt", "title")
    header.title = title.text() if title is not None else None
    for editor in file_desc.findall("titleStmt", "editor"):
        email = " ".join(e.text() for e in editor.findall("email"))
        name = " ".join("".join(editor.parts).split())
        header.editors.append(name or editor.text().replace(email, "").strip())
    header.publishers = [p.text() for p in file_desc.findall("publicationStmt", "publisher")]
    licence = file_desc.find("publicationStmt", "availability", "licence")
    if licence is not None:
        header.licence_text, header.licence_target = licence.text() or None, licence.get("target")
    idno = file_desc.find("publicationStmt", "idno")
    header.idno = idno.text() if idno is not None else None
    date = file_desc.find("publicationStmt", "date")
    header.date = date.get("when") if date is not None else None
    for bibl in file_desc.findall("sourceDesc", "bibl"):
        header.bibls.append(CmifBibl(bibl.get(f"{{{XML_ID}") or None, bibl.get("type"), bibl.text(), bibl.line))
    problem = _licence_warning(header.licence_text, header.licence_target)
    if problem:
        where = f"line {licence.line}: " if licence is not None else ""
        warnings.append(where + problem)
    if not header.bibls:
        warnings.append("the file has no sourceDesc/bibl: its letters belong to no edition")
    return header, warnings


def _date(node: Node, rec: LetterRecord) -> None:
    """``@when``, ``@from``/``@to``, ``@notBefore``/``@notAfter`` (Gregorian ISO) into the record's date."""
    when, start, end = node.get("when"), node.get("from"), node.get("to")
    not_before, not_after = node.get("notBefore"), node.get("notAfter")
    values = {k: v for k, v in (("when", when), ("from", start), ("to", end), ("notBefore", not_before),
                                ("notAfter", not_after)) if v}
    for key, value in values.items():
        if not _ISO.fullmatch(value):
            rec.warnings.append(f"line {node.line}: date @{key}={value!r} is not YYYY, YYYY-MM or YYYY-MM-DD; "
                                "ignored")
            return
    if not values:
        rec.warnings.append(f"line {node.line}: date without @when, @from, @to, @notBefore or @notAfter")
        return
    first = when or start or not_before
    last = None if when else (end or not_after)
    qualifier = None
    if when is None and first and not last:
        qualifier = "not_before"
    elif first is None and last:
        first, last, qualifier = last, None, "not_after"
    if first is None:
        return
    if last is not None and last < first[: len(last)]:
        rec.warnings.append(f"line {node.line}: date range {first}/{last} ends before it starts")
    rec.date_written = rec.date_gregorian = first
    rec.date_written_end = rec.date_gregorian_end = last if last and last != first else None
    rec.date_calendar = "gregorian"
    rec.date_qualifier = qualifier
    rec.date_precision = {4: "year", 7: "month", 10: "day"}[len(first)]
    rec.date_edtf = (f"{first}/.." if qualifier == "not_before" else f"../{first}" if qualifier == "not_after"
                     else f"{first}/{rec.date_written_end}" if rec.date_written_end else first)
    printed = node.text()
    if printed:
        rec.date_text = printed
    elif qualifier == "not_before":
        rec.date_text = f"not before {first}"
    elif qualifier == "not_after":
        rec.date_text = f"not after {first}"
    else:
        rec.date_text = rec.date_edtf
    if node.get("evidence") or node.get("cert"):
        rec.date_editorial = True
    rec.warnings += _doubt(node, "date")
    if (when and (start or end or not_before or not_after)) or ((start or end) and (not_before or not_after)):
        rec.warnings.append(f"line {node.line}: date mixes @when/@from/@to/@notBefore/@notAfter; "
                            f"read as {rec.date_edtf}")


def _letter(desc: Node, path: str, header: CmifHeader, file_warnings: list[str]) -> CmifLetter:
    rec = LetterRecord(document_type="letter", source=SourceLocation(path, desc.line))
    letter = CmifLetter(rec)
    rec.lines["doc_no"] = desc.line
    rec.doc_no = desc.get("key") or None
    rec.url = desc.get("ref") or None
    source = desc.get("source")
    bibls = {b.id: b for b in header.bibls if b.id}
    if source:
        bibl_id = source.removeprefix("#")
        rec.bibl_id = bibl_id
        if bibl_id in bibls:
            rec.bibl = bibls[bibl_id].text
        else:
            rec.warnings.append(f"line {desc.line}: @source {source!r} names no sourceDesc/bibl of this file")
    elif len(header.bibls) == 1:
        rec.bibl, rec.bibl_id = header.bibls[0].text, header.bibls[0].id
    for action in desc.findall("correspAction"):
        kind = action.get("type")
        if kind not in ("sent", "received"):
            rec.warnings.append(f"line {action.line}: correspAction type={kind!r} (only sent/received are CMIF); "
                                "ignored")
            continue
        names, places = (letter.senders, rec.places_sent) if kind == "sent" else \
            (letter.recipients, rec.places_received)
        role = "sender" if kind == "sent" else "recipient"
        for child in action.children:
            local = child.local if child.tag.startswith(f"{{{TEI}}}") else None
            if local in ("persName", "orgName"):
                name = child.text()
                if not name or name.casefold() == "unknown":
                    rec.warnings.append(f"line {child.line}: {role} unknown (CMIF \"Unknown\")")
                    continue
                entry = CmifName(name, "person" if local == "persName" else "organisation", _refs(child),
                                 child.line)
                names.append(entry)
                rec.warnings += _doubt(child, f"{role} {name!r}")
                rec.lines.setdefault("senders" if kind == "sent" else "recipients", child.line)
            elif local == "placeName":
                name = child.text()
                if not name:
                    continue
                places.append(name)
                letter.places.append(CmifName(name, "place", _refs(child), child.line))
                if _refs(child):
                    rec.place_refs.setdefault(name, [])
                    rec.place_refs[name] += [r for r in _refs(child) if r not in rec.place_refs[name]]
                rec.warnings += _doubt(child, f"place {name!r}")
            elif local == "date":
                if kind == "sent" and rec.date_written is None and not rec.lines.get("date"):
                    rec.lines["date"] = child.line
                    _date(child, rec)
                else:
                    shown = child.get("when") or child.get("notBefore") or child.get("from") or child.text()
                    rec.warnings.append(f"line {child.line}: date of receipt {shown!r} is not kept (only the "
                                        "date of sending is)")
    for role, kind in (("sender", "sent"), ("recipient", "received")):
        if not desc.findall("correspAction") or not [a for a in desc.findall("correspAction")
                                                    if a.get("type") == kind]:
            rec.warnings.append(f"line {desc.line}: no correspAction type=\"{kind}\" (required by CMIF): "
                                f"{role} unknown")
    rec.senders = [n.name for n in letter.senders]
    rec.recipients = [n.name for n in letter.recipients]
    for entry in letter.senders + letter.recipients:
        if entry.refs:
            known = rec.party_refs.setdefault(entry.name, [])
            known += [r for r in entry.refs if r not in known]
    rec.heading = f"{', '.join(rec.senders) or 'Unknown'} to {', '.join(rec.recipients) or 'Unknown'}"
    rec.lines["heading"] = desc.line
    for note in desc.findall("note"):
        for ref in note.findall("ref"):
            kind = ref.get("type") or ""
            if kind.startswith("cmif:"):
                kind = CMIF_VOCAB + kind.removeprefix("cmif:")
            rec.external_refs.append({"type": kind, "target": ref.get("target") or "", "text": ref.text()})
    rec.warnings += file_warnings
    return letter


def parse_cmif(path: str | Path) -> CmifFile:
    """The whole file: header, letters (with party kinds and refs) and warnings about the file as a whole."""
    path = Path(path)
    data = path.read_bytes()
    if not data.strip():
        raise SourceFormatError("empty file", 1)
    root = parse_xml(data)
    if root.tag != f"{{{TEI}}}TEI":
        raise SourceFormatError(f"not a TEI file: the root element is <{root.local}> "
                                f"{'in no namespace' if '}' not in root.tag else 'outside the TEI namespace'}, "
                                f"not <TEI xmlns=\"{TEI}\">", root.line)
    descs = root.iter("correspDesc")
    if not descs:
        profile = root.find("teiHeader", "profileDesc")
        raise SourceFormatError("a TEI file without correspDesc: not a CMIF file (no letters)",
                                (profile or root).line)
    header, file_warnings = _header(root)
    shown = str(path)
    letters = [_letter(desc, shown, header, [f"file: {w}" for w in file_warnings]) for desc in descs]
    return CmifFile(shown, header, letters, file_warnings)


def read_cmif(path: str | Path) -> list[LetterRecord]:
    """One :class:`LetterRecord` per ``correspDesc``, in file order (the ``kg.sources`` hook for ``.xml``)."""
    return [letter.record for letter in parse_cmif(path).letters]
