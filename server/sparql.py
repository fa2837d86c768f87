"""The SPARQL 1.1 Protocol endpoint at ``/sparql``: query, service description and the browser query page.

What it guarantees (each rule has a test in ``tests/server/test_sparql*.py``):

- queries by GET ``?query=``, POST form and POST ``application/sparql-query``; ``default-graph-uri`` and
  ``named-graph-uri`` replace FROM/FROM NAMED; without either, the default graph is the union of all graphs;
- answers negotiated by ``Accept`` (q-values) or a ``format``/``output`` parameter, 406 when nothing fits,
  ``Vary: Accept`` always;
- read-only (403 for any update shape), no network (400 for ``SERVICE``), 400 naming line and column for bad
  syntax, 415 for a wrong body type, 405 with ``Allow`` for other methods, never a 500 for client input;
- every answer is evaluated and serialised in full within the time and size limits before the first byte goes
  out, so a runaway query ends in a clear 503, never a truncated 200.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections import OrderedDict
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request, url_for

from kg.store import (
    Answer,
    QueryError,
    QueryRefused,
    QueryShape,
    QueryTimeout,
    ResultTooLarge,
    StoreError,
    check_query,
)
from server import formats
from server.config import ServerConfig
from server.wsgi import retire_worker

bp = Blueprint("sparql", __name__)

_EXAMPLES_DIR = Path(__file__).parent / "static" / "sparql" / "examples"
_SD = "http://www.w3.org/ns/sparql-service-description#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_DCT = "http://purl.org/dc/terms/"
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_SD_PAGE_TYPES = (*formats.GRAPH_MEDIA_TYPES, "text/html")
_FORM = "application/x-www-form-urlencoded"
_DIRECT = "application/sparql-query"
_UPDATE = "application/sparql-update"


class ProtocolError(Exception):
    """A request that breaks the Protocol: answered with ``status`` and a one-line message."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.headers = headers or {}


def _config() -> ServerConfig:
    return current_app.config["KG"]


