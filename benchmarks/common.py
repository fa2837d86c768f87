"""Measuring helpers shared by the benchmark scripts: child processes with their peak memory, latency
percentiles, free ports, servers started and stopped, and a bounded HTTP load generator.

Why child processes: the peak resident memory of a stage is only meaningful in a fresh process (Python never
returns freed memory to the system, so a second stage in the same process inherits the first one's peak).
``os.wait4`` hands back the child's own ``ru_maxrss`` — the largest resident size of that process or of any
descendant it waited for (for a stage with worker processes: the largest single process, not their sum).
No psutil, no tracemalloc (which slows Python and misses memory held by Rust/C extensions).
"""

from __future__ import annotations

import http.client
import json
import math
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


# ----------------------------------------------------------------------------------------------- children
@dataclass
class ChildResult:
    """What a child process reported, plus what the kernel says about it."""

    ok: bool
    seconds: float  # wall time of the whole child, interpreter start included
    peak_rss: int  # bytes (ru_maxrss of the child and its waited-for descendants)
    returncode: int
    peak_tree_pss: int = 0  # bytes: the largest sum, sampled (SamplingPace), of the PSS of every process it started
    report: dict = field(default_factory=dict)  # the JSON the child wrote to its report file
    error: str = ""


def run_child(argv: Sequence[str], *, timeout: float, env: dict[str, str] | None = None,
              cwd: Path | None = None, quiet: bool = True) -> ChildResult:
    """Run ``argv`` with ``KG_BENCH_REPORT`` naming a file the child may fill with JSON; return its figures.

    The child is reaped with ``os.wait4`` so that its peak memory comes from the kernel. On timeout the
    child's
    process group is killed (it may have started servers or workers of its own).
    """
    with tempfile.TemporaryDirectory(prefix="kg-bench-") as tmp:
        report_file = Path(tmp) / "report.json"
        log_file = Path(tmp) / "log.txt"
        child_env = {**os.environ, **(env or {}), "KG_BENCH_REPORT": str(report_file),
                     "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
        started = time.perf_counter()
        with log_file.open("wb") as log:
            proc = subprocess.Popen(list(argv), stdout=log, stderr=subprocess.STDOUT, env=child_env,
                                    cwd=str(cwd or ROOT), start_new_session=True)
            deadline = started + timeout
            status = None
            rusage = None
            pace = SamplingPace()
            while True:
                pid, status, rusage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    break
                # Reading smaps_rollup costs the measured processes: paced (SamplingPace).
                pace.poll(lambda: group_pss(proc.pid))
                if time.perf_counter() > deadline:
                    _kill_group(proc.pid)
                    _, status, rusage = os.wait4(proc.pid, 0)
                    break
                time.sleep(0.02)
        proc.returncode = os.waitstatus_to_exitcode(status)  # keep Popen from waiting on a reaped child
        seconds = time.perf_counter() - started
        timed_out = seconds >= timeout
        report: dict = {}
        if report_file.exists():
            try:
                report = json.loads(report_file.read_text(encoding="utf-8"))
            except json.JSONDecodeError:
                report = {}
        log_text = log_file.read_text(encoding="utf-8", errors="replace")
        if not quiet and log_text.strip():
            sys.stderr.write(log_text)
        ok = proc.returncode == 0 and not timed_out
        error = ""
        if timed_out:
            error = f"timed out after {timeout:.0f} s"
        elif not ok:
            error = report.get("error") or _last_line(log_text) or f"exit status {proc.returncode}"
        return ChildResult(ok=ok, seconds=seconds, peak_rss=rusage.ru_maxrss * 1024,
                           returncode=proc.returncode, peak_tree_pss=pace.peak,
                           report=report, error=error)


class SamplingPace:
    """When to sample memory next, so that sampling costs the measured program at most ``budget`` of a core.

    Reading ``smaps_rollup`` makes the kernel walk the process's page tables while holding its memory lock (about
    25 ms per GiB): sampling the 100,000-letter build's processes (3 GiB together) once a second was 6.5 % of
    all the machine's CPU time in a system-wide profile (``smaps_account``), and slowed the build it measured.
    Each sample's own duration sets the wait before the next one (at least ``floor`` seconds): ``budget`` = 2 %
    samples a 3 GiB build about every 4 s, a small one every second, as before.
    """

    def __init__(self, budget: float = 0.02, floor: float = 1.0) -> None:
        self.budget, self.floor = budget, floor
        self._due = 0.0
        self.peak = 0  #: the largest value :meth:`poll` has read

    def poll(self, read: Callable[[], int]) -> int:
        """``read()`` if a sample is due; the largest value read so far."""
        if self.due():
            self.peak = max(self.peak, self.sample(read))
        return self.peak

    def due(self) -> bool:
        return time.perf_counter() >= self._due

    def sample(self, read: Callable[[], int]) -> int:
        """``read()`` now; the next sample is due after its cost divided by the budget."""
        started = time.perf_counter()
        value = read()
        spent = time.perf_counter() - started
        self._due = time.perf_counter() + max(self.floor, spent / self.budget)
        return value


def group_pss(group: int) -> int:
    """Bytes of memory used by the processes of process group ``group``, counted as PSS (a page shared by forked
    workers counts once in all, not once per worker, as RSS would); RSS where the kernel gives no PSS."""
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as handle:
                fields = handle.read().rsplit(b")", 1)[1].split()
            if int(fields[2]) != group:  # fields after the name: state, ppid, pgrp, ...
                continue
            with open(f"/proc/{entry.name}/smaps_rollup", "rb") as handle:
                for line in handle:
                    if line.startswith(b"Pss:"):
                        total += int(line.split()[1]) * 1024
                        break
        except (OSError, ValueError, IndexError):
            continue
    return total


def _last_line(text: str) -> str:
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    return lines[-1][:300] if lines else ""


def _kill_group(pid: int) -> None:
    import signal

    try:
        os.killpg(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def write_report(data: dict) -> None:
    """In a child started by :func:`run_child`: hand ``data`` back to the parent."""
    target = os.environ.get("KG_BENCH_REPORT")
    if target:
        Path(target).write_text(json.dumps(data, default=str), encoding="utf-8")
    else:
        print(json.dumps(data, default=str, indent=2))


def self_peak_rss() -> int:
    """This process's peak resident memory so far, in bytes (Linux reports KiB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


# ----------------------------------------------------------------------------------------------- statistics
def percentile(samples: Sequence[float], q: float) -> float:
    """The q-th percentile (0-100) by linear interpolation between closest ranks (numpy's default)."""
    if not samples:
        return math.nan
    ordered = sorted(samples)
    pos = (len(ordered) - 1) * q / 100.0
    lo, hi = math.floor(pos), math.ceil(pos)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


@dataclass
class Latency:
    """Repeated timings of one operation, in seconds."""

    runs: int
    p50: float
    p99: float
    mean: float
    total: float

    @classmethod
    def of(cls, samples: Sequence[float]) -> Latency:
        return cls(runs=len(samples), p50=percentile(samples, 50), p99=percentile(samples, 99),
                   mean=sum(samples) / len(samples) if samples else math.nan, total=sum(samples))

    def to_dict(self) -> dict:
        return asdict(self)


def time_repeated(work: Callable[[], object], *, min_runs: int = 3, max_runs: int = 200,
                  budget: float = 10.0, warmup: int = 1) -> tuple[Latency, object]:
    """Run ``work`` until ``max_runs`` or until ``budget`` seconds are spent (at least ``min_runs`` times).

    Returns the latency figures and the last result (so callers can check engines agree). Slow operations run
    ``min_runs`` times only; a warm-up run is not counted (first-query plan caches, page faults).
    """
    result = None
    for _ in range(warmup):
        result = work()
    samples: list[float] = []
    spent = 0.0
    while len(samples) < max_runs and (len(samples) < min_runs or spent < budget):
        start = time.perf_counter()
        result = work()
        elapsed = time.perf_counter() - start
        samples.append(elapsed)
        spent += elapsed
    return Latency.of(samples), result


def ratio(ours: float | None, theirs: float | None) -> float | None:
    """theirs / ours for times (how many times faster we are); None when either is missing."""
    if ours is None or theirs is None or not ours or math.isnan(ours) or math.isnan(theirs):
        return None
    return theirs / ours


# ----------------------------------------------------------------------------------------------- formatting
def fmt_seconds(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    if value < 1e-3:
        return f"{value * 1e6:.0f} µs"
    if value < 1:
        return f"{value * 1e3:.1f} ms" if value < 0.1 else f"{value * 1e3:.0f} ms"
    if value < 100:
        return f"{value:.2f} s" if value < 10 else f"{value:.1f} s"
    return f"{value:.0f} s"


def fmt_bytes(value: int | float | None) -> str:
    if value is None:
        return "-"
    value = float(value)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if value < 1024 or unit == "GiB":
            return f"{value:.0f} {unit}" if unit in ("B", "KiB") else f"{value:.1f} {unit}"
        value /= 1024
    return f"{value:.1f} GiB"


def fmt_ratio(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "-"
    if value < 0.1:
        return f"{value:.3f}×"
    return f"{value:.1f}×" if value < 100 else f"{value:.0f}×"


# ----------------------------------------------------------------------------------------------- servers
def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url: str, *, timeout: float = 60.0, proc: subprocess.Popen | None = None) -> None:
    """Poll ``url`` until it answers (any HTTP status) or raise ``TimeoutError``/``RuntimeError``."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"server exited with status {proc.returncode} before answering {url}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError as exc:
            last = exc
            time.sleep(0.1)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s ({last})")


class Server:
    """A server process we started, stopped by its own process id (never by name)."""

    def __init__(self, argv: Sequence[str], *, health_url: str, env: dict[str, str] | None = None,
                 log: Path | None = None, startup_timeout: float = 120.0) -> None:
        self.log_path = log or Path(tempfile.mkstemp(prefix="kg-bench-server-", suffix=".log")[1])
        self._log = self.log_path.open("wb")
        self.proc = subprocess.Popen(list(argv), stdout=self._log, stderr=subprocess.STDOUT,
                                     env={**os.environ, **(env or {})}, cwd=str(ROOT), start_new_session=True)
        try:
            wait_for_http(health_url, timeout=startup_timeout, proc=self.proc)
        except Exception:
            self.stop()
            raise RuntimeError(f"{' '.join(argv[:3])}… did not start: {self.log_tail()}") from None

    def peak_rss(self) -> int | None:
        """Peak resident memory (VmHWM) of the server process and its direct children, summed, in bytes."""
        total = 0
        pids = [self.proc.pid]
        try:
            children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children").read_text().split()
            pids += [int(p) for p in children]
        except OSError:
            pass
        for pid in pids:
            try:
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmHWM:"):
                        total += int(line.split()[1]) * 1024
            except OSError:
                continue
        return total or None

    def log_tail(self, lines: int = 5) -> str:
        try:
            text = self.log_path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return ""
        return " | ".join(text.strip().splitlines()[-lines:])

    def stop(self) -> None:
        import signal

        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                _kill_group(self.proc.pid)
                self.proc.wait(timeout=15)
        self._log.close()

    def __enter__(self) -> Server:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


# ----------------------------------------------------------------------------------------------- HTTP load
@dataclass
class LoadResult:
    """A bounded load test: requests done, errors, throughput and latency of the successful ones."""

    requests: int
    errors: int
    seconds: float
    throughput: float  # successful requests per second
    latency: Latency
    status_counts: dict[str, int]
    first_error: str = ""

    def to_dict(self) -> dict:
        out = asdict(self)
        out["latency"] = self.latency.to_dict()
        return out


def _request(conn_box: list, host: str, port: int, method: str, path: str, headers: dict[str, str],
             body: bytes | None, follow: bool) -> tuple[int, bytes]:
    """One request on a kept-alive connection (reopened when the server closed it), following one redirect."""
    for attempt in range(2):
        if conn_box[0] is None:
            conn_box[0] = http.client.HTTPConnection(host, port, timeout=60)
        conn = conn_box[0]
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
            if response.getheader("Connection", "").lower() == "close":
                conn.close()
                conn_box[0] = None
            if follow and response.status in (301, 302, 303, 307, 308):
                location = urllib.parse.urlsplit(response.getheader("Location", ""))
                target = location.path + (f"?{location.query}" if location.query else "")
                return _request(conn_box, host, port, "GET", target, headers, None, False)
            return response.status, data
        except (http.client.HTTPException, OSError):
            conn.close()
            conn_box[0] = None
            if attempt:
                raise
    raise RuntimeError("unreachable")


def load_test(base_url: str, paths: Sequence[str], *, headers: dict[str, str] | None = None,
              threads: int = 4, max_requests: int = 2000, max_seconds: float = 15.0,
              method: str = "GET", body: bytes | None = None, follow_redirects: bool = True) -> LoadResult:
    """Send at most ``max_requests`` requests for at most ``max_seconds`` from ``threads`` threads.

    Loopback only: ``base_url`` must point at 127.0.0.1 or localhost. The paths are taken in turn, so a
    list of
    different letters measures pages rather than one cached page.
    """
    parts = urllib.parse.urlsplit(base_url)
    if parts.hostname not in ("127.0.0.1", "localhost", "::1"):
        raise ValueError(f"load tests run on the loopback interface only, not {parts.hostname}")
    host, port = parts.hostname, parts.port or 80
    lock = threading.Lock()
    counter = {"next": 0, "errors": 0}
    samples: list[float] = []
    statuses: dict[str, int] = {}
    first_error: list[str] = []
    deadline = time.perf_counter() + max_seconds

    def worker() -> None:
        conn_box: list = [None]
        while True:
            with lock:
                i = counter["next"]
                if i >= max_requests or time.perf_counter() > deadline:
                    break
                counter["next"] += 1
            path = parts.path.rstrip("/") + paths[i % len(paths)]
            start = time.perf_counter()
            try:
                status, _ = _request(conn_box, host, port, method, path, headers or {}, body,
                                     follow_redirects)
            except Exception as exc:  # noqa: BLE001 - a failed request is a figure, not a crash
                with lock:
                    counter["errors"] += 1
                    if not first_error:
                        first_error.append(f"{type(exc).__name__}: {exc}")
                continue
            elapsed = time.perf_counter() - start
            with lock:
                statuses[str(status)] = statuses.get(str(status), 0) + 1
                if 200 <= status < 300:
                    samples.append(elapsed)
                else:
                    counter["errors"] += 1
                    if not first_error:
                        first_error.append(f"HTTP {status} for {path[:120]}")
        if conn_box[0] is not None:
            conn_box[0].close()

    started = time.perf_counter()
    pool = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join()
    seconds = time.perf_counter() - started
    return LoadResult(requests=counter["next"], errors=counter["errors"], seconds=seconds,
                      throughput=len(samples) / seconds if seconds else 0.0, latency=Latency.of(samples),
                      status_counts=statuses, first_error=first_error[0] if first_error else "")
