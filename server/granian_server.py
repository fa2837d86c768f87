"""Serving under Granian, a multi-process HTTP server written in Rust that calls the Flask app through WSGI:
``kg serve``'s default (``--http-server gunicorn`` keeps the other one, ``server/wsgi.py``).

Why: the HTTP server's own work is a floor under every answer. Measured with wrk on loopback (8 connections,
2 workers each, the same minimal WSGI app): 36 us of CPU per request under Granian against 206 us under
gunicorn's ``gthread`` workers, 36,000 against 7,800 requests/s. Through the whole endpoint on the
10,000-letter release (``benchmarks/endpoint.py``), a repeated query, a letter's document and its HTML page
went from 213-390, 255 and 274 us of CPU to 59, 68 and 98 us.

Design:

- The app is built once, in the master, which loads the store; Granian forks its workers from it (the
  ``fork`` start method, Linux's default), so they share the store's memory copy-on-write as gunicorn's
  ``preload_app`` does. The loader Granian calls in each new worker marks the process as one
  (:func:`in_granian_worker`).
- Runaway queries: Granian hands the app no socket, so nobody can answer a request whose thread is stuck in
  the engine. Queries therefore run in a helper thread (``kg.store``, no ``on_stuck``): the request's own thread
  answers 503 at the deadline, and a query still computing makes the worker retire (:func:`retire`). It stops
  accepting (SIGTERM to itself: Granian finishes the requests it has), exits once only abandoned queries are
  left (which ends them), and the master starts a fresh worker at once (``respawn_failed_workers``). The other
  workers keep answering meanwhile.
- Granian takes a worker that fails twice within 5.5 s of its start for a crash loop and stops the whole
  server; a worker therefore retires no earlier than :data:`MIN_AGE` seconds after it started (a runaway keeps
  computing at most that long), so that a run of runaway queries can never take the server down.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from typing import Any

from werkzeug.wsgi import FileWrapper

from server.config import ServerConfig

log = logging.getLogger(__name__)

#: Seconds a worker lives at least before it retires (Granian's crash-loop window is 5.5 s).
MIN_AGE = 6.5
#: Bytes per piece of a file sent through :class:`LargeChunkFileWrapper`.
CHUNK = 1 << 20

_app: Any = None
_worker_pid = 0
_born = 0.0
_retiring = threading.Event()


def in_granian_worker() -> bool:
    """True inside a worker Granian forked for :func:`run_granian` (and so safe to retire)."""
    return _worker_pid == os.getpid()


class LargeChunkFileWrapper(FileWrapper):
    """Files (the dumps) sent in 1 MiB pieces rather than the 8 KiB Werkzeug asks for.

    Granian offers no ``wsgi.file_wrapper`` (gunicorn sends files with ``sendfile``), so every piece crosses from
    Python into Granian: at 8 KiB a 165 MB Turtle dump went out at 400 MB/s, one CPU busy.
    """

    def __init__(self, file: Any, buffer_size: int = CHUNK) -> None:
        super().__init__(file, max(buffer_size, CHUNK))


def with_file_wrapper(app: Any) -> Any:
    """``app`` with :class:`LargeChunkFileWrapper` as the server's file wrapper (Werkzeug's ``send_file`` uses it)."""

    def wrapped(environ: dict, start_response: Any) -> Any:
        environ.setdefault("wsgi.file_wrapper", LargeChunkFileWrapper)
        return app(environ, start_response)

    return wrapped


def _load_in_worker(_target: str) -> Any:
    """Granian's loader, called in each worker after the fork: the app the master built, and the worker's birth."""
    global _worker_pid, _born
    _worker_pid, _born = os.getpid(), time.monotonic()
    _retiring.clear()
    return with_file_wrapper(_app)


def retire(reason: str, *, grace: float = 30.0) -> bool:
    """Retire this worker (see the module docstring); False, doing nothing, outside a Granian worker."""
    if not in_granian_worker():
        return False
    if _retiring.is_set():
        return True
    _retiring.set()
    log.warning("retiring worker %s: %s", os.getpid(), reason)

    def leave() -> None:
        from kg.store import running_away
        from server.wsgi import in_flight

        time.sleep(max(0.0, _born + MIN_AGE - time.monotonic()))
        os.kill(os.getpid(), signal.SIGTERM)  # Granian's worker stops accepting and finishes its requests
        limit = time.monotonic() + grace
        while in_flight.count > running_away() and time.monotonic() < limit:
            time.sleep(0.02)
        os._exit(0)  # the abandoned query's thread cannot be joined; exiting is what stops it

    threading.Thread(target=leave, name="kg-retire", daemon=True).start()
    return True


def granian_options(config: ServerConfig, host: str, port: int, workers: int, threads: int,
                    access_log: bool) -> dict[str, Any]:
    """The Granian settings :func:`run_granian` uses (exposed so a deployment can inspect or reuse them)."""
    from granian.constants import Interfaces

    return {
        "address": host,
        "port": port,
        "interface": Interfaces.WSGI,
        "workers": max(1, workers),
        "blocking_threads": max(1, threads),
        "websockets": False,
        "respawn_failed_workers": True,
        # A worker stopped by the master (shutdown) whose query thread is stuck is killed after this.
        "workers_kill_timeout": max(5, int(config.query_timeout) + 5),
        "log_access": access_log,
        "log_level": "info" if access_log else "warning",
    }


def run_granian(config: ServerConfig, host: str = "127.0.0.1", port: int = 5000, workers: int = 2,
                threads: int = 4, access_log: bool = True) -> None:
    """Serve ``config`` under Granian until SIGTERM/SIGINT; blocks."""
    global _app
    from granian.server import Server

    from server.app import create_app

    _app = create_app(config)
    options = granian_options(config, host, port, workers, threads, access_log)
    Server("kg-serve", **options).serve(target_loader=_load_in_worker)
