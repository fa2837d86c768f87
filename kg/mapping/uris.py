"""Deterministic, readable URIs: ``{base}/id/{kind}/{key}`` and sub-resources below their parent.

One module mints every URI so that the patterns (documented in ``kg/mapping/__init__.py``) cannot drift apart.
Keys are derived from the data (document number, archival signature, authority key), never from counters or
random numbers, so a rebuild mints the same URIs.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from functools import lru_cache
from pathlib import PurePath

from rdflib import URIRef

_NON_KEY = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    """A lower-case ASCII key (``"Op. 3/S"`` → ``"op-3-s"``); a short hash when nothing ASCII is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    key = _NON_KEY.sub("-", ascii_text.lower()).strip("-")
    return key or "h" + hashlib.sha1(text.encode("utf-8")).hexdigest()[:10]


def document_key(edition_key: str, doc_no: str) -> str:
    """``("bl1996", "9")`` → ``"bl1996-009"``: numbers zero-padded so that keys sort like the edition."""
    match = re.fullmatch(r"\s*(\d+)\s*(.*)", doc_no)
    if match:
        number, rest = match.groups()
        return f"{edition_key}-{int(number):03d}" + (f"-{slug(rest)}" if rest else "")
    return f"{edition_key}-{slug(doc_no)}"


@lru_cache(maxsize=1 << 14)
def source_stem(path: str) -> str:
    """The file name without folder and extension: the name of the source's named graph (remembered: every
    letter of a file asks for it)."""
    return slug(PurePath(path).stem) if not re.fullmatch(r"[A-Za-z0-9._-]+", PurePath(path).stem) \
        else PurePath(path).stem


class Uris:
    """All URI patterns of one deployment (the base URI is a setting, the patterns are not)."""

    def __init__(self, base_uri: str) -> None:
        self.base = base_uri.rstrip("/")
        #: URIs of resources many letters point at (entities, holdings, editions), minted once per deployment.
        self._shared: dict[tuple[str, ...], URIRef] = {}

    def id(self, *parts: str) -> URIRef:
        return URIRef("/".join((self.base, "id", *parts)))

    def _shared_id(self, *parts: str) -> URIRef:
        try:
            return self._shared[parts]
        except KeyError:
            uri = self._shared[parts] = self.id(*parts)
            return uri

    # --- letters and their parts
    def letter(self, key: str) -> URIRef:
        return self.id("letter", key)

    def letter_part(self, key: str, *parts: str) -> URIRef:
        return self.id("letter", key, *parts)

    # --- authorities (persons, organisations, places, events, archives)
    def entity(self, kind: str, key: str) -> URIRef:
        return self._shared_id(kind, key)

    # --- archival hierarchy: archive/rgaspi/f558/op1/d5397
    def archive(self, archive_key: str, fond: str | None = None, opis: str | None = None,
                delo: str | None = None) -> URIRef:
        parts = [archive_key]
        for prefix, value in (("f", fond), ("op", opis), ("d", delo)):
            if value is None:
                break
            parts.append(prefix + slug(value))
        return self._shared_id("archive", *parts)

    # --- the edition
    def edition(self, key: str, *parts: str) -> URIRef:
        return self._shared_id("edition", key, *parts)

    # --- source files and named graphs
    def source(self, path: str) -> URIRef:
        return self.id("source", source_stem(path))

    def source_graph(self, path: str) -> URIRef:
        return URIRef(f"{self.base}/graph/source/{source_stem(path)}")

    def graph(self, name: str) -> URIRef:
        return URIRef(f"{self.base}/graph/{name}")
