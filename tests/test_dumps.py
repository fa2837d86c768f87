"""kg.dumps: every format written deterministically, and each loads back with the served triple count."""

from __future__ import annotations

import gzip
import hashlib
import io
import os
import random
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rdflib import BNode, Dataset, Graph, Literal, URIRef

from kg.dumps import (
    CHECKSUM_FILE,
    DUMP_FORMATS,
    PREFIXES,
    CanonicalDataset,
    DumpError,
    NTriplesLines,
    TermConverter,
    sorted_ntriples,
    write_dump_from_release,
    write_dumps,
)
from kg.rdffiles import read_named_graphs

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).parent / "fixtures" / "publish" / "letters.trig"
BASE = "https://kg.example.org"


def fixture_graphs(path: Path = FIXTURE) -> list[tuple[URIRef, Graph]]:
    """The fixture as (graph name, rdflib graph) pairs; every parse mints fresh blank-node ids."""
    return read_named_graphs(path)


def fixture_quads() -> list[ox.Quad]:
    return list(ox.parse(path=str(FIXTURE), format=ox.RdfFormat.TRIG))


def tree_bytes(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def dumped(tmp_path_factory) -> tuple[CanonicalDataset, Path, list]:
    folder = tmp_path_factory.mktemp("dumps")
    dataset = CanonicalDataset.from_rdflib(fixture_graphs())
    return dataset, folder, write_dumps(dataset, folder, base_uri=BASE)


def test_same_graphs_give_byte_identical_dumps_in_another_process(dumped, tmp_path):
    _, folder, _ = dumped
    script = (
        "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[3]);"
        "from tests.test_dumps import fixture_graphs, BASE;"
        "from kg.dumps import CanonicalDataset, write_dumps;"
        "graphs = list(reversed(fixture_graphs(Path(sys.argv[1]))));"
        "write_dumps(CanonicalDataset.from_rdflib(graphs), Path(sys.argv[2]), base_uri=BASE)"
    )
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-c", script, str(FIXTURE), str(tmp_path), str(ROOT)], check=True,
                   env=env, cwd=ROOT)
    assert tree_bytes(tmp_path) == tree_bytes(folder)


def test_order_of_graphs_and_triples_does_not_change_a_byte(dumped, tmp_path):
    _, folder, _ = dumped
    graphs = fixture_graphs()
    random.Random(7).shuffle(graphs)
    shuffled = []
    for name, graph in graphs:
        triples = list(graph)
        random.Random(len(triples)).shuffle(triples)
        copy = Graph()
        for triple in triples:
            copy.add(triple)
        shuffled.append((name, copy))
    write_dumps(CanonicalDataset.from_rdflib(shuffled), tmp_path, base_uri=BASE)
    assert tree_bytes(tmp_path) == tree_bytes(folder)


def test_rdflib_and_pyoxigraph_input_give_the_same_canonical_lines(dumped):
    dataset, _, _ = dumped
    assert CanonicalDataset.from_quads(fixture_quads()).graphs == dataset.graphs


def test_blank_nodes_get_canonical_labels_not_rdflib_ids(dumped):
    dataset, folder, _ = dumped
    text = gzip.decompress((folder / "kg.nq.gz").read_bytes()).decode("utf-8")
    labels = {token for line in text.splitlines() for token in line.split() if token.startswith("_:")}
    assert labels and all(label.startswith("_:c14n") for label in labels)
    # Two isomorphic identifier nodes in two graphs stay two nodes (plus the nested note and its note).
    assert len(labels) == 4


def test_ntriples_and_nquads_dumps_are_sorted_bytewise_without_duplicates(dumped):
    dataset, folder, _ = dumped
    for name in ("kg.nt.gz", "kg.nq.gz"):
        lines = gzip.decompress((folder / name).read_bytes()).splitlines(keepends=True)
        assert lines == sorted(set(lines)), name
    # The triple stated in two graphs is one triple of the union, two quads of the dataset.
    stalin_type = (b"<https://kg.example.org/id/person/stalin> "
                   b"<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
                   b"<http://www.cidoc-crm.org/cidoc-crm/E21_Person> .\n")
    assert dataset.union_lines().count(stalin_type) == 1
    assert sum(lines.count(stalin_type) for lines in dataset.graphs.values()) == 3


def test_gzip_members_carry_no_file_name_and_no_time(dumped):
    _, folder, _ = dumped
    for name in ("kg.nt.gz", "kg.nq.gz"):
        head = (folder / name).read_bytes()[:10]
        assert head[:3] == b"\x1f\x8b\x08"
        assert head[3] & 0x08 == 0, f"{name}: FNAME flag set"
        assert head[4:8] == b"\0\0\0\0", f"{name}: MTIME set"


