"""Every shape can fail: each test breaks exactly one rule in a copy of the seed's real graph and expects the
exact result (focus node, path, constraint component, severity); the unbroken seed conforms."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SH, SKOS, XSD

from kg.mapping.namespaces import CRM, KGO, KGT, OA, PROV, RICO, SCHEMA
from kg.validate import validate_graphs
from kg.validate.engine import path_text

ID = Namespace("https://kg.example.org/id/")
LETTER = ID["letter/bl1996-009"]
EX = Namespace("https://example.org/not-in-the-model#")


def part(*parts: str) -> URIRef:
    return URIRef("/".join([str(LETTER), *parts]))


def graph(graphs: list[tuple[URIRef, Graph]], name: str) -> Graph:
    """The graph whose name ends with ``name`` (``source/...`` matches the seed's source graph)."""
    for graph_name, g in graphs:
        if str(graph_name).rsplit("/graph/", 1)[-1].startswith(name):
            return g
    raise KeyError(name)


def replace_object(g: Graph, s, p, o) -> None:
    g.remove((s, p, None))
    g.add((s, p, o))


def results(graphs, shapes) -> set[tuple]:
    outcome = validate_graphs(graphs, workers=1)
    return {(r.focus, None if r.path is None else (r.path if isinstance(r.path, URIRef)
                                                    else path_text(outcome.shapes, r.path)),
             r.component, r.severity) for r in outcome.results}


def test_the_seed_conforms_with_one_warning_for_its_lost_marker(seed_graphs, shapes, engine):
    outcome = validate_graphs(seed_graphs, workers=1)
    assert outcome.conforms, outcome.report_text()
    assert [(r.focus, r.severity) for r in outcome.results] == [(part("annotation", "1"), SH.Warning)]
    assert "line 21" in outcome.report_text()  # note 1 is on line 21 of the page


def _author_is_local_party(gs):
    g = graph(gs, "source")
    party = part("party", "sender-1")
    g.add((party, RDF.type, CRM["E39_Actor"]))
    g.add((party, RDFS.label, Literal("Koba-Ivanovich", lang="en")))
    replace_object(g, LETTER, RICO.hasAuthor, party)


def _folios_backwards(gs):
    replace_object(graph(gs, "source"), part("identifier", "folios"), CRM["P190_has_symbolic_content"],
                   Literal("7-3"))


def _sender_born_after_letter(gs):
    span = ID["person/stalin/birth/time-span"]
    g = graph(gs, "authorities")
    replace_object(g, span, CRM["P82a_begin_of_the_begin"], Literal("1920-01-01T00:00:00", datatype=XSD.dateTime))
    replace_object(g, span, CRM["P82b_end_of_the_end"], Literal("1920-12-31T23:59:59", datatype=XSD.dateTime))


def _sender_dead_before_letter(gs):
    span = ID["person/stalin/death/time-span"]
    g = graph(gs, "authorities")
    replace_object(g, span, CRM["P82a_begin_of_the_begin"], Literal("1917-01-01T00:00:00", datatype=XSD.dateTime))
    replace_object(g, span, CRM["P82b_end_of_the_end"], Literal("1917-12-31T23:59:59", datatype=XSD.dateTime))


def _date_ends_before_it_begins(gs):
    g = graph(gs, "source")
    span = part("sending", "time-span")
    replace_object(g, span, CRM["P82a_begin_of_the_begin"], Literal("1918-01-10T00:00:00", datatype=XSD.dateTime))


def _julian_after_reform(gs):
    g = graph(gs, "source")
    span = part("sending", "time-span")
    replace_object(g, span, CRM["P82a_begin_of_the_begin"], Literal("1918-03-09T17:00:00", datatype=XSD.dateTime))
    replace_object(g, span, CRM["P82b_end_of_the_end"], Literal("1918-03-09T17:59:59", datatype=XSD.dateTime))


def _annotation_points_at_other_letter(gs):
    g = graph(gs, "source")
    replace_object(g, part("annotation", "2", "target", "1"), OA.hasSource, ID["letter/bl1996-010/text/en/body"])


def _place_cycle(gs):
    g = graph(gs, "authorities")
    g.add((ID["place/russia"], CRM["P89_falls_within"], ID["place/petrograd"]))
    g.add((ID["place/petrograd"], CRM["P89_falls_within"], ID["place/russia"]))
    g.remove((ID["place/petrograd"], SCHEMA.containedInPlace, None))


def _death_before_birth(gs):
    g = graph(gs, "authorities")
    replace_object(g, ID["person/lenin/death/time-span"], CRM["P82b_end_of_the_end"],
                   Literal("1860-01-01T00:00:00", datatype=XSD.dateTime))
    replace_object(g, ID["person/lenin/death/time-span"], CRM["P82a_begin_of_the_begin"],
                   Literal("1860-01-01T00:00:00", datatype=XSD.dateTime))


def _organisation_without_schema_type(gs):
    g = graph(gs, "authorities")
    for schema_type in (SCHEMA.Organization, SCHEMA.GovernmentOrganization, SCHEMA.ArchiveOrganization):
        g.remove((ID["org/sovnarkom"], RDF.type, schema_type))


def _delo_is_a_fond(gs):
    g = graph(gs, "archives")
    replace_object(g, ID["archive/rgaspi/f558/op1/d5397"], CRM["P2_has_type"], KGT.fond)


def _reference_without_fond(gs):
    g = graph(gs, "source")
    for p in (CRM["P46i_forms_part_of"], RICO.isOrWasIncludedIn, SCHEMA.isPartOf):
        g.remove((LETTER, p, None))


def _reference_stops_at_opis(gs):
    g = graph(gs, "source")
    replace_object(g, LETTER, CRM["P46i_forms_part_of"], ID["archive/rgaspi/f558/op1"])


OPIS = ID["archive/rgaspi/f558/op1"]
DELO = ID["archive/rgaspi/f558/op1/d5397"]
STALIN, LENIN = ID["person/stalin"], ID["person/lenin"]
P108I = f"^<{CRM['P108i_was_produced_by']}>"
HAS_BODY_INV = f"^<{OA.hasBody}>"
V, W = SH.Violation, SH.Warning

#: (id, mutation, expected focus, path, component, severity)
CASES: list[tuple[str, Callable, URIRef, object, URIRef, URIRef]] = [
    ("letter is closed", lambda gs: graph(gs, "source").add((LETTER, EX.colour, Literal("red"))),
     LETTER, EX.colour, SH.ClosedConstraintComponent, V),
    ("letter needs a label", lambda gs: graph(gs, "source").remove((LETTER, RDFS.label, None)),
     LETTER, RDFS.label, SH.MinCountConstraintComponent, V),
    ("letter label needs a language tag", lambda gs: replace_object(graph(gs, "source"), LETTER, RDFS.label,
                                                                    Literal("No. 9")),
     LETTER, RDFS.label, SH.DatatypeConstraintComponent, V),
    ("letter is an E22", lambda gs: graph(gs, "source").remove((LETTER, RDF.type, CRM["E22_Human-Made_Object"])),
     LETTER, None, SH.ClassConstraintComponent, V),
    ("letter type from our vocabulary", lambda gs: graph(gs, "source").add((LETTER, CRM["P2_has_type"], KGT.fond)),
     LETTER, CRM["P2_has_type"], SH.InConstraintComponent, V),
    ("archival reference names fond, opis, delo", _reference_without_fond,
     LETTER, None, SH.OrConstraintComponent, V),
    ("archival reference reaches the delo", _reference_stops_at_opis,
     LETTER, CRM["P46i_forms_part_of"], SH.NodeConstraintComponent, V),
    ("folio range increases", _folios_backwards,
     LETTER, CRM["P1_is_identified_by"], SH.SPARQLConstraintComponent, V),
    ("unidentified sender is a warning", _author_is_local_party,
     LETTER, RICO.hasAuthor, SH.OrConstraintComponent, W),
    ("author is an actor", lambda gs: replace_object(graph(gs, "source"), LETTER, RICO.hasAuthor,
                                                     ID["place/petrograd"]),
     LETTER, RICO.hasAuthor, SH.NodeConstraintComponent, V),
    ("production belongs to a sheet", lambda gs: graph(gs, "source").remove((LETTER, CRM["P108i_was_produced_by"],
                                                                             None)),
     part("production"), P108I, SH.MinCountConstraintComponent, V),
    ("publication cites", lambda gs: graph(gs, "source").add((part("publication", "1"), CRM["P165_incorporates"],
                                                              part("text"))),
     part("publication", "1"), SCHEMA.citation, SH.MinCountConstraintComponent, V),
    ("local party has a name", lambda gs: graph(gs, "source").add((part("party", "x"), RDF.type, CRM["E39_Actor"])),
     part("party", "x"), RDFS.label, SH.MinCountConstraintComponent, V),
    ("text words carry a language tag", lambda gs: replace_object(
        graph(gs, "source"), part("text", "en", "body"), CRM["P190_has_symbolic_content"], Literal("words")),
     part("text", "en", "body"), CRM["P190_has_symbolic_content"], SH.DatatypeConstraintComponent, V),
    ("text is closed", lambda gs: graph(gs, "source").add((part("text", "en"), EX.colour, Literal("red"))),
     part("text", "en"), EX.colour, SH.ClosedConstraintComponent, V),
    ("message has one translation", lambda gs: graph(gs, "source").remove((part("text"), CRM["P73_has_translation"],
                                                                           None)),
     part("text"), CRM["P73_has_translation"], SH.SPARQLConstraintComponent, V),
    ("original is in its edition's language", lambda gs: graph(gs, "source").remove((part("text"),
                                                                                    CRM["P72_has_language"], None)),
     part("text"), CRM["P72_has_language"], SH.SPARQLConstraintComponent, V),
    ("message is carried by the sheet", lambda gs: graph(gs, "source").remove((LETTER, CRM["P128_carries"],
                                                                               part("text"))),
     part("text"), f"^<{CRM['P128_carries']}>", SH.MinCountConstraintComponent, V),
    ("no recipient is a warning", lambda gs: graph(gs, "source").remove((part("text"), SCHEMA.recipient, None)),
     part("text"), SCHEMA.recipient, SH.MinCountConstraintComponent, W),
    ("translation is English", lambda gs: replace_object(graph(gs, "source"), part("text", "en"),
                                                         CRM["P72_has_language"], KGT["language-ru"]),
     part("text", "en"), CRM["P72_has_language"], SH.HasValueConstraintComponent, V),
    ("text part has a part type", lambda gs: replace_object(graph(gs, "source"), part("text", "en", "body"),
                                                            CRM["P2_has_type"], KGT.letter),
     part("text", "en", "body"), CRM["P2_has_type"], SH.InConstraintComponent, V),
    ("creation type", lambda gs: graph(gs, "source").add((part("text", "creation"), CRM["P2_has_type"], KGT.letter)),
     part("text", "creation"), CRM["P2_has_type"], SH.InConstraintComponent, V),
    ("letterhead is typed", lambda gs: graph(gs, "source").remove((part("letterhead"), CRM["P2_has_type"], None)),
     part("letterhead"), CRM["P2_has_type"], SH.MinCountConstraintComponent, V),
    ("every note is referred to", lambda gs: graph(gs, "source").remove((part("annotation", "3"), None, None)),
     part("note", "3"), HAS_BODY_INV, SH.MinCountConstraintComponent, V),
    ("note has one number", lambda gs: graph(gs, "source").add((part("note", "3"), SCHEMA.position, Literal(4))),
     part("note", "3"), SCHEMA.position, SH.MaxCountConstraintComponent, V),
    ("marker points at a note", lambda gs: graph(gs, "source").remove((part("annotation", "3"), OA.hasBody, None)),
     part("annotation", "3"), OA.hasBody, SH.MinCountConstraintComponent, V),
    ("marker points at the same letter", _annotation_points_at_other_letter,
     part("annotation", "2"), OA.hasTarget, SH.SPARQLConstraintComponent, V),
    ("annotation comments", lambda gs: replace_object(graph(gs, "source"), part("annotation", "2"), OA.motivatedBy,
                                                      OA.tagging),
     part("annotation", "2"), OA.motivatedBy, SH.HasValueConstraintComponent, V),
    ("marked passage lies in a text", lambda gs: graph(gs, "source").remove((part("annotation", "2", "target", "1"),
                                                                             OA.hasSource, None)),
     part("annotation", "2", "target", "1"), OA.hasSource, SH.MinCountConstraintComponent, V),
    ("quote is not empty", lambda gs: replace_object(graph(gs, "source"), part("annotation", "2", "target", "1",
                                                                               "quote"), OA.exact, Literal("")),
     part("annotation", "2", "target", "1", "quote"), OA.exact, SH.MinLengthConstraintComponent, V),
    ("passage starts before it ends", lambda gs: replace_object(
        graph(gs, "source"), part("annotation", "2", "target", "1", "position"), OA.start,
        Literal(500, datatype=XSD.nonNegativeInteger)),
     part("annotation", "2", "target", "1", "position"), OA.start, SH.LessThanConstraintComponent, V),
    ("sending has one time-span", lambda gs: graph(gs, "source").remove((part("sending"), CRM["P4_has_time-span"],
                                                                         None)),
     part("sending"), CRM["P4_has_time-span"], SH.MinCountConstraintComponent, V),
    ("sender is an actor", lambda gs: replace_object(graph(gs, "source"), part("sending"),
                                                     CRM["P14_carried_out_by"], ID["place/petrograd"]),
     part("sending"), CRM["P14_carried_out_by"], SH.NodeConstraintComponent, V),
    ("letter after the sender's birth", _sender_born_after_letter,
     part("sending"), CRM["P14_carried_out_by"], SH.SPARQLConstraintComponent, V),
    ("letter before the sender's death", _sender_dead_before_letter,
     part("sending"), CRM["P14_carried_out_by"], SH.SPARQLConstraintComponent, V),
    ("activity is closed", lambda gs: graph(gs, "source").add((part("sending"), EX.colour, Literal("red"))),
     part("sending"), EX.colour, SH.ClosedConstraintComponent, V),
    ("date begins before it ends", _date_ends_before_it_begins,
     part("sending", "time-span"), CRM["P82a_begin_of_the_begin"], SH.LessThanOrEqualsConstraintComponent, V),
    ("date bound is a dateTime", lambda gs: replace_object(graph(gs, "source"), part("sending", "time-span"),
                                                           CRM["P82b_end_of_the_end"],
                                                           Literal("1918-01-09", datatype=XSD.date)),
     part("sending", "time-span"), CRM["P82b_end_of_the_end"], SH.DatatypeConstraintComponent, V),
    ("Julian date before the reform", _julian_after_reform,
     part("sending", "time-span"), None, SH.OrConstraintComponent, V),
    ("date in calendar is a date", lambda gs: replace_object(graph(gs, "source"), part("sending", "time-span"),
                                                             KGO.dateInCalendar, Literal("27/XII")),
     part("sending", "time-span"), KGO.dateInCalendar, SH.PatternConstraintComponent, V),
    ("identifier is not empty", lambda gs: replace_object(graph(gs, "source"),
                                                          part("identifier", "archival-reference"),
                                                          CRM["P190_has_symbolic_content"], Literal("")),
     part("identifier", "archival-reference"), CRM["P190_has_symbolic_content"], SH.MinLengthConstraintComponent, V),
    ("appellation type", lambda gs: replace_object(graph(gs, "source"), part("sending", "time-span", "dateline"),
                                                   CRM["P2_has_type"], KGT.letter),
     part("sending", "time-span", "dateline"), CRM["P2_has_type"], SH.InConstraintComponent, V),
    ("source file checksum", lambda gs: replace_object(graph(gs, "source"),
                                                       ID["source/bl1996-no009-stalin-to-lenin-1917-12-27"],
                                                       SCHEMA.sha256, Literal("not-a-digest")),
     ID["source/bl1996-no009-stalin-to-lenin-1917-12-27"], SCHEMA.sha256, SH.PatternConstraintComponent, V),
    ("archive unit has a label", lambda gs: graph(gs, "archives").remove((DELO, RDFS.label, None)),
     DELO, RDFS.label, SH.MinCountConstraintComponent, V),
    ("archive levels nest", _delo_is_a_fond, DELO, None, SH.XoneConstraintComponent, V),
    ("archive holds fonds", lambda gs: graph(gs, "archives").add((ID["archive/rgaspi"], SCHEMA.archiveHeld, OPIS)),
     ID["archive/rgaspi"], SCHEMA.archiveHeld, SH.NodeConstraintComponent, V),
    ("person label has a language tag", lambda gs: graph(gs, "authorities").add((LENIN, RDFS.label,
                                                                                  Literal("Lenin"))),
     LENIN, RDFS.label, SH.DatatypeConstraintComponent, V),
    ("person has one English label", lambda gs: graph(gs, "authorities").remove(
        (LENIN, RDFS.label, Literal("Vladimir Lenin", lang="en"))),
     LENIN, RDFS.label, SH.QualifiedMinCountConstraintComponent, V),
    ("person birth date is a date", lambda gs: replace_object(graph(gs, "authorities"), LENIN, SCHEMA.birthDate,
                                                              Literal("spring 1870")),
     LENIN, SCHEMA.birthDate, SH.OrConstraintComponent, V),
    ("person dies after birth", _death_before_birth,
     LENIN, CRM["P100i_died_in"], SH.SPARQLConstraintComponent, V),
    ("birth has a date", lambda gs: graph(gs, "authorities").remove((ID["person/lenin/birth"], CRM["P4_has_time-span"],
                                                                     None)),
     ID["person/lenin/birth"], CRM["P4_has_time-span"], SH.MinCountConstraintComponent, V),
    ("organisation type", lambda gs: graph(gs, "authorities").add((ID["org/sovnarkom"], CRM["P2_has_type"],
                                                                   KGT.letter)),
     ID["org/sovnarkom"], CRM["P2_has_type"], SH.PatternConstraintComponent, V),
    ("organisation is a schema organisation", _organisation_without_schema_type,
     ID["org/sovnarkom"], None, SH.OrConstraintComponent, V),
    ("place lies in a place", lambda gs: graph(gs, "authorities").add((ID["place/smolny"], CRM["P89_falls_within"],
                                                                       LENIN)),
     ID["place/smolny"], CRM["P89_falls_within"], SH.ClassConstraintComponent, V),
    ("places do not cycle", _place_cycle,
     ID["place/petrograd"], CRM["P89_falls_within"], SH.SPARQLConstraintComponent, V),
    ("place is a schema place", lambda gs: graph(gs, "authorities").remove((ID["place/smolny"], RDF.type,
                                                                            SCHEMA.Place)),
     ID["place/smolny"], None, SH.ClassConstraintComponent, V),
    ("event place", lambda gs: graph(gs, "authorities").add((ID["event/brest-litovsk-negotiations"],
                                                             CRM["P7_took_place_at"], LENIN)),
     ID["event/brest-litovsk-negotiations"], CRM["P7_took_place_at"], SH.ClassConstraintComponent, V),
    ("event is closed", lambda gs: graph(gs, "authorities").add((ID["event/brest-litovsk-negotiations"],
                                                                 EX.colour, Literal("red"))),
     ID["event/brest-litovsk-negotiations"], EX.colour, SH.ClosedConstraintComponent, V),
    ("edition has a title", lambda gs: graph(gs, "edition").remove((ID["edition/bl1996"], CRM["P102_has_title"],
                                                                    None)),
     ID["edition/bl1996"], CRM["P102_has_title"], SH.MinCountConstraintComponent, V),
    ("title has a language tag", lambda gs: replace_object(graph(gs, "edition"), ID["edition/bl1996/title/en"],
                                                           CRM["P190_has_symbolic_content"], Literal("Title")),
     ID["edition/bl1996/title/en"], CRM["P190_has_symbolic_content"], SH.DatatypeConstraintComponent, V),
    ("ontology term has a comment", lambda gs: graph(gs, "ontology").remove((KGO.calendar, RDFS.comment, None)),
     KGO.calendar, RDFS.comment, SH.MinCountConstraintComponent, V),
    ("type is in the scheme", lambda gs: graph(gs, "ontology").remove((KGT.letter, SKOS.inScheme, None)),
     KGT.letter, SKOS.inScheme, SH.MinCountConstraintComponent, V),
    ("owl:sameAs is a Wikidata entity IRI", lambda gs: graph(gs, "authorities").add(
        (LENIN, OWL.sameAs, URIRef("https://www.wikidata.org/wiki/Q1394"))),
     LENIN, OWL.sameAs, SH.OrConstraintComponent, V),
    ("schema:sameAs is a Wikidata entity IRI", lambda gs: graph(gs, "authorities").add(
        (LENIN, SCHEMA.sameAs, URIRef("http://www.wikidata.org/entity/P31"))),
     LENIN, SCHEMA.sameAs, SH.OrConstraintComponent, V),
    ("skos:exactMatch is a Wikidata entity IRI", lambda gs: graph(gs, "authorities").add(
        (LENIN, SKOS.exactMatch, URIRef("http://www.wikidata.org/entity/Q1394x"))),
     LENIN, SKOS.exactMatch, SH.OrConstraintComponent, V),
    ("translation derives from one file", lambda gs: graph(gs, "source").add((part("text", "en"), PROV.wasDerivedFrom,
                                                                              part("text"))),
     part("text", "en"), PROV.wasDerivedFrom, SH.MaxCountConstraintComponent, V),
]


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_breaking_one_rule_gives_exactly_that_result(case, seed_copy, shapes, engine):
    _name, mutate, focus, path, component, severity = case
    mutate(seed_copy)
    found = results(seed_copy, shapes)
    assert (focus, path, component, severity) in found, sorted(map(str, found))


def test_a_note_on_the_letterhead_needs_no_marker(seed_graphs, engine):
    outcome = validate_graphs(seed_graphs, workers=1)
    assert part("annotation", "6") not in {r.focus for r in outcome.results}
