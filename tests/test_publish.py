"""kg.publish: a release is complete before it is current, reproducible; a failed build changes nothing."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from kg.publish import (
    PEAK_DISK_PER_RELEASE,
    PublishError,
    current_release,
    disk_room,
    publish_release,
    rollback,
)
from kg.rdffiles import read_named_graphs

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "publish" / "letters.trig"
BASE = "https://kg.example.org"
SOURCES = [
    {"path": str(ROOT / "data/sources/bl1996-no009-stalin-to-lenin-1917-12-27.txt"), "sha256": "a" * 64,
     "documents": 1},
    {"path": str(ROOT / "data/sources/bl1996-no010.txt"), "sha256": "b" * 64, "documents": 1},
    {"path": str(ROOT / "data/sources/bl1996-no001.txt"), "sha256": "c" * 64, "documents": 1},
]


def fixture_graphs() -> list[tuple[URIRef, Graph]]:
    return read_named_graphs(FIXTURE)


def publish(out: Path, graphs=None, **kwargs) -> Path:
    return publish_release(fixture_graphs() if graphs is None else graphs, out, base_uri=BASE,
                           sources=kwargs.pop("sources", SOURCES), **kwargs)


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def other_graphs(marker: str) -> list[tuple[URIRef, Graph]]:
    graphs = fixture_graphs()
    extra = Graph()
    extra.add((URIRef(f"{BASE}/id/letter/bl1996-{marker}"), URIRef("http://www.w3.org/2000/01/rdf-schema#label"),
               Literal(marker)))
    return [*graphs, (URIRef(f"{BASE}/graph/source/extra-{marker}"), extra)]


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> Path:
    return publish(tmp_path_factory.mktemp("build"))


def test_the_room_a_build_needs_is_measured_by_the_last_release(build, tmp_path, monkeypatch):
    """Before the first build there is nothing to go by; after it, the release's every file (the dumps included)
    times the peak factor, beside what the disk of the build folder has free."""
    assert disk_room(tmp_path / "never-built") is None
    out = build.parent.parent
    size = sum(len(data) for data in tree(build).values())
    real = shutil.disk_usage
    monkeypatch.setattr(shutil, "disk_usage", lambda path: real(path)._replace(free=10))
    assert disk_room(out) == (int(size * PEAK_DISK_PER_RELEASE), 10)
    assert size > 100_000  # the dumps count, not only dataset.nq


def test_current_points_at_a_complete_release(build):
    out = build.parent.parent
    current = out / "current"
    assert current.is_symlink() and os.readlink(current) == f"releases/{build.name}"
    assert current_release(out) == build
    assert sorted(tree(build)) == ["dataset.nq", "dumps/SHA256SUMS", "dumps/kg.jsonld", "dumps/kg.nq.gz",
                                   "dumps/kg.nt.gz", "dumps/kg.trig", "dumps/kg.ttl", "dumps/network.csv",
                                   "dumps/network.json", "manifest.json", "search.sqlite", "void.ttl"]
    assert not [p for p in (out / "releases").iterdir() if p.name.startswith(".tmp-")]


def test_manifest_records_counts_sources_graphs_and_files(build):
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["release"] == build.name
    assert manifest["base_uri"] == BASE
    counts = manifest["counts"]
    assert counts["letters"] == 3 and counts["source_documents"] == 3 and counts["wikidata_links"] == 2
    lines = (build / "dataset.nq").read_bytes().splitlines()
    assert counts["quads"] == len(lines)
    assert counts["triples"] == len(gzip.decompress((build / "dumps/kg.nt.gz").read_bytes()).splitlines())
    # Source paths do not depend on where the checkout lives.
    assert [s["path"] for s in manifest["sources"]] == sorted(Path(s["path"]).name for s in SOURCES)
    assert {s["sha256"] for s in manifest["sources"]} == {"a" * 64, "b" * 64, "c" * 64}
    names = [g["name"] for g in manifest["graphs"]]
    assert f"{BASE}/graph/void" in names and f"{BASE}/graph/shapes" in names
    assert f"{BASE}/graph/source/bl1996-no009-stalin-to-lenin-1917-12-27" in names
    for dump in manifest["dumps"]:
        data = (build / "dumps" / dump["file"]).read_bytes()
        assert dump["size"] == len(data) and dump["sha256"] == hashlib.sha256(data).hexdigest()
    for name, facts in manifest["files"].items():
        assert facts["sha256"] == hashlib.sha256((build / name).read_bytes()).hexdigest()


def test_the_network_files_are_listed_like_the_dumps_in_manifest_and_sha256sums(build):
    manifest = json.loads((build / "manifest.json").read_text(encoding="utf-8"))
    entries = {d["file"]: d for d in manifest["dumps"]}
    assert [d["file"] for d in manifest["dumps"]][-2:] == ["network.json", "network.csv"]
    assert entries["network.csv"]["served_media_type"] == "text/csv"
    assert entries["network.json"]["served_media_type"] == "application/json"
    sums = {}
    for line in (build / "dumps/SHA256SUMS").read_text(encoding="ascii").splitlines():
        digest, name = line.split("  ")
        sums[name] = digest
    assert list(sums) == sorted(sums)  # `sha256sum -c` order: by name
    assert set(sums) == set(entries)  # every dump and network file, nothing else
    for name, digest in sums.items():
        data = (build / "dumps" / name).read_bytes()
        assert digest == entries[name]["sha256"] == hashlib.sha256(data).hexdigest()
        assert entries[name]["size"] == len(data)
    if shutil.which("sha256sum"):  # what the downloads page tells a reader to run
        checked = subprocess.run(["sha256sum", "--check", "--strict", "SHA256SUMS"], cwd=build / "dumps",
                                 capture_output=True, text=True)
        assert checked.returncode == 0 and "network.csv: OK" in checked.stdout, checked.stdout + checked.stderr


def test_dataset_nq_is_sorted_and_loads_into_the_store_the_server_uses(build):
    from kg.store import open_release_store

    data = (build / "dataset.nq").read_bytes()
    lines = data.splitlines(keepends=True)
    assert lines == sorted(set(lines))
    store = ox.Store()
    store.load(data, format=ox.RdfFormat.N_QUADS)
    assert len(store) == len(lines)
    served = open_release_store(build)
    assert served is not None


def test_two_builds_into_two_folders_are_byte_identical(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1714521600")
    first = publish(tmp_path / "one")
    second = publish(tmp_path / "two")
    assert first.name == second.name
    assert tree(first) == tree(second)
    assert {"dumps/network.csv", "dumps/network.json"} <= set(tree(first))
    assert "2024-05-01" in (first / "void.ttl").read_text(encoding="utf-8")


def test_builds_without_source_date_epoch_carry_no_date_and_are_identical(tmp_path, monkeypatch):
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    first = publish(tmp_path / "one")
    time.sleep(1.1)  # a wall-clock date would now differ
    second = publish(tmp_path / "two")
    assert tree(first) == tree(second)
    void = Graph().parse(first / "void.ttl", format="turtle")
    dataset = URIRef(f"{BASE}/.well-known/void#dataset")
    assert void.value(dataset, DCTERMS.issued) is None and void.value(dataset, DCTERMS.modified) is None


def test_republishing_identical_content_only_repoints_current(tmp_path):
    first = publish(tmp_path)
    again = publish(tmp_path)
    assert first == again
    assert [p.name for p in (tmp_path / "releases").iterdir() if not p.name.startswith(".")] == [first.name]


def test_previous_release_is_kept_for_rollback_and_older_ones_pruned(tmp_path):
    first = publish(tmp_path, other_graphs("901"))
    second = publish(tmp_path, other_graphs("902"))
    third = publish(tmp_path, other_graphs("903"))
    kept = sorted(p.name for p in (tmp_path / "releases").iterdir() if not p.name.startswith("."))
    assert kept == sorted([second.name, third.name])
    assert not first.exists()
    assert rollback(tmp_path) == second
    assert current_release(tmp_path) == second


def test_failed_build_leaves_current_untouched_and_no_temporary_folder(tmp_path):
    good = publish(tmp_path)
    before = tree(tmp_path / "current")

    def failing():
        yield from fixture_graphs()[:2]
        raise RuntimeError("mapping crashed half-way")

    with pytest.raises(RuntimeError, match="half-way"):
        publish(tmp_path, failing())
    assert current_release(tmp_path) == good and tree(tmp_path / "current") == before
    assert [p.name for p in (tmp_path / "releases").iterdir()] == [good.name]


def test_a_failure_after_the_text_index_started_stops_it_and_publishes_nothing(tmp_path, monkeypatch):
    """The full-text index is built in a process of its own from the moment the graphs are sorted; a publish
    that fails later must not leave it running, nor a release behind."""
    import multiprocessing

    import kg.publish

    good = publish(tmp_path)

    def failing_write(*_args, **_kwargs):
        assert [p.name for p in multiprocessing.active_children()] == ["kg-text-index"]
        raise OSError("disk full")

    monkeypatch.setattr(kg.publish, "_start_dataset_copy", failing_write)
    with pytest.raises(OSError, match="disk full"):
        publish(tmp_path, other_graphs("text-index"))
    assert multiprocessing.active_children() == []
    assert current_release(tmp_path) == good
    assert [p.name for p in (tmp_path / "releases").iterdir()] == [good.name]


def test_killed_build_leaves_current_untouched_and_its_folder_is_cleaned_next_time(tmp_path):
    good = publish(tmp_path)
    script = (
        "import sys, time\nsys.path.insert(0, sys.argv[2])\n"
        "from pathlib import Path\nfrom kg.publish import publish_release\n"
        "from tests.test_publish import fixture_graphs, SOURCES, BASE\n"
        "def slow():\n"
        "    yield from fixture_graphs()\n"
        "    time.sleep(60)\n"
        "publish_release(slow(), Path(sys.argv[1]), base_uri=BASE, sources=SOURCES)"
    )
    child = subprocess.Popen([sys.executable, "-c", script, str(tmp_path), str(ROOT)], cwd=ROOT)
    try:
        deadline = time.monotonic() + 60
        while not list((tmp_path / "releases").glob(f".tmp-{child.pid}-*")):
            assert child.poll() is None and time.monotonic() < deadline, "the build never started"
            time.sleep(0.05)
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait(10)
    assert current_release(tmp_path) == good
    assert list((tmp_path / "releases").glob(f".tmp-{child.pid}-*"))  # SIGKILL: nobody could clean up
    publish(tmp_path, other_graphs("904"))
    assert not list((tmp_path / "releases").glob(".tmp-*"))


def test_a_current_folder_that_is_not_a_symlink_is_refused(tmp_path):
    (tmp_path / "current").mkdir()
    with pytest.raises(PublishError, match="not a symlink"):
        publish(tmp_path)


def test_the_description_graph_name_is_reserved(tmp_path):
    graph = Graph()
    graph.add((URIRef(f"{BASE}/x"), URIRef(f"{BASE}/p"), Literal("x")))
    with pytest.raises(PublishError, match="reserved"):
        publish(tmp_path, [(URIRef(f"{BASE}/graph/void"), graph)])
    assert not (tmp_path / "current").exists()


def test_shapes_are_published_as_their_own_graph(build):
    quads = list(ox.parse(path=str(build / "dataset.nq"), format=ox.RdfFormat.N_QUADS))
    shapes = [q for q in quads if q.graph_name.value == f"{BASE}/graph/shapes"]
    assert any(q.object.value == "http://www.w3.org/ns/shacl#NodeShape" for q in shapes)
    void = [q for q in quads if q.graph_name.value == f"{BASE}/graph/void"]
    assert any(q.predicate.value == "http://rdfs.org/ns/void#triples" for q in void)


def test_persisted_store_holds_the_same_quads(tmp_path):
    from kg.store import open_release_store

    release = publish(tmp_path, persist_store=True)
    assert (release / "store").is_dir()
    native = ox.Store.read_only(str(release / "store"))
    assert len(native) == json.loads((release / "manifest.json").read_text())["counts"]["quads"]
    del native
    assert open_release_store(release) is not None


# --------------------------------------------------------------------------------------------- kg dump
@pytest.mark.parametrize("fmt", ["ttl", "nt", "jsonld", "trig", "nq"])
def test_kg_dump_writes_the_release_dump_uncompressed(build, fmt, tmp_path):
    from kg.cli import main
    from kg.dumps import DUMP_FORMATS

    out = tmp_path / f"out.{fmt}"
    result = CliRunner().invoke(main, ["dump", "--format", fmt, "--out", str(out), "--build",
                                       str(build.parent.parent)])
    assert result.exit_code == 0, result.output
    stored = (build / "dumps" / DUMP_FORMATS[fmt].filename).read_bytes()
    expected = gzip.decompress(stored) if DUMP_FORMATS[fmt].gzipped else stored
    assert out.read_bytes() == expected


def test_kg_dump_to_stdout_and_to_a_gz_file(build, tmp_path):
    from kg.cli import main

    runner = CliRunner()
    result = runner.invoke(main, ["dump", "--build", str(build.parent.parent)])
    assert result.exit_code == 0
    assert result.stdout_bytes == (build / "dumps/kg.ttl").read_bytes()
    out = tmp_path / "kg.nq.gz"
    result = runner.invoke(main, ["dump", "--format", "nq", "--out", str(out), "--build",
                                  str(build.parent.parent)])
    assert result.exit_code == 0
    assert out.read_bytes() == (build / "dumps/kg.nq.gz").read_bytes()


def test_kg_dump_without_a_build_says_what_to_do(tmp_path):
    from kg.cli import main

    result = CliRunner().invoke(main, ["dump", "--build", str(tmp_path / "nothing")])
    assert result.exit_code == 1
    assert "kg build" in result.output


# --------------------------------------------------------------------------------------------- the seed
def test_the_seed_page_builds_and_publishes(tmp_path):
    try:
        from kg.authorities import load_authorities  # noqa: F401
        from kg.mapping import map_corpus, ontology_graph  # noqa: F401
        from kg.sources import read_sources  # noqa: F401
    except ImportError as exc:
        pytest.skip(f"the pipeline before publishing has not landed yet: {exc}")
    from kg.build import run_build

    release = run_build(ROOT / "data" / "sources", tmp_path, BASE, quiet=True)
    manifest = json.loads((release / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["counts"]["letters"] == 1
    assert manifest["counts"]["source_files"] == 1
    graph = Graph().parse(release / "dumps/kg.ttl", format="turtle")
    assert len(graph) == manifest["counts"]["triples"]
    assert (URIRef(f"{BASE}/id/letter/bl1996-009"), None, None) in graph


def test_ntriples_lines_become_the_graph_rdflibs_own_parser_gives():
    """The statistics are checked from their N-Triples lines read by pyoxigraph (``kg.publish.ntriples_graph``):
    the same terms, datatypes and language tags as rdflib's parser."""
    from kg.publish import ntriples_graph

    text = ('<https://kg.example.org/id/a> <http://www.w3.org/2000/01/rdf-schema#label> "Ленин \\"V. I.\\""@ru .\n'
            '<https://kg.example.org/id/a> <https://kg.example.org/ontology#count> '
            '"12"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
            '<https://kg.example.org/id/a> <http://www.w3.org/2000/01/rdf-schema#comment> "plain\\nline" .\n'
            '<https://kg.example.org/id/a> <http://www.w3.org/2000/01/rdf-schema#seeAlso> _:b0 .\n'
            '_:b0 <http://www.w3.org/2000/01/rdf-schema#label> '
            '"1917-12"^^<http://www.w3.org/2001/XMLSchema#gYearMonth> .\n')
    expected = Graph().parse(data=text, format="nt")
    got = ntriples_graph(text.encode("utf-8").splitlines(keepends=True))

    def described(graph: Graph) -> set:
        def exact(term):  # blank nodes by kind only (their labels differ); literals with datatype and language
            if isinstance(term, Literal):
                return str(term), term.datatype, term.language
            return term if isinstance(term, URIRef) else "_:"
        return {(exact(s), p, exact(o)) for s, p, o in graph}

    assert len(got) == len(expected) == 5
    assert described(got) == described(expected)


