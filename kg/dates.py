"""Dates as the edition prints them: date lines, dual Old/New Style dates, and time/place lines.

Soviet Russia kept the Julian calendar until 31 January 1918 (Old Style); the next day was 14 February 1918
(New Style). The edition prints dates before the switch in Old Style unless it gives both (``December 4 (17),
1917``), so every date is kept as written, with its calendar, beside its proleptic Gregorian value. Conversion
uses ``convertdate`` rather than hand arithmetic, because the offset changes by century (12 days in the 19th,
13 in the 20th) and hand-written offsets get that wrong.

Nothing here knows about pages: callers hand in one line of text and get plain values back.
"""

from __future__ import annotations

import calendar as _stdcal
import re
from dataclasses import dataclass, field
from datetime import date

from convertdate import julian as _julian

#: Last day of the Old Style in Soviet Russia (written in the Julian calendar).
SWITCH_LAST_JULIAN = (1918, 1, 31)

MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9,
    "oct": 10, "nov": 11, "dec": 12,
}
_MONTH_RE = (r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
             r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?")
MONTH_PATTERN = re.compile(_MONTH_RE, re.IGNORECASE)

#: Translated qualifiers, longest first. "previously" (ранее) means *before*; "later" (позднее) is the
#: edition's translation of "not earlier than".
QUALIFIERS: list[tuple[str, str]] = [
    ("not earlier than", "not_before"), ("no earlier than", "not_before"), ("not before", "not_before"),
    ("not later than", "not_after"), ("no later than", "not_after"), ("not after", "not_after"),
    ("earlier than", "before"), ("previously", "before"), ("prior to", "before"), ("before", "before"),
    ("earlier", "before"), ("until", "before"),
    ("later than", "not_before"), ("later", "not_before"), ("after", "after"),
]
_QUALIFIER_KIND = dict(QUALIFIERS)
_QUALIFIER_RE = re.compile(
    r"\b(" + "|".join(re.escape(q) for q, _ in QUALIFIERS) + r")\b", re.IGNORECASE)
#: Words that make a date approximate ("[End of December 1917]"): the date is kept at the precision left.
_APPROX_RE = re.compile(
    r"\b(?:(?:the\s+)?(?:beginning|start|end|middle|first\s+half|second\s+half|first\s+days|last\s+days|"
    r"first\s+decade|second\s+decade|third\s+decade)\s+of|early|late|mid|about|approximately|circa|"
    r"spring|summer|autumn|fall|winter|ca\.|c\.)(?=\s|$)|\bmid-", re.IGNORECASE)


# ------------------------------------------------------------------------------------------ calendar
def is_old_style(y: int, m: int, d: int) -> bool:
    """True when a Russian date written (y, m, d) falls before the switch, i.e. is Old Style."""
    return (y, m, d) <= SWITCH_LAST_JULIAN


def julian_to_gregorian(y: int, m: int, d: int) -> date:
    """Proleptic Gregorian date of the Julian date (y, m, d); raises ValueError for an impossible date."""
    _julian.legal_date(y, m, d)
    gy, gm, gd = _julian.to_gregorian(y, m, d)
    return date(gy, gm, gd)


def _valid_gregorian(y: int, m: int, d: int) -> bool:
    try:
        date(y, m, d)
    except ValueError:
        return False
    return True


def _valid_julian(y: int, m: int, d: int) -> bool:
    try:
        _julian.legal_date(y, m, d)
    except ValueError:
        return False
    return True


def _last_day(y: int, m: int, julian: bool) -> int:
    return _julian.month_length(y, m) if julian else _stdcal.monthrange(y, m)[1]


def _iso(y: int, m: int | None = None, d: int | None = None) -> str:
    if m is None:
        return f"{y:04d}"
    if d is None:
        return f"{y:04d}-{m:02d}"
    return f"{y:04d}-{m:02d}-{d:02d}"


def month_number(name: str) -> int | None:
    """1-12 for an English month name or abbreviation (``Sept.``), else None."""
    return MONTHS.get(name.lower().rstrip("."))


# ------------------------------------------------------------------------------------------ results
@dataclass
class Partial:
    """A date with possibly missing parts, as printed (no calendar applied)."""

    year: int | None = None
    month: int | None = None
    day: int | None = None

    @property
    def precision(self) -> str | None:
        if self.year is None:
            return None
        return "day" if self.day is not None else "month" if self.month is not None else "year"


@dataclass
class ParsedDate:
    """A date line read into the fields of the record contract (see kg/records.py)."""

    text: str
    written: str | None = None
    written_end: str | None = None
    calendar: str | None = None
    gregorian: str | None = None
    gregorian_end: str | None = None
    editorial: bool = False
    qualifier: str | None = None
    precision: str | None = None
    edtf: str | None = None
    warnings: list[str] = field(default_factory=list)


@dataclass
class DualDateValue:
    """An Old (New) pair read from text, with the cross-check of the two halves."""

    text: str
    start: int
    end: int
    julian: str | None
    gregorian: str | None
    consistent: bool


# ------------------------------------------------------------------------------------------ partial dates
_D = r"(?P<{n}>\d{{1,2}})(?:st|nd|rd|th)?"
_Y = r"(?P<{n}>\d{{4}})"
_M = r"(?P<{n}>" + _MONTH_RE + r")"

_PARTIAL_SHAPES = [
    re.compile(r"^" + _M.format(n="m") + r"\s+" + _D.format(n="d") + r",?\s*" + _Y.format(n="y") + r"$",
               re.I),
    re.compile(r"^" + _D.format(n="d") + r"\s+" + _M.format(n="m") + r",?\s*" + _Y.format(n="y") + r"$",
               re.I),
    re.compile(r"^" + _M.format(n="m") + r",?\s*" + _Y.format(n="y") + r"$", re.I),
    re.compile(r"^" + _Y.format(n="y") + r"$"),
    re.compile(r"^" + _M.format(n="m") + r"\s+" + _D.format(n="d") + r"$", re.I),
    re.compile(r"^" + _D.format(n="d") + r"\s+" + _M.format(n="m") + r"$", re.I),
    re.compile(r"^" + _M.format(n="m") + r"$", re.I),
    re.compile(r"^" + _D.format(n="d") + r",?$"),
    re.compile(r"^" + _D.format(n="d") + r",?\s*" + _Y.format(n="y") + r"$"),
]


def parse_partial(text: str) -> Partial | None:
    """Read ``December 27, 1917``, ``27 December 1917``, ``December 1917``, ``1917``, ``December 27``,
    ``27``."""
    s = text.strip().strip(",").strip()
    for shape in _PARTIAL_SHAPES:
        m = shape.match(s)
        if not m:
            continue
        g = m.groupdict()
        return Partial(
            year=int(g["y"]) if g.get("y") else None,
            month=month_number(g["m"]) if g.get("m") else None,
            day=int(g["d"]) if g.get("d") else None,
        )
    return None


# ------------------------------------------------------------------------------------------ dual dates
_DUAL_SHAPES = [
    # December 4 (17), 1917 / December 20 (January 2), 1918 / December 20 (January 2, 1918) /
    # December 31, 1917 (January 13, 1918)
    re.compile(
        r"(?P<m1>" + _MONTH_RE + r")\s+(?P<d1>\d{1,2})(?:,\s*(?P<y1>\d{4}))?\s*"
        r"\(\s*(?:(?P<m2>" + _MONTH_RE + r")\s+)?(?P<d2>\d{1,2})(?:,\s*(?P<y2>\d{4}))?\s*\)"
        r"(?:,?\s*(?P<y>\d{4}))?", re.I),
    # 4 (17) December 1917 / 20 December (2 January) 1918
    re.compile(
        r"(?<![\d(])(?P<d1>\d{1,2})\s+(?:(?P<m1b>" + _MONTH_RE + r")\s+)?\(\s*(?P<d2>\d{1,2})"
        r"(?:\s+(?P<m2>" + _MONTH_RE + r"))?\s*\)\s+(?:(?P<m1>" + _MONTH_RE + r")\s+)?(?P<y>\d{4})", re.I),
]


#: What every dual shape holds: its New Style half, a bracket opening on a day or a month and a day. A text
#: without it has no dual date; a cheap search (it starts with a literal) where the shapes are not.
_DUAL_HINT = re.compile(r"\(\s*(?:" + _MONTH_RE + r"\s+)?\d", re.I)


def _resolve_dual(g: dict[str, str | None]) -> tuple[str | None, str | None, bool]:
    """Julian and Gregorian ISO dates of a dual-date match, trying each reading of an ambiguous year."""
    m1_name = g.get("m1") or g.get("m1b")
    if not m1_name:
        return None, None, False
    m1 = month_number(m1_name)
    m2 = month_number(g["m2"]) if g.get("m2") else m1
    d1, d2 = int(g["d1"] or 0), int(g["d2"] or 0)
    y_tail = int(g["y"]) if g.get("y") else None
    y1 = int(g["y1"]) if g.get("y1") else None
    y2 = int(g["y2"]) if g.get("y2") else None
    if m1 is None or m2 is None:
        return None, None, False
    # Candidate (old year, new year) pairs: the printed years first, then the month wrap-around readings.
    candidates: list[tuple[int, int]] = []
    if y1 and y2:
        candidates.append((y1, y2))
    base = y1 or y2 or y_tail
    if base is None:
        return None, None, False
    for oy, ny in ((base, base), (base - 1, base), (base, base + 1)):
        if y1 and oy != y1:
            continue
        if y2 and ny != y2:
            continue
        candidates.append((oy, ny))
    first: tuple[str | None, str | None] | None = None
    for oy, ny in candidates:
        if not (_valid_julian(oy, m1, d1) and _valid_gregorian(ny, m2, d2)):
            continue
        jul, greg = _iso(oy, m1, d1), _iso(ny, m2, d2)
        if first is None:
            first = (jul, greg)
        if julian_to_gregorian(oy, m1, d1) == date(ny, m2, d2):
            return jul, greg, True
    if first is None:
        return None, None, False
    return first[0], first[1], False


def find_dual_dates(text: str) -> list[DualDateValue]:
    """Every ``D (D'), YYYY`` / ``Month D (Month' D'), YYYY`` Old (New) pair in a text, cross-checked.

    ``consistent`` is true when converting the Old Style half gives the New Style half; a false value is a
    misprint (or a mistranslation) the editors' reader should see.
    """
    if not _DUAL_HINT.search(text):  # most lines and notes hold no bracket that opens a New Style half
        return []
    found: list[DualDateValue] = []
    taken: list[tuple[int, int]] = []
    for shape in _DUAL_SHAPES:
        for m in shape.finditer(text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            jul, greg, ok = _resolve_dual(m.groupdict())
            if jul is None and greg is None:
                continue
            taken.append((m.start(), m.end()))
            found.append(DualDateValue(m.group(0).strip(), m.start(), m.end(), jul, greg, ok))
    found.sort(key=lambda v: v.start)
    return found


# ------------------------------------------------------------------------------------------ date lines
_TRAILING_MARKER = re.compile(r"(?:(?<=[\]\d.,)])\s*\d{1,2}|\s+\d{1,2})\s*\.?\s*$")


_BETWEEN = re.compile(r"^between\s+(.+?)\s+and\s+(.+)$", re.I)
_RANGE_DASH = re.compile(r"\s*-\s*")
_WHITESPACE = re.compile(r"\s+")
_COMMA = re.compile(r"\s*,\s*")


def _split_range(core: str) -> tuple[str, str] | None:
    m = _BETWEEN.match(core)
    if m:
        return m.group(1), m.group(2)
    parts = _RANGE_DASH.split(core)
    if len(parts) == 2 and parts[0] and parts[1]:
        return parts[0], parts[1]
    return None


def _bounds(p: Partial) -> tuple[tuple[int, int, int], tuple[int, int, int]] | None:
    """First and last day (as written) covered by a partial date, in its own calendar."""
    if p.year is None:
        return None
    y = p.year
    if p.month is None:
        start = (y, 1, 1)
        end = (y, 12, 31)
        return start, end
    jul_start = is_old_style(y, p.month, 1)
    if p.day is None:
        return (y, p.month, 1), (y, p.month, _last_day(y, p.month, jul_start))
    return (y, p.month, p.day), (y, p.month, p.day)


def _to_gregorian(ymd: tuple[int, int, int]) -> date:
    y, m, d = ymd
    if is_old_style(y, m, d):
        return julian_to_gregorian(y, m, d)
    return date(y, m, d)


def _check_valid(p: Partial) -> bool:
    if p.year is None or p.month is None or p.day is None:
        return p.day is None or 1 <= p.day <= 31
    if is_old_style(p.year, p.month, p.day):
        return _valid_julian(p.year, p.month, p.day)
    return _valid_gregorian(p.year, p.month, p.day)


def _written(p: Partial) -> str | None:
    if p.year is None:
        return None
    return _iso(p.year, p.month, p.day)


_DIGIT = re.compile(r"\d")
_LETTER_RUN = re.compile(r"[^\W\d_]+")
#: Every word a date line can hold: the letters that the patterns of a date line spell out (months,
#: ordinals, ``between … and``) and those that cleaning removes (qualifiers, approximation words). Taken
#: from the patterns' own text, so the escapes' letters (``s`` of ``\s``, ``d`` of ``\d``) come along: a
#: few words too many only weakens the pre-check, never changes an answer.
_DATE_WORDS = frozenset(re.findall(r"[a-z]+", " ".join(
    [_MONTH_RE, _D, _QUALIFIER_RE.pattern, _APPROX_RE.pattern, _BETWEEN.pattern]).lower()))


def _only_date_words(raw: str) -> bool:
    """False when ``raw`` holds a word no date line can hold (``Dear``, ``maybe``, ``Marx``).

    Why this is exact, not a guess: cleaning (:func:`clean_date_text`) removes qualifier and approximation
    words only as whole words (their patterns begin at a word boundary and end at one, at a space or at the
    end), and changes no letters; every other word must then be read by the date patterns, where a month, an
    ordinal suffix, ``between`` and ``and`` never touch another letter. So each maximal run of letters of
    an accepted line is one of :data:`_DATE_WORDS`, in any case. Runs with letters outside ASCII are let
    through, since case-insensitive matching folds some of them onto ASCII ones (``ſ`` onto ``s``).
    """
    for m in _LETTER_RUN.finditer(raw):
        run = m.group()
        if run.isascii() and run.lower() not in _DATE_WORDS:
            return False
    return True


def clean_date_text(text: str) -> tuple[str, bool, str | None, bool, list[str]]:
    """Strip brackets, qualifiers and approximation words.

    Returns (core, editorial, qualifier, approx, qualifier words as printed)."""
    s = text.strip()
    editorial = "[" in s or "]" in s
    s = s.replace("[", " ").replace("]", " ")
    s = s.replace("\u2013", "-").replace("\u2014", "-").replace("\u2012", "-")
    qualifier = None
    words: list[str] = []
    for m in _QUALIFIER_RE.finditer(s):
        words.append(m.group(1))
        if qualifier is None:
            qualifier = _QUALIFIER_KIND[m.group(1).lower()]
    s = _QUALIFIER_RE.sub(" ", s)
    approx = bool(_APPROX_RE.search(s))
    s = _APPROX_RE.sub(" ", s)
    s = s.replace("?", " ")
    s = _WHITESPACE.sub(" ", s).strip(" .;:,")
    s = _COMMA.sub(", ", s)
    return s, editorial, qualifier, approx, words


def parse_date_line(text: str) -> ParsedDate | None:
    """Read a whole line as a date line, or return None when the line is not a date line.

    Understood: ``Month D, YYYY``; ``Month D [YYYY]``; ``[Month YYYY]``; ``[Month D, YYYY]``;
    ``D Month YYYY``; ``[YYYY]``; qualifiers (``[previously December 5, 1917]``, ``[not later than …]``);
    ranges (``12-15 March 1922``, ``March 12-15, 1922``, ``April 30 - May 2, 1920``, ``between … and …``);
    dual dates ``Month D (D'), YYYY`` and ``Month D (Month' D'), YYYY``. A trailing note marker is
    tolerated. A bare year counts only when bracketed (``[1917]``): a bare number is usually something else.
    """
    raw = text.strip()
    if not raw or len(raw) > 90:
        return None
    if not _only_date_words(raw):  # first: it turns away most lines of prose at their first word
        return None
    if not _DIGIT.search(raw) and not MONTH_PATTERN.search(raw):
        return None
    # Dual dates first: they carry their own calendar information.
    core, editorial, qualifier, approx, _ = clean_date_text(raw)
    for candidate in (core, _TRAILING_MARKER.sub("", core)):
        duals = find_dual_dates(candidate)
        if len(duals) == 1 and duals[0].start == 0 and duals[0].end >= len(candidate.rstrip(" .,")):
            d = duals[0]
            result = ParsedDate(text=raw, written=d.julian, calendar="julian", gregorian=d.gregorian,
                                editorial=editorial, qualifier=qualifier, precision="day")
            if d.julian and d.gregorian and not d.consistent:
                conv = julian_to_gregorian(*map(int, d.julian.split("-"))).isoformat()
                result.warnings.append(
                    f"dual date {d.text!r}: Old Style {d.julian} is {conv} New Style, "
                    f"not {d.gregorian} as printed")
            result.edtf = _edtf(result)
            return result
    result = _parse_core(raw, core, editorial, qualifier)
    if result is None:
        stripped = _TRAILING_MARKER.sub("", core).strip(" .,")
        if stripped != core:
            result = _parse_core(raw, stripped, editorial, qualifier)
            if result is not None:
                result.warnings.append(f"date line {raw!r}: trailing number read as a note marker")
    if result is None:
        return None
    if approx:
        result.warnings.append(f"date line {raw!r} is approximate")
    if "?" in raw:
        result.warnings.append(f"date line {raw!r} is marked uncertain")
    result.edtf = _edtf(result)
    return result


def _parse_core(raw: str, core: str, editorial: bool, qualifier: str | None) -> ParsedDate | None:
    single = parse_partial(core)
    if single is not None:
        if single.year is None and single.month is None:
            return None  # a bare day number is not a date line
        if single.month is None and not editorial:
            return None  # a bare year only when the editors bracketed it
        if not _check_valid(single):
            return None
        return _fill(ParsedDate(text=raw, editorial=editorial, qualifier=qualifier), single, None)
    rng = _split_range(core)
    if rng is None:
        return None
    left, right = parse_partial(rng[0]), parse_partial(rng[1])
    if left is None or right is None:
        return None
    if left.year is None:
        left.year = right.year
    if left.month is None and left.day is not None:
        left.month = right.month
    if right.month is None and right.day is not None:
        right.month = left.month
    if right.year is None:
        right.year = left.year
    if left.year is None or left.month is None and right.month is not None:
        return None
    if not (_check_valid(left) and _check_valid(right)):
        return None
    return _fill(ParsedDate(text=raw, editorial=editorial, qualifier=qualifier), left, right)


def _fill(result: ParsedDate, start: Partial, end: Partial | None) -> ParsedDate:
    """Set written value, calendar and Gregorian value(s) of a single date or a range.

    A Gregorian date keeps its precision (``1920-05`` stays ``1920-05``). A Julian day converts to a day. A
    Julian month or year is a span of Gregorian days that makes no Gregorian month, so it is given as its
    first and last day (``gregorian`` / ``gregorian_end``); ranges likewise.
    """
    result.written = _written(start)
    result.precision = start.precision
    if start.year is None:
        result.warnings.append(f"date line {result.text!r} has no year")
        return result
    sb = _bounds(start)
    eb = _bounds(end) if end is not None else sb
    assert sb is not None and eb is not None
    result.calendar = "julian" if is_old_style(*sb[0]) else "gregorian"
    g_start, g_end = _to_gregorian(sb[0]), _to_gregorian(eb[1])
    if end is not None and is_old_style(*sb[0]) and (1918, 2, 1) <= eb[1] <= (1918, 2, 13):
        # "January 30 - February 2, 1918": days 1-13 February 1918 never existed in the New Style, so a range
        # begun in the Old Style is still counted in it.
        g_end = julian_to_gregorian(*eb[1])
    if result.calendar == "gregorian" and (1918, 2, 1) <= sb[0] <= (1918, 2, 13):
        result.warnings.append(
            f"date {result.written} falls in the days 1-13 February 1918 that the calendar reform skipped")
    if end is None:
        if result.calendar == "gregorian":
            result.gregorian = result.written
        elif start.precision == "day":
            result.gregorian = g_start.isoformat()
        else:
            result.gregorian, result.gregorian_end = g_start.isoformat(), g_end.isoformat()
        return result
    result.written_end = _written(end)
    if g_end < g_start:
        result.warnings.append(f"date range {result.text!r} ends before it starts")
    if is_old_style(*sb[0]) != is_old_style(*eb[1]):
        result.warnings.append(
            f"date range {result.text!r} spans the switch to the New Style (1/14 Feb 1918)")
    if result.calendar == "gregorian" and start.precision == end.precision:
        result.gregorian, result.gregorian_end = result.written, result.written_end
    else:
        result.gregorian, result.gregorian_end = g_start.isoformat(), g_end.isoformat()
    return result


def _edtf(p: ParsedDate) -> str | None:
    """EDTF (ISO 8601-2) for the Gregorian value, for APIs that want one string."""
    if p.gregorian is None:
        return None
    if p.gregorian_end and p.gregorian_end != p.gregorian:
        value = f"{p.gregorian}/{p.gregorian_end}"
    else:
        value = p.gregorian
    if p.qualifier in ("before", "not_after"):
        return f"../{p.gregorian_end or p.gregorian}"
    if p.qualifier in ("after", "not_before"):
        return f"{p.gregorian}/.."
    return value


# -------------------------------------------------------------------------------- time / place lines
_ROMAN = {"I": 1, "II": 2, "III": 3, "IV": 4, "V": 5, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "X": 10,
          "XI": 11, "XII": 12}


@dataclass
class TimePlace:
    """A time/place line (``27/XII, 5 p.m.``, ``Baku 16/VII-20``, ``Filed from …``), read as far as it
    goes."""

    text: str
    place: str | None = None
    day: int | None = None
    month: int | None = None
    year: int | None = None
    clock: str | None = None
    telegraph_log: bool = False
    mangled_month: bool = False
    warnings: list[str] = field(default_factory=list)


def read_month_numeral(token: str, expected: int | None = None) -> tuple[int | None, bool]:
    """Month of a day/month numeral: roman (``XII``), roman mangled into digits (``11`` = II, ``1`` = I,
    ``X11`` = XII), or arabic. Returns (month, mangled). ``expected`` (from the date line) settles ``11``."""
    t = token.strip(". ").upper()
    if t in _ROMAN:
        return _ROMAN[t], False
    mangled = t.replace("1", "I").replace("L", "I")
    roman = _ROMAN.get(mangled) if mangled != t else None
    arabic = int(t) if t.isdigit() and 1 <= int(t) <= 12 else None
    if roman is not None and arabic is not None and roman != arabic:
        if expected is not None and arabic == expected and roman != expected:
            return arabic, False
        return roman, True
    if roman is not None:
        return roman, roman != arabic
    return arabic, False


_CLOCK = (r"(?:at\s+)?\d{1,2}(?:[.:]\d{2})?\s*"
          r"(?:h\.?\s*(?:\d{1,2}\s*m(?:in)?\.?)?|a\.\s?m\.?|p\.\s?m\.?|am\b|pm\b"
          r"|o'clock|hours)|(?:in the )?(?:morning|evening|night|afternoon)")
_PLACE = r"(?P<place>[A-Z][A-Za-z'\u2019-]+(?:[ -][A-Z][A-Za-z'\u2019-]+)?),?\s+"
_NUMERAL = r"(?P<mon>[IVXivxl1]{1,4}|\d{1,2})"
_DAY_MONTH = re.compile(
    r"^(?:" + _PLACE + r")?(?P<day>\d{1,2})\s*[/.]\s*" + _NUMERAL + r"\.?"
    r"(?:\s*[-.,]?\s*(?P<year>\d{4}|\d{2})(?!\d))?\.?"
    r"(?:\s*,?\s*(?P<clock>" + _CLOCK + r"))?\.?\s*$")
_PLACE_FULL_DATE = re.compile(
    r"^" + _PLACE + r"(?P<date>(?:" + _MONTH_RE + r")\s+\d{1,2},?\s*\d{4}|\d{1,2}\s+(?:" + _MONTH_RE
    + r"),?\s*\d{4}|(?:" + _MONTH_RE + r")\s+\d{1,2}|\d{1,2}\s+(?:" + _MONTH_RE + r"))\.?"
    r"(?:\s*,?\s*(?P<clock>" + _CLOCK + r"))?\.?\s*$")
_MONTH_DAY_SHORT = re.compile(
    r"^(?:" + _PLACE + r")?(?P<m>" + _MONTH_RE + r")\s+(?P<day>\d{1,2}),?\s+(?P<year>\d{2})\.?"
    r"(?:\s*,?\s*(?P<clock>" + _CLOCK + r"))?\s*$")
_CLOCK_ONLY = re.compile(r"^(?P<clock>" + _CLOCK + r")\.?$", re.I)
_TELEGRAPH = re.compile(
    r"^(?:Filed|Handed in|Received|Accepted|Transmitted|Deciphered|Decrypted|Decoded|Sent)\b"
    r"(?:.*\b(?:from|on|at|in|by)\b|.*\d)", re.I)


def _year(text: str | None) -> int | None:
    if not text:
        return None
    y = int(text)
    return 1900 + y if y < 100 else y


def parse_time_place(text: str, expected_month: int | None = None) -> TimePlace | None:
    """Read a time/place line, or return None when the line is not one.

    Shapes: ``27/XII, 5 p.m.``, ``27/II``, ``17/III.``, ``12/III 1925``, ``1/II-26``, ``5.X. 1918``,
    ``Kharkiv 29/VII``, ``Baku 16/VII-20``, ``Tiflis, December 6, 1920``, ``July 5 20``, and telegraph
    log lines (``Filed from …``, ``Received and deciphered on …``). Mangled roman months (``16/11 21`` for
    16/II) are read as roman numerals, unless ``expected_month`` (from the date line) says the arabic
    reading is meant.
    """
    s = text.strip()
    if not s or len(s) > 160:
        return None
    m = _DAY_MONTH.match(s)
    if m:
        day = int(m.group("day"))
        month, mangled = read_month_numeral(m.group("mon"), expected_month)
        if month is None or not 1 <= day <= 31:
            return None
        if m.group("place") and m.group("place").lower() in ("no", "l", "s", "f", "d", "op", "on"):
            return None
        tp = TimePlace(text=s, place=m.group("place"), day=day, month=month, year=_year(m.group("year")),
                       clock=m.group("clock"), mangled_month=mangled)
        if mangled:
            tp.warnings.append(f"time line {s!r}: month numeral {m.group('mon')!r} read as roman {month}")
        return tp
    m = _PLACE_FULL_DATE.match(s)
    if m:
        p = parse_partial(m.group("date"))  # "Tiflis, December 6, 1920"; "Tsaritsyn, June 7." (no year)
        if p is None or p.month is None or p.month > 12 or (p.day is not None and not 1 <= p.day <= 31):
            return None
        return TimePlace(text=s, place=m.group("place"), day=p.day, month=p.month, year=p.year,
                         clock=m.group("clock"))
    m = _MONTH_DAY_SHORT.match(s)
    if m:
        return TimePlace(text=s, place=m.group("place"), day=int(m.group("day")),
                         month=month_number(m.group("m")),
                         year=_year(m.group("year")), clock=m.group("clock"))
    m = _CLOCK_ONLY.match(s)
    if m:
        return TimePlace(text=s, clock=m.group("clock"))
    if _TELEGRAPH.match(s):
        return TimePlace(text=s, telegraph_log=True)
    return None


# Fused time lines need a roman month ("27/XII", "27.XII"): "1/3 of the army" is a fraction, not a date.
_LEADING_TIME = re.compile(
    r"^(?P<tp>(?:[A-Z][a-z]+,?\s+)?\d{1,2}\s*[/.]\s*[IVX][IVX1]{0,3}(?:\s*[-.]?\s*\d{2,4})?\.?"
    r"(?:\s*,?\s*" + _CLOCK + r")?\.?)\s+(?P<rest>\S.*)$")
_TRAILING_TIME = re.compile(
    r"^(?P<rest>.*?\S\.?)[\s,.]+(?P<tp>(?:[A-Z][a-z]+,?\s+)?\d{1,2}\s*[/.]\s*[IVX][IVX1]{0,3}"
    r"(?:\s*[-.]?\s*\d{2,4})?\.?(?:\s*,?\s*" + _CLOCK + r")?\.?)$")
_TRAILING_TIME_NO_PLACE = re.compile(
    r"^(?P<rest>.*?\S\.?)[\s,.]+(?P<tp>\d{1,2}\s*[/.]\s*[IVX][IVX1]{0,3}"
    r"(?:\s*[-.]?\s*\d{2,4})?\.?(?:\s*,?\s*" + _CLOCK + r")?\.?)$")
#: The day and roman month that both trailing shapes need: searched first, since the shapes themselves try
#: every position of a long line.
_DAY_ROMAN = re.compile(r"\d\s*[/.]\s*[IVX]")


def split_leading_time(text: str) -> tuple[str, str] | None:
    """``27/XII. Comrade Lenin! …`` → (``27/XII.``, ``Comrade Lenin! …``): a time line fused in front."""
    m = _LEADING_TIME.match(text.strip())
    if not m or parse_time_place(m.group("tp")) is None:
        return None
    return m.group("tp"), m.group("rest")


def split_trailing_time(text: str, *, place: bool = True) -> tuple[str, str] | None:
    """``Stalin 27/XII`` → (``Stalin``, ``27/XII``) when a time line is fused behind a signature. With
    ``place`` a capitalised word before the time goes with it (``Stalin Baku 16/VII``); without, it stays
    with the rest (``Your Koba 5/VII``)."""
    if not _DAY_ROMAN.search(text):
        return None
    m = (_TRAILING_TIME if place else _TRAILING_TIME_NO_PLACE).match(text.strip())
    if not m or parse_time_place(m.group("tp")) is None:
        return None
    return m.group("rest"), m.group("tp")
