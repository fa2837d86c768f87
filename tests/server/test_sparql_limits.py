"""Time and size limits: a runaway query ends in a clear 503 before any body; the server keeps answering."""

from __future__ import annotations

import threading
import time

import pytest
import requests

from server.config import ServerConfig
from tests.conftest import FIXTURES, worker_pids

#: Over the 36-quad fixture: 36^6 (2 billion) combinations to count, far beyond any time limit.
RUNAWAY_COUNT = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . ?m ?n1 ?o . "
                 "?p ?q ?r }")
#: The same product streamed row by row: it hits the size limit long before the time limit.
RUNAWAY_ROWS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
QUICK = "ASK { ?s a <https://schema.org/Message> }"


@pytest.fixture(scope="module", params=["granian", "gunicorn"])
def limited(serve_app, request):
    """The endpoint with a 1 s time limit, under each HTTP server ``kg serve --http-server`` offers: they meet a
    stuck query differently (server/granian_server.py, server/wsgi.py)."""
    config = ServerConfig.from_options(data_files=[FIXTURES / "letters-small.trig"], query_timeout=1.0,
                                       max_result_bytes=200_000)
    with serve_app(config, workers=2, threads=4, http_server=request.param) as url:
        url.http_server = request.param
        yield url


def test_runaway_query_is_cut_with_503_and_others_are_answered_meanwhile(limited):
    endpoint = limited + "/sparql"
    deadline = time.monotonic() + 15  # the second worker may still be starting on a busy machine
    while len(worker_pids(limited.pid)) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    before = worker_pids(limited.pid)
    assert len(before) == 2
    outcome: dict = {}

    def runaway() -> None:
        started = time.monotonic()
        response = requests.post(endpoint, data={"query": RUNAWAY_COUNT}, timeout=30)
        outcome["response"], outcome["elapsed"] = response, time.monotonic() - started

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.2)
    latencies = []
    while thread.is_alive():
        started = time.monotonic()
        quick = requests.get(endpoint, params={"query": QUICK}, timeout=10)
        latencies.append(time.monotonic() - started)
        assert quick.status_code == 200 and quick.json()["boolean"] is True
        time.sleep(0.05)
    thread.join()
    response = outcome["response"]
    assert response.status_code == 503
    assert "time limit of 1 s" in response.text
    assert response.headers["Content-Type"].startswith("text/plain")
    # with the endpoint's headers, whoever wrote it: the request's thread (Granian) or the watchdog (gunicorn)
    assert response.headers["Retry-After"] == "1" and response.headers["Vary"] == "Accept"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert 0.9 < outcome["elapsed"] < 5
    assert latencies and max(latencies) < 0.5  # answered while the runaway computed

    # The worker that ran it is replaced, which ends the computation: under gunicorn it alone, under Granian
    # every worker, one after the other, each new one listening before the old one stops.
    def replaced(now: set[int]) -> bool:
        kept = now & before
        return len(now) == 2 and (not kept if limited.http_server == "granian" else len(kept) == 1)

    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not replaced(worker_pids(limited.pid)):
        time.sleep(0.1)
    now = worker_pids(limited.pid)
    assert replaced(now), (before, now)
    for retired in before - now:
        with pytest.raises(FileNotFoundError):
            open(f"/proc/{retired}/stat").close()
    assert requests.get(endpoint, params={"query": QUICK}).status_code == 200


def test_result_larger_than_the_limit_is_503_before_any_body(limited):
    response = requests.get(limited + "/sparql", params={"query": RUNAWAY_ROWS, "format": "tsv"}, timeout=30)
    assert response.status_code == 503
    assert "larger than this endpoint's limit" in response.text
    assert "?a" not in response.text  # no partial result leaked


def test_result_under_the_limit_is_complete(limited):
    response = requests.get(limited + "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"})
    assert response.status_code == 200
    assert len(response.json()["results"]["bindings"]) == 36



@pytest.fixture(scope="module", params=["granian", "gunicorn"])
def one_worker(serve_app, request):
    config = ServerConfig.from_options(data_files=[FIXTURES / "letters-small.trig"], query_timeout=1.0)
    with serve_app(config, workers=1, threads=4, http_server=request.param) as url:
        yield url


def test_runaway_queries_one_after_another_never_take_the_server_down(one_worker):
    """With one worker, the second runaway meets the fresh worker that replaced the first one's: it is replaced
    too, and the server goes on answering (under Granian a worker that simply exited would leave the port
    refusing connections until its replacement listened, and two such exits in a row would stop the server;
    server/granian_server.py)."""
    endpoint = one_worker + "/sparql"
    seen = set()
    for _ in range(2):
        before = worker_pids(one_worker.pid)
        assert len(before) == 1
        seen |= before
        response = requests.post(endpoint, data={"query": RUNAWAY_COUNT}, timeout=30)
        assert response.status_code == 503
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and (len(worker_pids(one_worker.pid)) != 1
                                               or worker_pids(one_worker.pid) == before):
            time.sleep(0.1)
        now = worker_pids(one_worker.pid)
        assert len(now) == 1 and now != before, (before, now)
        answer = requests.get(endpoint, params={"query": QUICK}, timeout=10)
        assert answer.status_code == 200
    seen |= worker_pids(one_worker.pid)
    assert len(seen) == 3  # two retired, one serving
    answer = requests.get(endpoint, params={"query": QUICK}, timeout=10)
    assert answer.status_code == 200 and answer.json()["boolean"] is True
