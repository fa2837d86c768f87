"""The whole chain, top to bottom: sources → records → graphs → shapes → published release.

This module only sequences the stages and turns their failures into one message for the editor; each stage
lives in its own module. Nothing is published unless every stage succeeded: the publisher writes the new release
beside the current one and swaps it in only at the end, so a failed build leaves the served build untouched.

At scale (issue 10: 100,000 letters, 22 million triples) the stages overlap instead of handing each other the
whole corpus: pages are parsed in worker processes; each source file's graph is mapped by the validation worker
that checks it and spilled there to disk in canonical form (``SpillingCorpus``); the publisher sorts and merges
the spilled lines as streams. The main process holds the records and the shared graphs, never the letters'
triples: the 100,000-letter build that needed 13.6 GiB in one process now stays within a few GiB in all.
"""

from __future__ import annotations

import contextlib
import gc
import json
import multiprocessing
import os
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from rdflib import Graph, URIRef

from kg import settings
from kg.mapping import CorpusMapping
from kg.memory import release_free_memory, without_collector
from kg.spill import GraphSpill
from kg.validate import GraphCorpus


class BuildError(Exception):
    """A build that must not be published, with a message naming what to fix."""


NOT_PUBLISHED = "Nothing was published; the previous build (if any) is still the one served."


def default_authorities_for(sources_dir: Path) -> Path:
    """Authorities live beside the sources (``data/sources`` → ``data/authorities``), so a corpus is one folder."""
    sibling = sources_dir.resolve().parent / "authorities"
    return sibling if sibling.is_dir() else settings.default_authorities_dir()


def default_mappings_for(sources_dir: Path) -> Path:
    sibling = sources_dir.resolve().parent / "mappings"
    return sibling if sibling.is_dir() else settings.default_mappings_dir()


def _bars(quiet: bool, unit: str, desc: str) -> Callable[[Iterable], Iterable]:
    """A progress-bar wrapper for one stage; silent with ``--quiet`` and when stderr is not a terminal."""
    from tqdm import tqdm

    def wrap(items: Iterable) -> Iterable:
        total = len(items) if hasattr(items, "__len__") else None
        return tqdm(items, total=total, desc=desc, unit=unit, disable=quiet or None, leave=False,
                    file=sys.stderr)

    return wrap


def read_corpus(sources: Path, base_uri: str, *, authorities_dir: Path | None = None,
                progress: Callable[[str], None] | None = None, quiet: bool = True,
                workers: int = 1) -> tuple[CorpusMapping, list[dict], Path]:
    """Read the sources and the authorities and plan their mapping; return the plan, each source file's
    description (path, SHA-256, documents) and the authorities folder. Raises :class:`BuildError` naming what to
    fix.

    Without the cyclic garbage collector (``kg.memory.without_collector``): the records arrive as millions of
    objects that stay alive and hold no cycles, and each collection their allocations triggered walked all of
    them again. Reading and planning 100,000 letters took 82 s (43 s of this process's CPU) with it, 55 s (24 s)
    without.
    """
    return without_collector(lambda: _read_corpus(sources, base_uri, authorities_dir=authorities_dir,
                                                   progress=progress, quiet=quiet, workers=workers))


def _read_corpus(sources: Path, base_uri: str, *, authorities_dir: Path | None,
                 progress: Callable[[str], None] | None, quiet: bool,
                 workers: int) -> tuple[CorpusMapping, list[dict], Path]:
    from kg.authorities import AuthorityError, load_authorities
    from kg.mapping import CorpusMapping
    from kg.sources import read_sources

    say = progress or (lambda _msg: None)
    if not sources.exists():
        raise BuildError(f"{sources}: no such file or folder of sources. {NOT_PUBLISHED}")
    say(f"reading sources from {sources}")
    result = read_sources([sources], progress=_bars(quiet, "file", "parse"), workers=workers)
    if result.errors:
        lines = "\n".join(f"  {problem}" for problem in result.errors)
        raise BuildError(f"{len(result.errors)} source file(s) could not be read:\n{lines}\n{NOT_PUBLISHED}")
    if not result.records:
        raise BuildError(f"{sources}: no letters found in {len(result.read)} file(s). {NOT_PUBLISHED}")

    digests = {str(path): result.digests[str(path)] for path in result.read}
    per_file = Counter(record.source.path for record in result.records if record.source)
    source_info = [{"path": path, "sha256": digest, "documents": per_file.get(path, 0)}
                   for path, digest in sorted(digests.items())]

    authorities_dir = authorities_dir or default_authorities_for(sources if sources.is_dir() else sources.parent)
    say(f"mapping {len(result.records)} document(s) with authorities from {authorities_dir}")
    try:
        authorities = load_authorities(authorities_dir)
    except AuthorityError as exc:
        raise BuildError(f"the authority files cannot be read: {exc}\n{NOT_PUBLISHED}") from exc
    return CorpusMapping(result.records, authorities, base_uri, digests), source_info, authorities_dir


