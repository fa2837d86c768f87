"""Dereferenceable URIs and the human face of the graph.

Routes (the Cool-URIs 303 pattern; see ``server/pages/conneg.py``):

- ``/id/{key}``: the thing (a letter, a person…). ``303 See Other`` to ``/doc/{key}.{ext}``, chosen by
  ``Accept``.
- ``/doc/{key}``: its document, negotiated (``Content-Location`` names the variant); ``/doc/{key}.{ext}`` one
  variant: ``html``, ``ttl``, ``jsonld``, ``nt``, ``rdf``. Each carries ``Link`` headers to the others.
- ``/``: what the dataset holds, browse lists, search box, SPARQL and dumps; ``/browse/{kind}``;
  ``/search?q=``.
- anything unknown: 404 with a page that helps (search suggestions, where to go).

The canonical base URI is ``config.base_uri``; the request's own host is mapped onto it, and pages link to
paths on the serving host, so the same build works on localhost and in production.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from flask import Blueprint, Response, current_app, redirect, render_template, request
from markupsafe import Markup
from werkzeug.exceptions import HTTPException, NotFound

from server import documents, formats
from server.pages import conneg, document, letter, person, queries, search, wikidata
from server.pages.iris import KINDS, BadIri, iri_for_key, key_of, kind_of, letter_iri
from server.pages.present import (
    Linker,
    curie,
    human_date,
    incoming_rows,
    local_name,
    prefixes_for,
    statement_rows,
)

log = logging.getLogger(__name__)

bp = Blueprint("resources", __name__)

FOAF_PRIMARY_TOPIC = "http://xmlns.com/foaf/0.1/primaryTopic"
#: Browse lists: URI kind → (heading, class used by browse.rq).
BROWSE = {
    "letter": ("Letters", "https://schema.org/Message"),
    "person": ("Persons", "http://www.cidoc-crm.org/cidoc-crm/E21_Person"),
    "org": ("Organisations", "http://www.cidoc-crm.org/cidoc-crm/E74_Group"),
    "place": ("Places", "http://www.cidoc-crm.org/cidoc-crm/E53_Place"),
    "event": ("Events", "http://www.cidoc-crm.org/cidoc-crm/E5_Event"),
    "archive": ("Archival units", "http://www.cidoc-crm.org/cidoc-crm/E78_Curated_Holding"),
}
LANDING_LIST = 30
BROWSE_PAGE = 500


# ----------------------------------------------------------------------------------------------- context


def _config():
    return current_app.config["KG"]


def _store():
    return _config().store


def _base() -> str:
    return _config().base_uri


def _linker() -> Linker:
    return Linker(_base(), request.script_root)


@bp.record_once
def _build_index_at_start(state) -> None:
    """Build the text index with the app (in the server's master process, so forked workers share it)."""
    config = state.app.config.get("KG")
    if config is None:
        return
    try:
        search.index_for(state.app, config.store, config.base_uri)
    except Exception:  # noqa: BLE001 - a store that is not reachable yet: build on first search instead
        log.exception("text index not built at start; it will be built on first use")
    documents.cache_for(state.app)  # map the precomputed documents once, before the workers fork
    documents.warm_up(state.app)


def _index():
    return search.index_for(current_app, _store(), _base())


@bp.app_context_processor
def _template_helpers() -> dict:
    linker = Linker(_base(), request.script_root) if request else None
    return {
        "href": linker.href if linker else (lambda iri: iri),
        "curie": curie,
        "local_name": local_name,
        "human_date": human_date,
        "base_uri": _base(),
        "kinds": KINDS,
    }


# ----------------------------------------------------------------------------------------------- resolving


def resolve(key: str) -> str | None:
    """The canonical IRI a request path names, if the graph knows it.

    Flask hands over the percent-decoded path; the IRI may hold either form (pubby#5: ``%2F``, ``+``, ``:``),
    so both are tried, decoded first.
    """
    candidates = dict.fromkeys([key, quote(key, safe="/:@!$&'()*+,;=-._~")])
    for candidate in candidates:
        try:
            iri = iri_for_key(_base(), candidate)
        except BadIri:
            continue
        if document.exists(_store(), iri):
            return iri
    return None


def alternates(base_uri: str, script_root: str, key: str, current: str | None = None) -> str:
    """The ``Link`` header of a document: its other representations and the thing it describes."""
    linker = Linker(base_uri, script_root)
    links = [f'<{linker.doc(key, f.extension)}>; rel="alternate"; type="{f.media_type}"'
             for f in conneg.DOC_FORMATS if f.extension != current]
    links.append(f'<{base_uri}/id/{key}>; rel="describes"')
    return ", ".join(links)


def _alternates(key: str, current: str | None = None) -> str:
    return alternates(_base(), request.script_root, key, current)


def _not_acceptable(key: str) -> Response:
    offered = "\n".join(f"  {f.media_type}  ({_linker().doc(key, f.extension)})" for f in conneg.DOC_FORMATS)
    return Response(f"406 Not Acceptable: none of the formats asked for in Accept is available for {key}.\n"
                    f"This resource is available as:\n{offered}\n", status=406,
                    mimetype="text/plain", headers={"Vary": "Accept", "Link": _alternates(key)})


@bp.route("/id/<path:key>", methods=["GET"])
def thing(key: str):
    """The URI of a thing: 303 to the document that describes it, in the format the client prefers."""
    if documents.cache_for(current_app).knows(key):
        canonical_key = key  # precomputed under its canonical key: the graph describes it
    else:
        iri = resolve(key)
        if iri is None:
            raise NotFound()
        canonical_key = key_of(_base(), iri)
    fmt = conneg.negotiate(request.headers.get("Accept"))
    if fmt is None:
        return _not_acceptable(canonical_key)
    response = redirect(_linker().doc(canonical_key, fmt.extension), code=303)
    response.headers["Vary"] = "Accept"
    response.headers["Link"] = _alternates(canonical_key)
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@bp.route("/doc/<path:path>", methods=["GET"])
def doc(path: str):
    """A document: one representation by extension, or negotiated when the path has none.

    Served from the document cache (the release's precomputed pack, else this worker's memo), with a strong
    ETag and ``304 Not Modified`` for a matching ``If-None-Match``.
    """
    key, fmt = conneg.split_ext(path)
    negotiated = fmt is None
    if negotiated:
        fmt = conneg.negotiate(request.headers.get("Accept"))
    cache = documents.cache_for(current_app)
    script_root = request.script_root
    entry = cache.get(key, fmt.extension, script_root) if fmt is not None else None
    if entry is None:
        iri = resolve(key)
        if iri is None:
            raise NotFound()
        canonical = key_of(_base(), iri)
        if fmt is None:
            return _not_acceptable(canonical)
        bodies = render_formats(canonical, (fmt.extension,), iri=iri)
        if bodies is None:
            raise NotFound()
        entry = cache.put(key, fmt.extension, script_root, canonical, bodies[fmt.extension])
    response = Response(entry.body, content_type=formats.content_type(fmt.media_type))
    response.headers["Link"] = _alternates(entry.key, fmt.extension)
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Cache-Control"] = "public, max-age=300"
    if negotiated:
        response.headers["Vary"] = "Accept"
        response.headers["Content-Location"] = _linker().doc(entry.key, fmt.extension)
    response.set_etag(entry.etag)
    return response.make_conditional(request)


def render_formats(key: str, extensions: tuple[str, ...] | None = None, *, iri: str | None = None) \
        -> dict[str, bytes] | None:
    """The document of ``key`` (canonical) in each of ``extensions`` (all by default), from one gather;
    ``None`` when the graph says nothing about it. Needs a request context (pages link on its host)."""
    known = iri is not None  # the caller resolved it just now
    description = document.gather(_store(), iri or iri_for_key(_base(), key), known=known)
    if description is None:
        return None
    bodies = {}
    for f in conneg.DOC_FORMATS:
        if extensions is None or f.extension in extensions:
            bodies[f.extension] = (render_page(key, description).encode("utf-8") if f.kind == "page"
                                   else _serialize(key, description, f.media_type))
    return bodies


def _serialize(key: str, description: document.Document, media_type: str) -> bytes:
    """The document's triples, plus one saying which thing the document is about (LodView#28)."""
    import pyoxigraph as ox

    topic = ox.Triple(ox.NamedNode(f"{_base()}/doc/{key}"), ox.NamedNode(FOAF_PRIMARY_TOPIC),
                      ox.NamedNode(description.iri))
    return formats.serialize_graph([topic, *description.triples], media_type, prefixes=prefixes_for(_base()))


# ----------------------------------------------------------------------------------------------- pages


def _embedded_jsonld(key: str, description: document.Document) -> Markup:
    """The document as JSON-LD for a ``<script type="application/ld+json">``; ``<`` is escaped as ``\\u003c``
    so that no literal (however hostile) can close the script element."""
    text = _serialize(key, description, "application/ld+json").decode("utf-8")
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def render_page(key: str, description: document.Document) -> str:
    kind = kind_of(key)
    parts = key.split("/")
    store, base = _store(), _base()
    common = {
        "key": key,
        "iri": description.iri,
        "doc": description,
        "label": description.label(description.iri) or local_name(description.iri),
        "kind_name": KINDS.get(kind, "Resource"),
        "rows": statement_rows(description, description.iri),
        "incoming": incoming_rows(description),
        "sub_resources": [(m, statement_rows(description, m)) for m in description.members[1:]],
        "formats": [(f, _linker().doc(key, f.extension)) for f in conneg.DOC_FORMATS],
        "jsonld": _embedded_jsonld(key, description),
        "labels": description.labels,
        "wikidata": wikidata.build(description),
    }
    if kind == "letter" and len(parts) == 2:
        view = letter.build(description, store, base)
        return render_template("letter.html", view=view, **common)
    if kind == "letter" and len(parts) == 4 and parts[2] == "note":
        return render_template("note.html", note=_note_view(description, parts), **common)
    if kind in ("person", "org"):
        view = person.build(description, store, base)
        if view.correspondents:
            hrefs = {c["iri"]: _linker().href(c["iri"]) for c in view.correspondents}
            view.network_svg = person.network_svg(view.label, view.correspondents, hrefs=hrefs)
        return render_template("person.html" if kind == "person" else "org.html", view=view, **common)
    if kind in ("place", "event"):
        mentions = person.mentions_of(store, description.iri, base)
        return render_template(f"{kind}.html", mentions=mentions, **common)
    if kind == "archive":
        parts_rows = queries.select(store, "parts", this=description.iri)
        chain = letter.archival_chain(store, description.iri, description)
        return render_template("archive.html", parts=parts_rows, chain=chain, **common)
    return render_template("resource.html", **common)


def _note_view(description: document.Document, parts: list[str]) -> dict:
    iri = description.iri
    content = description.value(iri, letter.CONTENT)
    letter_iri = iri.rsplit("/note/", 1)[0]
    refers = sorted({o.value for p in letter.MENTION_PREDICATES
                     for o in description.values(iri, p) if o.is_iri})
    return {"n": parts[3], "text": content.value if content else None,
            "lang": content.lang if content else None, "letter": letter_iri, "refers": refers}


@bp.get("/")
def landing():
    store = _store()
    counts = {r["kind"].value: int(r["n"].value) for r in queries.select(store, "counts")}
    lists = _browse_lists()
    return render_template("landing.html", counts=counts, lists=lists, browse=BROWSE, limit=LANDING_LIST,
                           indexed=_index().size)


def _browse_lists() -> dict[str, list[dict]]:
    by_class = {cls: kind for kind, (_, cls) in BROWSE.items()}
    lists: dict[str, dict[str, dict]] = {kind: {} for kind in BROWSE}
    for r in queries.select(_store(), "browse"):
        kind = by_class[r["class"].value]
        # letters: the schema:Message may be the letter's text (kg/mapping); list the letter itself
        iri = letter_iri(_base(), r["s"].value) if kind == "letter" else r["s"].value
        entry = lists[kind].setdefault(iri, {"iri": iri, "label": None, "date": None, "no": None})
        for field in ("label", "date", "no"):
            if field in r and (entry[field] is None or (field == "label" and r[field].lang == "en")):
                entry[field] = r[field]
    out = {}
    for kind, entries in lists.items():
        values = list(entries.values())
        if kind == "letter":
            values.sort(key=lambda e: (e["date"] is None, e["date"].value if e["date"] else "", e["iri"]))
        else:
            values.sort(key=lambda e: ((e["label"].value if e["label"] else e["iri"]).casefold(), e["iri"]))
        out[kind] = values
    return out


@bp.get("/browse/<kind>")
def browse(kind: str):
    if kind not in BROWSE:
        raise NotFound()
    entries = _browse_lists()[kind]
    try:
        page = max(1, int(request.args.get("page", "1")))
    except ValueError:
        page = 1
    pages = max(1, (len(entries) + BROWSE_PAGE - 1) // BROWSE_PAGE)
    shown = entries[(page - 1) * BROWSE_PAGE: page * BROWSE_PAGE]
    return render_template("browse.html", kind=kind, heading=BROWSE[kind][0], entries=shown, page=page,
                           pages=pages, total=len(entries))


@bp.get("/search")
def search_page():
    q = request.args.get("q", "").strip()[:200]
    hits = _index().search(q) if q else []
    return render_template("search.html", q=q, hits=hits)


@bp.app_errorhandler(404)
def not_found(error: HTTPException):
    """A 404 that helps: what was asked for, similar resources, and where to go from here."""
    path = request.path
    asked = None
    suggestions = []
    for prefix in ("/id/", "/doc/"):
        if path.startswith(prefix):
            key, _ = conneg.split_ext(path[len(prefix):])
            asked = f"{_base()}/id/{key}"
            try:
                suggestions = _index().search(" ".join(key.replace("-", " ").split("/")[1:]), limit=8)
            except Exception:  # noqa: BLE001 - the 404 page must render even if the store is down
                suggestions = []
    best = request.accept_mimetypes.best_match(["text/html", "text/plain"], default="text/html")
    if best == "text/plain" and not request.accept_mimetypes.accept_html:
        return Response(f"404 Not Found: {asked or path}\n", status=404, mimetype="text/plain")
    return render_template("404.html", asked=asked, path=path, suggestions=suggestions), 404
