"""Production serving: the Flask app under a multi-process WSGI server, never Flask's dev server.

:func:`run_server` runs Granian by default (``server/granian_server.py``: a Rust HTTP server, a sixth of
gunicorn's CPU per request) or gunicorn (``http_server="gunicorn"``, ``kg serve --http-server gunicorn``),
which this module sets up. Under gunicorn:

- ``preload_app``: the master builds the app (and loads an in-memory store) once; workers are forked from it
  and
  share the store's memory copy-on-write. A persisted read-only store is opened by each worker after the fork.
- ``gthread`` workers: each process answers several requests at once (pyoxigraph releases the GIL while it
  evaluates) and keeps connections alive for clients that reuse them (SPARQLWrapper, pandas, YASGUI).
- Runaway queries: a query that is still computing when its deadline passes cannot be stopped inside the
  process (see ``kg.store``). Queries run in their request's thread (``server/hotpath.py``), watched by
  ``kg.store``'s watchdog thread; for one that is stuck in the engine past its deadline, the watchdog calls
  :func:`answer_stuck_request`, which writes the 503 on the request's socket itself (the request's thread
  cannot), closes it, and retires the worker: it stops accepting, finishes its other requests, and exits,
  which ends the computation; the master forks a fresh worker from the preloaded app at once. The other
  workers keep answering meanwhile. (Outside a gunicorn worker, e.g. under Flask's test client, queries run
  in a helper thread instead and the request's own thread answers 503.)
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import threading
import time
from email.utils import formatdate
from typing import Any

from gunicorn.app.base import BaseApplication

from kg.store import running_away
from server.config import ServerConfig

log = logging.getLogger(__name__)

#: The gunicorn worker this process is, when it is one (set after the fork).
_worker: Any = None


def in_gunicorn_worker() -> bool:
    """True inside a worker forked by :func:`run_server` (and so safe to retire)."""
    return _worker is not None and _worker.pid == os.getpid()


def retire_worker(reason: str) -> bool:
    """Ask this worker process to exit gracefully once its in-flight requests are answered.

    Returns False (and does nothing) outside a worker of gunicorn or Granian, e.g. under Flask's test client.
    """
    if not in_gunicorn_worker():
        from server import granian_server

        return granian_server.retire(reason)
    log.warning("retiring worker %s: %s", os.getpid(), reason)
    os.kill(os.getpid(), signal.SIGTERM)
    return True


class _InFlight:
    """How many requests this process is answering (entered the app, response not yet closed)."""

    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    def enter(self) -> None:
        with self.lock:
            self.count += 1

    def leave(self) -> None:
        with self.lock:
            self.count -= 1


in_flight = _InFlight()
_exiting = threading.Event()


def answer_stuck_request(sock: socket.socket, status: str, headers: list[tuple[str, str]], body: bytes) -> None:
    """Answer a request whose thread is stuck in the engine: write the whole response on its socket from this
    thread, close the connection, and retire the worker.

    The worker stops accepting at once and exits (``os._exit``: the stuck thread cannot be joined) as soon
    as its other requests are answered, or after gunicorn's graceful timeout.
    """
    head = "".join(f"{name}: {value}\r\n" for name, value in headers)
    data = (f"HTTP/1.1 {status}\r\nDate: {formatdate(usegmt=True)}\r\nConnection: close\r\n{head}\r\n"
            .encode("latin-1") + body)
    try:
        sock.sendall(data)
        sock.shutdown(socket.SHUT_RDWR)
    except OSError as exc:
        log.info("the client of a stuck query is gone: %s", exc)
    if _exiting.is_set() or not retire_worker("a query ran past its time limit"):
        return
    _exiting.set()
    limit = time.monotonic() + float(getattr(getattr(_worker, "cfg", None), "graceful_timeout", 30))

    def exit_when_idle() -> None:
        while in_flight.count > running_away() and time.monotonic() < limit:
            time.sleep(0.02)
        os._exit(0)

    threading.Thread(target=exit_when_idle, name="kg-exit", daemon=True).start()


def _post_fork(server: Any, worker: Any) -> None:
    global _worker
    _worker = worker


def _worker_exit(server: Any, worker: Any) -> None:
    # A query thread still computing in Rust would only be stopped by process exit anyway; skip the
    # interpreter's finalisation, which has nothing left to flush, rather than let it meet a thread it cannot
    # stop.
    if running_away():
        os._exit(0)


def gunicorn_options(config: ServerConfig, host: str, port: int, workers: int, threads: int,
                     access_log: bool, worker_class: str = "gthread") -> dict[str, Any]:
    """The gunicorn settings :func:`run_server` uses (exposed so a deployment can inspect or reuse them)."""
    return {
        "bind": f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
        "workers": max(1, workers),
        "worker_class": worker_class,
        "threads": max(1, threads),
        "preload_app": True,
        # The heartbeat timeout only catches a wedged worker; queries are bounded by config.query_timeout.
        "timeout": max(30, int(config.query_timeout * 4)),
        "graceful_timeout": max(5, int(config.query_timeout) + 5),
        "keepalive": 5,
        # GET queries can be long (SPARQLWrapper uses GET by default): no request-line limit.
        "limit_request_line": 0,
        "accesslog": "-" if access_log else None,
        "errorlog": "-",
        "loglevel": "info" if access_log else "warning",
        "post_fork": _post_fork,
        "worker_exit": _worker_exit,
        "proc_name": "kg-serve",
    }


class KgApplication(BaseApplication):
    """A gunicorn application whose WSGI app is built in-process from a :class:`ServerConfig`."""

    def __init__(self, config: ServerConfig, options: dict[str, Any]) -> None:
        self.config = config
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from server.app import create_app

        return create_app(self.config)


#: The HTTP servers ``kg serve --http-server`` offers; the first is the default.
HTTP_SERVERS = ("granian", "gunicorn")


def run_server(config: ServerConfig, host: str = "127.0.0.1", port: int = 5000, workers: int = 2,
               threads: int = 4, access_log: bool = True, worker_class: str = "gthread",
               http_server: str = HTTP_SERVERS[0]) -> None:
    """Serve ``config`` until SIGTERM/SIGINT; blocks. Put it behind a reverse proxy for TLS (see README).

    ``http_server``: ``granian`` (``server/granian_server.py``) or ``gunicorn``; ``workers`` processes with
    ``threads`` threads each under either. ``worker_class`` is gunicorn's; ``gthread`` (the default) keeps
    connections alive (``sync`` cannot) and lets a worker answer while one of its queries computes; a stuck
    query is answered under either, and its worker retired (gunicorn, see the module docstring) or every
    worker renewed in turn (Granian, ``server/granian_server.py``). Measured in
    ``benchmarks/endpoint.py`` on 10,000 letters: the gunicorn layouts 2x4, 2x1, 4x1 and 3x2 (workers x
    threads) cost the same CPU per request within noise; gunicorn's own HTTP handling is about 200 us of CPU
    per request, the floor of a cached answer (Granian's: about 40 us).
    """
    if http_server == "granian":
        from server.granian_server import run_granian

        run_granian(config, host, port, workers, threads, access_log)
        return
    if http_server != "gunicorn":
        raise ValueError(f"http_server must be one of {', '.join(HTTP_SERVERS)}, got {http_server!r}")
    options = gunicorn_options(config, host, port, workers, threads, access_log, worker_class)
    KgApplication(config, options).run()