def assemble_graphs(sources: Path, base_uri: str, *, authorities_dir: Path | None = None,
                    mappings_dir: Path | None = None, progress: Callable[[str], None] | None = None,
                    quiet: bool = True) -> tuple[list[tuple[URIRef, Graph]], list[dict]]:
    """Read, map and link the sources; return every named graph (in memory) and a description of each source
    file. For ``kg validate`` and tests; ``run_build`` never holds every graph at once."""
    say = progress or (lambda _msg: None)
    corpus, source_info, where = read_corpus(sources, base_uri, authorities_dir=authorities_dir, progress=say,
                                             quiet=quiet)
    graphs = [corpus.source_graph(i) for i in _bars(quiet, "file", "map")(range(len(corpus)))]
    graphs += corpus.shared_graphs()
    graphs.extend(_wikidata_graphs(mappings_dir or default_mappings_for(sources), corpus.authorities, base_uri))
    _tell_curator(curator_problems(graphs), say, where)
    return graphs, source_info


def _tell_curator(problems: list[str], say: Callable[[str], None], authorities_dir: Path) -> None:
    if problems:
        shown = "\n".join(f"  {problem}" for problem in problems[:10])
        more = f"\n  ... and {len(problems) - 10} more (see manifest.json, extra.curator_report)" \
            if len(problems) > 10 else ""
        say(f"{len(problems)} name(s) or part(ies) match no authority entry (add them to {authorities_dir} "
            f"if they are persons, places, organisations or events):\n{shown}{more}")


def curator_problems(graphs: list[tuple[URIRef, Graph]]) -> list[str]:
    """What the mapping could not resolve, per source file, for the curator: unknown parties (a letter's sender or
    recipient) first, then capitalised names in texts and notes that no authority entry explains."""
    return order_problems(f"{Path(str(name)).name}: {problem}" for name, graph in graphs
                          for problem in getattr(graph, "problems", []))


def order_problems(problems: Iterable[str]) -> list[str]:
    return sorted(problems, key=lambda problem: "unknown name" in problem)


def _wikidata_graphs(mappings_dir: Path, authorities, base_uri: str) -> list[tuple[URIRef, Graph]]:
    """Curator-accepted Wikidata links and their enrichment, when the linking module and its files exist."""
    from kg.wikidata import build_graphs
    from kg.wikidata.sssom import SSSOMError

    try:
        return list(build_graphs(mappings_dir, authorities, base_uri))
    except SSSOMError as exc:
        raise BuildError(f"the reviewed Wikidata links cannot be read: {exc}\n{NOT_PUBLISHED}") from exc


