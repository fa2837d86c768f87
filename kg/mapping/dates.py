"""Dates of letters as CRM time-spans: proleptic Gregorian bounds beside everything the page says.

Soviet Russia used the Julian calendar until 31 January 1918, so "December 27 [1917]" is 9 January 1918 in the
proleptic Gregorian calendar that ``P82a_begin_of_the_begin`` / ``P82b_end_of_the_end`` require (CRM SIG and
Linked
Art practice). The bounds are computed from the date *as written* in its own calendar: a month-only Julian
date
"December 1917" spans 14 December 1917 – 13 January 1918 Gregorian, which converting "1917-12" alone would
miss.
Bounds are ``xsd:dateTime`` (comparable with each other in SPARQL), inclusive, at the precision of the source:
a day spans 00:00:00–23:59:59, a month its first to last day, a year its whole year; an hour from the dateline
("27/XII, 5 p.m.") narrows a day to that hour. Kept beside them (EMLO's pattern): the date as printed (E41,
with
the editors' brackets), the dateline, the calendar, the date in that calendar, the editorial flag, the
qualifier
(before / not earlier than ...) and an EDTF string of the Gregorian reading.
"""

from __future__ import annotations

import calendar as gregorian_calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from convertdate import julian
from rdflib import Graph, Literal, URIRef

from kg.mapping.appellations import en, make_e41_appellation, make_source_line
from kg.mapping.literals import plain
from kg.mapping.namespaces import CRM, KGO, KGT, RDF, RDFS, XSD, new_graph
from kg.records import LetterRecord

_WRITTEN = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")
_HOUR = re.compile(r"\b(\d{1,2})(?:[.:](\d{2}))?\s*([ap])\.?\s*m\b\.?", re.IGNORECASE)
_DATELINE_DAY = re.compile(r"^\D{0,40}?\b(\d{1,2})\s*[/.]")
QUALIFIER_TYPES = {"before": KGT["qualifier-before"], "after": KGT["qualifier-after"],
                   "not_before": KGT["qualifier-not-before"], "not_after": KGT["qualifier-not-after"]}
CALENDAR_TYPES = {"julian": KGT["julian-calendar"], "gregorian": KGT["gregorian-calendar"]}


@dataclass(frozen=True)
class Period:
    """A date at its precision ("day", "month", "year") as first and last proleptic Gregorian day."""

    first: date
    last: date
    precision: str


def _to_gregorian(year: int, month: int, day: int, calendar: str) -> date:
    if calendar == "julian":
        return date(*julian.to_gregorian(year, month, day))
    return date(year, month, day)


def _month_length(year: int, month: int, calendar: str) -> int:
    if calendar == "julian":
        return julian.month_length(year, month)
    return gregorian_calendar.monthrange(year, month)[1]


def period(value: str | None, calendar: str | None) -> Period | None:
    """``("1917-12", "julian")`` → 1917-12-14 … 1918-01-13; ``None`` when the value is not a date."""
    match = _WRITTEN.fullmatch(value or "")
    if not match:
        return None
    calendar = calendar if calendar in CALENDAR_TYPES else "gregorian"
    year, month, day = (int(g) if g else None for g in match.groups())
    try:
        if day is not None:
            first = last = _to_gregorian(year, month, day, calendar)
            return Period(first, last, "day")
        if month is not None:
            return Period(_to_gregorian(year, month, 1, calendar),
                          _to_gregorian(year, month, _month_length(year, month, calendar), calendar), "month")
        return Period(_to_gregorian(year, 1, 1, calendar), _to_gregorian(year, 12, 31, calendar), "year")
    except ValueError:
        return None


