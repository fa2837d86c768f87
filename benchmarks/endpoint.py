"""HTTP benchmark of the SPARQL endpoint against a raw ``oxigraph serve`` on the same data, side by side.

Usage:  .venv/bin/python benchmarks/endpoint.py [--letters 10000] [--requests 2000] [--concurrency 8]

It generates a deterministic CRM-shaped corpus (letters with their text, sending, time-span and notes, persons
in an authorities graph; one named graph per 100 letters), starts

- our endpoint: ``server.wsgi.run_server`` (gunicorn, 2 gthread workers x 4 threads, every rule in force:
  negotiation, limits, read-only and SERVICE checks, CORS), embedded in-memory pyoxigraph;
- ``oxigraph serve`` (in-memory, ``--union-default-graph``), loaded over its Graph Store endpoint;

and fires the same requests at each from a bounded thread pool of keep-alive HTTP clients on loopback. Each
request in a "distinct" row asks about a different letter or person, so the endpoint's answer cache cannot
help; the "repeated" row shows what the cache does for a popular query. Then it times a few queries in
embedded pyoxigraph against rdflib's SPARQL engine on a smaller corpus (rdflib's engine is pure Python).

The load client shares the machine's cores with the server under test, so absolute figures are lower than with
an external load generator such as wrk; the comparison between the two servers is what counts.
"""

from __future__ import annotations

import argparse
import http.client
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


def q_lookup(i: int) -> str:
    return (f"PREFIX schema: <{SCHEMA}> PREFIX rdfs: <{RDFS}> "
            "SELECT ?sender ?recipient ?date WHERE { "
            f"<{BASE}/id/letter/{letter_key(i)}/text> schema:sender ?s ; schema:recipient ?r ; "
            "schema:dateSent ?date . ?s rdfs:label ?sender . ?r rdfs:label ?recipient }")


def q_person(i: int) -> str:
    return (f"PREFIX schema: <{SCHEMA}> SELECT ?letter ?date WHERE {{ ?letter schema:sender "
            f"<{BASE}/id/person/p{i % PERSONS:03d}> ; schema:dateSent ?date }} ORDER BY ?date")


def q_construct(i: int) -> str:
    key = letter_key(i)
    return ("CONSTRUCT { ?s ?p ?o } WHERE { VALUES ?s { "
            f"<{BASE}/id/letter/{key}> <{BASE}/id/letter/{key}/text> <{BASE}/id/letter/{key}/sending> "
            f"<{BASE}/id/letter/{key}/sending/time-span> }} ?s ?p ?o }}")


def q_describe(i: int) -> str:
    return f"DESCRIBE <{BASE}/id/letter/{letter_key(i)}/text>"


JSON_RESULTS = "application/sparql-results+json"
SCENARIOS: list[tuple[str, Callable[[int], str], str, bool]] = [
    ("lookup: one letter's parties and date (distinct letters)", q_lookup, JSON_RESULTS, True),
    ("lookup: letters sent by a person, ORDER BY (distinct persons)", q_person, JSON_RESULTS, True),
    ("CONSTRUCT one letter's 4 resources (distinct letters)", q_construct, "text/turtle", True),
    ("DESCRIBE one letter text (distinct letters)", q_describe, "text/turtle", True),
    ("lookup: the same letter repeated (answer cache)", q_lookup, JSON_RESULTS, False),
]


# ----------------------------------------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_up(port: int, path: str, timeout: float = 60) -> None:
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


def _run_ours(path: str, port: int, workers: int, threads: int) -> None:
    from server.config import ServerConfig
    from server.wsgi import run_server

    config = ServerConfig.from_options(data_files=[Path(path)])
    run_server(config, host="127.0.0.1", port=port, workers=workers, threads=threads, access_log=False)


# ----------------------------------------------------------------------------------------------- load client


