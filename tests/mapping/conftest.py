"""Fixtures for the mapping tests: the seed record (real parse when ``kg.sources`` reads it, else the
hand-written
record of ``mapping_seed``), the authorities, and the mapped corpus as named graphs."""

from __future__ import annotations

import hashlib
import os

import pytest
from mapping_seed import BASE, ROOT, SEED, hand_record, parsed_record
from rdflib import Dataset, Graph

from kg.authorities import Authorities, load_authorities
from kg.mapping import map_corpus
from kg.records import LetterRecord


@pytest.fixture(scope="session")
def authorities() -> Authorities:
    return load_authorities(ROOT / "data" / "authorities")


@pytest.fixture(scope="session")
def seed_record(monkeypatch_session_cwd) -> LetterRecord:
    return parsed_record() or hand_record()


@pytest.fixture(scope="session")
def monkeypatch_session_cwd():
    """Relative source paths (``data/sources/...``) resolve against the project root."""
    old = os.getcwd()
    os.chdir(ROOT)
    yield ROOT
    os.chdir(old)


@pytest.fixture(scope="session")
def seed_digest() -> str:
    return hashlib.sha256(SEED.read_bytes()).hexdigest()


@pytest.fixture(scope="session")
def mapped(seed_record, authorities, seed_digest) -> list[tuple]:
    return map_corpus([seed_record], authorities, BASE, {seed_record.source.path: seed_digest})


@pytest.fixture(scope="session")
def dataset(mapped) -> Dataset:
    """All named graphs, queryable with GRAPH and (default_union) without."""
    ds = Dataset(default_union=True)
    for name, graph in mapped:
        named = ds.graph(name)
        for triple in graph:
            named.add(triple)
    return ds


@pytest.fixture(scope="session")
def union(mapped) -> Graph:
    graph = Graph()
    for _, g in mapped:
        graph += g
    return graph
