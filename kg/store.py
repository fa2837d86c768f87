"""The store layer: one query interface over the embedded Oxigraph store and any remote SPARQL 1.1 server.

Why Oxigraph: measured in ``benchmarks/`` (and DESIGN.md), pyoxigraph loads 17x faster than rdflib and answers
typical queries 3-76x faster; rdflib stays the tool for building graphs. Why a remote option: a deployment
that outgrows one machine points ``kg serve --store URL`` at Oxigraph server, Fuseki, QLever, GraphDB or
Virtuoso and keeps the same front end.

The endpoint is read-only and must never fetch a URL of the caller's choosing. Oxigraph's ``SERVICE`` *does*
make HTTP requests (verified: it tries to connect), and pyoxigraph offers no hook to turn that off, so every
query passes :func:`check_query` first, which refuses updates and ``SERVICE`` before the engine sees the text.

Time and size limits: pyoxigraph evaluates queries in Rust with the GIL released but cannot be cancelled.
:meth:`EmbeddedStore.execute` therefore evaluates *and serialises* a query writing into a bounded buffer that
aborts the serialiser once the deadline or the byte budget is passed (this stops streaming queries at once).
A query that computes for a long time before producing a byte (a cartesian ``COUNT``, an ``ORDER BY``) cannot
be interrupted inside one process, so someone other than the computing thread must answer by the deadline:

- by default the query runs in a helper thread and the caller's thread raises :class:`QueryTimeout` with
  ``still_running`` at the deadline; the server answers 503 and retires the worker (``server/wsgi.py``);
- with ``on_stuck`` (the server under gunicorn) it runs in the caller's thread, which saves a thread hand-off
  per query (about 60 us, a quarter of a lookup, measured in ``benchmarks/endpoint.py``), and a watchdog
  thread calls ``on_stuck`` for a query still computing past its deadline; the server writes the 503 on the
  request's socket and retires the worker, which truly ends the work.
"""

from __future__ import annotations

import io
import json
import queue
import re
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

# ----------------------------------------------------------------------------------------------- errors


class StoreError(Exception):
    """The store cannot answer: missing build, unreadable data, remote server down."""


class QueryError(StoreError):
    """The query itself is at fault (syntax, unsupported form): the caller's to fix, an HTTP 400."""


class QueryRefused(QueryError):
    """The query asks for something this read-only, offline endpoint never does (update, SERVICE)."""

    def __init__(self, message: str, *, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


class QueryTimeout(StoreError):
    """The query ran past its time limit and was abandoned before any byte was sent."""

    def __init__(self, message: str, *, still_running: bool = False) -> None:
        super().__init__(message)
        #: True when the engine is still computing in a thread that cannot be stopped from Python.
        self.still_running = still_running


class ResultTooLarge(StoreError):
    """The serialised result would exceed the configured size limit."""


# ----------------------------------------------------------------------------------------------- formats

#: File suffix -> RDF syntax, for ``--data`` files. Turtle-family and N-Quads keep their named graphs.
RDF_FORMATS_BY_SUFFIX: dict[str, ox.RdfFormat] = {
    ".ttl": ox.RdfFormat.TURTLE,
    ".turtle": ox.RdfFormat.TURTLE,
    ".nt": ox.RdfFormat.N_TRIPLES,
    ".ntriples": ox.RdfFormat.N_TRIPLES,
    ".trig": ox.RdfFormat.TRIG,
    ".nq": ox.RdfFormat.N_QUADS,
    ".nquads": ox.RdfFormat.N_QUADS,
    ".rdf": ox.RdfFormat.RDF_XML,
    ".owl": ox.RdfFormat.RDF_XML,
    ".xml": ox.RdfFormat.RDF_XML,
    ".jsonld": ox.RdfFormat.JSON_LD,
    ".json": ox.RdfFormat.JSON_LD,
    ".n3": ox.RdfFormat.N3,
}

_RESULTS_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
_GRAPH_FORMATS = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "application/n-quads": ox.RdfFormat.N_QUADS,
    "application/trig": ox.RdfFormat.TRIG,
}

# ----------------------------------------------------------------------------------------------- query checks

