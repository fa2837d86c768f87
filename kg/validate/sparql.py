"""SPARQL-based constraints (``sh:sparql`` with ``sh:select``) evaluated once per batch on Oxigraph.

pyshacl runs each constraint's query once per focus node with ``$this`` pre-bound, on rdflib's SPARQL engine:
about 0.2 ms a focus node, the largest single cost left once the other constraints are compiled. Here the real
query text (with its ``sh:prefixes``) runs once per batch with ``$this`` turned into the variable ``?this``, on an
in-memory ``pyoxigraph.Store`` that holds only the triples a triple pattern of the queries can match (their
predicates; for a predicate used only with constant objects, such as ``crm:P2_has_type kgt:folios``, only those
triples), and its rows are kept when ``?this`` is one of the shape's focus nodes. When every pattern of a query
hangs off ``$this`` by forward steps (``_forward_only``, checked per query), only the triples a walk from its
focus nodes along its own predicates reaches are copied: a third of the copy, which was most of this module's
time (the queries themselves take about 1 % of it). That gives the same rows as
the per-focus evaluation because every query here binds ``$this`` in a mandatory triple pattern before any
``OPTIONAL``, ``FILTER NOT EXISTS`` or ``BIND`` reads it (an assumption about our queries that the code does not
prove for any query; ``compile_constraint`` refuses ``$PATH``, ``$currentShape`` and ``$shapesGraph``);
``tests/validate/test_compiled.py`` checks the rows against pyshacl's on the seed and on every mutation of
``tests/validate/test_shapes.py``.

Why Oxigraph and not pyshacl-turbo restricted to the SPARQL shapes: measured on a batch of 400 letters, turbo
with only the six SPARQL shapes took 0.32 s on the reduced graph (28,000 triples, already in an rdflib graph),
this module 0.10 s including the copy into Oxigraph; both found the same (no) rows. The queries use only
REGEX/REPLACE with plain patterns, string comparison of ``SUBSTR(STR(..))`` and IRI (in)equality, where Oxigraph
and rdflib agree; terms are copied with rdflib's (normalised) lexical form, so both engines see the same strings.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef, Variable
from rdflib.paths import AlternativePath, MulPath, Path, SequencePath
from rdflib.plugins.sparql import prepareQuery
from rdflib.term import Node

from kg.validate.index import BLANK, IRI, LITERAL, TripleIndex, kind

_UNSUPPORTED = re.compile(r"[$?](PATH|currentShape|shapesGraph)\b")
_THIS = re.compile(r"\$this\b")
_MINUS = re.compile(r"\bMINUS\b", re.IGNORECASE)


@dataclass(frozen=True)
class SparqlConstraint:
    """One ``sh:SPARQLConstraint`` of one shape: the query as Oxigraph runs it and what it needs loaded."""

    shape: Node
    node: Node
    query: str
    #: Predicates whose every triple may match (a variable object, or inside a property path).
    predicates: frozenset[URIRef]
    messages: tuple[Literal, ...]
    #: Predicates the query uses only with a constant object (``?x crm:P2_has_type kgt:folios``): only the
    #: triples with one of those objects can match, so only they are loaded.
    constant_objects: tuple[tuple[URIRef, frozenset[Node]], ...] = ()
    #: Every triple pattern starts at ``$this`` or at a node an earlier pattern reached from it, along IRIs and
    #: forward paths (``_forward_only``): the rows of one focus node then depend only on the triples reachable
    #: forwards from it, and only those are loaded.
    forward: bool = False


def compile_constraint(shape: Node, node: Node, select: str, prefixes: dict[str, str],
                       messages: Iterable[Literal]) -> SparqlConstraint:
    """Rewrite ``$this`` as ``?this``, prepend the prefixes, and find which triples the query can match: those
    whose predicate is used by one of its triple patterns (in any part of the query), with the pattern's object
    where every pattern on that predicate has a constant object."""
    if _UNSUPPORTED.search(select):
        raise NotImplementedError(f"{node}: only $this may be pre-bound in a compiled SPARQL constraint")
    if _MINUS.search(select):
        raise ValueError(f"{node}: a SPARQL constraint must not contain MINUS")
    header = "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in prefixes.items())
    text = header + _THIS.sub("?this", select)
    algebra = prepareQuery(text).algebra
    occurrences: Counter[URIRef] = Counter()
    _collect_iris(algebra, occurrences, set())
    patterns: list[tuple] = []
    _collect_patterns(algebra, patterns, set())
    constant: dict[URIRef, set[Node]] = {}
    uses: Counter[URIRef] = Counter()
    for _s, p, o in patterns:
        if isinstance(p, URIRef) and isinstance(o, (URIRef, Literal)):
            constant.setdefault(p, set()).add(o)
            uses[p] += 1
    # A predicate is narrowed to its constant objects only if it occurs nowhere else in the query (no variable
    # object, no property path, no part of the algebra this function does not read); every other IRI is loaded.
    narrowed = {p: frozenset(objects) for p, objects in constant.items() if uses[p] == occurrences[p]}
    free = frozenset(iri for iri in occurrences if iri not in narrowed)
    return SparqlConstraint(shape, node, text, free, tuple(messages), tuple(narrowed.items()),
                            _forward_only(patterns))


def _forward_only(patterns: list[tuple]) -> bool:
    """Whether every pattern's subject is ``?this`` or the object of a pattern whose subject is (transitively),
    with an IRI or a path of IRIs forwards (no inverse or negated step, no variable predicate) in between."""
    reached: set[Node] = {Variable("this")}
    grown = True
    while grown:
        grown = False
        for subject, _predicate, obj in patterns:
            if subject in reached and obj not in reached:
                reached.add(obj)
                grown = True
    return all(subject in reached and _forward_path(predicate) for subject, predicate, _obj in patterns)


def _forward_path(path: object) -> bool:
    if isinstance(path, URIRef):
        return True
    if isinstance(path, (SequencePath, AlternativePath)):
        return all(_forward_path(step) for step in path.args)
    if isinstance(path, MulPath):
        return _forward_path(path.path)
    return False  # a variable predicate, an inverse or a negated path


def _collect_patterns(item: object, found: list[tuple], seen: set[int]) -> None:
    """Every triple pattern of every basic graph pattern, wherever it is (OPTIONAL, UNION, NOT EXISTS ...)."""
    if isinstance(item, dict) and id(item) not in seen:
        seen.add(id(item))
        name = getattr(item, "name", None)
        if name == "BGP":
            found.extend(item.get("triples", ()))
        elif name == "TriplesBlock":  # the unparsed form rdflib keeps inside EXISTS / NOT EXISTS
            for flat in item.get("triples", ()):
                found.extend(tuple(flat[i:i + 3]) for i in range(0, len(flat) - 2, 3))
        for value in item.values():
            _collect_patterns(value, found, seen)
    elif isinstance(item, (list, tuple)):
        for value in item:
            _collect_patterns(value, found, seen)


def _collect_iris(item: object, found: Counter[URIRef], seen: set[int]) -> None:
    """Count every occurrence of an IRI anywhere in the parsed query (dicts visited once each)."""
    if isinstance(item, URIRef):
        found[item] += 1
    elif isinstance(item, (str, bytes, int, float)) or item is None or id(item) in seen:
        return
    elif isinstance(item, dict):
        seen.add(id(item))
        for value in item.values():
            _collect_iris(value, found, seen)
    elif isinstance(item, (list, tuple, set, frozenset)):
        for value in item:
            _collect_iris(value, found, seen)
    elif isinstance(item, Path):
        seen.add(id(item))
        for value in vars(item).values():
            _collect_iris(value, found, seen)


class _Terms:
    """rdflib ↔ Oxigraph terms. IRIs and blank nodes are converted once per batch and mapped back to the very
    rdflib term; a literal is converted each time it occurs (hashing an rdflib literal costs more than converting
    it) and read back as an rdflib literal of the same lexical form, datatype and language: an equal term."""

    def __init__(self) -> None:
        self.to_ox: dict[Node, object] = {}
        self.to_rdflib: dict[object, Node] = {}

    def ox(self, term: Node):
        term_kind = kind(term)
        if term_kind == LITERAL:
            if term.language:  # type: ignore[attr-defined]
                return ox.Literal(str(term), language=term.language)  # type: ignore[attr-defined]
            datatype = term.datatype  # type: ignore[attr-defined]
            if datatype is not None:
                found = self.to_ox.get(datatype)
                if found is None:
                    found = self.to_ox[datatype] = ox.NamedNode(str(datatype))
                return ox.Literal(str(term), datatype=found)
            return ox.Literal(str(term))
        found = self.to_ox.get(term)
        if found is not None:
            return found
        if term_kind == IRI:
            made = ox.NamedNode(str(term))
        elif term_kind == BLANK:
            made = ox.BlankNode()
        else:  # pragma: no cover - rdflib has no other kind of term in a triple
            raise TypeError(f"cannot store {term!r}")
        self.to_ox[term] = made
        self.to_rdflib[made] = term
        return made

    def back(self, term) -> Node | None:
        if term is None:
            return None
        found = self.to_rdflib.get(term)
        if found is not None:
            return found
        if isinstance(term, ox.NamedNode):
            return URIRef(term.value)
        if isinstance(term, ox.Literal):
            if term.language:
                return Literal(term.value, lang=term.language)
            return Literal(term.value, datatype=URIRef(term.datatype.value))
        return BNode(term.value)


Row = tuple[SparqlConstraint, Node, Node | None, Node | None, tuple[tuple[str, Node], ...]]


def _needed(index: TripleIndex, constraints: list[SparqlConstraint]
            ) -> tuple[frozenset[Node], dict[Node, frozenset[Node]]]:
    """The predicates whose every triple the constraints may match, and those needed only with certain objects
    (a predicate free in one constraint is free for all), as the index's own instances (identity hits)."""
    predicates = frozenset().union(*(c.predicates for c in constraints))
    constant: dict[Node, set[Node]] = {}
    for c in constraints:
        for p, objects in c.constant_objects:
            if p not in predicates:
                constant.setdefault(p, set()).update(objects)
    return (frozenset(index.canonical(p) for p in predicates),
            {index.canonical(p): frozenset(objects) for p, objects in constant.items()})


