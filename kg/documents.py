"""A release's precomputed resource documents: one pack file of bodies and one index, read without parsing.

Why: a letter's document (``/doc/letter/K.ttl`` and its siblings) takes about seven queries, four serialisers
and a template to make, 5-10 ms per request; read from a pack it is a dictionary lookup and a slice of a
memory map shared by every worker through the page cache. The build is immutable while a server runs, so what
a build precomputes stays true.

Layout inside the release folder::

    documents/pack.bin      the bodies, concatenated (no separators, no compression)
    documents/index.json    {"format": 1, "base_uri": ..., "script_root": "", "documents":
                             {key: {ext: [offset, length, etag]}}}

``etag`` is the first 32 hex digits of the body's SHA-256, a strong validator. This module only stores and
reads bytes; what goes in them is the server's business (``server.documents.precompute`` renders them), so
that the publisher can call it without importing the server.
"""

from __future__ import annotations

import hashlib
import json
import mmap
import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

DOCUMENTS_DIR = "documents"
#: Kinds of resources whose documents a build can precompute (``kg build --documents``); a letter's
#: sub-resources are left to the server's memo.
PRECOMPUTED_KINDS = ("letter", "person", "org", "place", "event", "archive", "edition")
PACK = "pack.bin"
INDEX = "index.json"
FORMAT = 1


def etag_of(body: bytes) -> str:
    """The strong validator of a document body (also used for documents rendered on demand)."""
    return hashlib.sha256(body).hexdigest()[:32]


@dataclass(frozen=True)
class Stored:
    """One stored document: its body and validator."""

    body: bytes
    etag: str


def write_pack(folder: Path, documents: Iterable[tuple[str, dict[str, bytes]]], *, base_uri: str,
               script_root: str = "") -> dict:
    """Write ``(key, {ext: body})`` pairs (keys in any order, each once) to ``folder/documents/``.

    Returns ``{"documents", "bodies", "bytes", "formats", "files"}`` (files: name -> size and sha256), for
    the release manifest. The index is sorted, so equal inputs give equal files.
    """
    target = Path(folder) / DOCUMENTS_DIR
    target.mkdir(parents=True, exist_ok=True)
    index: dict[str, dict[str, list]] = {}
    offset = 0
    formats: set[str] = set()
    pack_hash = hashlib.sha256()
    with open(target / PACK, "wb") as pack:
        for key, bodies in documents:
            entry = index.setdefault(key, {})
            for ext, body in sorted(bodies.items()):
                pack.write(body)
                pack_hash.update(body)
                entry[ext] = [offset, len(body), etag_of(body)]
                offset += len(body)
                formats.add(ext)
        pack.flush()
        os.fsync(pack.fileno())
    text = json.dumps({"format": FORMAT, "base_uri": base_uri, "script_root": script_root,
                       "documents": dict(sorted(index.items()))}, sort_keys=True, separators=(",", ":"))
    (target / INDEX).write_text(text + "\n", encoding="utf-8")
    files = {f"{DOCUMENTS_DIR}/{PACK}": {"size": offset, "sha256": pack_hash.hexdigest()},
             f"{DOCUMENTS_DIR}/{INDEX}": {"size": len(text) + 1,
                                          "sha256": hashlib.sha256((text + "\n").encode()).hexdigest()}}
    return {"documents": len(index), "bodies": sum(len(v) for v in index.values()), "bytes": offset,
            "formats": sorted(formats), "files": files}


class DocumentPack:
    """The precomputed documents of one release, opened read-only (``None`` from :meth:`open` when absent)."""

    def __init__(self, folder: Path) -> None:
        target = Path(folder) / DOCUMENTS_DIR
        meta = json.loads((target / INDEX).read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT:
            raise ValueError(f"{target / INDEX}: unknown documents format {meta.get('format')!r}")
        self.base_uri: str = meta["base_uri"]
        self.script_root: str = meta.get("script_root", "")
        self._index: dict[str, dict[str, list]] = meta["documents"]
        with open(target / PACK, "rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            # An mmap survives fork and is shared through the page cache: no per-worker copy.
            self._map = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) if size else b""

    @classmethod
    def open(cls, release: Path | None) -> DocumentPack | None:
        if release is None or not (Path(release) / DOCUMENTS_DIR / INDEX).is_file():
            return None
        return cls(release)

    def __contains__(self, key: str) -> bool:
        return key in self._index

    def __len__(self) -> int:
        return len(self._index)

    def keys(self) -> Iterable[str]:
        return self._index.keys()

    def get(self, key: str, ext: str) -> Stored | None:
        entry = self._index.get(key)
        found = entry.get(ext) if entry else None
        if found is None:
            return None
        offset, length, etag = found
        return Stored(self._map[offset:offset + length], etag)


__all__ = ["DOCUMENTS_DIR", "PRECOMPUTED_KINDS", "DocumentPack", "Stored", "etag_of", "write_pack"]