@pytest.mark.parametrize("key", list(DUMP_FORMATS))
def test_each_dump_loads_back_into_rdflib_and_oxigraph_with_the_same_counts(dumped, key):
    dataset, folder, _ = dumped
    fmt = DUMP_FORMATS[key]
    data = (folder / fmt.filename).read_bytes()
    if fmt.gzipped:
        data = gzip.decompress(data)
    union = len(dataset.union_lines())
    store = ox.Store()
    store.load(data, format=fmt.rdf_format)
    if fmt.named_graphs:
        assert len(store) == dataset.quad_count
        distinct = store.query(
            "SELECT (COUNT(*) AS ?n) { SELECT DISTINCT ?s ?p ?o { GRAPH ?g { ?s ?p ?o } } }")
        assert int(next(iter(distinct))["n"].value) == union
        rdf = Dataset()
        rdf.parse(data=data, format={"trig": "trig", "nq": "nquads"}[key])
        assert len(list(rdf.quads((None, None, None, None)))) == dataset.quad_count
        assert {str(g.identifier) for g in rdf.graphs() if len(g)} == set(dataset.graphs)
    else:
        assert len(store) == union
        rdf_graph = Graph()
        rdf_graph.parse(data=data, format={"ttl": "turtle", "nt": "nt", "jsonld": "json-ld"}[key])
        assert len(rdf_graph) == union


def test_union_dumps_hold_the_same_graph(dumped):
    _, folder, _ = dumped
    ntriples = gzip.decompress((folder / "kg.nt.gz").read_bytes())
    reference = set(ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES))
    for name, fmt in (("kg.ttl", ox.RdfFormat.TURTLE), ("kg.jsonld", ox.RdfFormat.JSON_LD)):
        assert set(ox.parse((folder / name).read_bytes(), format=fmt)) == reference, name


def test_tricky_literals_survive_the_turtle_round_trip(dumped):
    _, folder, _ = dumped
    graph = Graph().parse(folder / "kg.ttl", format="turtle")
    text = URIRef(f"{BASE}/id/letter/bl1996-009/text")
    content = next(graph.objects(text, URIRef("http://www.cidoc-crm.org/cidoc-crm/P190_has_symbolic_content")))
    assert str(content) == ('T[ovari] Ilyich!\nI beg you to "immediately" move to St. Petersburg'
                            '\tat noon \\ 5 p.m.')
    assert content.language == "en"
    assert (URIRef(f"{BASE}/id/place/брест"), None, None) in graph
    assert Literal("Иосиф Сталин", lang="ru") in set(graph.objects(URIRef(f"{BASE}/id/person/stalin")))


def test_turtle_and_trig_prefixes_come_in_the_fixed_order(dumped):
    _, folder, _ = dumped
    for name in ("kg.ttl", "kg.trig"):
        lines = (folder / name).read_text(encoding="utf-8").splitlines()
        header = [line for line in lines if line.startswith("@prefix ")]
        assert header == [f"@prefix {p}: <{iri}> ." for p, iri in PREFIXES.items()], name
        assert lines[: len(header)] == header  # all at the top, none repeated further down


def test_trig_keeps_one_named_graph_per_source(dumped):
    dataset, folder, _ = dumped
    quads = list(ox.parse((folder / "kg.trig").read_bytes(), format=ox.RdfFormat.TRIG))
    assert {q.graph_name.value for q in quads} == set(dataset.graphs)
    assert f"{BASE}/graph/source/bl1996-no009-stalin-to-lenin-1917-12-27" in dataset.graphs
    # Graph blocks are written once each, in IRI order.
    opened = [line.split(" {")[0] for line in (folder / "kg.trig").read_text(encoding="utf-8").splitlines()
              if line.endswith("{")]
    assert opened == [f"<{name}>" for name in sorted(dataset.graphs)]


def test_checksum_file_matches_every_dump(dumped):
    _, folder, written = dumped
    lines = (folder / CHECKSUM_FILE).read_text(encoding="ascii").splitlines()
    assert len(lines) == len(DUMP_FORMATS)
    for line in lines:
        digest, name = line.split("  ")
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == digest
    listed = {line.split("  ")[1]: line.split("  ")[0] for line in lines}
    assert {w.path.name: w.sha256 for w in written} == listed
    assert all(w.size == w.path.stat().st_size for w in written)


def test_graph_names_must_be_iris():
    graph = Graph()
    graph.add((URIRef(f"{BASE}/id/x"), URIRef(f"{BASE}/p"), Literal("x")))
    with pytest.raises(DumpError, match="not an IRI"):
        CanonicalDataset.from_rdflib([(BNode(), graph)])


def test_a_graph_added_later_may_not_bring_blank_nodes(dumped):
    dataset = CanonicalDataset(dict(dumped[0].graphs))
    graph = Graph()
    graph.add((BNode(), URIRef(f"{BASE}/p"), Literal("x")))
    with pytest.raises(DumpError, match="blank nodes"):
        dataset.add_graph(f"{BASE}/graph/void", graph)


def test_dataset_nquads_file_reads_back_to_the_same_canonical_lines(dumped, tmp_path):
    dataset, folder, _ = dumped
    path = tmp_path / "dataset.nq"
    path.write_bytes(gzip.decompress((folder / "kg.nq.gz").read_bytes()))
    assert CanonicalDataset.from_nquads_file(path).graphs == dataset.graphs


