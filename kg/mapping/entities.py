"""The authorities graph: persons, organisations, places and events as CRM and schema.org resources.

Preferred names are ``rdfs:label`` / ``skos:prefLabel`` (English, plus Russian where curated), every variant
as
printed is a ``skos:altLabel`` and ``schema:alternateName`` (so "Kal[edi]n" and "Koba" are findable). Life
dates
become birth and death events with time-spans; event dates a time-span; places nest with ``P89_falls_within``.
"""

from __future__ import annotations

import re

from rdflib import Graph, Literal, URIRef

from kg.authorities import Authorities, Entity
from kg.mapping.appellations import en, lang_of, make_e42_identifier, make_label, ru
from kg.mapping.dates import make_e52_for_entity, period
from kg.mapping.namespaces import CRM, KGT, RDF, RDFS, RICO, SCHEMA, SKOS, XSD, new_graph
from kg.mapping.uris import Uris, slug

ORG_SCHEMA = {"government": SCHEMA.GovernmentOrganization, "archive": SCHEMA.ArchiveOrganization}


def _schema_date(value: str) -> Literal:
    kinds = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}
    return Literal(value, datatype=kinds[len(value)])


def make_names(subject: URIRef, entity: Entity, *, into: Graph | None = None) -> Graph:
    graph = make_label(subject, entity.label, entity.label_ru, into=into)
    graph.add((subject, SKOS.prefLabel, en(entity.label)))
    graph.add((subject, SCHEMA.name, en(entity.label)))
    if entity.label_ru:
        graph.add((subject, SKOS.prefLabel, ru(entity.label_ru)))
        graph.add((subject, SCHEMA.name, ru(entity.label_ru)))
    for name in entity.names:
        if name != entity.label:
            graph.add((subject, SKOS.altLabel, lang_of(name)))
            graph.add((subject, SCHEMA.alternateName, lang_of(name)))
    if entity.note:
        graph.add((subject, CRM["P3_has_note"], en(entity.note)))
    return graph


def make_e21_person(subject: URIRef, entity: Entity, *, into: Graph | None = None) -> Graph:
    graph = make_names(subject, entity, into=into)
    graph.add((subject, RDF.type, CRM["E21_Person"]))
    graph.add((subject, RDF.type, SCHEMA.Person))
    for value, event_class, prop, schema_prop, word in (
            (entity.born, "E67_Birth", "P98i_was_born", SCHEMA.birthDate, "birth"),
            (entity.died, "E69_Death", "P100i_died_in", SCHEMA.deathDate, "death")):
        if not value or period(value, "gregorian") is None:
            continue
        event = URIRef(f"{subject}/{word}")
        graph.add((subject, CRM[prop], event))
        graph.add((event, RDF.type, CRM[event_class]))
        graph.add((event, CRM["P4_has_time-span"], URIRef(f"{event}/time-span")))
        graph.add((event, RDFS.label, en(f"{word.capitalize()} of {entity.label}")))
        make_e52_for_entity(URIRef(f"{event}/time-span"), value, value, into=graph)
        graph.add((subject, schema_prop, _schema_date(value)))
    return graph


def make_e74_group(subject: URIRef, entity: Entity, *, into: Graph | None = None) -> Graph:
    graph = make_names(subject, entity, into=into)
    graph.add((subject, RDF.type, CRM["E74_Group"]))
    graph.add((subject, RDF.type, ORG_SCHEMA.get(entity.type or "", SCHEMA.Organization)))
    if entity.type:
        graph.add((subject, CRM["P2_has_type"], KGT[f"organisation-{entity.type}"]))
    if entity.type == "archive":
        graph.add((subject, RDF.type, RICO.CorporateBody))
        for i, former in enumerate(entity.former_names, start=1):
            name = URIRef(f"{subject}/former-name/{i}")
            graph.add((subject, CRM["P1_is_identified_by"], name))
            graph.add((name, RDF.type, CRM["E41_Appellation"]))
            graph.add((name, CRM["P2_has_type"], KGT["former-name"]))
            graph.add((name, CRM["P190_has_symbolic_content"], lang_of(former)))
            graph.add((name, RDFS.label, en(former)))
    return graph


