"""No query makes the server fetch a URL: a listener on 127.0.0.1 must see no connection at all."""

from __future__ import annotations

import socket
import threading

import pyoxigraph as ox
import pytest
import requests


class Listener:
    """A TCP listener on 127.0.0.1 that counts connections (and answers nothing useful)."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(2)
        self.sock.close()


@pytest.fixture(scope="module")
def listener():
    lst = Listener()
    yield lst
    lst.close()


@pytest.fixture(scope="module")
def base(small_sparql):
    return small_sparql


def test_the_listener_would_see_a_service_call_made_by_the_bare_engine(listener):
    """Proof that the check below can fail: pyoxigraph itself does fetch SERVICE URLs."""
    before = listener.connections
    with pytest.raises(OSError):
        list(ox.Store().query(f"SELECT * WHERE {{ SERVICE <http://127.0.0.1:{listener.port}/sparql> "
                              "{ ?s ?p ?o } }"))
    assert listener.connections > before


SERVICE_QUERIES = [
    "SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "select * where {{ service <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ SERVICE SILENT <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ SERVICE # a comment\n <{url}> {{ ?s ?p ?o }} }}",
    "PREFIX r: <{url}> SELECT * WHERE {{ SERVICE r:x {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ VALUES ?e {{ <{url}> }} SERVICE ?e {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ ?a ?b ?c OPTIONAL {{ {{ SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }} }} }} }}",
    "PREFIX x: <urn:x#> SELECT * WHERE {{ ?s x:p\\#q ?o . SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "SELECT * WHERE {{ ?s ?p 'it''s' . SERVICE <{url}> {{ ?s ?p ?o }} }}",
    "ASK {{ SERVICE<{url}>{{?s ?p ?o}} }}",
]


@pytest.mark.parametrize("template", SERVICE_QUERIES)
def test_service_is_refused_and_nothing_is_fetched(base, listener, template):
    before = listener.connections
    query = template.format(url=f"http://127.0.0.1:{listener.port}/sparql")
    response = requests.post(base, data={"query": query})
    assert response.status_code == 400, (query, response.text)
    assert "SERVICE" in response.text or "syntax" in response.text.lower()
    assert listener.connections == before


def test_dataset_iris_are_graph_names_never_fetched(base, listener):
    before = listener.connections
    url = f"http://127.0.0.1:{listener.port}/data.ttl"
    for params in ({"query": f"SELECT * FROM <{url}> WHERE {{ ?s ?p ?o }}"},
                   {"query": f"SELECT * FROM NAMED <{url}> WHERE {{ GRAPH ?g {{ ?s ?p ?o }} }}"},
                   {"query": "SELECT * WHERE { ?s ?p ?o }", "default-graph-uri": url, "named-graph-uri": url},
                   {"query": f"DESCRIBE <{url}>"}):
        response = requests.get(base, params=params)
        assert response.status_code == 200, response.text
    for params in ({"update": f"LOAD <{url}>"}, {"query": f"LOAD <{url}>"},
                   {"query": f"LOAD SILENT <{url}> INTO GRAPH <urn:g>"}):
        assert 400 <= requests.post(base, data=params).status_code < 500
    assert listener.connections == before


def test_a_literal_mentioning_service_still_works(base):
    query = 'SELECT ?x WHERE { BIND("civil service records" AS ?x) }'
    response = requests.get(base, params={"query": query})
    assert response.status_code == 200
