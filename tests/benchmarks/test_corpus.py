"""The synthetic benchmark corpus: deterministic, in the edition's page format, realistic, and resolvable."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path

import pytest

from benchmarks.corpus import (
    GREGORIAN_SWITCH,
    generate_authorities,
    generate_cmif,
    generate_corpus,
    generate_pages,
    iter_letters,
    iter_pages,
    iter_records,
)

TEI = "{http://www.tei-c.org/ns/1.0}"


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_same_size_and_seed_give_byte_identical_files(tmp_path: Path) -> None:
    generate_corpus(120, tmp_path / "a", seed=7)
    generate_corpus(120, tmp_path / "b", seed=7)
    first, second = _tree(tmp_path / "a"), _tree(tmp_path / "b")
    assert len(first) > 50
    assert first == second


def test_another_seed_gives_another_corpus(tmp_path: Path) -> None:
    a = generate_pages(50, tmp_path / "a", seed=1)
    b = generate_pages(50, tmp_path / "b", seed=2)
    assert [p.read_bytes() for p in a] != [p.read_bytes() for p in b]


def test_a_smaller_corpus_is_not_a_prefix_of_a_larger_one_but_each_is_complete() -> None:
    for n in (1, 7, 333):
        assert sum(len(page.letters) for page in iter_pages(n)) == n
        assert [letter.doc_no for letter in iter_letters(n)] == list(range(1, n + 1))


def test_every_document_starts_where_the_page_says_with_a_number_or_a_heading() -> None:
    for page in iter_pages(300):
        lines = page.text.split("\n")
        assert lines[0] in ("Bolshevik Leaders correspondence",) or "Home Page" in lines[0]
        for letter, start in zip(page.letters, page.start_lines, strict=True):
            first = lines[start - 1]
            if letter.number_printed:
                assert first == f"No. {letter.doc_no}"
            else:
                assert first == letter.heading
            assert letter.archival_line in lines


def test_the_pages_show_the_variations_of_the_source_format() -> None:
    pages = list(iter_pages(600))
    text = "\n".join(page.text for page in pages)
    letters = [letter for page in pages for letter in page.letters]
    headings = [letter.heading for letter in letters]
    assert any(re.fullmatch(r".+ - .+", h) and not h.endswith(".") for h in headings)
    assert any(h.endswith(".") and " - " in h for h in headings)
    assert any(" — " in h for h in headings)
    assert any(" to " in h and not h.startswith("Telegram") for h in headings)
    assert any(h.startswith("Telegram from ") for h in headings)
    assert any(h.startswith("Telegram of ") for h in headings)
    assert any(", " in ", ".join(letter.senders) and len(letter.senders) > 1 for letter in letters)
    assert any(h.startswith("Central Committee") or "Politburo" in h for h in headings)
    dates = [letter.date.text for letter in letters]
    assert any(re.fullmatch(r"[A-Z][a-z]+ \d+, \d{4}", d) for d in dates)
    assert any(re.fullmatch(r"[A-Z][a-z]+ \d+ \[\d{4}\]", d) for d in dates)
    assert any(re.fullmatch(r"\[[A-Z][a-z]+ \d{4}\]", d) for d in dates)
    assert any(re.fullmatch(r"\[\d+–\d+ [A-Z][a-z]+ \d{4}\]", d) for d in dates)
    for word in ("Previously", "Later", "Not earlier than", "Not later than"):
        assert any(d.startswith(f"[{word} ") for d in dates), word
    assert re.search(r"\b\d+ \([A-Z]?[a-z]* ?\d+\), \d{4}", text)  # Old (New) dual dates
    assert re.search(r"^\d+/[IVX]+, \d+ p\.m\.$", text, re.M)
    assert re.search(r"^[A-Z][a-z]+ \d+/[IVX]+$", text, re.M)
    assert "\nNotes:\n" in text and re.search(r"^\d \. ", text, re.M) and re.search(r"^\d[A-Z]", text, re.M)
    assert re.search(r"[a-z)] \d \.", text) and re.search(r"[a-z)]\d[.;]", text)
    assert ". On. " in text and ". Op. " in text and " rev." in text and re.search(r"L\. \d+-\d+\. ", text)
    assert "RTSKHIDNI. F. " in text and "Typewritten text." in text and "Autograph." in text
    assert "[...]" in text and "[with]" in text
    numbered = sum(letter.number_printed for letter in letters)
    assert 0.35 < numbered / len(letters) < 0.7
    assert any(len(page.letters) >= 3 for page in pages)
    assert any("\n\n" in page.text for page in pages) and any("\n\n" not in page.text for page in pages)


def test_dates_respect_the_julian_to_gregorian_switch() -> None:
    letters = list(iter_letters(3000))
    assert {letter.sent.year for letter in letters} == set(range(1912, 1928))
    for letter in letters:
        d = letter.date
        assert d.gregorian.startswith(letter.sent.isoformat()[: len(d.gregorian)])
        if letter.sent < GREGORIAN_SWITCH:
            assert d.calendar == "julian"
            assert d.written[:10] <= "1918-01-31"
            if len(d.written) == 10:
                assert dt.date.fromisoformat(d.written) == letter.sent - dt.timedelta(days=13)
        else:
            assert d.calendar == "gregorian"
            assert not ("1918-02-01" <= d.written[:10] <= "1918-02-13")


def test_letter_counts_per_correspondent_follow_a_power_law() -> None:
    counts = Counter(key for letter in iter_letters(5000)
                     for key in letter.sender_keys + letter.recipient_keys)
    ranked = [c for _, c in counts.most_common()]
    assert 200 <= len(ranked) <= 320
    assert ranked[0] > 20 * ranked[len(ranked) // 2]


def test_every_printed_party_resolves_in_the_synthetic_authorities(tmp_path: Path) -> None:
    generate_authorities(tmp_path)
    names: dict[str, set[str]] = {}
    for kind in ("persons", "organisations", "places", "events"):
        table = tomllib.loads((tmp_path / f"{kind}.toml").read_text(encoding="utf-8"))
        assert table, kind
        for key, entry in table.items():
            assert entry["label"] and entry["names"], key
            for name in entry["names"]:
                names.setdefault(name, set()).add(key)
    for letter in iter_letters(500):
        printed_names = letter.senders + letter.recipients
        for printed, key in zip(printed_names, letter.sender_keys + letter.recipient_keys, strict=True):
            assert key in names[printed], printed


def test_cmif_holds_every_letter_with_sender_recipient_and_date(tmp_path: Path) -> None:
    path = generate_cmif(150, tmp_path / "c.xml")
    descs = ET.parse(path).getroot().findall(f".//{TEI}correspDesc")
    letters = list(iter_letters(150))
    assert len(descs) == len(letters)
    for desc, letter in zip(descs, letters, strict=True):
        sent, received = desc.findall(f"{TEI}correspAction")
        assert sent.get("type") == "sent" and received.get("type") == "received"
        parties = [e.text for e in sent if e.tag not in (f"{TEI}date", f"{TEI}placeName")]
        assert parties == letter.senders
        date = sent.find(f"{TEI}date")
        assert letter.date.gregorian in (date.get("when"), date.get("notBefore"), date.get("notAfter"),
                                         date.get("from"))


def _read_sources():
    sources = pytest.importorskip("kg.sources")
    if not hasattr(sources, "read_sources"):
        pytest.skip("kg.sources.read_sources is not written yet")
    return sources.read_sources


def test_generated_pages_parse_into_the_generated_letters(tmp_path: Path) -> None:
    read_sources = _read_sources()
    generate_pages(250, tmp_path)
    result = read_sources([tmp_path])
    assert not result.errors
    expected = list(iter_records(250, sources_dir=tmp_path))
    got = sorted(result.records, key=lambda r: (r.source.path, r.source.line))
    assert len(got) == len(expected)
    for want, have in zip(expected, got, strict=True):
        where = f"{want.source.path}:{want.source.line}"
        assert have.doc_no == want.doc_no, where
        assert have.senders == want.senders and have.recipients == want.recipients, where
        assert have.date_text == want.date_text, where
        assert (have.date_written, have.date_calendar) == (want.date_written, want.date_calendar), where
        assert have.date_gregorian == want.date_gregorian, where
        assert have.date_editorial == want.date_editorial, where
        assert len(have.notes) == len(want.notes), where
        assert [a.fond for a in have.archival_refs] == [a.fond for a in want.archival_refs], where
        assert have.complete, where
