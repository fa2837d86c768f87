"""What one line of an edition page is: header, document number, heading, address, salutation, signature,
note.

Each classifier looks at one line (markers already removed where that matters) and answers by its shape, as
``../shared/spec/source-format.md`` describes it. The page reader (``edition_page``) decides by position which
classifiers to ask; keeping the shapes here lets them be tested one by one.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from kg.dates import MONTH_PATTERN

# ------------------------------------------------------------------------------------------ page header
_MENU = re.compile(r"^Marx\s*-\s*Engels\s*\|.*\|\s*Home\s*Page\s*$", re.I)
_COLLECTION = re.compile(
    r"^Bolshevik\s+leadership\.?\s+Correspondence\.?\s*1912\s*[-\u2013\u2014]\s*1927\.?$", re.I)
_DOCS_1996 = re.compile(r"^Collection\s+of\s+documents\.?,?\s*1996\.?$", re.I)
_COMPILED = re.compile(r"^Compiled\s+by\s*:", re.I)
_COMPILERS = re.compile(r"^(?:[A-Z]\.\s?){1,2}\s?(?:Kvashonkin|Kosheleva|Rogovaya|Khlevnyuk)\b", re.I)
_TITLE_LEAK = re.compile(r"^Bolshevik\s+Leaders?(?:hip)?\s+correspondences?\.?$", re.I)
_SECTION = re.compile(r"^(?:[A-Z][\w.'-]*\s+){1,3}Correspondences?\.?$")
#: The four strong shapes as one pattern (one match per line of the page instead of four).
_STRONG = re.compile("|".join(f"(?:{p.pattern})" for p in (_MENU, _COLLECTION, _DOCS_1996, _COMPILED)), re.I)


def is_strong_header(s: str) -> bool:
    """Lines that only this edition's pages carry: the menu, the collection, the 1996 line, the compilers."""
    return bool(_STRONG.match(s.strip()))


def is_header_extra(s: str) -> bool:
    """Header lines that may stand between or after the strong ones: title leak, section, compilers' names."""
    s = s.strip()
    return bool(_TITLE_LEAK.match(s) or _SECTION.match(s) or _COMPILERS.match(s))


# -------------------------------------------------------------------------------- document structure
DOC_NO = re.compile(r"^\s*No\.\s*(?P<n>\d{1,4}[a-z]?)\s*\.?\s*$")
NOTES_HEAD = re.compile(r"^\s*Notes?\s*:?\s*(?P<rest>.*)$")


_NOTES_ALONE = re.compile(r"^\s*Notes?\s*:?\s*$")


def notes_heading(s: str) -> str | None:
    """The rest of a ``Notes:`` heading line ('' when the line holds only the heading), else None."""
    m = NOTES_HEAD.match(s)
    if not m:
        return None
    rest = m.group("rest").strip()
    if rest and not s.strip().lower().startswith(("notes:", "note:")):
        return None  # "Notes of the meeting ..." is prose, not the heading
    if not rest and not _NOTES_ALONE.match(s):
        return None
    return rest


_SPELLED_NUMBERS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
                    "nineteen", "twenty"]
_NOTE_NUM = re.compile(
    r"^\s*(?P<num>\d{1,2})(?:(?P<dot>\s*\.\s*)|(?P<space>\s+)|(?P<glued>(?=[A-Z\"\u201c\u00ab(\[])))(?P<text>.*)$")
_NOTE_WORD = re.compile(
    r"^\s*(?P<word>" + "|".join(_SPELLED_NUMBERS) + r")(?:\s*\.\s*|\s+)(?P<text>[A-Z\"\u201c\u00ab(\[].*)$",
    re.I)


@dataclass
class NoteStart:
    n: int
    text: str
    shape: str  # "dot", "space", "glued", "word"


_DIGIT_START = re.compile(r"^\d")
_NOTE_TEXT_START = re.compile(r"[A-Z\"\u201c\u00ab(\[]")
_WORD_DOT = re.compile(r"^\s*\w+\s*\.")