def make_e53_place(subject: URIRef, entity: Entity, uris: Uris, authorities: Authorities, *,
                   into: Graph | None = None) -> Graph:
    graph = make_names(subject, entity, into=into)
    graph.add((subject, RDF.type, CRM["E53_Place"]))
    graph.add((subject, RDF.type, SCHEMA.Place))
    parent = authorities.get(entity.part_of) if entity.part_of else None
    if parent is not None:
        graph.add((subject, CRM["P89_falls_within"], uris.entity(parent.uri_kind, parent.key)))
        graph.add((subject, SCHEMA.containedInPlace, uris.entity(parent.uri_kind, parent.key)))
    return graph


def make_e5_event(subject: URIRef, entity: Entity, uris: Uris, authorities: Authorities, *,
                  into: Graph | None = None) -> Graph:
    """An event (E5) or, when someone carried it out, an activity (E7)."""
    graph = make_names(subject, entity, into=into)
    graph.add((subject, RDF.type, CRM["E7_Activity" if entity.type == "activity" else "E5_Event"]))
    graph.add((subject, RDF.type, SCHEMA.Event))
    if entity.date:
        span = URIRef(f"{subject}/time-span")
        graph.add((subject, CRM["P4_has_time-span"], span))
        make_e52_for_entity(span, entity.date, entity.date, into=graph)
        parts = entity.date.split("/")
        graph.add((subject, SCHEMA.startDate, _schema_date(parts[0])))
        graph.add((subject, SCHEMA.endDate, _schema_date(parts[-1])))
    place = authorities.get(entity.place) if entity.place else None
    if place is not None:
        graph.add((subject, CRM["P7_took_place_at"], uris.entity(place.uri_kind, place.key)))
        graph.add((subject, SCHEMA.location, uris.entity(place.uri_kind, place.key)))
    if entity.type == "activity":
        for key in entity.carried_out_by:
            actor = authorities.get(key)
            if actor is not None and actor.kind in ("person", "organisation"):
                graph.add((subject, CRM["P14_carried_out_by"], uris.entity(actor.uri_kind, actor.key)))
                graph.add((subject, SCHEMA.organizer, uris.entity(actor.uri_kind, actor.key)))
    return graph


def make_authority_records(subject: URIRef, entity: Entity, *, into: Graph | None = None) -> Graph:
    """External authority records of the entity (GND, VIAF, GeoNames URIs, e.g. from a CMIF file's ``@ref``) as
    E42 identifiers typed ``kgt:authority-record-uri``. Not ``owl:sameAs``: in this graph only curator-accepted
    Wikidata links are identity links; an identifier says what others call the entity, no more."""
    graph = new_graph() if into is None else into
    for ref in entity.refs:
        key = slug(re.sub(r"^https?://(?:www\.)?", "", ref))
        make_e42_identifier(subject, URIRef(f"{subject}/identifier/{key}"), ref, KGT["authority-record-uri"],
                            label=f"Authority record {ref}", into=graph)
    return graph


def map_entity(entity: Entity, uris: Uris, authorities: Authorities, *, into: Graph | None = None) -> Graph:
    graph = new_graph() if into is None else into
    subject = uris.entity(entity.uri_kind, entity.key)
    if entity.kind == "event":
        return make_e5_event(subject, entity, uris, authorities, into=graph)
    if entity.kind == "person":
        make_e21_person(subject, entity, into=graph)
    elif entity.kind == "organisation":
        make_e74_group(subject, entity, into=graph)
    else:
        make_e53_place(subject, entity, uris, authorities, into=graph)
    make_authority_records(subject, entity, into=graph)
    return graph


def map_authorities(authorities: Authorities, uris: Uris) -> Graph:
    """Every curated entity, whether or not a letter names it (a curated entity is part of the edition's
    index)."""
    graph = new_graph()
    for entity in authorities:
        map_entity(entity, uris, authorities, into=graph)
    return graph
