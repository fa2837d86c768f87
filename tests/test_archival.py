"""Archival references: archive → fond → opis → delo → folios, copy type, publications, citations in notes."""

from __future__ import annotations

import pytest

from kg.archival import (
    expand_folios,
    find_citations,
    is_archival_line,
    normalise_archive,
    normalised_citation,
    parse_archival_line,
)


def test_seed_reference_is_split_and_on_read_as_opis():
    line = parse_archival_line("RTSKHIDNI. F. 558. On. 1. D. 5397. L. 2. Autograph.", 19)
    (ref,) = line.refs
    assert (ref.archive, ref.archive_normalised, ref.fond, ref.opis, ref.delo, ref.folios, ref.folio_list,
            ref.copy_type, ref.line) == ("RTSKHIDNI", "RGASPI", "558", "1", "5397", "2", ["2"], "Autograph", 19)
    assert ref.text == "RTSKHIDNI. F. 558. On. 1. D. 5397. L. 2. Autograph."
    assert line.publications == [] and line.warnings == []
    assert normalised_citation(ref) == "RGASPI, f. 558, op. 1, d. 5397, l. 2"


@pytest.mark.parametrize("printed", ["RTSKHIDNI", "RTsKhIDNI", "RTSHIDNI", "RTSHIDNI;", "RGASPI", "TsPA"])
def test_archive_names_of_the_party_archive_normalise_to_rgaspi(printed):
    assert normalise_archive(printed) == "RGASPI"


def test_other_archives_keep_or_get_their_current_name():
    assert normalise_archive("GARF") == "GARF"
    assert normalise_archive("TsGAOR") == "GARF"
    assert normalise_archive("APRF") == "APRF"


def test_misspelled_archive_with_semicolon_and_opis_suffix():
    (ref,) = parse_archival_line("RTSHIDNI; F. 17. Op. 3/S. D. 12. L. 1, 2. Typewritten text.").refs
    assert (ref.archive_normalised, ref.fond, ref.opis, ref.delo, ref.folio_list, ref.copy_type) == (
        "RGASPI", "17", "3/S", "12", ["1", "2"], "Typewritten text")


@pytest.mark.parametrize("spec, leaves", [
    ("2", ["2"]),
    ("1-3", ["1", "2", "3"]),
    ("1, 2", ["1", "2"]),
    ("1 rev.", ["1v"]),
    ("5 rev.-6", ["5v", "6"]),
    ("5-6 rev.", ["5", "5v", "6", "6v"]),
    ("12, 14-15", ["12", "14", "15"]),
    ("3 ob.", ["3v"]),
])
def test_folio_specifications_expand_to_leaves(spec, leaves):
    assert expand_folios(spec) == leaves


def test_huge_or_backwards_folio_ranges_are_not_expanded():
    assert expand_folios("9-3") == []
    assert expand_folios("1-5000") == []


@pytest.mark.parametrize("copy_type", [
    "Autograph", "Autographs", "Typewritten text", "Certified typewritten copy", "Handwritten text",
    "Handwritten text on a telegraph form",
])
def test_copy_types(copy_type):
    (ref,) = parse_archival_line(f"RTSKHIDNI. F. 558. Op. 1. D. 5. L. 5 rev.-6. {copy_type}.").refs
    assert ref.copy_type == copy_type and ref.folio_list == ["5v", "6"]


def test_publication_on_the_same_line_is_separated():
    line = parse_archival_line(
        'APRF. F. 45. Op. 1. D. 2. L. 5. Certified typewritten copy. "Istochnik". 1995. No. 3. S. 12.')
    assert line.refs[0].copy_type == "Certified typewritten copy"
    assert line.refs[0].text == "APRF. F. 45. Op. 1. D. 2. L. 5. Certified typewritten copy."
    assert line.publications == ['"Istochnik". 1995. No. 3. S. 12.']


def test_two_references_on_one_line_share_the_archive():
    refs = parse_archival_line("RTSKHIDNI. F. 17. Op. 3. D. 5. L. 1; F. 558. Op. 1. D. 3. L. 4. Autograph.").refs
    assert [(r.archive_normalised, r.fond, r.delo) for r in refs] == [("RGASPI", "17", "5"), ("RGASPI", "558", "3")]


@pytest.mark.parametrize("text, expected", [
    ("RTSKHIDNI. F. 558. On. 1. D. 5397. L. 2. Autograph.", True),
    ("RTSHIDNI; F. 17. Op. 3/S. D. 12. L. 1.", True),
    ("F. 17. Op. 3. D. 12. L. 1.", True),
    ("F. 5 was mentioned", False),
    ("Stalin", False),
    ("I had a meeting with Proshyan.", False),
])
def test_archival_line_detection(text, expected):
    assert is_archival_line(text) is expected


def test_citations_in_a_note_are_kept_and_ibid_inherits_the_file():
    text = ("Stalin replied (RTSKHIDNI. F. 558. On. 1. D. 5398. L. 2-3). Then (Ibid. L. 3-4).\n"
            "Later (Ibid., L. 5).")
    refs = find_citations(text, 23)
    assert [(r.delo, r.folios, r.ibid, r.line) for r in refs] == [
        ("5398", "2-3", False, 23), ("5398", "3-4", True, 23), ("5398", "5", True, 24)]
    assert refs[1].text == "Ibid. L. 3-4" and refs[1].archive_normalised == "RGASPI"


def test_prose_numbers_are_not_citations():
    assert find_citations("Decrees of the Soviet Power. Vol. 1. M., 1957. S. 298-299") == []


def test_unreadable_archival_line_is_warned_not_raised():
    line = parse_archival_line("RTSKHIDNI. something else")
    assert line.refs == [] and line.warnings