def note_start(s: str) -> NoteStart | None:
    """A line opening a note: ``1 . text``, ``1. text``, ``1 Text``, ``2On``, ``one . text``."""
    m = _NOTE_NUM.match(s)
    if m:
        text = m.group("text").strip()
        if m.group("dot") is not None:
            if _DIGIT_START.match(text):  # "40.6 per cent" is a number, not note 40
                return None
            return NoteStart(int(m.group("num")), text, "dot")
        if m.group("space") is not None:
            if not text or not _NOTE_TEXT_START.match(text):
                return None  # "2 thousand soldiers ..." continues a note
            return NoteStart(int(m.group("num")), text, "space")
        return NoteStart(int(m.group("num")), text, "glued")
    m = _NOTE_WORD.match(s)
    if m:
        word = m.group("word")
        if word[0].isupper() and not _WORD_DOT.match(s):
            return None  # "One of the delegates ..." is prose; "One . At this time" is a note
        return NoteStart(_SPELLED_NUMBERS.index(word.lower()) + 1, m.group("text").strip(), "word")
    return None


# ------------------------------------------------------------------------------------------ heading
_TYPE_WORDS = (r"(?:Cipher(?:ed)?\s+telegram|Encrypted\s+telegram|Telegram|Telephonogram|Telephone\s+message|"
               r"Radiogram|Letter|Note|Report|Memorandum|Memo|Postcard|Statement|Message|Notes)")
_TYPE_FROM = re.compile(
    r"^(?P<type>" + _TYPE_WORDS + r")s?\s+(?:from|of|by)\s+(?P<a>.+?)\s+to\s+(?P<b>.+?)$", re.I)
_TYPE_TO = re.compile(r"^(?P<type>" + _TYPE_WORDS + r")s?\s+to\s+(?P<rest>.+?)$", re.I)
_DASH = re.compile(r"^(?P<a>.+?)(?:\s*[\u2014\u2013]\s*|\s+-\s*|\s*-\s+)(?P<b>.+?)$")
_TO = re.compile(r"^(?P<a>.+?)\s+to\s+(?P<b>.+?)$")
#: What each shape above needs somewhere: a dash (``_DASH``) or ``to`` between spaces (the others; the
#: type shapes match it in any case).
_DASH_CHAR = re.compile(r"[-\u2013\u2014]")
_JOINT = re.compile(r"[-\u2013\u2014]|\sto\s", re.I)
_SPACED_DASH = re.compile(r"\s[-\u2013\u2014]\s")
_SMALL_WORDS = {"of", "the", "and", "for", "on", "in", "at", "de", "von", "van", "der", "to", "with", "&",
                "y", "under", "by"}
_INITIAL = re.compile(r"^(?:[A-Z][a-z]{0,2}\.){1,3}$")


@dataclass
class Heading:
    """Parties as printed in a heading; ``garbled`` for ``Telegram to A B`` (sender guessed)."""

    text: str
    senders: list[str] = field(default_factory=list)
    recipients: list[str] = field(default_factory=list)
    document_type: str | None = None
    garbled: bool = False


_ARTICLE = re.compile(r"^(?:to\s+)?(?:the|The)\s+(?=[A-Z]|members?\s)|^to\s+(?=[A-Z]|members?\s)")


_COLLECTIVE = re.compile(r"(?:members?|all)\s+of\s+the\s+[A-Z]")
_SENTENCE_PUNCT = re.compile(r"[!?;:]")


def party_ok(p: str) -> bool:
    """Looks like a party: persons (``J. V. Stalin``) or bodies (``Central Committee of the RCP(b)``, also
    after an article: ``to the Central Committee``)."""
    p = _ARTICLE.sub("", p.strip().rstrip("."))
    if not p or len(p) > 90 or _SENTENCE_PUNCT.search(p):
        return False
    words = p.replace(",", " ").split()
    if not words or len(words) > 12:
        return False
    if not (p[0].isupper() or p[0] in "[\"\u201c\u00ab" or _COLLECTIVE.match(p)):
        return False  # "members of the Politburo" is a collective party
    for i, w in enumerate(words):
        if i == 0 and w in ("members", "member", "all"):
            continue
        if w[0].isupper() or w[0].isdigit() or w[0] in "[(\"\u201c\u00ab" or w.lower() in _SMALL_WORDS:
            continue
        return False
    return True


@functools.lru_cache(maxsize=4096)
def side_ok(text: str) -> bool:
    """One side of a heading: one party or several, comma-separated, each of which must look like a party
    (``Central Committee of the RCP(b), Caucasian Bureau of the CC, K. A. Zhuranyan``)."""
    parts = [p for p in _COMMA_SPLIT.split(text.strip()) if p]
    return bool(parts) and len(parts) <= 8 and all(party_ok(p) for p in parts)


