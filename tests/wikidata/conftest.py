"""Real servers for the linking tests: an Oxigraph SPARQL server loaded with a Wikidata-shaped fixture, and a
small HTTP front on 127.0.0.1 that counts requests and can misbehave (429 with Retry-After, or hang)."""

from __future__ import annotations

import shutil
import socket
import subprocess
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).parent / "fixtures" / "wikidata-mini.ttl"
OXIGRAPH = ROOT / ".venv" / "bin" / "oxigraph"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="session")
def oxigraph_url(tmp_path_factory) -> str:
    """The query URL of an Oxigraph server holding the fixture; stopped at the end of the session."""
    binary = str(OXIGRAPH) if OXIGRAPH.exists() else shutil.which("oxigraph")
    if not binary:
        pytest.skip("the oxigraph CLI (PyPI package 'oxigraph') is not installed")
    location = tmp_path_factory.mktemp("oxigraph")
    subprocess.run([binary, "load", "--location", str(location), "--file", str(FIXTURE)], check=True,
                   capture_output=True)
    port = free_port()
    process = subprocess.Popen([binary, "serve", "--location", str(location), "--bind", f"127.0.0.1:{port}"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/query"
    deadline = time.monotonic() + 20
    while True:
        try:
            urllib.request.urlopen(f"{url}?query=ASK%7B%7D", timeout=1).read()
            break
        except OSError:
            if time.monotonic() > deadline or process.poll() is not None:
                process.kill()
                raise RuntimeError("the Oxigraph server did not start") from None
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(timeout=10)


class Front:
    """An HTTP front for the SPARQL server. ``script`` is consumed one entry per request:

    ``"ok"`` forwards, ``("429", seconds)`` answers 429 with ``Retry-After``, ``("hang", seconds)`` sleeps
    without answering; when the script is exhausted, ``default`` applies.
    """

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.script: list = []
        self.default: object = "ok"
        self.requests: list[tuple[float, str]] = []
        self.user_agents: list[str] = []
        front = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output quiet
                pass

            def do_POST(self) -> None:  # noqa: N802 - the http.server API
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                front.requests.append((time.monotonic(), body.decode("utf-8", "replace")))
                front.user_agents.append(self.headers.get("User-Agent", ""))
                action = front.script.pop(0) if front.script else front.default
                if isinstance(action, tuple) and action[0] == "429":
                    self.send_response(429)
                    self.send_header("Retry-After", str(action[1]))
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if isinstance(action, tuple) and action[0] == "hang":
                    time.sleep(action[1])
                    return
                request = urllib.request.Request(front.upstream, data=body, method="POST", headers={
                    "Content-Type": self.headers.get("Content-Type", "application/x-www-form-urlencoded"),
                    "Accept": self.headers.get("Accept", "application/sparql-results+json")})
                with urllib.request.urlopen(request, timeout=10) as answer:
                    payload = answer.read()
                    self.send_response(answer.status)
                    self.send_header("Content-Type", answer.headers.get("Content-Type", "application/json"))
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)

            do_GET = do_POST  # noqa: N815

        self.server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/sparql"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def front(oxigraph_url):
    server = Front(oxigraph_url)
    yield server
    server.close()


PERSONS = """
[stalin]
label = "Joseph Stalin"
label_ru = "Иосиф Виссарионович Сталин"
names = ["Stalin", "J. V. Stalin"]
born = "1878-12-18"
died = "1953-03-05"

[kamenev]
label = "Kamenev"
names = ["Kamenev"]
"""

PLACES = """
[petrograd]
label = "Petrograd"
names = ["Petrograd", "St. Petersburg"]

[ukraine]
label = "Ukraine"
names = ["Ukraine"]

[kyiv]
label = "Kyiv"
names = ["Kyiv", "Kiev"]
part_of = "ukraine"
"""


@pytest.fixture
def project(tmp_path) -> dict[str, Path]:
    """Authorities, mapping folder and cache folder of a small project."""
    authorities = tmp_path / "authorities"
    authorities.mkdir()
    (authorities / "persons.toml").write_text(PERSONS, encoding="utf-8")
    (authorities / "places.toml").write_text(PLACES, encoding="utf-8")
    mappings = tmp_path / "mappings"
    mappings.mkdir()
    return {"authorities": authorities, "mappings": mappings, "cache": tmp_path / "cache",
            "sssom": mappings / "wikidata.sssom.tsv", "enrichment": mappings / "wikidata-enrichment.ttl"}
