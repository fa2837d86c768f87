"""Line classifiers of the page reader, one shape at a time."""

from __future__ import annotations

import pytest

from kg.sources import lines as L


@pytest.mark.parametrize("text", [
    "Marx-Engels | Lenin | Stalin | Home Page", "Marx-Engels  |  Lenin  |  Stalin  |  Home Page",
    "Bolshevik leadership Correspondence. 1912-1927", " Bolshevik leadership Correspondence. 1912-1927",
    "Collection of documents 1996.", "Compiled by: A.V.Kvashonkin, L.P.Kosheleva, L.A.Rogovaya, O.V.Khlevnyuk.",
])
def test_strong_header_lines(text):
    assert L.is_strong_header(text)


@pytest.mark.parametrize("text", ["Stalin Correspondences", "Bolshevik Leaders correspondence"])
def test_header_extra_lines(text):
    assert L.is_header_extra(text)


@pytest.mark.parametrize("text, n", [("No. 9", "9"), ("No. 123", "123"), ("  No. 9  ", "9"), ("No.9", "9")])
def test_document_number_is_a_whole_line(text, n):
    assert L.DOC_NO.match(text).group("n") == n


@pytest.mark.parametrize("text", ["Telegram No. 371", "No. 9 of the journal", "see No. 3."])
def test_no_inside_a_line_is_not_a_document_number(text):
    assert L.DOC_NO.match(text) is None


@pytest.mark.parametrize("text, n, rest, shape", [
    ("1 . At this time.", 1, "At this time.", "dot"),
    ("2. On December 4.", 2, "On December 4.", "dot"),
    ("4 Articles in Pravda.", 4, "Articles in Pravda.", "space"),
    ("2On the delegates.", 2, "On the delegates.", "glued"),
    ("one . The first note.", 1, "The first note.", "word"),
    ("two. The second note.", 2, "The second note.", "word"),
])
def test_note_number_shapes(text, n, rest, shape):
    start = L.note_start(text)
    assert (start.n, start.text, start.shape) == (n, rest, shape)


@pytest.mark.parametrize("text", ["20 thousand soldiers came.", "One of the delegates said.", "40.6 per cent",
                                  "1917 was a year.", "Stalin replied."])
def test_lines_that_do_not_open_a_note(text):
    assert L.note_start(text) is None


@pytest.mark.parametrize("text", ["ON A DIRECT WIRE.", "Decrypt immediately.", "Moscow - the Kremlin, only to Lenin",
                                  "TO STALIN, copy TO VOROSHILOV", "Copy.", "To Comrade Stalin", "Top secret."])
def test_address_and_transmission_lines(text):
    assert L.is_address_line(text)


@pytest.mark.parametrize("text", ["To begin with, we must act.", "Moscow is quiet and the grain has come.",
                                  "T[ovari] Ilyich!", "I beg you to come."])
def test_lines_that_are_not_address_lines(text):
    assert not L.is_address_line(text)


@pytest.mark.parametrize("text", ["Stalin", "Lenin.", "Your Koba", "Yours, Stalin", "L. T.", "[Stalin]",
                                  "Lenin, Trotsky", "I shake hands with you, Lenin", "CHAIRMAN OF THE RVS TROTSKY"])
def test_signature_shapes(text):
    assert L.is_signature(text)


@pytest.mark.parametrize("text", ["Come, then go back.", "Greetings!", "I shake hands and wait for you tomorrow.",
                                  "Agreed.", "December", "The attack on Dutov is underway."])
def test_lines_that_are_not_signatures(text):
    assert not L.is_signature(text)


def test_signature_names_drop_formula_and_brackets():
    assert L.signature_names("Your Koba") == ["Koba"]
    assert L.signature_names("[Stalin]") == ["Stalin"]
    assert L.signature_names("Lenin, Trotsky") == ["Lenin", "Trotsky"]


def test_run_of_names_is_split_at_the_next_initial():
    assert L.split_run_of_names("J. V. Stalin V. I. Lenin") == ["J. V. Stalin", "V. I. Lenin"]
    assert L.split_run_of_names("Stalin Lenin") == ["Stalin", "Lenin"]


@pytest.mark.parametrize("text", ["I wrote to him - and he answered", "The letters - Lenin, Stalin - were kept",
                                  "Come, then go back.", "December 27 [1917]"])
def test_prose_is_not_a_heading(text):
    assert L.parse_heading(text) is None


def test_heading_with_several_recipients_mixing_bodies_and_persons():
    heading = L.parse_heading(
        "K. I. Gorovich - Central Committee of the RCP(b), Caucasian Bureau of the CC, K. A. Zhuranyan")
    assert heading is not None
    assert heading.senders == ["K. I. Gorovich"]
    assert heading.recipients == ["Central Committee of the RCP(b)", "Caucasian Bureau of the CC",
                                  "K. A. Zhuranyan"]


def test_a_sentence_with_a_dash_is_not_a_heading():
    assert L.parse_heading("We went to the front - it was cold, the roads were bad, and nobody came") is None