def record_period(record: LetterRecord) -> tuple[Period | None, str | None]:
    """The letter's period and the calendar it was written in, from the written date (else the Gregorian
    one)."""
    if record.date_written:
        calendar = record.date_calendar or "gregorian"
        found = period(record.date_written, calendar)
        if found and record.date_written_end:
            end = period(record.date_written_end, calendar)
            if end:
                found = Period(found.first, end.last, "range")
        return found, calendar
    if record.date_gregorian:
        found = period(record.date_gregorian, "gregorian")
        if found and record.date_gregorian_end:
            end = period(record.date_gregorian_end, "gregorian")
            if end:
                found = Period(found.first, end.last, "range")
        return found, "gregorian"
    return None, None


def dateline_hour(record: LetterRecord, found: Period) -> tuple[time, time] | None:
    """The hour (or minute) of writing from a dateline such as ``27/XII, 5 p.m.``, when the dateline's day is
    the
    letter's day; ``None`` otherwise (we never guess which day an hour belongs to)."""
    text = record.time_place_text or ""
    hour_match = _HOUR.search(text)
    if not hour_match or found.precision != "day" or record.date_qualifier:
        return None
    written_day = _WRITTEN.fullmatch(record.date_written or "")
    day_match = _DATELINE_DAY.search(text)
    if day_match and written_day and written_day.group(3) and \
            int(day_match.group(1)) != int(written_day.group(3)):
        return None
    hour, minute, half = int(hour_match.group(1)), hour_match.group(2), hour_match.group(3).lower()
    if not 1 <= hour <= 12:
        return None
    hour = hour % 12 + (12 if half == "p" else 0)
    if minute is None:
        return time(hour, 0, 0), time(hour, 59, 59)
    return time(hour, int(minute), 0), time(hour, int(minute), 59)


def edtf(found: Period, qualifier: str | None) -> str:
    """EDTF (ISO 8601-2) for the Gregorian reading: ``1918-01-09``, ``1918-01``, ``1917-12-14/1918-01-13``,
    open intervals ``../1918-03-04`` for "before"."""
    first, last = found.first.isoformat(), found.last.isoformat()
    if found.precision == "month" and found.first.day == 1 and \
            found.last.day == gregorian_calendar.monthrange(found.last.year, found.last.month)[1] and \
            (found.first.year, found.first.month) == (found.last.year, found.last.month):
        plain = first[:7]
    elif found.precision == "year" and found.first.year == found.last.year and \
            (found.first.month, found.first.day, found.last.month, found.last.day) == (1, 1, 12, 31):
        plain = first[:4]
    elif first == last:
        plain = first
    else:
        plain = f"{first}/{last}"
    if qualifier == "before":
        return f"../{(found.first - timedelta(days=1)).isoformat()}"
    if qualifier == "not_after":
        return f"../{last}"
    if qualifier == "after":
        return f"{(found.last + timedelta(days=1)).isoformat()}/.."
    if qualifier == "not_before":
        return f"{first}/.."
    return plain


def _datetime(value: datetime) -> Literal:
    return Literal(value.isoformat(timespec="seconds"), datatype=XSD.dateTime)


def bounds(record: LetterRecord, found: Period) -> tuple[datetime | None, datetime | None]:
    """Inclusive begin-of-the-begin and end-of-the-end; a qualifier leaves one end open."""
    begin = datetime.combine(found.first, time(0, 0, 0))
    end = datetime.combine(found.last, time(23, 59, 59))
    hours = dateline_hour(record, found)
    if hours:
        begin, end = datetime.combine(found.first, hours[0]), datetime.combine(found.last, hours[1])
    qualifier = record.date_qualifier
    if qualifier == "before":
        return None, begin - timedelta(seconds=1)
    if qualifier == "not_after":
        return None, end
    if qualifier == "after":
        return end + timedelta(seconds=1), None
    if qualifier == "not_before":
        return begin, None
    return begin, end


def describe(record: LetterRecord, found: Period, calendar: str) -> str:
    """A readable label: ``1917-12-27 (Julian) = 1918-01-09 (Gregorian)``."""
    gregorian = edtf(found, None)
    written = record.date_written or gregorian
    if record.date_written_end:
        written += f"/{record.date_written_end}"
    qualifier = {"before": "before ", "after": "after ", "not_before": "not before ",
                 "not_after": "not after "}.get(record.date_qualifier or "", "")
    if calendar == "julian":
        return f"{qualifier}{written} (Julian) = {qualifier}{gregorian} (Gregorian)"
    return f"{qualifier}{gregorian} (Gregorian)"