#: One left-to-right pass over SPARQL text that blanks out what cannot hold a keyword: escapes (``ex:a\\#b``
#: is a prefixed name, not a comment), IRIs, long and short strings, comments. What remains are keywords and
#: names.
_OPAQUE = re.compile(
    r"""\\.                                   # a backslash escape inside a prefixed name
      | <[^<>"{}|^`\\\x00-\x20]*>              # IRI reference
      | \"\"\"(?:[^"\\]|\\.|"(?!""))*\"\"\"    # long strings
      | '''(?:[^'\\]|\\.|'(?!''))*'''
      | "(?:[^"\\\n\r]|\\.)*"                  # short strings
      | '(?:[^'\\\n\r]|\\.)*'
      | \#[^\n\r]*                             # comment
    """,
    re.VERBOSE | re.DOTALL,
)
_WORD = re.compile(r"[?$]?[A-Za-z_][\w.\-]*:?|:")
#: A SERVICE clause in the raw text, even where the lexer above might be fooled: refusing a query whose
#: *string* happens to read "service <x>" is a price worth paying for never fetching a URL.
_SERVICE_SHAPE = re.compile(r"(?<![\w?$:@.\-])SERVICE(?:\s|#[^\n]*\n)+(?:SILENT(?:\s|#[^\n]*\n)+)?"
                            r"(?:[<?$:]|[A-Za-z_][\w.\-]*:)", re.IGNORECASE)
_UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
QUERY_FORMS = ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE")


@dataclass(frozen=True)
class QueryShape:
    """What a query is, known before evaluating it (to negotiate formats and pick the dataset)."""

    form: str  #: SELECT, ASK, CONSTRUCT or DESCRIBE
    has_from: bool  #: the query names its own dataset with FROM / FROM NAMED

    @property
    def is_graph(self) -> bool:
        return self.form in ("CONSTRUCT", "DESCRIBE")


def _keywords(text: str) -> list[str]:
    return _WORD.findall(_OPAQUE.sub(" ", text))


def check_query(text: str) -> QueryShape:
    """Refuse what a read-only endpoint with no network access must never run, and say what the query is.

    Raises :class:`QueryRefused` (status 403) for SPARQL Update, (status 400) for ``SERVICE``, and
    :class:`QueryError` when no query form can be found; a syntax error inside the query is left to the
    engine, whose message names line and column.
    """
    words = _keywords(text)
    upper = [w.upper() for w in words]
    if "SERVICE" in upper or _SERVICE_SHAPE.search(text):
        raise QueryRefused("SERVICE (federated query) is disabled on this endpoint: it never fetches remote "
                           "URLs. Query the other endpoint yourself and combine the results.", status=400)
    i = 0
    while i < len(upper) and upper[i] in ("BASE", "PREFIX"):
        i += 2 if upper[i] == "PREFIX" else 1
    first = upper[i] if i < len(upper) else ""
    if first in _UPDATE_WORDS:
        raise QueryRefused(f"This endpoint is read-only: SPARQL Update ({first}) is refused. "
                           "Load data with `kg build` instead.", status=403)
    if first not in QUERY_FORMS:
        raise QueryError("Query syntax error: expected SELECT, ASK, CONSTRUCT or DESCRIBE"
                         + (f", found {words[i]!r}" if first else " (the query is empty)"))
    return QueryShape(form=first, has_from="FROM" in upper)


# ----------------------------------------------------------------------------------------------- bounded runs


class _Abort(Exception):
    """Raised inside a serialiser's write() to stop it."""


class _BoundedBuffer:
    """A write target for pyoxigraph's serialisers that stops them at a deadline or a byte budget."""

    def __init__(self, max_bytes: int | None, deadline: float | None) -> None:
        self.chunks: list[bytes] = []
        self.size = 0
        self.max_bytes = max_bytes
        self.deadline = deadline
        self.cancelled = False
        self.too_large = False

    def write(self, data: bytes) -> int:
        if self.cancelled or (self.deadline is not None and time.monotonic() > self.deadline):
            self.cancelled = True
            raise _Abort("deadline")
        self.size += len(data)
        if self.max_bytes is not None and self.size > self.max_bytes:
            self.too_large = True
            raise _Abort("size")
        self.chunks.append(bytes(data))
        return len(data)

    def flush(self) -> None:
        pass

    def getvalue(self) -> bytes:
        return b"".join(self.chunks)


def _human_size(n: int) -> str:
    return f"{n / 1048576:g} MiB" if n >= 1048576 else f"{n} bytes"


