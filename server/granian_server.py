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
  answers 503 at the deadline, and a query still computing makes the worker retire (:func:`retire`): it asks
  the master to renew its workers (SIGHUP). The master starts a fresh worker, lets it listen for
  :data:`OVERLAP` seconds beside the old one, then stops the old one (SIGTERM: it stops accepting and finishes
  its requests) and kills it if it is still busy after ``workers_kill_timeout``, which ends the abandoned
  query; worker by worker, so some worker always listens.
- Why not let the worker exit by itself: on Linux each Granian worker listens on a socket of its own
  (``SO_REUSEPORT``), so a worker that exits takes its queue of connections with it, and with one worker the
  port refuses connections until its replacement listens (seen in the tests: "Connection refused" right after
  the exit). A worker that dies unasked also counts towards Granian's crash-loop guard, which stops the whole
  server when a worker fails twice within 5.5 s of its start. The renewal replaces every worker, the healthy
  ones gracefully, and each new worker starts with empty answer and document caches.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
from typing import Any

from werkzeug.wsgi import FileWrapper

from server.config import ServerConfig

log = logging.getLogger(__name__)

#: Seconds a renewed worker listens beside the one it replaces before that one is stopped.
OVERLAP = 1.0
#: Bytes per piece of a file sent through :class:`LargeChunkFileWrapper`.
CHUNK = 1 << 20

_app: Any = None
_master_pid = 0
_worker_pid = 0
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
    """Granian's loader, called in each worker after the fork: the app the master built."""
    global _worker_pid
    _worker_pid = os.getpid()
    _retiring.clear()
    return with_file_wrapper(_app)


def retire(reason: str) -> bool:
    """Have this worker replaced (see the module docstring); False, doing nothing, outside a Granian worker."""
    if not in_granian_worker():
        return False
    if _retiring.is_set():
        return True
    if os.getppid() != _master_pid:  # the master is gone: nobody to ask (and never signal whoever adopted us)
        log.error("worker %s cannot retire (%s): its master process is gone", os.getpid(), reason)
        return False
    _retiring.set()
    log.warning("worker %s asks for fresh workers: %s", os.getpid(), reason)
    os.kill(_master_pid, signal.SIGHUP)
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
        "respawn_interval": OVERLAP,
        # A worker stopped by the master (shutdown) whose query thread is stuck is killed after this.
        "workers_kill_timeout": max(5, int(config.query_timeout) + 5),
        "log_access": access_log,
        "log_level": "info" if access_log else "warning",
    }


def run_granian(config: ServerConfig, host: str = "127.0.0.1", port: int = 5000, workers: int = 2,
                threads: int = 4, access_log: bool = True) -> None:
    """Serve ``config`` under Granian until SIGTERM/SIGINT; blocks."""
    global _app, _master_pid
    from granian.server import Server

    from server.app import create_app

    _app = create_app(config)
    _master_pid = os.getpid()
    options = granian_options(config, host, port, workers, threads, access_log)
    Server("kg-serve", **options).serve(target_loader=_load_in_worker)
