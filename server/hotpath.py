"""The hot paths, answered straight from the WSGI environ before Flask routes the request.

Why: measured in process (no HTTP) on the 10,000-letter synthetic corpus, a cached answer cost 139 us of
Python through Flask (request and app contexts, routing, ``Request``/``Response`` objects, header
datastructures, parsing the form again) against 9 us here, a cached document 96 us against 15 us, and a
distinct lookup 292 us against 219 us; under a threaded server every microsecond of Python is shared by all threads
of a worker through the GIL (figures under HTTP in ``benchmarks/endpoint.py``). Three paths are handled
here, and only in their common form:

- ``GET``/``POST /sparql`` with a query: the whole Protocol through ``server/protocol.py`` (the same code the
  Flask route calls), so every rule holds (limits, read-only, no SERVICE, 400/406/415, dataset parameters);
- ``GET /doc/{key}[.{ext}]`` whose document is in the document cache (the release's precomputed pack or this
  worker's memo) and that carries no conditional or range header;
- ``GET /id/{key}`` of a precomputed resource: the 303 to its document.

Everything else (service description, query page, OPTIONS, HEAD, revalidation with ``If-None-Match``, 404s,
documents not made yet) falls through to Flask unchanged. The answers carry the same headers as Flask's
(CORS, ``Vary``, ``Link``, ``ETag``...); ``tests/server`` checks them through this path under Granian (and gunicorn).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.http import HTTP_STATUS_CODES, parse_options_header
from werkzeug.utils import redirect
from werkzeug.wsgi import ClosingIterator

from kg.store import QueryTimeout
from server import documents, formats, protocol
from server.app import CORS_HEADERS
from server.pages import conneg
from server.pages.present import Linker
from server.resources import alternates
from server.wsgi import answer_stuck_request, in_flight, in_gunicorn_worker, retire_worker

WSGIApp = Callable[[dict, Callable], Iterable[bytes]]

#: Request headers that make a document answer depend on more than its URL and Accept: left to Flask.
_CONDITIONAL = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE",
                "HTTP_IF_RANGE", "HTTP_RANGE")
_STATUS = {code: f"{code} {phrase.upper()}" for code, phrase in HTTP_STATUS_CODES.items()}
_VARY = ("Vary", "Accept")
_DOC_CACHE_CONTROL = ("Cache-Control", "public, max-age=300")


def _wsgi_str(environ: dict, name: str) -> str:
    """A WSGI string (latin-1 of the raw bytes) as text, decoded as Werkzeug does."""
    return environ.get(name, "").encode("latin-1").decode("utf-8", "replace")


def _read_body(environ: dict) -> bytes:
    """The request body, as Werkzeug's ``get_data`` reads it (a terminated stream, or Content-Length)."""
    stream = environ["wsgi.input"]
    if environ.get("wsgi.input_terminated"):
        return stream.read()
    if environ.get("HTTP_TRANSFER_ENCODING", "") == "chunked":
        return b""
    try:
        length = max(0, int(environ.get("CONTENT_LENGTH") or 0))
    except ValueError:
        return b""
    return stream.read(length) if length else b""


def _stuck_answerer(environ: dict) -> Callable[[QueryTimeout], None] | None:
    """In a gunicorn worker, what answers a query stuck past its deadline: a 503 written on the request's
    socket (see ``server/wsgi.py``); elsewhere None, and the query runs in a helper thread."""
    sock = environ.get("gunicorn.socket")
    if sock is None or not in_gunicorn_worker():
        return None

    def on_stuck(exc: QueryTimeout) -> None:
        reply = protocol.text_reply(503, str(exc), {"Retry-After": "1"})
        answer_stuck_request(sock, _STATUS[503], [*reply.headers, ("Content-Length", str(len(reply.body))),
                                                  _VARY, *CORS_HEADERS], reply.body)
    return on_stuck


def _counted(result: Iterable[bytes], environ: dict) -> Iterable[bytes]:
    """``result``, leaving :data:`in_flight` when the server closes it; a file wrapper (dumps) stays itself,
    so that gunicorn can still send it with ``sendfile``."""
    wrapper = environ.get("wsgi.file_wrapper")
    if isinstance(wrapper, type) and isinstance(result, wrapper):
        close = getattr(result, "close", None)

        def closing() -> None:
            try:
                if close is not None:
                    close()
            finally:
                in_flight.leave()

        result.close = closing  # type: ignore[attr-defined]
        return result
    return ClosingIterator(result, in_flight.leave)