def run_constraints(index: TripleIndex, constraints: Iterable[SparqlConstraint],
                    focus: dict[Node, set[Node]]) -> list[Row]:
    """Rows ``(constraint, this, path, value, other bound variables)`` of every constraint whose shape has focus
    nodes, each row once, ``this`` among its shape's focus nodes (``focus`` maps shape → focus nodes)."""
    wanted = [c for c in constraints if focus.get(c.shape)]
    if not wanted:
        return []
    terms, quads = _Terms(), []
    convert, quad = terms.ox, ox.Quad
    loaded: set[tuple[Node, Node]] = set()  # (subject, predicate) whose triples are in ``quads`` already

    def load(s: Node, po: dict[Node, set[Node]], predicates: frozenset[Node],
             constant: dict[Node, frozenset[Node]]) -> list[Node]:
        """Copy the triples of ``s`` a pattern can match (each once); return their objects."""
        found: list[Node] = []
        for p in po.keys() & predicates:
            objects = po[p]
            found.extend(objects)
            if (s, p) not in loaded:
                loaded.add((s, p))
                subject, predicate = convert(s), convert(p)
                quads.extend([quad(subject, predicate, convert(o)) for o in objects])
        for p in po.keys() & constant.keys():
            if (s, p) not in loaded:
                objects = constant[p].intersection(po[p])
                if objects:
                    subject, predicate = convert(s), convert(p)
                    quads.extend([quad(subject, predicate, convert(o)) for o in objects])
        return found

    if all(c.forward for c in wanted):
        # Per constraint, only what a forward walk from its focus nodes along its own predicates reaches.
        spo = index.spo
        for c in wanted:
            predicates, constant = _needed(index, [c])
            stack = list(focus[c.shape])
            seen = set(stack)
            while stack:
                node = stack.pop()
                po = spo.get(node)
                if po is not None:
                    for obj in load(node, po, predicates, constant):
                        if type(obj) is not Literal and obj not in seen:
                            seen.add(obj)
                            stack.append(obj)
    else:
        predicates, constant = _needed(index, wanted)
        for s, po in index.spo.items():
            load(s, po, predicates, constant)
    store = ox.Store()
    store.extend(quads)
    rows: list[Row] = []
    for constraint in wanted:
        targets = focus[constraint.shape]
        solutions = store.query(constraint.query)
        names = [v.value for v in solutions.variables]
        if "this" not in names:
            raise NotImplementedError(f"{constraint.node}: the compiled engine needs $this among the selected "
                                      "variables")
        if "failure" in names:
            raise NotImplementedError(f"{constraint.node}: ?failure is not supported by the compiled engine")
        others = [n for n in names if n not in ("this", "path", "value")]
        seen = set()
        for solution in solutions:
            this = terms.back(solution["this"])
            if this not in targets:
                continue
            extra = tuple((n, terms.back(solution[n])) for n in others if solution[n] is not None)
            path = terms.back(solution["path"]) if "path" in names else None
            value = terms.back(solution["value"]) if "value" in names else None
            key = (this, path, value, extra)
            if key not in seen:
                seen.add(key)
                rows.append((constraint, *key))
    return rows
