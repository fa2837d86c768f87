"""The whole chain as a user runs it: `kg build` then `kg serve` (real gunicorn), asked over HTTP.

These tests run the installed ``kg`` command in subprocesses, exactly as the README tells a historian to, so
they protect the two README commands rather than any one module.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import requests
from rdflib import Graph, URIRef
from SPARQLWrapper import JSON, SPARQLWrapper

from tests.conftest import free_port, wait_for_http

ROOT = Path(__file__).resolve().parent.parent
KG = [sys.executable, "-m", "kg.cli"]
BASE = "https://kg.example.org"

WHO_WROTE_NO_9 = """
PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>
PREFIX kgo: <https://kg.example.org/ontology#>
PREFIX kgt: <https://kg.example.org/ontology/types#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
SELECT ?sender ?recipient ?asPrinted ?calendar ?written ?begin ?end WHERE {
  ?number crm:P2_has_type kgt:document-number ; crm:P190_has_symbolic_content "9" .
  ?text crm:P1_is_identified_by ?number .
  ?sending crm:P16_used_specific_object ?text ;
           crm:P14_carried_out_by/rdfs:label ?sender ;
           kgo:hadAddressee/rdfs:label ?recipient ;
           crm:P4_has_time-span ?span .
  ?span crm:P82a_begin_of_the_begin ?begin ; crm:P82b_end_of_the_end ?end ;
        kgo:calendar/rdfs:label ?calendar ; kgo:dateInCalendar ?written ;
        crm:P1_is_identified_by [ crm:P2_has_type kgt:date-as-printed ; crm:P190_has_symbolic_content ?asPrinted ] .
  FILTER(lang(?sender) = "en" && lang(?recipient) = "en" && lang(?calendar) = "en")
}
"""


def run_kg(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*KG, *args], cwd=cwd, capture_output=True, text=True, timeout=300,
                          env={**os.environ, "KG_HOME": str(cwd)})


@contextmanager
def kg_serve(build_dir: Path) -> Iterator[str]:
    port = free_port()
    process = subprocess.Popen([*KG, "serve", "--build", str(build_dir), "--port", str(port), "--workers", "2"],
                               cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_http(f"{base}/sparql", alive=lambda: process.poll() is None)
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)


@pytest.fixture(scope="module")
def project_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A private copy of the bundled data, so that tests may add a broken page without touching the repository."""
    root = tmp_path_factory.mktemp("project")
    shutil.copytree(ROOT / "data", root / "data")
    return root


@pytest.fixture(scope="module")
def built(project_copy: Path) -> Path:
    out = project_copy / "build"
    result = run_kg("build", "--out", str(out), "--quiet", cwd=project_copy)
    assert result.returncode == 0, result.stderr
    return out


@pytest.fixture(scope="module")
def server(built: Path) -> Iterator[str]:
    with kg_serve(built) as base:
        yield base


def test_sparqlwrapper_learns_who_wrote_letter_9_to_whom_and_when(server: str) -> None:
    client = SPARQLWrapper(f"{server}/sparql")
    client.setQuery(WHO_WROTE_NO_9)
    client.setReturnFormat(JSON)
    rows = client.queryAndConvert()["results"]["bindings"]
    assert len(rows) == 1
    row = {name: term["value"] for name, term in rows[0].items()}
    assert row["sender"] == "Joseph Stalin"
    assert row["recipient"] == "Vladimir Lenin"
    assert row["asPrinted"] == "December 27 [1917]"
    assert "Julian" in row["calendar"]
    assert row["written"] == "1917-12-27"
    assert row["begin"].startswith("1918-01-09") and row["end"].startswith("1918-01-09")


def test_letter_uri_dereferences_to_turtle_that_rdflib_parses(server: str) -> None:
    answer = requests.get(f"{server}/id/letter/bl1996-009", headers={"Accept": "text/turtle"}, timeout=10,
                          allow_redirects=False)
    assert answer.status_code == 303
    document = requests.get(server + answer.headers["Location"], headers={"Accept": "text/turtle"}, timeout=10)
    assert document.status_code == 200
    assert document.headers["Content-Type"].startswith("text/turtle")
    graph = Graph().parse(data=document.text, format="turtle")
    letter = URIRef(f"{BASE}/id/letter/bl1996-009")
    assert (letter, None, None) in graph
    assert URIRef("http://www.cidoc-crm.org/cidoc-crm/E22_Human-Made_Object") in set(graph.objects(letter, None))


def test_kg_query_answers_from_the_build(built: Path, project_copy: Path) -> None:
    result = run_kg("query", WHO_WROTE_NO_9, "--build", str(built), "--format", "csv", cwd=project_copy)
    assert result.returncode == 0, result.stderr
    assert "Joseph Stalin" in result.stdout and "December 27 [1917]" in result.stdout


def test_unparsable_page_stops_the_build_and_the_previous_build_stays_served(
        built: Path, server: str, project_copy: Path) -> None:
    current_before = os.readlink(built / "current")
    dataset_before = (built / "current" / "dataset.nq").read_bytes()
    broken = project_copy / "data" / "sources" / "broken-page.txt"
    broken.write_bytes(b"Marx-Engels | Lenin | Stalin | Home Page\nNo. 10\n" + b"\xff\xfe not text\n")
    try:
        result = run_kg("build", "--out", str(built), "--quiet", cwd=project_copy)
    finally:
        broken.unlink()
    assert result.returncode != 0
    assert "broken-page.txt" in result.stderr
    assert ":3" in result.stderr or "line 3" in result.stderr  # the line with the undecodable bytes
    assert "previous build" in result.stderr
    assert os.readlink(built / "current") == current_before
    assert (built / "current" / "dataset.nq").read_bytes() == dataset_before
    assert not any(p.name.startswith(".tmp") for p in (built / "releases").iterdir())
    still = requests.get(f"{server}/sparql", params={"query": "ASK { ?s ?p ?o }"},
                         headers={"Accept": "application/sparql-results+json"}, timeout=10)
    assert still.status_code == 200 and still.json()["boolean"] is True
