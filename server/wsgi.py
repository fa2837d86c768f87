"""Production serving: the Flask app under gunicorn, several worker processes, never Flask's dev server.

Design:

- ``preload_app``: the master builds the app (and loads an in-memory store) once; workers are forked from it
  and
  share the store's memory copy-on-write. A persisted read-only store is opened by each worker after the fork.
- ``gthread`` workers: each process answers several requests at once (pyoxigraph releases the GIL while it
  evaluates) and keeps connections alive for clients that reuse them (SPARQLWrapper, pandas, YASGUI).
- Runaway queries: a query that is still computing when its deadline passes cannot be stopped inside the
  process
  (see ``kg.store``). The endpoint answers 503 and then calls :func:`retire_worker`: the worker stops
  accepting, finishes its other requests, and exits, which ends the computation; the master forks a fresh
  worker from the preloaded app at once. The other workers keep answering meanwhile.
"""

from __future__ import annotations

import logging
import os
import signal
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

    Returns False (and does nothing) outside a gunicorn worker, e.g. under Flask's test client.
    """
    if not in_gunicorn_worker():
        return False
    log.warning("retiring worker %s: %s", os.getpid(), reason)
    os.kill(os.getpid(), signal.SIGTERM)
    return True


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


def run_server(config: ServerConfig, host: str = "127.0.0.1", port: int = 5000, workers: int = 2,
               threads: int = 4, access_log: bool = True, worker_class: str = "gthread") -> None:
    """Serve ``config`` until SIGTERM/SIGINT; blocks. Put it behind a reverse proxy for TLS (see README).

    ``worker_class`` is gunicorn's; ``gthread`` (the default) is what the runaway-query design assumes and
    what measured best (benchmarks/endpoint.py: ``sync`` cannot keep connections alive).
    """
    options = gunicorn_options(config, host, port, workers, threads, access_log, worker_class)
    KgApplication(config, options).run()
