"""How the way a release is loaded into the embedded store changes every query served afterwards.

Usage:  .venv/bin/python benchmarks/store_load.py --build DIR [--loaders load,bulk_load] [--runs 3000]

For each pyoxigraph loader, in its own child process (a fresh C heap each), side by side in one run: load the
release's ``dataset.nq`` into an in-memory ``Store``, then time, per query, an ``ASK {}`` and a lookup of one
letter's statements, each answer serialised as SPARQL JSON the way the endpoint sends it. The columns: load
seconds, peak resident memory of the child, and microseconds per query (mean of ``--runs``).

Why it exists: ``kg.store.open_release_store`` loads with ``Store.load``, not ``bulk_load``. Measured
(2026-11-26, one run each, 2 shared cores): on the 10,000-letter release (2,282,921 quads) ``bulk_load`` took
8.8 s and left every later query slower, ``ASK {}`` 60 us and a lookup 98 us, against 7.5 s, 16 us and 48 us
after ``load``; on the 100,000-letter release (22,294,722 quads) 140 s, 68 us and 106 us against 113 s, 16 us
and 48 us, and 8.4 against 8.1 GB. ``perf`` on a process that had bulk-loaded put half of an ``ASK {}`` in
glibc's ``_int_malloc``: the parallel loader leaves the heap fragmented, and every query's allocations pay
for it, in every store of the process; ``malloc_trim`` does not undo it.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.common import PYTHON, fmt_bytes, run_child, write_report  # noqa: E402

LOADERS = ("load", "bulk_load")
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LETTER_CLASS = "http://www.cidoc-crm.org/cidoc-crm/E22_Human-Made_Object"


def child(loader: str, dataset: Path, runs: int) -> dict:
    """Load ``dataset`` with ``loader`` and time the two queries (runs in a fresh child process)."""
    import pyoxigraph as ox

    store = ox.Store()
    start = time.perf_counter()
    getattr(store, loader)(path=str(dataset), format=ox.RdfFormat.N_QUADS)
    seconds = time.perf_counter() - start
    letter = next(iter(store.quads_for_pattern(None, ox.NamedNode(RDF_TYPE), ox.NamedNode(LETTER_CLASS))),
                  None)
    lookup = (f"SELECT ?p ?o WHERE {{ {letter.subject} ?p ?o }}" if letter is not None
              else "SELECT ?s WHERE { ?s ?p ?o } LIMIT 10")

    def per_query(text: str) -> float:
        def once() -> None:
            store.query(text, use_default_graph_as_union=True).serialize(format=ox.QueryResultsFormat.JSON)

        for _ in range(min(100, runs)):
            once()
        began = time.perf_counter()
        for _ in range(runs):
            once()
        return (time.perf_counter() - began) / runs * 1e6

    return {"loader": loader, "quads": len(store), "load_seconds": seconds, "ask_us": per_query("ASK {}"),
            "lookup_us": per_query(lookup)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", type=Path, required=True, help="a kg build folder (its current release)")
    parser.add_argument("--loaders", default=",".join(LOADERS))
    parser.add_argument("--runs", type=int, default=3000, help="queries timed per row")
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    dataset = (args.build / "current" / "dataset.nq").resolve()
    if args.child:
        write_report(child(args.child, dataset, args.runs))
        return 0
    if not dataset.is_file():
        parser.error(f"--build {args.build}: no current release with a dataset.nq (run `kg build` first)")
    print(f"{dataset} ({fmt_bytes(dataset.stat().st_size)}), {os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.1f}", flush=True)
    print("| loader | quads | load s | peak RSS | ASK {} us | lookup us |")
    print("|---|---|---|---|---|---|")
    for loader in args.loaders.split(","):
        if loader not in LOADERS:
            parser.error(f"--loaders: unknown loader {loader!r} (expected {', '.join(LOADERS)})")
        result = run_child([PYTHON, __file__, "--build", str(args.build), "--runs", str(args.runs),
                            "--child", loader], timeout=3600)
        if not result.ok:
            print(f"| {loader} | failed: {result.error} | | | | |", flush=True)
            continue
        r = result.report
        print(f"| {loader} | {r['quads']:,} | {r['load_seconds']:.1f} | {fmt_bytes(result.peak_rss)} "
              f"| {r['ask_us']:.0f} | {r['lookup_us']:.0f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
