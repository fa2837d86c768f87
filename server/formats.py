"""One registry of the media types the server speaks, and the negotiation every route uses.

Why one place: the endpoint, the resource documents and the dumps must agree on what ``.ttl`` or
``application/ld+json`` means, on the default for ``Accept: */*`` and on when to answer 406. Each route offers
a list of media types (its default first) and calls :func:`negotiate`; serialisation goes through
:func:`serialize_graph` / :func:`serialize_results`, which use Oxigraph's streaming writers (rdflib's Turtle
writer is super-linear, DESIGN.md).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import pyoxigraph as ox
from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header


@dataclass(frozen=True)
class Format:
    """One syntax the server writes."""

    key: str  #: short name, accepted by the ``format`` parameter (``ttl``, ``json``)
    name: str  #: human label
    media_type: str  #: canonical media type, sent in Content-Type
    extension: str  #: file extension of documents in this syntax (no dot)
    kind: str  #: ``graph`` (triples), ``dataset`` (quads), ``results`` (SELECT/ASK) or ``page`` (HTML)
    aliases: tuple[str, ...] = ()  #: other media types clients send for it
    keys: tuple[str, ...] = ()  #: other ``format`` parameter values
    iri: str | None = None  #: W3C format IRI (https://www.w3.org/ns/formats/), for service descriptions

    @property
    def content_type(self) -> str:
        """Content-Type header value (with charset for text types)."""
        return content_type(self.media_type)


FORMATS: tuple[Format, ...] = (
    Format("json", "SPARQL results in JSON", "application/sparql-results+json", "srj", "results",
           aliases=("application/json",), keys=("srj",), iri="http://www.w3.org/ns/formats/SPARQL_Results_JSON"),
    Format("xml", "SPARQL results in XML", "application/sparql-results+xml", "srx", "results",
           aliases=("application/xml", "text/xml"), keys=("srx",),
           iri="http://www.w3.org/ns/formats/SPARQL_Results_XML"),
    Format("csv", "SPARQL results in CSV", "text/csv", "csv", "results",
           iri="http://www.w3.org/ns/formats/SPARQL_Results_CSV"),
    Format("tsv", "SPARQL results in TSV", "text/tab-separated-values", "tsv", "results",
           iri="http://www.w3.org/ns/formats/SPARQL_Results_TSV"),
    Format("ttl", "Turtle", "text/turtle", "ttl", "graph", aliases=("application/x-turtle",),
           keys=("turtle",), iri="http://www.w3.org/ns/formats/Turtle"),
    Format("nt", "N-Triples", "application/n-triples", "nt", "graph", keys=("ntriples", "n-triples"),
           iri="http://www.w3.org/ns/formats/N-Triples"),
    Format("jsonld", "JSON-LD", "application/ld+json", "jsonld", "graph", aliases=("application/json",),
           keys=("json-ld", "json"), iri="http://www.w3.org/ns/formats/JSON-LD"),
    Format("rdf", "RDF/XML", "application/rdf+xml", "rdf", "graph", aliases=("application/xml", "text/xml"),
           keys=("rdfxml", "rdf/xml", "xml"), iri="http://www.w3.org/ns/formats/RDF_XML"),
    Format("trig", "TriG", "application/trig", "trig", "dataset", iri="http://www.w3.org/ns/formats/TriG"),
    Format("nq", "N-Quads", "application/n-quads", "nq", "dataset", keys=("nquads", "n-quads"),
           iri="http://www.w3.org/ns/formats/N-Quads"),
    Format("html", "HTML", "text/html", "html", "page", aliases=("application/xhtml+xml",)),
)

BY_MEDIA_TYPE: dict[str, Format] = {f.media_type: f for f in FORMATS}
BY_EXTENSION: dict[str, Format] = {f.extension: f for f in FORMATS}

#: What SELECT/ASK answers can be written as, the default first.
RESULTS_MEDIA_TYPES: tuple[str, ...] = tuple(f.media_type for f in FORMATS if f.kind == "results")
#: What graphs (CONSTRUCT/DESCRIBE answers, resource documents) can be written as, the default first.
GRAPH_MEDIA_TYPES: tuple[str, ...] = ("text/turtle", "application/ld+json", "application/n-triples",
                                      "application/rdf+xml")
DATASET_MEDIA_TYPES: tuple[str, ...] = ("application/trig", "application/n-quads")

_RDF_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/trig": ox.RdfFormat.TRIG,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}
_RESULTS_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}


def content_type(media_type: str) -> str:
    """The Content-Type header for a media type: text types say UTF-8 explicitly."""
    return f"{media_type}; charset=utf-8" if media_type.startswith("text/") else media_type


def by_extension(extension: str) -> Format | None:
    """The format of a document URL suffix (``ttl``, ``.jsonld``)."""
    return BY_EXTENSION.get(extension.lower().lstrip("."))


def by_media_type(media_type: str) -> Format | None:
    """The format of a canonical media type (parameters such as charset ignored)."""
    return BY_MEDIA_TYPE.get(media_type.split(";", 1)[0].strip().lower())


def _aliases(media_type: str) -> tuple[str, ...]:
    fmt = BY_MEDIA_TYPE.get(media_type)
    return (media_type, *fmt.aliases) if fmt else (media_type,)


#: Short names of media types offered that are no RDF or results format of the registry (plain JSON documents:
#: the dumps listing, the correspondent network).
_PLAIN_KEYS: dict[str, tuple[str, ...]] = {"application/json": ("json",)}


def from_format_param(value: str, offered: Sequence[str]) -> str | None:
    """Resolve a ``format``/``output`` parameter (``json``, ``ttl``, ``text/csv``...) among ``offered``."""
    wanted = value.strip().lower()
    for media_type in offered:
        fmt = BY_MEDIA_TYPE.get(media_type)
        names = {media_type, *(_aliases(media_type))}
        if fmt is not None:
            names |= {fmt.key, fmt.extension, *fmt.keys}
        else:
            names |= set(_PLAIN_KEYS.get(media_type, ()))
        if wanted in names:
            return media_type
    return None


def _quality(media_type: str, accept: list[tuple[str, float]], exact_only: bool = False) -> float:
    """The q-value the client gives ``media_type``: that of its most specific matching range (RFC 9110).

    ``exact_only`` is for aliases: ``text/*`` asks for CSV, not for XML results because of ``text/xml``.
    """
    main, _, sub = media_type.partition("/")
    best_rank, best_q = -1, 0.0
    for value, q in accept:
        rng = value.split(";", 1)[0].strip().lower()
        r_main, _, r_sub = rng.partition("/")
        if rng == media_type:
            rank = 2
        elif exact_only:
            continue
        elif r_main == main and r_sub == "*":
            rank = 1
        elif rng in ("*/*", "*"):
            rank = 0
        else:
            continue
        if rank > best_rank:
            best_rank, best_q = rank, q
    return best_q