def _strip_period(name: str, article: bool = True) -> str:
    name = name.strip().rstrip(",").strip()
    if article:
        name = _ARTICLE.sub("", name)
    if name.endswith(".") and not _INITIAL.match(name.split()[-1]):
        name = name[:-1].rstrip()
    return name


_AND_SPLIT = re.compile(r"\s+and\s+")
_COMMA_SPLIT = re.compile(r"\s*,\s*")


def split_parties(text: str) -> list[str]:
    """``Lenin, Trotsky`` → two parties; ``Lenin and Trotsky`` too; not ``Council of Labour and Defence``."""
    parts: list[str] = []
    for chunk in _COMMA_SPLIT.split(text.strip()):
        if not chunk:
            continue
        sub = _AND_SPLIT.split(chunk)
        if len(sub) > 1 and all(all(w[0].isupper() for w in s.split()) for s in sub if s):
            parts.extend(s for s in sub if s)
        else:
            parts.append(chunk)
    return [_strip_period(p) for p in parts if _strip_period(p)]


def split_run_of_names(text: str) -> list[str]:
    """``J. V. Stalin V. I. Lenin`` → [``J. V. Stalin``, ``V. I. Lenin``]: a new name starts at an initial
    (or a capitalised word) that follows a surname."""
    tokens = text.split()
    names: list[list[str]] = []
    for tok in tokens:
        is_init = bool(_INITIAL.match(tok))
        if not names:
            names.append([tok])
            continue
        prev = names[-1][-1]
        prev_is_surname = not _INITIAL.match(prev) and prev[0].isupper()
        if prev_is_surname and (is_init or tok[0].isupper()):
            names.append([tok])
        else:
            names[-1].append(tok)
    return [" ".join(n) for n in names]


def parse_heading(s: str) -> Heading | None:
    """Read ``A - B``, ``A — B``, ``A to B``, ``Telegram from A to B``, ``Telegram of A to B`` and the garbled
    ``Telegram to A B``; None when the line has none of these shapes."""
    h = _parse_heading(s)
    if h is None:
        return None
    # A copy with lists of its own: the reading is cached, and a caller may change the lists it is given.
    return Heading(h.text, list(h.senders), list(h.recipients), h.document_type, h.garbled)


@functools.lru_cache(maxsize=4096)
def _parse_heading(s: str) -> Heading | None:
    """:func:`parse_heading`, cached: the page reader asks it of a heading line three to five times."""
    text = s.strip()
    if not text or len(text) > 240:
        return None
    core = text.rstrip()
    if not _JOINT.search(core):
        return None  # every shape joins its sides by "to" or a dash; most lines of a page have neither
    m = _TYPE_FROM.match(core)
    if m and side_ok(m.group("a")) and side_ok(m.group("b")):
        return Heading(text, split_parties(m.group("a")), split_parties(m.group("b")),
                       _doc_type(m.group("type")))
    m = _TYPE_TO.match(core)
    if m and side_ok(m.group("rest")):
        rest = _strip_period(m.group("rest"))
        if _SPACED_DASH.search(rest):
            a, b = _SPACED_DASH.split(rest, maxsplit=1)
            return Heading(text, split_parties(a), split_parties(b), _doc_type(m.group("type")), garbled=True)
        names = split_run_of_names(rest)
        if len(names) >= 2:
            return Heading(text, [names[0]], [" ".join(names[1:])], _doc_type(m.group("type")), garbled=True)
        return Heading(text, [], split_parties(rest), _doc_type(m.group("type")), garbled=True)
    m = _DASH.match(core) if _DASH_CHAR.search(core) else None  # tried at every position: costly
    if m and side_ok(m.group("a")) and side_ok(m.group("b")):
        return Heading(text, split_parties(m.group("a")), split_parties(m.group("b")))
    m = _TO.match(core)
    if m and side_ok(m.group("a")) and side_ok(m.group("b")):
        return Heading(text, split_parties(m.group("a")), split_parties(m.group("b")))
    return None


def _doc_type(word: str) -> str:
    w = word.lower()
    if "telegram" in w or w == "radiogram":
        return "telegram"
    if w == "telephonogram" or "telephone" in w:
        return "telephonogram"
    return {"memo": "memorandum", "notes": "note"}.get(w, w)


