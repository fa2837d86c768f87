"""kg.store: opening builds and files, the read-only/no-network checks, limits, rendering, remote push."""

from __future__ import annotations

import json
import os
import threading
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from kg.store import (
    EmbeddedStore,
    QueryError,
    QueryRefused,
    QueryTimeout,
    RemoteStore,
    ResultTooLarge,
    StoreError,
    check_query,
    load_files,
    open_build_store,
    push,
    render_results,
    running_away,
)
from server.config import ServerConfig, ServerConfigError
from tests.conftest import FIXTURES

TRIG = FIXTURES / "letters-small.trig"
LETTERS = "SELECT ?l WHERE { ?l a <https://schema.org/Message> } ORDER BY ?l"


def make_build(tmp_path: Path, *, persisted: bool = False) -> Path:
    """A build folder shaped like kg.publish's: current -> releases/<id> with dataset.nq and manifest.json."""
    release = tmp_path / "build" / "releases" / "20240101T000000Z"
    release.mkdir(parents=True)
    quads = sorted(ox.parse(path=str(TRIG)), key=str)
    (release / "dataset.nq").write_bytes(ox.serialize(quads, format=ox.RdfFormat.N_QUADS))
    (release / "manifest.json").write_text(json.dumps({"base_uri": "https://letters.example.net"}))
    if persisted:
        store = ox.Store(str(release / "store"))
        store.bulk_load(path=str(release / "dataset.nq"), format=ox.RdfFormat.N_QUADS)
        store.flush()
        del store
    os.symlink(Path("releases") / release.name, tmp_path / "build" / "current")
    return tmp_path / "build"


# ----------------------------------------------------------------------------------------------- checks


@pytest.mark.parametrize("text", [
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "PREFIX ex: <urn:x> BASE <urn:y> DELETE WHERE { ?s ?p ?o }",
    "load <http://example.org/x>",
    "CLEAR ALL", "DROP GRAPH <urn:g>", "CREATE GRAPH <urn:g>", "COPY DEFAULT TO <urn:g>",
    "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "# INSERT is in this comment only\nADD <urn:a> TO <urn:b>",
])
def test_updates_are_refused_as_read_only(text):
    with pytest.raises(QueryRefused) as err:
        check_query(text)
    assert err.value.status == 403 and "read-only" in str(err.value)


@pytest.mark.parametrize("text", [
    "SELECT * WHERE { SERVICE <http://x/> { ?s ?p ?o } }",
    "SELECT * WHERE { service silent ?e { ?s ?p ?o } }",
    "PREFIX x: <urn:x#> SELECT * WHERE { ?s x:a\\#b ?o . SERVICE <http://x/> {} }",
    'SELECT * WHERE { ?s ?p """a " b""" SERVICE <http://x/> {} }',
])
def test_service_is_refused(text):
    with pytest.raises(QueryRefused) as err:
        check_query(text)
    assert err.value.status == 400 and "SERVICE" in str(err.value)


@pytest.mark.parametrize(("text", "form", "has_from"), [
    ("SELECT * WHERE { ?service ?p 'the SERVICE desk' }", "SELECT", False),
    ("PREFIX service: <urn:s#> ASK { service:a ?p ?o }", "ASK", False),
    ("# SELECT\nCONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT", False),
    ("describe <urn:a> from <urn:g>", "DESCRIBE", True),
    ("PREFIX : <urn:x#> SELECT ?from FROM NAMED <urn:g> WHERE { GRAPH ?g { :a ?p ?from } }", "SELECT", True),
    ("SELECT ?x WHERE { ?x <urn:p> \"from the files\" }", "SELECT", False),
])
def test_queries_pass_with_their_form(text, form, has_from):
    shape = check_query(text)
    assert (shape.form, shape.has_from) == (form, has_from)


def test_no_query_form_is_a_query_error():
    with pytest.raises(QueryError, match="expected SELECT"):
        check_query("PREFIX ex: <urn:x>")


# ----------------------------------------------------------------------------------------------- opening


def test_load_files_keeps_named_graphs_and_reads_every_syntax(tmp_path):
    store = load_files([TRIG])
    graphs = store.named_graphs()
    assert graphs == ["https://kg.example.org/graph/authorities", "https://kg.example.org/graph/source/bl1996-p1",
                      "https://kg.example.org/graph/source/bl1996-p2"]
    triples = [q.triple for q in ox.parse(path=str(TRIG))]
    for suffix, syntax in ((".ttl", ox.RdfFormat.TURTLE), (".nt", ox.RdfFormat.N_TRIPLES),
                           (".rdf", ox.RdfFormat.RDF_XML), (".jsonld", ox.RdfFormat.JSON_LD)):
        path = tmp_path / f"data{suffix}"
        path.write_bytes(ox.serialize(triples, format=syntax))
        assert len(load_files([path])) == len(set(triples)), suffix


