"""The release's full-text index: a SQLite FTS5 file written at publish time from the same N-Triples lines.

Issue 10: text search must answer in under 50 ms at 100,000 letters; ``FILTER(CONTAINS(…))`` takes seconds
and the server's in-memory index (server/pages/search.py) costs a full read of the store at every start. So
the publisher writes ``search.sqlite`` beside ``dataset.nq`` and the server only opens it.

What is indexed is what server/queries/index_terms.rq reads: names and labels (rdfs:label, schema:name,
skos:prefLabel/altLabel/hiddenLabel) and texts (crm:P190_has_symbolic_content, and schema:text, which mirrors
P190 on notes: a text stated by both counts once). A text counts for the letter it belongs to (by the URI
convention ``{base}/id/letter/{key}/…``), a note stays a note, anything else is itself; a resource's own
labels weigh three times its texts (bm25 column weights), as in the in-memory index.

Matching is the in-memory index's: the text is folded here with :func:`fold` (casefold, NFKD, no combining
marks) and split with :func:`words`, so that FTS5's ``unicode61 remove_diacritics 2`` tokenizer (``_`` kept in
words as ``\\w`` does) only splits what we already folded; every query word must match, a word of three
letters or more also as a prefix (exact matches rank higher: the word is asked both ways).

Deterministic: rows are inserted in IRI order with fixed rowids, the FTS index is merged into one segment
(``optimize``) and the file is written with ``VACUUM INTO`` (no timestamps in SQLite files): same lines, same
bytes. Feeding keeps nothing in memory: rows go to a scratch SQLite file until :meth:`TextIndexWriter.write`.
"""

from __future__ import annotations

import re
import shutil
import sqlite3
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.dumps import batched, parse_own

LABELS = ("http://www.w3.org/2000/01/rdf-schema#label", "https://schema.org/name",
          "http://www.w3.org/2004/02/skos/core#prefLabel", "http://www.w3.org/2004/02/skos/core#altLabel",
          "http://www.w3.org/2004/02/skos/core#hiddenLabel")
TEXTS = ("http://www.cidoc-crm.org/cidoc-crm/P190_has_symbolic_content", "https://schema.org/text")
_WANTED = {f"<{p}>".encode() for p in LABELS + TEXTS}
_LABEL_IRIS = frozenset(LABELS)
#: which label a result shows: rdfs:label first, a hidden label last; English, then untagged, then any
_DISPLAY = (LABELS[0], LABELS[2], LABELS[1], LABELS[3], LABELS[4])
LABEL_WEIGHT = 3.0
TOKENIZER = "unicode61 remove_diacritics 2 tokenchars '_'"
_WORD = re.compile(r"\w+", re.UNICODE)
_BATCH = 20_000
#: Documents written to the index at a time (one ``executemany`` per table instead of three calls a document).
_DOCUMENTS_AT_ONCE = 2_000
#: FTS5's in-memory table of pending terms (its ``hashsize``; SQLite's default is 1 MiB). Each time it fills, FTS5
#: writes a segment and merges segments as they accumulate: at the default, 10,000 letters made hundreds of
#: segments and merging them was a fifth of writing the index (4.2 s of CPU, 2.4 s with this). The index holds
#: the same terms either way; only how its pages are laid out differs.
_PENDING_TERMS_BYTES = 64 << 20


def fold(text: str) -> str:
    """Case- and accent-folded text: what both indexes compare."""
    if text.isascii():  # nothing to decompose, nothing combining: the same result, without a loop per character
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    return _WORD.findall(fold(text))


def tokens(texts: Iterable[str]) -> str:
    """The texts as FTS5 is to index them: their :func:`words`, joined by spaces.

    ASCII text is handed over as it is: folding it only lowers it, and FTS5's tokenizer lowers ASCII too and
    splits it exactly where ``\\w+`` does (letters, digits and ``_`` are its token characters, everything else
    separates), so the tokens are the same (``tests/test_textindex.py`` proves it for any ASCII text) without
    a Python loop over every word of the corpus.
    """
    texts = list(texts)
    if all(text.isascii() for text in texts):
        return " ".join(texts)
    return " ".join(word for text in texts for word in words(text))


@dataclass
class Hit:
    iri: str
    label: str
    score: float
    snippet: str | None


