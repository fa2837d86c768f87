"""Reader for the pages of the web edition "Bolshevik leadership. Correspondence. 1912–1927" (1996).

A page is a header, then zero or more documents. Each document is, in this order and mostly optional:
``No. N``, a heading (who wrote to whom), a date line, time/place and address lines, a salutation, the body,
the signature, the archival line (with publications), and the notes. ``../shared/spec/source-format.md`` lists
the variations; this module walks a page with that order in mind and asks ``lines`` what each line is.

Principles: text is kept as printed (markers are taken out of the body but kept with their offsets, so the
printed text can be rebuilt); nothing is invented for a page that is cut off (no signature, archival line or
notes are guessed, and the record says ``complete: false``); whatever had to be guessed becomes a warning
naming the line. Only input that is not a page of this edition at all raises :class:`SourceFormatError`.
"""

from __future__ import annotations

import difflib
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

from kg.archival import (
    find_citations,
    is_archival_line,
    is_publication_line,
    parse_archival_line,
)
from kg.dates import (
    MONTH_PATTERN,
    TimePlace,
    find_dual_dates,
    julian_to_gregorian,
    parse_date_line,
    parse_time_place,
    split_leading_time,
    split_trailing_time,
)
from kg.records import DualDate, LetterRecord, Marker, Note, SourceLocation
from kg.sources import lines as L
from kg.sources.base import Notice, SourceFormatError
from kg.sources.markers import find_markers, lost_marker_spots

#: Notes that describe the sheet itself, which editors leave without a marker in the text.
_SHEET_NOTE = re.compile(
    r"^(?:On the (?:letterhead|form|back|reverse|top|first page|margin|envelope|document)|The letterhead|"
    r"Letterhead|At the top|In the (?:upper|top|left|right|margin)|Written on|The document is written|"
    r"The text is written|Handwritten|Typewritten|On the telegraph form|Stamp|The stamp)", re.I)
_POSTSCRIPT = re.compile(r"^(?:P\.\s?S\.|PS\b|P\.\s?P\.\s?S\.|Postscript)", re.I)
_SPACES = re.compile(r"[\t\u00a0\u2007\u2009\u202f]")
_TERMINAL = re.compile(r"[.!?\"\u201d\u00bb)\]\u2026:;']\s*$")


@dataclass
class Line:
    """One line of the page: its 1-based number and its text without the line ending."""

    no: int
    text: str
    #: The text stripped: set once, since the classifiers ask for it many times a line.
    s: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.s = self.text.strip()


@dataclass
class PageRead:
    """What one page yielded: its documents and notices about the page as a whole."""

    records: list[LetterRecord]
    notices: list[Notice]


# ------------------------------------------------------------------------------------------ file level
def read_page_file(path: Path, display: str | None = None) -> PageRead:
    """Read one page file; raises :class:`SourceFormatError` for a file that is empty, not UTF-8, or not a
    page of this edition."""
    return read_page_bytes(path.read_bytes(), display if display is not None else str(path))


def read_page_bytes(data: bytes, shown: str) -> PageRead:
    """:func:`read_page_file` for a page's bytes already read (``shown`` names it in errors)."""
    if not data.strip():
        raise SourceFormatError("empty file: no page of the edition in it")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise SourceFormatError(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} cannot be decoded); pages of the edition are "
            "UTF-8",
            line) from None
    if "\x00" in text:
        line = text[:text.index("\x00")].count("\n") + 1
        raise SourceFormatError("binary data (NUL byte): not a text page of the edition", line)
    return parse_page(text, shown)