def load(port: int, path: str, make_query: Callable[[int], str], accept: str, distinct: bool, total: int,
         concurrency: int, limit_s: float, offset: int = 0) -> dict[str, float]:
    """Send ``total`` POST queries from ``concurrency`` keep-alive clients; stop early after ``limit_s``."""
    latencies: list[float] = []
    errors = [0]
    counter = iter(range(total))
    lock = threading.Lock()
    stop_at = time.monotonic() + limit_s

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        mine = []
        while time.monotonic() < stop_at:
            with lock:
                i = next(counter, None)
            if i is None:
                break
            number = (offset + i * 7919) % 10000 if distinct else 42
            body = urllib.parse.urlencode({"query": make_query(number)})
            started = time.perf_counter()
            conn.request("POST", path, body=body, headers={
                "Content-Type": "application/x-www-form-urlencoded", "Accept": accept})
            response = conn.getresponse()
            data = response.read()
            mine.append(time.perf_counter() - started)
            if response.status != 200 or not data:
                errors[0] += 1
        conn.close()
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    pool = [threading.Thread(target=client) for _ in range(concurrency)]
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
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
    queries = [
        ("one letter's parties and date", q_lookup(123)),
        ("letters sent by a person, ordered", q_person(17)),
        ("letters per month (GROUP BY over all)",
         f"PREFIX schema: <{SCHEMA}> SELECT ?m (COUNT(?l) AS ?n) WHERE {{ ?l schema:dateSent ?d "
         "BIND(SUBSTR(STR(?d), 1, 7) AS ?m) } GROUP BY ?m ORDER BY ?m"),
        ("CONSTRUCT one letter", q_construct(123)),
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--letters", type=int, default=10000)
    parser.add_argument("--requests", type=int, default=2000, help="requests per scenario and server")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=20.0, help="time cap per scenario and server")
    parser.add_argument("--rdflib-letters", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2, help="our server's worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per worker")
    parser.add_argument("--skip-engines", action="store_true", help="HTTP rows only")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="kg-bench-"))
    oxigraph = shutil.which("oxigraph", path=str(Path(sys.executable).parent)) or shutil.which("oxigraph")
    if oxigraph is None:
        sys.exit("the oxigraph CLI is needed: pip install oxigraph")
    ours_proc = theirs = None
    try:
        started = time.perf_counter()
        quads = corpus(args.letters)
        data = work / "corpus.nq"
        data.write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
        print(f"corpus: {args.letters} letters, {len(quads)} quads ({time.perf_counter() - started:.1f} s)")

        ours_port, theirs_port = free_port(), free_port()
        ours_proc = multiprocessing.get_context("fork").Process(target=_run_ours,
                                                                args=(str(data), ours_port, args.workers,
                                                                      args.threads))
        ours_proc.start()
        theirs = subprocess.Popen([oxigraph, "serve", "--bind", f"127.0.0.1:{theirs_port}",
                                   "--union-default-graph"], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        wait_up(theirs_port, "/query")
        conn = http.client.HTTPConnection("127.0.0.1", theirs_port, timeout=300)
        conn.request("POST", "/store", body=data.read_bytes(),
                     headers={"Content-Type": "application/n-quads"})
        assert conn.getresponse().status in (200, 201, 204)
        wait_up(ours_port, "/sparql")

        header = f"{'scenario':62} {'server':18} {'q/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'err':>4}"
        print(f"\nHTTP, {args.concurrency} keep-alive clients, up to {args.requests} requests each row\n")
        print(header)
        print("-" * len(header))
        for name, make_query, accept, distinct in SCENARIOS:
            servers = (("kg serve", ours_port, "/sparql"), ("oxigraph serve", theirs_port, "/query"))
            for label, port, path in servers:
                load(port, path, make_query, accept, distinct, 100, 4, 5, offset=5000)  # warm-up
                r = load(port, path, make_query, accept, distinct, args.requests, args.concurrency,
                         args.seconds)
                print(f"{name:62} {label:18} {r['qps']:8.0f} {r['p50']:8.2f} {r['p99']:8.2f} "
                      f"{r['errors']:4d}")
                sys.stdout.flush()

        if args.skip_engines:
            return
        print(f"\nEmbedded engines, {args.rdflib_letters} letters, best of up to 5 runs\n")
        print(f"{'query':45} {'pyoxigraph ms':>14} {'rdflib ms':>10} {'ratio':>7}")
        for name, t_ox, t_rdflib in engines(args.rdflib_letters):
            print(f"{name:45} {t_ox * 1000:14.2f} {t_rdflib * 1000:10.1f} {t_rdflib / t_ox:6.0f}x")
    finally:
        if theirs is not None:
            theirs.terminate()
            theirs.wait(10)
        if ours_proc is not None and ours_proc.pid and ours_proc.is_alive():
            os.kill(ours_proc.pid, signal.SIGTERM)
            ours_proc.join(15)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
