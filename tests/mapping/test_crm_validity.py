"""Everything the mapping emits is valid CIDOC-CRM 7.1: known terms, and every CRM property used between
instances of its domain and range (with the subclass closure). The CRM 7.1 table is ``data/crm71.tsv``."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from rdflib import Literal, URIRef
from rdflib.namespace import RDF

from kg.mapping.namespaces import CRM, KGO, KGT

TABLE = Path(__file__).parent / "data" / "crm71.tsv"


def _load():
    classes, props = {}, {}
    with TABLE.open(encoding="utf-8") as handle:
        reader = csv.reader((line for line in handle if not line.startswith("#")), delimiter="\t")
        next(reader)
        for term, kind, sup, domain, rng in reader:
            if kind == "class":
                classes[term] = [s for s in sup.split("|") if s]
            else:
                props[term] = (domain, rng, [s for s in sup.split("|") if s])
    return classes, props


CLASSES, PROPS = _load()


def ancestors(cls: str) -> set[str]:
    seen, todo = {cls}, [cls]
    while todo:
        for parent in CLASSES.get(todo.pop(), []):
            if parent not in seen:
                seen.add(parent)
                todo.append(parent)
    return seen


def crm_local(uri) -> str | None:
    text = str(uri)
    return text[len(str(CRM)):] if text.startswith(str(CRM)) else None


def crm_types(graph, node) -> set[str]:
    found = set()
    for cls in graph.objects(node, RDF.type):
        local = crm_local(cls)
        if local:
            found |= ancestors(local)
    return found


def test_every_crm_term_exists_in_crm_7_1(union):
    unknown = set()
    for _, p, o in union:
        for term in (p, o if p == RDF.type else None):
            local = crm_local(term) if term is not None else None
            if local and local not in CLASSES and local not in PROPS:
                unknown.add(local)
    assert not unknown


@pytest.mark.parametrize("scope", ["letter", "all"])
def test_every_crm_property_respects_domain_and_range(union, scope):
    # Types of vocabulary terms (E55 types, E56 languages) come from the ontology graph, which is in `union`.
    problems = []
    for s, p, o in union:
        local = crm_local(p)
        if not local:
            continue
        if scope == "letter" and "/letter/" not in str(s):
            continue
        domain, rng, _ = PROPS[local]
        s_types = crm_types(union, s)
        if domain not in s_types:
            problems.append(f"{s} {local}: subject is {sorted(s_types) or 'untyped'}, domain {domain}")
        if rng.startswith(("rdfs:", "xsd:")):
            if not isinstance(o, Literal):
                problems.append(f"{s} {local} {o}: literal expected")
        else:
            o_types = crm_types(union, o) if isinstance(o, URIRef) else set()
            if rng not in o_types:
                problems.append(f"{s} {local} {o}: object is {sorted(o_types) or 'untyped'}, range {rng}")
    assert problems == []


def test_every_kgo_and_kgt_term_used_is_declared_in_the_ontology(union):
    from kg.mapping import ontology_graph

    ontology = ontology_graph()
    declared = set(ontology.subjects())
    used = {t for triple in union for t in triple if isinstance(t, URIRef)
            and (str(t).startswith(str(KGT)) or str(t).startswith(str(KGO)))}
    assert used - declared == set()


def test_our_properties_specialise_crm_unless_administrative():
    from rdflib.namespace import RDFS

    from kg.mapping import ontology_graph

    ontology = ontology_graph()
    for prop in (KGO.hadAddressee, KGO.calendar, KGO.dateInCalendar, KGO.edtf):
        parents = set(ontology.objects(prop, RDFS.subPropertyOf))
        assert any(crm_local(parent) in PROPS for parent in parents), prop
    for term in set(ontology.subjects()):
        if str(term).startswith(str(KGO)):
            labels = list(ontology.objects(term, RDFS.label))
            assert labels and all(label.language for label in labels), term
            assert list(ontology.objects(term, RDFS.comment)), term
