"""The compiled SHACL engine: the shapes graph turned once into Python closures over plain dict indexes.

Why: pyshacl (the reference) and pyshacl-turbo (Rust) both spend most of their time on generic machinery, not on
our rules: turbo's native validation alone costs 10-17 µs a triple, a third of it loading the data into its own
store, so 100,000 letters took about six minutes. Our shapes use a small, fixed part of SHACL; compiled to
closures that read ``kg.validate.index.TripleIndex`` (two dicts that ``kg.validate.batches`` fills directly, with
no copy into an rdflib graph), a batch costs a few dict lookups per constraint and value node. The SPARQL-based
constraints run their real queries once per batch on Oxigraph (``kg.validate.sparql``).

The answer is pyshacl's, result for result (focus, path, component, severity, message, source shape, value,
source constraint): every constraint component follows the code of pyshacl 0.40's component, including its
quirks (which literals are ill-typed for ``sh:datatype``, string/non-string comparisons, ``sh:hasValue`` and
``sh:uniqueLang`` results without a value, a nested shape failing whatever its severity, as ``ShapesRunner``
runs it). A constraint without ``sh:message`` gets pyshacl's own generic message, computed by pyshacl's
component (rare, so the cost does not matter). A SHACL feature the compiler does not know raises
``NotImplementedError`` when the shapes are compiled, never a silent pass. ``tests/validate`` runs every
equality test under this engine too and ``tests/validate/test_compiled.py`` compares it with pyshacl feature by
feature.

Where the time goes (10,000 letters mapped beforehand, one process, ``validate_graphs(workers=1)``, garbage
collector frozen as ``kg build`` has it: about 9-10 s of CPU; turbo 49.1 s; this engine took 14.1 s before the
batches paused the collector and the SPARQL copy was narrowed): the runs of this engine 6.2 s, of which the SPARQL
constraints about 1.5 s (copying into Oxigraph what a forward walk from the focus nodes reaches,
``kg.validate.sparql``) and the closures the rest (a few dict lookups per value node and constraint; the shapes
graph is interned, so those lookups succeed on identity and rdflib's Python-level ``__eq__`` is rarely called);
copying the source graphs and their shared context into the batches 1.8 s; the common pass over the shared graphs
0.7 s; locating the results 0.4 s. No cyclic garbage collection runs during a batch
(``kg.memory.without_collector``): it cost a tenth of the time.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable
from datetime import date, datetime, time
from decimal import Decimal

from pyshacl.constraints import CONSTRAINT_PARAMETERS_MAP
from pyshacl.rdfutil.compare import compare_literal
from pyshacl.shape import Shape
from pyshacl.shapes_graph import ShapesGraph
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SH, XSD
from rdflib.term import Node

from kg.validate.engine import PreparedQueryGraph
from kg.validate.index import BLANK, IRI, LITERAL, TYPE, TripleIndex, kind
from kg.validate.results import ValidationResult
from kg.validate.sparql import SparqlConstraint, compile_constraint, run_constraints

_LOG = logging.getLogger("kg.validate.compiled")
_NOTHING: dict = {}
_NONE: frozenset = frozenset()
# rdflib's namespace attribute lookups cost a Python call each; the hot paths read these constants instead.
_TYPE, _SUBCLASS, _RESOURCE = TYPE, RDFS.subClassOf, RDFS.Resource
_XSD_STRING, _LANG_STRING, _RDFS_LITERAL, _RDFS_DATATYPE = XSD.string, RDF.langString, RDFS.Literal, RDFS.Datatype
_PLAIN_DATATYPES = (None, _LANG_STRING, _XSD_STRING)

#: Constraint parameters the compiler turns into closures; any other pyshacl constraint parameter is refused.
HANDLED = frozenset({
    SH.minCount, SH.maxCount, SH["class"], SH.datatype, SH.nodeKind, SH["in"], SH.hasValue, SH.closed,
    SH.ignoredProperties, SH.pattern, SH.flags, SH.minLength, SH.maxLength, SH.languageIn, SH.uniqueLang,
    SH.minInclusive, SH.minExclusive, SH.maxInclusive, SH.maxExclusive, SH.lessThan, SH.lessThanOrEquals,
    SH.node, SH["or"], SH["not"], SH["and"], SH.xone, SH.property, SH.qualifiedValueShape, SH.qualifiedMinCount,
    SH.qualifiedMaxCount, SH.qualifiedValueShapesDisjoint, SH.sparql,
})


class _Run:
    """One validation: the data, the class hierarchy found in it, and which nodes conform to nested shapes."""

    __slots__ = ("index", "spo", "ops", "_classes", "_memo", "_graph", "_filled")

    def __init__(self, index: TripleIndex, reverse: frozenset[Node], graph: Graph | None = None) -> None:
        self.index, self.spo, self.ops = index, index.spo, index.reverse(reverse)
        self._graph, self._filled = graph, graph is not None
        self._classes: dict[Node, frozenset[Node]] = {}
        #: Shape → node → whether it conforms: one dict per shape, so no key tuple is made per node (a memo of
        #: the pass over the shared graphs holds a million nodes at 100,000 letters).
        self._memo: dict[_Shape, dict[Node, bool]] = {}

    def subclasses(self, cls: Node) -> frozenset[Node]:
        """``cls`` and everything ``rdfs:subClassOf*`` it in the data (SHACL's class instance test)."""
        found = self._classes.get(cls)
        if found is None:
            seen, stack = {cls}, [cls]
            while stack:
                for sub in self.ops.get(stack.pop(), _NOTHING).get(_SUBCLASS, ()):
                    if sub not in seen:
                        seen.add(sub)
                        stack.append(sub)
            found = self._classes[cls] = frozenset(seen)
        return found

    def has_class(self, node: Node, cls: Node) -> bool:
        if kind(node) == LITERAL:
            return False
        types = self.spo.get(node, _NOTHING).get(_TYPE)
        return bool(types) and not self.subclasses(cls).isdisjoint(types)

    def message_graph(self, with_triples: bool) -> Graph:
        """The rdflib graph the other engines would have been given (for pyshacl's generic messages): the caller's
        graph, or a fresh ``PreparedQueryGraph`` as ``kg.validate.batches`` makes, filled only when a blank node
        has to be described."""
        if self._graph is None:
            self._graph = PreparedQueryGraph()
        if with_triples and not self._filled:
            for triple in self.index:
                self._graph.add(triple)
            self._filled = True
        return self._graph

    def conforms(self, shape: _Shape, node: Node) -> bool:
        memo = self._memo.get(shape)
        if memo is None:
            memo = self._memo[shape] = {}
        found = memo.get(node)
        if found is None:
            memo[node] = True  # a shape reached again while it is evaluated passes, as pyshacl's recursion guard
            found = memo[node] = shape.validate(self, (node,), None)
        return found


Check = Callable[[_Run, Node, Iterable[Node], "list | None"], bool]


class _Shape:
    """A compiled shape: how to get its value nodes, its checks, and how its results read."""

    def __init__(self, shape: Shape, compiler: _Compiler) -> None:
        self.node = shape.node
        self.severity = shape.severity
        self.messages = tuple(shape.message)
        self.message = " ".join(sorted(str(m) for m in set(self.messages))) if self.messages else None
        self.deactivated = bool(shape.deactivated)
        self.is_property = shape.is_property_shape
        self.path = shape.path() if self.is_property else None
        self.values = compiler.path(self.path) if self.is_property else None
        self.checks: list[Check] = []
        self.sparql: list[SparqlConstraint] = []
        self._compiler = compiler

    def validate(self, run: _Run, focus: Iterable[Node], out: list | None) -> bool:
        """Check every focus node; append results to ``out`` (``None``: only say whether all conform)."""
        if self.deactivated:
            return True
        conforms = True
        values_of = self.values
        for f in focus:
            values = values_of(run, f) if values_of is not None else (f,)
            for check in self.checks:
                if not check(run, f, values, out):
                    conforms = False
                    if out is None:
                        return False
        return conforms

    def result(self, run: _Run, f: Node, value: Node | None, component: URIRef, parameter: URIRef,
               path: Node | None = None) -> ValidationResult:
        message = self.message
        if message is None:
            graph = run.message_graph(kind(f) == BLANK or kind(value) == BLANK)
            message = self._compiler.generic_message(self.node, parameter, f, value, graph)
        return ValidationResult(focus=f, path=path if path is not None else self.path, component=component,
                                severity=self.severity, message=message, shape=self.node, value=value)

    def sparql_result(self, constraint: SparqlConstraint, this: Node, path: Node | None, value: Node | None,
                      extra: tuple[tuple[str, Node], ...]) -> ValidationResult:
        """As pyshacl's ``make_v_result`` with bound variables: the shape's and the constraint's messages, each
        with ``{$var}``/``{?var}`` replaced by the row's values."""
        value = value if value is not None else (None if self.is_property else this)
        path = path if path is not None else self.path
        bound = dict(extra)
        for name, term in (("this", this), ("path", path), ("value", value)):
            if term is not None:
                bound[name] = term
        texts = {_format(str(m), bound) for m in self.messages}
        texts.update(_format(str(m), bound) for m in constraint.messages if m not in self.messages)
        return ValidationResult(focus=this, path=path, component=SH.SPARQLConstraintComponent,
                                severity=self.severity, message=" ".join(sorted(texts)), shape=self.node,
                                value=value, constraint=constraint.node)


def _format(message: str, bound: dict[str, Node]) -> str:
    for name, term in bound.items():
        message = re.sub(f"{{[?$]{name}}}", str(term), message)
    return message


class _Compiler:
    """Turns pyshacl's harvested shapes into ``_Shape`` objects (each shape compiled once, recursion allowed)."""

    def __init__(self, shapes: Graph) -> None:
        self.graph = shapes
        self.sg = ShapesGraph(shapes, False, _LOG)
        self.compiled: dict[Node, _Shape] = {}
        #: Predicates read backwards (``TripleIndex.reverse``): class targets and instances, inverse paths.
        self.reverse: set[Node] = {_TYPE, _SUBCLASS}
        self._generic: dict[tuple[Node, URIRef], object] = {}

    def shape(self, node: Node) -> _Shape:
        found = self.compiled.get(node)
        if found is None:
            pyshacl_shape = self.sg.lookup_shape_from_node(node)
            found = self.compiled[node] = _Shape(pyshacl_shape, self)
            self._fill(found)
        return found

    def generic_message(self, node: Node, parameter: URIRef, focus: Node, value: Node | None, data: Graph) -> str:
        """pyshacl's default message for a constraint without ``sh:message``, from pyshacl's own component
        (which names IRIs with ``data``'s prefixes and describes a blank node by its triples in ``data``)."""
        key = (node, parameter)
        component = self._generic.get(key)
        if component is None:
            component = self._generic[key] = CONSTRAINT_PARAMETERS_MAP[parameter](self.sg.lookup_shape_from_node(node))
        messages = component.make_generic_messages(data, focus, value)  # type: ignore[attr-defined]
        return " ".join(sorted(str(m) for m in set(messages)))

    def path(self, path: Node) -> Callable[[_Run, Node], Iterable[Node]]:
        g = self.graph
        if isinstance(path, URIRef):
            def forward(run: _Run, f: Node) -> Iterable[Node]:
                return run.spo.get(f, _NOTHING).get(path, _NONE)
            return forward
        inverse = g.value(path, SH.inversePath)
        if isinstance(inverse, URIRef):
            self.reverse.add(inverse)

            def backward(run: _Run, f: Node) -> Iterable[Node]:
                return run.ops.get(f, _NOTHING).get(inverse, _NONE)
            return backward
        if inverse is not None:
            inner = self.path(inverse)
            return lambda run, f: {s for s in set(run.spo) | {f} if f in inner(run, s)}
        alternatives = g.value(path, SH.alternativePath)
        if alternatives is not None:
            steps = [self.path(p) for p in g.items(alternatives)]
            return lambda run, f: set().union(*(step(run, f) for step in steps))
        for prop, least, most in ((SH.zeroOrMorePath, 0, None), (SH.oneOrMorePath, 1, None),
                                  (SH.zeroOrOnePath, 0, 1)):
            inner_path = g.value(path, prop)
            if inner_path is not None:
                return _repeat(self.path(inner_path), least, most)
        members = list(g.items(path))
        if members:
            steps = [self.path(p) for p in members]

            def sequence(run: _Run, f: Node) -> Iterable[Node]:
                frontier: set[Node] = {f}
                for step in steps:
                    frontier = {v for node in frontier for v in step(run, node)}
                return frontier
            return sequence
        raise NotImplementedError(f"unsupported SHACL path {path!r}")

    def _fill(self, shape: _Shape) -> None:
        g, node = self.graph, shape.node
        for parameter in set(g.predicates(node, None)):
            if parameter in CONSTRAINT_PARAMETERS_MAP and parameter not in HANDLED:
                raise NotImplementedError(f"{node}: the compiled engine does not support {parameter}")
        objects = {p: list(g.objects(node, p)) for p in HANDLED}
        add = shape.checks.append
        for n in objects[SH.minCount]:
            add(_min_count(shape, int(n)))
        for n in objects[SH.maxCount]:
            add(_max_count(shape, int(n)))
        for cls in objects[SH["class"]]:
            add(_class(shape, cls))
        if objects[SH.datatype]:
            add(_datatype(shape, objects[SH.datatype][0]))
        if objects[SH.nodeKind]:
            add(_node_kind(shape, objects[SH.nodeKind][0]))
        for members in objects[SH["in"]]:
            add(_in(shape, frozenset(g.items(members))))
        if objects[SH.hasValue]:
            add(_has_value(shape, objects[SH.hasValue]))
        if any(bool(c.toPython()) for c in objects[SH.closed]):
            ignored = {p for lst in objects[SH.ignoredProperties] for p in g.items(lst)}
            paths = {g.value(p, SH.path) for p in objects[SH.property]}
            add(_closed(shape, frozenset(ignored | paths)))
        if objects[SH.pattern]:
            add(_pattern(shape, objects[SH.pattern][0], objects[SH.flags]))
        for n in objects[SH.minLength]:
            add(_length(shape, n, SH.minLength))
        for n in objects[SH.maxLength]:
            add(_length(shape, n, SH.maxLength))
        if objects[SH.languageIn]:
            add(_language_in(shape, objects[SH.languageIn][0], g))
        if any(bool(u.toPython()) for u in objects[SH.uniqueLang][:1]):
            add(_unique_lang(shape))
        for parameter, test in _RANGES.items():
            for bound in objects[parameter]:
                add(_range(shape, bound, parameter, test))
        for parameter in (SH.lessThan, SH.lessThanOrEquals):
            for other in objects[parameter]:
                if not shape.is_property:
                    raise NotImplementedError(f"{node}: {parameter} on a node shape")
                add(_less_than(shape, other, parameter))
        for other in objects[SH.node]:
            add(_node(shape, self.shape(other)))
        for parameter in (SH["or"], SH["and"], SH.xone):
            for members in objects[parameter]:
                add(_logical(shape, [self.shape(m) for m in g.items(members)], parameter))
        for other in objects[SH["not"]]:
            add(_not(shape, self.shape(other)))
        for prop in objects[SH.property]:
            add(_property(self.shape(prop)))
        for qualified in objects[SH.qualifiedValueShape]:
            if any(bool(d.toPython()) for d in objects[SH.qualifiedValueShapesDisjoint]):
                raise NotImplementedError(f"{node}: sh:qualifiedValueShapesDisjoint")
            low = [int(n) for n in objects[SH.qualifiedMinCount]]
            high = [int(n) for n in objects[SH.qualifiedMaxCount]]
            add(_qualified(shape, self.shape(qualified), low[0] if low else None, high[0] if high else None))
        for constraint in objects[SH.sparql]:
            if (constraint, SH.deactivated, Literal(True)) in g:
                continue
            select = g.value(constraint, SH.select)
            if select is None:
                raise NotImplementedError(f"{constraint}: only sh:select SPARQL constraints are supported")
            shape.sparql.append(compile_constraint(node, constraint, str(select), self._prefixes(constraint),
                                                   g.objects(constraint, SH.message)))

    def _prefixes(self, constraint: Node) -> dict[str, str]:
        g, prefixes = self.graph, {}
        for holder in g.objects(constraint, SH.prefixes):
            for declaration in g.objects(holder, SH.declare):
                prefixes[str(g.value(declaration, SH.prefix))] = str(g.value(declaration, SH.namespace))
        return prefixes


def _repeat(step, least: int, most: int | None):
    def walk(run: _Run, f: Node) -> Iterable[Node]:
        found: set[Node] = {f} if least == 0 else set()
        frontier, depth = {f}, 0
        seen = {f}
        while frontier and (most is None or depth < most):
            depth += 1
            nxt = set()
            for node in frontier:
                for v in step(run, node):
                    found.add(v)
                    if v not in seen:
                        seen.add(v)
                        nxt.add(v)
            frontier = nxt
        return found
    return walk


# --- constraint components: each returns check(run, focus, value nodes, out) -> conforms -----------------------


def _min_count(shape: _Shape, n: int) -> Check:
    def check(run, f, values, out):
        if len(values) >= n:
            return True
        if out is not None:
            out.append(shape.result(run, f, None, SH.MinCountConstraintComponent, SH.minCount))
        return False
    return check


def _max_count(shape: _Shape, n: int) -> Check:
    def check(run, f, values, out):
        if len(values) <= n:
            return True
        if out is not None:
            out.append(shape.result(run, f, None, SH.MaxCountConstraintComponent, SH.maxCount))
        return False
    return check


def _each(shape: _Shape, ok: Callable[[_Run, Node], bool], component: URIRef, parameter: URIRef) -> Check:
    """A check that fails once per value node ``ok`` rejects, with that node as ``sh:value``."""
    def check(run, f, values, out):
        conforms = True
        for v in values:
            if not ok(run, v):
                if out is None:
                    return False
                conforms = False
                out.append(shape.result(run, f, v, component, parameter))
        return conforms
    return check


def _class(shape: _Shape, cls: Node) -> Check:
    return _each(shape, lambda run, v: run.has_class(v, cls), SH.ClassConstraintComponent, SH["class"])


def _actual_datatype(rule: Node) -> Callable[[object], bool]:
    """pyshacl's test of a literal's Python value for ``rule`` (any value passes for datatypes it does not know)."""
    types = {XSD.string: (str, bytes), RDF.langString: (str, bytes), XSD.integer: int, XSD.float: float,
             XSD.decimal: Decimal, XSD.boolean: bool, XSD.date: date, XSD.time: time, XSD.dateTime: datetime}
    wanted = types.get(rule)
    if wanted is None:
        return lambda python: True
    return lambda python: isinstance(python, wanted)


def datatype_test(rule: Node) -> Callable[[Node], bool]:
    """pyshacl's ``sh:datatype`` test for ``rule``: same datatype IRI and not ill-typed (as rdflib parsed it);
    the comparisons with constant IRIs are made here, once, not per value."""
    actual = _actual_datatype(rule)
    any_literal = rule == _RDFS_LITERAL
    any_typed = rule == _RDFS_DATATYPE
    plain_string = rule == _XSD_STRING
    lang_string = rule == _LANG_STRING

    def test(v: Node) -> bool:
        if kind(v) != LITERAL:
            return False
        datatype = v.datatype  # type: ignore[attr-defined]
        # ``str.__eq__``: both are IRIs, and rdflib's own ``__eq__`` is a Python call per value node.
        if datatype is rule or (datatype is not None and str.__eq__(datatype, rule)):
            if getattr(v, "ill_typed", None) is True:
                return False
            return actual(v.value)  # type: ignore[attr-defined]
        if any_literal:
            return True
        if any_typed and datatype:
            return True
        if plain_string and datatype is None and v.language is None:  # type: ignore[attr-defined]
            return actual(v.value)  # type: ignore[attr-defined]
        if lang_string and v.language:  # type: ignore[attr-defined]
            return actual(v.value)  # type: ignore[attr-defined]
        return False
    return test


def _datatype(shape: _Shape, rule: Node) -> Check:
    test = datatype_test(rule)
    return _each(shape, lambda run, v: test(v), SH.DatatypeConstraintComponent, SH.datatype)


_NODE_KINDS = {
    SH.IRI: {IRI}, SH.BlankNode: {BLANK}, SH.Literal: {LITERAL}, SH.BlankNodeOrIRI: {BLANK, IRI},
    SH.BlankNodeOrLiteral: {BLANK, LITERAL}, SH.IRIOrLiteral: {IRI, LITERAL},
}


def _node_kind(shape: _Shape, node_kind: Node) -> Check:
    kinds = _NODE_KINDS[node_kind]
    return _each(shape, lambda run, v: kind(v) in kinds, SH.NodeKindConstraintComponent, SH.nodeKind)


def _in(shape: _Shape, members: frozenset[Node]) -> Check:
    return _each(shape, lambda run, v: v in members, SH.InConstraintComponent, SH["in"])


def _has_value(shape: _Shape, wanted: list[Node]) -> Check:
    def check(run, f, values, out):
        conforms = True
        for value in wanted:
            if value not in values:
                if out is None:
                    return False
                conforms = False
                out.append(shape.result(run, f, None, SH.HasValueConstraintComponent, SH.hasValue))
        return conforms
    return check


def _closed(shape: _Shape, allowed: frozenset[Node]) -> Check:
    def check(run, f, values, out):
        conforms = True
        for v in values:
            po = run.spo.get(v, _NOTHING)
            if po.keys() <= allowed:  # the usual case, tested in C with no set made
                continue
            for p, objects in po.items():
                if p in allowed:
                    continue
                for o in objects:
                    if p == _TYPE and o == _RESOURCE:
                        continue
                    if out is None:
                        return False
                    conforms = False
                    out.append(shape.result(run, f, o, SH.ClosedConstraintComponent, SH.closed, path=p))
        return conforms
    return check


def _string(v: Node) -> str:
    """pyshacl's string form of a value node for the string-based constraints. rdflib's IRIs and literals are
    ``str`` subclasses holding that form already: they are returned as they are (``str()`` would copy a letter's
    whole text for every check)."""
    node_kind = kind(v)
    if node_kind == LITERAL:
        value = v.value  # type: ignore[attr-defined]
        if value is not None and v.datatype in _PLAIN_DATATYPES:  # type: ignore[attr-defined]
            return value if type(value) is str else str(value)
        return v  # type: ignore[return-value]
    if node_kind == IRI:
        return v  # type: ignore[return-value]
    return str(v)


def _pattern(shape: _Shape, pattern: Literal, flags: list[Node]) -> Check:
    re_flags = 0
    if flags:
        text = str(flags[0].value if isinstance(flags[0], Literal) else flags[0]).lower()
        re_flags |= re.I if "i" in text else 0
        re_flags |= re.M if "m" in text else 0
    source = str(pattern.value) if pattern.value is not None and len(pattern.value) > 1 else str(pattern)
    matcher = re.compile(source, re_flags)
    return _each(shape, lambda run, v: kind(v) != BLANK and matcher.search(_string(v)) is not None,
                 SH.PatternConstraintComponent, SH.pattern)


def _length(shape: _Shape, bound: Literal, parameter: URIRef) -> Check:
    n = bound.value
    if parameter == SH.minLength:
        def ok(run, v):
            return n == 0 or (kind(v) != BLANK and len(_string(v)) >= n)
        return _each(shape, ok, SH.MinLengthConstraintComponent, parameter)
    return _each(shape, lambda run, v: kind(v) != BLANK and len(_string(v)) <= n,
                 SH.MaxLengthConstraintComponent, parameter)


def _language_in(shape: _Shape, members: Node, g: Graph) -> Check:
    wanted = {str(m.value).lower() for m in g.items(members)}
    wildcard = "*" in wanted

    def ok(run, v):
        if kind(v) != LITERAL or not v.language:
            return False
        lang = str(v.language).lower()
        return wildcard or lang in wanted or lang.split("-")[0] in wanted
    return _each(shape, ok, SH.LanguageInConstraintComponent, SH.languageIn)


def _unique_lang(shape: _Shape) -> Check:
    def check(run, f, values, out):
        seen, duplicated = set(), set()
        for v in values:
            if kind(v) == LITERAL and v.language:
                lang = str(v.language).lower()
                (duplicated if lang in seen else seen).add(lang)
        if not duplicated:
            return True
        if out is not None:
            out.extend(shape.result(run, f, None, SH.UniqueLangConstraintComponent, SH.uniqueLang) for _ in duplicated)
        return False
    return check


_RANGES = {
    SH.minInclusive: (SH.MinInclusiveConstraintComponent, lambda c: c >= 0),
    SH.minExclusive: (SH.MinExclusiveConstraintComponent, lambda c: c > 0),
    SH.maxInclusive: (SH.MaxInclusiveConstraintComponent, lambda c: c <= 0),
    SH.maxExclusive: (SH.MaxExclusiveConstraintComponent, lambda c: c < 0),
}


def _range(shape: _Shape, bound: Literal, parameter: URIRef, test) -> Check:
    component, passes = test
    bound_is_string = isinstance(bound.value, str)

    def ok(run, v):
        if kind(v) != LITERAL:
            return False
        if isinstance(v.value, str) != bound_is_string:
            return False
        try:
            return passes(compare_literal(v, bound))
        except (TypeError, NotImplementedError):
            return False
    return _each(shape, ok, component, parameter)


def _comparable(node: Node, parameter: URIRef):
    node_kind = kind(node)
    if node_kind == BLANK:
        raise ValueError(f"Cannot use {parameter} to compare a BlankNode.")
    if node_kind == IRI:
        return str(node), True
    if node_kind == LITERAL and isinstance(node.value, str):  # type: ignore[attr-defined]
        return node.value, True
    return node, False


def _less_than(shape: _Shape, other: URIRef, parameter: URIRef) -> Check:
    or_equal = parameter == SH.lessThanOrEquals
    component = SH.LessThanOrEqualsConstraintComponent if or_equal else SH.LessThanConstraintComponent

    def check(run, f, values, out):
        conforms = True
        compare = run.spo.get(f, _NOTHING).get(other, _NONE)
        for v in values:
            left, left_is_string = _comparable(v, parameter)
            for c in compare:
                right, right_is_string = _comparable(c, parameter)
                if left_is_string == right_is_string and (left <= right if or_equal else left < right):
                    continue
                if out is None:
                    return False
                conforms = False
                out.append(shape.result(run, f, v, component, parameter))
        return conforms
    return check


def _node(shape: _Shape, other: _Shape) -> Check:
    return _each(shape, lambda run, v: run.conforms(other, v), SH.NodeConstraintComponent, SH.node)


def _logical(shape: _Shape, members: list[_Shape], parameter: URIRef) -> Check:
    if parameter == SH["or"]:
        return _each(shape, lambda run, v: any(run.conforms(m, v) for m in members), SH.OrConstraintComponent,
                     parameter)
    if parameter == SH["and"]:
        return _each(shape, lambda run, v: all(run.conforms(m, v) for m in members), SH.AndConstraintComponent,
                     parameter)
    return _each(shape, lambda run, v: sum(run.conforms(m, v) for m in members) == 1, SH.XoneConstraintComponent,
                 parameter)


def _not(shape: _Shape, other: _Shape) -> Check:
    return _each(shape, lambda run, v: not run.conforms(other, v), SH.NotConstraintComponent, SH["not"])


def _property(prop: _Shape) -> Check:
    def check(run, f, values, out):
        if out is None:
            return all(run.conforms(prop, v) for v in values)
        return prop.validate(run, values, out)
    return check


def _qualified(shape: _Shape, other: _Shape, low: int | None, high: int | None) -> Check:
    def check(run, f, values, out):
        count = sum(1 for v in values if run.conforms(other, v))
        conforms = True
        for broken, component in ((high is not None and count > high, SH.QualifiedMaxCountConstraintComponent),
                                  (low is not None and count < low, SH.QualifiedMinCountConstraintComponent)):
            if broken:
                if out is None:
                    return False
                conforms = False
                out.append(shape.result(run, f, None, component, SH.qualifiedValueShape))
        return conforms
    return check


# --- targets and the runner ----------------------------------------------------------------------------------


class _Targets:
    """A shape's target declarations (``sh:targetNode``/``targetClass``/``targetSubjectsOf``/``targetObjectsOf``
    and implicit class targets), as pyshacl's ``Shape.target()`` reads them."""

    def __init__(self, shape: Shape) -> None:
        nodes, classes, implicit, objects_of, subjects_of = shape.target()
        self.nodes = frozenset(nodes)
        self.classes = frozenset(classes) | frozenset(implicit)
        self.objects_of = frozenset(objects_of)
        self.subjects_of = frozenset(subjects_of)

    def __bool__(self) -> bool:
        return bool(self.nodes or self.classes or self.objects_of or self.subjects_of)

    def focus(self, run: _Run, subjects_of: dict[Node, set[Node]]) -> set[Node]:
        found = set(self.nodes)
        for cls in self.classes:
            for sub in run.subclasses(cls):
                found.update(run.ops.get(sub, _NOTHING).get(_TYPE, ()))
        for p in self.subjects_of:
            found.update(subjects_of.get(p, ()))
        for p in self.objects_of:
            for po in run.spo.values():
                found.update(po.get(p, ()))
        return found


class CompiledRunner:
    """Validates data against one shapes graph compiled to closures; same contract as ``ShapesRunner.run``."""

    def __init__(self, shapes: Graph):
        # One instance per term: a parsed Turtle file has a new ``URIRef`` for every occurrence of an IRI, and the
        # compiled checks compare the data's terms with the shapes' by dict and set lookups, which fall back to
        # rdflib's Python-level ``__eq__`` whenever the two instances differ (1.4 million calls for 3,000 letters).
        self.shapes = Graph()
        one: dict[Node, Node] = {}
        for triple in shapes:
            self.shapes.add(tuple(one.setdefault(term, term) for term in triple))
        for prefix, namespace in shapes.namespace_manager.namespaces():
            self.shapes.bind(prefix, namespace)
        compiler = _Compiler(self.shapes)
        self._top: list[tuple[_Shape, _Targets]] = []
        for shape in compiler.sg.shapes:
            targets = _Targets(shape)
            if targets:
                self._top.append((compiler.shape(shape.node), targets))
        for compiled in compiler.compiled.values():
            if compiled.sparql and not any(compiled is top for top, _ in self._top):
                raise NotImplementedError(f"{compiled.node}: SPARQL constraints only on targeted shapes")
        self._target_predicates = frozenset().union(*(t.subjects_of for _, t in self._top))
        self._reverse = frozenset(compiler.reverse)
        self._canonical: dict[Node, Node] = {_TYPE: _TYPE}
        for triple in self.shapes:
            for term in triple:
                if kind(term) == IRI:
                    self._canonical.setdefault(term, term)
        self._by_id: dict[int, tuple[Node, Node]] = {}  # shared by this runner's indexes (TripleIndex._by_id)

    def new_data(self) -> TripleIndex:
        """The container ``kg.validate.batches`` fills for this engine (sharing the shapes' IRI instances)."""
        return TripleIndex(canonical=self._canonical, by_id=self._by_id)

    def run(self, data: Graph | TripleIndex, keep: Callable[[Node], bool] | None = None) -> list[ValidationResult]:
        """Every result (violations, warnings, infos); ``keep`` restricts the targets as in ``ShapesRunner.run``."""
        index = data if isinstance(data, TripleIndex) else TripleIndex(data, self._canonical, self._by_id)
        run = _Run(index, self._reverse, None if isinstance(data, TripleIndex) else data)
        subjects_of: dict[Node, set[Node]] = {p: set() for p in self._target_predicates}
        if subjects_of:
            wanted = self._target_predicates
            for s, po in index.spo.items():
                for p in po.keys() & wanted:
                    subjects_of[p].add(s)
        out: list[ValidationResult] = []
        sparql_focus: dict[Node, set[Node]] = {}
        constraints: list[SparqlConstraint] = []
        kept: dict[Node, bool] = {}
        for shape, targets in self._top:
            focus = targets.focus(run, subjects_of)
            if keep is not None:
                for node in focus.difference(kept):
                    kept[node] = keep(node)
                focus = {node for node in focus if kept[node]}
            if not focus or shape.deactivated:
                continue
            shape.validate(run, focus, out)
            if shape.sparql:
                sparql_focus[shape.node] = focus
                constraints.extend(shape.sparql)
        by_node = {shape.node: shape for shape, _ in self._top}
        for constraint, this, path, value, extra in run_constraints(index, constraints, sparql_focus):
            out.append(by_node[constraint.shape].sparql_result(constraint, this, path, value, extra))
        return out
