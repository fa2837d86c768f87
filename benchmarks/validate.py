"""How long SHACL validation takes, and how much memory, at 1,000 / 10,000 / 100,000 synthetic letters.

The letters are ``benchmarks/corpus.py``'s synthetic records (deterministic: same N, same letters) mapped by the
real mapping (``kg.mapping.map_letter``), so the graphs have exactly the shape the shapes guard. The corpus is
*lazy*: the shared graphs (archives, edition, authorities, ontology) are made up front, and each source graph is
mapped inside the forked worker that validates it, so 100,000 letters never exist at once (a whole-corpus rdflib
graph alone costs more than 5 GB). "map+validate" therefore includes mapping in the workers. To give validation
alone, the same source graphs are first mapped and dropped by the same number of forked workers, in the same
chunks ("map only", measured in the same run); "validate alone" is the difference of the two walls and of the
two CPU times. (The issue's pyshacl baseline, 143 s at 100,000 letters, likewise had its graph made beforehand.)

Peak memory is the peak of the summed proportional set size (PSS) of this process and its workers, sampled every
second (PSS shares copy-on-write pages fairly between the forked processes, so the sum is the real footprint).
"input" is the PSS before validation starts: the synthetic records the workers map from, which a build holds
too; peak − input is what validation adds.

Each size is run once per engine of ``--engines`` (default: all of ``kg.validate.engine.ENGINES``), one after
the other in this process, so the engines are compared in one run on the same corpus and the same machine load.

Usage: ``python benchmarks/validate.py [N ...] [--engines E,E] [--workers W] [--batch-size B]``
"""

from __future__ import annotations

import argparse
import gc
import os
import resource
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from rdflib import Graph, URIRef  # noqa: E402

from benchmarks.common import SamplingPace  # noqa: E402
from kg.validate import GraphCorpus  # noqa: E402

BASE = "https://kg.example.org"


class SyntheticCorpus(GraphCorpus):
    """``n`` synthetic letters planned by the build's own ``kg.mapping.CorpusMapping`` (records kept pickled,
    file by file); a page's graph is mapped when a worker asks for it."""

    def __init__(self, n: int, seed: int = 1):
        from benchmarks.corpus import generate_authorities, iter_records
        from kg.authorities import load_authorities
        from kg.mapping import CorpusMapping
        from kg.memory import release_free_memory

        folder = Path(tempfile.mkdtemp(prefix="kg-bench-authorities-"))
        generate_authorities(folder, seed=seed)
        self.authorities = load_authorities(folder)
        records = list(iter_records(n, seed=seed))
        self.letters = len(records)
        self.mapping = CorpusMapping(records, self.authorities, BASE, {})
        del records
        release_free_memory()  # as kg build does once the plan is made
        super().__init__(self.mapping.shared_graphs(), [])

    def __len__(self) -> int:
        return len(self.mapping)

    def source(self, index: int) -> tuple[URIRef, Graph]:
        return self.mapping.source_graph(index)


class PeakMemory:
    """Samples the summed PSS of this process and its children until stopped.

    At most once a second, and less often when a sample is costly (``common.SamplingPace``): the kernel walks a
    process's page tables to answer ``smaps_rollup`` (measured: 25 ms for a 2 GiB process), so sampling three
    such processes ten times a second took a fifth of this 2-core machine from the validation it measures."""

    def __init__(self, interval: float = 1.0):
        self.interval, self.peak, self._stop = interval, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _pss(pid: int) -> int:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as handle:
                for line in handle:
                    if line.startswith("Pss:"):
                        return int(line.split()[1]) * 1024
        except OSError:
            return 0
        return 0

    @staticmethod
    def _children(pid: int) -> list[int]:
        found = []
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as handle:
                    found += [int(c) for c in handle.read().split()]
        except OSError:
            pass
        return found

    def _run(self) -> None:
        me = os.getpid()
        pace = SamplingPace(floor=self.interval)
        while not self._stop.is_set():
            self.peak = pace.poll(lambda: self._pss(me) + sum(self._pss(c) for c in self._children(me)))
            self._stop.wait(0.05)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


