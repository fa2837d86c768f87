"""Downloads and the dataset description: ``/dumps/``, ``/dumps/<file>``, ``/.well-known/void``, and the
correspondent network the build wrote as files (``/statistics/network``, ``kg.network``).

What a harvester or a ``curl -C -`` needs: each file with its media type, ``Content-Length``, a strong
``ETag`` (the file's SHA-256 from the release manifest: it changes exactly when the bytes do),
``Last-Modified``, ``304 Not Modified`` on ``If-None-Match``/``If-Modified-Since`` and ``Range`` requests
(206, or 416 past the end) for resuming. Werkzeug's ``send_file(conditional=True)`` implements the HTTP
side; this module decides *which* file may be sent.

Only the files the current release lists are reachable: the name in the URL must equal, character for
character, the name of a dump in the release manifest (or ``SHA256SUMS``), and that name must be a regular
file, not a symlink, directly inside the release's ``dumps/`` folder. Anything else (``..``, encoded slashes,
absolute paths, symlinks, files someone dropped in the folder) is a 404, and the file system is never asked
about the requested path.

``/statistics/network`` is the issue-10 answer "who wrote to whom, how often, from when to when" at any size: the
build counted it once and wrote ``network.json`` and ``network.csv`` beside the dumps, so the answer is a file
sent as it is (``sendfile`` under gunicorn, 1 MiB pieces under Granian), with the same validators as a
download, chosen by ``Accept`` or ``?format=csv|json``, and shown inline in a browser rather than saved.
"""

from __future__ import annotations

import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox
from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request, send_file

from kg.network import NETWORK_FORMATS
from server import formats

bp = Blueprint("dumps", __name__)

CHECKSUMS = "SHA256SUMS"
#: What /.well-known/void can be written as (Turtle, as stored, first).
VOID_MEDIA_TYPES: tuple[str, ...] = formats.GRAPH_MEDIA_TYPES
LISTING_MEDIA_TYPES: tuple[str, ...] = ("text/html", "application/json")
#: What /statistics/network can be sent as, the default (for ``*/*``, d3 and fetch()) first.
NETWORK_MEDIA_TYPES: tuple[str, ...] = tuple(f.media_type for f in NETWORK_FORMATS.values())
_NETWORK_BY_MEDIA_TYPE = {f.media_type: f for f in NETWORK_FORMATS.values()}


# ---------------------------------------------------------------------------------------- the release
def _config():
    return current_app.config["KG"]


def _release() -> Path | None:
    release = getattr(_config(), "release_dir", None)
    return Path(release) if release else None


def _manifest() -> dict:
    return getattr(_config(), "manifest", None) or {}


def _entries() -> dict[str, dict]:
    """The downloadable files of the current release: name -> manifest facts (media type, sha256)."""
    manifest = _manifest()
    entries: dict[str, dict] = {}
    for dump in manifest.get("dumps", []):
        name = dump.get("file")
        if isinstance(name, str):
            entries[name] = dump
    if entries:
        entries[CHECKSUMS] = {"file": CHECKSUMS, "served_media_type": "text/plain", "format": "checksums"}
    return entries


def _regular_file(folder: Path, name: str) -> os.stat_result | None:
    """The stat of ``folder/name`` if it is a regular file (not a symlink) in a folder that is no symlink."""
    if os.sep in name or name in ("", ".", ".."):
        return None
    try:
        if stat.S_ISLNK(os.lstat(folder).st_mode):
            return None
        info = os.lstat(folder / name)
    except OSError:
        return None
    return info if stat.S_ISREG(info.st_mode) else None


def _files() -> list[dict]:
    """Every downloadable file that exists, with the facts the listing shows."""
    release = _release()
    if release is None:
        return []
    folder = release / "dumps"
    files = []
    for name, entry in sorted(_entries().items(), key=lambda kv: _order(kv[0])):
        info = _regular_file(folder, name)
        if info is None:
            continue
        modified = datetime.fromtimestamp(info.st_mtime, tz=UTC).replace(microsecond=0)
        files.append({
            "name": name,
            "format": entry.get("format"),
            "media_type": _served_type(entry),
            "rdf_media_type": entry.get("media_type"),
            "named_graphs": entry.get("named_graphs"),
            "compressed": entry.get("compressed", False),
            "size": info.st_size,
            "modified": modified.isoformat().replace("+00:00", "Z"),
            "sha256": entry.get("sha256"),
            "title": entry.get("title"),
        })
    return files


def _order(name: str) -> tuple[int, str]:
    names = [d.get("file") for d in _manifest().get("dumps", [])]
    return (names.index(name), name) if name in names else (len(names), name)


# --------------------------------------------------------------------------------------------- routes
@bp.get("/dumps/")
def listing() -> Response:
    """The current release's files with sizes, dates and checksums; HTML or JSON (``Accept``/``format``)."""
    chosen = _chosen(LISTING_MEDIA_TYPES)
    if chosen is None:
        return _not_acceptable(LISTING_MEDIA_TYPES)
    files = _files()
    root = request.url_root.rstrip("/")
    for f in files:
        f["url"] = f"{root}/dumps/{f['name']}"
    manifest = _manifest()
    if chosen == "application/json":
        response = jsonify({
            "release": manifest.get("release"),
            "base_uri": getattr(_config(), "base_uri", None),
            "counts": manifest.get("counts", {}),
            "files": files,
            "void": f"{root}/.well-known/void",
            "sparql": f"{root}/sparql",
            "network": f"{root}/statistics/network" if _network_files() else None,
        })
    else:
        response = Response(render_template("dumps.html", files=files, manifest=manifest,
                                            base_uri=getattr(_config(), "base_uri", ""),
                                            network=bool(_network_files()), human_size=human_size),
                            mimetype="text/html")
    response.headers["Vary"] = "Accept"
    return response


