"""The build folder: a release is written beside the one being served and swapped in atomically when complete.

Layout (``DIR`` is ``kg build --out``)::

    DIR/current -> releases/<id>          a relative symlink, replaced with rename(2): readers see old or new
    DIR/releases/<id>/manifest.json       counts, sources and their SHA-256, graphs, files: size, SHA-256
    DIR/releases/<id>/dataset.nq          every quad, canonical and sorted: what the server loads
    DIR/releases/<id>/dumps/              kg.ttl kg.nt.gz kg.jsonld kg.trig kg.nq.gz SHA256SUMS
    DIR/releases/<id>/void.ttl            the VoID + DCAT description served at /.well-known/void
    DIR/releases/.tmp-<pid>-…             a release being written (removed on failure; stale ones pruned)

Why this shape: a build that fails or is killed half-way must never leave the server pointing at half a
release, so everything is written into a temporary folder, fsynced, renamed to its final name and only then
made ``current`` by replacing the symlink in one ``rename``. The previous release is kept for rollback
(:func:`rollback`); older ones are pruned.

The release id is the first 16 hex digits of the SHA-256 of the manifest (which holds every file's SHA-256):
the same sources give the same id, and republishing identical content only re-points ``current``. No
wall-clock time goes into a release: dates come from ``SOURCE_DATE_EPOCH`` when it is set (see ``kg.void``).
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import secrets
import shutil
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from rdflib import Graph, URIRef

from kg import settings
from kg.dumps import CanonicalDataset, DumpError, write_dumps, write_file, write_lines_file
from kg.void import (
    Description,
    DescriptionInput,
    compute_statistics,
    describe,
    describe_with_own_counts,
    release_date,
    validate_description,
)

MANIFEST = "manifest.json"
DATASET = "dataset.nq"
VOID_FILE = "void.ttl"
DUMPS_DIR = "dumps"
CURRENT = "current"
RELEASES = "releases"
MANIFEST_FORMAT = "kg-release/1"


class PublishError(Exception):
    """The release cannot be published; the message says why. The previous release stays current."""


def publish_release(named_graphs: Iterable[tuple[URIRef, Graph]], out_dir: Path, *, base_uri: str,
                    sources: list[dict], extra: dict | None = None, include_shapes: bool = True,
                    persist_store: bool = False) -> Path:
    """Write a complete release into ``out_dir/releases/`` and make it ``out_dir/current``; return its folder.

    ``named_graphs``: (graph IRI, rdflib graph) pairs: one per source document, the ontology, Wikidata links.
    The shapes (``shapes/*.ttl``) are added as ``{base}/graph/shapes`` unless given or ``include_shapes`` is
    False; the dataset description is added as ``{base}/graph/void``. ``sources``: one ``{"path", "sha256",
    "documents"}`` per source file. ``extra``: JSON-able facts the caller wants in the manifest.
    ``persist_store`` also writes an Oxigraph store folder ``store/`` that the server opens without loading.
    """
    out_dir = Path(out_dir)
    base_uri = settings.normalise_base_uri(base_uri)
    releases = out_dir / RELEASES
    current = out_dir / CURRENT
    if current.exists() and not current.is_symlink():
        raise PublishError(f"{current} exists and is not a symlink; move it away (the build folder keeps "
                           f"releases under {releases} and points {current} at one)")
    releases.mkdir(parents=True, exist_ok=True)
    _remove_stale_temporaries(releases)
    temporary = releases / f".tmp-{os.getpid()}-{secrets.token_hex(4)}"
    temporary.mkdir()
    try:
        release_id = _write_release(temporary, named_graphs, base_uri=base_uri, sources=sources,
                                    extra=extra, include_shapes=include_shapes, persist_store=persist_store)
        with _locked(out_dir):
            final = releases / release_id
            if final.is_dir():
                shutil.rmtree(temporary)  # the same content is already there, byte for byte
            else:
                os.rename(temporary, final)
            _fsync_dir(releases)
            previous = _swap_current(out_dir, release_id)
            _prune(releases, keep={release_id, previous})
        return final
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise


def current_release(out_dir: Path) -> Path:
    """The release folder ``out_dir/current`` points at; :class:`PublishError` when there is none."""
    current = Path(out_dir) / CURRENT
    if not current.is_dir():
        raise PublishError(f"no published build in {out_dir} ({current} is missing): run `kg build --out "
                           f"{out_dir}` first")
    return current.resolve()


def read_manifest(release: Path) -> dict:
    """A release's manifest (empty when it has none); :class:`PublishError` when it is not JSON."""
    path = Path(release) / MANIFEST
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise PublishError(f"{path}: unreadable manifest: {exc}") from exc


def rollback(out_dir: Path) -> Path:
    """Point ``current`` back at the other kept release (the one before the last build); return it."""
    out_dir = Path(out_dir)
    active = current_release(out_dir).name
    with _locked(out_dir):
        others = [p for p in (out_dir / RELEASES).iterdir()
                  if p.is_dir() and not p.name.startswith(".") and p.name != active]
        if not others:
            raise PublishError(f"{out_dir}: no previous release to roll back to")
        target = max(others, key=lambda p: p.stat().st_mtime)
        _swap_current(out_dir, target.name)
    return target


# -------------------------------------------------------------------------------------------- writing
def _write_release(folder: Path, named_graphs: Iterable[tuple[URIRef, Graph]], *, base_uri: str,
                   sources: list[dict], extra: dict | None, include_shapes: bool, persist_store: bool) -> str:
    ids = Description(base_uri)

    def checked() -> Iterator[tuple[URIRef, Graph]]:
        # One graph at a time: a caller that maps source by source never holds every graph at once.
        names = set()
        for name, graph in named_graphs:
            if str(name) == str(ids.graph_name):
                raise PublishError(f"graph {ids.graph_name} is reserved for the dataset description (kg.void)")
            names.add(str(name))
            yield name, graph
        if include_shapes and f"{base_uri}/graph/shapes" not in names:
            yield shapes_graph(base_uri)

    try:
        dataset = CanonicalDataset.from_rdflib(checked())
    except DumpError as exc:
        raise PublishError(str(exc)) from exc

    # The description counts the content plus itself, then joins the dataset as its own graph.
    issued = release_date()
    info = DescriptionInput(base_uri=base_uri, issued=issued,
                            source_documents=sum(int(s.get("documents", 0)) for s in sources),
                            source_files=len(sources))
    content_stats = compute_statistics(dataset.union_lines(), base_uri)
    core, stats = describe_with_own_counts(content_stats, info)
    dataset.add_graph(str(ids.graph_name), core)
    union = dataset.union_lines()
    if len(union) != stats.triples:  # pragma: no cover - a bug in the fixpoint, never the user's input
        raise PublishError(f"description says {stats.triples} triples, the union graph has {len(union)}")

    files: dict[str, dict] = {}
    size, digest = write_lines_file(folder / DATASET, dataset.iter_nquads())
    files[DATASET] = {"size": size, "sha256": digest}
    dumps = write_dumps(dataset, folder / DUMPS_DIR, base_uri=base_uri, union=union,
                        nquads_file=folder / DATASET)
    del union

    full = describe(stats, replace(info, dumps=dumps))
    conforms, report = validate_description(full)
    if not conforms:
        raise PublishError(f"the dataset description does not conform to shapes/dataset.ttl and "
                           f"shapes/served/:\n{report}")
    size, digest = write_file(folder / VOID_FILE, _canonical_turtle(full, base_uri))
    files[VOID_FILE] = {"size": size, "sha256": digest}

    if persist_store:
        _write_store(folder)

    manifest = {
        "format": MANIFEST_FORMAT,
        "base_uri": base_uri,
        "issued": issued.isoformat() if issued else None,
        "counts": {
            "triples": stats.triples,
            "quads": dataset.quad_count,
            "letters": stats.letters,
            "entities": stats.entities,
            "graphs": len(dataset.graphs),
            "wikidata_links": stats.wikidata_links,
            "source_files": len(sources),
            "source_documents": info.source_documents,
        },
        "sources": _portable_sources(sources),
        "graphs": [{"name": name, "triples": len(lines)} for name, lines in dataset.graphs.items()],
        "files": files,
        "dumps": [d.to_dict() for d in dumps],
        "persisted_store": persist_store,
        "extra": extra or {},
    }
    body = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True)
    release_id = hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]
    manifest = {"release": release_id, **manifest}
    write_file(folder / MANIFEST, (json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
               .encode("utf-8"))
    _fsync_dir(folder / DUMPS_DIR)
    _fsync_dir(folder)
    return release_id


def shapes_graph(base_uri: str, shapes_dir: Path | None = None) -> tuple[URIRef, Graph]:
    """All ``shapes/*.ttl`` as one graph ``{base}/graph/shapes``: a downloader can validate what they got.

    Not ``shapes/served/``: those require the dumps' sizes and checksums, which only the served ``void.ttl`` has,
    never the description inside the dataset (the same split as ``kg.validate.load_shapes``).
    """
    graph = Graph()
    for path in sorted((shapes_dir or settings.shapes_dir()).glob("*.ttl")):
        graph.parse(path, format="turtle")
    return URIRef(f"{base_uri}/graph/shapes"), graph


def _canonical_turtle(graph: Graph, base_uri: str) -> bytes:
    import io

    from kg.dumps import DUMP_FORMATS, prefixes_for
    from kg.void import SPDX

    single = CanonicalDataset()
    single.add_graph("urn:x-kg:description", graph)
    out = io.BytesIO()
    single.write(DUMP_FORMATS["ttl"], out, prefixes={**prefixes_for(base_uri), "spdx": str(SPDX)})
    return out.getvalue()


def _portable_sources(sources: list[dict]) -> list[dict]:
    """Sources named relative to their common folder: the manifest must not depend on the checkout's place."""
    paths = [Path(str(s.get("path", ""))) for s in sources]
    try:
        root = Path(os.path.commonpath([str(p.parent) for p in paths])) if paths else None
    except ValueError:  # a mix of relative and absolute paths
        root = None
    out = []
    for source, path in zip(sources, paths, strict=True):
        name = path.relative_to(root).as_posix() if root is not None else path.name
        out.append({"path": name, "sha256": source.get("sha256"), "documents": source.get("documents", 0)})
    return sorted(out, key=lambda s: s["path"])


def _write_store(folder: Path) -> None:
    import pyoxigraph as ox

    store = ox.Store(str(folder / "store"))
    store.bulk_load(path=str(folder / DATASET), format=ox.RdfFormat.N_QUADS)
    store.optimize()
    store.flush()
    del store


# ------------------------------------------------------------------------------------------- swapping
def _swap_current(out_dir: Path, release_id: str) -> str | None:
    """Point ``current`` at ``releases/<release_id>`` atomically; return the id it pointed at before."""
    current = out_dir / CURRENT
    previous = Path(os.readlink(current)).name if current.is_symlink() else None
    link = out_dir / f".current-{os.getpid()}-{secrets.token_hex(4)}"
    os.symlink(f"{RELEASES}/{release_id}", link)
    try:
        os.replace(link, current)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            link.unlink()
        raise
    _fsync_dir(out_dir)
    return previous if previous != release_id else None


def _prune(releases: Path, keep: set[str | None]) -> None:
    """Remove releases other than the new and the previous one."""
    for path in sorted(releases.iterdir()):
        if path.name.startswith(".") or path.name in keep or path.is_symlink() or not path.is_dir():
            continue
        shutil.rmtree(path, ignore_errors=True)


def _remove_stale_temporaries(releases: Path) -> None:
    """Remove ``.tmp-<pid>-…`` folders whose build process is gone (killed before it could clean up)."""
    for path in releases.glob(".tmp-*"):
        try:
            pid = int(path.name.split("-")[1])
        except (IndexError, ValueError):
            continue
        if pid != os.getpid() and not _alive(pid):
            shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def _locked(out_dir: Path) -> Iterator[None]:
    """One swap at a time per build folder (two builds may run; swaps and prunes must not interleave)."""
    with (out_dir / ".lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