def make_e52_time_span(time_span: URIRef, record: LetterRecord, *, into: Graph | None = None) -> Graph:
    """The E52 of a letter's sending: bounds, date as printed, dateline, calendar, editorial flag, EDTF."""
    graph = new_graph() if into is None else into
    graph.add((time_span, RDF.type, CRM["E52_Time-Span"]))
    make_source_line(time_span, record.lines.get("date", record.lines.get("date_text")), into=graph)
    if record.date_text:
        make_e41_appellation(time_span, URIRef(f"{time_span}/date-as-printed"), record.date_text,
                             KGT["date-as-printed"], into=graph)
    if record.time_place_text:
        make_e41_appellation(time_span, URIRef(f"{time_span}/dateline"), record.time_place_text,
                             KGT["dateline"], into=graph)
    if record.date_editorial:
        graph.add((time_span, CRM["P2_has_type"], KGT["editorial-date"]))
    found, calendar = record_period(record)
    if found is None or calendar is None:
        undated = f"undated: {record.date_text}" if record.date_text else "undated"
        graph.add((time_span, RDFS.label, en(undated)))
        return graph
    graph.add((time_span, RDFS.label, en(describe(record, found, calendar))))
    graph.add((time_span, KGO.calendar, CALENDAR_TYPES[calendar]))
    if record.date_written:
        written = record.date_written + (f"/{record.date_written_end}" if record.date_written_end else "")
        graph.add((time_span, KGO.dateInCalendar, plain(written)))
    graph.add((time_span, KGO.edtf, plain(edtf(found, record.date_qualifier))))
    begin, end = bounds(record, found)
    if begin is not None:
        graph.add((time_span, CRM["P82a_begin_of_the_begin"], _datetime(begin)))
    if end is not None:
        graph.add((time_span, CRM["P82b_end_of_the_end"], _datetime(end)))
    qualifier = record.date_qualifier
    if qualifier in QUALIFIER_TYPES:
        graph.add((time_span, CRM["P2_has_type"], QUALIFIER_TYPES[qualifier]))
        words = {"before": "before", "after": "after", "not_before": "not earlier than",
                 "not_after": "not later than"}[qualifier]
        prop = CRM["P80_end_is_qualified_by"] if qualifier in ("before", "not_after") \
            else CRM["P79_beginning_is_qualified_by"]
        graph.add((time_span, prop, en(f"{words} {record.date_written or record.date_gregorian}"
                                       f" ({calendar} calendar), as dated by the editors")))
    return graph


def gregorian_day(record: LetterRecord) -> date | None:
    """The single Gregorian day of a letter dated to the day without qualifier (for ``schema:dateSent``)."""
    found, _ = record_period(record)
    if found and found.precision == "day" and not record.date_qualifier:
        return found.first
    return None


def make_e52_for_entity(time_span: URIRef, value: str, label: str, *, into: Graph | None = None) -> Graph:
    """A time-span for an authority date (birth, death, event), given proleptic Gregorian ``YYYY[-MM[-DD]]``
    or
    ``START/END``."""
    graph = new_graph() if into is None else into
    parts = value.split("/")
    first, last = period(parts[0], "gregorian"), period(parts[-1], "gregorian")
    graph.add((time_span, RDF.type, CRM["E52_Time-Span"]))
    graph.add((time_span, RDFS.label, en(label)))
    if first and last:
        begin = datetime.combine(first.first, time(0))
        graph.add((time_span, CRM["P82a_begin_of_the_begin"], _datetime(begin)))
        graph.add((time_span, CRM["P82b_end_of_the_end"],
                   _datetime(datetime.combine(last.last, time(23, 59, 59)))))
        graph.add((time_span, KGO.edtf, plain(value)))
    return graph
