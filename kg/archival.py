"""Archival references as the edition prints them, split into archive → fond → opis → delo → folios.

``RTSKHIDNI. F. 558. On. 1. D. 5397. L. 2. Autograph.`` is read as archive RTSKHIDNI (today's RGASPI: the
archive was called RTsKhIDNI from 1991 to 1999), fond 558, opis 1 (``On.`` is a translation slip for ``Op.``),
delo 5397, leaf 2, copy type "Autograph". An earlier publication printed on the same line is split off. Inside
notes, citations (``(RTSKHIDNI. F. 558. On. 1. D. 5398. L. 2-3)``, ``(Ibid. L. 3-4)``) describe *other*
documents: :func:`find_citations` returns them for the note, never for the letter.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from kg.records import ArchivalRef

#: Archive names as printed (squeezed to capitals) → today's name. Soviet-era and 1990s names of the
#: Moscow archives map to their current successors, so that one archive is one resource in the graph.
_ARCHIVE_SUCCESSORS = {
    "RGASPI": "RGASPI", "RTSKHIDNI": "RGASPI", "RTSHIDNI": "RGASPI", "RCKHIDNI": "RGASPI",
    "RTSKHIDNY": "RGASPI", "TSPA": "RGASPI", "TSPAIML": "RGASPI", "CPA": "RGASPI",
    "RGANI": "RGANI", "TSKHSD": "RGANI",
    "GARF": "GARF", "TSGAOR": "GARF", "TSGAORSSSR": "GARF", "TSGAOKTR": "GARF",
    "RGVA": "RGVA", "TSGASA": "RGVA", "TSGAKA": "RGVA",
    "RGAE": "RGAE", "TSGANKH": "RGAE", "TSGANKHSSSR": "RGAE",
    "RGALI": "RGALI", "TSGALI": "RGALI",
    "RGVIA": "RGVIA", "TSGVIA": "RGVIA",
    "APRF": "APRF", "AVPRF": "AVPRF", "TSAFSB": "TSA FSB", "RGIA": "RGIA", "TSGIA": "RGIA",
}

_ARCHIVE_TOKEN = r"(?P<archive>[A-Z][A-Za-z]{1,11}(?:\s(?:RF|FSB|SSSR|IML|KPSS))?)"
_FOND = r"(?i:F)\.\s*(?P<fond>[0-9A-Za-z]+(?:[/-][0-9A-Za-z]+)?)"
_OPIS = r"(?i:Op|On|0p|Inv)\.\s*(?P<opis>[0-9A-Za-z]+(?:[/-][0-9A-Za-z]+)?)"
_DELO = r"(?i:D|Dd)\.\s*(?P<delo>[0-9]+[A-Za-z]?(?:[/-][0-9A-Za-z]+)?)"
_LEAF = r"\d+[a-z]?(?:\s*(?:rev|ob|v)\.?)?"
_FOLIOS = (r"(?i:L|Ll)\.\s*(?P<folios>" + _LEAF + r"(?:\s*[-\u2013]\s*" + _LEAF + r")?"
           r"(?:\s*[,;]\s*" + _LEAF + r"(?:\s*[-\u2013]\s*" + _LEAF + r")?)*)")
_SEP = r"\s*[.,;:]?\s*"

_REF = re.compile(
    r"(?:" + _ARCHIVE_TOKEN + r"\s*[.,;:]?\s*)?" + _FOND + _SEP
    + r"(?:" + _OPIS + _SEP + r")?"
    + r"(?:" + _DELO + _SEP + r")?"
    + r"(?:" + _FOLIOS + r")?"
)
_LINE_START = re.compile(r"^\s*(?:" + _ARCHIVE_TOKEN + r"\s*[.,;:]?\s*)?F\.\s*(?:[A-Z]-?)?\d")  # "F. R-130"
_IBID = re.compile(r"\bIbid\.?,?\s*(?:" + _FOLIOS + r")?", re.I)

#: First words of a copy type ("Autograph", "Typewritten text", "Certified typewritten copy", …).
_COPY_TYPE = re.compile(
    r"^(?:Autographs?|Typewritten|Typescript|Certified|Handwritten|Handwriting|Manuscript|Copy|Copies|Original|"
    r"Draft|Printed|Telegraph|Telegram|Telegraphic|Photocopy|Facsimile|Hectograph|Signed|Unsigned|Carbon|"
    r"Duplicate|Machine|Transcript|Script|Excerpt|Extract|Notes?|Text|Written)\b", re.I)


@dataclass
class ArchivalLine:
    """What one closing archival line holds: references, copy type, earlier publications, leftovers."""

    refs: list[ArchivalRef] = field(default_factory=list)
    publications: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


_NON_LETTERS = re.compile(r"[^A-Za-z]")


def normalise_archive(name: str | None) -> str | None:
    """Today's name of an archive as printed (``RTSKHIDNI``, ``RTsKhIDNI``, ``RTSHIDNI;`` → ``RGASPI``)."""
    if not name:
        return None
    key = _NON_LETTERS.sub("", name).upper()
    if key in _ARCHIVE_SUCCESSORS:
        return _ARCHIVE_SUCCESSORS[key]
    if key.startswith("RT") and key.endswith("IDNI"):
        return "RGASPI"
    return key or None


