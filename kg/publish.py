"""The build folder: a release is written beside the one being served and swapped in atomically when complete.

Layout (``DIR`` is ``kg build --out``)::

    DIR/current -> releases/<id>          a relative symlink, replaced with rename(2): readers see old or new
    DIR/releases/<id>/manifest.json       counts, sources and their SHA-256, graphs, files: size, SHA-256
    DIR/releases/<id>/dataset.nq          every quad, canonical and sorted: what the server loads
    DIR/releases/<id>/dumps/              kg.ttl kg.nt.gz kg.jsonld kg.trig kg.nq.gz SHA256SUMS
                                          network.csv network.json (the correspondent network, kg.network)
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

import bisect
import contextlib
import fcntl
import hashlib
import itertools
import json
import multiprocessing
import os
import secrets
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path

from rdflib import Graph, URIRef

from kg import settings
from kg.dumps import (
    DUMP_FORMATS,
    CanonicalDataset,
    DumpError,
    DumpProcess,
    LaterLines,
    Parts,
    ntriples_iri,
    parse_own,
    write_dumps_streamed,
    write_file,
)
from kg.files import sha256_file
from kg.network import NetworkFile, write_network
from kg.spill import SpilledDataset, batched, graph_suffix, spill_graphs, union_chunks
from kg.statistics import StatisticsCollector
from kg.textindex import TextIndexWriter
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
SEARCH_INDEX = "search.sqlite"
DUMPS_DIR = "dumps"
CURRENT = "current"
RELEASES = "releases"
MANIFEST_FORMAT = "kg-release/1"


class PublishError(Exception):
    """The release cannot be published; the message says why. The previous release stays current."""


def publish_release(named_graphs: Iterable[tuple[URIRef, Graph]], out_dir: Path, *, base_uri: str,
                    sources: list[dict], extra: dict | None = None, include_shapes: bool = True,
                    persist_store: bool = False, spilled: Path | None = None, workers: int = 1,
                    progress: Callable[[str], None] | None = None,
                    finish: Callable[[Path, str], dict] | None = None) -> Path:
    """Write a complete release into ``out_dir/releases/`` and make it ``out_dir/current``; return its folder.

    ``named_graphs``: (graph IRI, rdflib graph) pairs: one per source document, the ontology, Wikidata links.
    The shapes (``shapes/*.ttl``) are added as ``{base}/graph/shapes`` unless given or ``include_shapes`` is
    False; the dataset description is added as ``{base}/graph/void``. ``sources``: one ``{"path", "sha256",
    "documents"}`` per source file. ``extra``: JSON-able facts the caller wants in the manifest.
    ``persist_store`` also writes an Oxigraph store folder ``store/`` that the server opens without loading.
    ``spilled``: a folder of graphs already spilled by ``kg.spill`` (e.g. by the build's worker processes),
    published together with ``named_graphs``; the caller removes it. ``workers``: processes for sorting and
    for writing the dumps side by side. ``progress`` is told, in words, which step begins (minutes each at
    100,000 letters). ``finish(folder, base_uri)``: a last step on the complete release folder before its
    manifest is written and it is swapped in (the server's precomputed documents, ``kg build --documents``);
    what it returns is recorded in the manifest as ``documents``, and if it raises, nothing is published.
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
                                    extra=extra, include_shapes=include_shapes, persist_store=persist_store,
                                    spilled=spilled, workers=workers, say=progress or (lambda _msg: None),
                                    finish=finish)
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


@contextlib.contextmanager
def scratch_folder(out_dir: Path) -> Iterator[Path]:
    """A temporary folder beside the releases (same file system, so large intermediate files cost no copy),
    removed afterwards; one left by a killed build is pruned by the next publish, as release temporaries are."""
    releases = Path(out_dir) / RELEASES
    releases.mkdir(parents=True, exist_ok=True)
    folder = releases / f".tmp-{os.getpid()}-scratch-{secrets.token_hex(4)}"
    folder.mkdir()
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


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


#: A build's peak use of disk as a multiple of the release it publishes: the new release, the graphs its workers
#: spilled, the sorted runs and the merged content the dumps are written from, all at once. Measured: 2.9 GB at the
#: peak for the 1.3 GB release of 10,000 letters (``benchmarks/README.md``, session 10). The previous release is
#: already on the disk, and stays there for a rollback.
PEAK_DISK_PER_RELEASE = 2.2


def disk_room(out_dir: Path) -> tuple[int, int] | None:
    """(bytes a build like the last one needs at its peak, bytes free) on the disk of ``out_dir``; None before the
    first build, when there is nothing to go by.

    At 100,000 letters a build needs about 30 GB and runs for minutes before it writes the release: an archivist
    whose disk is too small should hear it when the build begins, not when it stops with "No space left on
    device". The last release is the measure because the next build is almost always the same corpus give or take
    a few letters (and, with ``--documents``, the same documents)."""
    try:
        last = current_release(out_dir)
    except PublishError:
        return None
    size = sum(path.stat().st_size for path in last.rglob("*") if path.is_file() and not path.is_symlink())
    return int(size * PEAK_DISK_PER_RELEASE), shutil.disk_usage(out_dir).free


# -------------------------------------------------------------------------------------------- writing
def _write_release(folder: Path, named_graphs: Iterable[tuple[URIRef, Graph]], *, base_uri: str,
                   sources: list[dict], extra: dict | None, include_shapes: bool, persist_store: bool,
                   spilled: Path | None, workers: int, say: Callable[[str], None],
                   finish: Callable[[Path, str], dict] | None = None) -> str:
    ids = Description(base_uri)
    spill_dir = Path(spilled) if spilled is not None else folder / ".spill"
    try:
        # One graph at a time: a caller that maps source by source never holds every graph at once.
        spill_graphs(spill_dir, f"publish-{os.getpid()}", named_graphs)
        dataset = SpilledDataset(spill_dir)
        names = dataset.spilled_names()
        statistics_graph = f"{base_uri}/graph/statistics"
        for reserved, why in ((str(ids.graph_name), "the dataset description (kg.void)"),
                              (statistics_graph, "the precomputed statistics (kg.statistics)")):
            if reserved in names:
                raise PublishError(f"graph {reserved} is reserved for {why}")
        if include_shapes and f"{base_uri}/graph/shapes" not in names:
            spill_graphs(spill_dir, f"shapes-{os.getpid()}", [shapes_graph(base_uri)])
        dataset.finish()
        say(f"sorting {sum(len(b) for b in dataset.blocks.values())} graph block(s) and counting the statistics")
        collector = dataset.sort(workers=workers, collect=lambda: StatisticsCollector(base_uri))
    except DumpError as exc:
        raise PublishError(str(exc)) from exc
    # The precomputed statistics (kg.statistics) join the content as their own graph, like the description.
    statistics = {statistics_graph: collector.graph_lines()} if collector is not None else {}
    statistics_quads = [line[:-3] + graph_suffix(name) for name, lines in statistics.items() for line in lines]
    say("indexing the texts for search, beside the next steps")
    search = _TextIndexProcess(dataset, statistics, base_uri, folder / SEARCH_INDEX)
    files: dict[str, dict] = {}
    early: list[DumpProcess] = []
    copying: DumpProcess | None = None  # dataset.nq, copied beside the dumps
    description_lines = LaterLines() if workers > 1 else None
    try:
        # Checked while the search index is begun (and abandoned, below, if the statistics fail their shapes):
        # at 100,000 letters the check takes seconds of one core, and nothing else ran beside it.
        for name, lines in statistics.items():
            _check_statistics(name, lines)
        # TriG reads the spilled graphs, not the merged content: it is written from now on, beside the merge, and
        # is handed the description's lines when it reaches their graph (they exist only after the merge).
        if description_lines is not None:
            trig_extra = {**statistics, str(ids.graph_name): description_lines.get}
            early.append(DumpProcess(DUMP_FORMATS["trig"], folder / DUMPS_DIR, base_uri=base_uri,
                                     later=description_lines, grouped=lambda: dataset.iter_grouped(trig_extra)))
        # One merge of the sorted runs writes the content (N-Quads and the union graph's N-Triples) and counts it
        # for the description; the description counts the content plus itself, and its few lines then join the
        # content as the piece between the lines before and after their place (_ContentFiles): ``dataset.nq`` is
        # copied from the pieces beside the dumps, which read the same pieces.
        issued = release_date()
        info = DescriptionInput(base_uri=base_uri, issued=issued,
                                source_documents=sum(int(s.get("documents", 0)) for s in sources),
                                source_files=len(sources), network=collector is not None)
        say("merging the sorted graphs and counting them for the dataset description")
        with _ContentFiles(spill_dir, _description_place(ids)) as content:
            content_stats = compute_statistics(content.union(dataset.iter_nquads(statistics_quads)), base_uri)
        core, stats = describe_with_own_counts(content_stats, info)
        description = CanonicalDataset()
        description.add_graph(str(ids.graph_name), core)
        own_lines = description.graphs[str(ids.graph_name)]
        search.finish(own_lines)
        if description_lines is not None:
            description_lines.put(own_lines)
        suffix = graph_suffix(str(ids.graph_name))
        extra_graphs = {**statistics, str(ids.graph_name): own_lines}

        nquads, quads = content.with_description("nq", [line[:-3] + suffix for line in own_lines])
        union, triples = content.with_description("nt", own_lines)
        if triples != stats.triples:  # pragma: no cover - a bug in the fixpoint, never the user's input
            raise PublishError(f"description says {stats.triples} triples, the union graph has {triples}")
        say(f"writing {DATASET} ({stats.triples} triples) and, at the same time, the dumps "
            f"({', '.join(f.filename for f in DUMP_FORMATS.values())})")
        copying = _start_dataset_copy(folder, nquads, base_uri)
        network: list[NetworkFile] = []

        def meanwhile() -> list[tuple[str, str]]:
            """This process's own steps, done while the dump writers run (it only waits for them): the sorted
            runs go, and the correspondent network is written as ready-made files (kg.network), from the counts
            above, served as they are. At 100,000 letters both took 1.5-2 s before any dump could begin."""
            dataset.drop_runs()
            network.extend(write_network(folder / DUMPS_DIR, collector) if collector is not None else [])
            return [(f.path.name, f.sha256) for f in network]

        dumps = write_dumps_streamed(folder / DUMPS_DIR, base_uri=base_uri, union_file=union, nquads_file=nquads,
                                     grouped=lambda: dataset.iter_grouped(extra_graphs), workers=workers,
                                     also_listed=meanwhile, started=early)
        size, digest = copying.result()
        files[DATASET] = {"size": size, "sha256": digest}
        content.remove()
        files[SEARCH_INDEX] = search.result()
    except BaseException:
        search.abandon()
        for process in (*early, copying):
            if process is not None:
                process.abandon()
        raise
    finally:
        if description_lines is not None:
            description_lines.close()
    graph_counts = dict(sorted({**dataset.graph_counts(), **{n: len(lines) for n, lines in extra_graphs.items()}}
                               .items()))
    if spilled is None:
        shutil.rmtree(spill_dir, ignore_errors=True)

    full = describe(stats, replace(info, dumps=dumps, network_files=network))
    conforms, report = validate_description(full)
    if not conforms:
        raise PublishError(f"the dataset description does not conform to shapes/dataset.ttl and "
                           f"shapes/served/:\n{report}")
    size, digest = write_file(folder / VOID_FILE, _canonical_turtle(full, base_uri))
    files[VOID_FILE] = {"size": size, "sha256": digest}

    if persist_store:
        _write_store(folder)
    finished = finish(folder, base_uri) if finish is not None else None

    manifest = {
        "format": MANIFEST_FORMAT,
        "base_uri": base_uri,
        "issued": issued.isoformat() if issued else None,
        "counts": {
            "triples": stats.triples,
            "quads": quads,
            "letters": stats.letters,
            "entities": stats.entities,
            "graphs": len(graph_counts),
            "wikidata_links": stats.wikidata_links,
            "source_files": len(sources),
            "source_documents": info.source_documents,
        },
        "sources": _portable_sources(sources),
        "graphs": [{"name": name, "triples": count} for name, count in graph_counts.items()],
        "files": files,
        "dumps": [*(d.to_dict() for d in dumps), *(f.to_dict() for f in network)],
        "persisted_store": persist_store,
        "extra": extra or {},
    }
    if finished is not None:
        manifest["documents"] = finished
    body = json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True)
    release_id = hashlib.sha256(body.encode("utf-8")).hexdigest()[:16]
    manifest = {"release": release_id, **manifest}
    write_file(folder / MANIFEST, (json.dumps(manifest, ensure_ascii=False, indent=2, sort_keys=True) + "\n")
               .encode("utf-8"))
    _fsync_dir(folder / DUMPS_DIR)
    _fsync_dir(folder)
    return release_id


def ntriples_graph(lines: list[bytes]) -> Graph:
    """Canonical N-Triples lines as an rdflib graph, the same triples rdflib's own parser gives, read by
    pyoxigraph: rdflib's parser was three quarters of checking the statistics (6.5 s of 8.7 at 100,000
    letters), on the build's serial path. Each IRI becomes one ``URIRef`` instance."""
    import pyoxigraph as ox
    from rdflib import BNode, Literal
    from rdflib.namespace import XSD

    from kg.mapping.namespaces import new_graph

    graph = new_graph()
    iris: dict[str, URIRef] = {}
    plain = str(XSD.string)  # rdflib's parser leaves a plain literal without a datatype

    def term(node: ox.NamedNode | ox.BlankNode | ox.Literal):
        if isinstance(node, ox.NamedNode):
            found = iris.get(node.value)
            if found is None:
                found = iris[node.value] = URIRef(node.value)
            return found
        if isinstance(node, ox.BlankNode):
            return BNode(node.value)
        if node.language:
            return Literal(node.value, lang=node.language)
        if node.datatype.value == plain:
            return Literal(node.value)
        return Literal(node.value, datatype=term(node.datatype))

    for triple in parse_own(b"".join(lines), ox.RdfFormat.N_TRIPLES):
        graph.add((term(triple.subject), term(triple.predicate), term(triple.object)))
    return graph


def _check_statistics(name: str, lines: list[bytes]) -> None:
    """The statistics graph meets its shapes (``shapes/statistics.ttl``) like every other graph, or nothing is
    published: it is made here, after the build validated the mapped graphs."""
    from kg.validate import validate_graphs

    outcome = validate_graphs([(URIRef(name), ntriples_graph(lines))], workers=1)
    if not outcome.conforms:
        raise PublishError(f"the precomputed statistics do not conform to the shapes:\n{outcome.report_text()}")


class _TextIndexProcess:
    """The full-text index (``kg.textindex``), built in a forked process while this one writes the rest.

    It reads the spilled graphs, not the dumps, so it starts as soon as the graphs are sorted: beside the
    serial steps that follow (counting the union for the description, writing ``dataset.nq``), which left the
    second core idle, rather than beside the dump writers, which keep both cores busy (measured at 100,000
    letters: about 70 s of CPU). The dataset description is made only after the count; it is sent over a pipe
    (:meth:`finish`) and indexed last, as before, so the file's bytes are unchanged.
    """

    def __init__(self, dataset: SpilledDataset, statistics: dict[str, list[bytes]], base_uri: str,
                 path: Path) -> None:
        self.path = path
        self._description = LaterLines()

        def build() -> None:
            self._description.in_child()
            writer = TextIndexWriter(base_uri)
            try:
                for name in dataset.graph_names:
                    writer.feed(dataset.graph_lines(name))
                for lines in statistics.values():
                    writer.feed(lines)
                writer.feed(self._description.get())  # fails when the publisher gave up: nothing is written
                writer.write(path)
            finally:
                writer.close()

        self.process = multiprocessing.get_context("fork").Process(target=build, name="kg-text-index")
        self.process.start()
        self._description.in_parent()

    def finish(self, description: list[bytes]) -> None:
        """Hand over the description's lines; the index is written once they are in."""
        self._description.put(description)

    def result(self) -> dict:
        """Wait for the file; its size and SHA-256 for the manifest."""
        self.process.join()
        if self.process.exitcode != 0 or not self.path.is_file():
            raise PublishError(f"the full-text index could not be written (exit code {self.process.exitcode}); "
                               f"see the error above")
        return {"size": self.path.stat().st_size, "sha256": sha256_file(self.path)}

    def abandon(self) -> None:
        """Stop the process (the release failed before the index was needed)."""
        self._description.close()
        if self.process.is_alive():
            self.process.terminate()
        self.process.join()


#: Lines written at a time: one ``write`` of their joined bytes instead of one a line.
_CHUNK = 1 << 16


class _ContentFiles:
    """The content's sorted N-Quads and the union graph's sorted N-Triples (each triple once), written while
    the merged quads pass by on their way to be counted.

    Each is written as three files: the lines before the place the dataset description takes (``place``: the
    lines whose subject starts there, see :func:`_description_place`), the lines in it and the lines after it.
    The description exists only once the content is counted; it then joins the middle file, which holds no
    line at all unless the content describes the description's own IRIs, and the whole is read as
    :class:`kg.dumps.Parts`. Before, the 6 GB of content at 100,000 letters were copied into ``dataset.nq`` (and
    4.5 GB into the union graph's file) to let the description in, on one core, before any dump could start.
    """

    def __init__(self, folder: Path, place: tuple[bytes, bytes]) -> None:
        self.place = place
        self.files = {kind: tuple(folder / f"content-{part}.{kind}" for part in ("before", "in", "after"))
                      for kind in ("nq", "nt")}
        self.counts = dict.fromkeys(self.files, 0)  #: lines written of each kind

    def __enter__(self) -> _ContentFiles:
        self._out = {kind: [path.open("wb", buffering=1 << 20) for path in paths]
                     for kind, paths in self.files.items()}
        return self

    def __exit__(self, *_exc: object) -> None:
        for outs in self._out.values():
            for out in outs:
                out.close()

    def union(self, nquads: Iterator[bytes]) -> Iterator[bytes]:
        """Write ``nquads`` (sorted, each once) and their union graph; yield the union graph's lines."""
        quads = self._written("nq", batched(nquads, _CHUNK))
        return itertools.chain.from_iterable(self._written("nt", union_chunks(quads)))

    def _written(self, kind: str, chunks: Iterator[list[bytes]]) -> Iterator[list[bytes]]:
        for lines in chunks:
            self.counts[kind] += len(lines)
            self._write(kind, lines)
            yield lines

    def _write(self, kind: str, lines: list[bytes]) -> None:
        """Sorted lines into the three files (almost always one chunk into one file: no slicing)."""
        if not lines:  # every triple of a chunk of quads can be one already written
            return
        start, end = self.place
        before, inside, after = self._out[kind]
        if lines[-1] < start:
            before.write(b"".join(lines))
        elif lines[0] >= end:
            after.write(b"".join(lines))
        else:
            first, last = bisect.bisect_left(lines, start), bisect.bisect_left(lines, end)
            before.write(b"".join(lines[:first]))
            inside.write(b"".join(lines[first:last]))
            after.write(b"".join(lines[last:]))

    def with_description(self, kind: str, own: list[bytes]) -> tuple[Parts, int]:
        """The content's lines of ``kind`` with the description's sorted lines ``own`` merged in, as pieces;
        and how many lines they hold."""
        start, end = self.place
        if own and not (start <= own[0] and own[-1] < end):  # pragma: no cover - a bug in kg.void
            raise PublishError(f"the dataset description has lines outside {start.decode()}…, where the "
                               f"publisher leaves it room: {own[0][:80]!r}")
        before, inside, after = self.files[kind]
        held = inside.read_bytes().splitlines(keepends=True)
        merged = sorted(set(held).union(own))
        return Parts((before, b"".join(merged), after)), self.counts[kind] + len(merged) - len(held)

    def remove(self) -> None:
        for paths in self.files.values():
            for path in paths:
                path.unlink(missing_ok=True)


def _description_place(ids: Description) -> tuple[bytes, bytes]:
    """Where the dataset description's lines fall among sorted lines: from the first line whose subject starts
    with its document's IRI (``{base}/.well-known/void``, of which every node is a fragment: ``kg.void``) up
    to, not including, the first line past every such line."""
    start = ntriples_iri(str(ids.document))[:-1]
    return start, start[:-1] + bytes([start[-1] + 1])


def _start_dataset_copy(folder: Path, nquads: Parts, base_uri: str) -> DumpProcess:
    """``dataset.nq``, copied from its pieces in a process of its own while the dumps are written from the same
    pieces (hashed as it is written, for the manifest)."""
    fmt = replace(DUMP_FORMATS["nq"], key="dataset", filename=DATASET, gzipped=False)
    return DumpProcess(fmt, folder, base_uri=base_uri, nquads_file=nquads)


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
