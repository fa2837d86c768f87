"""A published release validates: `kg validate build/current/dataset.nq` accepts what `kg build` published.

The release's dataset.nq holds the dataset description (graph {base}/graph/void) without the dumps' byte sizes
and checksums (the dumps contain it); only the served void.ttl states them, and only its shapes require them."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from kg.build import run_build, validate_path

ROOT = Path(__file__).resolve().parents[2]
BASE = "https://kg.example.org"
SEED = ROOT / "data" / "sources" / "bl1996-no009-stalin-to-lenin-1917-12-27.txt"


def test_the_published_dataset_of_the_seed_validates(tmp_path):
    release = run_build(SEED, tmp_path / "build", BASE, quiet=True, authorities_dir=ROOT / "data" / "authorities")
    dataset = release / "dataset.nq"
    void = ox.NamedNode(f"{BASE}/graph/void")
    description = [q for q in ox.parse(path=str(dataset), format=ox.RdfFormat.N_QUADS) if q.graph_name == void]
    predicates = {q.predicate.value for q in description}
    objects = {q.object for q in description}
    assert ox.NamedNode("http://www.w3.org/ns/dcat#Distribution") in objects  # the shapes have something to judge
    assert "http://www.w3.org/ns/dcat#byteSize" not in predicates  # ... that cannot state the dumps' sizes
    assert "http://spdx.org/rdf/terms#checksum" not in predicates
    conforms, report = validate_path(dataset, "text", BASE)
    assert conforms, report