def parse_page(text: str, path: str) -> PageRead:
    """Parse the text of one page into records (empty for front matter)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    # No-break and thin spaces (HTML &nbsp;) and tabs are spaces to a reader of the page: the classifiers
    # and marker shapes look for plain spaces. (Replaced in the whole text at once: none of them is a line
    # ending.)
    raw = _SPACES.sub(" ", text).split("\n")
    if raw and raw[-1] == "":
        raw.pop()
    lines = [Line(i + 1, t.rstrip("\r")) for i, t in enumerate(raw)]
    ends_mid_line = not text.endswith("\n")
    notices: list[Notice] = []
    header_end, has_header = _skip_header(lines)
    # The menu or collection line repeated further down (a footer) is page furniture, not text.
    content = [ln for ln in lines[header_end:] if not L.is_strong_header(ln.s)]
    segments = _segment(content, ends_mid_line)
    if not has_header:
        if not segments:
            first = next((ln for ln in lines if ln.s), None)
            raise SourceFormatError(
                "not a page of the edition: no page header (menu line, 'Bolshevik leadership "
                "Correspondence. 1912-1927', 'Compiled by: ...') and no document (No. N / heading / date "
                "line / archival line)",
                first.no if first else None)
        notices.append(Notice(path, None, "no page header found; read as a page of the edition anyway"))
    if segments:
        pre = [ln for ln in content if ln.s and ln.no < segments[0][0].no]
        if pre:
            notices.append(Notice(path, pre[0].no, f"lines {pre[0].no}-{pre[-1].no} before the first "
                                  "document skipped (front matter)"))
    records = []
    for i, seg in enumerate(segments):
        last = i == len(segments) - 1
        records.append(_parse_document(seg, path, at_eof=last, ends_mid_line=ends_mid_line and last))
    return PageRead(records, notices)


# ------------------------------------------------------------------------------------------ header
def _skip_header(lines: list[Line]) -> tuple[int, bool]:
    """Index of the first line after the page header, and whether a header was there.

    By pattern, never by count: lines before the first strong header line are a leaked page title; after it,
    strong lines, section lines, compilers' names and blank or space-only lines belong to the header."""
    nonblank = [i for i, ln in enumerate(lines) if ln.s]
    first_strong = next((i for i in nonblank[:12] if L.is_strong_header(lines[i].s)), None)
    if first_strong is None:
        # A leaked title alone ("Bolshevik Leaders correspondence") still marks a page of the edition.
        if nonblank and L.is_header_extra(lines[nonblank[0]].s) and _titleish(lines[nonblank[0]].s):
            i = nonblank[0] + 1
            while i < len(lines) and (not lines[i].s or L.is_header_extra(lines[i].s)):
                i += 1
            return i, True
        return 0, False
    i = first_strong
    while i < len(lines):
        s = lines[i].s
        if not s or L.is_strong_header(s) or L.is_header_extra(s):
            i += 1
            continue
        break
    return i, True


_TITLEISH = re.compile(r"^Bolshevik\s+Leaders?", re.I)


def _titleish(s: str) -> bool:
    return bool(_TITLEISH.match(s))


# -------------------------------------------------------------------------------- documents on a page
@functools.lru_cache(maxsize=4096)
def _date_precision(s: str) -> str | None:
    p = parse_date_line(s)
    if p is None or _span_months(p.written, p.written_end) > 12:
        return None  # "December 1917 - March 1923" heads a section of front matter, not a letter
    return p.precision or "none"


def _span_months(start: str | None, end: str | None) -> int:
    """Months between the starts of two ISO dates (0 without an end): a letter's date range is short."""
    if not start or not end:
        return 0
    months = [int(d[:4]) * 12 + (int(d[5:7]) if len(d) >= 7 else 1) for d in (start, end)]
    return months[1] - months[0]


@functools.lru_cache(maxsize=4096)
def _is_heading(s: str) -> bool:
    """Does ``s`` read as a heading (``A - B``, ``Telegram from A to B`` …)? Cached: segmenting a page asks it
    of a line up to three times, and it was a sixth of the time spent reading the sources."""
    return L.parse_heading(s) is not None


@functools.lru_cache(maxsize=4096)
def _is_date(s: str, need_month: bool = False) -> bool:
    """Is ``s`` a date line (with at least a month, when ``need_month``)? Cached: asked several times a line."""
    precision = _date_precision(s)
    if precision is None:
        return False
    return not need_month or precision in ("day", "month")


