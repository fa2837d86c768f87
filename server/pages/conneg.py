"""Which representations a resource's document has, on top of the server-wide registry ``server.formats``.

Cool URIs pattern (W3C "Cool URIs for the Semantic Web", the 303 variant, as in Pubby):

    /id/{key}            the thing itself      → 303 See Other to /doc/{key}.{ext}, chosen by Accept
    /doc/{key}           the generic document  → 200, negotiated, Content-Location: /doc/{key}.{ext}
    /doc/{key}.{ext}     one representation    → 200 in that format (html, ttl, jsonld, nt, rdf)

Every document carries ``Link: <…>; rel="alternate"; type="…"`` to the other representations and
``Vary: Accept`` where the answer depends on it. With no Accept header, or ``*/*`` (curl), the HTML page is
served: every client can show it, and it links to all the others. Nothing acceptable: 406 with the list.
"""

from __future__ import annotations

from server import formats
from server.formats import Format

#: The representations of a document, the default first (it wins ties such as ``*/*``).
DOC_MEDIA_TYPES: tuple[str, ...] = ("text/html", *formats.GRAPH_MEDIA_TYPES)
DOC_FORMATS: tuple[Format, ...] = tuple(formats.by_media_type(m) for m in DOC_MEDIA_TYPES)
_BY_EXT = {f.extension: f for f in DOC_FORMATS}


def negotiate(accept_header: str | None) -> Format | None:
    """The best representation for an ``Accept`` header (q-values honoured), ``None`` for 406."""
    media_type = formats.negotiate(accept_header, DOC_MEDIA_TYPES)
    return formats.by_media_type(media_type) if media_type else None


def split_ext(path: str) -> tuple[str, Format | None]:
    """``("person/stalin", Turtle)`` for ``person/stalin.ttl``; an extensionless path unchanged."""
    stem, dot, ext = path.rpartition(".")
    if dot and stem and "/" not in ext and ext in _BY_EXT:
        return stem, _BY_EXT[ext]
    return path, None
