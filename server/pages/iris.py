"""Canonical IRIs ↔ local paths, and the check that lets an IRI into a query.

The graph mints IRIs under one canonical base (``config.base_uri``, e.g. ``https://kg.example.org``). The
server may run under another host (localhost, a staging name): a request for
``http://127.0.0.1:5000/id/person/stalin`` is about ``https://kg.example.org/id/person/stalin``, and every
link on a page to a canonical IRI is written as a path on the host that served the page, so links work
locally and in production alike.
"""

from __future__ import annotations

import re

# An absolute http(s) IRI with none of the characters that could end an IRIREF in SPARQL or Turtle
# (RFC 3987 excludes them anyway): a checked IRI can be pasted between angle brackets without escaping.
_IRI = re.compile(r"^https?://[^\s<>\"{}|\\^`]+$")

#: Kinds of resource the graph mints under ``{base}/id/``, and how a page names them.
KINDS = {
    "letter": "Letter",
    "person": "Person",
    "org": "Organisation",
    "place": "Place",
    "event": "Event",
    "archive": "Archival unit",
    "edition": "Edition",
}


class BadIri(ValueError):
    """A string that must not be pasted into a query."""


def check_iri(iri: str) -> str:
    """Return ``iri`` unchanged if it is safe to write as ``<iri>``; raise ``BadIri`` otherwise."""
    if not isinstance(iri, str) or not _IRI.match(iri):
        raise BadIri(f"not an absolute http(s) IRI safe for SPARQL: {iri!r}")
    return iri


def is_safe_iri(iri: str) -> bool:
    return bool(_IRI.match(iri))


def iri_for_key(base_uri: str, key: str) -> str:
    """The canonical IRI of ``/id/{key}``; raises ``BadIri`` for keys no IRI of ours can have."""
    return check_iri(f"{base_uri}/id/{key}")


def key_of(base_uri: str, iri: str) -> str | None:
    """``person/stalin`` for ``{base}/id/person/stalin``; ``None`` for IRIs outside our URI space."""
    prefix = f"{base_uri}/id/"
    return iri[len(prefix):] if iri.startswith(prefix) and len(iri) > len(prefix) else None


def kind_of(key: str) -> str:
    """The first path segment of a key (``letter``, ``person``…), which names the kind of resource."""
    return key.split("/", 1)[0]


def letter_key_of(key: str) -> str | None:
    """``letter/bl1996-009`` for any key under a letter (``letter/bl1996-009/note/2``)."""
    parts = key.split("/")
    return "/".join(parts[:2]) if len(parts) >= 2 and parts[0] == "letter" else None


def letter_iri(base_uri: str, iri: str) -> str:
    """The letter an IRI belongs to (``…/letter/bl1996-009/text`` → ``…/letter/bl1996-009``); else ``iri``."""
    key = key_of(base_uri, iri)
    letter = letter_key_of(key) if key else None
    return f"{base_uri}/id/{letter}" if letter else iri
