"""Every variation of the page format (../shared/spec/source-format.md), each on a small page written for it."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.sources import parse_page, read_sources
from kg.sources.markers import restore_markers

FIXTURES = Path(__file__).parent / "fixtures"
HEADER = ("Marx-Engels | Lenin | Stalin | Home Page\n"
          "Bolshevik leadership Correspondence. 1912-1927\n"
          "Collection of documents 1996.\n"
          "Compiled by: A.V.Kvashonkin, L.P.Kosheleva, L.A.Rogovaya, O.V.Khlevnyuk.\n")
ARCHIVE = "RTSKHIDNI. F. 558. Op. 1. D. 1. L. 1. Autograph."


def page(*lines: str):
    return parse_page(HEADER + "\n".join(lines) + "\n", "test.txt").records


def fixture(name: str):
    result = read_sources([FIXTURES / name])
    assert result.errors == []
    return result.records


# ------------------------------------------------------------------------------------------ header
def test_front_matter_page_gives_no_documents_and_no_error():
    result = read_sources([FIXTURES / "front_matter.txt"])
    assert result.records == [] and result.errors == [] and result.read == [FIXTURES / "front_matter.txt"]


def test_spaced_layout_with_title_leak_and_section_line_is_read():
    (rec,) = fixture("spaced_telegram.txt")
    assert rec.heading == "Telegram from I. V. Stalin to V. I. Lenin"
    assert rec.source.line == 13  # the "from Stalin to Lenin" title on line 1 is not taken


def test_header_is_skipped_by_pattern_with_leading_space_and_doubled_spaces():
    text = ("Bolshevik Leaders correspondence\nMarx-Engels  |  Lenin  |  Stalin  |  Home Page\n"
            " Bolshevik leadership Correspondence. 1912-1927\nStalin Correspondences\n \n"
            "Stalin - Lenin\nMay 5, 1920\nAll is well.\nStalin\n" + ARCHIVE + "\n")
    (rec,) = parse_page(text, "t.txt").records
    assert rec.senders == ["Stalin"] and rec.source.line == 6


def test_title_leak_never_gives_parties():
    text = "from Trotsky to Zinoviev\n" + HEADER + "Stalin - Lenin\nMay 5, 1920\nAll is well.\nStalin\n" + ARCHIVE
    (rec,) = parse_page(text, "t.txt").records
    assert (rec.senders, rec.recipients) == (["Stalin"], ["Lenin"])


# ------------------------------------------------------------------------------------------ documents on a page
def test_two_documents_on_a_compact_page_with_and_without_number():
    first, second = fixture("two_documents_compact.txt")
    assert (first.doc_no, second.doc_no) == ("14", None)
    assert (first.source.line, second.source.line) == (7, 23)
    assert [n.n for n in first.notes] == [1, 2, 3, 4] and [n.n for n in second.notes] == [1]


def test_whole_line_no_starts_a_document_but_no_inside_text_does_not():
    recs = page("No. 3", "Stalin - Lenin", "May 5, 1920", "Telegram No. 371 arrived; see journal No. 4.",
                "Stalin", ARCHIVE, "No. 4", "Lenin - Stalin", "May 6, 1920", "Received.", "Lenin", ARCHIVE)
    assert [r.doc_no for r in recs] == ["3", "4"]
    assert recs[0].body == "Telegram No. 371 arrived; see journal No. 4."


def test_heading_after_notes_starts_the_next_document_and_note_numbering_restarts():
    recs = page("Stalin - Lenin", "May 5, 1920", "All is well 1 .", "Stalin", ARCHIVE, "1. A note.", " ",
                "Lenin - Stalin", "May 6, 1920", "Good 1 .", "Lenin", ARCHIVE, "1. Another note.")
    assert len(recs) == 2
    assert [(r.notes[0].n, r.notes[0].text, r.markers[0].n) for r in recs] == [
        (1, "A note.", 1), (1, "Another note.", 1)]


# ------------------------------------------------------------------------------------------ headings
@pytest.mark.parametrize("heading, senders, recipients, doc_type", [
    ("J. V. Stalin - V. I. Lenin", ["J. V. Stalin"], ["V. I. Lenin"], None),
    ("L. D. Trotsky - V. I. Lenin.", ["L. D. Trotsky"], ["V. I. Lenin"], None),
    ("G. E. Zinoviev \u2014 J. V. Stalin", ["G. E. Zinoviev"], ["J. V. Stalin"], None),
    ("V. M. Molotov to J. V. Stalin", ["V. M. Molotov"], ["J. V. Stalin"], None),
    ("Telegram from I. V. Stalin to V. I. Lenin", ["I. V. Stalin"], ["V. I. Lenin"], "telegram"),
    ("Telegram of Ya. M. Sverdlov to J. V. Stalin", ["Ya. M. Sverdlov"], ["J. V. Stalin"], "telegram"),
    ("Lenin to Stalin and Trotsky", ["Lenin"], ["Stalin", "Trotsky"], None),
    ("Stalin, Ordzhonikidze - Central Committee of the RCP(b)", ["Stalin", "Ordzhonikidze"],
     ["Central Committee of the RCP(b)"], None),
    ("Politburo - Stalin, Molotov", ["Politburo"], ["Stalin", "Molotov"], None),
    ("Council of Labor and Defense - Trotsky", ["Council of Labor and Defense"], ["Trotsky"], None),
])
def test_heading_shapes(heading, senders, recipients, doc_type):
    (rec,) = page(heading, "May 5, 1920", "All is well.", "Stalin", ARCHIVE)
    assert (rec.heading, rec.senders, rec.recipients, rec.document_type) == (heading, senders, recipients, doc_type)


def test_garbled_telegram_heading_is_settled_by_the_signature_and_warned():
    lenin, stalin = fixture("garbled_telegrams.txt")
    assert (lenin.senders, lenin.recipients) == (["V. I. Lenin"], ["J. V. Stalin"])
    assert (stalin.senders, stalin.recipients) == (["J. V. Stalin"], ["V. I. Lenin"])
    assert any("garbled heading" in w for w in lenin.warnings)
    assert any("garbled heading" in w for w in stalin.warnings)


def test_document_without_heading_takes_parties_from_signature_and_address():
    (rec,) = fixture("no_heading.txt")
    assert rec.heading is None and rec.date_written == "1920-03"
    assert (rec.senders, rec.recipients) == (["Lenin"], ["Stalin"])
    assert rec.address_lines == ["To Comrade Stalin"]
    assert any("no heading" in w for w in rec.warnings)


def test_two_letters_on_one_sheet_have_two_senders_and_two_signatures():
    (rec,) = fixture("two_writers.txt")
    assert rec.senders == ["G. K. Ordzhonikidze", "J. V. Stalin"]
    assert rec.signatures == ["Ordzhonikidze", "Stalin"]
    assert "Ordzhonikidze" in rec.body


# ------------------------------------------------------------------------------------------ dates and times
def test_date_lines_and_time_lines_on_a_page_of_several_documents():
    recs = fixture("dates_and_times.txt")
    assert [(r.date_written, r.date_written_end, r.date_qualifier, r.date_calendar, r.date_gregorian)
            for r in recs] == [
        ("1922-03-12", "1922-03-15", None, "gregorian", "1922-03-12"),
        ("1926-09-03", None, "not_before", "gregorian", "1926-09-03"),
        ("1925-08", None, "before", "gregorian", "1925-08"),
        ("1920-12-06", None, None, "gregorian", "1920-12-06"),
        ("1921-02-16", None, None, "gregorian", "1921-02-16"),
        ("1918-01-10", None, None, "julian", "1918-01-23"),
    ]
    assert [r.time_place_text for r in recs] == [
        None, "3/IX-26", "Sochi 16/VIII", "Tiflis, December 6, 1920", "16/11 21", None]
    assert [r.signatures for r in recs] == [["Trotsky"], ["V. Molotov"], ["Yours, Stalin"], ["Stalin."],
                                            ["Stalin"], ["Stalin"]]
    assert any("read as roman 2" in w for w in recs[4].warnings)


def test_time_line_after_the_signature_and_fused_into_it():
    (after,) = page("Stalin - Lenin", "May 5, 1920", "All is well.", "Stalin", "5/V", ARCHIVE)
    assert (after.signatures, after.time_place_text) == (["Stalin"], "5/V")
    (fused,) = page("Stalin - Lenin", "May 5, 1920", "All is well.", "Stalin 5/V", ARCHIVE)
    assert (fused.signatures, fused.time_place_text) == (["Stalin"], "5/V")


def test_time_line_fused_into_the_first_sentence_is_split_off():
    (rec,) = page("Stalin - Lenin", "May 5, 1920", "5/V. Comrade Lenin, all is well.", "Stalin", ARCHIVE)
    assert rec.time_place_text == "5/V." and rec.body == "Comrade Lenin, all is well."


def test_time_line_disagreeing_with_the_date_line_is_warned():
    (rec,) = page("Stalin - Lenin", "May 5, 1920", "7/V", "All is well.", "Stalin", ARCHIVE)
    assert any("7/V" in w and "date line" in w for w in rec.warnings)


# ------------------------------------------------------------------------------------------ address, salutation
def test_address_and_transmission_lines_are_neither_salutation_nor_body():
    (rec,) = fixture("spaced_telegram.txt")
    assert rec.address_lines == ["ON A DIRECT WIRE. Decrypt immediately.", "Moscow - the Kremlin, only to Lenin"]
    assert rec.time_place_text == "Filed from Tsaritsyn on 6.VI at 3 p.m."
    assert rec.salutation is None
    assert rec.body.startswith("The counter-revolution here is crushed")
    assert rec.signatures == ["PEOPLE'S COMMISSAR STALIN"]


def test_bare_copy_line_marks_the_text_as_a_copy():
    first, second = fixture("two_documents_compact.txt")
    assert first.is_copy and first.address_lines == ["Copy."] and not second.is_copy


@pytest.mark.parametrize("salutation", ["T[ovari] Ilyich!", "Dear Comrade Stalin,", "Comrades!", "Koba,",
                                        "Dear Vladimir Ilyich."])
def test_salutation_shapes(salutation):
    (rec,) = page("Stalin - Lenin", "May 5, 1920", salutation, "All is well.", "Stalin", ARCHIVE)
    assert rec.salutation == salutation and rec.body == "All is well."


def test_short_first_sentence_is_not_a_salutation():
    (rec,) = page("Stalin - Lenin", "May 5, 1920", "Come, then go back.", "All is well.", "Stalin", ARCHIVE)
    assert rec.salutation is None and rec.body.startswith("Come, then go back.")


# ------------------------------------------------------------------------------------------ signatures
@pytest.mark.parametrize("signature", ["Stalin", "Lenin.", "Your Koba", "I shake your hand, Lenin", "L. T.",
                                       "J. Stalin", "[Stalin]", "Lenin, Trotsky", "PREDREVVOENSOVET TROTSKY"])
def test_signature_shapes(signature):
    (rec,) = page("Stalin - Lenin", "May 5, 1920", "All is well.", signature, ARCHIVE)
    assert rec.signatures == [signature] and rec.body == "All is well."


def test_missing_signature_is_not_invented():
    (rec,) = page("Stalin - Lenin", "May 5, 1920", "All is well.", "Come tomorrow.", ARCHIVE)
    assert rec.signatures == [] and rec.body == "All is well.\nCome tomorrow."


# ------------------------------------------------------------------------------------------ archival, publications
def test_archival_line_with_publication_and_opis_suffix():
    first, second = fixture("two_documents_compact.txt")
    (ref,) = first.archival_refs
    assert (ref.archive, ref.archive_normalised, ref.opis, ref.folio_list, ref.copy_type) == (
        "RTSHIDNI", "RGASPI", "3/S", ["1", "2"], "Typewritten text")
    assert first.publications == ['"Istochnik". 1995. No. 3. S. 12.']
    assert second.archival_refs[0].opis == "1" and second.archival_refs[0].folio_list == ["5v", "6"]


def test_publication_on_its_own_line_after_the_archival_line():
    (rec,) = page("Stalin - Lenin", "May 5, 1920", "All is well.", "Stalin", ARCHIVE,
                  'Published: "Izvestia TsK KPSS". 1989. No. 4. S. 190.')
    assert rec.publications == ['Published: "Izvestia TsK KPSS". 1989. No. 4. S. 190.'] and rec.notes == []


# ------------------------------------------------------------------------------------------ notes and markers
def test_note_number_shapes_dot_spaced_dot_glued_space_word_and_missing():
    first, second = fixture("two_documents_compact.txt")
    assert [n.text for n in first.notes] == [
        "Negotiations at Brest-Litovsk.",
        "On the delegates see the protocol of the Council of People's Commissars.",
        "The answer came on December 20 (January 2, 1918).",
        'Articles in "Pravda".']
    assert [(n.n, n.text) for n in second.notes] == [
        (1, "On the railways see the decree of the Council of Labor and Defense.")]
    (tele,) = fixture("spaced_telegram.txt")
    assert [(n.n, n.line) for n in tele.notes] == [(1, 29), (2, 31)]
    assert any("first note has no number" in w for w in tele.warnings)


def test_marker_shapes_glued_to_word_after_punctuation_spaced_and_glued_to_next_word():
    first, _ = fixture("two_documents_compact.txt")
    assert [(m.n, m.printed) for m in first.markers] == [(4, "4"), (1, "1 ."), (2, " 2 "), (3, "3")]
    assert "I have read your articles and agree" in first.body
    assert "The negotiations. We need" in first.body  # the stop repeated after the marker goes with it
    assert "answer quickly (I will wait)." in first.body
    assert restore_markers(first.body, first.markers) == first.body_printed


def test_numbers_in_running_text_are_not_markers():
    first, _ = fixture("two_documents_compact.txt")
    assert "20 thousand rifles and 40.6 per cent" in first.body
    assert "telegram No. 371 arrived on December 4 ." in first.body


def test_note_without_marker_and_marker_without_note_are_warned():
    (rec,) = page("Stalin - Lenin", "May 5, 1920", "All is well 2 . Come 3 .", "Stalin", ARCHIVE,
                  "1. First.", "2. Second.")
    assert [m.n for m in rec.markers] == [2, 3]
    assert any("note 1 has no marker" in w for w in rec.warnings)
    assert any("marker 3 in the body has no note" in w for w in rec.warnings)


def test_markers_in_heading_salutation_and_signature_lines():
    (rec,) = page("Stalin - Lenin 1", "May 5, 1920", "Dear Ilyich! 2", "All is well 3 .", "Stalin 4",
                  ARCHIVE, "1. On the heading.", "2. On the salutation.", "3. On the body.", "4. On the signature.")
    assert rec.heading == "Stalin - Lenin" and rec.recipients == ["Lenin"]
    assert rec.salutation == "Dear Ilyich!" and rec.signatures == ["Stalin"]
    assert sorted((m.n, m.field) for m in rec.field_markers) == [
        (1, "heading"), (2, "salutation"), (4, "signatures[0]")]
    assert [m.n for m in rec.markers] == [3]
    assert not any("has no marker" in w for w in rec.warnings)


def test_spelled_marker_one():
    (rec,) = page("Stalin - Lenin", "May 5, 1920", "All is well one .", "Stalin", ARCHIVE, "one . The note.")
    assert [(m.n, m.printed) for m in rec.markers] == [(1, " one ")] and rec.notes[0].n == 1


def test_notes_heading_with_text_on_the_same_line():
    (rec,) = page("Stalin - Lenin", "May 5, 1920", "All is well 1 .", "Stalin", ARCHIVE, "Notes: 1. The note.")
    assert [(n.n, n.text) for n in rec.notes] == [(1, "The note.")]


def test_numbered_lines_in_a_note_that_are_not_the_next_number_continue_it():
    (rec,) = page("Stalin - Lenin", "May 5, 1920", "All 1 . Well 2 .", "Stalin", ARCHIVE,
                  "1. First note,", "5 thousand men came.", "2. Second note.")
    assert [(n.n, n.text) for n in rec.notes] == [(1, "First note,\n5 thousand men came."), (2, "Second note.")]


def test_inconsistent_dual_date_in_a_note_is_warned():
    (rec,) = page("Stalin - Lenin", "May 5, 1920", "All 1 .", "Stalin", ARCHIVE, "1. On December 4 (18), 1917.")
    assert rec.notes[0].dual_dates[0].consistent is False
    assert any("does not agree" in w for w in rec.warnings)


# ------------------------------------------------------------------------------------------ body text
def test_editorial_brackets_are_kept_in_body_and_expanded_in_normalised_text():
    (rec,) = page("Stalin - Lenin", "May 5, 1920", "Against Kal[edi]n [with] troops [...] (distortion)*.",
                  "Stalin", ARCHIVE)
    assert rec.body == "Against Kal[edi]n [with] troops [...] (distortion)*."
    assert rec.body_normalised == "Against Kaledin with troops ... (distortion)*."


def test_numbered_points_stay_in_the_body():
    (rec,) = page("Stalin - Lenin", "May 5, 1920", "1) First point.", "2. Second point.", "First, go.",
                  "Stalin", ARCHIVE)
    assert rec.body == "1) First point.\n2. Second point.\nFirst, go." and rec.notes == []


def test_duplicated_passage_is_reported_and_kept():
    sentence = "The attack on the Rada from the West went more successfully than we had expected."
    (rec,) = page("Stalin - Lenin", "May 5, 1920", f"{sentence} {sentence}", "Stalin", ARCHIVE)
    assert rec.body.count(sentence) == 2
    assert any("passage printed twice" in w for w in rec.warnings)


# ------------------------------------------------------------------------------------------ cut pages
SEED_TEXT = (FIXTURES / "seed_no009.txt").read_text(encoding="utf-8")


def cut_after(marker: str):
    text = SEED_TEXT[:SEED_TEXT.index(marker) + len(marker)]
    (rec,) = parse_page(text, "cut.txt").records
    return rec


def test_page_cut_right_after_the_date_line():
    rec = cut_after("December 27 [1917]\n")
    assert rec.complete is False and rec.date_gregorian == "1918-01-09"
    assert (rec.body, rec.signatures, rec.archival_refs, rec.notes, rec.salutation) == ("", [], [], [], None)


def test_page_cut_mid_sentence_invents_no_signature_archival_line_or_notes():
    rec = cut_after("The attack on Dutov is under")
    assert rec.complete is False
    assert rec.body.endswith("The attack on Dutov is under")
    assert rec.signatures == [] and rec.archival_refs == [] and rec.notes == []
    assert any("cut off" in w for w in rec.warnings)
    assert any("no notes" in w or "cut off before the notes" in w for w in rec.warnings)


def test_page_cut_inside_a_note_keeps_what_is_there():
    rec = cut_after("3. We are talking about the negotiations of a delegation")
    assert rec.complete is False
    assert rec.signatures == ["Stalin"] and rec.archival_refs[0].delo == "5397"
    assert [n.n for n in rec.notes] == [1, 2, 3]
    assert rec.notes[2].text == "We are talking about the negotiations of a delegation"


def test_page_cut_after_notes_heading():
    rec = cut_after("Notes:\n")
    assert rec.complete is False and rec.notes == [] and rec.archival_refs


def test_complete_page_is_complete():
    (rec,) = parse_page(SEED_TEXT, "seed.txt").records
    assert rec.complete is True


def test_document_without_archival_line_is_closed_by_the_next_heading_and_date():
    first, second = page("Stalin - Lenin", "May 5, 1920", "All is well.", "Stalin",
                         "Lenin - Stalin", "May 6, 1920", "Received.", "Lenin", ARCHIVE)
    assert (first.body, first.signatures, first.complete) == ("All is well.", ["Stalin"], True)
    assert any("without an archival reference" in w for w in first.warnings)
    assert (second.senders, second.body) == (["Lenin"], "Received.")


def test_page_cut_right_after_the_next_heading_gives_an_incomplete_document():
    first, second = page("Stalin - Lenin", "May 5, 1920", "All is well.", "Stalin", ARCHIVE, "Lenin - Stalin")
    assert first.complete is True and first.notes == []
    assert (second.heading, second.senders, second.complete, second.date_text) == (
        "Lenin - Stalin", ["Lenin"], False, None)


def test_menu_line_repeated_at_the_foot_of_the_page_is_not_text():
    (rec,) = page("Stalin - Lenin", "May 5, 1920", "All 1 .", "Stalin", ARCHIVE, "1. A note.",
                  "Marx-Engels | Lenin | Stalin | Home Page")
    assert rec.notes[0].text == "A note." and rec.complete


def test_heading_of_an_unknown_shape_before_a_date_line_still_starts_a_document():
    (rec,) = page("Lenin's letter for Stalin", "May 5, 1920", "All is well.", "Lenin", ARCHIVE)
    assert rec.heading == "Lenin's letter for Stalin" and rec.senders == [] and rec.date_written == "1920-05-05"
    assert any("no recognised shape" in w for w in rec.warnings)


def test_document_with_neither_number_nor_heading_starts_at_its_date_line():
    (rec,) = page("[May 5, 1920]", "To Comrade Stalin", "All is well.", "Lenin", ARCHIVE)
    assert (rec.heading, rec.date_written, rec.senders, rec.recipients) == (
        None, "1920-05-05", ["Lenin"], ["Stalin"])
