"""SHACL validation of the mapped graphs: refuse to publish what the shapes reject, and say where to fix it.

``load_shapes()`` reads ``shapes/*.ttl`` (one file per kind of resource); ``validate_graphs()`` validates the
mapping's named graphs with the compiled engine, pyshacl-turbo or pyshacl (``$KG_SHACL_ENGINE``, see
``kg.validate.engine``) in batches on all cores (see ``kg.validate.batches`` for why the batched answer equals
the whole-graph one) and returns a ``ValidationOutcome`` with structured results, an editor's report and the W3C
validation report graph.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rdflib import Graph

from kg import settings
from kg.validate.batches import DEFAULT_BATCH_SIZE, GraphCorpus, NamedGraph, as_corpus, validate_corpus
from kg.validate.engine import Runner, ShapesRunner, TurboRunner, engine_name, make_runner
from kg.validate.report import ValidationOutcome
from kg.validate.results import ValidationResult

__all__ = ["GraphCorpus", "ShapesRunner", "TurboRunner", "ValidationOutcome", "ValidationResult", "load_shapes",
           "validate_graphs"]

_RUNNERS: dict[str, Runner] = {}


def load_shapes(shapes_dir: Path | str | None = None) -> Graph:
    """Every ``*.ttl`` file of ``shapes_dir`` (default: the project's ``shapes/``) merged into one graph."""
    folder = Path(shapes_dir) if shapes_dir is not None else settings.shapes_dir()
    files = sorted(folder.glob("*.ttl"))
    if not files:
        raise FileNotFoundError(f"{folder}: no SHACL shapes (*.ttl) found")
    graph = Graph()
    for path in files:
        graph.parse(path, format="turtle")
    return graph


def runner_for(shapes: Graph | None = None) -> Runner:
    """A runner (on the engine ``$KG_SHACL_ENGINE`` selects) with the shapes harvested once; the default shapes'
    runner is kept for the process, one per engine."""
    if shapes is not None:
        return make_runner(shapes)
    engine = engine_name()
    if engine not in _RUNNERS:
        _RUNNERS[engine] = make_runner(load_shapes(), engine)
    return _RUNNERS[engine]


def validate_graphs(named_graphs: GraphCorpus | Iterable[NamedGraph], shapes: Graph | None = None,
                    workers: int | None = None, *, batch_size: int = DEFAULT_BATCH_SIZE) -> ValidationOutcome:
    """Validate the named graphs (as ``kg.mapping.map_corpus`` returns them) against the shapes.

    ``workers`` defaults to the number of cores; ``1`` validates in this process. Graphs named
    ``{base}/graph/source/…`` are validated in batches of ``batch_size``; all others are shared by every batch.
    """
    runner = runner_for(shapes)
    results, stats = validate_corpus(as_corpus(named_graphs), runner, workers=workers, batch_size=batch_size)
    return ValidationOutcome(results=results, shapes=runner.shapes, stats=stats)
