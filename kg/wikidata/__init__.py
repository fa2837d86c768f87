"""Linking our persons, places, organisations and events to Wikidata, with a curator deciding every link.

- :mod:`kg.wikidata.link` runs ``kg link wikidata``: candidates by label and alias (en, ru), constrained by
  type and by what the letters tell, scored with evidence, written as *proposed* rows of the SSSOM mapping
  file;
- :mod:`kg.wikidata.review` runs ``kg link review``: the curator accepts or rejects;
- :mod:`kg.wikidata.publish` gives the build its two named graphs (accepted links, enriched facts) from the
  committed files, without network.

The build calls :func:`build_graphs`; this package imports nothing heavy until then.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def build_graphs(mappings_dir: Path, authorities: Any = None, base_uri: str = "https://kg.example.org"):
    """``(graph IRI, graph)`` pairs of accepted links and their enrichment (:mod:`kg.wikidata.publish`)."""
    from kg.wikidata.publish import build_graphs as _build_graphs

    return _build_graphs(mappings_dir, authorities, base_uri)


__all__ = ["build_graphs"]
