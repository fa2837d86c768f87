"""kg/textindex.py: the persisted FTS5 index finds what the in-memory index finds, byte-identical per input."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kg.textindex import TextIndexWriter, fts5_available, match_expression, search
from tests.test_statistics import mapped  # the seed's graphs as the publisher feeds them

ROOT = Path(__file__).resolve().parents[1]
BASE = "https://kg.example.org"

SEED = ROOT / "data" / "sources" / "bl1996-no009-stalin-to-lenin-1917-12-27.txt"
LETTER = f"{BASE}/id/letter/bl1996-009"


@pytest.fixture(scope="module")
def seed() -> dict[str, list[bytes]]:
    return mapped([SEED], ROOT / "data" / "authorities")


def write(graphs: dict[str, list[bytes]], path: Path, order=sorted) -> Path:
    writer = TextIndexWriter(BASE)
    try:
        for name in order(graphs):
            writer.feed(iter(graphs[name]))
        writer.write(path)
    finally:
        writer.close()
    return path


@pytest.fixture(scope="module")
def index(seed, tmp_path_factory) -> Path:
    return write(seed, tmp_path_factory.mktemp("index") / "search.sqlite")


def test_fts5_is_compiled_in():
    assert fts5_available()


def test_same_lines_in_any_order_give_the_same_bytes(seed, index, tmp_path):
    again = write(seed, tmp_path / "again.sqlite", order=lambda g: sorted(g, reverse=True))
    assert again.read_bytes() == index.read_bytes()


def test_a_letter_is_found_by_its_text_with_a_snippet(index):
    hits = search(index, "Smolny noon")
    assert [h.iri for h in hits] == [LETTER]
    assert "Smolny at noon" in hits[0].snippet
    assert hits[0].label.startswith("No. 9.")


def test_people_are_found_by_name_variants_and_prefixes_and_show_their_label(index):
    assert [(h.iri, h.label) for h in search(index, "koba")] == [(f"{BASE}/id/person/stalin", "Joseph Stalin")]
    assert f"{BASE}/id/person/kaledin" in [h.iri for h in search(index, "Kaled")]
    assert search(index, "KÁLEDIN")[0].iri == f"{BASE}/id/person/kaledin"  # case and accents folded


def test_every_word_must_match_and_short_words_only_exactly(index):
    assert search(index, "Smolny nothingmatchesthis") == []
    assert search(index, "") == []
    assert match_expression("St. Kaled") == ('"st" AND ("kaled" OR "kaled"*)', ["st", "kaled"])


def test_notes_stay_notes(index):
    assert f"{LETTER}/note/1" in [h.iri for h in search(index, "treatment Finland")]


def test_finds_what_the_in_memory_index_finds(seed, index):
    from server.pages.search import TextIndex

    store = ox.Store()
    for name, lines in seed.items():
        store.load(b"".join(lines), format=ox.RdfFormat.N_TRIPLES, to_graph=ox.NamedNode(name))
    memory = TextIndex.build(_UnionStore(store), BASE)
    for query in ("Smolny", "koba", "Kaled", "Lenin Stalin", "people commissar", "1917", "rgaspi 558", "of"):
        assert {h.iri for h in search(index, query, limit=1000)} == {h.iri for h in memory.search(query, 1000)}, query


class _UnionStore:
    """The server's store interface over a pyoxigraph store (the default graph is the union, as served)."""

    def __init__(self, store) -> None:
        self.store = store

    def query(self, text: str, **kwargs):
        return self.store.query(text, use_default_graph_as_union=True)


def test_row_ids_follow_the_iri_order_that_search_breaks_ties_by(index):
    import sqlite3

    db = sqlite3.connect(f"file:{index}?mode=ro", uri=True)
    try:
        iris = [iri for (iri,) in db.execute("SELECT iri FROM doc ORDER BY id")]
    finally:
        db.close()
    assert len(iris) > 10 and iris == sorted(iris, key=lambda iri: iri.encode("utf-8"))


def _fts5_tokens(text: str) -> list[tuple[int, str]]:
    """(position, term) of every token FTS5 makes of ``text`` with the index's tokenizer."""
    import sqlite3

    from kg.textindex import TOKENIZER

    db = sqlite3.connect(":memory:")
    try:
        db.execute(f"CREATE VIRTUAL TABLE t USING fts5(x, tokenize=\"{TOKENIZER}\")")
        db.execute("CREATE VIRTUAL TABLE v USING fts5vocab(t, 'instance')")
        db.execute("INSERT INTO t (x) VALUES (?)", (text,))
        return sorted((offset, term) for term, offset in db.execute("SELECT term, offset FROM v"))
    finally:
        db.close()


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(max_codepoint=127), max_size=40), max_size=4))
def test_ascii_texts_go_to_fts5_as_they_are_and_give_the_tokens_of_their_folded_words(texts):
    from kg.textindex import tokens, words

    assert tokens(texts) == " ".join(texts)  # the shortcut is taken for ASCII
    assert _fts5_tokens(tokens(texts)) == _fts5_tokens(" ".join(w for t in texts for w in words(t)))


def test_other_texts_are_folded_first():
    from kg.textindex import tokens

    assert tokens(["Káledin", "Straße"]) == "kaledin strasse"
    assert _fts5_tokens(tokens(["Straße"])) == [(0, "strasse")]