def _text(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    response = Response(message.rstrip("\n") + "\n", status=status, mimetype="text/plain")
    response.headers.update(headers or {})
    return response


# ----------------------------------------------------------------------------------------------- request
# parsing


def _decode(raw: bytes, what: str) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ProtocolError(400, f"The {what} is not valid UTF-8 (byte {exc.start}); send UTF-8 "
                                 "text.") from exc


def _pairs(raw: bytes, what: str) -> list[tuple[str, str]]:
    """Decode ``a=b&c=d`` strictly: undecodable percent-escapes are a 400, not silently replaced."""
    try:
        return urllib.parse.parse_qsl(_decode(raw, what), keep_blank_values=True, encoding="utf-8",
                                      errors="strict")
    except UnicodeDecodeError as exc:
        raise ProtocolError(400, f"The {what} holds percent-escapes that are not valid UTF-8.") from exc


def _read_request() -> tuple[dict[str, list[str]], str | None]:
    """The Protocol parameters of this request, and the query text sent as the body (direct POST)."""
    params: dict[str, list[str]] = {}
    for key, value in _pairs(request.query_string, "URL query string"):
        params.setdefault(key, []).append(value)
    if request.method != "POST":
        return params, None
    mimetype = (request.mimetype or "").lower()
    if mimetype == _FORM:
        for key, value in _pairs(request.get_data(cache=False), "form body"):
            params.setdefault(key, []).append(value)
        return params, None
    if mimetype == _DIRECT:
        charset = (request.mimetype_params.get("charset") or "utf-8").lower()
        if charset not in ("utf-8", "utf8"):
            raise ProtocolError(415, f"A query body must be UTF-8, not {charset}.")
        return params, _decode(request.get_data(cache=False), "query body")
    if mimetype == _UPDATE:
        raise ProtocolError(403, "This endpoint is read-only: SPARQL Update is refused.")
    raise ProtocolError(415, f"Unsupported request body type {mimetype or '(none)'!r}: POST a query as "
                             f"{_DIRECT} or as an {_FORM} form with a 'query' field.")


# ----------------------------------------------------------------------------------------------- answer cache


class AnswerCache:
    """Serialised answers of this worker, least recently used out first.

    Safe because a server never sees its build change: a new release means a restart.
    """

    def __init__(self, budget: int, max_entry: int = 1048576) -> None:
        self.budget = budget
        self.max_entry = max_entry
        self.size = 0
        self._items: OrderedDict[tuple, Answer] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> Answer | None:
        with self._lock:
            answer = self._items.get(key)
            if answer is not None:
                self._items.move_to_end(key)
            return answer

    def put(self, key: tuple, answer: Answer) -> None:
        if len(answer.body) > self.max_entry or self.budget <= 0:
            return
        with self._lock:
            if key in self._items:
                return
            self._items[key] = answer
            self.size += len(answer.body)
            while self.size > self.budget and self._items:
                _, old = self._items.popitem(last=False)
                self.size -= len(old.body)


def _cache() -> AnswerCache:
    cache = current_app.extensions.get("kg_answer_cache")
    if cache is None:
        cache = AnswerCache(_config().result_cache_bytes)
        cache = current_app.extensions.setdefault("kg_answer_cache", cache)
    return cache


# ----------------------------------------------------------------------------------------------- the endpoint


@bp.route("/sparql", methods=["GET", "POST", "OPTIONS"])
def endpoint() -> Response:
    """One URL for the Protocol: OPTIONS preflight, service description or query page, or a query's answer."""
    if request.method == "OPTIONS":
        response = Response(status=204, headers={"Allow": "GET, HEAD, POST, OPTIONS"})
        del response.headers["Content-Type"]
        return response
    try:
        response = _answer()
    except ProtocolError as exc:
        response = _text(exc.status, str(exc), exc.headers)
    response.vary.add("Accept")
    return response


def _one(params: dict[str, list[str]], name: str) -> str | None:
    values = params.get(name) or []
    if len(values) > 1:
        raise ProtocolError(400, f"Give exactly one '{name}' parameter, not {len(values)}.")
    return values[0] if values else None


def _answer() -> Response:
    params, body_query = _read_request()
    if "update" in params or "using-graph-uri" in params or "using-named-graph-uri" in params:
        raise ProtocolError(403, "This endpoint is read-only: SPARQL Update is refused.")
    query = body_query if body_query is not None else _one(params, "query")
    if body_query is not None and "query" in params:
        raise ProtocolError(400, "Send the query either as the body or as a 'query' parameter, not both.")
    wanted = _one(params, "format") or _one(params, "output")
    if query is None:
        if request.method == "POST":
            raise ProtocolError(400, "Missing the 'query' parameter.")
        return _service_description(wanted)
    if not query.strip():
        raise ProtocolError(400, "The 'query' parameter is empty.")
    try:
        shape = check_query(query)
    except QueryRefused as exc:
        raise ProtocolError(exc.status, str(exc)) from exc
    except QueryError as exc:
        raise ProtocolError(400, str(exc)) from exc
    media_type = _choose(shape, wanted)
    return _run(query, shape, media_type, params.get("default-graph-uri") or [],
                params.get("named-graph-uri") or [])


def _choose(shape: QueryShape, wanted: str | None) -> str:
    offered = formats.GRAPH_MEDIA_TYPES + formats.DATASET_MEDIA_TYPES if shape.is_graph \
        else formats.RESULTS_MEDIA_TYPES
    if wanted:
        media_type = formats.from_format_param(wanted, offered)
        if media_type is None:
            raise ProtocolError(406, f"format={wanted!r} is not available for {shape.form} queries; "
                                     f"choose one of: {formats.describe_offer(offered)}.")
        return media_type
    media_type = formats.negotiate(request.headers.get("Accept"), offered)
    if media_type is None:
        raise ProtocolError(406, f"None of the accepted media types can be produced for {shape.form} "
                                 "queries; "
                                 f"this endpoint offers: {formats.describe_offer(offered)}.")
    return media_type


def _run(query: str, shape: QueryShape, media_type: str, default_graphs: list[str],
         named_graphs: list[str]) -> Response:
    config = _config()
    key = (query, tuple(default_graphs), tuple(named_graphs), media_type)
    answer = _cache().get(key)
    if answer is None:
        try:
            answer = config.store.execute(query, media_type, default_graphs=default_graphs,
                                          named_graphs=named_graphs, timeout=config.query_timeout,
                                          max_bytes=config.max_result_bytes, shape=shape)
        except QueryTimeout as exc:
            response = _text(503, str(exc), {"Retry-After": "1"})
            if exc.still_running:
                response.call_on_close(lambda: retire_worker("a query ran past its time limit"))
            return response
        except ResultTooLarge as exc:
            return _text(503, str(exc))
        except QueryError as exc:
            return _text(400, str(exc))
        except StoreError as exc:
            current_app.logger.error("store failure: %s", exc)
            return _text(502 if config.store_url else 500, f"The store could not answer: {exc}")
        _cache().put(key, answer)
    return Response(answer.body, status=200, content_type=formats.content_type(answer.media_type))


# ----------------------------------------------------------------------------------------------- description


def _endpoint_url() -> str:
    return request.base_url


def _named_graphs() -> list[str]:
    cached = current_app.extensions.get("kg_named_graphs")
    if cached is None:
        try:
            cached = _config().store.named_graphs()
        except StoreError:
            cached = []
        current_app.extensions["kg_named_graphs"] = cached
    return cached


def service_description_triples(endpoint: str) -> list[ox.Triple]:
    """The SPARQL 1.1 Service Description of this endpoint (read-only, union default graph, limits)."""
    config = _config()
    node = ox.NamedNode(endpoint)

    def sd(term: str) -> ox.NamedNode:
        return ox.NamedNode(_SD + term)

    triples = [
        ox.Triple(node, _RDF_TYPE, sd("Service")),
        ox.Triple(node, sd("endpoint"), node),
        ox.Triple(node, sd("supportedLanguage"), sd("SPARQL11Query")),
        ox.Triple(node, sd("feature"), sd("UnionDefaultGraph")),
        ox.Triple(node, ox.NamedNode(_DCT + "title"),
                  ox.Literal("SPARQL endpoint of the letters knowledge graph", language="en")),
        ox.Triple(node, ox.NamedNode(_RDFS + "comment"), ox.Literal(
            "Read-only SPARQL 1.1 Query endpoint. The default graph is the union of all named graphs; "
            "default-graph-uri and named-graph-uri replace it (and any FROM). SERVICE is disabled. "
            f"Each query may run {config.query_timeout:g} s and return "
            f"{config.max_result_bytes // 1048576} MiB; "
            "larger exports are in the dumps.", language="en")),
        ox.Triple(node, ox.NamedNode(_RDFS + "seeAlso"), ox.NamedNode(urllib.parse.urljoin(endpoint,
                                                                                           "/.well-known/void"))),
    ]
    for fmt in formats.FORMATS:
        if fmt.iri and fmt.kind in ("results", "graph", "dataset"):
            triples.append(ox.Triple(node, sd("resultFormat"), ox.NamedNode(fmt.iri)))
    dataset, default = ox.BlankNode("dataset"), ox.BlankNode("defaultGraph")
    triples += [
        ox.Triple(node, sd("defaultDataset"), dataset),
        ox.Triple(dataset, _RDF_TYPE, sd("Dataset")),
        ox.Triple(dataset, sd("defaultGraph"), default),
        ox.Triple(default, _RDF_TYPE, sd("Graph")),
        ox.Triple(default, ox.NamedNode(_RDFS + "comment"),
                  ox.Literal("The union of all named graphs.", language="en")),
    ]
    for i, name in enumerate(_named_graphs()):
        named = ox.BlankNode(f"namedGraph{i}")
        triples += [ox.Triple(dataset, sd("namedGraph"), named),
                    ox.Triple(named, _RDF_TYPE, sd("NamedGraph")),
                    ox.Triple(named, sd("name"), ox.NamedNode(name))]
    return triples


def _service_description(wanted: str | None) -> Response:
    if wanted:
        media_type = formats.from_format_param(wanted, _SD_PAGE_TYPES)
        if media_type is None:
            raise ProtocolError(406, f"format={wanted!r} is not available for the service description; "
                                     f"choose one of: {formats.describe_offer(_SD_PAGE_TYPES)}.")
    else:
        media_type = formats.negotiate(request.headers.get("Accept"), _SD_PAGE_TYPES)
        if media_type is None:
            raise ProtocolError(406, "The service description is available as: "
                                     f"{formats.describe_offer(_SD_PAGE_TYPES)}.")
    if media_type == "text/html":
        return _query_page()
    body = formats.serialize_graph(service_description_triples(_endpoint_url()), media_type,
                                   prefixes={"sd": _SD, "rdfs": _RDFS, "dcterms": _DCT,
                                             "formats": "http://www.w3.org/ns/formats/"})
    return Response(body, content_type=formats.content_type(media_type))


# ----------------------------------------------------------------------------------------------- query page


def example_queries() -> list[dict[str, str]]:
    """The example queries shown on the query page: ``static/sparql/examples/*.rq``, title on line one."""
    examples = []
    for path in sorted(_EXAMPLES_DIR.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        first = text.splitlines()[0] if text else ""
        title = first.lstrip("#").strip() if first.startswith("#") else path.stem.replace("-", " ")
        examples.append({"id": path.stem, "title": title, "query": text})
    return examples


def _query_page() -> Response:
    config = _config()
    html = render_template("sparql/query.html", endpoint=_endpoint_url(), base_uri=config.base_uri,
                           examples=example_queries(), examples_json=json.dumps(example_queries()),
                           timeout=config.query_timeout,
                           yasgui_js=url_for("static", filename="vendor/yasgui/yasgui.min.js"),
                           yasgui_css=url_for("static", filename="vendor/yasgui/yasgui.min.css"),
                           page_js=url_for("static", filename="sparql/query.js"))
    return Response(html, content_type="text/html; charset=utf-8")