class _Helper:
    """A persistent daemon thread that runs the queries of one request thread.

    Starting a thread per query cost 100-200 us here, more than a lookup itself; handing a job to a waiting
    thread costs about 20 us. A helper whose job overruns its deadline is abandoned (renamed
    ``kg-query-runaway``) and exits when the job ends, if ever; the request thread gets a fresh helper.
    """

    def __init__(self) -> None:
        import os

        self.pid = os.getpid()
        self.jobs: queue.SimpleQueue = queue.SimpleQueue()
        self.results: queue.SimpleQueue = queue.SimpleQueue()
        self.abandoned = False
        self.thread = threading.Thread(target=self._loop, name="kg-query", daemon=True)
        self.thread.start()

    def _loop(self) -> None:
        while True:
            job = self.jobs.get()
            try:
                job()
                outcome: BaseException | None = None
            except BaseException as exc:  # noqa: BLE001 - handed to the caller's thread
                outcome = exc
            self.results.put(outcome)
            del job, outcome
            if self.abandoned:
                return

    def usable(self) -> bool:
        import os

        return not self.abandoned and self.pid == os.getpid() and self.thread.is_alive()


_helpers = threading.local()


def running_away() -> int:
    """How many abandoned queries are still computing in this process."""
    return sum(1 for t in threading.enumerate() if t.name == "kg-query-runaway" and t.is_alive())


def _run_bounded(work: Callable[[_BoundedBuffer], None], *, timeout: float | None,
                 max_bytes: int | None) -> bytes:
    """Run ``work(buffer)`` in this thread's helper; return what it wrote, or raise within ``timeout`` s."""
    helper = getattr(_helpers, "helper", None)
    if helper is None or not helper.usable():
        helper = _helpers.helper = _Helper()
    deadline = None if timeout is None else time.monotonic() + timeout
    buffer = _BoundedBuffer(max_bytes, deadline)
    helper.jobs.put(lambda: work(buffer))
    try:
        error = helper.results.get(timeout=timeout)
    except queue.Empty:
        buffer.cancelled = True
        helper.abandoned = True
        _helpers.helper = None
        try:
            helper.results.get(timeout=0.05)  # a streaming serialiser stops at its next write
            still_running = False
        except queue.Empty:
            helper.thread.name = "kg-query-runaway"
            still_running = True
        raise QueryTimeout(f"The query did not finish within the time limit of {timeout:g} s and was "
                           "stopped. Narrow it down (a LIMIT, more specific patterns) or download a dump.",
                           still_running=still_running) from None
    if buffer.too_large:
        raise ResultTooLarge(f"The result is larger than this endpoint's limit of "
                             f"{_human_size(max_bytes or 0)}. Add a LIMIT, select fewer variables, "
                             "or download a dump.")
    if buffer.cancelled:
        raise QueryTimeout(f"The query did not finish within the time limit of {timeout:g} s and was "
                           "stopped.")
    if error is not None:
        raise error
    return buffer.getvalue()


@dataclass(eq=False)
class _Job:
    """A query evaluated in its caller's thread, watched by :class:`_Watchdog`."""

    deadline: float
    timeout: float
    thread: threading.Thread
    on_stuck: Callable[[QueryTimeout], None]
    stuck: bool = False


class _Watchdog:
    """The deadlines of queries evaluated in their callers' threads (``execute(..., on_stuck=...)``).

    Why: handing each query to a helper thread and back cost about 60 us per query (two thread switches and
    the GIL), a quarter of a lookup's time in the endpoint, and far more when the worker's other threads were
    busy. Evaluated in place, a streaming query still stops itself at the deadline (its buffer checks the
    clock on every write); only a query that computes past its deadline without writing needs this thread,
    which then renames the caller's thread ``kg-query-runaway`` and calls its ``on_stuck`` (the caller's thread
    is inside the engine and cannot answer; the server answers for it and retires the process).
    One thread per process; it sleeps until the earliest deadline and is woken only when a job's deadline
    is earlier than the one it waits for (with one time limit, only when it was idle).
    """

    #: How long past its deadline a query may take to notice the deadline itself before it counts as stuck.
    GRACE = 0.05

    def __init__(self) -> None:
        import os

        self.pid = os.getpid()
        self.jobs: set[_Job] = set()
        self.wake_at = float("inf")
        self.cond = threading.Condition()
        self.thread = threading.Thread(target=self._loop, name="kg-query-watchdog", daemon=True)
        self.thread.start()

    def add(self, job: _Job) -> None:
        with self.cond:
            self.jobs.add(job)
            if job.deadline < self.wake_at:
                self.wake_at = job.deadline
                self.cond.notify()

    def remove(self, job: _Job) -> None:
        with self.cond:
            self.jobs.discard(job)

    def _loop(self) -> None:
        while True:
            with self.cond:
                now = time.monotonic()
                stuck = [j for j in self.jobs if not j.stuck and now >= j.deadline + self.GRACE]
                for job in stuck:
                    job.stuck = True
                    self.jobs.discard(job)
                pending = [j.deadline + (self.GRACE if now >= j.deadline else 0) for j in self.jobs]
                self.wake_at = min(pending, default=float("inf"))
                if not stuck:
                    self.cond.wait(None if not pending else max(0.001, self.wake_at - now))
                    continue
            for job in stuck:
                job.thread.name = "kg-query-runaway"
                try:
                    job.on_stuck(QueryTimeout(_timeout_message(job.timeout), still_running=True))
                except Exception:  # noqa: BLE001 - the watchdog must outlive a failing callback
                    import logging

                    logging.getLogger(__name__).exception("answering a stuck query failed")


