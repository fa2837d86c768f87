"""Deterministic dumps of a release: the same quads give the same bytes, in every format, at any size.

Why not ``rdflib.Graph.serialize``: its Turtle writer grows super-linearly (minutes at 10,000 letters), and
its order and blank-node labels change from run to run. Here every graph is turned once into canonical,
sorted N-Triples lines (bytes, one triple a line, as pyoxigraph writes canonical N-Triples), and every format
is written from those lines by pyoxigraph's streaming writers, which keep the order they are given:

- blank nodes get RDFC-1.0 canonical labels (``_:c14n0`` ...), computed over the quads that mention a blank
  node only (the algorithm never looks at the others, so the labels are those of the whole dataset at a
  fraction of the cost): rebuilding the same sources gives the same labels though rdflib mints random ones;
- lines are sorted bytewise, so ``LC_ALL=C sort -c`` confirms that the N-Triples and N-Quads dumps are
  sorted, and the Turtle/TriG/JSON-LD writers see each subject's triples together, grouped the same way;
- prefixes are written in the fixed order of :data:`PREFIXES`;
- gzip members carry no file name and mtime 0 (RFC 1952 allows both), so the compressed bytes depend on the
  content alone (for a given zlib).

This module knows nothing of releases or VoID (``kg.publish``, ``kg.void``): it turns quads into files.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import itertools
import multiprocessing
import os
import re
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox
from isal import igzip
from rdflib import BNode, Graph, Literal, URIRef

from kg import settings

#: Prefixes of the Turtle and TriG dumps, in the order written (deterministic output needs a fixed order).
PREFIXES: dict[str, str] = {
    "crm": "http://www.cidoc-crm.org/cidoc-crm/",
    "kgo": settings.ONTOLOGY_NAMESPACE,
    "schema": "https://schema.org/",
    "rico": "https://www.ica.org/standards/RiC/ontology#",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": "http://www.w3.org/ns/oa#",
    "dct": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "void": "http://rdfs.org/ns/void#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "sh": "http://www.w3.org/ns/shacl#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "wd": "http://www.wikidata.org/entity/",
}


def prefixes_for(base_uri: str) -> dict[str, str]:
    """The prefixes of a deployment's dumps.

    Only vocabularies: our own ``{base}/id/`` IRIs all hold slashes, which Turtle would have to escape in a
    prefixed name (``id:letter\\/bl1996-009``), so they are clearer written out in full.
    """
    del base_uri  # kept in the signature: a deployment may one day add its own vocabulary here
    return dict(PREFIXES)


@dataclass(frozen=True)
class DumpFormat:
    """One downloadable serialisation: where it is written and how it is described and served."""

    key: str  #: the ``kg dump --format`` value
    filename: str  #: file name inside ``dumps/``
    media_type: str  #: media type of the RDF it contains (DCAT ``mediaType``)
    rdf_format: ox.RdfFormat
    named_graphs: bool  #: True: one named graph per source (TriG, N-Quads); False: the union graph
    gzipped: bool = False

    @property
    def served_media_type(self) -> str:
        """What the HTTP response says: the bytes of a ``.gz`` file are a gzip archive, not N-Triples.

        Serving ``kg.nt.gz`` as N-Triples with ``Content-Encoding: gzip`` would make clients unpack it on
        the fly (and break ``Range`` resumption), so it is ``application/gzip``; DCAT records the RDF type
        separately.
        """
        return "application/gzip" if self.gzipped else self.media_type


DUMP_FORMATS: dict[str, DumpFormat] = {
    f.key: f
    for f in (
        DumpFormat("ttl", "kg.ttl", "text/turtle", ox.RdfFormat.TURTLE, named_graphs=False),
        DumpFormat("nt", "kg.nt.gz", "application/n-triples", ox.RdfFormat.N_TRIPLES, named_graphs=False,
                   gzipped=True),
        DumpFormat("jsonld", "kg.jsonld", "application/ld+json", ox.RdfFormat.JSON_LD, named_graphs=False),
        DumpFormat("trig", "kg.trig", "application/trig", ox.RdfFormat.TRIG, named_graphs=True),
        DumpFormat("nq", "kg.nq.gz", "application/n-quads", ox.RdfFormat.N_QUADS, named_graphs=True,
                   gzipped=True),
    )
}

CHECKSUM_FILE = "SHA256SUMS"


class DumpError(ValueError):
    """Input that cannot be dumped faithfully (e.g. a graph name that is not an IRI)."""


# -------------------------------------------------------------------------------------------- content
def ntriples_iri(iri: str) -> bytes:
    """An IRI as canonical N-Triples writes it (``<…>``, pyoxigraph's form)."""
    return str(ox.NamedNode(iri)).encode("utf-8")


def graph_suffix(graph: str) -> bytes:
    """What turns a canonical N-Triples line into the N-Quads line of ``graph``: ``line[:-3] + suffix``."""
    return b" " + ntriples_iri(graph) + b" .\n"


def batched(items: Iterable[bytes], size: int) -> Iterator[list[bytes]]:
    """``items`` as lists of ``size`` (the last one shorter), for loops that handle lines a list at a time."""
    iterator = iter(items)
    while batch := list(itertools.islice(iterator, size)):
        yield batch


def as_nquads(ntriples: bytes, graph_suffix_bytes: bytes) -> bytes:
    """Canonical N-Triples lines (joined) as the N-Quads lines of the graph whose :func:`graph_suffix` is given,
    in one call: in canonical N-Triples a raw line feed ends every line and nothing else (a literal's line feeds
    are escaped), so ``" .\\n"`` occurs at line ends only. The same bytes as ``line[:-3] + suffix`` line by
    line, without a Python step per line (22 million lines at 100,000 letters, sorted and written twice)."""
    return ntriples.replace(b" .\n", graph_suffix_bytes)


def parse_own(source: bytes | BinaryIO | Path, rdf_format: ox.RdfFormat) -> ox.QuadParser:
    """Parse lines this package wrote itself (spilled graphs, the union file, ``dataset.nq``), without checking
    every IRI and literal again: the mapping built them from valid terms and pyoxigraph's writer made them
    canonical, so pyoxigraph's ``lenient`` mode gives the same triples 2.6 times faster (2.3 million triples:
    1.3 s instead of 3.4 s). Never for a file a user hands in: that is checked in full (``kg.rdffiles``)."""
    if isinstance(source, Path):
        return ox.parse(path=str(source), format=rdf_format, lenient=True)
    return ox.parse(source, format=rdf_format, lenient=True)


def ntriples_line(nquad: bytes) -> bytes:
    """The N-Triples line of a canonical N-Quads line (the graph IRI, its last term, holds no space)."""
    return nquad[:nquad.rindex(b" ", 0, len(nquad) - 3)] + b" .\n"


class CanonicalDataset:
    """The quads of a release as sorted canonical N-Triples lines per named graph.

    ``graphs`` maps a graph IRI to its sorted, duplicate-free lines (``b'<s> <p> <o> .\\n'``). All else is
    derived from it, so two datasets with equal ``graphs`` write equal files.
    """

    def __init__(self, graphs: dict[str, list[bytes]] | None = None) -> None:
        self.graphs: dict[str, list[bytes]] = dict(sorted((graphs or {}).items()))

    # ----------------------------------------------------------------------------------------------- building
    @classmethod
    def from_rdflib(cls, named_graphs: Iterable[tuple[URIRef, Graph]]) -> CanonicalDataset:
        """Convert rdflib graphs (repeated graph names are merged) and canonicalise the blank nodes.

        Each graph becomes bytes as soon as it is read, so the pyoxigraph terms of one graph at a time are alive.
        """
        converter = TermConverter()
        lines: dict[str, list[bytes]] = {}
        with_blanks: list[ox.Quad] = []
        for name, graph in named_graphs:
            if not isinstance(name, URIRef):
                raise DumpError(f"graph name {name!r} is not an IRI: named graphs need IRIs to be published")
            graph_iri = str(name)
            graph_node = ox.NamedNode(graph_iri)
            triples = []
            for s, p, o in graph:
                triple = converter.triple(s, p, o)
                if converter.last_had_blank:
                    with_blanks.append(ox.Quad(triple.subject, triple.predicate, triple.object, graph_node))
                else:
                    triples.append(triple)
            if graph_iri in lines:
                lines[graph_iri] = sorted(set(lines[graph_iri]) | set(sorted_ntriples(triples)))
            else:
                lines[graph_iri] = sorted_ntriples(triples)
        return cls._from_parts(lines, with_blanks)

    @classmethod
    def from_quads(cls, quads: Iterable[ox.Quad]) -> CanonicalDataset:
        """From pyoxigraph quads (e.g. a parsed N-Quads file); default-graph quads are refused."""
        plain: dict[str, list[ox.Triple]] = {}
        with_blanks: list[ox.Quad] = []
        for quad in quads:
            if not isinstance(quad.graph_name, ox.NamedNode):
                raise DumpError(f"quad outside a named graph: {quad}")
            if _has_blank(quad):
                with_blanks.append(quad)
            else:
                plain.setdefault(quad.graph_name.value, []).append(quad.triple)
        return cls._from_parts({name: sorted_ntriples(triples) for name, triples in plain.items()}, with_blanks)

    @classmethod
    def from_nquads_file(cls, path: Path) -> CanonicalDataset:
        """Read a release's ``dataset.nq`` (already canonical: its blank-node labels are kept)."""

        def named_only(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
            for quad in quads:
                if not isinstance(quad.graph_name, ox.NamedNode):
                    raise DumpError(f"{path}: quad outside a named graph: {quad}")
                yield quad

        # Re-serialised by pyoxigraph, every line is canonical: ``<s> <p> <o> <g> .`` where the graph IRI, the
        # last term, holds no space; splitting it off gives the N-Triples line.
        data = ox.serialize(named_only(ox.parse(path=str(path), format=ox.RdfFormat.N_QUADS)),
                            format=ox.RdfFormat.N_QUADS)
        graphs: dict[bytes, list[bytes]] = {}
        for line in data.splitlines(keepends=True):
            triple, graph, _ = line.rsplit(b" ", 2)
            graphs.setdefault(graph, []).append(triple + b" .\n")
        return cls({graph[1:-1].decode("utf-8"): sorted(set(lines)) for graph, lines in graphs.items()})

    @classmethod
    def _from_parts(cls, lines: dict[str, list[bytes]], with_blanks: list[ox.Quad]) -> CanonicalDataset:
        """Sorted lines per graph plus the quads with blank nodes, which are canonicalised here, together."""
        if with_blanks:
            dataset = ox.Dataset(with_blanks)
            dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
            by_graph: dict[str, list[ox.Triple]] = {}
            for quad in dataset:
                by_graph.setdefault(quad.graph_name.value, []).append(quad.triple)
            for name, triples in by_graph.items():
                lines[name] = sorted(set(lines.get(name, [])) | set(sorted_ntriples(triples)))
        return cls({name: graph_lines for name, graph_lines in lines.items() if graph_lines})

    def add_graph(self, name: str, graph: Graph) -> None:
        """Add a graph without blank nodes (their canonical labels could clash with the existing ones)."""
        converter = TermConverter()
        triples = []
        for s, p, o in graph:
            triples.append(converter.triple(s, p, o))
            if converter.last_had_blank:
                raise DumpError(f"graph {name} has blank nodes; mint IRIs for what it describes")
        lines = sorted(set(self.graphs.get(name, [])) | set(sorted_ntriples(triples)))
        self.graphs = dict(sorted({**self.graphs, name: lines}.items()))

    # ----------------------------------------------------------------------------------------------- views
    def union_lines(self) -> list[bytes]:
        """Sorted N-Triples lines of the union graph (a triple stated in two graphs appears once)."""
        lines = [line for graph_lines in self.graphs.values() for line in graph_lines]
        lines.sort()  # concatenated sorted runs: timsort merges them in near-linear time
        return _dedupe_sorted(lines)

    def nquads_lines(self) -> list[bytes]:
        """Sorted N-Quads lines of every graph (the canonical ``dataset.nq``)."""
        return list(self.iter_nquads())

    def iter_nquads(self) -> Iterator[bytes]:
        """The sorted N-Quads lines, made one at a time from the N-Triples lines they are sorted by.

        A line ``T[:-3] + b" <g> .\\n"`` sorts exactly like the pair ``(T, g)``: whatever follows a shorter
        object term in a longer one (``@``, ``^``, a label character) is greater than the space that starts
        the graph suffix. So a sort of (line, graph number) pairs, which share the existing bytes, gives the
        order without building every N-Quads line first (a third of the memory at 100,000 letters).
        """
        # Graphs numbered in the byte order of their suffixes (``<…/a-b>`` sorts before ``<…/a>``).
        suffixes = sorted((graph_suffix(name), name) for name in self.graphs)
        pairs = [(line, number) for number, (_, name) in enumerate(suffixes) for line in self.graphs[name]]
        pairs.sort()
        suffixes = [suffix for suffix, _ in suffixes]
        for line, number in pairs:
            yield line[:-3] + suffixes[number]

    def _grouped_nquads(self) -> Iterator[bytes]:
        """N-Quads graph by graph (IRI order, triples sorted within), a graph's lines joined: what TriG is
        written from."""
        for name, graph_lines in self.graphs.items():
            yield as_nquads(b"".join(graph_lines), graph_suffix(name))

    @property
    def quad_count(self) -> int:
        return sum(len(lines) for lines in self.graphs.values())

    # ----------------------------------------------------------------------------------------------- writing
    def write(self, fmt: DumpFormat, out: BinaryIO, *, prefixes: dict[str, str],
              union: list[bytes] | None = None, nquads_file: Path | None = None) -> None:
        """Write one format to a binary stream (gzip-compressed when the format says so).

        ``union``: ``union_lines()`` if the caller has them; ``nquads_file``: the sorted N-Quads already written
        (``dataset.nq``), copied instead of sorted again.
        """
        with _compressed(out, fmt.gzipped) as target:
            self._write_plain(fmt, target, prefixes=prefixes, union=union, nquads_file=nquads_file)

    def _write_plain(self, fmt: DumpFormat, out: BinaryIO, *, prefixes: dict[str, str],
                     union: list[bytes] | None = None, nquads_file: Path | None = None) -> None:
        write_format(fmt, out, prefixes, nquads=nquads_file or self.iter_nquads,
                     union=(lambda: union) if union is not None else self.union_lines, grouped=self._grouped_nquads)


@dataclass(frozen=True)
class Parts:
    """Sorted lines kept in pieces that follow each other: files of lines and lines in memory, read as one.

    The publisher writes the merged content around the place the dataset description takes and gives the
    description, made once the content is counted, as the piece in between: a writer reads the pieces in turn
    (files are parsed and copied natively), so the release's 6 GB of content at 100,000 letters is never
    copied into one file just to let a few hundred lines in before the dumps can begin.
    """

    pieces: tuple[Path | bytes, ...]

    def copy_to(self, out: BinaryIO) -> None:
        for piece in self.pieces:
            if isinstance(piece, Path):
                with piece.open("rb") as handle:
                    shutil.copyfileobj(handle, out, 1 << 20)
            elif piece:
                out.write(piece)

    def parse(self, rdf_format: ox.RdfFormat) -> Iterator:
        """The statements of every piece, in order (pyoxigraph keeps blank-node labels, so a node cut across
        pieces stays one node)."""
        return itertools.chain.from_iterable(parse_own(piece, rdf_format) for piece in self.pieces if piece)


#: Where a writer reads lines from: a file of them or pieces (copied and parsed natively), or a maker of an
#: iterator.
LineSource = Path | Parts | Callable[[], Iterable[bytes]]


def write_format(fmt: DumpFormat, out: BinaryIO, prefixes: dict[str, str], *, nquads: LineSource,
                 union: LineSource, grouped: Callable[[], Iterator[bytes]]) -> None:
    """Write one format, uncompressed, from the sorted N-Quads, the union graph's sorted N-Triples and the N-Quads
    grouped by graph. The writers read through streams: no copy of the whole dump is ever held in memory."""
    if fmt.rdf_format == ox.RdfFormat.N_QUADS:
        _copy_lines(nquads, out)
    elif fmt.rdf_format == ox.RdfFormat.N_TRIPLES:
        _copy_lines(union, out)
    elif fmt.rdf_format == ox.RdfFormat.TRIG:
        quads = parse_own(_lines_stream(iter(grouped()), batch=1), ox.RdfFormat.N_QUADS)
        _serialize_with_prefixes(quads, out, fmt.rdf_format, prefixes)
    else:
        triples = _parsed(union, ox.RdfFormat.N_TRIPLES)
        if fmt.rdf_format == ox.RdfFormat.TURTLE:
            _serialize_with_prefixes(triples, out, fmt.rdf_format, prefixes)
        else:
            ox.serialize(triples, out, fmt.rdf_format)


def _parsed(source: LineSource, rdf_format: ox.RdfFormat) -> Iterator:
    if isinstance(source, Parts):
        return source.parse(rdf_format)
    return parse_own(source if isinstance(source, Path) else _lines_stream(iter(source())), rdf_format)


def _copy_lines(source: LineSource, out: BinaryIO) -> None:
    if isinstance(source, Path):
        source = Parts((source,))
    if isinstance(source, Parts):
        source.copy_to(out)
    else:
        _write_lines(out, source())


@contextlib.contextmanager
def _compressed(out: BinaryIO, gzipped: bool) -> Iterator[BinaryIO]:
    """``out`` itself, or a deterministic gzip stream into it."""
    if gzipped:
        with deterministic_gzip(out) as zipped:
            yield zipped
    else:
        yield out


# ---------------------------------------------------------------------------------------------- files
@dataclass(frozen=True)
class DumpFile:
    """A written dump: what the manifest, VoID and the HTTP layer say about it."""

    format: DumpFormat
    path: Path
    size: int
    sha256: str

    def to_dict(self) -> dict[str, object]:
        return {"file": self.path.name, "format": self.format.key, "media_type": self.format.media_type,
                "served_media_type": self.format.served_media_type, "size": self.size, "sha256": self.sha256,
                "named_graphs": self.format.named_graphs, "compressed": self.format.gzipped}


def write_dumps(dataset: CanonicalDataset, folder: Path, *, base_uri: str,
                formats: Iterable[str] | None = None, union: list[bytes] | None = None,
                nquads_file: Path | None = None) -> list[DumpFile]:
    """Write the dumps (all formats by default) and ``SHA256SUMS`` into ``folder``, in format order.

    ``union`` may pass ``dataset.union_lines()`` and ``nquads_file`` the written ``dataset.nq`` when the
    caller already has them (the N-Quads dump is then that file, compressed).
    """
    folder.mkdir(parents=True, exist_ok=True)
    prefixes = prefixes_for(base_uri)
    union = dataset.union_lines() if union is None else union
    written = []
    for key in formats or DUMP_FORMATS:
        fmt = DUMP_FORMATS[key]
        path = folder / fmt.filename
        with HashingWriter(path) as out:
            dataset.write(fmt, out, prefixes=prefixes, union=union, nquads_file=nquads_file)
        written.append(DumpFile(fmt, path, out.size, out.hexdigest()))
    write_checksums(folder, [(f.path.name, f.sha256) for f in written])
    return written


def write_checksums(folder: Path, files: Iterable[tuple[str, str]]) -> tuple[int, str]:
    """Write ``SHA256SUMS`` for (file name, SHA-256) pairs in the format of ``sha256sum --check``: two spaces,
    files in name order (so the same files give the same bytes)."""
    sums = "".join(f"{digest}  {name}\n" for name, digest in sorted(files))
    return write_file(folder / CHECKSUM_FILE, sums.encode("ascii"))


def write_dumps_streamed(folder: Path, *, base_uri: str, union_file: LineSource, nquads_file: LineSource,
                         grouped: Callable[[], Iterator[bytes]], workers: int = 1,
                         also_listed: Iterable[tuple[str, str]] | Callable[[], Iterable[tuple[str, str]]] = (),
                         started: Iterable[DumpProcess] = ()) -> list[DumpFile]:
    """Write every dump from files and streams, never from lines held in memory (a release of any size).

    ``union_file``: the union graph as sorted N-Triples; ``nquads_file``: the sorted N-Quads of ``dataset.nq``
    (each a file or its :class:`Parts`);
    ``grouped()``: a fresh iterator of N-Quads graph by graph (bytes of whole lines, a graph's at most a few
    pieces), for TriG. With ``workers`` > 1 the formats
    are written in forked processes at the same time (each pyoxigraph writer and gzip stream uses one core).
    ``also_listed``: (name, SHA-256) of other files the caller wrote into ``folder`` (the correspondent network,
    ``kg.network``), listed in ``SHA256SUMS`` beside the dumps, so one ``sha256sum -c`` checks the whole folder;
    or a function that writes them and says so, called while the writers run (this process only waits for them).
    ``started``: dumps the caller began earlier (:class:`DumpProcess`), waited for here instead of written.
    Gives the same bytes as :func:`write_dumps` on the same quads.
    """
    folder.mkdir(parents=True, exist_ok=True)
    prefixes = prefixes_for(base_uri)
    early = {process.format.key: process for process in started}
    global _STREAMED_TASKS
    _STREAMED_TASKS = [(DUMP_FORMATS[key], folder / DUMP_FORMATS[key].filename, prefixes, union_file, nquads_file,
                        grouped) for key in DUMP_FORMATS if key not in early]
    # Longest first, so the processes finish together.
    order = sorted(range(len(_STREAMED_TASKS)), key=lambda i: _TASK_WEIGHT.get(_STREAMED_TASKS[i][0].key, 1),
                   reverse=True)
    others = also_listed if callable(also_listed) else lambda: also_listed
    try:
        if workers > 1 and len(order) > 1:
            with multiprocessing.get_context("fork").Pool(min(workers, len(order))) as pool:
                writing = pool.map_async(_write_streamed, order, chunksize=1)
                listed = list(others())  # the writers are forked: the caller's own files are written meanwhile
                done = dict(zip(order, writing.get(), strict=True))
        else:
            done = {i: _write_streamed(i) for i in order}
            listed = list(others())
        results = {task[0].key: done[i] for i, task in enumerate(_STREAMED_TASKS)}
        results.update({key: process.result() for key, process in early.items()})
    finally:
        _STREAMED_TASKS = []
        for process in early.values():
            process.abandon()
    written = [DumpFile(DUMP_FORMATS[key], folder / DUMP_FORMATS[key].filename, *results[key])
               for key in DUMP_FORMATS]
    write_checksums(folder, [*((f.path.name, f.sha256) for f in written), *listed])
    return written


_STREAMED_TASKS: list[tuple] = []
#: CPU seconds of each writer at 10,000 letters (measured one after another, ISA-L gzip): they order the tasks.
_TASK_WEIGHT = {"jsonld": 4.7, "trig": 3.9, "ttl": 3.1, "nq": 0.45, "nt": 0.37}


def _write_streamed(number: int) -> tuple[int, str]:
    return _write_one(*_STREAMED_TASKS[number])


def _write_one(fmt: DumpFormat, path: Path, prefixes: dict[str, str], union_file: LineSource,
               nquads_file: LineSource, grouped: Callable[[], Iterator[bytes]]) -> tuple[int, str]:
    """Write one dump file; return its size and SHA-256."""
    with HashingWriter(path) as out, _compressed(out, fmt.gzipped) as target:
        write_format(fmt, target, prefixes, nquads=nquads_file, union=union_file, grouped=grouped)
    return out.size, out.hexdigest()


class LaterLines:
    """Lines handed to a forked process after it started (one pipe, one message): the dataset description, which
    the search index and TriG need only at their end, is made while they are already at work."""

    def __init__(self) -> None:
        self._receive, self._send = multiprocessing.get_context("fork").Pipe(duplex=False)

    def in_child(self) -> None:
        """Called first thing in the forked process: its copy of the sending end is closed, so that it sees the
        end of the pipe (and stops) if the publisher never sends."""
        self._send.close()

    def in_parent(self) -> None:
        """Called once the process is forked: the publisher's copy of the receiving end is closed, so that
        :meth:`put` fails at once, instead of waiting for a reader, when the process has died."""
        self._receive.close()

    def get(self) -> list[bytes]:
        try:
            return self._receive.recv()
        except EOFError:
            raise DumpError("the publisher stopped before the dataset description was made") from None

    def put(self, lines: list[bytes]) -> None:
        """Send the lines (a writer that already failed gets none; its :meth:`DumpProcess.result` says why)."""
        try:
            self._send.send(lines)
        except BrokenPipeError:
            pass
        self._send.close()

    def close(self) -> None:
        self._send.close()
        self._receive.close()


class DumpProcess:
    """One dump written in a forked process, started as soon as what it reads exists.

    The publisher starts TriG, which reads only the spilled graphs and the description's few lines, when it
    begins the merge that counts the content for the description, and hands it those lines once they exist
    (``later``, :class:`LaterLines`): measured at 100,000 letters, a core stood idle for the last ~25 s of that
    merge and at the end, while the last of five writers ran alone. It also copies ``dataset.nq`` beside the
    dumps. :meth:`result` waits for the file and raises :class:`DumpError` when the writer failed.
    """

    def __init__(self, fmt: DumpFormat, folder: Path, *, base_uri: str,
                 grouped: Callable[[], Iterator[bytes]] = lambda: iter(()),
                 union_file: LineSource | None = None, nquads_file: LineSource | None = None,
                 later: LaterLines | None = None) -> None:
        self.format = fmt
        self.path = folder / fmt.filename
        folder.mkdir(parents=True, exist_ok=True)
        context = multiprocessing.get_context("fork")
        receive, send = context.Pipe(duplex=False)
        task = (fmt, self.path, prefixes_for(base_uri), union_file, nquads_file, grouped)

        def write() -> None:
            receive.close()
            if later is not None:
                later.in_child()
            try:
                send.send(("written", *_write_one(*task)))  # type: ignore[arg-type]
            except BaseException as exc:
                send.send(("failed", f"{type(exc).__name__}: {exc}", ""))
                raise

        self._receive = receive
        self.process = context.Process(target=write, name=f"kg-dump-{fmt.key}")
        self.process.start()
        send.close()
        if later is not None:
            later.in_parent()

    def result(self) -> tuple[int, str]:
        """The written file's size and SHA-256."""
        try:
            status, first, second = self._receive.recv()
        except EOFError:
            status, first, second = "failed", "the writing process ended without a word", ""
        self.process.join()
        if status != "written":
            raise DumpError(f"writing {self.path.name} failed: {first}")
        return first, second

    def abandon(self) -> None:
        """Stop the writer if it still runs (the publisher failed elsewhere); harmless once it has finished."""
        if self.process.is_alive():
            self.process.terminate()
        self.process.join()
        self._receive.close()


def write_dump_from_release(release: Path, fmt: DumpFormat, out: BinaryIO, *, compress: bool | None = None,
                            base_uri: str | None = None) -> None:
    """Copy one format of a release to ``out``; ``compress`` picks gzip or plain (default: as stored).

    A release whose ``dumps/`` lacks the file (an older build) is served from its ``dataset.nq``.
    """
    stored = release / "dumps" / fmt.filename
    want_gzip = fmt.gzipped if compress is None else compress
    if stored.is_file() and not stored.is_symlink():
        with stored.open("rb") as src:
            if fmt.gzipped and not want_gzip:
                with igzip.open(src, "rb") as unzipped:
                    shutil.copyfileobj(unzipped, out, 1 << 20)
            elif want_gzip and not fmt.gzipped:
                with deterministic_gzip(out) as zipped:
                    shutil.copyfileobj(src, zipped, 1 << 20)
            else:
                shutil.copyfileobj(src, out, 1 << 20)
        return
    dataset = CanonicalDataset.from_nquads_file(release / "dataset.nq")
    prefixes = prefixes_for(base_uri or settings.DEFAULT_BASE_URI)
    with _compressed(out, want_gzip) as target:
        dataset._write_plain(fmt, target, prefixes=prefixes)


def deterministic_gzip(out: BinaryIO) -> igzip.GzipFile:
    """A gzip writer whose header holds no file name and mtime 0: equal input, equal bytes.

    ISA-L's deflate (``isal``), not zlib's: at its default level it compresses the N-Quads 13 times faster
    than zlib's level 6 (0.24 s against 3.1 s for 400 MB of ``dataset.nq``), for files about a third
    larger (6.3 % of the input against 4.7 %); at 100,000 letters zlib spent about 80 s of CPU on the two
    compressed dumps. The output is ordinary gzip (RFC 1952): every gzip reader opens it.
    """
    return igzip.GzipFile(filename="", mode="wb", fileobj=out, compresslevel=_GZIP_LEVEL, mtime=0)


#: ISA-L's levels run 0-3; 2 is its default. Level 3 makes files 6 % smaller at a quarter of the speed.
_GZIP_LEVEL = 2


class HashingWriter(io.RawIOBase):
    """A binary file that counts and hashes what goes through it, so a dump is read once, while written."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        self._file = path.open("wb")
        self._digest = hashlib.sha256()
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[override]
        view = memoryview(data)
        self._digest.update(view)
        self.size += view.nbytes
        self._file.write(view)
        return view.nbytes

    def hexdigest(self) -> str:
        return self._digest.hexdigest()

    def close(self) -> None:
        if not self.closed:
            self._file.flush()
            os.fsync(self._file.fileno())  # the release is swapped in only once its bytes are on disk
            self._file.close()
        super().close()


def write_file(path: Path, data: bytes) -> tuple[int, str]:
    """Write ``data`` durably; return its size and SHA-256."""
    with HashingWriter(path) as out:
        out.write(data)
    return out.size, out.hexdigest()


def write_lines_file(path: Path, lines: Iterable[bytes]) -> tuple[int, str]:
    """Write lines durably (e.g. ``dataset.nq``); return the size and SHA-256."""
    with HashingWriter(path) as out:
        _write_lines(out, lines)
    return out.size, out.hexdigest()


# -------------------------------------------------------------------------------------------- helpers
class TermConverter:
    """rdflib terms → pyoxigraph terms, caching IRIs (few distinct, many uses) and numbering blank nodes.

    Caches are keyed by plain ``str``: rdflib terms hash and compare in Python, which made the conversion
    three times slower than everything else in a dump.
    """

    def __init__(self) -> None:
        self._iris: dict[str, ox.NamedNode] = {}
        self._blanks: dict[str, ox.BlankNode] = {}
        self.last_had_blank = False

    def triple(self, s, p, o) -> ox.Triple:
        self.last_had_blank = False
        iris = self._iris
        if type(s) is URIRef:
            key = str(s)
            subject = iris.get(key)
            if subject is None:
                subject = iris[key] = ox.NamedNode(key)
        else:
            subject = self._node(s)
        if type(p) is URIRef:
            key = str(p)
            predicate = iris.get(key)
            if predicate is None:
                predicate = iris[key] = ox.NamedNode(key)
        else:
            predicate = self._iri(p)
        obj = self._iri(o) if type(o) is URIRef else self._node(o)
        return ox.Triple(subject, predicate, obj)

    def _iri(self, term) -> ox.NamedNode:
        if not isinstance(term, URIRef):
            raise DumpError(f"predicate {term!r} is not an IRI")
        key = str(term)
        node = self._iris.get(key)
        if node is None:
            node = self._iris[key] = ox.NamedNode(key)
        return node

    def _node(self, term):
        if isinstance(term, Literal):
            return _ox_literal(term, str(term), self._iri)
        if isinstance(term, URIRef):
            return self._iri(term)
        if isinstance(term, BNode):
            self.last_had_blank = True
            key = str(term)
            node = self._blanks.get(key)
            if node is None:
                node = self._blanks[key] = ox.BlankNode()
            return node
        raise DumpError(f"cannot publish term {term!r} of type {type(term).__name__}")


class NTriplesLines:
    """rdflib triples → canonical N-Triples lines, made in Python from each term's canonical form.

    An IRI's form (``<…>``) is taken once from pyoxigraph and remembered (keyed by the term itself, whose hash is
    its string's, kept by Python: no copy of the string to look it up). A literal's form is its text in quotes
    followed by the ending pyoxigraph writes for its language or datatype (``"@en``, ``"^^<…>``, remembered per
    language and datatype) when the text holds no character that N-Triples escapes; otherwise pyoxigraph writes it.
    So the lines are byte for byte what pyoxigraph's N-Triples writer gives (a hypothesis test holds them to it for
    any text), without a pyoxigraph term per literal: 1.1-1.3 µs a triple instead of 1.8-2.0 (the graphs of
    1,500 source files, 521,145 triples, alternating rounds), about 15 s of CPU at 100,000 letters. Before, a
    pyoxigraph triple made and serialised for each took 3.1-4.5 µs. Triples with a blank node are handed back as
    they are: their labels are made canonical later, over the whole dataset.
    """

    def __init__(self) -> None:
        self._iris: dict[URIRef, bytes] = {}
        self._endings: dict[object, bytes] = {}

    def of(self, triples: Iterable[tuple]) -> tuple[list[bytes], list[tuple]]:
        """The lines of the triples without blank nodes (unsorted, possibly repeated) and the other triples."""
        iris = self._iris
        literal = self._literal
        lines: list[bytes] = []
        blank: list[tuple] = []
        for triple in triples:
            s, p, o = triple
            # Exact types first: a subclass of a term (rare) takes the slow path, never a wrong cache entry.
            subject = iris.get(s) if type(s) is URIRef else None
            if subject is None:
                if isinstance(s, BNode):
                    blank.append(triple)
                    continue
                subject = self._iri(s)
            kind = type(o)
            if kind is Literal:
                obj = literal(o)
            else:
                obj = iris.get(o) if kind is URIRef else None
                if obj is None:
                    if isinstance(o, BNode):
                        blank.append(triple)
                        continue
                    obj = literal(o) if isinstance(o, Literal) else self._iri(o)
            predicate = iris.get(p) if type(p) is URIRef else None
            lines.append(b"%s %s %s .\n" % (subject, predicate or self._iri(p), obj))
        return lines, blank

    def _iri(self, term) -> bytes:
        if not isinstance(term, URIRef):
            raise DumpError(f"cannot publish term {term!r} of type {type(term).__name__} where an IRI belongs")
        form = self._iris.get(term) if type(term) is URIRef else None
        if form is None:
            form = ntriples_iri(str(term))
            if type(term) is URIRef:
                self._iris[term] = form
        return form

    def _literal(self, term: Literal) -> bytes:
        text = str(term)
        if _ESCAPED_IN_NTRIPLES.search(text) is not None:
            return _pyoxigraph_literal(term, text)
        key = ("@", term.language) if term.language else term.datatype
        ending = self._endings.get(key)
        if ending is None:
            ending = self._endings[key] = _pyoxigraph_literal(term, "")[1:]
        return b'"' + text.encode("utf-8") + ending


#: The characters pyoxigraph's N-Triples writer escapes in a literal (every code point checked), and lone
#: surrogates, which cannot be encoded: a text holding one is written by pyoxigraph itself.
_ESCAPED_IN_NTRIPLES = re.compile(r'[\x00-\x1f"\\\x7f\ufffe\uffff\ud800-\udfff]')


def _pyoxigraph_literal(term: Literal, text: str) -> bytes:
    """``text`` as the canonical N-Triples form of a literal with ``term``'s language or datatype."""
    return str(_ox_literal(term, text)).encode("utf-8")


def _ox_literal(term: Literal, text: str,
                iri: Callable[[URIRef], ox.NamedNode] = lambda datatype: ox.NamedNode(str(datatype))) -> ox.Literal:
    """``text`` as a pyoxigraph literal with ``term``'s language or datatype (``iri`` makes the datatype's node)."""
    if term.language:
        return ox.Literal(text, language=term.language)
    if term.datatype is not None:
        return ox.Literal(text, datatype=iri(term.datatype))
    return ox.Literal(text)


def _has_blank(quad: ox.Quad) -> bool:
    return isinstance(quad.subject, ox.BlankNode) or isinstance(quad.object, ox.BlankNode)


def sorted_ntriples(triples: list[ox.Triple]) -> list[bytes]:
    """Canonical N-Triples lines of ``triples``, sorted bytewise, each once."""
    if not triples:
        return []
    data = ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES)
    return sorted(set(data.splitlines(keepends=True)))


