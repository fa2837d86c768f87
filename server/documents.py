"""Resource documents made once: precomputed into a release (``kg.documents`` pack), else memoised per worker.

Why: a letter's document costs about seven queries, a serialiser or a template, 5-10 ms; the build is
immutable while a server runs, so a document made once is right until the next release (which means a
restart). Two layers, both behind :class:`DocumentCache`:

- the release's pack (``documents/``), written at build time by :func:`precompute` (``kg build --documents
  letter,person…``, opt-in for its cost): the top-level resources of those kinds in every format, read
  through a shared memory map;
- a per-worker memo, least recently used out first within a byte budget, for everything else (a letter's
  sub-resources, data served with ``--data``, pages under a proxy prefix) once asked for.

Every document carries a strong ``ETag`` (SHA-256 of its body), so clients and proxies revalidate with
``If-None-Match`` and get ``304 Not Modified``.
"""

from __future__ import annotations

import logging
import multiprocessing
import threading
import time
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.documents import PRECOMPUTED_KINDS, DocumentPack, etag_of, write_pack

log = logging.getLogger(__name__)

#: Per-worker budget of memoised documents.
DEFAULT_MEMO_BYTES = 64 * 1048576


@dataclass(frozen=True)
class Entry:
    """A document ready to send: the canonical key it describes, its body and validator."""

    key: str
    body: bytes
    etag: str


class DocumentCache:
    """The pack of the release (if any) in front of a per-worker memo."""

    def __init__(self, pack: DocumentPack | None, budget: int = DEFAULT_MEMO_BYTES,
                 max_entry: int = 4 * 1048576) -> None:
        self.pack = pack
        self.budget = budget
        self.max_entry = max_entry
        self.size = 0
        self._memo: OrderedDict[tuple[str, str, str], Entry] = OrderedDict()
        self._lock = threading.Lock()

    def knows(self, key: str) -> bool:
        """True when ``key`` is the canonical key of a resource whose document the release precomputed."""
        return self.pack is not None and key in self.pack

    def get(self, key: str, ext: str, script_root: str) -> Entry | None:
        memo_key = (key, ext, script_root)
        with self._lock:
            entry = self._memo.get(memo_key)
            if entry is not None:
                self._memo.move_to_end(memo_key)
                return entry
        if self.pack is not None and script_root == self.pack.script_root:
            stored = self.pack.get(key, ext)
            if stored is not None:
                return Entry(key, stored.body, stored.etag)
        return None

    def put(self, key: str, ext: str, script_root: str, canonical: str, body: bytes) -> Entry:
        entry = Entry(canonical, body, etag_of(body))
        if len(body) > self.max_entry or self.budget <= 0:
            return entry
        memo_key = (key, ext, script_root)
        with self._lock:
            if memo_key not in self._memo:
                self._memo[memo_key] = entry
                self.size += len(body)
                while self.size > self.budget and self._memo:
                    _, old = self._memo.popitem(last=False)
                    self.size -= len(old.body)
        return entry


def cache_for(app) -> DocumentCache:
    """The document cache of ``app`` (made with the app, in the server's master process, so workers share the map)."""
    cache = app.extensions.get("kg_documents")
    if cache is None:
        config = app.config["KG"]
        try:
            pack = DocumentPack.open(getattr(config, "release_dir", None))
        except (OSError, ValueError) as exc:
            log.warning("precomputed documents not used: %s", exc)
            pack = None
        if pack is not None and pack.base_uri != config.base_uri:
            log.warning("precomputed documents are for %s, not %s: not used", pack.base_uri, config.base_uri)
            pack = None
        budget = getattr(config, "document_cache_bytes", DEFAULT_MEMO_BYTES)
        cache = app.extensions.setdefault("kg_documents", DocumentCache(pack, budget))
    return cache


# ----------------------------------------------------------------------------------------------- build time


