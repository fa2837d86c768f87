"""Graphs spilled to disk in canonical form, so that a release of any size is written in bounded memory.

Why: the publisher used to hold every canonical line of the release in memory to sort it (and the mapped graphs
beside them): 13.6 GiB at 100,000 letters (22 million triples). Here each graph is turned into its sorted,
canonical N-Triples lines as soon as it is made (by whichever process made it) and appended to a file; the lines
are then sorted in runs of bounded size, in parallel, and merged as streams. Memory is a run, not the release.

A spill folder holds, per writer (one per process, named by ``tag``)::

    {tag}.blocks     the sorted canonical N-Triples lines of one graph after another
    {tag}.index      a line per block: offset, length, triple count, graph IRI (tab-separated)
    {tag}.blank.nq   triples with blank nodes, as N-Quads with labels unique to the writer: their canonical
                     labels (RDFC-1.0) depend on all of them, so they are canonicalised together at the end

Blocks are written with unbuffered appends, the index line after its block: a writer in a pool worker needs no
closing call, and whatever its index names is complete on disk. The same graph spilled twice (a worker and a
later pass may both produce it) is harmless: blocks of one graph are merged and duplicate lines dropped.

Order: N-Quads lines sorted bytewise, which is the order of (triple line, graph IRI) pairs (see
``kg.dumps.CanonicalDataset.iter_nquads``), so the union graph's sorted lines are the N-Quads order with the
graph term removed and adjacent duplicates dropped.
"""

from __future__ import annotations

import heapq
import itertools
import multiprocessing
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import pyoxigraph as ox
from rdflib import Graph, URIRef

from kg.dumps import (
    DumpError,
    NTriplesLines,
    TermConverter,
    as_nquads,
    batched,
    graph_suffix,
    ntriples_line,
    parse_own,
    sorted_ntriples,
)
from kg.mapping.triples import triples_of

#: Lines per sorted run: about 300 MB in each sorting process (22 runs at 100,000 letters).
RUN_LINES = 1_000_000

__all__ = ["Block", "Collector", "GraphSpill", "SpilledDataset", "batched", "graph_suffix",
           "spill_graphs", "union_chunks", "union_of"]
_BLANK_CANONICAL_TAG = "blank-canonical"


class Collector(Protocol):
    """What :meth:`SpilledDataset.sort` feeds (e.g. ``kg.statistics.StatisticsCollector``)."""

    def feed(self, lines: Iterable[bytes]) -> Any: ...

    def merge(self, other: Any) -> Any: ...


@dataclass(frozen=True)
class Block:
    """One graph's lines in a writer's blocks file."""

    path: Path
    offset: int
    length: int
    count: int
    graph: str

    def lines(self) -> list[bytes]:
        return self.data().splitlines(keepends=True)

    def data(self) -> bytes:
        with self.path.open("rb") as handle:
            handle.seek(self.offset)
            return handle.read(self.length)

    def pieces(self, size: int = 1 << 24) -> Iterator[bytes]:
        """The block's bytes, about ``size`` at a time, each piece whole lines: a graph as large as the archives'
        (600 MB at 100,000 letters) is never held twice over."""
        with self.path.open("rb") as handle:
            handle.seek(self.offset)
            left, rest = self.length, b""
            while left > 0:
                piece = rest + handle.read(min(size, left))
                left -= len(piece) - len(rest)
                cut = piece.rfind(b"\n") + 1 if left > 0 else len(piece)
                piece, rest = piece[:cut], piece[cut:]
                if piece:
                    yield piece


class GraphSpill:
    """Appends graphs, each as its sorted canonical lines, to one writer's files in a spill folder."""

    def __init__(self, folder: Path, tag: str) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.tag = tag
        self._blocks = self.folder / f"{tag}.blocks"
        self._index = self.folder / f"{tag}.index"
        self._blank = self.folder / f"{tag}.blank.nq"
        self._converter = TermConverter()
        self._lines = NTriplesLines()

    def add(self, name: URIRef, graph: Graph) -> int:
        """Spill one rdflib graph; return its number of triples without blank nodes."""
        if not isinstance(name, URIRef):
            raise DumpError(f"graph name {name!r} is not an IRI: named graphs need IRIs to be published")
        lines, blank = self._lines.of(triples_of(graph))
        if blank:
            converter = self._converter
            self._add_blank(str(name), [converter.triple(s, p, o) for s, p, o in blank])
        lines = sorted(set(lines))
        return self.add_lines(str(name), lines)

    def add_lines(self, name: str, lines: list[bytes]) -> int:
        """Spill a graph given as sorted, duplicate-free canonical N-Triples lines (none: the graph is still
        recorded, so that a graph of blank-node triples only is known by name before they are canonicalised)."""
        data = b"".join(lines)
        with self._blocks.open("ab", buffering=0) as handle:
            offset = handle.seek(0, os.SEEK_END)
            _write_all(handle, data)
        with self._index.open("ab", buffering=0) as handle:
            _write_all(handle, f"{offset}\t{len(data)}\t{len(lines)}\t{name}\n".encode())
        return len(lines)

    def _add_blank(self, name: str, triples: list[ox.Triple]) -> None:
        # Labels unique to this writer (the rdflib label in hex), so that the blank nodes of different writers
        # never meet; the canonical labels are given later, over all of them together.
        graph = ox.NamedNode(name)
        quads = [ox.Quad(self._relabel(t.subject), t.predicate, self._relabel(t.object), graph) for t in triples]
        with self._blank.open("ab", buffering=0) as handle:
            _write_all(handle, ox.serialize(quads, format=ox.RdfFormat.N_QUADS))

    def _relabel(self, term):
        if isinstance(term, ox.BlankNode):
            return ox.BlankNode(f"{self.tag}{term.value}".encode().hex())
        return term