def test_load_files_names_file_and_line_of_a_syntax_error(tmp_path):
    bad = tmp_path / "bad.ttl"
    bad.write_text('@prefix e: <http://e/> .\ne:a e:p e:b .\ne:a e:p "unterminated .\n')
    with pytest.raises(StoreError, match=r"bad\.ttl.*line 3"):
        load_files([bad])
    with pytest.raises(StoreError, match="unknown RDF syntax"):
        load_files([tmp_path / "data.docx"])


@pytest.mark.parametrize("persisted", [False, True])
def test_open_build_store_reads_the_current_release(tmp_path, persisted):
    store = open_build_store(make_build(tmp_path, persisted=persisted))
    assert len(list(store.query(LETTERS))) == 3


def test_missing_build_is_a_store_error_saying_what_to_do(tmp_path):
    with pytest.raises(StoreError, match="kg build"):
        open_build_store(tmp_path / "nowhere")


def test_server_config_names_the_bad_option(tmp_path):
    with pytest.raises(ServerConfigError, match="--build"):
        ServerConfig.from_options(build_dir=tmp_path / "nowhere")
    bad = tmp_path / "bad.nq"
    bad.write_text("<http://e/a> <http://e/p> <http://e/b> .\n<http://e/a> <http://e/p> <x y> .\n")
    with pytest.raises(ServerConfigError, match=r"--data .*bad\.nq.*line 2"):
        ServerConfig.from_options(data_files=[bad])
    with pytest.raises(ServerConfigError, match="--query-timeout"):
        ServerConfig.from_options(data_files=[TRIG], query_timeout=0)
    with pytest.raises(ServerConfigError, match="--base-uri"):
        ServerConfig.from_options(data_files=[TRIG], base_uri="ftp://x")


def test_server_config_takes_the_base_uri_from_the_manifest(tmp_path):
    config = ServerConfig.from_options(build_dir=make_build(tmp_path))
    assert config.base_uri == "https://letters.example.net"
    assert config.release_id == "20240101T000000Z"
    other = ServerConfig.from_options(build_dir=make_build(tmp_path / "b"), base_uri="http://x.org/")
    assert other.base_uri == "http://x.org"


# ----------------------------------------------------------------------------------------------- query +
# limits


def test_union_default_graph_and_from_clauses():
    store = load_files([TRIG])
    assert len(list(store.query(LETTERS))) == 3
    from_p2 = LETTERS.replace("WHERE", "FROM <https://kg.example.org/graph/source/bl1996-p2> WHERE")
    assert len(list(store.query(from_p2))) == 1
    p1 = ["https://kg.example.org/graph/source/bl1996-p1"]
    assert len(list(store.query(LETTERS, default_graphs=p1))) == 2


def test_syntax_error_names_line_and_column():
    with pytest.raises(QueryError, match=r"line 2, column \d+"):
        load_files([TRIG]).query("SELECT ?s\nWHERE { ?s ?p }")


def big_store(n: int = 20000) -> EmbeddedStore:
    native = ox.Store()
    native.extend(ox.Quad(ox.NamedNode(f"http://e/s{i}"), ox.NamedNode("http://e/p"),
                          ox.Literal(f"value {i}"),
                          ox.NamedNode("http://e/g")) for i in range(n))
    return EmbeddedStore.from_native(native)


def test_execute_serialises_in_full():
    answer = big_store(100).execute("SELECT * WHERE { ?s ?p ?o }", "text/tab-separated-values")
    assert answer.body.count(b"\n") == 101


def test_streaming_runaway_stops_at_the_deadline_without_lingering():
    store = big_store()
    with pytest.raises(QueryTimeout) as err:
        store.execute("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }", "text/tab-separated-values", timeout=0.3,
                      max_bytes=None)
    assert not err.value.still_running  # the serialiser was stopped at its next write


def test_computing_runaway_reports_it_is_still_running():
    store = big_store(3000)  # 9 million pairs to count: about a second, then the thread ends by itself
    with pytest.raises(QueryTimeout) as err:
        store.execute("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }",
                      "application/sparql-results+json", timeout=0.1)
    assert err.value.still_running
    assert running_away() == 1