def run_build(sources: Path, out_dir: Path, base_uri: str, *, quiet: bool = False,
              authorities_dir: Path | None = None, workers: int | None = None,
              documents: tuple[str, ...] = ()) -> Path:
    """Parse, map, validate and publish; return the path of the new release.

    Bounded memory at any size: the records and the shared graphs (authorities, archives, ontology) stay in this
    process; each source file's graph is mapped in a worker process when validation needs it, spilled to disk
    in canonical form there (``kg.spill``) and dropped, and the publisher sorts and writes the spilled lines as
    streams. Nothing reaches ``out_dir/current`` unless every graph conforms. ``workers``: processes (default:
    the cores). ``documents``: kinds of resources (``letter``, ``person``…) whose pages and RDF documents are
    rendered into the release (:func:`precompute_documents`) before it is swapped in.
    """
    from kg.publish import PublishError, publish_release, scratch_folder
    from kg.validate import validate_graphs

    workers = max(1, workers or os.cpu_count() or 1)
    say = (lambda _msg: None) if quiet else _teller(time.monotonic())
    _warn_if_the_disk_is_short(out_dir)
    corpus, source_info, where = read_corpus(sources, base_uri, authorities_dir=authorities_dir, progress=say,
                                             quiet=quiet, workers=workers)
    release_free_memory()  # the records as objects are gone (the plan keeps them pickled): before any fork
    shared = corpus.shared_graphs()
    shared.extend(_wikidata_graphs(default_mappings_for(sources), corpus.authorities, base_uri))
    with _system_errors_said(), scratch_folder(out_dir) as spill_dir:
        spilling = SpillingCorpus(shared, corpus, spill_dir)
        files = len(corpus)
        del corpus  # the records live on in ``spilling`` only, so that they can be let go before publishing
        say(f"mapping and validating {files} source file(s) against the shapes in {workers} process(es)")
        # Frozen objects are never written by the collector, so forked workers share the records' pages
        # instead of each copying them as a garbage collection touches them (copy-on-write).
        gc.freeze()
        try:
            with _counter_bar(quiet, "file", "map+validate", files, spilling.done):
                outcome = validate_graphs(spilling, workers=workers)
        finally:
            gc.unfreeze()
        if not outcome.conforms:
            raise BuildError(f"the graph does not conform to the shapes:\n{outcome.report_text()}\n{NOT_PUBLISHED}")
        problems = spilling.problems()
        del spilling, outcome  # the records: the publisher's sorting processes fork from here
        gc.collect()
        _tell_curator(problems, say, where)
        say(f"publishing into {out_dir}")
        try:
            return publish_release(shared, out_dir, base_uri=base_uri, sources=source_info,
                                   extra={"curator_report": problems}, spilled=spill_dir, workers=workers,
                                   progress=say, finish=precompute_documents(documents, workers, say))
        except PublishError as exc:
            raise BuildError(f"publishing failed: {exc}\n{NOT_PUBLISHED}") from exc


def _warn_if_the_disk_is_short(out_dir: Path) -> None:
    """Say on standard error, even with ``--quiet`` (it is not progress), when the disk of ``out_dir`` has less room
    than a build like the last one needs. Only a warning: the corpus may have shrunk, and a build that does run out
    of room stops in words and publishes nothing."""
    from kg.publish import disk_room

    room = disk_room(out_dir)
    if room is None:
        return
    needed, free = room
    if needed <= free:
        return
    print(f"kg build: warning: the disk of {out_dir} has {_gigabytes(free)} free, and a build like the last one "
          f"needs about {_gigabytes(needed)} while it runs (the new release and its intermediate files; the "
          f"release served now stays for a rollback). If the disk fills up, the build stops and publishes nothing: "
          f"make room, or build elsewhere with --out.", file=sys.stderr, flush=True)


def _gigabytes(size: int) -> str:
    return f"{size / 1e9:.1f} GB"


@contextlib.contextmanager
def _system_errors_said() -> Iterator[None]:
    """An ``OSError`` (a full disk, an ``--out`` folder one may not write in) becomes a :class:`BuildError`
    saying what the system refused and where: the editor's to fix, in words, not a traceback."""
    try:
        yield
    except OSError as exc:
        raise BuildError(f"the build failed: {_system_problem(exc)}\n{NOT_PUBLISHED}") from exc


def _system_problem(exc: OSError) -> str:
    """What the operating system refused, and where: "No space left on device (/…/void.ttl)"."""
    where = f" ({exc.filename})" if exc.filename else ""
    return f"{exc.strerror or exc}{where}"


def precompute_documents(kinds: tuple[str, ...], workers: int,
                         say: Callable[[str], None]) -> Callable[[Path, str], dict] | None:
    """The publisher's last step for ``kg build --documents``: render the documents of ``kinds`` into the new
    release (``server.documents.precompute``), so that the server sends them as they are from the first request.

    Opt-in because it costs: measured on the 10,000-letter benchmark corpus, the letters alone took 101 s and
    2.4 GB in five formats, every kind 529 s and 4.1 GB. Without it each worker renders a document on its first
    request and keeps it in memory. The facts (counts, bytes, formats and the pack's checksums) go into the
    manifest; not the seconds, which would make identical builds differ.
    """
    if not kinds:
        return None

    def finish(folder: Path, base_uri: str) -> dict:
        from server.documents import precompute

        say(f"rendering the documents of every {', '.join(kinds)} into the release")
        facts = precompute(folder, base_uri=base_uri, processes=workers, kinds=kinds)
        return {key: value for key, value in facts.items() if key != "seconds"}

    return finish


