"""A small inverted index over labels and letter texts, built once per server process.

DESIGN.md: text search must not be ``FILTER(CONTAINS(…))`` per request (1.8 s at 100,000 letters). The index
is read with one query (``index_terms.rq``) when the app is created (in the server's master process, so the forked
workers share it) or, failing that, on first use, and kept in memory; a build is immutable, so it never goes
stale. Words are case- and accent-folded; every query word must match (a word of three letters or more also
matches as a prefix: "Kaled" finds "Kaledin"); hits are ranked by tf-idf.
Texts count for the letter they belong to (by the URI convention), so a search finds letters.

Issue 10: at 100,000 letters reading every text at each start is slow, so a release carries a persisted index
(``search.sqlite`` beside ``dataset.nq``, written by kg/textindex.py at publish time) and :func:`index_for`
uses it when there is one; this in-memory index remains for ``kg serve --data FILE`` (no release). Both share
``fold``/``words``/``snippet``, so they match the same words.
"""

from __future__ import annotations

import math
import threading
from bisect import bisect_left
from collections import Counter, defaultdict
from pathlib import Path

from kg import textindex
from kg.textindex import Hit, fold, words
from server.pages import queries
from server.pages.iris import key_of, letter_key_of

LABEL_LOCAL = ("label", "name", "prefLabel")
#: the release's persisted index, beside dataset.nq
INDEX_FILE = "search.sqlite"

__all__ = ["Hit", "ReleaseIndex", "TextIndex", "fold", "index_for", "words"]


class TextIndex:
    def __init__(self) -> None:
        self.postings: dict[str, Counter] = defaultdict(Counter)
        self.labels: dict[str, str] = {}
        self.texts: dict[str, list[str]] = defaultdict(list)
        self.vocabulary: list[str] = []
        self.size = 0

    @classmethod
    def build(cls, store, base_uri: str) -> TextIndex:
        index = cls()
        for row in queries.select(store, "index_terms"):
            subject, predicate, text = row["s"].value, row["p"].value, row["text"]
            target = index._target(subject, base_uri)
            is_label = predicate.rsplit("#", 1)[-1].rsplit("/", 1)[-1] in LABEL_LOCAL
            if is_label and target == subject and (subject not in index.labels or text.lang == "en"):
                index.labels[subject] = text.value
            if not is_label or target != subject:
                index.texts[target].append(text.value)
            index.add(target, text.value, weight=3 if is_label else 1)
        index.vocabulary = sorted(index.postings)
        index.size = len({d for c in index.postings.values() for d in c})
        return index

    @staticmethod
    def _target(subject: str, base_uri: str) -> str:
        """Where a hit on ``subject`` leads: the letter for its texts; a note stays a note; else itself."""
        key = key_of(base_uri, subject)
        letter = letter_key_of(key) if key else None
        if letter and "/note/" not in key:
            return f"{base_uri}/id/{letter}"
        return subject

    def add(self, doc: str, text: str, *, weight: int = 1) -> None:
        for word in words(text):
            self.postings[word][doc] += weight

    def _matches(self, word: str) -> Counter:
        found = Counter(self.postings.get(word, {}))
        if len(word) >= 3:
            i = bisect_left(self.vocabulary, word)
            while i < len(self.vocabulary) and self.vocabulary[i].startswith(word):
                if self.vocabulary[i] != word:
                    for doc, n in self.postings[self.vocabulary[i]].items():
                        found[doc] += n * 0.5
                i += 1
        return found

    def search(self, query: str, limit: int = 50) -> list[Hit]:
        terms = list(dict.fromkeys(words(query)))
        if not terms:
            return []
        scores: Counter | None = None
        for term in terms:
            matches = self._matches(term)
            idf = math.log(1 + self.size / (1 + len(matches)))
            weighted = Counter({d: (1 + math.log(n)) * idf for d, n in matches.items() if n > 0})
            scores = weighted if scores is None else Counter({d: s + weighted[d] for d, s in scores.items()
                                                              if d in weighted})
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
        return [Hit(d, self.labels.get(d, d), s, self.snippet(d, terms)) for d, s in ranked]

    def snippet(self, doc: str, terms: list[str], width: int = 90) -> str | None:
        """A stretch of the first text of ``doc`` that contains a query word, for the result list."""
        return textindex.snippet(self.texts.get(doc, ()), terms, width)


class ReleaseIndex:
    """The release's ``search.sqlite`` (SQLite FTS5), opened per search: nothing to build, safe across forks."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def search(self, query: str, limit: int = 50) -> list[Hit]:
        return textindex.search(self.path, query, limit)


_lock = threading.Lock()


def index_for(app, store, base_uri: str) -> TextIndex | ReleaseIndex:
    """The process's index for ``app``: the release's index file if it has one, else built on first use."""
    holder = app.extensions.setdefault("kg_text_index", {})
    if "index" not in holder:
        with _lock:
            if "index" not in holder:
                persisted = release_index_file(app)
                holder["index"] = ReleaseIndex(persisted) if persisted else TextIndex.build(store, base_uri)
    return holder["index"]


def release_index_file(app) -> Path | None:
    """``search.sqlite`` of the release the app serves (``ServerConfig.release_dir``), if it exists."""
    release_dir = getattr(app.config.get("KG"), "release_dir", None)
    path = Path(release_dir) / INDEX_FILE if release_dir else None
    return path if path is not None and path.is_file() else None
