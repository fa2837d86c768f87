"""The compiled engine (kg.validate.compiled) answers exactly as pyshacl does: every field of every result (focus,
path, component, severity, message, source shape, value, source constraint), counted with multiplicity.

Checked three ways: on every mutation of the seed's real graphs (tests/validate/test_shapes.py), feature by
feature on small graphs that make each SHACL feature fire (including features our shapes do not use yet, and
constraints without ``sh:message``, where pyshacl writes its own message), and with ``keep`` restricting targets.
"""

from __future__ import annotations

from collections import Counter

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDFS
from test_shapes import CASES  # tests/validate is on sys.path under pytest (no __init__.py)

from kg.validate import ShapesRunner
from kg.validate.compiled import CompiledRunner
from kg.validate.engine import PreparedQueryGraph
from kg.validate.index import TripleIndex
from kg.validate.nodes import local_root

PREFIXES = """
@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix ex: <https://example.org/> .
@prefix s: <https://example.org/shape/> .
"""


def _key(r) -> tuple:
    return (r.focus, r.path, r.component, r.severity, r.message, r.shape, r.value, r.constraint)


def _both(shapes: Graph, data: Graph) -> tuple[Counter, Counter]:
    return Counter(map(_key, ShapesRunner(shapes).run(data))), Counter(map(_key, CompiledRunner(shapes).run(data)))


def _union(graphs) -> PreparedQueryGraph:
    data = PreparedQueryGraph()
    for _name, graph in graphs:
        for triple in graph:
            data.add(triple)
    return data


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_every_mutation_of_the_seed_gives_pyshacls_exact_results(case, seed_copy, shapes):
    case[1](seed_copy)
    reference, compiled = _both(shapes, _union(seed_copy))
    assert compiled == reference
    assert any(key[2] == case[4] for key in compiled)


def test_the_seed_gives_pyshacls_exact_results_through_the_index(seed_graphs, shapes):
    """Through the ``TripleIndex`` container that kg.validate.batches fills (no rdflib graph at all)."""
    data = _union(seed_graphs)
    reference = Counter(map(_key, ShapesRunner(shapes).run(data)))
    assert Counter(map(_key, CompiledRunner(shapes).run(TripleIndex(data)))) == reference and reference


def test_keep_restricts_targets_as_the_reference_runner_does(seed_copy, shapes):
    """Only the targets ``keep`` accepts are validated; nested shapes still reach other nodes in full."""
    for case in CASES:
        if case[0] in ("letter before the sender's death", "archive levels nest", "letter is closed"):
            case[1](seed_copy)
    data = _union(seed_copy)

    def keep(node) -> bool:
        return local_root(node) is not None

    reference = Counter(map(_key, ShapesRunner(shapes).run(data, keep=keep)))
    everything = Counter(map(_key, ShapesRunner(shapes).run(data)))
    assert Counter(map(_key, CompiledRunner(shapes).run(TripleIndex(data), keep=keep))) == reference
    assert reference and reference != everything


