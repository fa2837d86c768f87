"""The whole chain, top to bottom: sources → records → graphs → shapes → published release.

This module only sequences the stages and turns their failures into one message for the editor; each stage
lives in its own module. Nothing is published unless every stage succeeded: the publisher writes the new release
beside the current one and swaps it in only at the end, so a failed build leaves the served build untouched.
"""

from __future__ import annotations

import hashlib
import sys
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path

from rdflib import Graph, URIRef

from kg import settings


class BuildError(Exception):
    """A build that must not be published, with a message naming what to fix."""


NOT_PUBLISHED = "Nothing was published; the previous build (if any) is still the one served."


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def default_authorities_for(sources_dir: Path) -> Path:
    """Authorities live beside the sources (``data/sources`` → ``data/authorities``), so a corpus is one folder."""
    sibling = sources_dir.resolve().parent / "authorities"
    return sibling if sibling.is_dir() else settings.default_authorities_dir()


def default_mappings_for(sources_dir: Path) -> Path:
    sibling = sources_dir.resolve().parent / "mappings"
    return sibling if sibling.is_dir() else settings.default_mappings_dir()


def _bars(quiet: bool, unit: str, desc: str) -> Callable[[Iterable], Iterable]:
    """A progress-bar wrapper for one stage; silent with ``--quiet`` and when stderr is not a terminal."""
    from tqdm import tqdm

    def wrap(items: Iterable) -> Iterable:
        total = len(items) if hasattr(items, "__len__") else None
        return tqdm(items, total=total, desc=desc, unit=unit, disable=quiet or None, leave=False,
                    file=sys.stderr)

    return wrap


def assemble_graphs(sources: Path, base_uri: str, *, authorities_dir: Path | None = None,
                    mappings_dir: Path | None = None, progress: Callable[[str], None] | None = None,
                    quiet: bool = True) -> tuple[list[tuple[URIRef, Graph]], list[dict]]:
    """Read, map and link the sources; return the named graphs and a description of each source file."""
    from kg.authorities import AuthorityError, load_authorities
    from kg.mapping import map_corpus
    from kg.sources import read_sources

    say = progress or (lambda _msg: None)
    if not sources.exists():
        raise BuildError(f"{sources}: no such file or folder of sources. {NOT_PUBLISHED}")
    say(f"reading sources from {sources}")
    result = read_sources([sources], progress=_bars(quiet, "file", "parse"))
    if result.errors:
        lines = "\n".join(f"  {problem}" for problem in result.errors)
        raise BuildError(f"{len(result.errors)} source file(s) could not be read:\n{lines}\n{NOT_PUBLISHED}")
    if not result.records:
        raise BuildError(f"{sources}: no letters found in {len(result.read)} file(s). {NOT_PUBLISHED}")

    digests = {str(path): sha256_file(Path(path)) for path in result.read}
    per_file = Counter(record.source.path for record in result.records if record.source)
    source_info = [{"path": path, "sha256": digest, "documents": per_file.get(path, 0)}
                   for path, digest in sorted(digests.items())]

    authorities_dir = authorities_dir or default_authorities_for(sources if sources.is_dir() else sources.parent)
    say(f"mapping {len(result.records)} document(s) with authorities from {authorities_dir}")
    try:
        authorities = load_authorities(authorities_dir)
    except AuthorityError as exc:
        raise BuildError(f"the authority files cannot be read: {exc}\n{NOT_PUBLISHED}") from exc
    graphs = list(map_corpus(result.records, authorities, base_uri, digests,  # includes the ontology graph
                             progress=_bars(quiet, "letter", "map")))
    graphs.extend(_wikidata_graphs(mappings_dir or default_mappings_for(sources), authorities, base_uri))
    problems = curator_problems(graphs)
    if problems:
        shown = "\n".join(f"  {problem}" for problem in problems[:10])
        more = f"\n  ... and {len(problems) - 10} more (see manifest.json, extra.curator_report)" \
            if len(problems) > 10 else ""
        say(f"{len(problems)} name(s) or part(ies) match no authority entry (add them to {authorities_dir} "
            f"if they are persons, places, organisations or events):\n{shown}{more}")
    return graphs, source_info


def curator_problems(graphs: list[tuple[URIRef, Graph]]) -> list[str]:
    """What the mapping could not resolve, per source file, for the curator: unknown parties (a letter's sender or
    recipient) first, then capitalised names in texts and notes that no authority entry explains."""
    found = [f"{Path(str(name)).name}: {problem}" for name, graph in graphs
             for problem in getattr(graph, "problems", [])]
    return sorted(found, key=lambda problem: "unknown name" in problem)


def _wikidata_graphs(mappings_dir: Path, authorities, base_uri: str) -> list[tuple[URIRef, Graph]]:
    """Curator-accepted Wikidata links and their enrichment, when the linking module and its files exist."""
    from kg.wikidata import build_graphs
    from kg.wikidata.sssom import SSSOMError

    try:
        return list(build_graphs(mappings_dir, authorities, base_uri))
    except SSSOMError as exc:
        raise BuildError(f"the reviewed Wikidata links cannot be read: {exc}\n{NOT_PUBLISHED}") from exc


def run_build(sources: Path, out_dir: Path, base_uri: str, *, quiet: bool = False,
              authorities_dir: Path | None = None) -> Path:
    """Parse, map, validate and publish; return the path of the new release."""
    from kg.publish import PublishError, publish_release
    from kg.validate import validate_graphs

    say = (lambda _msg: None) if quiet else (lambda msg: print(f"kg build: {msg}", flush=True))
    graphs, source_info = assemble_graphs(sources, base_uri, authorities_dir=authorities_dir, progress=say,
                                          quiet=quiet)
    say(f"validating {sum(len(g) for _, g in graphs)} triples against the shapes")
    outcome = validate_graphs(graphs)
    if not outcome.conforms:
        raise BuildError(f"the graph does not conform to the shapes:\n{outcome.report_text()}\n{NOT_PUBLISHED}")
    say(f"publishing into {out_dir}")
    try:
        return publish_release(graphs, out_dir, base_uri=base_uri, sources=source_info,
                               extra={"curator_report": curator_problems(graphs)})
    except PublishError as exc:
        raise BuildError(f"publishing failed: {exc}\n{NOT_PUBLISHED}") from exc


def validate_path(path: Path, fmt: str, base_uri: str) -> tuple[bool, str]:
    """Validate sources (folder or page) or an RDF file; return (conforms, report in ``fmt``)."""
    from kg.rdffiles import read_named_graphs
    from kg.validate import validate_graphs

    if path.is_file() and path.suffix.lower() in {".ttl", ".nt", ".nq", ".trig", ".jsonld", ".rdf", ".xml"} \
            and not _looks_like_cmif(path):
        graphs = read_named_graphs(path)
    else:
        graphs, _ = assemble_graphs(path, base_uri)
    outcome = validate_graphs(graphs)
    if fmt == "ttl":
        return outcome.conforms, outcome.report_graph().serialize(format="turtle")
    return outcome.conforms, outcome.report_text()


def _looks_like_cmif(path: Path) -> bool:
    if path.suffix.lower() != ".xml":
        return False
    with path.open("rb") as handle:
        head = handle.read(1 << 16)
    return b"correspDesc" in head or b"tei-c.org" in head