# ------------------------------------------------------------------------------------------ address lines
_ADDRESS_START = re.compile(
    r"^(?:TO|To|COPY|Copy|Copies|COPIES|ONLY|Only|Personally|PERSONALLY|Personal|PERSONAL|Secret|SECRET|"
    r"Top\s+secret|TOP\s+SECRET|Strictly|STRICTLY|Urgent|URGENT|Out\s+of\s+turn|OUT\s+OF\s+TURN|Priority|"
    r"PRIORITY|Decrypt|DECRYPT|Decipher|DECIPHER|Cipher|CIPHER|Encrypted|ENCRYPTED|Ciphered|"
    r"ON\s+A\s+DIRECT\s+WIRE|On\s+a\s+direct\s+wire|By\s+direct\s+wire|BY\s+DIRECT\s+WIRE|Direct\s+wire|"
    r"DIRECT\s+WIRE|Via|VIA|Express|EXPRESS|Lightning|LIGHTNING|Moscow|MOSCOW|Petrograd|PETROGRAD|"
    r"Kremlin|KREMLIN|Confidential|CONFIDENTIAL|Addressed)\b")
#: Lower-case words that may follow an opening ``To`` of an address (``To members of the Politburo``).
_ADDRESSEE_WORDS = {"comrade", "comrades", "the", "members", "member", "all", "chairman", "secretary",
                    "commander", "citizen", "citizens", "people's", "deputy", "head", "chief"}
_KREMLIN = re.compile(r"^[A-Z][a-z]+\s*[-\u2013\u2014,.]\s*(?:the\s+)?Kremlin\b")


_PLACE_PUNCT = re.compile(r"^\w+\s*[-.,]")


def is_address_line(s: str) -> bool:
    """Destination, routing and copy lines (``Moscow - the Kremlin, only to …``, ``ON A DIRECT WIRE.``,
    ``TO X, copy TO Y``, ``Copy.``): neither salutation nor body."""
    s = s.strip()
    if not s or len(s) > 160 or s.endswith("!") or s.endswith("?"):
        return False
    words = s.split()
    if _KREMLIN.match(s):
        return True
    if _ADDRESS_START.match(s) and len(words) <= 14:
        if words[0] in ("To", "Only", "Via") and len(words) > 1 and not (
                words[1][0].isupper() or words[1].lower().rstrip(",") in _ADDRESSEE_WORDS):
            return False  # "To begin with, ..." is body
        if words[0] in ("Moscow", "Petrograd", "Kremlin") and not _PLACE_PUNCT.match(s):
            return False
        return True
    letters = [c for c in s if c.isalpha()]
    return len(letters) >= 4 and sum(c.isupper() for c in letters) / len(letters) >= 0.85 and len(words) <= 15


_BARE_COPY = re.compile(r"\s*(?:Copy|COPY)\s*\.?\s*")


def is_bare_copy(s: str) -> bool:
    return bool(_BARE_COPY.fullmatch(s))


_COPY_TO = re.compile(r",\s*(?:copy|COPY|Copy)\s+(?:TO|to)\s+")
_ONLY_TO_NAMES = re.compile(r"(?:^|,\s*)(?:only\s+|ONLY\s+|personally\s+|PERSONALLY\s+)?(?:to|TO)\s+"
                            r"(?:[Cc]omrades?\s+|COMRADES?\s+)?(?P<names>[A-Z].*?)\s*\.?\s*$")
_TO_NAMES = re.compile(r"^\s*(?:TO|To)\s+(?:[Cc]omrades?\s+|COMRADES?\s+)?(?P<names>.+?)\s*\.?\s*$")


def recipients_from_address(s: str) -> list[str]:
    """``To Comrade Lenin`` / ``TO STALIN, copy TO TROTSKY`` → the addressees named (as printed)."""
    m = _TO_NAMES.match(s)
    if not m:  # "Moscow - the Kremlin, only to Lenin"
        m = _ONLY_TO_NAMES.search(s)
    if not m:
        return []
    names = _COPY_TO.split(m.group("names"))[0]
    return [p for p in split_parties(names) if party_ok(p)]


# ------------------------------------------------------------------------------------------ salutation
_SALUTATION_WORDS = re.compile(
    r"\b(?:Dear|Comrades?|COMRADES?|Tov|Tovarishch|Ilyich|Vladimir|Koba|Sergo|Friends?|Brothers?|"
    r"Hello|Greetings|Gentlemen|Citizens?|Lev\s+Davidovich|Grigory|Nikolai|Felix|Vyacheslav|Klim|Kliment|"
    r"Mikhail|[A-Z][a-z]+(?:ovich|evich))\b|\bT\[ov")


_SALUTATION_VERB = re.compile(r"\b(?:is|are|was|were|have|has|will|shall|must|can|I|we)\b")
_TO_START = re.compile(r"^(?:To|TO)\s")


