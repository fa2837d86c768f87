"""Note markers in printed text: find them, take them out, and remember where they were.

The web edition lost its superscripts: a marker is now a bare number set off by spaces before punctuation
(``needed) 2 ;``), glued to the word or punctuation before it (``articles4``, ``negotiations.1 .``), glued to
the next word (``3(I``), spelled out (``one``), or gone. Numbers in running text (``20 thousand``, ``40.6``,
``No. 371``, dates) are not markers. So a candidate counts only when a note with its number exists, and the
weaker shapes only when they keep the markers in order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.dates import MONTH_PATTERN
from kg.records import Marker

_PUNCT = r"[.,;:!?)\]\u00bb\u201d\"']"
_SPELLED = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
            "nine": 9, "ten": 10}
#: Words after which a number is a value, not a marker (``No. 371``, ``S. 12``, ``L. 2``).
_VALUE_WORDS = {"no", "no.", "nos.", "s.", "l.", "ll.", "f.", "d.", "op.", "on.", "t.", "vol.", "p.", "pp.",
                "ch.", "art.", "article", "paragraph", "item", "point", "clause", "section", "page", "pages",
                "number", "issue", "part", "\u00a7", "no.,", "tel.", "house", "apt.", "room", "version",
                "leaf", "sheet", "chapter", "order", "decree", "resolution", "protocol", "minutes"}

_VALUE_STEMS = {w.rstrip(".,") for w in _VALUE_WORDS}

# Each shape opens on the space or digit it consumes first, and looks behind only after it: ``( (?<=\S )``
# is ``(?<=\S)( `` and ``(\d(?<=X\d)\d?)`` is ``(?<=X)(\d{1,2})``, matching the same text with the same
# groups, but a pattern that starts with a character lets the regex engine skip ahead to it instead of
# trying the lookbehind at every position of a body (three times faster).
_SPACED = re.compile(r"( (?<=\S )(\d{1,2}) )(?=" + _PUNCT + r")")
_SPACED_EOL = re.compile(r"( (?<=\S )(\d{1,2}))(?=\n|$)")
_GLUED_WORD = re.compile(r"(\d(?<=[A-Za-z\]]\d)\d?)( (?=[.,;:!?]))?(?=[\s.,;:!?)\]\u00bb\u201d\"']|$)")
_GLUED_PUNCT = re.compile(
    r"(\d(?<=[A-Za-z\])\"\u201d\u00bb'][.,;:!?)\"\u201d\u00bb]\d)\d?)( (?=[.,;:!?]))?(?=[\s.,;:!?]|$)")
_GLUED_NEXT = re.compile(r"(\d(?<!\S\d)\d?)(?=\([A-Za-z]|[A-Z][a-z])")
_SPELLED_RE = re.compile(r"( (?<=\S )(one|two|three|four|five|six|seven|eight|nine|ten) )(?=[.,;:!?])")
_LOST = re.compile(r"\S( )[.,;:!?](?=\s|$)")


@dataclass
class _Candidate:
    start: int
    end: int
    n: int
    strong: bool


def _last_token(text: str, pos: int) -> str:
    """``text[:pos].split()[-1]`` ('' when there is none), read backwards from ``pos``: splitting all of a long
    body before each candidate cost time quadratic in its length. ``isspace`` is what ``split`` splits at."""
    end = pos
    while end > 0 and text[end - 1].isspace():
        end -= 1
    start = end
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    return text[start:end]


def _word_before(text: str, pos: int) -> str:
    return _last_token(text, pos).lower()


_ABBREVIATION = re.compile(r"[A-Za-z]{1,2}\.")


def _candidates(text: str, fields_only: bool) -> list[_Candidate]:
    found: list[_Candidate] = []

    def value_context(pos: int) -> bool:
        word = _word_before(text, pos)
        return word in _VALUE_WORDS or bool(MONTH_PATTERN.fullmatch(word.strip(".,")))

    for m in _SPACED.finditer(text):
        if not value_context(m.start(1)):
            found.append(_Candidate(m.start(1), m.end(1), int(m.group(2)), True))
    for m in _SPACED_EOL.finditer(text):
        if not value_context(m.start(1)):
            found.append(_Candidate(m.start(1), m.end(1), int(m.group(2)), fields_only))
    for m in _GLUED_WORD.finditer(text):
        token = _last_token(text, m.start(1))  # "articles4" -> "articles"; skip "No5", "L2", "F558"
        if token.lower().rstrip(".") in _VALUE_STEMS or len(token) <= 1:
            continue
        found.append(_Candidate(m.start(1), m.end(0), int(m.group(1)), True))
    for m in _GLUED_PUNCT.finditer(text):
        token = _last_token(text, m.start(1))
        if token.lower() in _VALUE_WORDS or _ABBREVIATION.fullmatch(token):
            continue
        end = m.end(0)
        # "negotiations.1 .": the stop the translation repeated after the marker goes with the marker, else
        # the body would read "negotiations..".
        if m.group(2) and text[end:end + 1] == text[m.start(1) - 1] and text[end:end + 1] in ".!?":
            end += 1
        found.append(_Candidate(m.start(1), end, int(m.group(1)), True))
    if not fields_only:
        for m in _GLUED_NEXT.finditer(text):
            if not value_context(m.start(1)):
                found.append(_Candidate(m.start(1), m.end(1), int(m.group(1)), False))
        for m in _SPELLED_RE.finditer(text):
            found.append(_Candidate(m.start(1), m.end(1), _SPELLED[m.group(2)], False))
    found.sort(key=lambda c: (c.start, -c.end))
    out: list[_Candidate] = []
    for c in found:
        if out and c.start < out[-1].end:
            continue
        out.append(c)
    return out


@dataclass
class MarkerScan:
    """The text without its markers, the markers (offsets into that text) and what looked doubtful."""

    text: str
    markers: list[Marker]
    unmatched: list[int]  # marker numbers that have no note
    suspected: list[int]  # numbers that look like markers but were not taken (no notes at all)


def find_markers(text: str, note_numbers: set[int], *, field: str = "body", cut_at_end: bool = False,
                 fields_only: bool = False) -> MarkerScan:
    """Locate note markers in ``text`` and remove them.

    ``note_numbers`` are the numbers of the document's notes: a candidate whose number has no note is taken
    only in the strong shapes and only near the notes' range (it is then reported in ``unmatched``); with no
    notes at all nothing is taken, and the numbers are returned in ``suspected``. ``cut_at_end`` (the page
    ends inside this text) drops a candidate touching the end, since ``within 48`` cut to ``within 4`` would
    otherwise become marker 4. ``fields_only`` restricts to the shapes safe in short lines.
    """
    cands = _candidates(text, fields_only)
    if cut_at_end:
        cands = [c for c in cands if c.end < len(text.rstrip())]
    accepted: list[_Candidate] = []
    suspected: list[int] = []
    top = max(note_numbers) if note_numbers else 0
    strong_ns = {c.n for c in cands if c.strong and c.n in note_numbers}
    last = 0
    for c in cands:
        if c.n < 1:
            continue
        if not note_numbers:
            if c.strong:
                suspected.append(c.n)
            continue
        if c.n in note_numbers:
            if c.strong or (c.n not in strong_ns and c.n >= last and
                            c.n not in {a.n for a in accepted}):
                accepted.append(c)
                last = c.n
            continue
        if c.strong and not fields_only and 1 <= c.n <= top + 3 and c.n >= last:
            accepted.append(c)
            last = c.n
    pieces: list[str] = []
    markers: list[Marker] = []
    pos = 0
    clean_len = 0
    for c in accepted:
        pieces.append(text[pos:c.start])
        clean_len += c.start - pos
        markers.append(Marker(n=c.n, offset=clean_len, printed=text[c.start:c.end], field=field))
        pos = c.end
    pieces.append(text[pos:])
    unmatched = sorted({m.n for m in markers if m.n not in note_numbers})
    return MarkerScan("".join(pieces), markers, unmatched, sorted(set(suspected)))


def restore_markers(text: str, markers: list[Marker]) -> str:
    """Put the markers back where they were: the inverse of :func:`find_markers` (the round trip)."""
    out: list[str] = []
    pos = 0
    for m in sorted(markers, key=lambda m: m.offset):
        out.append(text[pos:m.offset])
        out.append(m.printed)
        pos = m.offset
    out.append(text[pos:])
    return "".join(out)


def lost_marker_spots(text: str) -> list[int]:
    """Offsets where a space stands before punctuation (``the 28th .``): the trace of a marker the web page
    lost. Used only to point an editor at the likely place in a warning."""
    return [m.start(1) for m in _LOST.finditer(text)]
