"""/dumps and /.well-known/void over real HTTP (gunicorn on a free loopback port), as curl and harvesters use them.

Covers what resuming and revalidating clients rely on (Content-Length, ETag, Last-Modified, 304, Range 206/416)
and that nothing outside the current release's dump files is reachable (``..``, encoded slashes, absolute
paths, symlinks, stray files: all 404).
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import json
import os
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest
import rdflib
import requests
from rdflib import Graph, URIRef

from kg.dumps import DUMP_FORMATS
from kg.network import NETWORK_FORMATS
from kg.publish import publish_release
from kg.rdffiles import read_named_graphs
from server.config import ServerConfig

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "publish" / "letters.trig"
BASE = "https://kg.example.org"
NETWORK_NAMES = [f.filename for f in NETWORK_FORMATS.values()]
DUMP_NAMES = [f.filename for f in DUMP_FORMATS.values()] + NETWORK_NAMES + ["SHA256SUMS"]


def _graphs() -> list[tuple[URIRef, Graph]]:
    return read_named_graphs(FIXTURE)


def _publish(folder: Path) -> Path:
    return publish_release(_graphs(), folder, base_uri=BASE,
                           sources=[{"path": "data/sources/letters.txt", "sha256": "0" * 64, "documents": 3}])


@pytest.fixture(scope="module")
def site(serve_app, tmp_path_factory):
    """The app on a published build; yields (base URL, release folder, manifest)."""
    out = tmp_path_factory.mktemp("build")
    release = _publish(out)
    config = ServerConfig.from_options(build_dir=out)
    with serve_app(config, workers=1, ready_path="/dumps/") as url:
        yield url, release, json.loads((release / "manifest.json").read_text(encoding="utf-8"))


def raw_get(url: str, path: str, headers: dict | None = None) -> http.client.HTTPResponse:
    """A request with the path sent exactly as given (requests and curl would normalise ``..``)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    connection.putrequest("GET", path, skip_accept_encoding=True)
    for name, value in (headers or {}).items():
        connection.putheader(name, value)
    connection.endheaders()
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