def spill_graphs(folder: Path, tag: str, named_graphs: Iterable[tuple[URIRef, Graph]]) -> list[str]:
    """Spill graphs one at a time (each may be dropped once written); return their names in order."""
    spill = GraphSpill(folder, tag)
    names = []
    for name, graph in named_graphs:
        spill.add(name, graph)
        names.append(str(name))
    return names


class SpilledDataset:
    """All graphs of a spill folder as one sorted dataset, read as streams.

    ``finish()`` canonicalises the blank nodes of every writer together and reads the indexes; after it, the
    folder must not change. ``sort()`` writes the sorted runs that :meth:`iter_nquads` merges.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.blocks: dict[str, list[Block]] = {}
        self._runs: list[Path] = []
        self._finished = False

    # ------------------------------------------------------------------------------------------ preparing
    def spilled_names(self) -> set[str]:
        """The graphs spilled so far (before :meth:`finish`, e.g. to add a missing one)."""
        return set(self._read_blocks(keep_empty=True))

    def finish(self) -> None:
        if self._finished:
            return
        self._canonicalise_blanks()
        self.blocks = self._read_blocks()
        self._finished = True

    def _read_blocks(self, keep_empty: bool = False) -> dict[str, list[Block]]:
        blocks: dict[str, list[Block]] = {}
        for index in sorted(self.folder.glob("*.index")):
            path = index.with_suffix(".blocks")
            for line in index.read_text(encoding="utf-8").splitlines():
                offset, length, count, graph = line.split("\t", 3)
                found = blocks.setdefault(graph, [])
                if int(count):
                    found.append(Block(path, int(offset), int(length), int(count), graph))
        return dict(sorted((name, found) for name, found in blocks.items() if found or keep_empty))

    def _canonicalise_blanks(self) -> None:
        files = sorted(p for p in self.folder.glob("*.blank.nq") if p.stat().st_size)
        if not files:
            return
        dataset = ox.Dataset(quad for path in files
                             for quad in parse_own(path, ox.RdfFormat.N_QUADS))
        dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
        by_graph: dict[str, list[ox.Triple]] = {}
        for quad in dataset:
            by_graph.setdefault(quad.graph_name.value, []).append(quad.triple)
        spill = GraphSpill(self.folder, _BLANK_CANONICAL_TAG)
        for name in sorted(by_graph):
            spill.add_lines(name, sorted_ntriples(by_graph[name]))
        for path in files:
            path.unlink()

    def graph_lines(self, name: str) -> list[bytes]:
        """One graph's sorted, duplicate-free lines (its blocks merged)."""
        blocks = self.blocks[name]
        if len(blocks) == 1:
            return blocks[0].lines()
        return sorted({line for block in blocks for line in block.lines()})

    def graph_counts(self) -> dict[str, int]:
        """Triples per graph, graphs in name order."""
        return {name: blocks[0].count if len(blocks) == 1 else len(self.graph_lines(name))
                for name, blocks in self.blocks.items()}

    def sort(self, workers: int = 1, run_lines: int = RUN_LINES,
             collect: Callable[[], Collector] | None = None) -> Collector | None:
        """Write the N-Quads lines of every block as sorted runs (in ``workers`` processes).

        ``collect``: makes a collector (``feed(lines)`` once per graph, ``merge(other)``) that each sorting
        process feeds every graph it reads, once; the merged collector is returned. So statistics over all
        graphs cost no extra pass over the lines.
        """
        self.finish()
        runs_dir = self.folder / "runs"
        runs_dir.mkdir(exist_ok=True)
        groups: list[list[tuple[Block, bool]]] = [[]]
        size = 0
        for blocks in self.blocks.values():
            for number, block in enumerate(blocks):
                if size + block.count > run_lines and groups[-1]:
                    groups.append([])
                    size = 0
                groups[-1].append((block, number == 0))  # a graph is fed to the collector with its first block
                size += block.count
        global _SORTING
        # Forked workers inherit the tasks (and a collector factory, which may be a lambda): only numbers travel.
        _SORTING = (self, [(runs_dir / f"run-{number:05d}.nq", group, collect)
                           for number, group in enumerate(groups) if group])
        try:
            numbers = range(len(_SORTING[1]))
            if workers > 1 and len(numbers) > 1:
                with multiprocessing.get_context("fork").Pool(min(workers, len(numbers))) as pool:
                    done = pool.map(_write_run, numbers, chunksize=1)
            else:
                done = [_write_run(number) for number in numbers]
        finally:
            _SORTING = None
        self._runs = [path for path, _ in done]
        if collect is None:
            return None
        total = collect()
        for _, collector in done:
            total.merge(collector)
        return total

    def _write_run(self, task: tuple[Path, list[tuple[Block, bool]], Callable | None]) -> tuple[Path, object]:
        path, blocks, collect = task
        collector = collect() if collect else None
        lines: list[bytes] = []
        for block, first in blocks:
            suffix = graph_suffix(block.graph)
            own = block.lines()
            if collector is not None and first:  # the whole graph once, merged when it was spilled twice
                collector.feed(own if len(self.blocks[block.graph]) == 1 else self.graph_lines(block.graph))
            lines.extend(line[:-3] + suffix for line in own)
        lines.sort()  # concatenated sorted blocks: timsort merges the runs it finds
        with path.open("wb", buffering=1 << 20) as handle:
            handle.writelines(lines)  # not one joined copy: that would double the run's memory
        return path, collector

    def drop_runs(self) -> None:
        """Delete the sorted runs once they are merged: at 100,000 letters they are 6 GB that the page cache need
        not hold while the dumps are written (the machine has 24 GB for ~40 GB of files). :meth:`iter_nquads`
        sorts again if asked later."""
        for run in self._runs:
            run.unlink(missing_ok=True)
        self._runs = []

    # ---------------------------------------------------------------------------------------------- reading
    @property
    def graph_names(self) -> list[str]:
        return list(self.blocks)

    def iter_nquads(self, extra: Iterable[bytes] = ()) -> Iterator[bytes]:
        """Every N-Quads line once, sorted; ``extra``: further sorted N-Quads lines merged in."""
        if not self._runs and self.blocks:
            self.sort()
        streams = [_read_lines(run) for run in self._runs]
        streams.append(iter(extra))
        previous = None
        for line in heapq.merge(*streams):
            if line != previous:
                yield line
                previous = line

    def iter_grouped(self, extra: dict[str, list[bytes] | Callable[[], list[bytes]]] | None = None
                     ) -> Iterator[bytes]:
        """N-Quads graph by graph (graph IRIs in order, lines sorted within), as bytes of whole lines, a graph's
        in one piece or a few: what TriG is written from.
        ``extra`` adds graphs given as sorted N-Triples lines, or as a function giving them, called only when
        the graph's turn comes (so TriG can be begun before the dataset description exists)."""
        extra = extra or {}
        for name in sorted(set(self.blocks) | set(extra)):
            suffix = graph_suffix(name)
            blocks = self.blocks.get(name, [])
            if name not in extra and len(blocks) == 1:  # nearly every graph: its block as it was spilled
                for piece in blocks[0].pieces():
                    yield as_nquads(piece, suffix)
                continue
            lines = self.graph_lines(name) if blocks else []
            if name in extra:
                given = extra[name]
                given = given() if callable(given) else given
                lines = sorted(set(lines) | set(given)) if lines else given
            for piece in batched(lines, 1 << 16):
                yield as_nquads(b"".join(piece), suffix)


