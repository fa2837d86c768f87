"""The endpoint's answer cache: serialised answers of this worker, keyed on what determines them.

Why it is safe: a server never sees its build change (a new release means a restart), so an answer computed
once stays right for the life of the worker. What it is keyed on: the query text after normalisation
(:func:`normalise`), the dataset parameters (``default-graph-uri``/``named-graph-uri``, in order) and the
negotiated media type; never on headers that do not change the bytes.

Memory: bounded per worker by ``ServerConfig.result_cache_bytes`` (default 32 MiB), counting each entry's
body, its key's text and a fixed overhead: three quarters for answers by normalised query, one quarter for
answers by exact request (``server/protocol.py``: a repeat skips parsing and checking); answers over 1 MiB
are not kept, and the least recently used go first. Each worker has its own caches (``--workers 2`` may hold
twice the budget); a popular query is computed once per worker. Errors are never cached.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict

from kg.store import Answer

#: Bytes charged per entry beyond its body and query text (the key tuple, the Answer, the dict slot).
ENTRY_OVERHEAD = 400
#: Answers larger than this are not kept: they would evict many small popular ones.
MAX_ENTRY = 1048576

#: What a SPARQL lexer must keep verbatim (IRIs, strings) or may drop (comments); whitespace runs between
#: them collapse to one space. Same alternatives as ``kg.store``'s keyword scanner, in the same order.
_TOKENS = re.compile(
    r"""(?P<keep><[^<>"{}|^`\\\x00-\x20]*>
        | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"
        | '''(?:[^'\\]|\\.|'(?!''))*'''
        | "(?:[^"\\\n\r]|\\.)*"
        | '(?:[^'\\\n\r]|\\.)*')
      | (?P<drop>(?:\#[^\n\r]*|[\ \t\r\n])+)
    """,
    re.VERBOSE | re.DOTALL,
)


def _replace(match: re.Match) -> str:
    return match.group("keep") or " "


def normalise(query: str) -> str:
    """The query with comments dropped and whitespace runs made one space, strings and IRIs untouched.

    Two texts that normalise alike are the same query token for token, so they have the same answer. Only
    SPARQL's own whitespace (space, tab, CR, LF) collapses: another space character outside a string is a
    syntax error, which must not be normalised into a valid query that is in the cache.
    A text with a backslash is returned as it is (stripped): SPARQL's ``\\u`` escapes may stand for any
    character, even inside an IRI, where a lexer this simple could take the rest of a line for a comment.
    """
    if "\\" in query:
        return query.strip()
    return _TOKENS.sub(_replace, query).strip()


def _size(key: object) -> int:
    """Characters or bytes held by a key of strings, bytes and tuples of them (what the budget charges)."""
    if isinstance(key, tuple):
        return sum(_size(part) for part in key)
    return len(key) if isinstance(key, (str, bytes)) else 8


class AnswerCache:
    """Serialised answers of this worker, least recently used out first, within a byte budget."""

    def __init__(self, budget: int, max_entry: int = MAX_ENTRY) -> None:
        self.budget = budget
        self.max_entry = max_entry
        self.size = 0
        self._items: OrderedDict[tuple, tuple[Answer, int]] = OrderedDict()
        self._lock = threading.Lock()

    @staticmethod
    def key(query: str, default_graphs: list[str], named_graphs: list[str], media_type: str) -> tuple:
        """The cache key of one answer (see the module docstring for why these parts and no others)."""
        return normalise(query), tuple(default_graphs), tuple(named_graphs), media_type

    def __len__(self) -> int:
        return len(self._items)

    def get(self, key: tuple) -> Answer | None:
        with self._lock:
            item = self._items.get(key)
            if item is None:
                return None
            self._items.move_to_end(key)
            return item[0]

    def put(self, key: tuple, answer: Answer) -> None:
        if len(answer.body) > self.max_entry or self.budget <= 0:
            return
        cost = len(answer.body) + _size(key) + ENTRY_OVERHEAD
        with self._lock:
            if key in self._items:
                return
            self._items[key] = (answer, cost)
            self.size += cost
            while self.size > self.budget and self._items:
                _, (_, old_cost) = self._items.popitem(last=False)
                self.size -= old_cost
