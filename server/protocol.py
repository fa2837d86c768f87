"""The SPARQL 1.1 Protocol for one query request, with no web framework: parse, check, negotiate, answer.

Why apart from Flask: the endpoint's hot path (``server/hotpath.py``) answers queries straight from the WSGI
environ, and the Flask route (``server/sparql.py``) answers the rest (service description, query page,
OPTIONS); both call these functions, so the rules live in one place:

- parameters from the URL, a form body or a direct ``application/sparql-query`` body, decoded strictly
  (undecodable escapes are a 400, a wrong body type a 415, an update body a 403);
- read-only and offline checks (:func:`kg.store.check_query`) before the engine sees the text;
- the media type by ``format``/``output`` or ``Accept`` (406 when nothing fits);
- the answer from the answer cache (``server/answers.py``) or evaluated and serialised in full within the
  time and size limits, so a runaway query ends in a 503, never a truncated 200.
"""

from __future__ import annotations

import logging
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field

from kg.store import Answer, QueryError, QueryRefused, QueryShape, QueryTimeout, ResultTooLarge, StoreError, check_query
from server import formats
from server.answers import AnswerCache
from server.config import ServerConfig

log = logging.getLogger(__name__)

FORM = "application/x-www-form-urlencoded"
DIRECT = "application/sparql-query"
UPDATE = "application/sparql-update"
TEXT = "text/plain; charset=utf-8"


class ProtocolError(Exception):
    """A request that breaks the Protocol: answered with ``status`` and a one-line message."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


@dataclass
class QueryRequest:
    """The Protocol parameters of one request; ``query`` is None when it asks for the service description."""

    method: str
    query: str | None
    wanted: str | None  #: the ``format`` (or ``output``) parameter
    default_graphs: list[str] = field(default_factory=list)
    named_graphs: list[str] = field(default_factory=list)


@dataclass
class Reply:
    """A complete answer: status, headers (without CORS, added by the caller), body, and what to do after."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes
    on_close: Callable[[], None] | None = None
    answer: Answer | None = None  #: the query's answer, when this is one (status 200)


def text_reply(status: int, message: str, headers: dict[str, str] | None = None) -> Reply:
    """A one-line plain-text answer (errors)."""
    return Reply(status, [("Content-Type", TEXT), *(headers or {}).items()],
                 (message.rstrip("\n") + "\n").encode("utf-8"))


# ----------------------------------------------------------------------------------------------- parsing


