"""Date lines, Old/New Style conversion, dual dates and time/place lines as the edition prints them."""

from __future__ import annotations

import pytest

from kg.dates import (
    find_dual_dates,
    is_old_style,
    julian_to_gregorian,
    parse_date_line,
    parse_time_place,
    read_month_numeral,
    split_leading_time,
    split_trailing_time,
)


# ------------------------------------------------------------------------------------------ calendar
def test_julian_date_before_1918_is_converted_with_the_20th_century_offset():
    assert julian_to_gregorian(1917, 12, 27).isoformat() == "1918-01-09"


def test_julian_offset_is_twelve_days_in_the_19th_century():
    assert julian_to_gregorian(1899, 12, 31).isoformat() == "1900-01-12"


def test_last_old_style_day_is_31_january_1918_and_next_day_is_14_february():
    assert is_old_style(1918, 1, 31)
    assert not is_old_style(1918, 2, 1)
    assert julian_to_gregorian(1918, 1, 31).isoformat() == "1918-02-13"
    p = parse_date_line("February 14, 1918")
    assert p.calendar == "gregorian" and p.gregorian == "1918-02-14"


def test_impossible_julian_date_is_refused():
    with pytest.raises(ValueError):
        julian_to_gregorian(1917, 2, 30)


# ------------------------------------------------------------------------------------------ date lines
def test_seed_date_line_has_editorial_year_and_is_old_style():
    p = parse_date_line("December 27 [1917]")
    assert (p.written, p.calendar, p.gregorian, p.editorial, p.qualifier, p.precision) == (
        "1917-12-27", "julian", "1918-01-09", True, None, "day")


@pytest.mark.parametrize("text, written, calendar, gregorian, gregorian_end, editorial", [
    ("December 27, 1917", "1917-12-27", "julian", "1918-01-09", None, False),
    ("[December 5, 1917]", "1917-12-05", "julian", "1917-12-18", None, True),
    ("March 3, 1921", "1921-03-03", "gregorian", "1921-03-03", None, False),
    ("March 3, 1921.", "1921-03-03", "gregorian", "1921-03-03", None, False),
    ("3 March 1921", "1921-03-03", "gregorian", "1921-03-03", None, False),
    ("Sept. 3, 1926", "1926-09-03", "gregorian", "1926-09-03", None, False),
    ("[May 1920]", "1920-05", "gregorian", "1920-05", None, True),
    ("[December 1917]", "1917-12", "julian", "1917-12-14", "1918-01-13", True),
    ("[January 1918]", "1918-01", "julian", "1918-01-14", "1918-02-13", True),
    ("[1917]", "1917", "julian", "1917-01-14", "1918-01-13", True),
    ("[1922]", "1922", "gregorian", "1922", None, True),
])
def test_date_line_shapes(text, written, calendar, gregorian, gregorian_end, editorial):
    p = parse_date_line(text)
    assert p is not None, text
    assert (p.written, p.calendar, p.gregorian, p.gregorian_end, p.editorial) == (
        written, calendar, gregorian, gregorian_end, editorial)


@pytest.mark.parametrize("text, qualifier", [
    ("[previously December 5, 1917]", "before"),
    ("[Previously December 5, 1917]", "before"),
    ("[later than March 3, 1921]", "not_before"),
    ("[Later September 3, 1926]", "not_before"),
    ("[not earlier than May 12, 1919]", "not_before"),
    ("[Not later than December 1917]", "not_after"),
    ("[before June 1, 1920]", "before"),
    ("[after June 1, 1920]", "after"),
])
def test_translated_qualifiers_are_understood(text, qualifier):
    p = parse_date_line(text)
    assert p is not None and p.qualifier == qualifier and p.editorial


def test_previously_means_before_and_later_means_not_earlier_than():
    assert parse_date_line("[previously July 10, 1918]").edtf == "../1918-07-10"
    assert parse_date_line("[later July 10, 1918]").edtf == "1918-07-10/.."


@pytest.mark.parametrize("text, start, end", [
    ("12-15 March 1922", "1922-03-12", "1922-03-15"),
    ("[12\u201315 March 1922]", "1922-03-12", "1922-03-15"),
    ("[March 12-15, 1922]", "1922-03-12", "1922-03-15"),
    ("[April 30 - May 2, 1920]", "1920-04-30", "1920-05-02"),
    ("[between March 3 and 5, 1921]", "1921-03-03", "1921-03-05"),
])
def test_ranges_give_both_ends(text, start, end):
    p = parse_date_line(text)
    assert (p.written, p.written_end, p.gregorian, p.gregorian_end) == (start, end, start, end)


def test_old_style_range_converts_both_ends():
    p = parse_date_line("[December 20-21, 1917]")
    assert (p.calendar, p.gregorian, p.gregorian_end) == ("julian", "1918-01-02", "1918-01-03")


def test_dual_date_line_keeps_old_style_written_and_new_style_gregorian():
    p = parse_date_line("January 10 (23), 1918")
    assert (p.written, p.calendar, p.gregorian, p.warnings) == ("1918-01-10", "julian", "1918-01-23", [])


