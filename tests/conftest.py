"""Shared test helpers: real servers on free 127.0.0.1 ports, started and stopped by the test that needs them.

- ``serve_app(config, http_server="granian")``: the Flask app for a :class:`server.config.ServerConfig` under a
  real Granian (or gunicorn) server (the same ``server.wsgi.run_server`` that ``kg serve`` uses), as a context
  manager yielding the base URL.
- ``oxigraph_server(location=None, union=True)``: a real ``oxigraph serve`` (the PyPI ``oxigraph`` CLI),
  yielding
  its base URL (``/query``, ``/store``...).
- ``free_port()``: a TCP port free on 127.0.0.1 right now.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_http(url: str, timeout: float = 30.0, alive: Callable[[], bool] = lambda: True) -> None:
    """Poll ``url`` until it answers with any HTTP status."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not alive():
            raise RuntimeError(f"server for {url} exited before answering")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.05)
    raise TimeoutError(f"{url} did not answer within {timeout} s")


def _run_server(config, port: int, workers: int, threads: int, http_server: str) -> None:  # in the forked child
    from server.wsgi import run_server

    run_server(config, host="127.0.0.1", port=port, workers=workers, threads=threads, access_log=False,
               http_server=http_server)


class ServerURL(str):
    """A base URL that also knows the server's process id (the Granian or gunicorn master, to watch its
    workers)."""

    pid: int


def worker_pids(master_pid: int) -> set[int]:
    """The live child processes (the server's workers) of ``master_pid``."""
    try:
        text = Path(f"/proc/{master_pid}/task/{master_pid}/children").read_text()
    except OSError:
        return set()
    return {int(p) for p in text.split()}


@contextlib.contextmanager
def _serve_app(config, *, workers: int = 2, threads: int = 4, ready_path: str = "/sparql",
               http_server: str = "granian") -> Iterator[ServerURL]:
    """Run ``config`` under ``http_server`` in a forked process (no pickling needed); yield the base URL."""
    port = free_port()
    process = multiprocessing.get_context("fork").Process(target=_run_server,
                                                          args=(config, port, workers, threads, http_server),
                                                          daemon=False)
    process.start()
    base = ServerURL(f"http://127.0.0.1:{port}")
    base.pid = process.pid
    try:
        wait_for_http(base + ready_path, alive=process.is_alive)
        yield base
    finally:
        if process.pid and process.is_alive():
            os.kill(process.pid, signal.SIGTERM)
        process.join(15)
        if process.is_alive():
            process.kill()
            process.join(5)


@pytest.fixture(scope="session")
def serve_app() -> Callable[..., contextlib.AbstractContextManager[str]]:
    """``with serve_app(config) as base_url: ...`` — the app under real Granian (``http_server="gunicorn"``:
    gunicorn) on a free loopback port."""
    return _serve_app


@contextlib.contextmanager
def _oxigraph_server(location: Path | None = None, *, union: bool = True, extra: tuple[str, ...] = ()) \
        -> Iterator[str]:
    exe = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
    if exe is None:
        pytest.skip("the oxigraph CLI (PyPI package `oxigraph`) is not installed")
    tmp = None
    if location is None:
        tmp = tempfile.mkdtemp(prefix="oxigraph-")
        location = Path(tmp)
    port = free_port()
    command = [exe, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}", *extra]
    if union:
        command.append("--union-default-graph")
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(base + "/query", alive=lambda: process.poll() is None)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        if process.stderr:
            process.stderr.close()
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)


@pytest.fixture(scope="session")
def oxigraph_server() -> Callable[..., contextlib.AbstractContextManager[str]]:
    """``with oxigraph_server() as base_url: ...`` — a real Oxigraph server (empty, or on ``location``)."""
    return _oxigraph_server