def _segment(content: list[Line], ends_mid_line: bool = False) -> list[list[Line]]:
    """Split the page content into documents: at a whole line ``No. N``, or at a heading (or a date line) that
    follows the closing block (archival line / notes) of the document before."""
    nb = [ln for ln in content if ln.s]
    doc_no = [L.DOC_NO.match(ln.s) is not None for ln in nb]  # asked of a line up to three times below
    starts: list[int] = []
    state = "none"  # none: before any document; open: inside one; closing: archival line / notes seen
    dated = False
    for k, ln in enumerate(nb):
        s = ln.s
        nxt = nb[k + 1].s if k + 1 < len(nb) else None
        prev_docno = k > 0 and doc_no[k - 1]
        start = False
        if doc_no[k]:
            # "No. 3" as the page's last, cut line may be "No. 371 of the protocols ...": not a start.
            start = not (ends_mid_line and k == len(nb) - 1)
        elif not prev_docno and not is_archival_line(s):
            if nxt is not None and _is_heading(s) and not _is_date(s) and _is_date(nxt):
                if state in ("none", "closing"):
                    start = True
                elif state == "open" and dated and _is_date(nxt, need_month=True) and len(s.split()) <= 14:
                    start = True
            elif state in ("none", "closing") and nxt is not None and _is_date(nxt, need_month=True) \
                    and not _is_date(s) and len(s) <= 120 and not L.note_start(s) and not _terminal_prose(s) \
                    and not (state == "none" and len(s.split()) > 15):
                start = True  # a heading of a shape not recognised, followed by a date line
            elif _is_date(s, need_month=True) and (
                    state == "closing" or (state == "none" and not starts and k == 0)) and not (
                    k > 0 and _is_heading(nb[k - 1].s)):
                start = True
        cut_next = nxt is None or (ends_mid_line and k + 2 == len(nb))
        if not start and state == "closing" and cut_next and _is_heading(s) \
                and L.note_start(s) is None and not _terminal_prose(s):
            start = True  # the page is cut off right after (or inside the line after) the next heading
        if start:
            starts.append(k)
            state, dated = "open", False
            if not doc_no[k] and _is_date(s):
                dated = True
            continue
        if state == "open":
            if not dated and _is_date(s):
                dated = True
            if is_archival_line(s) or (L.notes_heading(s) is not None and dated):
                state = "closing"
    if not starts:
        return []
    first_no = [ln.no for ln in nb]
    segments: list[list[Line]] = []
    for i, k in enumerate(starts):
        lo = first_no[k]
        hi = first_no[starts[i + 1]] if i + 1 < len(starts) else None
        segments.append([ln for ln in content if ln.no >= lo and (hi is None or ln.no < hi)])
    return segments


def _terminal_prose(s: str) -> bool:
    """A line of prose (several words ending a sentence) is not a heading."""
    return len(s.split()) > 10 and s.rstrip().endswith((".", "!", "?"))


# ------------------------------------------------------------------------------------------ one document
def _parse_document(seg: list[Line], path: str, *, at_eof: bool, ends_mid_line: bool) -> LetterRecord:
    nb = [ln for ln in seg if ln.s]
    rec = LetterRecord(source=SourceLocation(path=path, line=nb[0].no))
    warn = rec.warnings.append
    k = 0
    m = L.DOC_NO.match(nb[0].s)
    if m:
        rec.doc_no = m.group("n")
        rec.lines["doc_no"] = nb[0].no
        k = 1
    # Heading.
    heading_line: Line | None = None
    if k < len(nb) and not _is_date(nb[k].s) and not is_archival_line(nb[k].s):
        nxt_is_date = k + 1 < len(nb) and _is_date(nb[k + 1].s)
        if _is_heading(_strip_trailing_marker(nb[k].s)) or nxt_is_date:
            heading_line = nb[k]
            k += 1
    # Date line.
    date_line: Line | None = None
    if k < len(nb) and _is_date(nb[k].s):
        date_line = nb[k]
        k += 1
    # Closing block: first archival line, else a "Notes:" heading, after the date.
    close = next((j for j in range(k, len(nb)) if is_archival_line(nb[j].s)), None)
    if close is None:
        close = next((j for j in range(k, len(nb)) if L.notes_heading(nb[j].s) is not None), None)
    body_part = nb[k:close] if close is not None else nb[k:]
    closing_part = nb[close:] if close is not None else []
    incomplete = at_eof and close is None
    last_line_no = nb[-1].no
    partial_last = ends_mid_line and incomplete

    # Notes first: markers are only markers when a note with that number exists.
    archival_lines, notes, notes_head_line, closing_warnings = _parse_closing(
        closing_part, last_line_no if ends_mid_line else None)
    rec.notes = notes
    note_ns = {n.n for n in notes if n.n is not None}

    if heading_line is not None:
        text, fm = _field_markers(heading_line.s, "heading", note_ns)
        rec.field_markers += fm
        rec.heading = text
        rec.lines["heading"] = heading_line.no
        h = L.parse_heading(text)
        if h is None:
            warn(f"line {heading_line.no}: heading {text!r} has no recognised shape (A - B, A to B, "
                 "Telegram from A to B); parties not taken from it")
        else:
            rec.senders, rec.recipients, rec.document_type = h.senders, h.recipients, h.document_type
    elif nb and not (len(nb) == 1 and rec.doc_no):
        warn(f"line {nb[0].no}: document has no heading")
    if date_line is not None:
        text, fm = _field_markers(date_line.s, "date_text", note_ns)
        rec.field_markers += fm
        _set_date(rec, text)
        rec.lines["date"] = date_line.no
    else:
        warn(f"line {nb[min(k, len(nb) - 1)].no}: no date line after the heading")

    _parse_body(rec, body_part, note_ns, incomplete=incomplete, partial_last=partial_last,
                last_line_no=last_line_no)
    _apply_closing(rec, archival_lines, closing_warnings, notes_head_line)
    _resolve_parties(rec, heading_line)
    _check_markers(rec, note_ns, incomplete)
    _check_repeats(rec)

    # Completeness: only the last document of a page can be cut off.
    if close is None and not at_eof:
        warn(f"line {last_line_no}: document ends without an archival reference")
    if incomplete:
        rec.complete = False
        warn(f"line {last_line_no}: the page ends before the archival reference: the document is cut off "
             "(no signature, archival reference or notes taken)")
    elif at_eof:
        last = nb[-1].s
        if notes_head_line is not None and not notes:
            rec.complete = False
            warn(f"line {notes_head_line}: 'Notes:' heading with no notes after it: the page is cut off")
        elif notes and not _TERMINAL.search(last):
            rec.complete = False
            warn(f"line {last_line_no}: the page ends mid-sentence inside note {notes[-1].n}: cut off")
        elif notes and any(mk.n > max(note_ns, default=0) for mk in rec.markers):
            rec.complete = False
            warn(f"line {last_line_no}: the body refers to notes after note {max(note_ns)}, which the page "
                 "does not hold: cut off")
    return rec