def test_statistics_that_do_not_conform_are_not_published(tmp_path, monkeypatch):
    import kg.statistics

    good = publish(tmp_path)
    lines = kg.statistics.StatisticsCollector.graph_lines

    def with_a_bad_observation(self):  # an observation without its data set and label
        return sorted([*lines(self), b"<https://kg.example.org/id/statistics/bad> "
                                     b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
                                     b"<http://purl.org/linked-data/cube#Observation> .\n"])

    monkeypatch.setattr(kg.statistics.StatisticsCollector, "graph_lines", with_a_bad_observation)
    with pytest.raises(PublishError, match="precomputed statistics do not conform") as caught:
        publish(tmp_path, other_graphs("bad-statistics"))
    assert "exactly one data set" in str(caught.value)
    assert current_release(tmp_path) == good


_SUBJECTS = ["<https://kg.example.org/.well-known/void#a>", "<https://kg.example.org/.well-known/voi>",
             "<https://kg.example.org/.well-known/void>", "<https://kg.example.org/.well-known/voie>",
             "<https://kg.example.org/.well-known/voidx>", "<https://kg.example.org/id/x>", "<http://a.example/x>"]
_QUAD = st.tuples(st.sampled_from(_SUBJECTS), st.sampled_from(["<p>", "<q>"]), st.sampled_from(["<g1>", "<g2>"]))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.lists(_QUAD, max_size=40), own=st.lists(st.sampled_from(["#a", "#b", "", "#a-2"]), max_size=5),
       chunk=st.integers(min_value=1, max_value=7))
