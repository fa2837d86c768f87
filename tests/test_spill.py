"""kg.spill: graphs written to disk by several writers read back as the same sorted dataset the in-memory
CanonicalDataset makes, in every order the dumps need, with runs of any size and statistics fed once a graph."""

from __future__ import annotations

import multiprocessing
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from rdflib import BNode, Graph, Literal, URIRef

from kg.dumps import (
    DUMP_FORMATS,
    CanonicalDataset,
    DumpProcess,
    LaterLines,
    write_dumps,
    write_dumps_streamed,
)
from kg.spill import GraphSpill, SpilledDataset, graph_suffix, spill_graphs, union_of
from tests.test_dumps import BASE, fixture_graphs


def _spilled(tmp_path: Path, graphs, writers: int = 3, run_lines: int = 10**6, workers: int = 1) -> SpilledDataset:
    """Spill ``graphs`` round-robin over ``writers`` writers (as worker processes would) and sort them."""
    spills = [GraphSpill(tmp_path / "spill", f"w{i}") for i in range(writers)]
    for number, (name, graph) in enumerate(graphs):
        spills[number % writers].add(name, graph)
    dataset = SpilledDataset(tmp_path / "spill")
    dataset.finish()
    dataset.sort(workers=workers, run_lines=run_lines)
    return dataset


@pytest.mark.parametrize(("run_lines", "workers"), [(10**6, 1), (7, 1), (7, 2)])
def test_spilled_graphs_read_back_as_the_canonical_dataset(tmp_path: Path, run_lines: int, workers: int) -> None:
    graphs = fixture_graphs()
    reference = CanonicalDataset.from_rdflib(fixture_graphs())
    dataset = _spilled(tmp_path, graphs, run_lines=run_lines, workers=workers)
    assert len(list((tmp_path / "spill" / "runs").iterdir())) > (1 if run_lines == 7 else 0)
    assert list(dataset.iter_nquads()) == list(reference.iter_nquads())
    assert list(union_of(dataset.iter_nquads())) == reference.union_lines()
    assert b"".join(dataset.iter_grouped()) == b"".join(reference._grouped_nquads())
    dataset.drop_runs()  # merged: the runs go; asked again, the dataset sorts again
    assert not list((tmp_path / "spill" / "runs").iterdir())
    assert list(dataset.iter_nquads()) == list(reference.iter_nquads())
    assert dataset.graph_counts() == {name: len(lines) for name, lines in reference.graphs.items()}


def test_a_graph_spilled_twice_by_two_writers_counts_once(tmp_path: Path) -> None:
    graphs = fixture_graphs()
    # A graph without blank nodes (theirs get a block of their own when canonicalised); the fixture's graph
    # order is not fixed, so it is chosen by content.
    name, graph = next((n, g) for n, g in graphs if not any(isinstance(term, BNode) for t in g for term in t))
    GraphSpill(tmp_path / "spill", "again").add(name, graph)  # e.g. validation's joint pass mapped it again
    dataset = _spilled(tmp_path, graphs)
    reference = CanonicalDataset.from_rdflib(fixture_graphs())
    assert len(dataset.blocks[str(name)]) == 2
    assert list(dataset.iter_nquads()) == list(reference.iter_nquads())
    assert dataset.graph_counts()[str(name)] == len(reference.graphs[str(name)])


def test_blank_nodes_of_different_writers_get_the_labels_of_the_whole_dataset(tmp_path: Path) -> None:
    def with_blank(name: str, value: str) -> tuple[URIRef, Graph]:
        graph = Graph()
        node = BNode()
        graph.add((URIRef(f"{BASE}/id/x/{name}"), URIRef("http://ex/p"), node))
        graph.add((node, URIRef("http://ex/value"), Literal(value)))
        return URIRef(f"{BASE}/graph/{name}"), graph

    graphs = [with_blank("a", "1"), with_blank("b", "2"), with_blank("c", "1")]
    dataset = _spilled(tmp_path, graphs, writers=3)
    reference = CanonicalDataset.from_rdflib(graphs)
    assert list(dataset.iter_nquads()) == list(reference.iter_nquads())
    assert b"_:c14n" in b"".join(dataset.iter_nquads())


def test_extra_lines_are_merged_into_both_orders(tmp_path: Path) -> None:
    graphs = fixture_graphs()
    dataset = _spilled(tmp_path, graphs)
    extra_name = f"{BASE}/graph/extra"
    extra = sorted({b'<https://kg.example.org/id/zz> <http://ex/p> "x" .\n',
                    b'<https://kg.example.org/id/aa> <http://ex/p> "y" .\n'})
    merged = list(dataset.iter_nquads([line[:-3] + graph_suffix(extra_name) for line in extra]))
    assert merged == sorted(merged) and len(merged) == len(list(dataset.iter_nquads())) + 2
    grouped = b"".join(dataset.iter_grouped({extra_name: extra})).splitlines(keepends=True)
    assert [line for line in grouped if graph_suffix(extra_name) in line] == \
        [line[:-3] + graph_suffix(extra_name) for line in extra]