#: (feature, shapes, data): each makes the feature fire on some nodes and pass on others.
FEATURES = [
    ("cardinality without messages", """
        s:A a sh:NodeShape ; sh:targetClass ex:C ;
            sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:maxCount 2 ] .""", """
        ex:ok a ex:C ; ex:p 1 . ex:none a ex:C . ex:many a ex:C ; ex:p 1, 2, 3 ."""),
    ("class targets and sh:class follow rdfs:subClassOf in the data", """
        s:A a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:knows ; sh:class ex:C ;
            sh:message "knows a C"@en, "kennt ein C"@de ] .""", """
        ex:D rdfs:subClassOf ex:C . ex:E rdfs:subClassOf ex:D .
        ex:a a ex:E ; ex:knows ex:b, ex:c, "literal", [ a ex:D ] . ex:b a ex:C . ex:c a ex:Other ."""),
    ("targetNode, targetSubjectsOf, targetObjectsOf", """
        s:A a sh:NodeShape ; sh:targetNode ex:n, ex:absent ; sh:targetSubjectsOf ex:p ; sh:targetObjectsOf ex:q ;
            sh:property [ sh:path ex:label ; sh:minCount 1 ; sh:message "needs a label" ] .""", """
        ex:n ex:x 1 . ex:s ex:p 1 . ex:t ex:q ex:o . ex:t ex:q "lit" . ex:o ex:label "fine" ."""),
    ("inverse, sequence, alternative and repeated paths", """
        s:Inv a sh:NodeShape ; sh:targetClass ex:C ;
            sh:property [ sh:path [ sh:inversePath ex:p ] ; sh:maxCount 1 ] ;
            sh:property [ sh:path ( ex:p ex:q ) ; sh:minCount 1 ] ;
            sh:property [ sh:path [ sh:alternativePath ( ex:p ex:q ) ] ; sh:maxCount 1 ] ;
            sh:property [ sh:path [ sh:zeroOrMorePath ex:p ] ; sh:maxCount 2 ] ;
            sh:property [ sh:path [ sh:oneOrMorePath ex:p ] ; sh:minCount 2 ] ;
            sh:property [ sh:path [ sh:zeroOrOnePath ex:q ] ; sh:maxCount 1 ] .""", """
        ex:a a ex:C ; ex:p ex:b ; ex:q ex:c . ex:b a ex:C ; ex:p ex:c . ex:c a ex:C ; ex:p ex:a ; ex:q ex:d .
        ex:x ex:p ex:c ."""),
    ("datatype, ill-typed literals and language strings", """
        s:A a sh:NodeShape ; sh:targetClass ex:C ;
            sh:property [ sh:path ex:int ; sh:datatype xsd:integer ] ;
            sh:property [ sh:path ex:date ; sh:datatype xsd:date ] ;
            sh:property [ sh:path ex:text ; sh:datatype rdf:langString ] ;
            sh:property [ sh:path ex:string ; sh:datatype xsd:string ] ;
            sh:property [ sh:path ex:any ; sh:datatype rdfs:Literal ] .""", """
        ex:a a ex:C ; ex:int 1, "x"^^xsd:integer, "1.5"^^xsd:decimal, ex:iri ;
            ex:date "2020-01-02"^^xsd:date, "2020-13-45"^^xsd:date, "2020-01-02T00:00:00"^^xsd:dateTime ;
            ex:text "words"@en, "words" ; ex:string "plain", "tagged"@en, "typed"^^xsd:string ;
            ex:any "x", 3, ex:iri ."""),
    ("nodeKind", """
        s:A a sh:NodeShape ; sh:targetClass ex:C ;
            sh:property [ sh:path ex:iri ; sh:nodeKind sh:IRI ] ;
            sh:property [ sh:path ex:blank ; sh:nodeKind sh:BlankNodeOrLiteral ] .""", """
        ex:a a ex:C ; ex:iri ex:b, "x", [ ex:p 1 ] ; ex:blank ex:b, "x", [ ex:p 2 ] ."""),
    ("pattern with flags, minLength and maxLength", """
        s:A a sh:NodeShape ; sh:targetClass ex:C ;
            sh:property [ sh:path ex:code ; sh:pattern "^ab[0-9]+$" ; sh:flags "i" ] ;
            sh:property [ sh:path ex:name ; sh:minLength 3 ; sh:maxLength 5 ] .""", """
        ex:a a ex:C ; ex:code "AB12", "ab", 12, ex:ab1, [ ex:p 1 ] ;
            ex:name "ab", "abcd", "abcdef"@en, 1234567, [ ex:p 1 ] ."""),
    ("in and hasValue", """
        s:A a sh:NodeShape ; sh:targetClass ex:C ;
            sh:property [ sh:path ex:lang ; sh:in ( "en" "ru" ex:x ) ] ;
            sh:property [ sh:path ex:kind ; sh:hasValue ex:k ] ;
            sh:property [ sh:path ex:code ; sh:hasValue "en" ] .""", """
        ex:a a ex:C ; ex:lang "en", "en"@en, "de", ex:x ; ex:kind ex:k, ex:j ; ex:code "en"@en .
        ex:b a ex:C ; ex:kind ex:j ; ex:code "en" ."""),
    ("closed with ignored properties", """
        s:A a sh:NodeShape ; sh:targetClass ex:C ; sh:closed true ; sh:ignoredProperties ( rdf:type ) ;
            sh:property [ sh:path ex:p ] ; sh:property [ sh:path [ sh:inversePath ex:q ] ] .""", """
        ex:a a ex:C, rdfs:Resource ; ex:p 1 ; ex:q 2 ; ex:r ex:b, "x" . ex:b ex:q ex:a ."""),
    ("node, or, and, not, xone with nested property shapes", """
        s:Named a sh:NodeShape ; sh:property [ sh:path ex:name ; sh:minCount 1 ] .
        s:Typed a sh:NodeShape ; sh:class ex:T .
        s:A a sh:NodeShape ; sh:targetClass ex:C ;
            sh:property [ sh:path ex:n ; sh:node s:Named ] ;
            sh:property [ sh:path ex:o ; sh:or ( s:Named s:Typed ) ] ;
            sh:property [ sh:path ex:a ; sh:and ( s:Named s:Typed ) ] ;
            sh:property [ sh:path ex:x ; sh:xone ( s:Named s:Typed ) ] ;
            sh:property [ sh:path ex:t ; sh:not s:Typed ] .""", """
        ex:both ex:name "b" ; a ex:T . ex:named ex:name "n" . ex:typed a ex:T . ex:none ex:z 1 .
        ex:c a ex:C ; ex:n ex:named, ex:none ; ex:o ex:typed, ex:none, "lit" ; ex:a ex:both, ex:named ;
            ex:x ex:both, ex:named, ex:none ; ex:t ex:typed, ex:named ."""),
    ("qualified value shapes", """
        s:A a sh:NodeShape ; sh:targetClass ex:C ;
            sh:property [ sh:path ex:label ; sh:qualifiedValueShape [ sh:languageIn ( "en" ) ] ;
                          sh:qualifiedMinCount 1 ; sh:qualifiedMaxCount 1 ] .""", """
        ex:one a ex:C ; ex:label "a"@en, "b"@ru . ex:none a ex:C ; ex:label "b"@ru .
        ex:two a ex:C ; ex:label "a"@en, "b"@en-GB ."""),
    ("uniqueLang and languageIn", """
        s:A a sh:NodeShape ; sh:targetClass ex:C ;
            sh:property [ sh:path ex:label ; sh:uniqueLang true ] ;
            sh:property [ sh:path ex:title ; sh:languageIn ( "en" "RU" ) ] .""", """
        ex:a a ex:C ; ex:label "a"@en, "b"@EN, "c"@ru, "d"@ru, "e" ;
            ex:title "x"@en-GB, "y"@ru, "z"@de, "w", ex:iri ."""),
    ("value ranges", """
        s:A a sh:NodeShape ; sh:targetClass ex:C ;
            sh:property [ sh:path ex:n ; sh:minInclusive 2 ; sh:maxExclusive 5 ] ;
            sh:property [ sh:path ex:m ; sh:minExclusive 2 ; sh:maxInclusive 5 ] ;
            sh:property [ sh:path ex:d ; sh:maxExclusive "1918-02-14T00:00:00"^^xsd:dateTime ] ;
            sh:property [ sh:path ex:s ; sh:minInclusive "b" ] .""", """
        ex:a a ex:C ; ex:n 1, 2, 4.5, 5, "3", ex:iri ; ex:m 2, 3, 5, 6.0 ;
            ex:d "1918-01-01T00:00:00"^^xsd:dateTime, "1918-03-01T00:00:00"^^xsd:dateTime,
                 "1918-01-01"^^xsd:date, "soon" ;
            ex:s "a", "c", 1 ."""),
    ("lessThan and lessThanOrEquals", """
        s:A a sh:NodeShape ; sh:targetClass ex:C ;
            sh:property [ sh:path ex:start ; sh:lessThan ex:end ] ;
            sh:property [ sh:path ex:begin ; sh:lessThanOrEquals ex:finish ] .""", """
        ex:a a ex:C ; ex:start 1, 5, "x" ; ex:end 5 ; ex:begin "a", "b", 3 ; ex:finish "b" .
        ex:b a ex:C ; ex:start 1 ."""),
    ("severity, several messages, deactivated shapes", """
        s:A a sh:NodeShape ; sh:targetClass ex:C ;
            sh:property [ sh:path ex:p ; sh:minCount 1 ; sh:severity sh:Warning ; sh:message "one", "two"@en ] ;
            sh:property [ sh:path ex:q ; sh:minCount 1 ; sh:severity sh:Info ] ;
            sh:property [ sh:path ex:r ; sh:minCount 1 ; sh:deactivated true ] .
        s:Off a sh:NodeShape ; sh:targetClass ex:C ; sh:deactivated true ; sh:class ex:Nothing .""", """
        ex:a a ex:C ."""),
    ("SPARQL constraints with prefixes and message templates", """
        s:prefixes sh:declare [ sh:prefix "ex" ; sh:namespace "https://example.org/"^^xsd:anyURI ] .
        s:A a sh:NodeShape ; sh:targetClass ex:C ; sh:message "shape says {$this}"@en ;
            sh:sparql [ a sh:SPARQLConstraint ; sh:prefixes s:prefixes ; sh:message "{$this} has {?value}"@en ;
                sh:select "SELECT $this ?value WHERE { $this ex:p ?value . FILTER(?value > 2) }" ] ;
            sh:sparql [ a sh:SPARQLConstraint ; sh:prefixes s:prefixes ;
                sh:select \"\"\"SELECT $this (ex:q AS ?path) WHERE {
                    $this ex:p ?v . FILTER NOT EXISTS { $this ex:q ?w } }\"\"\" ] .
        s:B a sh:NodeShape ; sh:targetSubjectsOf ex:p ;
            sh:sparql [ a sh:SPARQLConstraint ; sh:prefixes s:prefixes ; sh:message "regex" ;
                sh:select \"\"\"SELECT $this ?value ?n WHERE { $this ex:p ?value .
                    BIND(REPLACE(STR(?value), "^([0-9]).*$", "$1") AS ?n)
                    FILTER(REGEX(STR(?value), "^[13]")) }\"\"\" ] .
        """, """
        ex:a a ex:C ; ex:p 1, 3, 5 . ex:b a ex:C ; ex:p 1 ; ex:q 1 . ex:c ex:p 13 ."""),
]