def test_the_description_joins_the_content_as_the_piece_between_the_lines_around_its_place(
        tmp_path_factory, monkeypatch, content, own, chunk) -> None:
    """The merged content is written in three files around the description's place; the description's lines,
    merged into the middle one, must give the sorted union of both, each line once, in N-Quads and N-Triples,
    wherever the content's lines fall (before, inside, after its place, cut into lists anywhere)."""
    import kg.publish
    from kg.dumps import graph_suffix, ntriples_line
    from kg.publish import _ContentFiles, _description_place
    from kg.void import Description

    monkeypatch.setattr(kg.publish, "_CHUNK", chunk)
    folder = tmp_path_factory.mktemp("content")
    quads = sorted({f"{s} {p} <o> {g} .\n".encode() for s, p, g in content})
    own_triples = sorted({f"<{BASE}/.well-known/void{fragment}> <p> <o> .\n".encode() for fragment in own})
    own_quads = [line[:-3] + graph_suffix(f"{BASE}/graph/void") for line in own_triples]
    with _ContentFiles(folder, _description_place(Description(BASE))) as files:
        union = list(files.union(iter(quads)))
    assert union == list(dict.fromkeys(ntriples_line(line) for line in quads))
    for kind, lines, extra in (("nq", quads, own_quads), ("nt", union, own_triples)):
        parts, count = files.with_description(kind, extra)
        written = b"".join(piece.read_bytes() if isinstance(piece, Path) else piece for piece in parts.pieces)
        assert written == b"".join(sorted(set(lines) | set(extra))) and count == len(set(lines) | set(extra))