_OPIS_DELO = re.compile(r"\b(?:Op|On)\.\s*\S+.*\bD\.\s*\d")


def is_archival_line(text: str) -> bool:
    """True for a line that opens with an archival reference (``ARCHIVE. F. <n>``, ``F. <n>. Op. …``)."""
    if "F." not in text:  # the fond, which every such line has: a quick answer for the many lines of prose
        return False
    m = _LINE_START.match(text)
    if not m:
        return False
    archive = m.group("archive")
    if archive is None:
        # Without an archive name, insist on more of the structure, so "F. 5 ..." in prose is not taken.
        return bool(_OPIS_DELO.search(text))
    return archive.isupper() or normalise_archive(archive) in set(_ARCHIVE_SUCCESSORS.values())


_FOLIO_PARTS = re.compile(r"\s*[,;]\s*")
_FOLIO_RANGE = re.compile(r"\s*[-\u2013]\s*")
_LEAF_SPEC = re.compile(r"(\d+)([a-z]?)\s*((?:rev|ob|v)\.?)?")


def expand_folios(spec: str | None) -> list[str]:
    """Individual leaves of a leaf specification: ``1-3`` → 1, 2, 3; ``1, 2``; ``1 rev.`` → 1v;
    ``5 rev.-6`` → 5v, 6; ``5-6 rev.`` → 5, 5v, 6, 6v. Empty when the spec cannot be expanded (or is huge)."""
    if not spec:
        return []
    leaves: list[str] = []
    for part in _FOLIO_PARTS.split(spec.strip()):
        if not part:
            continue
        bounds = _FOLIO_RANGE.split(part)
        parsed = []
        for b in bounds:
            m = _LEAF_SPEC.fullmatch(b.strip())
            if not m:
                return []
            parsed.append((int(m.group(1)), m.group(2), bool(m.group(3))))
        if len(parsed) == 1:
            n, suffix, verso = parsed[0]
            leaves.append(f"{n}{suffix}v" if verso else f"{n}{suffix}")
            continue
        if len(parsed) != 2:
            return []
        (a, sa, va), (b, sb, vb) = parsed
        if b < a or b - a > 500 or sa or sb:
            if b == a and (sa or sb):
                leaves.extend([f"{a}{sa}", f"{b}{sb}"])
                continue
            return []
        with_verso = va or vb
        for n in range(a, b + 1):
            if not (n == a and va):
                leaves.append(str(n))
            if with_verso and not (n == b and not vb):
                leaves.append(f"{n}v")
    return leaves