@pytest.mark.parametrize("key", list(DUMP_FORMATS))
def test_dump_from_a_release_without_dumps_is_regenerated_from_dataset_nq(dumped, tmp_path, key):
    _, folder, _ = dumped
    fmt = DUMP_FORMATS[key]
    (tmp_path / "dataset.nq").write_bytes(gzip.decompress((folder / "kg.nq.gz").read_bytes()))
    out = io.BytesIO()
    write_dump_from_release(tmp_path, fmt, out, base_uri=BASE)
    assert out.getvalue() == (folder / fmt.filename).read_bytes()


def test_dump_from_a_release_can_unpack_or_pack(dumped, tmp_path):
    _, folder, _ = dumped
    release = _as_release(folder, tmp_path)
    plain = io.BytesIO()
    write_dump_from_release(release, DUMP_FORMATS["nt"], plain, compress=False)
    assert plain.getvalue() == gzip.decompress((folder / "kg.nt.gz").read_bytes())
    packed = io.BytesIO()
    write_dump_from_release(release, DUMP_FORMATS["ttl"], packed, compress=True)
    assert gzip.decompress(packed.getvalue()) == (folder / "kg.ttl").read_bytes()
    assert packed.getvalue()[4:8] == b"\0\0\0\0"


def _as_release(dumps_folder: Path, tmp_path: Path) -> Path:
    """A release folder whose ``dumps/`` is a copy of ``dumps_folder``."""
    release = tmp_path / "release"
    if not release.exists():
        (release / "dumps").mkdir(parents=True)
        for path in dumps_folder.iterdir():
            (release / "dumps" / path.name).write_bytes(path.read_bytes())
    return release


def test_nquads_come_out_in_plain_byte_order_even_where_terms_are_prefixes_of_each_other():
    # Objects that are prefixes of one another ("a", "a"@en, "a"^^…, _:c14n1/_:c14n10, <…/o>/<…/o2>) in graphs
    # whose IRIs are prefixes of one another: the pair sort must agree with sorting the finished lines.
    subject, predicate = "<https://kg.example.org/id/s>", "<https://kg.example.org/p>"
    objects = ['"a"', '"a"@en', '"a"^^<http://www.w3.org/2001/XMLSchema#token>', '"a b"', "_:c14n1", "_:c14n10",
               "<https://kg.example.org/id/o>", "<https://kg.example.org/id/o2>"]
    triples = [f"{subject} {predicate} {o} .\n".encode() for o in objects]
    graphs = {f"https://kg.example.org/graph/{g}": sorted(triples[i::k])
              for g, i, k in (("a", 0, 1), ("ab", 1, 2), ("a-b", 0, 3), ("b", 2, 2))}
    dataset = CanonicalDataset(graphs)
    expected = sorted(line[:-3] + f" <{name}> .\n".encode() for name, lines in graphs.items() for line in lines)
    assert list(dataset.iter_nquads()) == expected
    assert dataset.nquads_lines() == expected


#: Any text, with the characters N-Triples escapes (and those next to them) drawn often.
_TEXTS = st.text(alphabet=st.one_of(st.characters(codec="utf-8"),  # text read from UTF-8: no lone surrogates
                                    st.sampled_from('\x00\t\n\r\x1f "\\\x7f\x80\ufffd\ufffe\uffffé')))
_LITERALS = st.one_of(
    st.builds(Literal, _TEXTS),
    st.builds(lambda text, lang: Literal(text, lang=lang), _TEXTS, st.sampled_from(["en", "ru", "de-CH", "x-kg"])),
    st.builds(lambda text, dt: Literal(text, datatype=URIRef(dt)), _TEXTS,
              st.sampled_from(["http://www.w3.org/2001/XMLSchema#date", "http://www.w3.org/2001/XMLSchema#string",
                               "http://example.org/type/é", "http://www.w3.org/1999/02/22-rdf-syntax-ns#HTML"])),
)
_IRIS = st.sampled_from([URIRef("http://example.org/a"), URIRef("https://example.org/kg/id/person/ивaнов"),
                         URIRef("urn:x:1"), URIRef("http://example.org/p?q=1#f")])


@given(triples=st.lists(st.tuples(_IRIS, _IRIS, st.one_of(_IRIS, _LITERALS)), max_size=8))
@settings(max_examples=400, deadline=None)
def test_lines_made_in_python_are_those_of_pyoxigraphs_writer(triples) -> None:
    """The spill writes N-Triples lines itself from each term's canonical form: they must be byte for byte what
    pyoxigraph's writer gives for the same triples (quotes, backslashes, control characters, non-ASCII, language
    tags, datatypes), or the dumps would change with the path a graph took."""
    lines, blank = NTriplesLines().of(triples)
    converter = TermConverter()
    assert blank == []
    assert sorted(set(lines)) == sorted_ntriples([converter.triple(*t) for t in triples])


def test_lines_hand_back_the_triples_with_blank_nodes() -> None:
    a, b = URIRef("http://example.org/a"), BNode("x")
    lines, blank = NTriplesLines().of([(a, a, b), (b, a, a), (a, a, a)])
    assert lines == [b"<http://example.org/a> <http://example.org/a> <http://example.org/a> .\n"]
    assert blank == [(a, a, b), (b, a, a)]
