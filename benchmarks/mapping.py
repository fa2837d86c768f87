"""How long mapping takes, and how much memory, for 1,000 / 10,000 synthetic letters — before/after side by side.

The letters are ``benchmarks/corpus.py``'s records (what a perfect parser returns) with its synthetic authorities,
so only ``kg.mapping`` is measured. Each figure comes from a fresh child process (``common.run_child``): *seconds*
is the mapping alone (records and authorities are made before the clock starts), *peak* the child's
``ru_maxrss``, *input* its resident size before mapping (the records), so peak − input is what mapping costs.

Modes:

- ``list``: ``map_corpus`` — every graph held at once (what ``kg build`` did before streaming);
- ``stream``: ``iter_map_corpus`` — each source graph counted, then dropped (what a streaming build holds).

``--before DIR`` compares with an older copy of the package (``DIR/kg``, e.g. a copy made before a change, so no
git stash or checkout is needed); it has no ``iter_map_corpus``, so only its ``list`` mode is run.

Usage: ``python benchmarks/mapping.py [--sizes 1000,10000] [--modes list,stream] [--before /tmp/kg_before]
[--json FILE]``
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BASE = "https://kg.example.org"


def child(kg_root: str, n: int, mode: str, seed: int) -> None:
    """In the child: make the records, then map them and report seconds, memory and triples."""
    if kg_root:
        sys.path.insert(0, kg_root)  # before any ``kg`` import: that copy of the package is measured
    import tempfile

    import kg
    from benchmarks.common import self_peak_rss, write_report
    from benchmarks.corpus import generate_authorities, iter_records
    from kg.authorities import load_authorities

    with tempfile.TemporaryDirectory(prefix="kg-bench-authorities-") as folder:
        generate_authorities(Path(folder), seed=seed)
        authorities = load_authorities(Path(folder))
    records = list(iter_records(n, seed=seed))
    import kg.mapping as mapping

    input_rss = _current_rss()
    started = time.perf_counter()
    graphs = triples = 0
    if mode == "list":
        result = mapping.map_corpus(records, authorities, BASE, {})
        graphs, triples = len(result), sum(len(graph) for _, graph in result)
    else:
        for _name, graph in mapping.iter_map_corpus(records, authorities, BASE, {}):
            graphs, triples = graphs + 1, triples + len(graph)
    seconds = time.perf_counter() - started
    write_report({"seconds": seconds, "peak_rss": self_peak_rss(), "input_rss": input_rss, "graphs": graphs,
                  "triples": triples, "package": str(Path(kg.__file__).parent)})


def _current_rss() -> int:
    """This process's resident size now, in bytes."""
    import os

    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def measure(kg_root: str, n: int, mode: str, seed: int, timeout: float) -> dict:
    from benchmarks.common import PYTHON, run_child

    result = run_child([PYTHON, str(Path(__file__).resolve()), "--child", "--kg-root", kg_root, "--n", str(n),
                        "--mode", mode, "--seed", str(seed)], timeout=timeout, quiet=False)
    if not result.ok:
        return {"error": result.error}
    return {**result.report, "peak_rss": result.peak_rss}


def _mib(value: int) -> str:
    return f"{value / 2**20:,.0f}"


def table(rows: list[dict]) -> str:
    header = ("letters", "version", "mode", "seconds", "letters/s", "peak MiB", "input MiB", "triples", "speed-up")
    lines = [header]
    before = {(r["n"]): r for r in rows if r["version"] == "before" and "seconds" in r}
    for r in rows:
        if "error" in r:
            lines.append((f"{r['n']:,}", r["version"], r["mode"], "failed: " + r["error"], "", "", "", "", ""))
            continue
        base = before.get(r["n"])
        ratio = f"{base['seconds'] / r['seconds']:.1f}x" if base and r["version"] != "before" else ""
        lines.append((f"{r['n']:,}", r["version"], r["mode"], f"{r['seconds']:.2f}", f"{r['n'] / r['seconds']:,.0f}",
                      _mib(r["peak_rss"]), _mib(r["input_rss"]), f"{r['triples']:,}", ratio))
    widths = [max(len(str(line[i])) for line in lines) for i in range(len(header))]
    return "\n".join("  ".join(str(cell).rjust(width) for cell, width in zip(line, widths, strict=True))
                     for line in lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated numbers of letters")
    parser.add_argument("--modes", default="list,stream", help="list (map_corpus) and/or stream (iter_map_corpus)")
    parser.add_argument("--before", default="", help="a folder holding an older copy of the kg package")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per child")
    parser.add_argument("--json", type=Path, help="also write the rows as JSON here")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--kg-root", default="", help=argparse.SUPPRESS)
    parser.add_argument("--n", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--mode", default="list", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.kg_root, args.n, args.mode, args.seed)
        return 0
    rows = []
    modes = [m for m in args.modes.split(",") if m]
    for n in (int(size) for size in args.sizes.split(",") if size):
        runs = [("before", args.before, "list")] if args.before else []
        runs += [("after" if args.before else "current", "", mode) for mode in modes]
        for version, kg_root, mode in runs:
            row = {"n": n, "version": version, "mode": mode, **measure(kg_root, n, mode, args.seed, args.timeout)}
            rows.append(row)
            print(f"  {version} {mode} {n:,}: " + (row.get("error") or f"{row['seconds']:.2f} s, "
                                                  f"{_mib(row['peak_rss'])} MiB peak"), file=sys.stderr, flush=True)
    print(table(rows))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=1), encoding="utf-8")
    return 0 if all("error" not in row for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
