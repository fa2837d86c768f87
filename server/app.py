"""Application factory: the server is a pure function of a finished build and its settings."""

from __future__ import annotations

from flask import Flask, Response, request
from werkzeug.exceptions import MethodNotAllowed

from server.config import ServerConfig

#: Preflight answer: any origin may query and read (the data is public and the server read-only).
_CORS_PREFLIGHT = {"Access-Control-Allow-Methods": "GET, HEAD, POST, OPTIONS",
                   "Access-Control-Max-Age": "86400"}
_CORS_EXPOSE = ("Content-Location, Content-Disposition, Link, Location, Vary, ETag, Last-Modified, "
                "Retry-After, Content-Range, Accept-Ranges")


#: The CORS headers of every answer that is not a preflight (also sent by ``server/hotpath.py``).
CORS_HEADERS: tuple[tuple[str, str], ...] = (("Access-Control-Allow-Origin", "*"),
                                             ("Access-Control-Expose-Headers", _CORS_EXPOSE))


def _add_cors(response: Response) -> Response:
    """CORS on every answer, errors included, so browser tools (YASGUI elsewhere, notebooks) can read them."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["Access-Control-Expose-Headers"] = _CORS_EXPOSE
    if request.method == "OPTIONS":
        response.headers.update(_CORS_PREFLIGHT)
        response.headers["Access-Control-Allow-Headers"] = (
            request.headers.get("Access-Control-Request-Headers") or "Accept, Content-Type")
    return response


def _method_not_allowed(error: MethodNotAllowed) -> Response:
    """405 as one line of text with the Allow header, not an HTML page."""
    allowed = ", ".join(error.valid_methods or [])
    return Response(f"Method {request.method} is not allowed here; use {allowed}.\n", status=405,
                    mimetype="text/plain", headers={"Allow": allowed})


def create_app(config: ServerConfig) -> Flask:
    """Build the Flask app for one build (or set of RDF files); no global state, so tests can make many."""
    from server import dumps, resources, sparql

    app = Flask(__name__)
    app.config["KG"] = config
    app.register_blueprint(sparql.bp)
    app.register_blueprint(resources.bp)
    app.register_blueprint(dumps.bp)
    app.after_request(_add_cors)
    app.register_error_handler(MethodNotAllowed, _method_not_allowed)
    # Queries and cached documents are answered before Flask routes them (measured in benchmarks/endpoint.py).
    from server.hotpath import HotPaths

    app.wsgi_app = HotPaths(app, app.wsgi_app)  # type: ignore[method-assign]
    if config.behind_proxy:
        # Trust one proxy's X-Forwarded-For/-Proto/-Host/-Prefix, so that URLs the server writes (the service
        # description's endpoint, redirects, page links) name the public address, not the internal one.
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1, x_prefix=1)  # type: ignore[method-assign]
    return app
