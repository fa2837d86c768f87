"""The correspondent network as two ready-made files: ``network.csv`` (an edge list) and ``network.json``.

Issue 10 asks for the correspondent network in under 50 ms at 100,000 letters. The build already counts it
(:class:`kg.statistics.StatisticsCollector`: letters, first and last date per sender → recipient pair) and
publishes it as Data Cube observations, but a SPARQL query reading those 26,915 observations still takes 270 ms
there. So the publisher also writes the same counts, from the same collector (nothing is recounted), as files in
the release's ``dumps/`` folder, and the server sends them as they are (``GET /statistics/network``,
``server/dumps.py``): a file read, not a query.

Two shapes, because two kinds of tools ask for it:

- ``network.csv``: one row per sender → recipient pair, columns :data:`CSV_COLUMNS`. Gephi ("Import
  spreadsheet" as an edges table: ``source``/``target`` are its column names), Palladio and
  ``pandas.read_csv`` read it as is. Quoting is RFC 4180's (the ``csv`` module, minimal quoting), UTF-8, but
  lines end in ``\\n`` (as ``git``, ``diff`` and ``sha256sum`` users expect), which RFC 4180 §2.1 does not
  strictly allow (CRLF); that is why the description does not claim ``dct:conformsTo`` RFC 4180.
- ``network.json``: ``{"directed", "multigraph", "graph", "nodes", "links"}``, the node-link shape d3-force
  examples load (``nodes`` with ``id``, ``links`` with ``source``/``target`` ids and a ``value`` weight) and
  ``networkx.node_link_graph(data, edges="links")`` reads; vis.js wants ``edges`` with ``from``/``to``, one
  ``map`` away. Each node also has its label and the letters it sent and received.

Order is fixed, so the same sources give the same bytes: edges by letters (most first), then sender and
recipient IRI; nodes by letters sent and received together (most first), then IRI. Labels are the English names
the collector keeps (else the key, as in the statistics graph); dates are the lexical forms of the earliest and
latest ``schema:dateSent`` (proleptic Gregorian ISO dates), empty (CSV) or ``null`` (JSON) when no letter of the
pair is dated.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

from kg.dumps import write_file
from kg.statistics import StatisticsCollector

#: The edge list's columns, in order (also the keys of each JSON link).
CSV_COLUMNS = ("source", "source_label", "target", "target_label", "letters", "first_date", "last_date")


@dataclass(frozen=True)
class NetworkFormat:
    """One file of the network: where it is written and how it is described (``kg.void``) and served."""

    key: str  #: ``csv`` / ``json``: the ``format`` parameter of ``/statistics/network``
    filename: str  #: file name inside the release's ``dumps/``
    media_type: str  #: IANA media type (DCAT ``mediaType``, HTTP ``Content-Type``)
    file_type: str  #: EU file-type authority IRI (DCAT-AP's ``dct:format``)
    title: str


NETWORK_FORMATS: dict[str, NetworkFormat] = {
    f.key: f
    for f in (
        NetworkFormat("json", "network.json", "application/json",
                      "http://publications.europa.eu/resource/authority/file-type/JSON",
                      "Correspondent network: nodes and links (JSON, for d3, vis.js, networkx)"),
        NetworkFormat("csv", "network.csv", "text/csv",
                      "http://publications.europa.eu/resource/authority/file-type/CSV",
                      "Correspondent network: edge list (CSV, for Gephi, Palladio, pandas)"),
    )
}


class Edge(NamedTuple):
    """Letters from one sender to one recipient (one row of ``network.csv``)."""

    source: str
    source_label: str
    target: str
    target_label: str
    letters: int
    first_date: str | None
    last_date: str | None


class Node(NamedTuple):
    """One correspondent: the letters they sent and received."""

    id: str
    label: str
    letters_sent: int
    letters_received: int


@dataclass(frozen=True)
class NetworkFile:
    """A written network file: what the manifest, ``SHA256SUMS`` and the description say about it."""

    format: NetworkFormat
    path: Path
    size: int
    sha256: str

    def to_dict(self) -> dict[str, object]:
        """The manifest's entry, in the shape of a dump's (``kg.dumps.DumpFile.to_dict``), so the server lists
        and serves it like one."""
        return {"file": self.path.name, "format": f"network-{self.format.key}", "media_type": self.format.media_type,
                "served_media_type": self.format.media_type, "size": self.size, "sha256": self.sha256,
                "named_graphs": False, "compressed": False, "title": self.format.title}


# ------------------------------------------------------------------------------------------------ content
def edges(collector: StatisticsCollector) -> list[Edge]:
    """Every sender → recipient pair the collector counted, the busiest first."""
    out = []
    for (source, target), letters in collector.pairs.items():
        first, last = collector.first.get((source, target)), collector.last.get((source, target))
        out.append(Edge(source, collector.name(source), target, collector.name(target), letters,
                        _lexical(first), _lexical(last)))
    return sorted(out, key=lambda e: (-e.letters, e.source, e.target))


def nodes(collector: StatisticsCollector) -> list[Node]:
    """Every correspondent who sent or received a letter, the busiest first."""
    out = [Node(iri, collector.name(iri), collector.sent[iri], collector.received[iri])
           for iri in set(collector.sent) | set(collector.received)]
    return sorted(out, key=lambda n: (-(n.letters_sent + n.letters_received), n.id))


def network_csv(collector: StatisticsCollector) -> bytes:
    """The edge list as UTF-8 CSV: a header row, then one row per pair (RFC 4180 quoting, ``\\n`` line ends)."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for edge in edges(collector):
        writer.writerow(["" if value is None else value for value in edge])
    return text.getvalue().encode("utf-8")


def network_json(collector: StatisticsCollector) -> bytes:
    """Nodes and links as one UTF-8 JSON document (sorted keys, no spaces: 26,915 links stay a few MiB)."""
    document = {
        "directed": True,
        "multigraph": False,
        "graph": {
            "name": "Correspondent network",
            "dataset": collector.dataset_iri("correspondence"),
            "description": "Letters from each sender to each recipient, with the first and last date of sending "
                           "(proleptic Gregorian); a letter with several senders or recipients counts for each "
                           "pair.",
        },
        "nodes": [node._asdict() for node in nodes(collector)],
        # ``value`` repeats ``letters``: d3's and vis.js's examples scale a link's width by ``value``.
        "links": [{**edge._asdict(), "value": edge.letters} for edge in edges(collector)],
    }
    return (json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode("utf-8")


# ------------------------------------------------------------------------------------------------ writing
def write_network(folder: Path, collector: StatisticsCollector) -> list[NetworkFile]:
    """Write ``network.json`` and ``network.csv`` durably into ``folder`` (the release's ``dumps/`` under
    construction); return them in :data:`NETWORK_FORMATS` order with their sizes and SHA-256."""
    folder.mkdir(parents=True, exist_ok=True)
    content = {"json": network_json, "csv": network_csv}
    written = []
    for key, fmt in NETWORK_FORMATS.items():
        path = folder / fmt.filename
        size, digest = write_file(path, content[key](collector))
        written.append(NetworkFile(fmt, path, size, digest))
    return written


def _lexical(literal: str | None) -> str | None:
    """``"1918-01-09"^^<…#date>`` → ``1918-01-09`` (the collector keeps dates as canonical N-Triples literals)."""
    return None if literal is None else literal[1:literal.index('"', 1)]


__all__ = ["CSV_COLUMNS", "NETWORK_FORMATS", "Edge", "NetworkFile", "NetworkFormat", "Node", "edges",
           "network_csv", "network_json", "nodes", "write_network"]
