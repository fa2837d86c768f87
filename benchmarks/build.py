"""One ``kg build`` timed end to end, step by step, with the peak memory of all its processes together.

The 100,000-letter figure of issue 10 comes from here: generate the corpus once (``python benchmarks/corpus.py
100000 --out DIR``), then ``python benchmarks/build.py DIR/sources OUT``. Each line of the build's progress is
printed with the seconds since the start; the last line gives the wall time and the peak PSS (a page shared
by forked workers counts once), sampled as ``common.SamplingPace`` allows, so the sampling costs the build at
most 2 % of a core.

Usage: ``python benchmarks/build.py SOURCES OUT``
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.common import PYTHON, SamplingPace, group_pss  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("sources", type=Path, help="the folder of source pages")
    parser.add_argument("out", type=Path, help="the build folder (a new release is published into it)")
    args = parser.parse_args()
    started = time.perf_counter()
    build = subprocess.Popen([PYTHON, "-m", "kg.cli", "build", "--sources", str(args.sources), "--out",
                              str(args.out)], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                             start_new_session=True, cwd=ROOT)
    pace = SamplingPace()

    def sample() -> None:
        while build.poll() is None:
            pace.poll(lambda: group_pss(build.pid))
            time.sleep(0.1)

    threading.Thread(target=sample, daemon=True).start()
    assert build.stdout is not None
    for line in build.stdout:
        print(f"{time.perf_counter() - started:7.1f} s  {line.decode().rstrip()}", flush=True)
    build.wait()
    print(f"exit {build.returncode}, wall {time.perf_counter() - started:.1f} s, "
          f"peak PSS {pace.peak / 2**30:.2f} GiB", flush=True)
    return build.returncode


if __name__ == "__main__":
    sys.exit(main())
