"""HTTP benchmark of ``kg serve`` against a raw ``oxigraph serve`` on the same data, side by side in one run.

Usage:  .venv/bin/python benchmarks/endpoint.py [--build DIR | --letters 10000] [--seconds 5] [--concurrency 8]
                                                [--http-servers granian,gunicorn] [--worker-class gthread|sync]
                                                [--workers 2] [--threads 4] [--no-precompute] [--only 1,5]
                                                [--clients wrk,python]

The data: a ``kg build`` folder (``--build``, its current release; the figures below) or else a deterministic
synthetic CRM-shaped corpus of ``--letters`` letters published as a release folder. Unless
``--no-precompute``, the release's letter documents are precomputed first (``server.documents.precompute``,
timed; skipped when the release already has its pack). It starts

- our server, once under each HTTP server of ``--http-servers`` (Granian, ``kg serve``'s default, and
  gunicorn): ``server.wsgi.run_server`` on that build with ``kg serve``'s defaults, every rule in force
  (5 s time limit, 32 MiB result cap, read-only and SERVICE checks on every query, negotiation with 406,
  Vary and CORS on every answer, dataset parameters), embedded in-memory pyoxigraph;
- ``oxigraph serve`` (in-memory, ``--union-default-graph``), loaded with the same ``dataset.nq``;

and loads each with two clients on loopback, one after the other:

- ``wrk`` (C, one thread, ``--concurrency`` keep-alive connections, ``--seconds`` per row) with a Lua script
  that rotates over a file of different requests; the ``CPU us`` column is the server's CPU time (all its
  processes, from ``/proc``) per answered request, the steadiest figure on a shared machine;
- a Python client (a pool of keep-alive ``http.client`` threads), which shares the 2 cores with the server
  under test and so under-states both servers.

"Distinct" SPARQL rows give every request a different query text (a different letter or person, and a
``LIMIT`` numbering the request, which survives the endpoint's normalisation of whitespace and comments), so
no answer cache can help; the "repeated" row sends one text again and again, which the endpoint answers from
its per-worker cache. Document rows fetch a different letter each time: ``/doc/letter/K.ttl`` (and the
``/id/letter/K`` 303 and the HTML page) against the CONSTRUCT that gives the letter's data from Oxigraph.
Then it times a few queries in embedded pyoxigraph against rdflib's SPARQL engine on a smaller corpus.

Measured (2026-11-26, 2 shared cores): 10,000-letter build of ``benchmarks.corpus`` (2,282,921 quads, 5,740
graphs), ``--workers 2 --threads 4``, wrk 8 connections, 5 s per row; the three servers side by side in one run:

    row                                   Granian: q/s  CPU us | gunicorn: q/s  CPU us | oxigraph serve: q/s  CPU us
    lookup, distinct (letter's parties)          5,037     349 |          3,865    466 |              22,506      74
    lookup, distinct (person's, ORDER BY)        2,662     674 |          2,117    874 |               4,718     386
    CONSTRUCT, distinct (letter's resources)     3,575     511 |          2,790    659 |               8,230     221
    DESCRIBE, distinct (letter's text)           6,246     271 |          4,262    407 |              25,887      62
    lookup, repeated (answer cache)             33,450      44 |          8,349    207 |              26,681      61
    /doc/letter/K.ttl vs its CONSTRUCT          23,258      60 |          7,006    240 |               9,002     201
    /doc/letter/K.jsonld vs its CONSTRUCT       24,923      59 |          6,411    252 |               8,343     217
    /id/letter/K (303) vs the CONSTRUCT         13,889     113 |          6,012    287 |               8,609     210
    /doc/letter/K.html vs the CONSTRUCT         12,342     111 |          6,335    256 |               8,226     220

(p50 latency under Granian: 0.19-0.50 ms for cached answers and documents, 1.1-2.6 ms for distinct queries.)
Under Granian, repeated queries, letter documents, their 303s and their HTML pages are answered faster than
Oxigraph's own server answers the equivalent query. Distinct queries are still 2-4x behind: each costs
pyoxigraph's query (about 40 us for this lookup, after ``Store.load``; see ``benchmarks/store_load.py``), the
endpoint's checks and negotiation (about 90 us of Python), and a hand-off to the helper thread that makes a
stuck query answerable under Granian (about 80 us: two wake-ups across cores; 13 us when both threads share a
core). Pinning each worker to a core gave 5,988 q/s and 303 us against 5,037 and 349 us; not adopted.
Worker layouts under gunicorn (2x4, 2x1, 4x1, 3x2) cost the same CPU per request within noise.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import pyoxigraph as ox  # noqa: E402

BASE = "https://kg.example.org"
CRM = "http://www.cidoc-crm.org/cidoc-crm/"
SCHEMA = "https://schema.org/"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
PERSONS = 500


# ----------------------------------------------------------------------------------------------- corpus


def letter_key(i: int) -> str:
    return f"syn-{i:05d}"


def corpus(letters: int) -> list[ox.Quad]:
    """A deterministic letters graph shaped like kg.mapping's output (about 36 quads per letter)."""
    n, lit = ox.NamedNode, ox.Literal
    quads: list[ox.Quad] = []
    authorities = n(f"{BASE}/graph/authorities")
    note_type = n(f"{BASE}/id/type/editorial-note")
    sending_type = n(f"{BASE}/id/type/sending")
    for p in range(PERSONS):
        person = n(f"{BASE}/id/person/p{p:03d}")
        quads += [ox.Quad(person, n(RDF_TYPE), n(CRM + "E21_Person"), authorities),
                  ox.Quad(person, n(RDFS + "label"), lit(f"Person {p}", language="en"), authorities)]
    quads += [ox.Quad(note_type, n(RDFS + "label"), lit("editorial note", language="en"), authorities),
              ox.Quad(sending_type, n(RDFS + "label"), lit("sending of a letter", language="en"),
                      authorities)]
    for i in range(letters):
        key = letter_key(i)
        graph = n(f"{BASE}/graph/source/syn-{i // 100:04d}")
        item, text = n(f"{BASE}/id/letter/{key}"), n(f"{BASE}/id/letter/{key}/text")
        sending, span = n(f"{BASE}/id/letter/{key}/sending"), n(f"{BASE}/id/letter/{key}/sending/time-span")
        note = n(f"{BASE}/id/letter/{key}/note/1")
        sender = n(f"{BASE}/id/person/p{(i * 7) % PERSONS:03d}")
        recipient = n(f"{BASE}/id/person/p{(i * 13 + 1) % PERSONS:03d}")
        mentioned = n(f"{BASE}/id/person/p{(i * 31 + 2) % PERSONS:03d}")
        day = f"{1917 + (i % 8)}-{1 + (i % 12):02d}-{1 + (i % 28):02d}"
        triples = [
            (item, n(RDF_TYPE), n(CRM + "E22_Human-Made_Object")),
            (item, n(RDFS + "label"), lit(f"Letter {key}", language="en")),
            (item, n(CRM + "P128_carries"), text),
            (item, n(CRM + "P46i_forms_part_of"), n(f"{BASE}/id/archive/rgaspi/f558/op1/d{i % 300}")),
            (text, n(RDF_TYPE), n(CRM + "E33_Linguistic_Object")),
            (text, n(RDF_TYPE), n(SCHEMA + "Message")),
            (text, n(RDFS + "label"), lit(f"Text of letter {key}", language="en")),
            (text, n(SCHEMA + "sender"), sender),
            (text, n(SCHEMA + "recipient"), recipient),
            (text, n(SCHEMA + "dateSent"), lit(day, datatype=n(XSD + "date"))),
            (text, n(SCHEMA + "inLanguage"), lit("ru")),
            (text, n(CRM + "P67_refers_to"), mentioned),
            (text, n(SCHEMA + "mentions"), mentioned),
            (text, n(SCHEMA + "text"), lit(f"Dear comrade, about matter number {i}. " * 4, language="en")),
            (sending, n(RDF_TYPE), n(CRM + "E7_Activity")),
            (sending, n(CRM + "P2_has_type"), sending_type),
            (sending, n(CRM + "P14_carried_out_by"), sender),
            (sending, n(CRM + "P11_had_participant"), recipient),
            (sending, n(CRM + "P16_used_specific_object"), item),
            (sending, n(CRM + "P4_has_time-span"), span),
            (span, n(RDF_TYPE), n(CRM + "E52_Time-Span")),
            (span, n(CRM + "P82a_begin_of_the_begin"), lit(f"{day}T00:00:00", datatype=n(XSD + "dateTime"))),
            (span, n(CRM + "P82b_end_of_the_end"), lit(f"{day}T23:59:59", datatype=n(XSD + "dateTime"))),
            (span, n(RDFS + "label"), lit(day, language="en")),
            (note, n(RDF_TYPE), n(CRM + "E33_Linguistic_Object")),
            (note, n(CRM + "P2_has_type"), note_type),
            (note, n(CRM + "P67_refers_to"), mentioned),
            (note, n(CRM + "P106i_forms_part_of"), text),
            (note, n(RDFS + "label"), lit(f"Note 1 to {key}", language="en")),
        ]
        quads += [ox.Quad(s, p, o, graph) for s, p, o in triples]
    return quads