def is_salutation(s: str) -> bool:
    """``T[ovari] Ilyich!``, ``Dear Comrade Lenin,``, ``Koba,``: short, ending in ``!``, ``,`` or ``.``."""
    s = s.strip()
    if not s or len(s) > 80 or _TO_START.match(s):
        return False  # "To Comrade Lenin." is an address line
    words = s.split()
    if s.endswith("!") and len(words) <= 8:
        return True
    if s.endswith((",", ".")) and len(words) <= 6 and _SALUTATION_WORDS.search(s):
        return not _SALUTATION_VERB.search(s)
    if s.endswith(",") and len(words) <= 3 and all(w[0].isupper() or w[0] == "[" for w in words):
        return True
    return False


# ------------------------------------------------------------------------------------------ signature
_COMMON = {
    "come", "greetings", "regards", "thanks", "thank", "yes", "no", "hello", "urgent", "secret", "copy",
    "goodbye", "your", "yours",
    "everything", "nothing", "tomorrow", "today", "yesterday", "well", "so", "please", "reply", "answer",
    "telegraph", "wire", "write", "hurrah", "hurray", "excellent", "good", "right", "done", "agreed",
    "finished", "enough", "ok", "okay", "the", "a", "an", "i", "we", "it", "this", "that", "he", "she",
    "they", "you", "all",
    "long", "live", "end", "ps", "p.s", "wait", "hurry", "quickly", "immediately", "congratulations", "bye",
    "kisses", "hugs", "respectfully", "sincerely", "salute", "true", "correct", "confirm", "report", "note",
    "notes", "postscript", "signed", "signature", "attachment", "appendix", "enclosure",
}
_NAME_WORD = r"(?:[A-Z][a-z]{0,2}\.\s?)*[A-Z][A-Za-z'\u2019-]+(?:\s(?:[A-Z][a-z]{0,2}\.\s?)+)?"
_INITIALS_ONLY = r"(?:[A-Z][a-z]{0,2}\.\s?){1,3}"
_NAMES = re.compile(
    r"^(?:" + _NAME_WORD + r"|" + _INITIALS_ONLY + r")(?:\s*(?:,|and|&)?\s*(?:" + _NAME_WORD + r"|"
    + _INITIALS_ONLY + r"))*$")
_CLOSING = re.compile(
    r"^(?P<formula>(?:Your|Yours|Yours\s+truly|Sincerely\s+yours|Sincerely|"
    r"(?:Greetings|Regards|Hello|Best\s+regards)(?:\s+to\s+[^,.!]{1,40}(?=[.!]))?|Best\s+wishes|"
    r"Hugs|Kisses|Respectfully|Salute|Warmly|Cordially|"
    r"With\s+[a-z\s-]*(?:greetings?|regards|salute|respect)|"
    r"I\s+shake\s+(?:your\s+|you\s+by\s+the\s+)?hands?(?:\s+(?:with|of)\s+[^,.!]*)?)[,.!]?)\s+(?P<name>\S.*)$")


#: Title + name in ordinary case (``Chairman of the Revolutionary Military Council Trotsky``), possibly after
#: ``By order of …,`` / ``On behalf of …,``.
_TITLED = re.compile(
    r"^(?P<by>(?:By\s+order|On\s+behalf|On\s+the\s+instructions)\s+of\s+[^,]{3,80},\s*)?"
    r"(?P<title>(?:Chairman|Secretary|People's\s+Commissar|Commissar|Member|Commander(?:-in-Chief)?|Deputy|Head|"
    r"Chief|President|Military\s+Commissar)(?:\s+(?:of|the|and|for|on|in|at|to|[A-Z0-9(][\w()'\u2019.-]*))*?\s+)?"
    r"(?P<name>(?:[A-Z][a-z]{0,2}\.\s?){0,3}[A-Z][a-z][A-Za-z'\u2019-]+)\.?$")
_VERB = re.compile(r"\b(?:is|are|was|were|be|been|have|has|had|will|shall|must|can|should|would|I|we|you|"
                   r"not|asks?|insists?|demands?|decided|elected|appointed)\b")


_NAME_SPLIT = re.compile(r"[\s,]+")
_WORD_ENDING = re.compile(r"(?:ed|ing|ly|tion|ment|ness)\.?$")