class HotPaths:
    """WSGI middleware in front of the Flask app: answers the hot paths, hands everything else to ``app``."""

    def __init__(self, flask_app: Any, app: WSGIApp) -> None:
        self.app = app
        self.flask_app = flask_app
        self.extensions = flask_app.extensions
        self.config = flask_app.config["KG"]
        self.base_uri: str = self.config.base_uri

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        in_flight.enter()  # a worker retiring after a stuck query waits for these (server/wsgi.py)
        try:
            result = self._dispatch(environ, start_response)
        except BaseException:
            in_flight.leave()
            raise
        return _counted(result, environ)

    def _dispatch(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        method = environ.get("REQUEST_METHOD")
        if path == "/sparql" and method in ("GET", "POST"):
            return self._sparql(environ, start_response, method)
        if method == "GET":
            if path.startswith("/doc/"):
                return self._document(environ, start_response)
            if path.startswith("/id/"):
                return self._thing(environ, start_response)
        return self.app(environ, start_response)

    # ------------------------------------------------------------------------------------------- /sparql

    def _sparql(self, environ: dict, start_response: Callable, method: str) -> Iterable[bytes]:
        query_string = environ.get("QUERY_STRING", "").encode("latin-1")
        if method == "POST":
            mimetype, options = parse_options_header(environ.get("CONTENT_TYPE", ""))
            mimetype, charset = mimetype.lower(), options.get("charset")
            body = _read_body(environ)
        else:
            mimetype, charset, body = "", None, b""
        accept = environ.get("HTTP_ACCEPT")
        # Everything the answer depends on, as sent: a repeat is answered without parsing it again.
        exact = (method, query_string, mimetype, charset or "", body, accept or "")
        memo = protocol.request_memo(self.extensions, self.config)
        known = memo.get(exact)
        if known is not None:
            reply = protocol.ok_reply(known)
        else:
            try:
                request = protocol.parse_request(method, query_string, mimetype, charset, lambda: body)
                if request.query is None:  # the service description or the query page: Flask's
                    return self.app(environ, start_response)
                reply = protocol.answer(self.config, protocol.answer_cache(self.extensions, self.config),
                                        request, accept, retire_worker, _stuck_answerer(environ))
            except protocol.ProtocolError as exc:
                reply = protocol.text_reply(exc.status, str(exc), exc.headers)
            if reply.answer is not None:
                memo.put(exact, reply.answer)
        headers = [*reply.headers, ("Content-Length", str(len(reply.body))), _VARY, *CORS_HEADERS]
        start_response(_STATUS[reply.status], headers)
        if reply.on_close is not None:
            return ClosingIterator([reply.body], reply.on_close)
        return [reply.body]

    # ------------------------------------------------------------------------------------------- documents

    def _document(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = _wsgi_str(environ, "PATH_INFO")
        if "//" in path or any(name in environ for name in _CONDITIONAL):
            return self.app(environ, start_response)
        key, fmt = conneg.split_ext(path[len("/doc/"):])
        negotiated = fmt is None
        if negotiated:
            fmt = conneg.negotiate(environ.get("HTTP_ACCEPT"))
            if fmt is None:
                return self.app(environ, start_response)
        script_root = _wsgi_str(environ, "SCRIPT_NAME").rstrip("/")
        entry = documents.cache_for(self.flask_app).get(key, fmt.extension, script_root)
        if entry is None:
            return self.app(environ, start_response)
        headers = [("Content-Type", formats.content_type(fmt.media_type)),
                   ("Content-Length", str(len(entry.body))),
                   ("Link", alternates(self.base_uri, script_root, entry.key, fmt.extension)),
                   _DOC_CACHE_CONTROL, ("ETag", f'"{entry.etag}"'), *CORS_HEADERS]
        if negotiated:
            headers += [_VARY, ("Content-Location", Linker(self.base_uri, script_root).doc(entry.key,
                                                                                           fmt.extension))]
        start_response("200 OK", headers)
        return [entry.body]

    def _thing(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        path = _wsgi_str(environ, "PATH_INFO")
        key = path[len("/id/"):]
        if "//" in path or not documents.cache_for(self.flask_app).knows(key):
            return self.app(environ, start_response)
        fmt = conneg.negotiate(environ.get("HTTP_ACCEPT"))
        if fmt is None:
            return self.app(environ, start_response)
        script_root = _wsgi_str(environ, "SCRIPT_NAME").rstrip("/")
        response = redirect(Linker(self.base_uri, script_root).doc(key, fmt.extension), code=303)
        response.headers["Vary"] = "Accept"
        response.headers["Link"] = alternates(self.base_uri, script_root, key)
        response.headers.extend(CORS_HEADERS)
        return response(environ, start_response)
