"""Find the curated entities named in a text, with character offsets; report capitalised names nobody curated.

A mention is a printed variant of an authority entry (``data/authorities``) standing as whole words in the
text,
matched case-sensitively (so "Don" the region is not found in "don't", and the lower-case "constituent
assembly" of a region is not the Constituent Assembly). Names may nest when they denote different kinds of
thing
("Council of People's Commissars of Russia" mentions an organisation and a place); a name inside a longer
name of
the same kind is part of that name, not a mention ("Armenia" inside "Turkish Armenia").

Unknown capitalised names are only *reported* for a curator: an entity is never invented from a text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from kg.authorities import Authorities, Entity

_WORD = re.compile(r"\w+")
_CAPITALISED = re.compile(r"[A-Z][\w\[\]'’-]*")
_CONNECTORS = {"of", "the", "for", "and", "de", "von"}
#: Capitalised tokens that are not names: abbreviations of archival citations, pronouns, editorial words.
_NOT_NAMES = {"I", "Ibid", "F", "On", "Op", "D", "L", "S", "M", "No", "Vol", "T", "Notes", "Autograph", "Ok",
              "Of", "The", "In", "We", "It", "This", "That", "Mr", "Gentlemen", "Thus", "Further", "Then",
              "Today", "January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December"}
_ROMAN = re.compile(r"[IVXLC]+")
_TOKEN = re.compile(r"[\w\[\]'’-]+")
_SENTENCE_END = set(".!?:;\"“”«»(—-")


@dataclass(frozen=True)
class Mention:
    """``entity`` is named by ``text[start:end]`` (the variant as printed)."""

    entity: Entity
    start: int
    end: int
    text: str

    @property
    def key(self) -> str:
        return self.entity.key


@dataclass(frozen=True)
class UnknownName:
    """A capitalised name that no authority entry covers, for a curator to decide on."""

    text: str
    start: int
    end: int


@dataclass(frozen=True)
class MentionScan:
    mentions: tuple[Mention, ...]
    unknown: tuple[UnknownName, ...]
    ambiguous: tuple[Mention, ...] = ()

    def entity_keys(self) -> list[str]:
        """The distinct entities mentioned, in order of first mention."""
        seen: dict[str, None] = {}
        for mention in self.mentions:
            seen.setdefault(mention.key, None)
        return list(seen)


def _trie_pattern(words: Iterable[str]) -> str:
    """A regular expression matching exactly ``words``, factored as a trie (``St(?:alin|eklov)``): the regex
    engine then follows one branch per character instead of trying every word at every position."""
    trie: dict[str, dict] = {}
    for word in words:
        node = trie
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}  # a word ends here

    def pattern(node: dict[str, dict]) -> str:
        branches = [re.escape(char) + pattern(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        group = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        if "" in node:  # a word may end here or go on
            return (f"(?:{group})" if len(branches) == 1 else group) + "?"
        return group

    return pattern(trie)


@dataclass(frozen=True)
class _NameIndex:
    """``names``: first word of a name → [(name, entities bearing it)], longest names first. ``first_words``
    finds, in one pass of the regex engine, the whole words of a text that begin some name."""

    names: dict[str, list[tuple[str, tuple[Entity, ...]]]]
    first_words: re.Pattern[str] | None


@lru_cache(maxsize=8)
def _index(authorities: Authorities) -> _NameIndex:
    """The name index of ``authorities``, built once per ``Authorities`` object."""
    by_name: dict[str, list[Entity]] = {}
    for name, entity in authorities.names():
        if entity not in by_name.setdefault(name, []):
            by_name[name].append(entity)
    index: dict[str, list[tuple[str, tuple[Entity, ...]]]] = {}
    for name, entities in by_name.items():
        first = _WORD.search(name)
        if first is None or first.start() != 0:
            continue  # a name must start with a word character to be matched at a word start
        index.setdefault(first.group(), []).append((name, tuple(entities)))
    for candidates in index.values():
        candidates.sort(key=lambda item: (-len(item[0]), item[0]))
    # a first word is a run of word characters: the match must be a whole run, as _WORD would split it
    finder = re.compile(rf"(?<!\w){_trie_pattern(index)}(?!\w)") if index else None
    return _NameIndex(index, finder)


def _ends_at_word_boundary(text: str, end: int) -> bool:
    if end < len(text) and (text[end].isalnum() or text[end] == "_"):
        return False
    return not text.startswith(("'t", "’t"), end)


def find_mentions(text: str, authorities: Authorities) -> tuple[list[Mention], list[Mention]]:
    """All mentions in ``text`` (sorted by offset) and the matches of names shared by several entities."""
    index = _index(authorities)
    found: list[Mention] = []
    ambiguous: list[Mention] = []
    words = index.first_words.finditer(text) if index.first_words is not None else ()
    for word in words:
        for name, entities in index.names[word.group()]:
            start = word.start()
            end = start + len(name)
            if text.startswith(name, start) and _ends_at_word_boundary(text, end):
                if len(entities) > 1:
                    ambiguous.extend(Mention(e, start, end, name) for e in entities)
                else:
                    found.append(Mention(entities[0], start, end, name))
                break  # the longest name starting here wins
    # Drop a name inside a longer name of the same kind. ``found`` is in text order with one mention per word
    # start, so "inside a longer one" is "an earlier mention of that kind reaches at least as far".
    kept: list[Mention] = []
    reach: dict[str, int] = {}  # kind → furthest end of the mentions so far
    for mention in found:
        kind = mention.entity.kind
        if reach.get(kind, -1) < mention.end:
            kept.append(mention)
            reach[kind] = mention.end
    return sorted(kept, key=lambda m: (m.start, m.end, m.key)), ambiguous


def _sentence_initial(text: str, start: int) -> bool:
    """Whether ``start`` begins a sentence or a list item: what precedes it (blanks skipped) is nothing, a
    sentence end, or list numbering ``1)`` / ``2.`` after a blank. Read backwards from ``start``, so a long text
    costs no more than a short one."""
    end = start
    while end > 0 and text[end - 1].isspace():
        end -= 1
    if end == 0:
        return True
    last = text[end - 1]
    if last in ".)":
        digits = end - 1
        while digits > 0 and text[digits - 1].isdecimal():
            digits -= 1
        if digits < end - 1 and (digits == 0 or text[digits - 1].isspace()):
            return True  # after list numbering "1)" or "2."
    return last in _SENTENCE_END


def _covered_tokens(tokens: list[tuple[int, int, str]], covered: list[tuple[int, int]]) -> set[int]:
    """Start offsets of the tokens overlapping a covered span, in one sweep (tokens are in text order)."""
    spans = sorted(covered)
    found: set[int] = set()
    next_span, reach = 0, -1  # reach: the furthest end of the spans starting before the token's end
    for start, end, _ in tokens:
        while next_span < len(spans) and spans[next_span][0] < end:
            reach = max(reach, spans[next_span][1])
            next_span += 1
        if reach > start:
            found.add(start)
    return found


def find_unknown_names(text: str, covered: list[tuple[int, int]]) -> list[UnknownName]:
    """Runs of capitalised words (joined by "of", "the", ...) outside ``covered`` spans, minus common
    words."""
    tokens = [(m.start(), m.end(), m.group()) for m in _TOKEN.finditer(text)]
    covered_starts = _covered_tokens(tokens, covered)

    def is_covered(start: int, _end: int) -> bool:
        return start in covered_starts

    unknown: list[UnknownName] = []
    i = 0
    while i < len(tokens):
        start, end, token = tokens[i]
        if not _CAPITALISED.fullmatch(token) or is_covered(start, end):
            i += 1
            continue
        run = [tokens[i]]
        j = i + 1
        while j < len(tokens):
            s, e, t = tokens[j]
            gap = text[run[-1][1]:s]
            if gap.strip() or is_covered(s, e):
                break
            if _CAPITALISED.fullmatch(t):
                run.append(tokens[j])
            elif t in _CONNECTORS:
                k = j
                while k < len(tokens) and tokens[k][2] in _CONNECTORS and \
                        not text[tokens[k - 1][1]:tokens[k][0]].strip():
                    k += 1
                if k < len(tokens) and _CAPITALISED.fullmatch(tokens[k][2]) and \
                        not text[tokens[k - 1][1]:tokens[k][0]].strip() and not is_covered(*tokens[k][:2]):
                    run.extend(tokens[j:k])
                    j = k - 1
                else:
                    break
            else:
                break
            j += 1
        i = j
        words = [t for _, _, t in run]
        while words and (words[0] in _NOT_NAMES or words[0] in _CONNECTORS):
            run, words = run[1:], words[1:]
        while words and (words[-1] in _NOT_NAMES or words[-1] in _CONNECTORS):
            run, words = run[:-1], words[:-1]
        if not run:
            continue
        if len(run) == 1 and (words[0] in _NOT_NAMES or _ROMAN.fullmatch(words[0].rstrip("'’s"))
                              or _sentence_initial(text, run[0][0])):
            continue
        first, last = run[0][0], run[-1][1]
        name = text[first:last].rstrip("'’")
        if name.endswith(("'s", "’s")):
            name = name[:-2]
        unknown.append(UnknownName(name, first, first + len(name)))
    return unknown


def scan(text: str, authorities: Authorities) -> MentionScan:
    """Mentions of curated entities in ``text`` and the capitalised names left unexplained."""
    mentions, ambiguous = find_mentions(text, authorities)
    covered = [(m.start, m.end) for m in mentions] + [(m.start, m.end) for m in ambiguous]
    return MentionScan(tuple(mentions), tuple(find_unknown_names(text, covered)), tuple(ambiguous))