def _ref_from_match(m: re.Match[str], line: int | None) -> ArchivalRef:
    archive = m.groupdict().get("archive")
    folios = m.group("folios")
    folios = folios.strip() if folios else None
    return ArchivalRef(
        text=m.group(0).strip(),
        archive=archive,
        archive_normalised=normalise_archive(archive),
        fond=m.group("fond"),
        opis=m.group("opis"),
        delo=m.group("delo"),
        folios=folios,
        folio_list=expand_folios(folios),
        line=line,
    )


_LAST_WORD_DOT = re.compile(r"(\S+)\.$")
_VALUE_ABBREVIATION = re.compile(r"(?:No|S|T|Vol|P|Pp|pp|p|M|L|Ch|Iss|N|C|Part)")


def _split_sentences(text: str) -> list[str]:
    """Split at ``. `` but not inside quotes, so a quoted journal title stays whole."""
    out: list[str] = []
    buf = ""
    in_quote = False
    for i, ch in enumerate(text):
        buf += ch
        if ch in "\"\u201c\u201d\u00ab\u00bb":
            in_quote = not in_quote if ch == '"' else ch in "\u201c\u00ab"
        if ch == "." and not in_quote and (i + 1 == len(text) or text[i + 1] == " "):
            prev = _LAST_WORD_DOT.search(buf)
            # Keep abbreviations that introduce a value together with it: "No. 3", "S. 12", "T. 2", "Vol. 1".
            if prev and _VALUE_ABBREVIATION.fullmatch(prev.group(1)):
                continue
            out.append(buf.strip())
            buf = ""
    if buf.strip():
        out.append(buf.strip())
    return out


_LEAD = re.compile(r"[\s.;,]*")
_NEXT_REF = re.compile(r"\s*[.;,]?\s*(?=(?:" + _ARCHIVE_TOKEN + r"\s*[.,;:]?\s*)?F\.\s*(?:[A-Z]-?)?\d)")


def parse_archival_line(text: str, line: int | None = None) -> ArchivalLine:
    """Split one closing archival line into references, the copy type and publications on the same line."""
    result = ArchivalLine()
    rest = text.strip()
    pos = 0
    while True:
        m = _REF.search(rest, pos)
        if not m or (m.start() > pos and rest[pos:m.start()].strip(" .;,")):
            break
        ref = _ref_from_match(m, line)
        if ref.archive is None and result.refs:
            prev = result.refs[-1]
            ref.archive, ref.archive_normalised = prev.archive, prev.archive_normalised
        result.refs.append(ref)
        pos = m.end()
        tail = rest[pos:]
        nxt = _NEXT_REF.match(tail)
        if not nxt:
            break
        pos += nxt.end()
    lead = _LEAD.match(rest[pos:])
    remainder_start = pos + (lead.end() if lead else 0)
    remainder = rest[remainder_start:].rstrip()
    if not result.refs:
        result.warnings.append(f"archival line not understood: {text.strip()!r}")
        return result
    sentences = _split_sentences(remainder) if remainder else []
    ref_end = pos
    if sentences and _COPY_TYPE.match(sentences[0]):
        first = sentences.pop(0)
        copy_type = first.rstrip(".").strip()
        ref_end = rest.index(first, remainder_start) + len(first)
        for ref in result.refs:
            ref.copy_type = copy_type
    if sentences:
        rest_text = " ".join(sentences).strip()
        if _looks_like_publication(rest_text):
            result.publications.append(rest_text)
        else:
            result.warnings.append(f"text after the archival reference not understood: {rest_text!r}")
    if len(result.refs) == 1:
        # One reference: keep it as cited, with its copy type, as the line prints it.
        printed = rest[:ref_end].rstrip()
        if not sentences and ref_end == pos:
            printed = rest
        result.refs[0].text = printed
    for ref in result.refs:
        if ref.delo is None:
            result.warnings.append(f"archival reference {ref.text!r} has no delo (D.)")
        if ref.folios is None:
            result.warnings.append(f"archival reference {ref.text!r} has no leaves (L.)")
        elif not ref.folio_list:
            result.warnings.append(f"leaves {ref.folios!r} of {ref.text!r} could not be expanded")
    return result