def union_of(nquads: Iterable[bytes]) -> Iterator[bytes]:
    """Sorted N-Quads lines → the union graph's sorted N-Triples lines, each triple once."""
    return itertools.chain.from_iterable(union_chunks(batched(nquads, 1 << 14)))


def union_chunks(chunks: Iterable[list[bytes]]) -> Iterator[list[bytes]]:
    """:func:`union_of` a list at a time: for each list of sorted N-Quads lines (the lists in order), the list of
    union lines it adds. A line handed through fewer generators costs less: the build's merge passes 22 million
    lines through here at 100,000 letters, on its serial path."""
    previous = None
    for chunk in chunks:
        triples = []
        for line in chunk:
            triple = ntriples_line(line)
            if triple != previous:
                triples.append(triple)
                previous = triple
        yield triples


_SORTING: tuple[SpilledDataset, list] | None = None


def _write_run(number: int) -> tuple[Path, object]:
    assert _SORTING is not None, "a sorting worker started without its tasks"
    dataset, tasks = _SORTING
    return dataset._write_run(tasks[number])


def _read_lines(path: Path) -> Iterator[bytes]:
    with path.open("rb", buffering=1 << 20) as handle:
        yield from handle


def _write_all(handle, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = handle.write(view)
        view = view[written:]