# ----------------------------------------------------------------------------------------------- queries


@dataclass(frozen=True)
class Subjects:
    """What the requests ask about: letter keys (``/id/letter/{key}``) and person IRIs of the served data."""

    base: str
    letters: list[str]
    persons: list[str]

    @classmethod
    def synthetic(cls, letters: int) -> Subjects:
        return cls(BASE, [letter_key(i) for i in range(letters)],
                   [f"{BASE}/id/person/p{p:03d}" for p in range(PERSONS)])

    def letter(self, i: int) -> str:
        return f"{self.base}/id/letter/{self.letters[i % len(self.letters)]}"


def q_lookup(s: Subjects, i: int) -> str:
    return (f"PREFIX schema: <{SCHEMA}> PREFIX rdfs: <{RDFS}> "
            "SELECT ?sender ?recipient ?date WHERE { "
            f"<{s.letter(i)}/text> schema:sender ?s ; schema:recipient ?r ; "
            "schema:dateSent ?date . ?s rdfs:label ?sender . ?r rdfs:label ?recipient }")


def q_person(s: Subjects, i: int) -> str:
    return (f"PREFIX schema: <{SCHEMA}> SELECT ?letter ?date WHERE {{ ?letter schema:sender "
            f"<{s.persons[i % len(s.persons)]}> ; schema:dateSent ?date }} ORDER BY ?date")