_PUBLICATION_SIGN = re.compile(r"\b1[89]\d\d\b|[\"\u201c\u00ab]|\bNo\.\s*\d|\bS\.\s*\d|\bVol\.|\bT\.\s*\d")
_PUBLISHED = re.compile(r"(?:First\s+)?(?:Published|Printed|Partially published|Publ\.)", re.I)


def _looks_like_publication(text: str) -> bool:
    """A citation of a printed work: a year, a quoted title, an issue or page number."""
    if _PUBLISHED.match(text):
        return True
    return bool(_PUBLICATION_SIGN.search(text))


_PUBLICATION_START = re.compile(r"^(?:First\s+)?(?:Published|Printed|Cited|Partially published|Publ\.)\b", re.I)
_QUOTED_TITLE_YEAR = re.compile(r"^[\"\u201c\u00ab][^\"\u201d\u00bb]{2,80}[\"\u201d\u00bb]\.?,?\s*\d{4}\b")


def is_publication_line(text: str) -> bool:
    """A closing line that cites an earlier publication (``Published: …``, ``"Istochnik". 1995. No. 3.``)."""
    s = text.strip()
    if _PUBLICATION_START.match(s):
        return True
    return bool(_QUOTED_TITLE_YEAR.match(s))


def find_citations(text: str, line: int | None = None) -> list[ArchivalRef]:
    """Archival citations inside a note's text, in order; ``Ibid.`` takes archive/fond/opis/delo from the
    citation before it (and is marked ``ibid``), so ``Ibid. L. 3-4`` stays a reference of the note.
    ``line`` is the line of the text's first line; a citation on a later line of the text gets its own
    line."""

    def at_line(pos: int) -> int | None:
        return None if line is None else line + text.count("\n", 0, pos)

    refs: list[tuple[int, ArchivalRef]] = []
    # Every reference has its fond, "F." or "f." (the only letters (?i:F) matches): most notes have none.
    for m in _REF.finditer(text) if "F." in text or "f." in text else ():
        archive = m.group("archive")
        if archive is None and not m.group("opis"):
            continue  # "F. 5" alone in prose is too weak
        if archive is not None and not (archive.isupper() or normalise_archive(archive) in
                                        set(_ARCHIVE_SUCCESSORS.values())):
            continue
        if m.group("delo") is None and m.group("opis") is None:
            continue
        refs.append((m.start(), _ref_from_match(m, at_line(m.start()))))
    for m in _IBID.finditer(text):
        folios = m.group("folios")
        ref = ArchivalRef(text=m.group(0).strip(), folios=folios.strip() if folios else None,
                          folio_list=expand_folios(folios), line=at_line(m.start()), ibid=True)
        refs.append((m.start(), ref))
    refs.sort(key=lambda p: p[0])
    out: list[ArchivalRef] = []
    for _, ref in refs:
        if ref.ibid and out:
            prev = out[-1]
            ref.archive, ref.archive_normalised = prev.archive, prev.archive_normalised
            ref.fond, ref.opis, ref.delo = prev.fond, prev.opis, prev.delo
        out.append(ref)
    return out


def normalised_citation(ref: ArchivalRef) -> str:
    """The normalised form ``RGASPI, f. 558, op. 1, d. 5397, l. 2`` used for display and identifiers."""
    parts = [ref.archive_normalised or ref.archive or "?"]
    for label, value in (("f.", ref.fond), ("op.", ref.opis), ("d.", ref.delo), ("l.", ref.folios)):
        if value:
            parts.append(f"{label} {value}")
    return ", ".join(parts)
