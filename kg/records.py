"""Plain letter records: the contract between the readers of sources and the RDF mapping.

Readers (``kg.sources``) produce these; the mapping (``kg.mapping``) consumes them. Nothing here knows
about RDF or about the page format, so either side can change without the other. Every field keeps the
text *as printed* beside any normalised reading, and the line it came from, because a historian checks
our record against the printed page.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class SourceLocation:
    """Where in which file a piece of a record was read (1-based line)."""

    path: str
    line: int


@dataclass
class ArchivalRef:
    """One archival reference, e.g. ``RTSKHIDNI. F. 558. On. 1. D. 5397. L. 2. Autograph.``

    ``folios`` is the leaf specification as printed (``"2"``, ``"1-3"``, ``"5 rev.-6"``);
    ``folio_list`` is its expansion into individual leaves (``["5v", "6"]``) where it can be expanded.
    ``ibid`` is true for a citation printed as ``Ibid. L. 3-4`` inside a note: archive, fond, opis and delo
    were then taken from the citation before it in the same note.
    """

    text: str
    archive: str | None = None
    archive_normalised: str | None = None
    fond: str | None = None
    opis: str | None = None
    delo: str | None = None
    folios: str | None = None
    folio_list: list[str] = field(default_factory=list)
    copy_type: str | None = None
    line: int | None = None
    ibid: bool = False


@dataclass
class Marker:
    """A note marker found in the body: note ``n`` referred to at character ``offset`` of ``body``.

    ``printed`` is the marker exactly as it stood in the text (``" 2 "``, ``"4"``, ``"one"``), so that the
    body plus the markers reproduce the printed text. ``field`` is ``"body"`` for markers in
    ``LetterRecord.markers``; markers found in other lines are in ``LetterRecord.field_markers`` with the field
    they sat in (``"heading"``, ``"date_text"``, ``"salutation"``, ``"time_place_text"``, ``"address_lines[0]"``,
    ``"signatures[0]"``) and ``offset`` into that line as printed without the marker.
    """

    n: int
    offset: int
    printed: str
    field: str = "body"


@dataclass
class DualDate:
    """A ``D (D'), YYYY`` Old/New Style pair found in a note, with the cross-check result."""

    text: str
    julian: str | None
    gregorian: str | None
    consistent: bool


@dataclass
class Note:
    """One numbered editorial note of a document."""

    n: int | None
    text: str
    line: int | None = None
    references: list[ArchivalRef] = field(default_factory=list)
    dual_dates: list[DualDate] = field(default_factory=list)


@dataclass
class LetterRecord:
    """One document of the edition as the editors printed it.

    Date fields follow ``../shared/DESIGN.md``: ``date_written`` is ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` in
    the calendar named by ``date_calendar``; ``date_gregorian`` is the same date in the proleptic Gregorian
    calendar; ``date_gregorian_end`` is set only for ranges. ``date_qualifier`` is ``None``, ``before``,
    ``after``, ``not_before`` or ``not_after``.

    Additions by the page reader (kg/sources): ``date_precision`` (``day``/``month``/``year``) and ``date_edtf``
    (EDTF of the Gregorian value). A Julian month or year (``[December 1917]``) is no Gregorian month, so its
    ``date_gregorian``/``date_gregorian_end`` are its first and last Gregorian day. ``is_copy`` is true when a
    bare ``Copy.`` line says the text is a copy. ``field_markers`` holds note markers found outside the body
    (see :class:`Marker`). ``body`` is the body with note markers removed (editorial brackets kept),
    ``body_printed`` the body exactly as printed, ``body_normalised`` the body with brackets expanded and
    markers removed, for search. ``lines`` maps field names (``doc_no``, ``heading``, ``date``, ``time_place``,
    ``salutation``, ``body``, ``signature``, ``archival``, ``notes``) to their 1-based line numbers.

    Additions by the CMIF reader (``kg/sources/cmif.py``; empty for pages of the edition): ``party_refs`` maps a
    sender's or recipient's name as printed to the authority URIs the source gives for it (GND, VIAF, Wikidata),
    ``places_sent`` / ``places_received`` are the places of writing and of receipt as printed, ``place_refs``
    their authority URIs (GeoNames), ``url`` the letter in an online edition (``correspDesc/@ref``), ``bibl`` the
    bibliographic statement of the edition the letter is published in and ``bibl_id`` its identifier in the source
    file (``correspDesc/@source``), ``external_refs`` further typed links about the letter
    (``{type, target, text}``: CMIF v2 ``note/ref``, e.g. mentioned persons, text base, the TEI file).
    """

    doc_no: str | None = None
    heading: str | None = None
    senders: list[str] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    document_type: str | None = None  # "letter", "telegram", ...
    date_text: str | None = None
    date_written: str | None = None
    date_written_end: str | None = None
    date_calendar: str | None = None
    date_gregorian: str | None = None
    date_gregorian_end: str | None = None
    date_editorial: bool = False
    date_qualifier: str | None = None
    date_precision: str | None = None
    date_edtf: str | None = None
    time_place_text: str | None = None
    address_lines: list[str] = field(default_factory=list)
    salutation: str | None = None
    body: str = ""
    body_printed: str = ""
    body_normalised: str = ""
    markers: list[Marker] = field(default_factory=list)
    field_markers: list[Marker] = field(default_factory=list)
    is_copy: bool = False
    signatures: list[str] = field(default_factory=list)
    archival_refs: list[ArchivalRef] = field(default_factory=list)
    publications: list[str] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    complete: bool = True
    warnings: list[str] = field(default_factory=list)
    source: SourceLocation | None = None
    lines: dict[str, int] = field(default_factory=dict)
    party_refs: dict[str, list[str]] = field(default_factory=dict)
    places_sent: list[str] = field(default_factory=list)
    places_received: list[str] = field(default_factory=list)
    place_refs: dict[str, list[str]] = field(default_factory=dict)
    url: str | None = None
    bibl: str | None = None
    bibl_id: str | None = None
    external_refs: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape printed by ``kg parse``."""
        return asdict(self)