_TRAILING_NUMBER = re.compile(r"\s+\d{1,2}\s*\.?$")


def _strip_trailing_marker(s: str) -> str:
    return _TRAILING_NUMBER.sub("", s)


_DIGIT = re.compile(r"\d")


def _field_markers(text: str, field: str, note_ns: set[int]) -> tuple[str, list[Marker]]:
    """Take validated note markers out of a short line (heading, date, salutation, signature, …)."""
    if not note_ns or not _DIGIT.search(text):
        return text, []
    scan = find_markers(text, note_ns, field=field, fields_only=True)
    if field == "date_text" and scan.markers and parse_date_line(scan.text) is None:
        return text, []
    return scan.text.strip(), scan.markers


def _set_date(rec: LetterRecord, text: str) -> None:
    p = parse_date_line(text)
    rec.date_text = text
    if p is None:
        return
    rec.date_written, rec.date_written_end = p.written, p.written_end
    rec.date_calendar, rec.date_gregorian, rec.date_gregorian_end = p.calendar, p.gregorian, p.gregorian_end
    rec.date_editorial, rec.date_qualifier = p.editorial, p.qualifier
    rec.date_precision, rec.date_edtf = p.precision, p.edtf
    line = rec.lines.get("date")
    rec.warnings.extend(f"line {line}: {w}" if line else w for w in p.warnings)


