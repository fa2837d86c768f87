"""The two named graphs the build publishes from the reviewed files: links and enrichment. No network here."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rdflib import Graph, URIRef

from kg.mapping.links import make_sameas_links
from kg.wikidata.enrich import enrichment_for_build
from kg.wikidata.sssom import accepted_links, read_mappings

MAPPING_FILE = "wikidata.sssom.tsv"
ENRICHMENT_FILE = "wikidata-enrichment.ttl"


def build_graphs(mappings_dir: Path, authorities: Any = None,
                 base_uri: str = "https://kg.example.org") -> list[tuple[URIRef, Graph]]:
    """``({base}/graph/wikidata-links, links)``, ``({base}/graph/wikidata-enrichment, facts)``: for the build.

    Only rows a curator accepted are published. When ``authorities`` is given (anything iterable over entities
    with ``uri_kind``/``kind`` and ``key``), a link whose entity the authorities no longer define is left out,
    so a stale decision cannot mint a URI nothing else describes. Empty graphs are not returned. Raises
    ``kg.wikidata.sssom.SSSOMError`` (a ``ValueError`` naming file and line) for a malformed mapping file.
    """
    base = base_uri.rstrip("/")
    links = accepted_links(read_mappings(Path(mappings_dir) / MAPPING_FILE))
    known = entity_paths(authorities)
    if known is not None:
        links = [(key, qid) for key, qid in links if key in known]
    graphs: list[tuple[URIRef, Graph]] = []
    if links:
        graphs.append((URIRef(f"{base}/graph/wikidata-links"), make_sameas_links(links, base)))
    facts = enrichment_for_build(Path(mappings_dir) / ENRICHMENT_FILE, {qid for _, qid in links}, base)
    if len(facts):
        graphs.append((URIRef(f"{base}/graph/wikidata-enrichment"), facts))
    return graphs


def entity_paths(authorities: Any) -> set[str] | None:
    """``{"person/stalin", ...}`` for the authorities' entities; None when they cannot be enumerated."""
    if authorities is None or not isinstance(authorities, Iterable):
        return None
    paths = set()
    for entity in authorities:
        key = getattr(entity, "key", None)
        kind = getattr(entity, "uri_kind", None) or getattr(entity, "kind", None)
        if not key or not kind:
            return None
        paths.add(f"{kind}/{key}")
    return paths