_watchdogs: dict[str, _Watchdog] = {}
_watchdog_lock = threading.Lock()


def _watchdog() -> _Watchdog:
    import os

    dog = _watchdogs.get("this")
    if dog is None or dog.pid != os.getpid():
        with _watchdog_lock:
            dog = _watchdogs.get("this")
            if dog is None or dog.pid != os.getpid():
                dog = _watchdogs["this"] = _Watchdog()
    return dog


def _timeout_message(timeout: float) -> str:
    return (f"The query did not finish within the time limit of {timeout:g} s and was stopped. Narrow it "
            "down (a LIMIT, more specific patterns) or download a dump.")


def _run_inline(work: Callable[[_BoundedBuffer], None], *, timeout: float, max_bytes: int | None,
                on_stuck: Callable[[QueryTimeout], None]) -> bytes:
    """Run ``work(buffer)`` in this thread under the watchdog; return what it wrote, or raise.

    A query the engine is still computing ``GRACE`` s after its deadline is the caller's ``on_stuck``
    business (called from the watchdog thread); if the engine ever returns, this raises
    :class:`QueryTimeout`.
    """
    deadline = time.monotonic() + timeout
    buffer = _BoundedBuffer(max_bytes, deadline)
    job = _Job(deadline, timeout, threading.current_thread(), on_stuck)
    dog = _watchdog()
    dog.add(job)
    try:
        work(buffer)
        error: BaseException | None = None
    except BaseException as exc:  # noqa: BLE001 - sorted out below, as for the helper thread
        error = exc
    finally:
        dog.remove(job)
    if buffer.too_large:
        raise ResultTooLarge(f"The result is larger than this endpoint's limit of "
                             f"{_human_size(max_bytes or 0)}. Add a LIMIT, select fewer variables, "
                             "or download a dump.")
    if buffer.cancelled or job.stuck:
        raise QueryTimeout(_timeout_message(timeout))
    if error is not None:
        raise error
    return buffer.getvalue()


# ----------------------------------------------------------------------------------------------- results


@dataclass(frozen=True)
class Answer:
    """A query answer serialised in full, ready to send."""

    media_type: str
    body: bytes


def _engine_error(exc: BaseException) -> QueryError:
    message = str(exc)
    m = re.match(r"error at (\d+):(\d+): (.*)", message, re.DOTALL)
    if m:
        detail = m[3] if len(m[3]) <= 300 else m[3][:300].rstrip() + " …"
        return QueryError(f"Query syntax error at line {m[1]}, column {m[2]}: {detail}")
    return QueryError(f"Query error: {message}")


def _dataset_kwargs(shape: QueryShape | None, default_graphs: Sequence[str] | None,
                    named_graphs: Sequence[str] | None) -> dict:
    """The Protocol's dataset: ``default-graph-uri``/``named-graph-uri`` replace FROM; otherwise the
    query's own FROM clauses; otherwise the default graph is the union of all graphs."""
    if default_graphs or named_graphs:
        try:
            return {"default_graph": [ox.NamedNode(g) for g in default_graphs or ()],
                    "named_graphs": [ox.NamedNode(g) for g in named_graphs or ()]}
        except ValueError as exc:
            raise QueryError(f"default-graph-uri/named-graph-uri: not an absolute IRI ({exc})") from exc
    if shape is not None and shape.has_from:
        return {}
    return {"use_default_graph_as_union": True}