# ------------------------------------------------------------------------------------------ body
def _parse_body(rec: LetterRecord, part: list[Line], note_ns: set[int], *, incomplete: bool,
                partial_last: bool, last_line_no: int) -> None:
    warn = rec.warnings.append
    expected_month = int(rec.date_written[5:7]) if rec.date_written and len(rec.date_written) >= 7 else None
    times: list[tuple[int, str]] = []
    items: list[tuple[int, str]] = [(ln.no, ln.s) for ln in part]

    def classifiable(no: int) -> bool:
        return not (partial_last and no == last_line_no)

    # Lines before the body: time/place, address and transmission lines, then the salutation.
    i = 0
    while i < len(items):
        no, s = items[i]
        if not classifiable(no):
            break
        plain, fm = _field_markers(s, "time_place_text", note_ns)
        tp = parse_time_place(plain, expected_month)
        if tp is not None:
            rec.field_markers += fm
            times.append((no, plain))
            rec.warnings.extend(f"line {no}: {w}" for w in tp.warnings)
            _cross_check_time(rec, tp, no)
            i += 1
            continue
        if L.is_bare_copy(s):
            rec.is_copy = True
            rec.address_lines.append(s)
            i += 1
            continue
        plain, fm = _field_markers(s, f"address_lines[{len(rec.address_lines)}]", note_ns)
        if L.is_address_line(plain) and not L.is_salutation(plain):
            rec.field_markers += fm
            rec.address_lines.append(plain)
            rec.lines.setdefault("address", no)
            i += 1
            continue
        break
    # A time line fused in front of the first sentence ("27/XII. Comrade Lenin! …").
    if i < len(items) and classifiable(items[i][0]):
        fused = split_leading_time(items[i][1])
        if fused is not None:
            times.append((items[i][0], fused[0]))
            items[i] = (items[i][0], fused[1])
            warn(f"line {items[i][0]}: time/place {fused[0]!r} fused into the first sentence, split off")
    if i < len(items) and classifiable(items[i][0]):
        no, s = items[i]
        plain, fm = _field_markers(s, "salutation", note_ns)
        if L.is_salutation(plain) and (i + 1 < len(items) or not incomplete):
            rec.salutation = plain
            rec.field_markers += fm
            rec.lines["salutation"] = no
            i += 1
    body = items[i:]

    # Lines after the body, read backwards: time/place, signature(s), time/place. Never on a cut page.
    tail_times: list[tuple[int, str]] = []
    signatures: list[tuple[int, str, list[Marker]]] = []
    sender_surnames = {L.surname(x) for x in rec.senders}
    if not incomplete:
        while body:
            no, s = body[-1]
            plain, fm = _field_markers(s, "time_place_text", note_ns)
            if _signed_with_time(plain, sender_surnames):
                break  # "Stalin 11/VII": a signature with its time, not a place
            if parse_time_place(plain, expected_month) is not None and len(body) > 1:
                tail_times.insert(0, (no, plain))
                rec.field_markers += fm
                body = body[:-1]
                continue
            break
        while body and len(signatures) < 4:
            no, s = body[-1]
            plain, fm = _field_markers(s, "signatures", note_ns)
            fused = _split_signed_time(plain, sender_surnames)
            if fused is not None and _signed_with_time(plain, sender_surnames):
                signatures.insert(0, (no, fused[0], fm))
                tail_times.insert(0, (no, fused[1]))
                body = body[:-1]
                continue
            if L.is_signature(plain):
                signatures.insert(0, (no, plain, fm))
                body = body[:-1]
                continue
            break
        while signatures and body:
            no, s = body[-1]
            plain, fm = _field_markers(s, "time_place_text", note_ns)
            if parse_time_place(plain, expected_month) is not None:
                tail_times.insert(0, (no, plain))
                rec.field_markers += fm
                body = body[:-1]
                continue
            break
    times += tail_times
    if times:
        rec.time_place_text = "\n".join(t for _, t in times)
        rec.lines["time_place"] = times[0][0]
    # Two letters by two writers on one sheet: a signature line inside the body naming a sender. It stays in
    # the body (it is part of the sheet's text) and is listed among the signatures.
    inner = [(no, s) for no, s in body[:-1]
             if L.is_signature(s) and any(L.surname(n) in sender_surnames for n in L.signature_names(s))]
    for no, s in inner:
        after = next((t for n2, t in body if n2 > no), "")
        if _POSTSCRIPT.match(after):
            warn(f"line {no}: signature {s!r} before a postscript; kept in the body too")
        else:
            warn(f"line {no}: signature {s!r} inside the body (two letters on one sheet?); kept in the body too")
    for idx, (_, _, fms) in enumerate(signatures):
        for fm in fms:
            fm.field = f"signatures[{idx + len(inner)}]"
            rec.field_markers.append(fm)
    rec.signatures = [s for _, s in inner] + [s for _, s, _ in signatures]
    if rec.signatures:
        rec.lines["signature"] = (inner or [(signatures[0][0], "")])[0][0]

    # A page cut inside the first line after the heading/date: a fragment like "[previously May" or "27/" is
    # more likely the start of a date, time or address line than of the body, so it is not made into one.
    if partial_last and len(body) == 1 and body[0][0] == last_line_no and _fragment(body[0][1]):
        warn(f"line {last_line_no}: the page ends inside this line ({body[0][1]!r}); it is not taken as the body")
        body = []
    # The body itself, with its markers taken out.
    rec.body_printed = "\n".join(s for _, s in body)
    if body:
        rec.lines["body"] = body[0][0]
        rec.lines["body_end"] = body[-1][0]
    scan = find_markers(rec.body_printed, note_ns, cut_at_end=incomplete)
    rec.body, rec.markers = scan.text, scan.markers
    rec.body_normalised = normalise_text(rec.body)
    for n in scan.unmatched:
        warn(f"marker {n} in the body has no note")
    if scan.suspected:
        where = "the page is cut off before the notes" if incomplete else "the document has no notes"
        warn(f"the body seems to carry note markers ({', '.join(map(str, scan.suspected))}) but {where}; "
             "not taken as markers")
    _check_brackets(rec, body)


