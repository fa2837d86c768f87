"""The seed page (document No. 9, Stalin to Lenin, 27 December 1917), read field by field."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kg.sources import read_sources
from kg.sources.markers import restore_markers

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "data" / "sources" / "bl1996-no009-stalin-to-lenin-1917-12-27.txt"


@pytest.fixture(scope="module")
def seed():
    result = read_sources([SEED])
    assert result.errors == [] and result.read == [SEED]
    (record,) = result.records
    return record


def printed_lines(first: int, last: int) -> list[str]:
    return SEED.read_text(encoding="utf-8").split("\n")[first - 1:last]


def test_document_number_heading_and_parties(seed):
    assert seed.doc_no == "9"
    assert seed.heading == "J. V. Stalin - V. I. Lenin"
    assert seed.senders == ["J. V. Stalin"]
    assert seed.recipients == ["V. I. Lenin"]


def test_date_is_old_style_with_editorial_year(seed):
    assert seed.date_text == "December 27 [1917]"
    assert seed.date_written == "1917-12-27"
    assert seed.date_calendar == "julian"
    assert seed.date_gregorian == "1918-01-09"
    assert seed.date_editorial is True
    assert seed.date_qualifier is None
    assert seed.date_precision == "day"


def test_time_salutation_and_signature(seed):
    assert seed.time_place_text == "27/XII, 5 p.m."
    assert seed.salutation == "T[ovari] Ilyich!"
    assert seed.signatures == ["Stalin"]
    assert seed.address_lines == []


def test_body_is_kept_exactly_as_printed(seed):
    assert seed.body_printed == "\n".join(printed_lines(10, 17))
    assert seed.body.startswith("I beg you to immediately move to St. Petersburg")
    assert seed.body.endswith("which we decided to prevent.")
    assert "Kal[edi]n (our answer is needed)." in seed.body  # brackets kept, marker 3 out
    assert "needed) 2 ;" not in seed.body


def test_normalised_body_expands_brackets_for_search(seed):
    assert "against Kaledin (our answer is needed)." in seed.body_normalised
    assert "[" not in seed.body_normalised and "]" not in seed.body_normalised


def test_body_markers_2_to_5_are_located(seed):
    assert [(m.n, m.printed) for m in seed.markers] == [(2, " 2 "), (3, " 3 "), (4, " 4 "), (5, " 5 ")]
    anchors = {m.n: seed.body[m.offset - 30:m.offset + 1] for m in seed.markers}
    assert anchors[2].endswith("(our answer is needed);")
    assert anchors[3].endswith("(our answer is needed).")
    assert anchors[4].endswith("(your signature is needed).")
    assert anchors[5].endswith("we will probably take.")


def test_body_plus_markers_reproduces_the_printed_body(seed):
    assert restore_markers(seed.body, seed.markers) == seed.body_printed


def test_archival_reference(seed):
    (ref,) = seed.archival_refs
    assert ref.text == "RTSKHIDNI. F. 558. On. 1. D. 5397. L. 2. Autograph."
    assert (ref.archive, ref.archive_normalised, ref.fond, ref.opis, ref.delo) == (
        "RTSKHIDNI", "RGASPI", "558", "1", "5397")
    assert (ref.folios, ref.folio_list, ref.copy_type, ref.line) == ("2", ["2"], "Autograph", 19)
    assert seed.publications == []


def test_notes_one_to_six_with_their_lines(seed):
    assert [(n.n, n.line) for n in seed.notes] == [(1, 21), (2, 22), (3, 23), (4, 34), (5, 35), (6, 36)]
    assert seed.notes[0].text == "At this time, Lenin was undergoing treatment in Finland."
    assert seed.notes[5].text == 'On the letterhead: "People\'s Commissar for the Ministry of Finance."'
    assert seed.notes[2].text.endswith("(Ibid. L. 7).")  # continuation lines stay with note 3


def test_note_3_keeps_its_citations_and_the_letter_does_not_get_them(seed):
    refs = seed.notes[2].references
    assert refs[0].text == "RTSKHIDNI. F. 558. On. 1. D. 5398. L. 2-3"
    assert (refs[0].fond, refs[0].opis, refs[0].delo, refs[0].folio_list) == ("558", "1", "5398", ["2", "3"])
    assert [(r.text, r.ibid, r.delo) for r in refs[1:3]] == [("Ibid. L. 3-4", True, "5398"),
                                                             ("Ibid., L. 5", True, "5398")]
    assert len(refs) == 5
    assert all(r.delo == "5397" for r in seed.archival_refs)


def test_dual_dates_in_notes_2_and_4_are_consistent(seed):
    assert [(d.text, d.julian, d.gregorian, d.consistent) for d in seed.notes[1].dual_dates] == [
        ("December 4 (17), 1917", "1917-12-04", "1917-12-17", True)]
    assert [(d.julian, d.gregorian, d.consistent) for d in seed.notes[3].dual_dates] == [
        ("1917-12-20", "1918-01-02", True), ("1917-12-23", "1918-01-05", True),
        ("1917-12-29", "1918-01-11", True)]


def test_notes_1_and_6_without_marker_are_warned_helpfully(seed):
    note1 = [w for w in seed.warnings if "note 1 has no marker" in w]
    note6 = [w for w in seed.warnings if "note 6 has no marker" in w]
    assert len(note1) == 1 and "28th ." in note1[0]
    assert len(note6) == 1 and "sheet itself" in note6[0] and "letterhead" in note6[0]
    assert not any("marker" in w and ("note 2" in w or "note 5" in w) for w in seed.warnings)


def test_unbalanced_bracket_and_repeated_passage_are_reported(seed):
    assert any("unbalanced editorial bracket" in w and "line 12" in w for w in seed.warnings)
    assert any(w.startswith("note 2: passage printed twice") for w in seed.warnings)


def test_source_location_and_field_lines(seed):
    assert (seed.source.path, seed.source.line) == (str(SEED), 5)
    assert seed.lines == {"doc_no": 5, "heading": 6, "date": 7, "time_place": 8, "salutation": 9, "body": 10,
                          "body_end": 17, "signature": 18, "archival": 19, "notes": 20}
    assert seed.complete is True


def test_kg_parse_prints_the_seed_as_json():
    proc = subprocess.run([sys.executable, "-m", "kg.cli", "parse", str(SEED)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    (obj,) = json.loads(proc.stdout)
    for key in ("doc_no", "senders", "recipients", "date_text", "date_written", "date_calendar", "date_gregorian",
                "date_editorial", "date_qualifier", "time_place_text", "salutation", "body", "signatures",
                "archival_refs", "publications", "notes", "complete", "warnings", "source"):
        assert key in obj
    assert obj["date_gregorian"] == "1918-01-09" and obj["signatures"] == ["Stalin"]
    assert obj["archival_refs"][0]["archive_normalised"] == "RGASPI"
    assert [n["n"] for n in obj["notes"]] == [1, 2, 3, 4, 5, 6]
    assert "read 1 file(s), 1 document(s)" in proc.stderr