def q_construct(s: Subjects, i: int) -> str:
    """The data of a letter's document: the letter and the resources it links to under its own IRI."""
    letter = s.letter(i)
    return (f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ {{ BIND(<{letter}> AS ?s) }} UNION {{ <{letter}> ?link ?s "
            f'FILTER(isIRI(?s) && STRSTARTS(STR(?s), "{letter}/")) }} ?s ?p ?o }}')


def q_describe(s: Subjects, i: int) -> str:
    return f"DESCRIBE <{s.letter(i)}/text>"


# ----------------------------------------------------------------------------------------------- scenarios

JSON_RESULTS = "application/sparql-results+json"
#: One request: method, path (with query string), Accept, form body ("" for GET).
Request = tuple[str, str, str, str]
Maker = Callable[[str, int, str, Subjects], Request]
#: Distinct requests get ``LIMIT`` (tag number x 10^7 + request number): a different text even after the
#: endpoint normalises whitespace and comments away, and the same answer (no query returns that many rows).
TAGS = {"u": 1, "w": 2, "p": 3}


def sparql(make_query: Callable[[Subjects, int], str], accept: str, distinct: bool = True) -> Maker:
    """A SPARQL request maker: request ``n`` asks about item ``n`` (stride 7919); with ``distinct``, each
    request's text is different, so no answer cache can serve it."""
    def make(path: str, n: int, tag: str, subjects: Subjects) -> Request:
        number = (n * 7919) % len(subjects.letters) if distinct else 42
        text = make_query(subjects, number)
        if distinct:
            text = f"{text} LIMIT {TAGS[tag] * 10_000_000 + n}"
        return "POST", path, accept, urllib.parse.urlencode({"query": text})
    return make


def construct_get(path: str, n: int, tag: str, subjects: Subjects) -> Request:
    """Oxigraph's equivalent of a letter document: the CONSTRUCT of the letter's resources, by GET."""
    query = q_construct(subjects, (n * 7919) % len(subjects.letters))
    return "GET", f"{path}?" + urllib.parse.urlencode({"query": query}), "text/turtle", ""


def document(prefix: str, suffix: str, accept: str) -> Maker:
    def make(_path: str, n: int, _tag: str, subjects: Subjects) -> Request:
        key = subjects.letters[(n * 7919) % len(subjects.letters)]
        return "GET", f"{prefix}{key}{suffix}", accept, ""
    return make


#: (row name, our request, Oxigraph's request or None, expected status of ours)
SCENARIOS: list[tuple[str, Maker, Maker | None, int]] = [
    ("lookup, distinct: a letter's parties and date", sparql(q_lookup, JSON_RESULTS),
     sparql(q_lookup, JSON_RESULTS), 200),
    ("lookup, distinct: a person's letters, ORDER BY", sparql(q_person, JSON_RESULTS),
     sparql(q_person, JSON_RESULTS), 200),
    ("CONSTRUCT, distinct: a letter's resources", sparql(q_construct, "text/turtle"),
     sparql(q_construct, "text/turtle"), 200),
    ("DESCRIBE, distinct: a letter's text", sparql(q_describe, "text/turtle"),
     sparql(q_describe, "text/turtle"), 200),
    ("lookup, repeated: the same query each time", sparql(q_lookup, JSON_RESULTS, distinct=False),
     sparql(q_lookup, JSON_RESULTS, distinct=False), 200),
    ("letter document /doc/letter/K.ttl vs CONSTRUCT", document("/doc/letter/", ".ttl", "text/turtle"),
     construct_get, 200),
    ("letter document /doc/letter/K.jsonld vs CONSTRUCT", document("/doc/letter/", ".jsonld",
                                                                  "application/ld+json"), construct_get, 200),
    ("letter URI /id/letter/K (303) vs CONSTRUCT", document("/id/letter/", "", "text/turtle"),
     construct_get, 303),
    ("letter page /doc/letter/K.html vs CONSTRUCT", document("/doc/letter/", ".html", "text/html"),
     construct_get, 200),
]


# ----------------------------------------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_up(port: int, path: str, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", path)
            conn.getresponse().read()
            return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"port {port} not answering")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its live descendants (a gunicorn master and its workers)."""
    total, todo = 0.0, [pid]
    tick = os.sysconf("SC_CLK_TCK")
    while todo:
        p = todo.pop()
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return total


def publish(work: Path, quads: list[ox.Quad]) -> Path:
    """A minimal release folder, as ``kg build`` lays it out (``current`` -> ``releases/<id>``)."""
    release = work / "build" / "releases" / "bench"
    release.mkdir(parents=True)
    (release / "dataset.nq").write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
    (release / "manifest.json").write_text(json.dumps({"release": "bench", "base_uri": BASE}) + "\n")
    (work / "build" / "current").symlink_to(Path("releases") / "bench")
    return release


def _run_ours(build: str, port: int, options: dict) -> None:
    from server.config import ServerConfig
    from server.wsgi import run_server

    config = ServerConfig.from_options(build_dir=Path(build))
    run_server(config, host="127.0.0.1", port=port, access_log=False, **options)


# ----------------------------------------------------------------------------------------------- load clients

WRK_SCRIPT = r"""
local list, idx = {}, 0
local threads = 0
function setup(thread) threads = threads + 1; thread:set("id", threads) end
function init(args)
  for line in io.lines(args[1]) do
    local method, path, accept, body = line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    local headers = {["Accept"] = accept}
    if method == "POST" then headers["Content-Type"] = "application/x-www-form-urlencoded" else body = nil end
    list[#list + 1] = wrk.format(method, path, headers, body)
  end
  idx = (((id or 1) - 1) * 4099) % #list
end
function request() idx = idx % #list + 1; return list[idx] end
function done(summary, latency, _)
  local e = summary.errors
  io.write(string.format("WRK %d %d %.1f %.1f %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), e.connect + e.read + e.write + e.status + e.timeout))
end
"""


def wrk(port: int, requests: list[Request], seconds: float, connections: int, threads: int,
        work: Path) -> dict[str, float]:
    """One bounded wrk run rotating over ``requests``; non-2xx/3xx answers count as errors."""
    script, listing = work / "rotate.lua", work / "requests.tsv"
    script.write_text(WRK_SCRIPT)
    listing.write_text("".join("\t".join(r) + "\n" for r in requests))
    out = subprocess.run(["wrk", f"-t{threads}", f"-c{connections}", f"-d{max(1, round(seconds))}s",
                          "--timeout", "10s", "-s", str(script), f"http://127.0.0.1:{port}", "--",
                          str(listing)], capture_output=True, text=True, timeout=seconds + 60)
    line = next((x for x in out.stdout.splitlines() if x.startswith("WRK ")), None)
    if line is None:
        raise RuntimeError(f"wrk failed: {out.stdout}\n{out.stderr}")
    n, duration_us, p50, p99, errors = (float(x) for x in line.split()[1:])
    return {"qps": n / (duration_us / 1e6), "p50": p50 / 1000, "p99": p99 / 1000, "errors": int(errors),
            "n": int(n)}


def pyclient(port: int, requests: list[Request], expected: int, concurrency: int,
             limit_s: float) -> dict[str, float]:
    """Send ``requests`` from ``concurrency`` keep-alive ``http.client`` threads; stop after ``limit_s``."""
    latencies: list[float] = []
    errors = [0]
    counter = iter(range(len(requests)))
    lock = threading.Lock()
    stop_at = time.monotonic() + limit_s

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine, bad = [], 0
        while time.monotonic() < stop_at:
            with lock:
                i = next(counter, None)
            if i is None:
                break
            method, path, accept, body = requests[i]
            headers = {"Accept": accept}
            if method == "POST":
                headers["Content-Type"] = "application/x-www-form-urlencoded"
            started = time.perf_counter()
            try:
                conn.request(method, path, body=body or None, headers=headers)
                response = conn.getresponse()
                data = response.read()
            except OSError:  # a timeout or a dropped connection counts as an error, then reconnect
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                continue
            mine.append(time.perf_counter() - started)
            if response.status != expected or (expected == 200 and not data):
                bad += 1
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    started = time.perf_counter()
    pool = [threading.Thread(target=client) for _ in range(concurrency)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    if not latencies:  # every request failed
        return {"n": 0, "qps": 0.0, "p50": float("nan"), "p99": float("nan"), "errors": errors[0]}
    return {"n": len(latencies), "qps": len(latencies) / elapsed,
            "p50": statistics.median(latencies) * 1000,
            "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))] * 1000, "errors": errors[0]}


# ----------------------------------------------------------------------------------------------- engines


def engines(letters: int) -> list[tuple[str, float, float]]:
    """Seconds per query, embedded pyoxigraph vs rdflib, on ``letters`` letters."""
    import rdflib

    quads = corpus(letters)
    nq = ox.serialize(quads, format=ox.RdfFormat.N_QUADS)
    store = ox.Store()
    store.load(nq, ox.RdfFormat.N_QUADS)
    dataset = rdflib.Dataset(default_union=True)
    dataset.parse(data=nq, format="nquads")
    subjects = Subjects.synthetic(letters)
    queries = [
        ("one letter's parties and date", q_lookup(subjects, 123)),
        ("letters sent by a person, ordered", q_person(subjects, 17)),
        ("letters per month (GROUP BY over all)",
         f"PREFIX schema: <{SCHEMA}> SELECT ?m (COUNT(?l) AS ?n) WHERE {{ ?l schema:dateSent ?d "
         "BIND(SUBSTR(STR(?d), 1, 7) AS ?m) } GROUP BY ?m ORDER BY ?m"),
        ("CONSTRUCT one letter", q_construct(subjects, 123)),
    ]
    rows = []
    for name, text in queries:
        def run_ox(text: str = text) -> int:
            return len(list(store.query(text, use_default_graph_as_union=True)))

        def run_rdflib(text: str = text) -> int:
            return len(list(dataset.query(text)))

        assert run_ox() == run_rdflib(), name
        rows.append((name, best_of(run_ox), best_of(run_rdflib)))
    return rows


def best_of(fn: Callable[[], object], budget: float = 3.0, runs: int = 5) -> float:
    times = []
    deadline = time.monotonic() + budget
    for _ in range(runs):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
        if time.monotonic() > deadline:
            break
    return min(times)


# ----------------------------------------------------------------------------------------------- main


def _cell(r: dict[str, float] | None) -> str:
    if r is None:
        return f"{'—':>7} {'':>7} {'':>7} {'':>4}"
    return f"{r['qps']:7.0f} {r['p50']:7.2f} {r['p99']:7.2f} {r['errors']:4d}"


def _cpu_cell(r: dict[str, float] | None) -> str:
    return f"{r['cpu_us']:7.0f}" if r and r.get("n") else f"{'—':>7}"


SUBJECT_QUERIES = {
    "letters": f"SELECT ?l WHERE {{ ?l <{CRM}P128_carries> ?t . ?t <{SCHEMA}sender> ?x ; <{SCHEMA}recipient> ?y ; "
               f"<{SCHEMA}dateSent> ?d }} ORDER BY ?l",
    "persons": f"SELECT DISTINCT ?p WHERE {{ ?t <{SCHEMA}sender> ?p . ?p <{RDFS}label> ?n }} ORDER BY ?p",
}


def discover(port: int, base: str) -> Subjects:
    """The letters (with parties and a date) and the senders of the data Oxigraph holds, for the requests."""
    found = {}
    for name, text in SUBJECT_QUERIES.items():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        conn.request("POST", "/query", body=text.encode(), headers={"Content-Type": "application/sparql-query",
                                                                     "Accept": "text/tab-separated-values"})
        lines = conn.getresponse().read().decode().splitlines()[1:]
        found[name] = [line.strip("<>") for line in lines if line]
    prefix = f"{base}/id/letter/"
    letters = [iri[len(prefix):] for iri in found["letters"] if iri.startswith(prefix) and "/" not in
               iri[len(prefix):]]
    if not letters or not found["persons"]:
        raise RuntimeError("no letters with sender, recipient and date found in the data")
    return Subjects(base, letters, found["persons"])


def rules_in_force() -> str:
    """What ``kg serve`` enforces in this run (``_run_ours`` starts it with the defaults of ``kg serve``)."""
    from server import config

    return (f"every query checked (read-only, no SERVICE) and evaluated under a 5 s time limit and a "
            f"{config.DEFAULT_MAX_RESULT_BYTES // 1048576} MiB result cap; answers negotiated (Accept/format, "
            f"406); Vary and CORS on every answer; dataset parameters honoured; answer cache "
            f"{config.DEFAULT_RESULT_CACHE_BYTES // 1048576} MiB per worker")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", type=Path, default=None,
                        help="serve this `kg build` folder (its current release) instead of a synthetic corpus")
    parser.add_argument("--letters", type=int, default=10000, help="synthetic corpus size (without --build)")
    parser.add_argument("--seconds", type=float, default=5.0, help="wrk duration and Python client cap per row")
    parser.add_argument("--requests", type=int, default=3000, help="Python client: requests per row")
    parser.add_argument("--concurrency", type=int, default=8, help="connections (wrk) / threads (Python)")
    parser.add_argument("--wrk-threads", type=int, default=1)
    parser.add_argument("--http-servers", default="granian,gunicorn",
                        help="kg serve under each of these HTTP servers (granian, gunicorn), side by side")
    parser.add_argument("--worker-class", default=None, help="gunicorn worker class (gthread, sync)")
    parser.add_argument("--workers", type=int, default=2, help="our server's worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.add_argument("--no-precompute", action="store_true", help="serve documents without precomputing")
    parser.add_argument("--only", default="", help="comma-separated row numbers (1-based) to run")
    parser.add_argument("--clients", default="wrk,python", help="which load clients: wrk,python")
    parser.add_argument("--rdflib-letters", type=int, default=1000)
    parser.add_argument("--skip-engines", action="store_true", help="HTTP rows only")
    args = parser.parse_args()

    clients = set(args.clients.split(","))
    if "wrk" in clients and shutil.which("wrk") is None:
        sys.exit("wrk is needed (apt-get install wrk), or pass --clients python")
    work = Path(tempfile.mkdtemp(prefix="kg-bench-"))
    oxigraph = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
    if oxigraph is None:
        sys.exit("the oxigraph CLI is needed: pip install oxigraph")
    ours_procs: list = []
    theirs = None
    try:
        started = time.perf_counter()
        if args.build is not None:
            from kg.store import read_manifest, resolve_release

            build = args.build
            release = resolve_release(build)
            base = read_manifest(release).get("base_uri", BASE)
            print(f"build: {release} ({read_manifest(release).get('counts', {})})")
        else:
            quads = corpus(args.letters)
            release = publish(work, quads)
            build, base = work / "build", BASE
            print(f"corpus: {args.letters} synthetic letters, {len(quads)} quads "
                  f"({time.perf_counter() - started:.1f} s)")
            del quads
        if args.no_precompute:
            print("documents: not precomputed (rendered on first request, then memoised per worker)")
        elif (release / "documents" / "index.json").exists():
            print(f"documents: precomputed pack already in {release / 'documents'}")
        else:
            from server.documents import precompute

            started = time.perf_counter()
            facts = precompute(release, kinds=("letter",))
            print(f"documents: {facts['documents']} letters x {len(facts['formats'])} formats, "
                  f"{facts['bytes'] / 1048576:.0f} MiB, precomputed in {time.perf_counter() - started:.1f} s "
                  "(a build-time cost; --no-precompute serves them rendered on demand and memoised)")

        ours = []  # (label, port, process): kg serve under each HTTP server asked for, side by side
        for http_server in args.http_servers.split(","):
            options: dict = {"workers": args.workers, "threads": args.threads, "http_server": http_server}
            if args.worker_class and http_server == "gunicorn":
                options["worker_class"] = args.worker_class
            port = free_port()
            process = multiprocessing.get_context("fork").Process(target=_run_ours, args=(str(build), port, options))
            process.start()
            ours_procs.append(process)
            ours.append((f"kg/{http_server}", port, process, options))
        theirs_port = free_port()
        theirs = subprocess.Popen([oxigraph, "serve", "--bind", f"127.0.0.1:{theirs_port}",
                                   "--union-default-graph"], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        wait_up(theirs_port, "/query")
        conn = http.client.HTTPConnection("127.0.0.1", theirs_port, timeout=900)
        with open(release / "dataset.nq", "rb") as data:
            conn.request("POST", "/store", body=data, headers={"Content-Type": "application/n-quads"})
            assert conn.getresponse().status in (200, 201, 204)
        for label, port, _process, options in ours:
            wait_up(port, "/sparql", timeout=600)
            print(f"{label}: kg serve up ({options})")
        print(f"oxigraph serve {ox.__version__} loaded (in memory, --union-default-graph)")
        subjects = discover(theirs_port, base) if args.build is not None else Subjects.synthetic(args.letters)
        print(f"requests rotate over {len(subjects.letters)} letters and {len(subjects.persons)} senders")
        print(f"kg serve rules in force: {rules_in_force()}")

        per_row = max(args.requests, int(args.seconds * 30000))
        print(f"\nHTTP on loopback, {args.concurrency} keep-alive connections; wrk: {args.wrk_threads} thread, "
              f"{args.seconds:g} s per row; Python: up to {args.requests} requests or {args.seconds:g} s. "
              "CPU = the server's CPU time per answered request during the wrk run (all its processes).\n")
        header = (f"{'scenario':50} {'server':14} | {'wrk q/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'err':>4} "
                  f"{'CPU us':>7} | {'py q/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'err':>4}")
        print(header)
        print("-" * len(header))
        only = {int(x) for x in args.only.split(",") if x}
        for number, (name, ours_req, theirs_req, expected) in enumerate(SCENARIOS, 1):
            if only and number not in only:
                continue
            servers = (*((label, port, process.pid, "/sparql", ours_req, expected)
                         for label, port, process, _options in ours),
                       ("oxigraph serve", theirs_port, theirs.pid, "/query", theirs_req, 200))
            for label, port, pid, path, make, status in servers:
                if make is None:
                    continue
                warm = [make(path, n, "u", subjects) for n in range(5000, 5200)]
                pyclient(port, warm, status, 4, 5)
                results = {}
                if "wrk" in clients:
                    listing = [make(path, n, "w", subjects) for n in range(per_row)]
                    cpu_before = cpu_seconds(pid)
                    results["wrk"] = wrk(port, listing, args.seconds, args.concurrency, args.wrk_threads, work)
                    used = cpu_seconds(pid) - cpu_before
                    results["wrk"]["cpu_us"] = used / max(1, results["wrk"]["n"]) * 1e6
                if "python" in clients:
                    listing = [make(path, n, "p", subjects) for n in range(args.requests)]
                    results["py"] = pyclient(port, listing, status, args.concurrency, args.seconds)
                print(f"{name:50} {label:14} | {_cell(results.get('wrk'))} {_cpu_cell(results.get('wrk'))} | "
                      f"{_cell(results.get('py'))}")
                sys.stdout.flush()

        if args.skip_engines:
            return
        print(f"\nEmbedded engines, {args.rdflib_letters} synthetic letters, best of up to 5 runs\n")
        print(f"{'query':45} {'pyoxigraph ms':>14} {'rdflib ms':>10} {'ratio':>7}")
        for name, t_ox, t_rdflib in engines(args.rdflib_letters):
            print(f"{name:45} {t_ox * 1000:14.2f} {t_rdflib * 1000:10.1f} {t_rdflib / t_ox:6.0f}x")
    finally:
        if theirs is not None:
            theirs.terminate()
            theirs.wait(10)
        for process in ours_procs:
            if process.pid and process.is_alive():
                os.kill(process.pid, signal.SIGTERM)
                process.join(15)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