def _decode(raw: bytes, what: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(400, f"The {what} is not valid UTF-8 (byte {exc.start}); send UTF-8 "
                                 "text.") from exc


def _pairs(raw: bytes, what: str) -> list[tuple[str, str]]:
    """Decode ``a=b&c=d`` strictly: undecodable percent-escapes are a 400, not silently replaced."""
    if not raw:
        return []
    try:
        return urllib.parse.parse_qsl(_decode(raw, what), keep_blank_values=True, encoding="utf-8",
                                      errors="strict")
    except UnicodeDecodeError as exc:
        raise ProtocolError(400, f"The {what} holds percent-escapes that are not valid UTF-8.") from exc


def _one(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name) or []
    if len(values) > 1:
        raise ProtocolError(400, f"Give exactly one '{name}' parameter, not {len(values)}.")
    return values[0] if values else None


def parse_request(method: str, query_string: bytes, mimetype: str, charset: str | None,
                  read_body: Callable[[], bytes]) -> QueryRequest:
    """The Protocol parameters of a GET or POST; ``mimetype`` is the body's media type, lower case, without
    parameters, ``charset`` its charset parameter. Raises :class:`ProtocolError`."""
    params: dict[str, list[str]] = {}
    for key, value in _pairs(query_string, "URL query string"):
        params.setdefault(key, []).append(value)
    body_query = None
    if method == "POST":
        if mimetype == FORM:
            for key, value in _pairs(read_body(), "form body"):
                params.setdefault(key, []).append(value)
        elif mimetype == DIRECT:
            charset = (charset or "utf-8").lower()
            if charset not in ("utf-8", "utf8"):
                raise ProtocolError(415, f"A query body must be UTF-8, not {charset}.")
            body_query = _decode(read_body(), "query body")
        elif mimetype == UPDATE:
            raise ProtocolError(403, "This endpoint is read-only: SPARQL Update is refused.")
        else:
            raise ProtocolError(415, f"Unsupported request body type {mimetype or '(none)'!r}: POST a query as "
                                     f"{DIRECT} or as an {FORM} form with a 'query' field.")
    if "update" in params or "using-graph-uri" in params or "using-named-graph-uri" in params:
        raise ProtocolError(403, "This endpoint is read-only: SPARQL Update is refused.")
    query = body_query if body_query is not None else _one(params, "query")
    if body_query is not None and "query" in params:
        raise ProtocolError(400, "Send the query either as the body or as a 'query' parameter, not both.")
    wanted = _one(params, "format") or _one(params, "output")
    if query is None and method == "POST":
        raise ProtocolError(400, "Missing the 'query' parameter.")
    return QueryRequest(method, query, wanted, params.get("default-graph-uri") or [],
                        params.get("named-graph-uri") or [])


# ----------------------------------------------------------------------------------------------- answering


def choose(shape: QueryShape, wanted: str | None, accept: str | None) -> str:
    """The media type of the answer, by ``format``/``output`` first, else by ``Accept``; 406 when none fits."""
    offered = formats.GRAPH_MEDIA_TYPES + formats.DATASET_MEDIA_TYPES if shape.is_graph \
        else formats.RESULTS_MEDIA_TYPES
    if wanted:
        media_type = formats.from_format_param(wanted, offered)
        if media_type is None:
            raise ProtocolError(406, f"format={wanted!r} is not available for {shape.form} queries; "
                                     f"choose one of: {formats.describe_offer(offered)}.")
        return media_type
    media_type = formats.negotiate(accept, offered)
    if media_type is None:
        raise ProtocolError(406, f"None of the accepted media types can be produced for {shape.form} "
                                 "queries; "
                                 f"this endpoint offers: {formats.describe_offer(offered)}.")
    return media_type


def answer(config: ServerConfig, cache: AnswerCache, request: QueryRequest, accept: str | None,
           retire: Callable[[str], object], on_stuck: Callable[[QueryTimeout], None] | None = None) -> Reply:
    """The answer to a query request (``request.query`` set): from the cache, or evaluated within the limits.

    ``on_stuck`` (see ``kg.store.EmbeddedStore.execute``) lets the query run in this thread, and answers the
    client if it is stuck past its deadline; without it, the query runs in a helper thread and ``retire``
    is called after the 503 is sent if it is still computing (see ``server/wsgi.py``). Raises
    :class:`ProtocolError` for the caller's mistakes found before evaluation.
    """
    query = request.query
    assert query is not None
    if not query.strip():
        raise ProtocolError(400, "The 'query' parameter is empty.")
    try:
        shape = check_query(query)
    except QueryRefused as exc:
        raise ProtocolError(exc.status, str(exc)) from exc
    except QueryError as exc:
        raise ProtocolError(400, str(exc)) from exc
    media_type = choose(shape, request.wanted, accept)
    key = cache.key(query, request.default_graphs, request.named_graphs, media_type)
    result = cache.get(key)
    if result is None:
        try:
            result = config.store.execute(query, media_type, default_graphs=request.default_graphs,
                                          named_graphs=request.named_graphs, timeout=config.query_timeout,
                                          max_bytes=config.max_result_bytes, shape=shape, on_stuck=on_stuck)
        except QueryTimeout as exc:
            reply = text_reply(503, str(exc), {"Retry-After": "1"})
            if exc.still_running:
                reply.on_close = lambda: retire("a query ran past its time limit")
            return reply
        except ResultTooLarge as exc:
            return text_reply(503, str(exc))
        except QueryError as exc:
            return text_reply(400, str(exc))
        except StoreError as exc:
            log.error("store failure: %s", exc)
            return text_reply(502 if config.store_url else 500, f"The store could not answer: {exc}")
        cache.put(key, result)
    return ok_reply(result)


def ok_reply(result: Answer) -> Reply:
    """The 200 of an answer."""
    return Reply(200, [("Content-Type", formats.content_type(result.media_type))], result.body, answer=result)


def answer_cache(extensions: dict, config: ServerConfig) -> AnswerCache:
    """The answer cache of an app (``app.extensions``), made on first use in each worker: three quarters of
    ``result_cache_bytes``, keyed on the normalised query (``server/answers.py``)."""
    cache = extensions.get("kg_answer_cache")
    if cache is None:
        budget = config.result_cache_bytes - config.result_cache_bytes // 4
        cache = extensions.setdefault("kg_answer_cache", AnswerCache(budget))
    return cache


def request_memo(extensions: dict, config: ServerConfig) -> AnswerCache:
    """Answers by the exact request that asked for them (method, query string, body type and bytes, Accept):
    the other quarter of ``result_cache_bytes``. A repeated request skips parsing, the checks, negotiation
    and normalisation, about 100 us of Python; what it maps to was answered by the full path once."""
    memo = extensions.get("kg_request_memo")
    if memo is None:
        memo = extensions.setdefault("kg_request_memo", AnswerCache(config.result_cache_bytes // 4))
    return memo