#: Accept headers longer than this are negotiated afresh each time rather than remembered.
_MEMO_HEADER = 512


def negotiate(accept_header: str | None, offered: Sequence[str]) -> str | None:
    """Pick the media type from ``offered`` (default first) that ``Accept`` prefers; None means 406.

    No header, or one with nothing parseable in it, means the default. Aliases count as their canonical type
    (``application/json`` asks for SPARQL JSON results among results, for JSON-LD among graphs). Among equal
    q-values the server's order wins, so ``*/*`` gets the default.

    Clients send few distinct headers, so outcomes are remembered (256 of them, headers up to 512
    characters): parsing one cost about 45 us, a third of a cached answer's Python time.
    """
    if isinstance(offered, tuple) and (accept_header is None or len(accept_header) <= _MEMO_HEADER):
        return _remembered(accept_header, offered)
    return _negotiate(accept_header, offered)


def _negotiate(accept_header: str | None, offered: Sequence[str]) -> str | None:
    if not offered:
        return None
    accept = [(v, q) for v, q in parse_accept_header(accept_header or "", MIMEAccept)]
    if not accept:
        return offered[0]
    best, best_q = None, 0.0
    for media_type in offered:
        q = max(_quality(alias, accept, exact_only=i > 0) for i, alias in enumerate(_aliases(media_type)))
        if q > best_q:
            best, best_q = media_type, q
    return best


_remembered = lru_cache(maxsize=256)(_negotiate)


def describe_offer(offered: Iterable[str]) -> str:
    """A one-line list of media types for a 406 message."""
    return ", ".join(offered)


# ----------------------------------------------------------------------------------------------- serialising


def _to_oxigraph(data: object) -> Iterable[ox.Triple | ox.Quad]:
    """Accept pyoxigraph triples/quads or an rdflib Graph/Dataset (converted through N-Quads)."""
    if hasattr(data, "serialize") and hasattr(data, "triples"):  # rdflib Graph / Dataset
        is_dataset = hasattr(data, "quads") and hasattr(data, "graphs")
        text = data.serialize(format="nquads" if is_dataset else "nt", encoding="utf-8")
        fmt = ox.RdfFormat.N_QUADS if is_dataset else ox.RdfFormat.N_TRIPLES
        return list(ox.parse(text, fmt))
    return data  # type: ignore[return-value]


def serialize_graph(data: object, media_type: str, *, prefixes: dict[str, str] | None = None,
                    base_iri: str | None = None) -> bytes:
    """Write triples or quads (pyoxigraph, or an rdflib graph) in ``media_type``.

    Graph syntaxes drop graph names; dataset syntaxes put plain triples in the default graph. Turtle gets the
    ``prefixes`` given. Raises ValueError for a media type that is not an RDF syntax.
    """
    fmt = _RDF_FORMATS.get(media_type.split(";", 1)[0].strip())
    if fmt is None:
        raise ValueError(f"not an RDF syntax this server writes: {media_type}")
    items = _to_oxigraph(data)
    if fmt.supports_datasets:
        stream: Iterable = (x if isinstance(x, ox.Quad) else ox.Quad(x.subject, x.predicate, x.object)
                            for x in items)
    else:
        stream = (x.triple if isinstance(x, ox.Quad) else x for x in items)
    if fmt in (ox.RdfFormat.TURTLE, ox.RdfFormat.TRIG, ox.RdfFormat.JSON_LD) and (prefixes or base_iri):
        return ox.serialize(stream, format=fmt, prefixes=prefixes, base_iri=base_iri)
    return ox.serialize(stream, format=fmt)


def serialize_results(result: ox.QuerySolutions | ox.QueryBoolean, media_type: str) -> bytes:
    """Write SELECT/ASK results in one of :data:`RESULTS_MEDIA_TYPES`."""
    fmt = _RESULTS_FORMATS.get(media_type.split(";", 1)[0].strip())
    if fmt is None:
        raise ValueError(f"not a SPARQL results format: {media_type}")
    return result.serialize(format=fmt)
