"""kg.validate.sparql: which SPARQL constraints may load only what their focus nodes reach, and that doing so
gives the very rows a copy of every matching triple gives.

The forward walk is an optimisation with a precondition (every pattern hangs off ``$this`` by forward steps);
a query that breaks it must fall back to copying every triple of its predicates, or a row would be lost.
"""

from __future__ import annotations

from dataclasses import replace

import pytest
from rdflib import Graph, Literal, URIRef

from kg.validate.index import TripleIndex
from kg.validate.sparql import compile_constraint, run_constraints

EX = "https://example.org/"
SHAPE, NODE = URIRef(EX + "shape"), URIRef(EX + "constraint")
PREFIXES = {"ex": EX}


def _compiled(select: str):
    return compile_constraint(SHAPE, NODE, select, PREFIXES, [Literal("broken")])


@pytest.mark.parametrize("select", [
    "SELECT $this ?value WHERE { $this ex:p ?value . }",
    "SELECT $this ?value WHERE { $this ex:p/ex:q ?value . ?value ex:r ?x . FILTER NOT EXISTS { ?x ex:s ?y } }",
    "SELECT $this ?value WHERE { $this ex:p ?value . ?value ex:p* $this . }",
    "SELECT $this ?value WHERE { { $this ex:p ?value } UNION { $this (ex:q|ex:r) ?value } }",
])
def test_queries_that_hang_off_this_by_forward_steps_walk_forwards(select):
    assert _compiled(select).forward


@pytest.mark.parametrize("select", [
    "SELECT $this ?value WHERE { ?value ex:p $this . }",                     # backwards to $this
    "SELECT $this ?value WHERE { $this ^ex:p ?value . }",                    # an inverse path
    "SELECT $this ?value WHERE { $this ex:p ?x . ?value ex:q ?x . }",        # a pattern pointing at a reached node
    "SELECT $this ?value WHERE { $this ex:p ?value . ex:c ex:q ?value . }",  # a constant subject
    "SELECT $this ?value WHERE { $this ?p ?value . }",                       # a variable predicate
    "SELECT $this ?value WHERE { $this !ex:p ?value . }",                    # a negated property set
])
def test_queries_that_reach_elsewhere_copy_every_matching_triple(select):
    assert not _compiled(select).forward


def _index(turtle: str) -> TripleIndex:
    graph = Graph().parse(data="@prefix ex: <https://example.org/> .\n" + turtle, format="turtle")
    return TripleIndex(graph)


DATA = """
ex:a ex:p ex:b . ex:b ex:q "3" . ex:b ex:q "1" .
ex:c ex:p ex:d . ex:d ex:q "2" .
ex:far ex:q "9" .
ex:e ex:p ex:f . ex:f ex:p ex:g . ex:g ex:q "0" .
"""


@pytest.mark.parametrize("select", [
    "SELECT $this ?value WHERE { $this ex:p ?value . ?value ex:q ?n . FILTER(?n > \"1\") }",
    "SELECT $this ?value WHERE { $this ex:p+ ?value . FILTER NOT EXISTS { ?value ex:q ?n } }",
    "SELECT $this ?value WHERE { $this ex:p/ex:q ?value . }",
])
def test_the_forward_walk_gives_the_rows_a_full_copy_gives(select):
    index = _index(DATA)
    constraint = _compiled(select)
    assert constraint.forward
    focus = {SHAPE: {URIRef(EX + name) for name in ("a", "c", "e")}}
    walked = run_constraints(index, [constraint], focus)
    copied = run_constraints(index, [replace(constraint, forward=False)], focus)
    rows = {row[1:] for row in walked}
    assert rows == {row[1:] for row in copied}
    assert rows, "the query finds something, so equality says something"


def test_a_backward_query_still_sees_the_triples_no_walk_reaches():
    """``ex:far`` is reached from no focus node; the backward query needs its triple all the same."""
    index = _index(DATA + 'ex:far ex:p ex:a .')
    constraint = _compiled("SELECT $this ?value WHERE { ?value ex:p $this . }")
    assert not constraint.forward
    rows = run_constraints(index, [constraint], {SHAPE: {URIRef(EX + "a")}})
    assert {(row[1], row[3]) for row in rows} == {(URIRef(EX + "a"), URIRef(EX + "far"))}