def test_streaming_runaway_in_the_callers_thread_stops_itself_at_the_deadline():
    stuck = []
    with pytest.raises(QueryTimeout) as err:
        big_store().execute("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }", "text/tab-separated-values", timeout=0.3,
                            max_bytes=None, on_stuck=stuck.append)
    assert not err.value.still_running
    assert stuck == []  # the serialiser noticed the deadline itself: nobody had to answer for it


def test_computing_runaway_in_the_callers_thread_is_reported_to_on_stuck_from_another_thread():
    store = big_store(3000)  # about a second of counting before the first byte
    reported: list[tuple[QueryTimeout, str, float]] = []
    outcome: dict = {}
    started = time.monotonic()

    def on_stuck(exc: QueryTimeout) -> None:
        reported.append((exc, threading.current_thread().name, time.monotonic() - started))

    def caller() -> None:
        try:
            store.execute("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f }",
                          "application/sparql-results+json", timeout=0.1, on_stuck=on_stuck)
        except QueryTimeout as exc:
            outcome["raised"] = exc

    thread = threading.Thread(target=caller, name="request")
    thread.start()
    deadline = time.monotonic() + 5
    while not reported and time.monotonic() < deadline:
        time.sleep(0.01)
    assert reported, "on_stuck was not called"
    exc, reporter, after = reported[0]
    assert exc.still_running and "time limit of 0.1 s" in str(exc)
    assert reporter == "kg-query-watchdog"
    assert after < 0.6  # the deadline plus the watchdog's grace, not the query's whole second
    assert thread.name == "kg-query-runaway" and running_away() >= 1
    thread.join(30)
    assert isinstance(outcome.get("raised"), QueryTimeout)  # when the engine returns, no answer is made
    assert len(reported) == 1


def test_result_size_limit():
    with pytest.raises(ResultTooLarge, match="limit of 10000 bytes"):
        big_store().execute("SELECT * WHERE { ?s ?p ?o }", "application/sparql-results+json",
                            max_bytes=10_000)


# ----------------------------------------------------------------------------------------------- rendering


def test_render_results_in_every_format():
    store = load_files([TRIG])
    table = render_results(store.query(LETTERS), "table")
    assert table.splitlines()[0] == "l"
    assert "https://kg.example.org/id/letter/bl1996-009/text" in table and table.endswith("(3 rows)\n")
    assert json.loads(render_results(store.query(LETTERS), "json"))["head"]["vars"] == ["l"]
    assert render_results(store.query(LETTERS), "csv").startswith("l\r\n")
    assert render_results(store.query(LETTERS), "tsv").startswith("?l\n<https://")
    assert render_results(store.query("ASK { ?s ?p ?o }"), "table") == "true\n"
    label = "SELECT ?n WHERE { <https://kg.example.org/id/person/lenin> ?p ?n FILTER(LANG(?n) = 'ru') }"
    assert "Владимир Ленин@ru" in render_results(store.query(label), "table")
    graph = render_results(store.query("DESCRIBE <https://kg.example.org/id/person/lenin>"), "table")
    assert len(list(ox.parse(graph.encode(), ox.RdfFormat.TURTLE))) == 3


# ----------------------------------------------------------------------------------------------- remote


def test_push_and_remote_query_against_a_real_oxigraph_server(oxigraph_server):
    quads = list(ox.parse(path=str(TRIG)))
    with oxigraph_server() as base:
        sent = push(base + "/store", quads)
        assert set(sent) == {"https://kg.example.org/graph/authorities",
                             "https://kg.example.org/graph/source/bl1996-p1",
                             "https://kg.example.org/graph/source/bl1996-p2"}
        push(base + "/store", quads)  # PUT replaces: pushing twice does not duplicate
        remote = RemoteStore(base + "/query")
        local = load_files([TRIG])
        assert [r["l"].value for r in remote.query(LETTERS)] == [r["l"].value for r in local.query(LETTERS)]
        assert remote.named_graphs() == load_files([TRIG]).named_graphs()
        count = remote.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        assert int(next(iter(count))["n"].value) == len(quads)
        with pytest.raises(QueryError):
            remote.query("SELECT ?s WHERE { ?s ?p }")


def test_unreachable_remote_store_is_a_store_error():
    from tests.conftest import free_port

    with pytest.raises(StoreError, match="unreachable"):
        RemoteStore(f"http://127.0.0.1:{free_port()}/query").query("ASK {}")
    with pytest.raises(StoreError, match="--store"):
        RemoteStore("file:///etc/passwd")