class _Counting:
    """A collector that remembers how often it saw each triple."""

    def __init__(self) -> None:
        self.seen: Counter = Counter()

    def feed(self, lines) -> None:
        self.seen.update(lines)

    def merge(self, other: _Counting) -> None:
        self.seen.update(other.seen)


@pytest.mark.parametrize("workers", [1, 2])
def test_the_collector_sees_every_graph_once_even_when_spilled_twice(tmp_path: Path, workers: int) -> None:
    graphs = fixture_graphs()
    GraphSpill(tmp_path / "spill", "again").add(*graphs[1])
    spills = [GraphSpill(tmp_path / "spill", f"w{i}") for i in range(2)]
    for number, (name, graph) in enumerate(graphs):
        spills[number % 2].add(name, graph)
    dataset = SpilledDataset(tmp_path / "spill")
    dataset.finish()
    counted = dataset.sort(workers=workers, run_lines=5, collect=lambda: _Counting())  # a lambda: never pickled
    expected = Counter(line for name in dataset.graph_names for line in dataset.graph_lines(name))
    assert counted.seen == expected


def test_streamed_dumps_equal_the_in_memory_dumps(tmp_path: Path) -> None:
    graphs = fixture_graphs()
    reference = CanonicalDataset.from_rdflib(fixture_graphs())
    expected = {f.path.name: f.sha256 for f in write_dumps(reference, tmp_path / "memory", base_uri=BASE)}
    dataset = _spilled(tmp_path, graphs)
    nquads = tmp_path / "dataset.nq"
    nquads.write_bytes(b"".join(dataset.iter_nquads()))
    union = tmp_path / "union.nt"
    union.write_bytes(b"".join(union_of(dataset.iter_nquads())))
    for workers in (1, 2):
        written = write_dumps_streamed(tmp_path / f"streamed-{workers}", base_uri=BASE, union_file=union,
                                       nquads_file=nquads, grouped=dataset.iter_grouped, workers=workers)
        assert {f.path.name: f.sha256 for f in written} == expected
        assert sorted(f.format.key for f in written) == sorted(DUMP_FORMATS)
    # TriG begun early in its own process (as the publisher does, beside writing dataset.nq): the same files.
    folder = tmp_path / "started"
    early = DumpProcess(DUMP_FORMATS["trig"], folder, base_uri=BASE, grouped=dataset.iter_grouped)
    written = write_dumps_streamed(folder, base_uri=BASE, union_file=union, nquads_file=nquads,
                                   grouped=_never, workers=2, started=[early])
    assert {f.path.name: f.sha256 for f in written} == expected
    assert (folder / "SHA256SUMS").read_bytes() == (tmp_path / "streamed-2" / "SHA256SUMS").read_bytes()


@pytest.mark.parametrize("workers", [1, 2])
def test_files_the_caller_writes_while_the_dumps_are_written_are_listed_beside_them(tmp_path: Path,
                                                                                   workers: int) -> None:
    """The publisher writes the network files while the dump writers run; ``SHA256SUMS`` lists them all, and
    a failure of the caller's own step is the call's, with the writers stopped."""
    import hashlib

    dataset = _spilled(tmp_path, fixture_graphs())
    nquads = tmp_path / "dataset.nq"
    nquads.write_bytes(b"".join(dataset.iter_nquads()))
    union = tmp_path / "union.nt"
    union.write_bytes(b"".join(union_of(dataset.iter_nquads())))
    folder = tmp_path / f"dumps-{workers}"
    calls = []

    def meanwhile() -> list[tuple[str, str]]:
        calls.append(workers)
        (folder / "extra.csv").write_bytes(b"a,b\n")
        return [("extra.csv", hashlib.sha256(b"a,b\n").hexdigest())]

    written = write_dumps_streamed(folder, base_uri=BASE, union_file=union, nquads_file=nquads,
                                   grouped=dataset.iter_grouped, workers=workers, also_listed=meanwhile)
    assert calls == [workers]
    listed = dict(reversed(line.split("  ")) for line in (folder / "SHA256SUMS").read_text().splitlines())
    assert set(listed) == {"extra.csv", *(f.path.name for f in written)}
    assert listed["extra.csv"] == hashlib.sha256(b"a,b\n").hexdigest()

    def failing() -> list[tuple[str, str]]:
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError, match="No space left"):
        write_dumps_streamed(tmp_path / f"failed-{workers}", base_uri=BASE, union_file=union, nquads_file=nquads,
                             grouped=dataset.iter_grouped, workers=workers, also_listed=failing)
    assert not multiprocessing.active_children()


def _never() -> Iterator[bytes]:
    raise AssertionError("TriG was begun early: the grouped lines must not be read again")