def _keys(store, base_uri: str, kinds: tuple[str, ...]) -> list[str]:
    """Canonical keys of the subjects under ``{base}/id/`` whose documents a build precomputes."""
    from server.pages.iris import is_safe_iri, key_of

    prefix = f"{base_uri}/id/"
    found = set()
    for row in store.query(f'SELECT DISTINCT ?s WHERE {{ ?s ?p ?o FILTER(isIRI(?s) && '
                           f'STRSTARTS(STR(?s), "{prefix}")) }}'):
        iri = row["s"].value
        key = key_of(base_uri, iri)
        if key is None or not is_safe_iri(iri):
            continue
        parts = key.split("/")
        if parts[0] in kinds and (parts[0] != "letter" or len(parts) == 2):
            found.add(key)
    return sorted(found)


_render_app = None
_render_formats: tuple[str, ...] | None = None


def _render_chunk(keys: list[str]) -> list[tuple[str, dict[str, bytes]]]:
    from server.resources import render_formats

    out = []
    with _render_app.test_request_context("/"):
        for key in keys:
            bodies = render_formats(key, _render_formats)
            if bodies:
                out.append((key, bodies))
    return out


def _chunks(keys: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(keys), size):
        yield keys[start:start + size]


def precompute(release: Path, *, store=None, base_uri: str | None = None, processes: int = 2,
               kinds: tuple[str, ...] = PRECOMPUTED_KINDS, extensions: tuple[str, ...] | None = None) -> dict:
    """Render every top-level resource document of ``release`` (of ``kinds``) in every format (or in
    ``extensions``: ``html``, ``ttl``, ``jsonld``, ``nt``, ``rdf``) into ``release/documents/``.

    Cost, measured on the 10,000-letter benchmark corpus: about 10 ms of CPU and 37 KB per letter for all five
    formats (the HTML page is half of both), so a build precomputes what it can afford and the per-worker
    memo serves the rest.

    Call it on a finished release folder *before* it is published (``current`` swapped), e.g. from the
    publisher on its temporary folder; ``store`` (a ``kg.store`` store) saves loading ``dataset.nq`` again.
    Returns the pack's facts (``documents``, ``bodies``, ``bytes``, ``formats``, ``files``, ``seconds``).
    """
    global _render_app, _render_formats
    from kg.store import open_release_store, read_manifest
    from server.app import create_app
    from server.config import ServerConfig

    started = time.perf_counter()
    release = Path(release)
    store = store if store is not None else open_release_store(release)
    base = base_uri or read_manifest(release).get("base_uri")
    config = ServerConfig.for_store(store, **({"base_uri": base} if base else {}))
    _render_app = create_app(config)
    _render_app.extensions["kg_documents"] = DocumentCache(None, budget=0)  # render, never read back
    _render_formats = extensions
    keys = _keys(store, config.base_uri, kinds)
    chunks = _chunks(keys, 200)
    try:
        if processes > 1 and len(keys) > 400:
            with multiprocessing.get_context("fork").Pool(processes) as pool:
                rendered = (pair for chunk in pool.imap(_render_chunk, chunks) for pair in chunk)
                facts = write_pack(release, rendered, base_uri=config.base_uri)
        else:
            facts = write_pack(release, (pair for chunk in chunks for pair in _render_chunk(chunk)),
                               base_uri=config.base_uri)
    finally:
        _render_app = _render_formats = None
    facts["seconds"] = round(time.perf_counter() - started, 2)
    return facts


def warm_up(app) -> None:
    """Compile the page templates in the master (forked workers inherit them): the first page a worker
    renders would otherwise pay 50-100 ms."""
    for name in ("base.html", "letter.html", "person.html", "resource.html", "note.html", "archive.html"):
        try:
            app.jinja_env.get_template(name)
        except Exception:  # noqa: BLE001 - a template missing here shows up on its own route
            log.debug("template %s not compiled at start", name, exc_info=True)


__all__ = ["DocumentCache", "Entry", "cache_for", "precompute", "warm_up"]