def _cell(term: object) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.Literal):
        return term.value + (f"@{term.language}" if term.language else "")
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    return getattr(term, "value", str(term))


def render_results(result: object, fmt: str) -> str:
    """Render a query result for the terminal (``table``) or scripts (``json``, ``csv``, ``tsv``).

    Graph results (CONSTRUCT/DESCRIBE) print as Turtle for ``table``, JSON-LD for ``json`` and N-Triples for
    ``csv``/``tsv``, the nearest graph syntaxes a script can read.
    """
    if fmt not in ("table", "json", "csv", "tsv"):
        raise QueryError(f"--format must be one of table, json, csv, tsv, got {fmt!r}")
    if isinstance(result, ox.QueryBoolean):
        if fmt == "table":
            return "true\n" if bool(result) else "false\n"
        return result.serialize(format=_results_format(fmt)).decode("utf-8")
    if isinstance(result, ox.QuerySolutions):
        if fmt != "table":
            return result.serialize(format=_results_format(fmt)).decode("utf-8")
        names = [v.value for v in result.variables]
        rows = [[_cell(row[name]) for name in names] for row in result]
        return _table(names, rows)
    triples = [t if isinstance(t, ox.Triple) else t.triple for t in result]  # type: ignore[union-attr]
    graph_formats = {"table": ox.RdfFormat.TURTLE, "json": ox.RdfFormat.JSON_LD}
    graph_format = graph_formats.get(fmt, ox.RdfFormat.N_TRIPLES)
    return ox.serialize(triples, format=graph_format).decode("utf-8")


def _results_format(fmt: str) -> ox.QueryResultsFormat:
    return {"json": ox.QueryResultsFormat.JSON, "csv": ox.QueryResultsFormat.CSV,
            "tsv": ox.QueryResultsFormat.TSV}[fmt]


