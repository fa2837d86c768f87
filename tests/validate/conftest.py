"""Fixtures for the validation tests: the seed page mapped by the real mapping, and the shapes.

Mapping the seed costs about a second, so it is done once per session; every test gets fresh copies of the
graphs (``seed_copy``) to break exactly one rule in.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from kg.validate import ShapesRunner, load_shapes
from kg.validate.engine import ENGINE_VARIABLE, ENGINES, engine_name, turbo_available

ROOT = Path(__file__).resolve().parents[2]
BASE = "https://kg.example.org"
SEED = ROOT / "data" / "sources" / "bl1996-no009-stalin-to-lenin-1917-12-27.txt"


def map_seed() -> list[tuple[URIRef, Graph]]:
    from kg.authorities import load_authorities
    from kg.files import sha256_file
    from kg.mapping import map_corpus
    from kg.sources import read_sources

    result = read_sources([SEED])
    authorities = load_authorities(ROOT / "data" / "authorities")
    graphs = map_corpus(result.records, authorities, BASE, {str(SEED): sha256_file(SEED)})
    try:
        from kg.wikidata import build_graphs
    except ImportError:  # pragma: no cover - the linking module is optional for validation
        return graphs
    return graphs + list(build_graphs(ROOT / "data" / "mappings", authorities, BASE))


@pytest.fixture(scope="session")
def seed_graphs() -> list[tuple[URIRef, Graph]]:
    return map_seed()


@pytest.fixture()
def seed_copy(seed_graphs) -> list[tuple[URIRef, Graph]]:
    copies = []
    for name, graph in seed_graphs:
        copy = Graph()
        copy += graph
        copies.append((name, copy))
    return copies


@pytest.fixture(scope="session")
def shapes() -> Graph:
    return load_shapes()


@pytest.fixture(params=ENGINES)
def engine(request, monkeypatch) -> str:
    """Run the test under each SHACL engine (``$KG_SHACL_ENGINE``): pyshacl is the reference, compiled and turbo
    must agree.
    Turbo is required here (a CI without it fails rather than silently testing pyshacl twice)."""
    if request.param == "turbo":
        assert turbo_available(), "pyshacl-turbo is not installed (pyproject dependency)"
    monkeypatch.setenv(ENGINE_VARIABLE, request.param)
    assert engine_name() == request.param
    return request.param


@pytest.fixture(scope="session")
def runner(shapes) -> ShapesRunner:
    return ShapesRunner(shapes)