_FRAGMENT_START = re.compile(r"^[\[\d(]")


def _fragment(s: str) -> bool:
    """A cut line that may be the start of a date, time, address or salutation line rather than prose."""
    return len(s.split()) <= 3 or bool(_FRAGMENT_START.match(s) or MONTH_PATTERN.match(s)
                                     or L.is_address_line(s))


#: Places that open time/place lines (``Baku 16/VII-20``): such a line is never a signature with a time.
_PLACES = {"moscow", "petrograd", "baku", "tiflis", "kharkiv", "kharkov", "tsaritsyn", "kyiv", "kiev",
           "sochi", "kremlin", "rostov", "kazan", "simbirsk", "samara", "perm", "vyatka", "smolensk", "minsk",
           "kursk", "orel", "tula", "voronezh", "astrakhan", "yekaterinburg", "ufa", "omsk", "tashkent",
           "erivan", "vladikavkaz", "gorki", "berlin", "genoa", "london", "paris", "stockholm", "brest",
           "nalchik", "batum", "batumi", "sukhum", "novorossiysk", "krasnodar", "yekaterinodar",
           "odessa", "sevastopol"}


def _signed_with_time(text: str, sender_surnames: set[str]) -> bool:
    """``Stalin 11/VII`` is a signature fused with its time; ``Baku 16/VII-20`` is a place and a time."""
    fused = _split_signed_time(text, sender_surnames)
    if fused is None:
        return False
    name = L.surname(fused[0])
    return name in sender_surnames or name not in _PLACES


def _split_signed_time(text: str, sender_surnames: set[str]) -> tuple[str, str] | None:
    """Signature and time of ``Stalin Baku 16/VII`` (a known place or the sender before the time: the word
    before the time is the place) or of ``Your Koba 5/VII`` (else it belongs to the signature)."""
    with_place = split_trailing_time(text)
    if with_place is not None and L.is_signature(with_place[0]):
        place = with_place[1].split()[0].strip(",").lower() if not with_place[1][0].isdigit() else None
        if place is None or place in _PLACES or L.surname(with_place[0]) in sender_surnames:
            return with_place
    bare = split_trailing_time(text, place=False)
    if bare is not None and L.is_signature(bare[0]):
        return bare
    if with_place is not None and L.is_signature(with_place[0]):
        return with_place
    return None


_BLANKS = re.compile(r"[ \t]+")
_DOUBLED_STOP = re.compile(r"([.!?])\.(?=\s|$)")
_ELLIPSIS = re.compile(r"\[\s*(?:\.\s*){3}\]|\[\u2026\]")
_SPACE_BEFORE_PUNCT = re.compile(r" +([.,;:!?])")


def normalise_text(text: str) -> str:
    """Reading for search: editorial brackets expanded (``Kal[edi]n`` → ``Kaledin``, ``[...]`` → ``...``),
    spaces tidied. Markers are already out."""
    s = _ELLIPSIS.sub("\u2026", text) if "[" in text else text  # kept apart from the tidying below
    s = s.replace("[", "").replace("]", "")
    if "\t" in s or "  " in s:  # else a no-op, and a slow one: it stops at every space
        s = _BLANKS.sub(" ", s)
    s = _SPACE_BEFORE_PUNCT.sub(r"\1", s)
    s = _DOUBLED_STOP.sub(r"\1", s)
    s = s.replace("\u2026", "...")
    return "\n".join(line.strip() for line in s.split("\n"))