def _dedupe_sorted(lines: list[bytes]) -> list[bytes]:
    if not lines:
        return lines
    out = [lines[0]]
    for line in lines[1:]:
        if line != out[-1]:
            out.append(line)
    return out


def _serialize_with_prefixes(statements: Iterable, out: BinaryIO, rdf_format: ox.RdfFormat,
                             prefixes: dict[str, str]) -> None:
    """Turtle/TriG with the ``@prefix`` lines in the order of ``prefixes``.

    pyoxigraph writes the prefixes it is given in an order of its own choosing (longest IRI first, in 0.5);
    the header is written here instead, so its order is ours by construction, and the writer's is dropped.
    """
    header = "".join(f"@prefix {name}: {ox.NamedNode(iri)} .\n" for name, iri in prefixes.items())
    out.write(header.encode("utf-8"))
    ox.serialize(statements, _SkipPrefixLines(out), rdf_format, prefixes=prefixes)


class _SkipPrefixLines(io.RawIOBase):
    """Passes bytes through once the leading ``@prefix`` lines of a Turtle writer's output have gone by."""

    def __init__(self, out: BinaryIO) -> None:
        super().__init__()
        self._out = out
        self._pending = b""
        self._in_header = True

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[override]
        size = memoryview(data).nbytes
        if not self._in_header:
            self._out.write(data)
            return size
        self._pending += bytes(data)
        while self._in_header:
            if self._pending.startswith(b"@prefix "):
                end = self._pending.find(b"\n")
                if end < 0:
                    return size
                self._pending = self._pending[end + 1:]
            elif len(self._pending) >= len(b"@prefix ") or not b"@prefix ".startswith(self._pending):
                self._in_header = False
                self._out.write(self._pending)
                self._pending = b""
            else:
                return size
        return size

    def close(self) -> None:
        if self._pending and not self.closed:
            self._out.write(self._pending)
            self._pending = b""
        super().close()


def _write_lines(out: BinaryIO, lines: Iterable[bytes], chunk: int = 1 << 14) -> None:
    for batch in batched(lines, chunk):
        out.write(b"".join(batch))


def _lines_stream(lines: Iterator[bytes], batch: int = 1024) -> io.BufferedReader:
    """A readable binary stream over lines, so a parser can consume them without one huge joined copy."""
    return io.BufferedReader(_LinesReader(lines, batch), buffer_size=1 << 16)


class _LinesReader(io.RawIOBase):
    def __init__(self, lines: Iterator[bytes], batch: int) -> None:
        super().__init__()
        self._batches = batched(lines, batch)
        self._chunk = b""
        self._offset = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        if self._offset >= len(self._chunk):
            self._chunk = b"".join(next(self._batches, ()))
            self._offset = 0
            if not self._chunk:
                return 0
        size = min(len(buffer), len(self._chunk) - self._offset)
        buffer[:size] = self._chunk[self._offset:self._offset + size]
        self._offset += size
        return size