@bp.get("/dumps/<path:name>", merge_slashes=False)
def download(name: str) -> Response:
    """One file of the current release, with validators and byte ranges."""
    release = _release()
    entry = _entries().get(name)
    if release is None or entry is None:
        abort(404)
    folder = release / "dumps"
    if _regular_file(folder, name) is None:
        abort(404)
    media_type = _served_type(entry)
    digest = entry.get("sha256")
    return send_file(folder / name, mimetype=media_type, as_attachment=True, download_name=name,
                     conditional=True, etag=digest or True, max_age=None)


@bp.get("/statistics/network")
def network() -> Response:
    """The correspondent network as the build wrote it: JSON (nodes and links) or CSV (the edge list).

    404 in words for a release built before the files existed; 406 for an ``Accept`` neither file meets.
    """
    release = _release()
    available = _network_files()
    if release is None or not available:
        return _no_network()
    chosen = _chosen(NETWORK_MEDIA_TYPES)
    if chosen is None:
        return _not_acceptable(NETWORK_MEDIA_TYPES)
    fmt = _NETWORK_BY_MEDIA_TYPE[chosen]
    entry = available.get(fmt.filename)
    if entry is None:
        return _no_network()
    response = send_file(release / "dumps" / fmt.filename, mimetype=chosen, as_attachment=False,
                         download_name=f"correspondent-network.{fmt.key}", conditional=True,
                         etag=entry.get("sha256") or True, max_age=None)
    response.headers["Vary"] = "Accept"
    return response


@bp.get("/.well-known/void")
def void() -> Response:
    """The VoID + DCAT description of the current release: Turtle as written, or the negotiated syntax."""
    release = _release()
    if release is None or _regular_file(release, "void.ttl") is None:
        abort(404)
    wanted = request.args.get("format")
    if wanted:
        chosen = formats.from_format_param(wanted, VOID_MEDIA_TYPES)
    else:
        chosen = formats.negotiate(request.headers.get("Accept"), VOID_MEDIA_TYPES)
    if chosen is None:
        return _not_acceptable(VOID_MEDIA_TYPES)
    path = release / "void.ttl"
    digest = (_manifest().get("files", {}).get("void.ttl") or {}).get("sha256")
    if chosen == "text/turtle":
        response = send_file(path, mimetype=chosen, conditional=True,
                             etag=digest or True, max_age=None)
    else:
        triples = ox.parse(path=str(path), format=ox.RdfFormat.TURTLE)
        body = formats.serialize_graph(triples, chosen)
        response = Response(body, mimetype=formats.content_type(chosen))
        if digest:
            response.set_etag(f"{digest}-{formats.by_media_type(chosen).key}")
        response.last_modified = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
        response.make_conditional(request)
    response.headers["Vary"] = "Accept"
    return response


# -------------------------------------------------------------------------------------------- helpers
def _chosen(offered: tuple[str, ...]) -> str | None:
    """The media type a request asks for among ``offered``: ``?format=`` (for a browser's address bar) wins over
    ``Accept``."""
    wanted = request.args.get("format")
    if not wanted:
        return formats.negotiate(request.headers.get("Accept"), offered)
    return formats.from_format_param(wanted, offered)


def _network_files() -> dict[str, dict]:
    """The network files (name -> manifest entry) the current release lists and holds as regular files."""
    release = _release()
    if release is None:
        return {}
    entries = _entries()
    names = (f.filename for f in NETWORK_FORMATS.values())
    return {name: entries[name] for name in names
            if name in entries and _regular_file(release / "dumps", name) is not None}


def _no_network() -> Response:
    """A 404 that says why and what to do: the release predates the network files (or lost one)."""
    base = getattr(_config(), "base_uri", "") or ""
    return Response("404 Not Found: this release has no precomputed correspondent network file (it was built "
                    "before network.csv and network.json were written). Run `kg build` again to add them; "
                    f"meanwhile the same counts are in the graph {base}/graph/statistics of the SPARQL endpoint.\n",
                    status=404, mimetype="text/plain")


def _served_type(entry: dict) -> str:
    return entry.get("served_media_type") or entry.get("media_type") or "application/octet-stream"


def _not_acceptable(offered: tuple[str, ...]) -> Response:
    return Response(f"406 Not Acceptable: this resource is available as {formats.describe_offer(offered)}.\n",
                    status=406, mimetype="text/plain", headers={"Vary": "Accept"})


def human_size(size: int) -> str:
    """``1536`` -> ``1.5 KiB``: sizes a reader can take in at a glance (the exact bytes are beside it)."""
    value = float(size)
    for unit in ("bytes", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{int(value)} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{size} bytes"  # pragma: no cover