def snippet(texts: Iterable[str], terms: list[str], width: int = 90) -> str | None:
    """A stretch of the first text that contains a query word, for the result list."""
    for text in texts:
        folded = fold(text)
        if len(folded) != len(text):  # folding changed lengths: search the raw text instead
            folded = text.casefold()
        for term in terms:
            m = re.search(r"\b" + re.escape(term), folded)
            if m:
                start = max(0, m.start() - width // 2)
                end = min(len(text), m.end() + width // 2)
                middle = text[start:end].replace("\n", " ")
                return ("…" if start else "") + middle + ("…" if end < len(text) else "")
    return None


def target_of(subject: str, base_uri: str) -> str:
    """Where a hit on ``subject`` leads: the letter for its texts; a note stays a note; else itself.

    The same rule as server/pages/iris.py's ``letter_iri`` (kg must not import the server)."""
    prefix = f"{base_uri}/id/"
    if not subject.startswith(prefix) or len(subject) == len(prefix):
        return subject
    key = subject[len(prefix):]
    parts = key.split("/")
    if len(parts) >= 2 and parts[0] == "letter" and "/note/" not in key:
        return prefix + "/".join(parts[:2])
    return subject


class TextIndexWriter:
    """Collects labels and texts from N-Triples lines into a scratch file; :meth:`write` makes the index."""

    def __init__(self, base_uri: str) -> None:
        self.base_uri = base_uri.rstrip("/")
        self._dir = Path(tempfile.mkdtemp(prefix="kg-textindex-"))
        self._db = sqlite3.connect(self._dir / "scratch.sqlite")
        self._db.executescript("""
            PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
            CREATE TABLE term (target TEXT, subject TEXT, is_label INTEGER, predicate TEXT, lang TEXT, text TEXT,
                               PRIMARY KEY (target, subject, is_label, predicate, lang, text)) WITHOUT ROWID;
        """)

    def feed(self, lines: Iterable[bytes]) -> None:
        """Keep the label and text statements of canonical N-Triples lines (any graph, any order)."""
        batch: list[bytes] = []
        for line in lines:
            if line.split(b" ", 2)[1] in _WANTED:
                batch.append(line if line.endswith(b"\n") else line + b"\n")
                if len(batch) >= _BATCH:
                    self._store(batch)
                    batch = []
        if batch:
            self._store(batch)

    def _store(self, batch: list[bytes]) -> None:
        rows = []
        subject = target = None
        for triple in parse_own(b"".join(batch), ox.RdfFormat.N_TRIPLES):
            if not isinstance(triple.subject, ox.NamedNode) or not isinstance(triple.object, ox.Literal):
                continue
            if triple.subject.value != subject:  # lines come sorted: a subject's labels and texts together
                subject = triple.subject.value
                target = target_of(subject, self.base_uri)
            predicate = triple.predicate.value
            is_label = predicate in _LABEL_IRIS
            # a text under two text predicates (P190 and its schema:text mirror) counts once
            rows.append((target, subject, int(is_label), predicate if is_label else "", triple.object.language or "",
                         triple.object.value))
        self._db.executemany("INSERT OR IGNORE INTO term VALUES (?, ?, ?, ?, ?, ?)", rows)

    def _documents(self) -> Iterator[tuple[str, str, list[str], list[str], list[str]]]:
        """(iri, display label, label texts, body texts, snippet texts) per target, in IRI order."""
        rows = self._db.execute("SELECT target, subject, is_label, predicate, lang, text FROM term "
                                "ORDER BY target, subject, is_label, predicate, lang, text")
        current: str | None = None
        own: list[tuple[int, str]] = []
        labels: list[str] = []
        bodies: list[str] = []
        shown: list[str] = []
        for target, subject, is_label, predicate, lang, text in rows:
            if target != current:
                if current is not None:
                    yield current, min(own)[-1] if own else current, labels, bodies, shown
                current, own, labels, bodies, shown = target, [], [], [], []
            if is_label:
                labels.append(text)
                if subject == target:
                    own.append((_DISPLAY.index(predicate), 0 if lang == "en" else 1 if not lang else 2, text))
                    continue
            else:
                bodies.append(text)
            shown.append(text)
        if current is not None:
            yield current, min(own)[-1] if own else current, labels, bodies, shown

    def write(self, path: Path) -> None:
        """Write the index to ``path`` (replaced if it exists); the same lines always give the same bytes."""
        self._db.commit()
        path = Path(path)
        build = self._dir / "build.sqlite"
        build.unlink(missing_ok=True)
        out = sqlite3.connect(build)
        try:
            out.executescript(f"""
                PRAGMA page_size=4096; PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;
                CREATE TABLE doc (id INTEGER PRIMARY KEY, iri TEXT NOT NULL UNIQUE, label TEXT NOT NULL);
                CREATE TABLE doc_text (doc INTEGER NOT NULL, seq INTEGER NOT NULL, text TEXT NOT NULL,
                                       PRIMARY KEY (doc, seq)) WITHOUT ROWID;
                CREATE VIRTUAL TABLE fts USING fts5(labels, texts, content='', columnsize=1,
                                                    tokenize="{TOKENIZER}", prefix='3');
            """)
            out.execute("INSERT INTO fts (fts, rank) VALUES ('hashsize', ?)", (_PENDING_TERMS_BYTES,))
            for chunk in batched(enumerate(self._documents(), start=1), _DOCUMENTS_AT_ONCE):
                out.executemany("INSERT INTO doc VALUES (?, ?, ?)",
                                [(rowid, iri, label) for rowid, (iri, label, *_texts) in chunk])
                out.executemany("INSERT INTO doc_text VALUES (?, ?, ?)",
                                [(rowid, seq, text) for rowid, (*_names, shown) in chunk
                                 for seq, text in enumerate(shown)])
                out.executemany("INSERT INTO fts (rowid, labels, texts) VALUES (?, ?, ?)",
                                [(rowid, tokens(labels), tokens(bodies))
                                 for rowid, (_iri, _label, labels, bodies, _shown) in chunk])
            out.execute("INSERT INTO fts (fts) VALUES ('optimize')")
            out.commit()
            path.unlink(missing_ok=True)
            out.execute("VACUUM INTO ?", (str(path),))
        finally:
            out.close()
            build.unlink(missing_ok=True)

    def close(self) -> None:
        """Drop the scratch file (also done when the writer is garbage-collected with its temp folder)."""
        self._db.close()
        shutil.rmtree(self._dir, ignore_errors=True)

    def __del__(self) -> None:  # a writer that is never closed must not leave its scratch file behind
        try:
            self.close()
        except Exception:  # noqa: BLE001 - interpreter shutdown
            pass


def match_expression(query: str) -> tuple[str, list[str]]:
    """The FTS5 query for ``query`` (every word; 3+ letters also as prefix) and its folded words."""
    terms = list(dict.fromkeys(words(query)))
    parts = [f'("{t}" OR "{t}"*)' if len(t) >= 3 else f'"{t}"' for t in terms]
    return " AND ".join(parts), terms


def search(path: Path, query: str, limit: int = 50) -> list[Hit]:
    """The best ``limit`` hits for ``query`` in the index file at ``path``, best first (bm25, then IRI)."""
    expression, terms = match_expression(query)
    if not terms:
        return []
    db = sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro&immutable=1", uri=True)
    try:
        # Rank inside the index first and join only the best ``limit`` documents: joining every match before
        # sorting cost 55 ms for a word in 33,596 letters at 100,000 letters, this 33 ms. Row ids follow the IRI
        # order (``write``), so "rank, rowid" is the order "rank, IRI" the join used to give.
        ranked = db.execute(
            "SELECT doc.id, doc.iri, doc.label, r.rank FROM (SELECT rowid, bm25(fts, ?, 1.0) AS rank FROM fts "
            "WHERE fts MATCH ? ORDER BY rank, rowid LIMIT ?) AS r JOIN doc ON doc.id = r.rowid "
            "ORDER BY r.rank, r.rowid", (LABEL_WEIGHT, expression, limit)).fetchall()
        # The texts of every hit in one query (one per hit cost about a third of a search).
        texts: dict[int, list[str]] = {}
        marks = ",".join("?" * len(ranked))
        for doc, text in db.execute(f"SELECT doc, text FROM doc_text WHERE doc IN ({marks}) ORDER BY doc, seq",
                                    [doc for doc, *_ in ranked]):
            texts.setdefault(doc, []).append(text)
        return [Hit(iri, label, -rank, snippet(texts.get(doc, []), terms)) for doc, iri, label, rank in ranked]
    finally:
        db.close()


def fts5_available() -> bool:
    """Whether this Python's SQLite has FTS5 compiled in (the index needs it)."""
    try:
        sqlite3.connect(":memory:").execute("CREATE VIRTUAL TABLE t USING fts5(x)")
    except sqlite3.OperationalError:
        return False
    return True


__all__ = ["Hit", "TextIndexWriter", "fold", "fts5_available", "match_expression", "search", "snippet", "target_of",
           "tokens", "words"]
