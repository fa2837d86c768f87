"""kg/sources/cmif.py on real CMIF files (tests/fixtures/cmif, see its README for provenance) and broken input."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.sources import read_sources
from kg.sources.base import SourceFormatError
from kg.sources.cmif import parse_cmif, read_cmif

CMIF = Path(__file__).resolve().parent.parent / "fixtures" / "cmif"
FREUD = CMIF / "schnitzler-1955_Freud_an_Schnitzler.xml"
RILKE = CMIF / "schnitzler-1958_Rilke_Schnitzler.xml"
SPENER = CMIF / "spener-letters-excerpt.xml"
GND_FREUD = "https://d-nb.info/gnd/118535315"
GND_SCHNITZLER = "https://d-nb.info/gnd/118609807"


def test_every_corresp_desc_of_the_freud_file_is_a_letter_with_parties_refs_and_lines() -> None:
    records = read_cmif(FREUD)
    assert [r.doc_no for r in records] == [str(n) for n in range(1, 11)]
    first = records[0]
    assert first.senders == ["Freud, Sigmund"] and first.recipients == ["Schnitzler, Arthur"]
    assert first.party_refs == {"Freud, Sigmund": [GND_FREUD], "Schnitzler, Arthur": [GND_SCHNITZLER]}
    assert first.places_sent == ["Wien"] and first.places_received == ["Wien"]
    assert first.place_refs == {"Wien": ["https://sws.geonames.org/2761369/"]}
    assert first.source.line == 24 and first.lines["date"] == 27
    assert first.bibl_id == "v149ca80-1848-4eff-991d-4c2560c2e17b"
    assert first.bibl.startswith("Freud, Sigmund: Briefe an Arthur Schnitzler")


def test_cmif_dates_are_gregorian_with_precision_ranges_and_editorial_evidence() -> None:
    records = read_cmif(FREUD)
    day = records[0]
    assert (day.date_written, day.date_gregorian, day.date_calendar, day.date_precision) == \
        ("1906-05-08", "1906-05-08", "gregorian", "day")
    assert day.date_editorial and any("evidence='conjecture'" in w for w in day.warnings)
    window = records[4]  # notBefore="1924-10-01" notAfter="1924-10-31"
    assert (window.date_written, window.date_written_end, window.date_qualifier, window.date_edtf) == \
        ("1924-10-01", "1924-10-31", None, "1924-10-01/1924-10-31")
    certain = records[8]  # key 9: <date when="1928-05-07"/> without evidence
    assert certain.date_written == "1928-05-07" and not certain.date_editorial


def test_place_with_low_certainty_is_kept_with_a_warning() -> None:
    record = read_cmif(FREUD)[0]
    assert any("place 'Wien' given with cert='low'" in w for w in record.warnings)


def test_rilke_file_malformed_licence_url_is_reported_as_a_warning() -> None:
    cmif = parse_cmif(RILKE)
    assert len(cmif.letters) == 15
    assert len(cmif.warnings) == 1 and "https://creativecommons.org/licenses/by/null/" in cmif.warnings[0]
    assert cmif.warnings[0].startswith("line 12:")
    assert all(any("licenses/by/null" in w for w in letter.record.warnings) for letter in cmif.letters)
    assert parse_cmif(FREUD).warnings == []


def test_a_name_broken_over_two_lines_is_one_name_and_printed_date_text_is_kept() -> None:
    records = read_cmif(RILKE)
    assert records[2].places_sent == ["Westerwede bei Worpswede"]
    early = next(r for r in records if r.date_text == "Anfang 1902")
    assert (early.date_written, early.date_written_end) == ("1902-01-01", "1902-01-14")


def test_one_side_open_dates_become_qualifiers(tmp_path: Path) -> None:
    text = FREUD.read_text(encoding="utf-8").replace('notBefore="1924-10-01" notAfter="1924-10-31"',
                                                      'notAfter="1924-10-31"')
    path = tmp_path / "open.xml"
    path.write_text(text, encoding="utf-8")
    record = read_cmif(path)[4]
    assert (record.date_written, record.date_qualifier, record.date_edtf, record.date_text) == \
        ("1924-10-31", "not_after", "../1924-10-31", "not after 1924-10-31")


def test_several_bibls_each_letter_names_its_own_edition() -> None:
    cmif = parse_cmif(SPENER)
    assert len(cmif.header.bibls) == 2
    ids = [letter.record.bibl_id for letter in cmif.letters]
    assert ids == [cmif.header.bibls[0].id, cmif.header.bibls[0].id, cmif.header.bibls[1].id]
    third = cmif.letters[2].record
    assert (third.date_written, third.date_written_end, third.date_precision) == ("1675-01", "1675-04", "month")
    assert third.date_text == "[Anfang 1675]"
    assert third.recipients == ["einen Freund"] and "einen Freund" not in third.party_refs
    assert cmif.header.publishers == ["Sächsische Akademie der Wissenschaften zu Leipzig"]
    assert cmif.header.editors == ["Uwe Kretschmer"]


def test_v2_note_refs_are_kept_as_external_refs(tmp_path: Path) -> None:
    text = FREUD.read_text(encoding="utf-8").replace(
        "</correspAction>\n         </correspDesc>",
        '</correspAction>\n<note><ref type="cmif:mentionsPerson" target="http://d-nb.info/gnd/118581945">Meyerbeer'
        '</ref></note>\n         </correspDesc>', 1)
    path = tmp_path / "v2.xml"
    path.write_text(text, encoding="utf-8")
    assert read_cmif(path)[0].external_refs == [
        {"type": "https://lod.academy/cmif/vocab/terms/mentionsPerson", "target": "http://d-nb.info/gnd/118581945",
         "text": "Meyerbeer"}]


@pytest.mark.parametrize(("content", "line", "reason"), [
    (b"", 1, "empty file"),
    (b"<TEI xmlns='http://www.tei-c.org/ns/1.0'>\n<teiHeader>\n</TEI>", 3, "not well-formed XML"),
    (b"<?xml version='1.0'?>\n<letters/>", 2, "not a TEI file"),
    (b"<TEI xmlns='http://www.tei-c.org/ns/1.0'>\n<teiHeader>\n<profileDesc/>\n</teiHeader>\n</TEI>", 3,
     "without correspDesc"),
    (b"<!DOCTYPE TEI [\n<!ENTITY a 'aaaa'>\n]>\n<TEI xmlns='http://www.tei-c.org/ns/1.0'>&a;</TEI>", 2,
     "declares XML entities"),
])
def test_files_that_are_not_cmif_raise_source_format_error_with_line(tmp_path: Path, content: bytes, line: int,
                                                                       reason: str) -> None:
    path = tmp_path / "bad.xml"
    path.write_bytes(content)
    with pytest.raises(SourceFormatError) as info:
        read_cmif(path)
    assert info.value.line == line and reason in info.value.reason


def test_read_sources_routes_xml_to_the_cmif_reader_and_reports_bad_files(tmp_path: Path) -> None:
    (tmp_path / "bad.xml").write_text("<TEI>", encoding="utf-8")
    result = read_sources([FREUD, tmp_path / "bad.xml"])
    assert len(result.records) == 10 and [str(p) for p in result.read] == [str(FREUD)]
    assert len(result.errors) == 1 and result.errors[0].line == 1