# --------------------------------------------------------------------------------------------- listing
def test_listing_in_json_gives_every_file_with_size_date_and_checksum(site):
    url, release, manifest = site
    response = requests.get(f"{url}/dumps/", headers={"Accept": "application/json"}, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert "Accept" in response.headers["Vary"]
    body = response.json()
    assert body["release"] == manifest["release"] == release.name
    assert [f["name"] for f in body["files"]] == DUMP_NAMES
    for entry in body["files"]:
        path = release / "dumps" / entry["name"]
        assert entry["size"] == path.stat().st_size
        assert entry["modified"].endswith("Z") and entry["modified"][:4].isdigit()
        assert entry["url"] == f"{url}/dumps/{entry['name']}"
        if entry["name"] != "SHA256SUMS":
            assert entry["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
    assert body["void"] == f"{url}/.well-known/void"


def test_listing_in_html_links_every_file_with_its_size(site):
    url, release, _ = site
    response = requests.get(f"{url}/dumps/", headers={"Accept": "text/html"}, timeout=10)
    assert response.status_code == 200 and response.headers["Content-Type"].startswith("text/html")
    for name in DUMP_NAMES:
        assert f'href="/dumps/{name}"' in response.text
        assert f'title="{(release / "dumps" / name).stat().st_size} bytes"' in response.text
    assert "/.well-known/void" in response.text
    assert 'href="/statistics/network?format=csv"' in response.text
    assert 'href="/statistics/network"' in response.text
    listing = requests.get(f"{url}/dumps/?format=json", timeout=10).json()
    assert listing["files"] and listing["network"] == f"{url}/statistics/network"


def test_listing_refuses_what_it_cannot_write(site):
    url, _, _ = site
    assert requests.get(f"{url}/dumps/", headers={"Accept": "image/png"}, timeout=10).status_code == 406


# --------------------------------------------------------------------------------------------- downloads
@pytest.mark.parametrize("name", DUMP_NAMES)
def test_download_has_media_type_length_validators_and_exact_bytes(site, name):
    url, release, manifest = site
    response = requests.get(f"{url}/dumps/{name}", timeout=10)
    data = (release / "dumps" / name).read_bytes()
    assert response.status_code == 200
    assert response.content == data
    assert int(response.headers["Content-Length"]) == len(data)
    expected = {d["file"]: d["served_media_type"] for d in manifest["dumps"]}.get(name, "text/plain")
    assert response.headers["Content-Type"].split(";")[0] == expected
    assert "Content-Encoding" not in response.headers  # a .gz is delivered as the gzip file it is
    assert response.headers["Accept-Ranges"] == "bytes"
    assert response.headers["Last-Modified"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "attachment" in response.headers["Content-Disposition"]
    if name != "SHA256SUMS":
        assert response.headers["ETag"] == f'"{hashlib.sha256(data).hexdigest()}"'


def test_if_none_match_revalidates_with_304(site):
    url, _, _ = site
    first = requests.get(f"{url}/dumps/kg.ttl", timeout=10)
    again = requests.get(f"{url}/dumps/kg.ttl", headers={"If-None-Match": first.headers["ETag"]}, timeout=10)
    assert again.status_code == 304 and again.content == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    changed = requests.get(f"{url}/dumps/kg.ttl", headers={"If-None-Match": '"something-else"'}, timeout=10)
    assert changed.status_code == 200 and changed.content == first.content


def test_if_modified_since_revalidates_with_304(site):
    url, _, _ = site
    first = requests.get(f"{url}/dumps/kg.nt.gz", timeout=10)
    again = requests.get(f"{url}/dumps/kg.nt.gz", headers={"If-Modified-Since": first.headers["Last-Modified"]},
                         timeout=10)
    assert again.status_code == 304
    stale = requests.get(f"{url}/dumps/kg.nt.gz", headers={"If-Modified-Since": "Thu, 01 Jan 1970 00:00:00 GMT"},
                         timeout=10)
    assert stale.status_code == 200


def test_range_requests_resume_a_download(site):
    url, release, _ = site
    data = (release / "dumps" / "kg.trig").read_bytes()
    head = requests.get(f"{url}/dumps/kg.trig", headers={"Range": "bytes=0-99"}, timeout=10)
    assert head.status_code == 206
    assert head.headers["Content-Range"] == f"bytes 0-99/{len(data)}"
    assert head.headers["Content-Length"] == "100"
    rest = requests.get(f"{url}/dumps/kg.trig", headers={"Range": "bytes=100-"}, timeout=10)
    assert rest.status_code == 206
    assert head.content + rest.content == data
    tail = requests.get(f"{url}/dumps/kg.trig", headers={"Range": "bytes=-10"}, timeout=10)
    assert tail.status_code == 206 and tail.content == data[-10:]
    # If-Range with the current ETag resumes; with an old one the whole new file comes back.
    etag = head.headers["ETag"]
    resumed = requests.get(f"{url}/dumps/kg.trig", headers={"Range": "bytes=100-", "If-Range": etag}, timeout=10)
    assert resumed.status_code == 206
    restarted = requests.get(f"{url}/dumps/kg.trig", headers={"Range": "bytes=100-", "If-Range": '"old"'},
                             timeout=10)
    assert restarted.status_code == 200 and restarted.content == data


def test_range_past_the_end_is_416(site):
    url, release, _ = site
    size = (release / "dumps" / "kg.ttl").stat().st_size
    response = requests.get(f"{url}/dumps/kg.ttl", headers={"Range": f"bytes={size}-"}, timeout=10)
    assert response.status_code == 416
    assert response.headers["Content-Range"] == f"bytes */{size}"


def test_head_gives_the_length_without_the_body(site):
    url, release, _ = site
    response = requests.head(f"{url}/dumps/kg.jsonld", timeout=10)
    assert response.status_code == 200 and response.content == b""
    assert int(response.headers["Content-Length"]) == (release / "dumps" / "kg.jsonld").stat().st_size


@pytest.mark.parametrize("path", [
    "/dumps/../manifest.json",
    "/dumps/..%2Fmanifest.json",
    "/dumps/%2e%2e/manifest.json",
    "/dumps/%2e%2e%2fmanifest.json",
    "/dumps/..%2f..%2f..%2fetc%2fpasswd",
    "/dumps/%2Fetc%2Fpasswd",
    "/dumps//etc/passwd",
    "/dumps/%2F%2Fetc%2Fpasswd",
    "/dumps/kg.ttl/",
    "/dumps/kg.ttl/..",
    "/dumps/./kg.ttl",
    "/dumps/KG.TTL",
    "/dumps/kg.ttl%00",
    "/dumps/dataset.nq",
    "/dumps/manifest.json",
    "/dumps/void.ttl",
    "/dumps/nope.ttl",
])
def test_nothing_outside_the_dump_files_is_reachable(site, path):
    url, _, _ = site
    response = raw_get(url, path)
    assert response.status == 404, f"{path}: {response.status}"


def _curl(*args: str) -> subprocess.CompletedProcess:
    exe = shutil.which("curl")
    if exe is None:
        pytest.skip("curl is not installed")
    return subprocess.run([exe, "--silent", "--show-error", *args], capture_output=True, timeout=30)


def test_curl_resumes_a_partial_download_and_revalidates(site, tmp_path):
    url, release, manifest = site
    data = (release / "dumps" / "kg.nq.gz").read_bytes()
    partial = tmp_path / "kg.nq.gz"
    assert _curl("-r", "0-199", "-o", str(partial), f"{url}/dumps/kg.nq.gz").returncode == 0
    assert partial.read_bytes() == data[:200]
    # `curl -C -` asks for the rest from the size of what it has.
    assert _curl("-C", "-", "-o", str(partial), f"{url}/dumps/kg.nq.gz").returncode == 0
    assert partial.read_bytes() == data
    etag = next(d["sha256"] for d in manifest["dumps"] if d["file"] == "kg.nq.gz")
    status = _curl("-o", "/dev/null", "-w", "%{http_code}", "-H", f'If-None-Match: "{etag}"',
                   f"{url}/dumps/kg.nq.gz")
    assert status.stdout == b"304"
    status = _curl("-o", "/dev/null", "-w", "%{http_code}", "--path-as-is", f"{url}/dumps/../manifest.json")
    assert status.stdout == b"404"


# --------------------------------------------------------------------------------------------- symlinks
@pytest.fixture(scope="module")
def tampered(serve_app, tmp_path_factory):
    """A release whose dumps folder was tampered with after publication: links and a stray file."""
    out = tmp_path_factory.mktemp("tampered")
    release = _publish(out)
    dumps = release / "dumps"
    secret = out / "secret.txt"
    secret.write_text("not for download\n")
    (dumps / "kg.ttl").unlink()
    os.symlink(secret, dumps / "kg.ttl")  # a listed name that is now a symlink
    os.symlink("../manifest.json", dumps / "link.json")
    (dumps / "stray.txt").write_text("dropped in by hand\n")
    hard_target = out / "hard-target"
    hard_target.write_text("x")
    config = ServerConfig.from_options(build_dir=out)
    with serve_app(config, workers=1, ready_path="/dumps/") as url:
        yield url, release


@pytest.mark.parametrize("path", ["/dumps/kg.ttl", "/dumps/link.json", "/dumps/stray.txt"])
def test_symlinks_and_unlisted_files_in_the_dumps_folder_are_404(tampered, path):
    url, _ = tampered
    assert raw_get(url, path).status == 404


def test_listing_leaves_out_what_cannot_be_downloaded(tampered):
    url, _ = tampered
    names = [f["name"] for f in requests.get(f"{url}/dumps/?format=json", timeout=10).json()["files"]]
    assert "kg.ttl" not in names and "link.json" not in names and "stray.txt" not in names
    assert "kg.nt.gz" in names


def test_a_symlinked_dumps_folder_is_refused(serve_app, tmp_path):
    release = _publish(tmp_path / "build")
    shutil.move(release / "dumps", tmp_path / "elsewhere")
    os.symlink(tmp_path / "elsewhere", release / "dumps")
    config = ServerConfig.from_options(build_dir=tmp_path / "build")
    with serve_app(config, workers=1, ready_path="/dumps/") as url:
        assert raw_get(url, "/dumps/kg.nt.gz").status == 404


# --------------------------------------------------------------------------------------------- round trip
def _served_triple_count(url: str) -> int:
    """The number of distinct triples the endpoint serves in its default graph (the union of the graphs).

    DISTINCT because Oxigraph's union default graph yields a triple once per named graph that holds it.
    """
    query = "SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }"
    response = requests.get(f"{url}/sparql", params={"query": query},
                            headers={"Accept": "application/sparql-results+json"}, timeout=30)
    assert response.status_code == 200, response.text
    return int(response.json()["results"]["bindings"][0]["n"]["value"])


@pytest.mark.parametrize("name", [f.filename for f in DUMP_FORMATS.values()])
def test_each_downloaded_dump_loads_with_the_served_triple_count(site, name):
    url, _, _ = site
    served = _served_triple_count(url)
    fmt = next(f for f in DUMP_FORMATS.values() if f.filename == name)
    data = requests.get(f"{url}/dumps/{name}", timeout=30).content
    if fmt.gzipped:
        data = gzip.decompress(data)
    store = ox.Store()
    store.load(data, format=fmt.rdf_format)
    if fmt.named_graphs:
        count = store.query("SELECT (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?p ?o { GRAPH ?g { ?s ?p ?o } } }")
        assert int(next(iter(count))["n"].value) == served
        dataset = rdflib.Dataset()
        dataset.parse(data=data, format={"trig": "trig", "nq": "nquads"}[fmt.key])
        assert len({(s, p, o) for s, p, o, _ in dataset.quads((None, None, None, None))}) == served
    else:
        assert len(store) == served
        graph = Graph().parse(data=data, format={"ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}[fmt.key])
        assert len(graph) == served


# --------------------------------------------------------------------------------------------- VoID
def test_void_is_served_as_turtle_with_validators(site):
    url, release, manifest = site
    response = requests.get(f"{url}/.well-known/void", timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == "text/turtle"
    assert response.content == (release / "void.ttl").read_bytes()
    assert response.headers["ETag"] == f'"{manifest["files"]["void.ttl"]["sha256"]}"'
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    again = requests.get(f"{url}/.well-known/void", headers={"If-None-Match": response.headers["ETag"]},
                         timeout=10)
    assert again.status_code == 304
    graph = Graph().parse(data=response.content, format="turtle")
    dataset = URIRef(f"{BASE}/.well-known/void#dataset")
    assert int(graph.value(dataset, URIRef("http://rdfs.org/ns/void#triples"))) == _served_triple_count(url)


@pytest.mark.parametrize(("accept", "fmt"), [("application/ld+json", "json-ld"),
                                              ("application/n-triples", "nt"),
                                              ("application/rdf+xml", "xml")])
def test_void_is_negotiated_into_other_syntaxes(site, accept, fmt):
    url, release, _ = site
    response = requests.get(f"{url}/.well-known/void", headers={"Accept": accept}, timeout=10)
    assert response.status_code == 200
    assert response.headers["Content-Type"].split(";")[0] == accept
    assert "Accept" in response.headers["Vary"]
    graph = Graph().parse(data=response.content, format=fmt)
    assert len(graph) == len(Graph().parse(release / "void.ttl", format="turtle"))
    again = requests.get(f"{url}/.well-known/void", headers={"Accept": accept,
                                                              "If-None-Match": response.headers["ETag"]},
                         timeout=10)
    assert again.status_code == 304


def test_void_refuses_unwritable_types_with_406(site):
    url, _, _ = site
    assert requests.get(f"{url}/.well-known/void", headers={"Accept": "image/png"}, timeout=10).status_code == 406


def test_void_is_also_in_the_dataset_as_its_own_graph(site):
    url, _, _ = site
    query = (f"ASK {{ GRAPH <{BASE}/graph/void> {{ <{BASE}/.well-known/void#dataset> "
             "<http://rdfs.org/ns/void#sparqlEndpoint> ?e } }")
    response = requests.get(f"{url}/sparql", params={"query": query},
                            headers={"Accept": "application/sparql-results+json"}, timeout=10)
    assert response.status_code == 200, (response.status_code, response.headers, response.text[:500])
    assert response.json()["boolean"] is True


# ------------------------------------------------------------------------------------ /statistics/network
NETWORK = "/statistics/network"


def _network_bytes(release: Path, key: str) -> bytes:
    return (release / "dumps" / NETWORK_FORMATS[key].filename).read_bytes()


@pytest.mark.parametrize(("headers", "query", "key"), [
    ({}, "", "json"),
    ({"Accept": "*/*"}, "", "json"),
    ({"Accept": "application/json"}, "", "json"),
    ({"Accept": "text/csv"}, "", "csv"),
    ({"Accept": "text/csv;q=0.9, application/json;q=0.5"}, "", "csv"),
    ({"Accept": "text/*"}, "", "csv"),
    ({"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}, "", "json"),  # a browser
    ({}, "?format=csv", "csv"),
    ({}, "?format=json", "json"),
    ({"Accept": "application/json"}, "?format=csv", "csv"),  # the parameter wins, as everywhere
])
def test_network_is_negotiated_and_sent_as_the_release_wrote_it(site, headers, query, key):
    url, release, manifest = site
    response = requests.get(f"{url}{NETWORK}{query}", headers=headers, timeout=10)
    assert response.status_code == 200, response.text
    data = _network_bytes(release, key)
    assert response.content == data
    assert response.headers["Content-Type"].split(";")[0] == NETWORK_FORMATS[key].media_type
    assert int(response.headers["Content-Length"]) == len(data)
    digest = next(d["sha256"] for d in manifest["dumps"] if d["file"] == NETWORK_FORMATS[key].filename)
    assert response.headers["ETag"] == f'"{digest}"' == f'"{hashlib.sha256(data).hexdigest()}"'
    assert response.headers["Last-Modified"]
    assert "Accept" in response.headers["Vary"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Content-Disposition"] == f"inline; filename=correspondent-network.{key}"


def test_network_content_is_the_letter_of_the_fixture(site):
    url, _, _ = site
    document = requests.get(f"{url}{NETWORK}", timeout=10).json()
    assert [(link["source_label"], link["target_label"], link["letters"]) for link in document["links"]] == [
        ("Joseph Stalin", "Vladimir Lenin", 1)]
    rows = requests.get(f"{url}{NETWORK}?format=csv", timeout=10).text.splitlines()
    assert rows[0] == "source,source_label,target,target_label,letters,first_date,last_date"
    assert rows[1].startswith(f"{BASE}/id/person/stalin,Joseph Stalin,{BASE}/id/person/lenin,Vladimir Lenin,1,")


@pytest.mark.parametrize(("headers", "query"), [({"Accept": "image/png"}, ""),
                                                ({"Accept": "application/sparql-results+json"}, ""),
                                                ({}, "?format=xml")])
def test_network_refuses_what_it_cannot_send_with_406(site, headers, query):
    url, _, _ = site
    response = requests.get(f"{url}{NETWORK}{query}", headers=headers, timeout=10)
    assert response.status_code == 406
    assert "application/json" in response.text and "text/csv" in response.text
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("key", ["json", "csv"])
def test_network_revalidates_with_304(site, key):
    url, _, _ = site
    first = requests.get(f"{url}{NETWORK}?format={key}", timeout=10)
    again = requests.get(f"{url}{NETWORK}?format={key}", headers={"If-None-Match": first.headers["ETag"]},
                         timeout=10)
    assert again.status_code == 304 and again.content == b""
    assert again.headers["Access-Control-Allow-Origin"] == "*"
    since = requests.get(f"{url}{NETWORK}?format={key}", headers={"If-Modified-Since": first.headers["Last-Modified"]},
                         timeout=10)
    assert since.status_code == 304
    other = "csv" if key == "json" else "json"
    crossed = requests.get(f"{url}{NETWORK}?format={other}", headers={"If-None-Match": first.headers["ETag"]},
                           timeout=10)
    assert crossed.status_code == 200  # one representation's validator does not stand for the other's


def test_network_preflight_lets_any_origin_read_it(site):
    url, _, _ = site
    response = requests.options(f"{url}{NETWORK}", headers={"Origin": "https://observablehq.com",
                                                            "Access-Control-Request-Method": "GET"}, timeout=10)
    assert response.status_code in (200, 204)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in response.headers["Access-Control-Allow-Methods"]


def test_a_release_without_network_files_says_so_with_404(serve_app, tmp_path):
    """A release built before the network files existed: its manifest does not list them."""
    release = _publish(tmp_path / "build")
    manifest_path = release / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    manifest["dumps"] = [d for d in manifest["dumps"] if d["file"] not in NETWORK_NAMES]
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    for name in NETWORK_NAMES:
        (release / "dumps" / name).unlink()
    config = ServerConfig.from_options(build_dir=tmp_path / "build")
    with serve_app(config, workers=1, ready_path="/dumps/") as url:
        for query in ("", "?format=csv"):
            response = requests.get(f"{url}{NETWORK}{query}", timeout=10)
            assert response.status_code == 404
            assert "no precomputed correspondent network" in response.text and "kg build" in response.text
            assert f"{BASE}/graph/statistics" in response.text
        page = requests.get(f"{url}/dumps/", timeout=10).text
        assert "/statistics/network" not in page
        assert requests.get(f"{url}/dumps/?format=json", timeout=10).json()["network"] is None
