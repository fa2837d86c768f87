"""The SHACL engines that validate one batch, each turned into plain result records; ``$KG_SHACL_ENGINE`` picks.

Three engines give the same answer (``tests/validate`` runs every equality test under each and ties them to stock
pyshacl): ``compiled`` (``kg.validate.compiled``, the default), ``turbo`` (pyshacl-turbo, Rust) and ``pyshacl``
(``ShapesRunner`` below, the reference). Why a third engine: issue #5 asks for 100,000 letters in under a minute
on two cores. Turbo's native validation costs 10-17 µs a triple (a third of it loading data into its own store,
superlinear in the batch size), so 100,000 letters (14 million source triples) would take about six minutes;
pyrudof was slower and answered differently. The compiled engine reads the batch from two dicts filled directly
by ``kg.validate.batches`` and runs our shapes as Python closures, the SPARQL constraints once per batch on
Oxigraph. Measured with ``benchmarks/validate.py 1000 10000`` (all engines in one run, 2 workers, on a machine
shared with other jobs, load average 3-5 on 2 cores, so wall times are inflated; "map+validate" includes mapping
the letters inside the workers, 11 s of CPU at 10,000 letters, the same for every engine):

=========  =================================  =================================  =================================
letters    compiled: wall / CPU / peak PSS    turbo: wall / CPU / peak PSS       pyshacl: wall / CPU / peak PSS
=========  =================================  =================================  =================================
1,000      6.2 s / 4.2 s / 197 MiB            13.7 s / 10.6 s / 315 MiB          41.3 s / 28.4 s / 313 MiB
10,000     38.9 s / 37.4 s / 463 MiB          92.9 s / 82.0 s / 631 MiB          295.4 s / 253.2 s / 762 MiB
=========  =================================  =================================  =================================

Validation alone (the same 10,000 letters mapped beforehand, one process, ``validate_graphs(workers=1)``):
compiled 14.1 s of CPU (SPARQL on Oxigraph 3.8 s of it, filling the batches 4.1 s), turbo 49.1 s: 3.5x. That is
short of the 6x issue #5 asked for; scaled linearly, 100,000 letters need about 140 s of CPU to validate (70 s
on each of two idle cores) plus mapping, so not yet under a minute. ``kg.validate.compiled`` says where the time
goes.

``ShapesRunner``: one pyshacl run on one rdflib graph.

pyshacl is the reference SHACL engine here (``tests/validate/test_batches.py`` checks that this module answers
as ``pyshacl.validate`` does); this module only removes costs that do not change its answer when it runs
thousands of times in a row: the shapes are harvested once per process (not once per batch); the data graph is
validated in place (no inference, no clone) on a context-free store with a constant-time ``len``; SPARQL-based
constraints are parsed once instead of once per focus node (pyshacl hands rdflib the same query text for every
focus node, and parsing costs more than evaluating); a batch targets only its own nodes (``run(keep=...)``).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Union

import pyshacl.shape as pyshacl_shape
from pyshacl.constraints import ALL_CONSTRAINT_PARAMETERS, CONSTRAINT_PARAMETERS_MAP
from pyshacl.graph_abstraction import RdfLibDataGraph
from pyshacl.shapes_graph import ShapesGraph
from pyshacl.validator import Validator
from rdflib import Graph, URIRef
from rdflib.namespace import SH
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.stores.memory import Memory, SimpleMemory
from rdflib.term import Node

from kg.validate.results import ValidationResult

if TYPE_CHECKING:
    from kg.validate.compiled import CompiledRunner

# pyshacl looks up, for every (shape, focus nodes) evaluation, which of a shape's predicates are constraint
# parameters, in a list of about forty IRIs it caches on its shape module on first use; seeding that cache with a
# set (same members, same map) makes the lookup constant-time: 10-15 % of validation time, same answers.
# It must stay a list: with ``advanced=True`` (as kg.void uses) pyshacl copies it and appends to the copy.


class _ParameterList(list):
    """A list whose membership test is a set lookup; ``copy()`` gives a plain list, as pyshacl expects."""

    def __init__(self, items: list) -> None:
        super().__init__(items)
        self._members = frozenset(items)

    def __contains__(self, item: object) -> bool:
        return item in self._members


pyshacl_shape.CONSTRAINT_PARAMS = (_ParameterList(list(ALL_CONSTRAINT_PARAMETERS)), CONSTRAINT_PARAMETERS_MAP)

_LOG = logging.getLogger("kg.validate.pyshacl")
_LOG.setLevel(logging.ERROR)

_OPTIONS = {
    "inference": "none",
    "inplace": True,
    "advanced": False,
    "abort_on_first": False,
    "allow_infos": False,
    "allow_warnings": False,
    "iterate_rules": False,
    "use_js": False,
    "sparql_mode": False,
    "debug": False,
}


@lru_cache(maxsize=64)
def _prepared(text: str):
    return prepareQuery(text)


class CountingMemory(SimpleMemory):
    """rdflib's ``SimpleMemory`` store with a constant-time ``len``.

    pyshacl asks for the data graph's size for every result it describes (also for the intermediate results of
    ``sh:or``/``sh:not``), and ``SimpleMemory`` counts by iterating over every triple: quadratic in practice.
    """

    def __init__(self) -> None:
        super().__init__()
        self._count = 0

    def add(self, triple, context, quoted: bool = False) -> None:  # type: ignore[override]
        subject, predicate, obj = triple
        if obj not in self._SimpleMemory__spo.get(subject, {}).get(predicate, ()):  # type: ignore[attr-defined]
            self._count += 1
        super().add(triple, context, quoted)

    def remove(self, triple_pattern, context=None) -> None:  # type: ignore[override]
        super().remove(triple_pattern, context)
        self._count = sum(1 for _ in super().triples((None, None, None)))

    def __len__(self, context=None) -> int:
        return self._count


class PreparedQueryGraph(Graph):
    """An rdflib ``Graph`` that parses each distinct SPARQL text once and reuses the parsed query.

    It sits on a ``SimpleMemory`` store: validation needs no named graphs, and the context-aware default store
    spends about a third of pyshacl's time keeping track of contexts.
    """

    def __init__(self) -> None:
        super().__init__(store=CountingMemory())

    def query(self, query_object, *args, **kwargs):  # type: ignore[override]
        if isinstance(query_object, str):
            query_object = _prepared(query_object)
        return super().query(query_object, *args, **kwargs)


class ShapesRunner:
    """Validates data graphs against one shapes graph, harvesting the shapes once."""

    def __init__(self, shapes: Graph):
        # A copy: pyshacl adds a few system triples to the graph it is given. SimpleMemory: pyshacl reads the
        # shapes graph for every focus node, and the context-aware store would double that cost.
        self.shapes = Graph(store=CountingMemory())
        self.shapes += shapes
        for prefix, namespace in shapes.namespace_manager.namespaces():
            self.shapes.bind(prefix, namespace)
        self._shapes_graph = ShapesGraph(self.shapes, False, _LOG)
        _ = self._shapes_graph.shapes  # harvest now, before any fork, so workers inherit it

    @staticmethod
    def new_data() -> PreparedQueryGraph:
        """The container ``kg.validate.batches`` fills for this engine."""
        return PreparedQueryGraph()

    def run(self, data: Graph, keep: Callable[[Node], bool] | None = None) -> list[ValidationResult]:
        """Validate ``data`` in place; return every result (violations, warnings, infos).

        ``keep`` restricts the *targets* of every shape to the focus nodes it accepts; nodes reached from a kept
        focus node (``sh:node``, ``sh:or`` ...) are still validated in full. (pyshacl's own ``focus_nodes``
        option filters nested validations too, and so misses errors.) A batch uses it to skip the shared
        resources it holds only as context: they are validated once, in the common pass.
        """
        options = dict(_OPTIONS, logger=_LOG)
        # pyshacl's wrapper insists on a context-aware store of its own; it reads and writes nothing in it here.
        wrapped = RdfLibDataGraph(Memory(), impl=data)
        validator = Validator(wrapped, shacl_graph=_EMPTY, options=options)
        validator.shacl_graph = self._shapes_graph
        executor = validator.make_executor()
        conforms, reports = True, []
        for shape in self._shapes_graph.shapes:
            focus = list(shape.focus_nodes(wrapped))
            if keep is not None:
                focus = [node for node in focus if keep(node)]
            if not focus:
                continue
            shape_conforms, shape_reports = shape.validate(executor, wrapped, focus=focus)
            conforms = conforms and shape_conforms
            reports.extend(shape_reports)
        report, _text = validator.create_validation_report(self._shapes_graph, conforms, reports)
        return results_from_report(report)


_EMPTY = Graph()


class TurboRunner:
    """The same shapes run by pyshacl-turbo (a Rust SHACL engine), about 3x faster than ``ShapesRunner`` and
    about 3.5x slower than the compiled engine (module docstring).

    ``ShapesRunner`` stays the reference: the tests run the batched and mutation checks under both engines and
    tie ``ShapesRunner`` to stock pyshacl. Turbo cannot restrict the validated targets, so ``keep`` filters the
    results by focus node instead: the same answer, because every result's focus node is the target node that
    produced it (nested ``sh:node``/``sh:or`` results are reported on the outer focus node).
    """

    def __init__(self, shapes: Graph):
        import pyshacl_turbo

        self.shapes = Graph()
        self.shapes += shapes
        for prefix, namespace in shapes.namespace_manager.namespaces():
            self.shapes.bind(prefix, namespace)
        self._compiled = pyshacl_turbo.compile_shapes(self.shapes)

    @staticmethod
    def new_data() -> PreparedQueryGraph:
        """The container ``kg.validate.batches`` fills for this engine."""
        return PreparedQueryGraph()

    def run(self, data: Graph, keep: Callable[[Node], bool] | None = None) -> list[ValidationResult]:
        """Validate ``data``; return every result (violations, warnings, infos) whose focus node ``keep`` accepts."""
        _conforms, report, _text = self._compiled.validate(data, allow_warnings=True, allow_infos=True)
        results = results_from_report(report)
        return results if keep is None else [r for r in results if keep(r.focus)]


ENGINE_VARIABLE = "KG_SHACL_ENGINE"
ENGINES = ("compiled", "turbo", "pyshacl")


def turbo_available() -> bool:
    try:
        import pyshacl_turbo  # noqa: F401
    except ImportError:
        return False
    return True


def engine_name() -> str:
    """The SHACL engine to use: ``$KG_SHACL_ENGINE`` (``compiled``, ``turbo`` or ``pyshacl``), by default
    ``compiled`` (it passes every equality test of ``tests/validate``, see ``kg.validate.compiled``). Turbo asked
    for without pyshacl-turbo installed falls back to pyshacl (silently: same answer, only slower)."""
    name = os.environ.get(ENGINE_VARIABLE, "").strip().lower() or "compiled"
    if name not in ENGINES:
        raise ValueError(f"{ENGINE_VARIABLE}={name!r}: expected one of {', '.join(ENGINES)}")
    if name == "turbo" and not turbo_available():
        return "pyshacl"
    return name


Runner = Union[ShapesRunner, TurboRunner, "CompiledRunner"]


def make_runner(shapes: Graph, engine: str | None = None) -> Runner:
    """A runner for ``shapes`` on ``engine`` (default: ``engine_name()``)."""
    name = engine or engine_name()
    if name == "compiled":
        from kg.validate.compiled import CompiledRunner

        return CompiledRunner(shapes)
    return TurboRunner(shapes) if name == "turbo" else ShapesRunner(shapes)


def results_from_report(report: Graph) -> list[ValidationResult]:
    """Read the ``sh:result`` nodes of a W3C validation report graph (not the nested ``sh:detail`` results,
    which pyshacl attaches to an ``sh:node`` result and types ``sh:ValidationResult`` too)."""
    out = []
    for result in report.objects(None, SH.result):
        messages = sorted(str(m) for m in report.objects(result, SH.resultMessage))
        out.append(ValidationResult(
            focus=report.value(result, SH.focusNode),
            path=report.value(result, SH.resultPath),
            component=report.value(result, SH.sourceConstraintComponent),
            severity=report.value(result, SH.resultSeverity),
            message=" ".join(messages),
            shape=report.value(result, SH.sourceShape),
            value=report.value(result, SH.value),
            constraint=report.value(result, SH.sourceConstraint),
        ))
    return out


def path_text(graph: Graph, path: Node) -> str:
    """A SHACL path written as a SPARQL property path, with full IRIs in angle brackets."""
    if isinstance(path, URIRef):
        return f"<{path}>"
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return f"^{path_text(graph, inverse)}"
    for prop, suffix in ((SH.zeroOrMorePath, "*"), (SH.oneOrMorePath, "+"), (SH.zeroOrOnePath, "?")):
        inner = graph.value(path, prop)
        if inner is not None:
            return f"({path_text(graph, inner)}){suffix}"
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(path_text(graph, p) for p in graph.items(alternatives)) + ")"
    members = list(graph.items(path))
    if members:
        return "/".join(path_text(graph, p) for p in members)
    return str(path)