def _table(names: list[str], rows: list[list[str]]) -> str:
    clean = [[c.replace("\n", " ").replace("\t", " ") for c in row] for row in rows]
    widths = [max([len(n)] + [len(r[i]) for r in clean]) for i, n in enumerate(names)]
    out = io.StringIO()
    out.write("  ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)).rstrip() + "\n")
    out.write("  ".join("-" * w for w in widths) + "\n")
    for row in clean:
        out.write("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() + "\n")
    out.write(f"({len(rows)} row{'s' if len(rows) != 1 else ''})\n")
    return out.getvalue()


# ----------------------------------------------------------------------------------------------- embedded
# store


class EmbeddedStore:
    """A pyoxigraph store, opened once per process (a read-only on-disk store must not cross a fork)."""

    def __init__(self, opener: Callable[[], ox.Store], *, description: str,
                 per_process: bool = False) -> None:
        self._opener = opener
        self._per_process = per_process
        self._native: ox.Store | None = None if per_process else opener()
        self._pid = 0
        self._lock = threading.Lock()
        self.description = description

    @classmethod
    def from_native(cls, store: ox.Store, *, description: str = "in-memory store") -> EmbeddedStore:
        return cls(lambda: store, description=description)

    @property
    def native(self) -> ox.Store:
        """The pyoxigraph store of this process."""
        if not self._per_process:
            assert self._native is not None
            return self._native
        import os

        if self._native is None or self._pid != os.getpid():
            with self._lock:
                if self._native is None or self._pid != os.getpid():
                    try:
                        self._native = self._opener()
                    except OSError as exc:
                        raise StoreError(f"cannot open {self.description}: {exc}") from exc
                    self._pid = os.getpid()
        return self._native

    def query(self, text: str, *, default_graphs: Sequence[str] | None = None,
              named_graphs: Sequence[str] | None = None,
              ) -> ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples:
        """Evaluate a read-only query (no time limit: for the command line and build-time code)."""
        shape = check_query(text)
        try:
            return self.native.query(text, **_dataset_kwargs(shape, default_graphs, named_graphs))
        except SyntaxError as exc:
            raise _engine_error(exc) from exc
        except OSError as exc:
            raise StoreError(f"store read failed: {exc}") from exc

    def execute(self, text: str, media_type: str, *, default_graphs: Sequence[str] | None = None,
                named_graphs: Sequence[str] | None = None, timeout: float | None = 5.0,
                max_bytes: int | None = 32 * 1048576, shape: QueryShape | None = None,
                on_stuck: Callable[[QueryTimeout], None] | None = None) -> Answer:
        """Evaluate and serialise a query in full within ``timeout`` seconds and ``max_bytes`` bytes.

        Raises :class:`QueryError` (the caller's fault), :class:`QueryTimeout` or :class:`ResultTooLarge`.
        Without ``on_stuck`` the query runs in a helper thread and this returns or raises by the deadline.
        With it, the query runs in the calling thread (about 60 us faster) and a query still computing past
        its deadline is reported to ``on_stuck(QueryTimeout)`` from another thread, which must answer the
        client itself: this call then returns only when the engine does, if ever.
        """
        shape = shape or check_query(text)
        kwargs = _dataset_kwargs(shape, default_graphs, named_graphs)
        native = self.native
        if shape.is_graph:
            fmt: ox.RdfFormat | ox.QueryResultsFormat | None = _GRAPH_FORMATS.get(media_type)
        else:
            fmt = _RESULTS_FORMATS.get(media_type)
        if fmt is None:
            raise QueryError(f"{shape.form} results cannot be written as {media_type}")

        def work(buffer: _BoundedBuffer) -> None:
            result = native.query(text, **kwargs)
            try:
                if isinstance(fmt, ox.RdfFormat) and not isinstance(result, ox.QueryTriples):
                    raise QueryError(f"{shape.form} query gave no graph")
                if isinstance(fmt, ox.RdfFormat) and fmt.supports_datasets:
                    ox.serialize((ox.Quad(t.subject, t.predicate, t.object) for t in result), buffer, fmt)
                else:
                    result.serialize(buffer, fmt)
            finally:
                # pyoxigraph results must be dropped by the thread that made them; an exception's traceback
                # would otherwise carry this frame (and the result) to the caller's thread.
                del result

        try:
            if on_stuck is not None and timeout is not None:
                body = _run_inline(work, timeout=timeout, max_bytes=max_bytes, on_stuck=on_stuck)
            else:
                body = _run_bounded(work, timeout=timeout, max_bytes=max_bytes)
        except SyntaxError as exc:
            raise _engine_error(exc) from exc
        except (ValueError, TypeError) as exc:
            raise QueryError(f"Query error: {exc}") from exc
        except OSError as exc:
            raise StoreError(f"store read failed: {exc}") from exc
        return Answer(media_type, body)

    def named_graphs(self) -> list[str]:
        """IRIs of the named graphs, sorted (for the service description)."""
        return sorted(g.value for g in self.native.named_graphs() if isinstance(g, ox.NamedNode))

    def __len__(self) -> int:
        return len(self.native)


def load_files(paths: Iterable[Path], *, base_iri: str | None = None) -> EmbeddedStore:
    """Load RDF files as they are into an in-memory store; named graphs stay named graphs.

    Raises :class:`StoreError` naming the file and line of the first syntax error, or the unknown suffix.
    """
    store = ox.Store()
    names = []
    for path in paths:
        path = Path(path)
        fmt = RDF_FORMATS_BY_SUFFIX.get(path.suffix.lower())
        if fmt is None:
            raise StoreError(f"{path}: unknown RDF syntax for suffix {path.suffix!r}; use one of "
                             + ", ".join(sorted(RDF_FORMATS_BY_SUFFIX)))
        try:
            store.load(path=str(path), format=fmt, base_iri=base_iri or path.resolve().as_uri())
        except SyntaxError as exc:
            raise StoreError(f"{path}: {exc}") from exc
        except (OSError, ValueError) as exc:
            raise StoreError(f"{path}: cannot read: {exc}") from exc
        names.append(path.name)
    return EmbeddedStore.from_native(store, description="data files " + ", ".join(names))


# ----------------------------------------------------------------------------------------------- builds


def resolve_release(build_dir: Path) -> Path:
    """The release folder ``build_dir/current`` points at; :class:`StoreError` when there is none."""
    build_dir = Path(build_dir)
    current = build_dir / "current"
    if not current.exists():
        raise StoreError(f"no published build in {build_dir} ({current} is missing): run `kg build --out "
                         f"{build_dir}` first, or serve files with --data")
    return current.resolve()


def read_manifest(release: Path) -> dict:
    """The release's manifest.json (empty when absent); :class:`StoreError` when it is not JSON."""
    path = Path(release) / "manifest.json"
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise StoreError(f"{path}: unreadable manifest: {exc}") from exc


def open_release_store(release: Path) -> EmbeddedStore:
    """Open a release's store: its persisted Oxigraph folder ``store/`` (read-only, opened in each process) if
    present, else its ``dataset.nq`` loaded into memory (shared by forked workers)."""
    release = Path(release)
    persisted = release / "store"
    if persisted.is_dir():
        return EmbeddedStore(lambda: ox.Store.read_only(str(persisted)), description=f"store {persisted}",
                             per_process=True)
    dataset = release / "dataset.nq"
    if not dataset.exists():
        raise StoreError(f"{release}: the release holds neither store/ nor dataset.nq")
    store = ox.Store()
    try:
        # ``load``, not ``bulk_load``: after ``bulk_load`` every query in the process pays for a fragmented C
        # heap (glibc's ``_int_malloc`` was half of a query's time under perf): on a 10,000-letter release an
        # ``ASK {}`` took 60 us instead of 16 and a lookup 98 us instead of 48, and ``load`` is also faster
        # and smaller (7.5 s against 8.8 s, 877 against 1,041 MiB). ``benchmarks/store_load.py`` shows it.
        store.load(path=str(dataset), format=ox.RdfFormat.N_QUADS)
    except SyntaxError as exc:
        raise StoreError(f"{dataset}: {exc}") from exc
    except OSError as exc:
        raise StoreError(f"{dataset}: cannot read: {exc}") from exc
    return EmbeddedStore.from_native(store, description=f"dataset {dataset}")


def open_build_store(build_dir: Path) -> EmbeddedStore:
    """The store of the current release of a build folder."""
    return open_release_store(resolve_release(build_dir))


# ----------------------------------------------------------------------------------------------- remote store


class RemoteStore:
    """Any SPARQL 1.1 server through the Query protocol (POST ``application/sparql-query``).

    The remote server should treat its default graph as the union of the named graphs, as the embedded store
    does (``oxigraph serve --union-default-graph``, Fuseki ``tdb2:unionDefaultGraph true``); otherwise queries
    without GRAPH see only its default graph. The same checks (read-only, no SERVICE) run here first.
    """

    def __init__(self, url: str, *, timeout: float = 5.0) -> None:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise StoreError(f"--store must be an http(s) URL of a SPARQL query endpoint, got {url!r}")
        self.url = url
        self.timeout = timeout
        self.description = f"remote SPARQL endpoint {url}"

    def _post(self, text: str, accept: str, default_graphs: Sequence[str] | None,
              named_graphs: Sequence[str] | None, timeout: float | None, max_bytes: int | None) -> bytes:
        params = [("default-graph-uri", g) for g in default_graphs or ()]
        params += [("named-graph-uri", g) for g in named_graphs or ()]
        sep = "&" if "?" in self.url else "?"
        url = self.url + (sep + urllib.parse.urlencode(params) if params else "")
        request = urllib.request.Request(url, data=text.encode("utf-8"), method="POST", headers={
            "Content-Type": "application/sparql-query; charset=utf-8", "Accept": accept})
        deadline = None if timeout is None else time.monotonic() + timeout
        try:
            with urllib.request.urlopen(request, timeout=timeout or self.timeout) as response:
                chunks, size = [], 0
                while chunk := response.read(65536):
                    size += len(chunk)
                    if max_bytes is not None and size > max_bytes:
                        raise ResultTooLarge(f"The result is larger than this endpoint's limit of "
                                             f"{_human_size(max_bytes)}. Add a LIMIT or download a dump.")
                    if deadline is not None and time.monotonic() > deadline:
                        raise QueryTimeout(f"The remote store did not answer within {timeout:g} s.")
                    chunks.append(chunk)
                return b"".join(chunks)
        except urllib.error.HTTPError as exc:
            detail = exc.read(2000).decode("utf-8", "replace").strip()
            if 400 <= exc.code < 500:
                raise QueryError(f"The store refused the query ({exc.code}): {detail}") from exc
            raise StoreError(f"{self.description} failed ({exc.code}): {detail}") from exc
        except TimeoutError as exc:
            limit = timeout or self.timeout
            raise QueryTimeout(f"The remote store did not answer within {limit:g} s.") from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise QueryTimeout(f"The remote store did not answer within {timeout or self.timeout:g} s.") \
                    from exc
            raise StoreError(f"{self.description} unreachable: {exc.reason}") from exc

    def query(self, text: str, *, default_graphs: Sequence[str] | None = None,
              named_graphs: Sequence[str] | None = None,
              ) -> ox.QuerySolutions | ox.QueryBoolean | list[ox.Triple]:
        """Evaluate a read-only query remotely; results come back as pyoxigraph objects, as from the embedded
        store (graph results as a list of triples)."""
        shape = check_query(text)
        if shape.is_graph:
            body = self._post(text, "application/n-triples", default_graphs, named_graphs, self.timeout, None)
            return [q.triple for q in ox.parse(body, ox.RdfFormat.N_TRIPLES)]
        body = self._post(text, "application/sparql-results+json", default_graphs, named_graphs, self.timeout,
                          None)
        return ox.parse_query_results(body, ox.QueryResultsFormat.JSON)

    def execute(self, text: str, media_type: str, *, default_graphs: Sequence[str] | None = None,
                named_graphs: Sequence[str] | None = None, timeout: float | None = 5.0,
                max_bytes: int | None = 32 * 1048576, shape: QueryShape | None = None,
                on_stuck: Callable[[QueryTimeout], None] | None = None) -> Answer:
        """Pass the query through to the remote server, asking for ``media_type``, within the same limits
        (``on_stuck`` is not needed: the socket's timeout ends a slow answer)."""
        shape = shape or check_query(text)
        body = self._post(text, media_type, default_graphs, named_graphs, timeout, max_bytes)
        return Answer(media_type, body)

    def named_graphs(self) -> list[str]:
        result = self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { } }")
        return sorted(row["g"].value for row in result if isinstance(row["g"], ox.NamedNode))


Store = EmbeddedStore | RemoteStore


# ----------------------------------------------------------------------------------------------- push (GSP)


def push(url: str, quads: Iterable[ox.Quad] | Path, *, timeout: float = 120.0) -> dict[str, int]:
    """Replace each graph of ``quads`` on a remote store through the SPARQL 1.1 Graph Store HTTP Protocol.

    ``url`` is the store's graph-store endpoint (Oxigraph ``/store``, Fuseki ``/ds/data``); each named graph
    is sent with ``PUT url?graph=IRI`` as N-Triples, default-graph triples with ``PUT url?default``. Graphs
    not in ``quads`` are left alone. Returns triples sent per graph (``""`` for the default graph).
    """
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise StoreError(f"--push must be an http(s) URL of a Graph Store Protocol endpoint, got {url!r}")
    if isinstance(quads, (str, Path)):
        try:
            quads = list(ox.parse(path=str(quads), format=RDF_FORMATS_BY_SUFFIX.get(Path(quads).suffix,
                                                                                     ox.RdfFormat.N_QUADS)))
        except (SyntaxError, OSError) as exc:
            raise StoreError(f"{quads}: {exc}") from exc
    graphs: dict[str, list[ox.Triple]] = {}
    for quad in quads:
        name = quad.graph_name.value if isinstance(quad.graph_name, ox.NamedNode) else ""
        graphs.setdefault(name, []).append(quad.triple)
    sep = "&" if "?" in url else "?"
    sent = {}
    for name in sorted(graphs):
        target = url + sep + ("default" if not name else urllib.parse.urlencode({"graph": name}))
        body = ox.serialize(graphs[name], format=ox.RdfFormat.N_TRIPLES)
        request = urllib.request.Request(target, data=body, method="PUT",
                                         headers={"Content-Type": "application/n-triples"})
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                response.read()
        except urllib.error.HTTPError as exc:
            detail = exc.read(2000).decode("utf-8", "replace").strip()
            raise StoreError(f"pushing graph {name or '(default)'} to {url} failed ({exc.code}): "
                             f"{detail}") from exc
        except urllib.error.URLError as exc:
            raise StoreError(f"cannot reach {url}: {exc.reason}") from exc
        sent[name] = len(graphs[name])
    return sent


__all__ = [
    "Answer", "EmbeddedStore", "QueryError", "QueryRefused", "QueryShape", "QueryTimeout", "RemoteStore",
    "ResultTooLarge", "Store", "StoreError", "check_query", "load_files", "open_build_store",
    "open_release_store", "push", "running_away", "read_manifest", "render_results", "resolve_release",
    "RDF_FORMATS_BY_SUFFIX",
]