def _teller(started: float) -> Callable[[str], None]:
    """Print a step with the time since the build began (``kg build [1:05] ...``): at 100,000 letters a build
    runs for minutes, and an editor (or the next engineer) wants to see where they went."""
    def say(message: str) -> None:
        minutes, seconds = divmod(int(time.monotonic() - started), 60)
        print(f"kg build [{minutes}:{seconds:02d}]: {message}", flush=True)
    return say


class SpillingCorpus(GraphCorpus):
    """The corpus as validation sees it, whose source graphs are mapped on demand (in the worker that validates
    them) and, as they are made, written to ``spill_dir`` in the canonical form the publisher reads.

    So a graph is mapped once, converted once, in parallel, and never held by this process: the build's memory
    does not grow with the letters. A graph asked for twice (validation checks entangled letters together once
    more) is spilled twice, which the publisher's merge makes harmless. The curator's problems of each file are
    written beside it (``{pid}.problems``, a JSON line per file).
    """

    def __init__(self, shared: list[tuple[URIRef, Graph]], corpus: CorpusMapping, spill_dir: Path) -> None:
        super().__init__(shared, range(len(corpus)))
        self.corpus = corpus
        self.spill_dir = spill_dir
        self.done = multiprocessing.get_context("fork").Value("i", 0)  # shared with forked workers: the bar
        self._spills: dict[int, GraphSpill] = {}

    def source(self, index: int) -> tuple[URIRef, Graph]:
        name, graph = self.corpus.source_graph(index)
        spill = self._spills.get(os.getpid())
        if spill is None:
            spill = self._spills[os.getpid()] = GraphSpill(self.spill_dir, f"worker-{os.getpid()}")
        spill.add(name, graph)
        problems = getattr(graph, "problems", [])
        if problems:
            line = json.dumps({"file": index, "problems": [f"{Path(str(name)).name}: {p}" for p in problems]})
            with (self.spill_dir / f"worker-{os.getpid()}.problems").open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")
        with self.done.get_lock():
            self.done.value += 1
        return name, graph

    def problems(self) -> list[str]:
        """Every file's problems, once each, in file order (unknown names last)."""
        per_file: dict[int, list[str]] = {}
        for path in sorted(self.spill_dir.glob("*.problems")):
            for line in path.read_text(encoding="utf-8").splitlines():
                entry = json.loads(line)
                per_file[entry["file"]] = entry["problems"]
        return order_problems(problem for index in sorted(per_file) for problem in per_file[index])


@contextlib.contextmanager
def _counter_bar(quiet: bool, unit: str, desc: str, total: int, counter) -> Iterator[None]:
    """A progress bar fed from a counter that worker processes increase (polled by a thread)."""
    from tqdm import tqdm

    bar = tqdm(total=total, desc=desc, unit=unit, disable=quiet or None, leave=False, file=sys.stderr)
    stop = threading.Event()

    def poll() -> None:
        while not stop.wait(0.25):
            bar.update(min(counter.value, total) - bar.n)

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
        bar.close()


def validate_path(path: Path, fmt: str, base_uri: str) -> tuple[bool, str]:
    """Validate sources (folder or page) or an RDF file; return (conforms, report in ``fmt``)."""
    from kg.rdffiles import read_named_graphs
    from kg.validate import validate_graphs

    if path.is_file() and path.suffix.lower() in {".ttl", ".nt", ".nq", ".trig", ".jsonld", ".rdf", ".xml"} \
            and not _looks_like_cmif(path):
        graphs = read_named_graphs(path)
    else:
        graphs, _ = assemble_graphs(path, base_uri)
    outcome = validate_graphs(graphs)
    if fmt == "ttl":
        return outcome.conforms, outcome.report_graph().serialize(format="turtle")
    return outcome.conforms, outcome.report_text()


def _looks_like_cmif(path: Path) -> bool:
    if path.suffix.lower() != ".xml":
        return False
    with path.open("rb") as handle:
        head = handle.read(1 << 16)
    return b"correspDesc" in head or b"tei-c.org" in head
