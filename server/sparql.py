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

Where the code is: the Protocol itself in ``server/protocol.py`` (no Flask), answered for queries by
``server/hotpath.py`` before Flask routes the request, and by the route below for everything else (OPTIONS,
HEAD, the service description and the query page). Answers are cached per worker (``server/answers.py``).
"""

from __future__ import annotations

import json
import urllib.parse
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, render_template, request, url_for

from kg.store import StoreError
from server import formats, protocol
from server.config import ServerConfig
from server.wsgi import retire_worker

bp = Blueprint("sparql", __name__)

_EXAMPLES_DIR = Path(__file__).parent / "static" / "sparql" / "examples"
_SD = "http://www.w3.org/ns/sparql-service-description#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_DCT = "http://purl.org/dc/terms/"
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_SD_PAGE_TYPES = (*formats.GRAPH_MEDIA_TYPES, "text/html")


def _config() -> ServerConfig:
    return current_app.config["KG"]


def _text(status: int, message: str, headers: dict[str, str] | None = None) -> Response:
    response = Response(message.rstrip("\n") + "\n", status=status, mimetype="text/plain")
    response.headers.update(headers or {})
    return response


def _response(reply: protocol.Reply) -> Response:
    response = Response(reply.body, status=reply.status, headers=reply.headers)
    if reply.on_close is not None:
        response.call_on_close(reply.on_close)
    return response


# ----------------------------------------------------------------------------------------------- the endpoint


@bp.route("/sparql", methods=["GET", "POST", "OPTIONS"])
def endpoint() -> Response:
    """One URL for the Protocol: OPTIONS preflight, service description or query page, or a query's answer.

    Queries by GET and POST are normally answered by ``server/hotpath.py`` before Flask sees them; this
    route answers them too (HEAD, or an app used without the hot path), through the same
    ``server/protocol.py``.
    """
    if request.method == "OPTIONS":
        response = Response(status=204, headers={"Allow": "GET, HEAD, POST, OPTIONS"})
        del response.headers["Content-Type"]
        return response
    try:
        response = _answer()
    except protocol.ProtocolError as exc:
        response = _text(exc.status, str(exc), exc.headers)
    response.vary.add("Accept")
    return response


def _answer() -> Response:
    method = "POST" if request.method == "POST" else "GET"
    parsed = protocol.parse_request(method, request.query_string, (request.mimetype or "").lower(),
                                    request.mimetype_params.get("charset"),
                                    lambda: request.get_data(cache=False))
    if parsed.query is None:
        return _service_description(parsed.wanted)
    config = _config()
    reply = protocol.answer(config, protocol.answer_cache(current_app.extensions, config), parsed,
                            request.headers.get("Accept"), retire_worker)
    return _response(reply)


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
            offer = formats.describe_offer(_SD_PAGE_TYPES)
            raise protocol.ProtocolError(406, f"format={wanted!r} is not available for the service "
                                              f"description; choose one of: {offer}.")
    else:
        media_type = formats.negotiate(request.headers.get("Accept"), _SD_PAGE_TYPES)
        if media_type is None:
            raise protocol.ProtocolError(406, "The service description is available as: "
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