@pytest.mark.parametrize("feature", FEATURES, ids=[f[0] for f in FEATURES])
def test_each_shacl_feature_answers_as_pyshacl(feature):
    _name, shapes_text, data_text = feature
    shapes = Graph().parse(data=PREFIXES + shapes_text, format="turtle")
    parsed = Graph().parse(data=PREFIXES + data_text, format="turtle")
    data = PreparedQueryGraph()
    for triple in parsed:
        data.add(triple)
    reference, compiled = _both(shapes, data)
    assert reference, "the feature must fire on this data"
    assert compiled == reference
    assert Counter(map(_key, CompiledRunner(shapes).run(TripleIndex(data)))) == reference


def test_a_feature_the_compiler_does_not_know_is_refused():
    shapes = Graph().parse(data=PREFIXES + """
        s:A a sh:NodeShape ; sh:targetClass ex:C ; sh:property [ sh:path ex:p ; sh:equals ex:q ] .""",
                           format="turtle")
    with pytest.raises(NotImplementedError, match="equals"):
        CompiledRunner(shapes)


def test_the_index_reads_as_an_rdflib_graph():
    """What kg.validate.batches and kg.validate.provenance read: same answers as rdflib, duplicates once."""
    a, b, p, q = URIRef("urn:a"), URIRef("urn:b"), URIRef("urn:p"), URIRef("urn:q")
    blank = BNode()
    triples = [(a, p, b), (a, p, b), (a, p, Literal(1)), (a, p, Literal("1")), (b, q, blank), (a, q, blank)]
    graph, index = Graph(), TripleIndex(triples)
    for triple in triples:
        graph.add(triple)
    assert len(index) == len(graph) == 5
    assert sorted(index) == sorted(graph)
    assert set(index.subjects(None, blank)) == set(graph.subjects(None, blank)) == {a, b}
    assert set(index.subjects(q, blank)) == {a, b} and set(index.subjects(p, blank)) == set()
    assert set(index.objects(a, p)) == set(graph.objects(a, p))
    assert index.value(b, q) == graph.value(b, q) == blank
    assert index.value(a, RDFS.label) is None and (a, p, Literal(1)) in index and (b, p, a) not in index