def _cross_check_time(rec: LetterRecord, tp: TimePlace, no: int) -> None:
    """A time line's day/month should agree with a day-precise date line (both as written)."""
    if tp.day is None or tp.month is None or rec.date_precision != "day" or not rec.date_written:
        return
    if rec.date_written_end:
        return
    month, day = int(rec.date_written[5:7]), int(rec.date_written[8:10])
    if (tp.day, tp.month) != (day, month):
        rec.warnings.append(f"line {no}: time line {tp.text!r} gives day {tp.day}/{tp.month}, the date line "
                            f"{rec.date_text!r} day {day}/{month}")


def _check_brackets(rec: LetterRecord, body: list[tuple[int, str]]) -> None:
    for no, s in body:
        if "[" not in s and "]" not in s:
            continue  # nothing to balance: spares a walk through the line character by character
        depth = 0
        for ch in s:
            if ch == "[":
                depth += 1
            elif ch == "]":
                depth -= 1
                if depth < 0:
                    break
        if depth != 0:
            where = _excerpt(s, s.find("]" if depth < 0 else "["))
            rec.warnings.append(f"line {no}: unbalanced editorial bracket in {where!r}")


def _excerpt(s: str, pos: int, width: int = 30) -> str:
    lo = max(0, pos - width)
    return ("…" if lo else "") + s[lo:pos + width].strip() + ("…" if pos + width < len(s) else "")


# ------------------------------------------------------------------------------------------ closing block
def _parse_closing(part: list[Line], cut_line: int | None = None
                   ) -> tuple[list[Line], list[Note], int | None, list[str]]:
    """Archival (and publication) lines, then notes with or without a ``Notes:`` heading.

    ``cut_line`` is the page's last line when the page ends inside it: a fragment there is not made into an
    unnumbered first note (it may as well be the start of the next document)."""
    archival: list[Line] = []
    notes: list[Note] = []
    warnings: list[str] = []
    head_line: int | None = None
    i = 0
    while i < len(part) and (is_archival_line(part[i].s) or (archival and is_publication_line(part[i].s))):
        archival.append(part[i])
        i += 1
    current: Note | None = None
    for ln in part[i:]:
        s = ln.s
        if head_line is None and not notes:
            rest = L.notes_heading(s)
            if rest is not None:
                head_line = ln.no
                if not rest:
                    continue
                s = rest
        start = L.note_start(s)
        expected = (current.n or 1) + 1 if current is not None else None
        if start is not None and (current is None or start.n == expected):
            if current is None and start.n != 1:
                warnings.append(f"line {ln.no}: first note is numbered {start.n}")
            current = Note(n=start.n, text=start.text, line=ln.no)
            notes.append(current)
            continue
        if current is None:
            if is_archival_line(s):
                archival.append(ln)
                continue
            if ln.no == cut_line:
                warnings.append(f"line {ln.no}: the page ends inside this line ({s!r}); it is not taken as a note")
                continue
            current = Note(n=1, text=s, line=ln.no)
            notes.append(current)
            warnings.append(f"line {ln.no}: first note has no number; taken as note 1")
            continue
        current.text = f"{current.text}\n{s}" if current.text else s  # "1 ." alone, its text on the next line
    for note in notes:
        note.references = find_citations(note.text, note.line)
        for d in find_dual_dates(note.text):
            note.dual_dates.append(DualDate(text=d.text, julian=d.julian, gregorian=d.gregorian,
                                            consistent=d.consistent))
            if not d.consistent and d.julian:
                conv = julian_to_gregorian(*map(int, d.julian.split("-"))).isoformat()
                warnings.append(f"line {note.line}: note {note.n}: dual date {d.text!r} does not agree: "
                                f"Old Style {d.julian} is {conv} New Style, the note says {d.gregorian}")
    return archival, notes, head_line, warnings


def _apply_closing(rec: LetterRecord, archival_lines: list[Line], warnings: list[str],
                   notes_head_line: int | None) -> None:
    for ln in archival_lines:
        if is_publication_line(ln.s) and not is_archival_line(ln.s):
            rec.publications.append(ln.s)
            continue
        parsed = parse_archival_line(ln.s, ln.no)
        rec.archival_refs += parsed.refs
        rec.publications += parsed.publications
        rec.warnings.extend(f"line {ln.no}: {w}" for w in parsed.warnings)
    if archival_lines:
        rec.lines["archival"] = archival_lines[0].no
    if notes_head_line is not None:
        rec.lines["notes"] = notes_head_line
    elif rec.notes:
        rec.lines["notes"] = rec.notes[0].line or 0
    rec.warnings.extend(warnings)