def cpu_seconds() -> float:
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def system_seconds() -> float:
    """Kernel time (page faults of copy-on-write, forks, pipes): part of ``cpu_seconds``."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_stime + children.ru_stime


_MAPPER: SyntheticCorpus | None = None


def _map_chunk(bounds: tuple[int, int]) -> int:
    """Map a chunk as a validation batch maps it: with the garbage collector paused (``kg.validate.batches``)."""
    from kg.memory import without_collector

    assert _MAPPER is not None
    mapper = _MAPPER
    return without_collector(lambda: sum(len(mapper.source(i)[1]) for i in range(*bounds)))


def map_only(corpus: SyntheticCorpus, workers: int | None, batch_size: int) -> dict:
    """Map every source graph and drop it, in ``workers`` forked processes over the chunks validation uses."""
    global _MAPPER
    import multiprocessing

    from kg.validate.batches import BATCHES_PER_WORKER

    workers = max(1, workers or os.cpu_count() or 1)
    bounds = [(start, min(start + batch_size, len(corpus))) for start in range(0, len(corpus), batch_size)]
    _MAPPER = corpus
    cpu_before, start = cpu_seconds(), time.perf_counter()
    try:
        with multiprocessing.get_context("fork").Pool(workers, maxtasksperchild=BATCHES_PER_WORKER) as pool:
            triples = sum(pool.imap_unordered(_map_chunk, bounds))
    finally:
        _MAPPER = None
    return {"wall": time.perf_counter() - start, "cpu": cpu_seconds() - cpu_before, "triples": triples}


def pss_now() -> int:
    return PeakMemory._pss(os.getpid())


def run(corpus: SyntheticCorpus, engine: str, workers: int | None, batch_size: int) -> dict:
    from kg.validate import validate_graphs
    from kg.validate.engine import ENGINE_VARIABLE

    os.environ[ENGINE_VARIABLE] = engine
    cpu_before, sys_before, before = cpu_seconds(), system_seconds(), pss_now()
    with PeakMemory() as memory:
        start = time.perf_counter()
        outcome = validate_graphs(corpus, workers=workers, batch_size=batch_size)
        wall = time.perf_counter() - start
    return {"engine": engine, "letters": corpus.letters, "graphs": len(corpus),
            "triples": outcome.stats["source_triples"], "wall": wall,
            "cpu": cpu_seconds() - cpu_before, "sys": system_seconds() - sys_before, "peak": memory.peak,
            "input": before,
            "workers": outcome.stats["workers"], "violations": len(outcome.violations),
            "steps": outcome.stats["seconds"],
            "results": len(outcome.results)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[1000, 10000, 100000])
    parser.add_argument("--engines", default=None, help="comma-separated SHACL engines (default: all)")
    parser.add_argument("--workers", type=int, default=None, help="default: all cores")
    parser.add_argument("--batch-size", type=int, default=200, help="source graphs per batch")
    args = parser.parse_args(argv)
    from kg.validate.engine import ENGINES

    engines = args.engines.split(",") if args.engines else list(ENGINES)
    print(f"cores: {os.cpu_count()}, load average before: {os.getloadavg()[0]:.1f}, SHACL engines: "
          f"{', '.join(engines)}", flush=True)
    print("| letters | engine | source graphs | triples | map only s (wall / CPU) | map+validate s (wall / CPU) "
          "| **validate alone s (wall / CPU)** | ms/letter (wall) | peak PSS MiB (input) | violations | results "
          "| steps (wall s) |",
          flush=True)
    print("|---:|:---|---:|---:|---:|---:|---:|---:|---:|---:|---:|:---|", flush=True)
    for n in args.sizes:
        corpus = SyntheticCorpus(n)
        # As ``kg build`` does before validating: the records become permanent for the garbage collector, so
        # neither the forked workers nor this process walk them again on every collection.
        gc.freeze()
        mapped = map_only(corpus, args.workers, args.batch_size)
        for engine in engines:
            row = run(corpus, engine, args.workers, args.batch_size)
            wall, cpu = row["wall"] - mapped["wall"], row["cpu"] - mapped["cpu"]
            print(f"| {row['letters']:,} | {engine} | {row['graphs']:,} | {row['triples']:,} "
                  f"| {mapped['wall']:.1f} / {mapped['cpu']:.1f} | {row['wall']:.1f} / {row['cpu']:.1f} "
                  f"| **{wall:.1f} / {cpu:.1f}** | {1000 * wall / row['letters']:.2f} "
                  f"| {row['peak'] / 2**20:,.0f} ({row['input'] / 2**20:,.0f}) | {row['violations']} "
                  f"| {row['results']} | {', '.join(f'{k} {v:.1f}' for k, v in row['steps'].items())}; "
                  f"kernel CPU {row['sys']:.1f} |",
                  flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