def test_a_dump_begun_before_its_last_graph_exists_waits_for_it(tmp_path: Path) -> None:
    from kg.dumps import DumpError

    dataset = _spilled(tmp_path, fixture_graphs())
    late_name = "https://kg.example.org/graph/zz-late"
    late = [b"<https://kg.example.org/id/x> <https://kg.example.org/p> \"late\" .\n"]
    given = DumpProcess(DUMP_FORMATS["trig"], tmp_path / "given", base_uri=BASE,
                        grouped=lambda: dataset.iter_grouped({late_name: late}))
    later = LaterLines()
    waiting = DumpProcess(DUMP_FORMATS["trig"], tmp_path / "later", base_uri=BASE, later=later,
                          grouped=lambda: dataset.iter_grouped({late_name: later.get}))
    later.put(late)
    assert waiting.result() == given.result()
    assert (tmp_path / "later" / "kg.trig").read_bytes() == (tmp_path / "given" / "kg.trig").read_bytes()
    assert b'"late"' in (tmp_path / "later" / "kg.trig").read_bytes()

    never = LaterLines()  # the publisher fails before the lines exist: the writer stops and says why
    stranded = DumpProcess(DUMP_FORMATS["trig"], tmp_path / "never", base_uri=BASE, later=never,
                           grouped=lambda: dataset.iter_grouped({late_name: never.get}))
    never.close()
    with pytest.raises(DumpError, match="stopped before the dataset description was made"):
        stranded.result()

    def failing() -> Iterator[bytes]:
        raise OSError("disk full")
        yield b""

    dead = LaterLines()  # the writer failed before reading: handing it more than a pipe holds must not hang
    failed = DumpProcess(DUMP_FORMATS["trig"], tmp_path / "dead", base_uri=BASE, later=dead, grouped=failing)
    failed.process.join()
    lines = [b"<https://kg.example.org/id/x> <https://kg.example.org/p> \"%d\" .\n" % i for i in range(20000)]
    sender = threading.Thread(target=dead.put, args=(lines,), daemon=True)
    sender.start()
    sender.join(60)
    assert not sender.is_alive(), "the lines wait for a reader that is gone"
    with pytest.raises(DumpError, match="disk full"):
        failed.result()


def test_a_dump_begun_early_that_fails_names_its_file(tmp_path: Path) -> None:
    from kg.dumps import DumpError

    def broken() -> Iterator[bytes]:
        yield b"<https://example.org/s> <https://example.org/p> not a term <https://example.org/g> .\n"

    early = DumpProcess(DUMP_FORMATS["trig"], tmp_path, base_uri=BASE, grouped=broken)
    with pytest.raises(DumpError, match=r"writing kg\.trig failed: .*SyntaxError"):
        early.result()
    early.abandon()  # after the end: harmless
    assert not early.process.is_alive()


def test_spill_graphs_refuses_a_graph_without_an_iri(tmp_path: Path) -> None:
    from kg.dumps import DumpError

    with pytest.raises(DumpError, match="not an IRI"):
        spill_graphs(tmp_path, "w", [(BNode(), Graph())])


_QUADS = st.lists(st.tuples(st.sampled_from(["<a>", "<b>", "<c>"]), st.sampled_from(["<p>", "<q>"]),
                            st.sampled_from(["<g1>", "<g2>", "<g3>"])), max_size=40)


@given(quads=_QUADS, cuts=st.lists(st.integers(min_value=0, max_value=40), max_size=6))
def test_the_union_a_list_at_a_time_is_the_union_however_the_lines_are_cut(quads, cuts) -> None:
    from kg.spill import union_chunks

    lines = sorted({f"{s} {p} <o> {g} .\n".encode() for s, p, g in quads})
    expected = list(dict.fromkeys(line[:line.rindex(b" ", 0, len(line) - 3)] + b" .\n" for line in lines))
    bounds = [0, *sorted(cut for cut in cuts if cut <= len(lines)), len(lines)]
    chunks = [lines[start:end] for start, end in zip(bounds, bounds[1:], strict=False)]
    assert [line for chunk in union_chunks(chunks) for line in chunk] == expected
    assert list(union_of(lines)) == expected


@given(lines=st.lists(st.binary(max_size=12).map(lambda b: b.replace(b"\n", b"") + b" .\n"), max_size=20),
       size=st.integers(min_value=1, max_value=40))
def test_a_block_read_in_pieces_gives_its_lines_whole(tmp_path_factory, lines, size) -> None:
    """TriG reads each spilled graph in pieces of bounded size: the pieces must be whole lines, in order, and
    together the block, whatever the size (a line longer than a piece too)."""
    from kg.spill import Block

    path = tmp_path_factory.mktemp("block") / "w.blocks"
    data = b"".join(lines)
    path.write_bytes(b"before\n" + data + b"after\n")
    pieces = list(Block(path, 7, len(data), len(lines), "g").pieces(size))
    assert b"".join(pieces) == data
    assert all(piece.endswith(b"\n") and piece for piece in pieces)


@given(lines=st.lists(st.text(alphabet='ab "\\.\n').map(
    lambda t: f'<http://a> <http://p> "{t.replace(chr(10), chr(92) + "n")}" .\n'.encode()), max_size=10))
def test_ntriples_become_the_graphs_nquads_in_one_call(lines) -> None:
    from kg.dumps import as_nquads

    suffix = graph_suffix("http://example.org/g")
    assert as_nquads(b"".join(lines), suffix) == b"".join(line[:-3] + suffix for line in lines)