def _names_only(s: str) -> bool:
    s = _strip_period(s.strip(), article=False)
    if not s or len(s) > 60 or not _NAMES.match(s):
        return False
    tokens = [t for t in _NAME_SPLIT.split(s) if t and t not in ("and", "&")]
    if len(tokens) > 6:
        return False
    if any((t.lower().rstrip(".") in _COMMON and not _INITIAL.match(t)) or MONTH_PATTERN.fullmatch(t)
           for t in tokens):  # "I." is an initial ("I. Stalin"), "I" a pronoun
        return False
    if len(tokens) == 1 and _WORD_ENDING.search(tokens[0]):
        return False  # "Received.", "Nothing", "Exactly." are words, not surnames
    return True


_NAME_STOP = re.compile(r"(?<=[a-z])\.\s+(?=(?:[A-Z][a-z]{0,2}\.\s?)+[A-Z][a-z])")


def _initialled_names(s: str) -> list[str]:
    """``L. Kamenev. G. Zinoviev. J. Stalin.``: several signers, each with initials, parted by periods."""
    parts = _NAME_STOP.split(s.strip())
    if len(parts) < 2 or not all(_names_only(p) and _INITIAL.match(p.split()[0]) for p in parts):
        return []
    return [_strip_period(p) for p in parts]


_BRACKETED = re.compile(r"\[[^\[\]]{2,60}\]\.?")
_PARTY_SUFFIX = re.compile(r"\([a-z]\)")
_SIGNED_NOTE = re.compile(r"(?:signature|signed|illegible)[^\]]*", re.I)


def is_signature(s: str) -> bool:
    """Bare surname (``Stalin``, ``Lenin.``), closing formula + name (``Your Koba``), initials (``L. T.``),
    title + name in capitals, several names, or a name supplied by the editors in brackets (``[Stalin]``)."""
    s = s.strip()
    if not s or len(s) > 120 or s.endswith(("?", ":", ";", ",")):
        return False
    if _BRACKETED.fullmatch(s):
        inner = s.strip(".")[1:-1]
        return _names_only(inner) or bool(_SIGNED_NOTE.fullmatch(inner))
    if _names_only(s) or _initialled_names(s):
        return True
    m = _CLOSING.match(s)
    if m:
        name = m.group("name").strip()
        if _names_only(name) or _BRACKETED.fullmatch(name):
            return True
        inner = _CLOSING.match(name)  # "I shake hands with you. Your Stalin", "Hugs. Your Koba."
        return inner is not None and _names_only(inner.group("name").strip())
    titled = _TITLED.match(s)
    if titled and (titled.group("by") or titled.group("title")) and not _VERB.search(s) and len(s.split()) <= 16:
        return True
    letters = [c for c in s if c.isalpha()]
    words = s.split()
    if (len(letters) >= 3 and all(c.isupper() for c in _PARTY_SUFFIX.sub("", s) if c.isalpha())
            and len(words) <= 12 and not s.endswith("!")):
        return True
    return False


_CAPS_NAME = re.compile(r"[A-Z][A-Z'\u2019-]+")
_NAME_JOINER = re.compile(r",|\.|\band\b|\bAND\b")


def signature_names(s: str) -> list[str]:
    """The names a signature carries, without closing formula or brackets: ``Your Koba`` → [``Koba``]."""
    s = s.strip().rstrip(".").strip()
    for _ in range(2):  # "I shake hands with you. Your Stalin": two formulas before the name
        m = _CLOSING.match(s)
        if m:
            s = m.group("name").strip().rstrip(".")
    s = s.strip("[]").strip()
    words = s.split()
    if len(words) > 2 and s.upper() == s and not _NAME_JOINER.search(s) \
            and _CAPS_NAME.fullmatch(words[-1]):
        return [words[-1]]  # "PEOPLE'S COMMISSAR STALIN": title + name in capitals
    if _initialled_names(s):
        return _initialled_names(s)
    if _NAMES.match(s) and len(words) <= 6:
        return [p for p in split_parties(s) if p]
    titled = _TITLED.match(s)
    if titled and (titled.group("by") or titled.group("title")):
        return [titled.group("name")]  # "Chairman of the Revolutionary Military Council Trotsky"
    return [s] if s else []


@functools.lru_cache(maxsize=4096)
def surname(name: str) -> str:
    """Last non-initial word of a name, lower-cased, for matching heading parties with signatures. Cached:
    the same few names are asked for again and again."""
    words = [w for w in _NAME_SPLIT.split(name.strip("[]. ")) if w and not _INITIAL.match(w)]
    return words[-1].lower().strip(".") if words else name.lower()
