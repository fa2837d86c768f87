"""Properties of the page reader over generated input (hypothesis): no input crashes it, a page cut anywhere
never gains fields, and body plus markers always give back the printed body."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.sources import SourceFormatError, parse_page
from kg.sources.markers import find_markers, restore_markers

FIXTURES = Path(__file__).parent / "fixtures"
PAGES = {p.name: p.read_text(encoding="utf-8") for p in sorted(FIXTURES.glob("*.txt"))
         if p.name != "front_matter.txt"}
HEADER = "Marx-Engels | Lenin | Stalin | Home Page\nBolshevik leadership Correspondence. 1912-1927\n"

#: Lines of every kind the format has, to drive generated pages deep into the reader.
REALISTIC_LINES = [
    "No. 9", "No. 10", "No. 371 was received", "J. V. Stalin - V. I. Lenin", "Telegram to J. V. Stalin V. I. Lenin",
    "Telegram from Stalin to Lenin", "Lenin to Stalin", "December 27 [1917]", "[December 1917]",
    "[previously July 10, 1918]", "[12-15 March 1922]", "January 10 (23), 1918", "27/XII, 5 p.m.", "16/11 21",
    "Baku 16/VII-20", "Filed from Tsaritsyn on 6.VI", "ON A DIRECT WIRE.", "Copy.", "To Comrade Stalin",
    "T[ovari] Ilyich!", "Dear Comrade Lenin,", "I beg you to come 1 .", "The articles4 are ready; see 3(I",
    "Kal[edi]n (our answer is needed) 2 ;", "1) First point.", "[...] (distortion)*", "Stalin", "Your Koba",
    "Stalin 27/XII", "[Lenin]", "RTSKHIDNI. F. 558. On. 1. D. 5397. L. 2. Autograph.",
    'RTSHIDNI; F. 17. Op. 3/S. D. 12. L. 5 rev.-6. Typewritten text. "Istochnik". 1995. No. 3. S. 12.',
    "Notes:", "1 . A note.", "2. On December 4 (17), 1917.", "3On the letterhead.", "one . The first note.",
    "(Ibid. L. 3-4)", " ", "", "Stalin Correspondences", "Compiled by: A.V.Kvashonkin.",
]

EMPTY = (None, "", [], {}, False)
NOT_COMPARED = {"warnings", "complete"}


def parse_or_refuse(text: str):
    try:
        return parse_page(text, "generated.txt").records
    except SourceFormatError as exc:
        assert exc.reason
        return None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=600))
def test_no_text_crashes_the_reader(text):
    parse_or_refuse(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(REALISTIC_LINES) | st.text(max_size=40), max_size=40), st.booleans())
def test_no_page_made_of_realistic_lines_crashes_the_reader(lines, with_header):
    text = (HEADER if with_header else "") + "\n".join(lines)
    records = parse_or_refuse(text)
    for rec in records or []:
        assert restore_markers(rec.body, rec.markers) == rec.body_printed


def assert_no_gain(full, cut, where):
    """Every field the cut record has, the full record has too (values may be shorter, never new)."""
    full_d, cut_d = full.to_dict(), cut.to_dict()
    for key, value in cut_d.items():
        if key in NOT_COMPARED:
            continue
        if full_d[key] in EMPTY:
            assert value in EMPTY, f"{where}: the cut page gained {key} = {value!r}"
    assert set(cut_d["lines"]) <= set(full_d["lines"]) | {"body", "body_end"}, where


@pytest.mark.parametrize("name", sorted(PAGES))
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_page_cut_anywhere_never_gains_fields(name, data):
    text = PAGES[name]
    full = parse_page(text, name).records
    cut_at = data.draw(st.integers(min_value=0, max_value=len(text)), label="cut_at")
    records = parse_or_refuse(text[:cut_at])
    if records is None:
        return
    assert len(records) <= len(full)
    for i, rec in enumerate(records):
        assert_no_gain(full[i], rec, f"{name}[:{cut_at}] document {i}")


@pytest.mark.parametrize("name", sorted(PAGES))
def test_a_page_cut_at_every_line_end_never_gains_fields(name):
    text = PAGES[name]
    full = parse_page(text, name).records
    for cut_at in [i + 1 for i, ch in enumerate(text) if ch == "\n"]:
        records = parse_or_refuse(text[:cut_at]) or []
        assert len(records) <= len(full)
        for i, rec in enumerate(records):
            assert_no_gain(full[i], rec, f"{name}[:{cut_at}] document {i}")


@pytest.mark.parametrize("name", sorted(PAGES))
def test_body_plus_markers_reproduces_the_printed_body_on_every_page(name):
    for rec in parse_page(PAGES[name], name).records:
        assert restore_markers(rec.body, rec.markers) == rec.body_printed
        for m in rec.markers:
            assert 0 <= m.offset <= len(rec.body)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab .,;:!?()[]\n0123456789Thone")), max_size=200),
       st.sets(st.integers(min_value=1, max_value=12), max_size=6), st.booleans())
def test_marker_removal_round_trips_for_any_text(text, notes, cut):
    scan = find_markers(text, notes, cut_at_end=cut)
    assert restore_markers(scan.text, scan.markers) == text
    assert [m.offset for m in scan.markers] == sorted(m.offset for m in scan.markers)