def test_inconsistent_dual_date_line_is_warned_about():
    p = parse_date_line("December 4 (18), 1917")
    assert p.warnings and "1917-12-17" in p.warnings[0]


def test_trailing_note_marker_on_a_date_line_is_tolerated():
    p = parse_date_line("December 27 [1917] 1")
    assert p.written == "1917-12-27" and p.warnings


@pytest.mark.parametrize("text", [
    "I beg you to come", "No. 9", "2) Today", "27/XII, 5 p.m.", "1917", "Stalin - Lenin", "", "  ",
    "Moscow, 1996", "20 thousand", "December 32, 1917",
])
def test_lines_that_are_not_date_lines(text):
    assert parse_date_line(text) is None


def test_date_in_the_skipped_february_days_is_warned_about():
    p = parse_date_line("February 5, 1918")
    assert p.calendar == "gregorian" and any("skipped" in w for w in p.warnings)


# ------------------------------------------------------------------------------------------ dual dates in notes
@pytest.mark.parametrize("text, julian, gregorian", [
    ("On December 4 (17), 1917, the Council", "1917-12-04", "1917-12-17"),
    ("on December 20 (January 2, 1918).", "1917-12-20", "1918-01-02"),
    ("on December 20 (January 2), 1918.", "1917-12-20", "1918-01-02"),
    ("from 4 (17) December 1917 on", "1917-12-04", "1917-12-17"),
    ("on December 31, 1917 (January 13, 1918)", "1917-12-31", "1918-01-13"),
    ("on February 1 (14), 1918", "1918-02-01", "1918-02-14"),
])
def test_dual_dates_are_parsed_and_cross_checked(text, julian, gregorian):
    found = find_dual_dates(text)
    assert len(found) == 1
    assert (found[0].julian, found[0].gregorian, found[0].consistent) == (julian, gregorian, True)


def test_dual_date_that_does_not_agree_is_flagged_inconsistent():
    (d,) = find_dual_dates("On December 4 (18), 1917 the manifesto")
    assert d.julian == "1917-12-04" and d.gregorian == "1917-12-18" and not d.consistent


def test_parenthesised_page_numbers_are_not_dual_dates():
    assert find_dual_dates("S. 298-299 (see above), and 48 hours") == []


# ------------------------------------------------------------------------------------------ time / place lines
@pytest.mark.parametrize("text, place, day, month, year, clock", [
    ("27/XII, 5 p.m.", None, 27, 12, None, "5 p.m."),
    ("27/II", None, 27, 2, None, None),
    ("17/III.", None, 17, 3, None, None),
    ("12/III 1925", None, 12, 3, 1925, None),
    ("1/II-26", None, 1, 2, 1926, None),
    ("5.X. 1918", None, 5, 10, 1918, None),
    ("Kharkiv 29/VII", "Kharkiv", 29, 7, None, None),
    ("Baku 16/VII-20", "Baku", 16, 7, 1920, None),
    ("Tiflis, December 6, 1920", "Tiflis", 6, 12, 1920, None),
    ("July 5 20", None, 5, 7, 1920, None),
    ("16/11 21", None, 16, 2, 1921, None),
    ("10/1 1926", None, 10, 1, 1926, None),
])
def test_time_place_line_shapes(text, place, day, month, year, clock):
    tp = parse_time_place(text)
    assert tp is not None, text
    assert (tp.place, tp.day, tp.month, tp.year, tp.clock) == (place, day, month, year, clock)


def test_mangled_roman_month_is_read_as_roman_and_warned():
    tp = parse_time_place("16/11 21")
    assert tp.month == 2 and tp.mangled_month and tp.warnings


def test_expected_month_settles_an_ambiguous_numeral():
    assert read_month_numeral("11", expected=11) == (11, False)
    assert read_month_numeral("11", expected=2) == (2, True)
    assert read_month_numeral("X11") == (12, True)
    assert read_month_numeral("XII") == (12, False)


@pytest.mark.parametrize("text", ["Filed from Tsaritsyn on 6.VI at 3 p.m.", "Received and deciphered on 5/VI"])
def test_telegraph_log_lines_are_time_lines(text):
    tp = parse_time_place(text)
    assert tp is not None and tp.telegraph_log


@pytest.mark.parametrize("text", ["Stalin", "No. 9", "I beg you", "Comrades!", "RTSKHIDNI. F. 558. On. 1."])
def test_lines_that_are_not_time_lines(text):
    assert parse_time_place(text) is None


def test_time_fused_into_signature_or_first_sentence_is_split():
    assert split_trailing_time("Stalin 27/XII") == ("Stalin", "27/XII")
    assert split_leading_time("27/XII. Comrade Lenin! Come.") == ("27/XII.", "Comrade Lenin! Come.")
    assert split_trailing_time("Stalin") is None


@pytest.mark.parametrize("text, written", [
    ("[End of December 1917]", "1917-12"), ("[Beginning of March 1921]", "1921-03"), ("[Mid-June 1920]", "1920-06"),
    ("[Early December 1917]", "1917-12"), ("[First half of May 1919]", "1919-05"),
])
def test_approximate_dates_keep_the_precision_left_and_are_warned(text, written):
    p = parse_date_line(text)
    assert p.written == written and any("approximate" in w for w in p.warnings)