# ------------------------------------------------------------------------------------------ checks
def _resolve_parties(rec: LetterRecord, heading_line: Line | None) -> None:
    """Settle the garbled ``Telegram to A B`` by the signature, and fill parties of a headingless document
    from its signature and address lines."""
    h = L.parse_heading(rec.heading) if rec.heading else None
    signed = {L.surname(n) for s in rec.signatures for n in L.signature_names(s)}
    if h is not None and h.garbled:
        line = heading_line.no if heading_line else "?"
        if rec.senders and rec.recipients and signed:
            s_names = {L.surname(n) for n in rec.senders}
            r_names = {L.surname(n) for n in rec.recipients}
            if signed & r_names and not signed & s_names:
                rec.senders, rec.recipients = rec.recipients, rec.senders
                rec.warnings.append(f"line {line}: garbled heading {rec.heading!r}: the signature names "
                                    f"{', '.join(rec.senders)}, so taken as the sender")
                return
        if rec.senders:
            rec.warnings.append(f"line {line}: garbled heading {rec.heading!r}: first name taken as the "
                                f"sender ({', '.join(rec.senders)}), second as the recipient")
        else:
            if rec.signatures:
                rec.senders = [n for s in rec.signatures for n in L.signature_names(s)]
            rec.warnings.append(f"line {line}: heading {rec.heading!r} names only the recipient"
                                + ("; sender taken from the signature" if rec.senders else ""))
        return
    if rec.heading is None:
        if not rec.senders and rec.signatures:
            rec.senders = [n for s in rec.signatures for n in L.signature_names(s)]
            rec.warnings.append("no heading: sender taken from the signature")
        if not rec.recipients:
            for a in rec.address_lines:
                rec.recipients += L.recipients_from_address(a)
            if rec.recipients:
                rec.warnings.append("no heading: recipient taken from the address line")


def _check_markers(rec: LetterRecord, note_ns: set[int], incomplete: bool) -> None:
    placed = {m.n for m in rec.markers} | {m.n for m in rec.field_markers}
    spots = lost_marker_spots(rec.body)
    by_n = {m.n: m.offset for m in rec.markers}
    for note in rec.notes:
        if note.n is None or note.n in placed:
            continue
        where = f"line {note.line}: note {note.n} has no marker in the text"
        if _SHEET_NOTE.match(note.text):
            about = _excerpt(note.text, 0, 40)
            rec.warnings.append(f"{where}; it describes the sheet itself ({about!r}), which "
                                "editors often leave unmarked: attach it to the letter as a whole")
            continue
        lo = max((off for n, off in by_n.items() if n < note.n), default=0)
        hi = min((off for n, off in by_n.items() if n > note.n), default=len(rec.body))
        near = [p for p in spots if lo <= p <= hi]
        if near:
            spot = _excerpt(rec.body, near[0], 20)
            rec.warnings.append(f"{where}; the web page probably lost it near {spot!r} "
                                "(a space before punctuation is what a lost marker leaves)")
        else:
            rec.warnings.append(f"{where}; the web page probably lost it")


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


def _check_repeats(rec: LetterRecord) -> None:
    """A passage the web page printed twice is reported, not dropped. Sentences of 60+ characters are compared
    word by word; 85 % alike counts (the web page's copies differ by a word or two)."""
    for label, text in [("body", rec.body)] + [(f"note {n.n}", n.text) for n in rec.notes]:
        sentences = [s.strip() for s in _SENTENCE_END.split(text) if len(s.strip()) >= 60]
        seen: list[tuple[str, list[str]]] = []
        for s in sentences:
            words = s.lower().split()
            for t, t_words in seen:
                if s == t:
                    alike = True
                elif abs(len(words) - len(t_words)) > 0.3 * len(words):
                    alike = False
                else:
                    m = difflib.SequenceMatcher(None, words, t_words, autojunk=False)
                    alike = m.quick_ratio() >= 0.85 and m.ratio() >= 0.85
                if alike:
                    rec.warnings.append(f"{label}: passage printed twice ({_excerpt(s, 0, 40)!r}); both kept")
                    break
            seen.append((s, words))
