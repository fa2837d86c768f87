"""Competency questions a historian asks of letter No. 9, as SPARQL over the mapped seed, with expected
answers.

Each query is answered by rdflib over the named graphs ``map_corpus`` returns (default graph = their union).
"""

from __future__ import annotations

import pytest

from kg.mapping.namespaces import PREFIXES

PREFIX = "\n".join(f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items()) + "\n"
ID = "https://kg.example.org/id/"
LETTER = f"<{ID}letter/bl1996-009>"


def rows(dataset, query: str) -> set[tuple[str, ...]]:
    return {tuple(str(v) if v is not None else None for v in row) for row in dataset.query(PREFIX + query)}


def column(dataset, query: str) -> set[str]:
    return {r[0] for r in rows(dataset, query)}


COMPETENCY = [
    ("who wrote No. 9 to whom", """
        SELECT ?senderLabel ?recipientLabel WHERE {
          ?text crm:P2_has_type ?no ; crm:P1_is_identified_by ?id . ?id crm:P190_has_symbolic_content "9" ;
                crm:P2_has_type kgt:document-number .
          ?sending crm:P16_used_specific_object ?text ; crm:P14_carried_out_by ?s ; kgo:hadAddressee ?r .
          ?s rdfs:label ?senderLabel . ?r rdfs:label ?recipientLabel .
          FILTER(lang(?senderLabel) = "en" && lang(?recipientLabel) = "en") }""".replace(
        "?text crm:P2_has_type ?no ; ", "?text "),
     {("Joseph Stalin", "Vladimir Lenin")}),
    ("its date in both calendars", f"""
        SELECT ?written ?calendarLabel ?begin ?end ?edtf WHERE {{
          {LETTER} crm:P128_carries ?text . ?sending crm:P16_used_specific_object ?text ;
                crm:P4_has_time-span ?ts .
          ?ts kgo:dateInCalendar ?written ; kgo:calendar ?cal ; crm:P82a_begin_of_the_begin ?begin ;
              crm:P82b_end_of_the_end ?end ; kgo:edtf ?edtf . ?cal rdfs:label ?calendarLabel }}""",
     {("1917-12-27", "Julian calendar (Old Style)", "1918-01-09T17:00:00", "1918-01-09T17:59:59",
       "1918-01-09")}),
    ("the date as printed, with the editors' brackets, and the dateline", f"""
        SELECT ?type ?content WHERE {{
          ?sending crm:P16_used_specific_object/crm:P128i_is_carried_by|crm:P16_used_specific_object ?x .
          {LETTER} crm:P128_carries ?text . ?sending crm:P16_used_specific_object ?text ;
          crm:P4_has_time-span ?ts .
          ?ts crm:P1_is_identified_by ?app . ?app crm:P2_has_type ?type ; crm:P190_has_symbolic_content
          ?content .
          ?ts crm:P2_has_type kgt:editorial-date }}""",
     {(str(PREFIXES["kgt"]["date-as-printed"]), "December 27 [1917]"),
      (str(PREFIXES["kgt"]["dateline"]), "27/XII, 5 p.m.")}),
    ("which archive, fond, opis, delo and folio hold it, and is it an autograph", f"""
        SELECT ?archive ?fond ?opis ?delo ?folios ?autograph WHERE {{
          {LETTER} crm:P46i_forms_part_of ?d ; crm:P50_has_current_keeper ?keeper ;
                crm:P1_is_identified_by ?f . ?f crm:P2_has_type kgt:folios ; crm:P190_has_symbolic_content
                ?folios .
          ?d crm:P2_has_type kgt:delo ; crm:P46i_forms_part_of ?o ; rico:identifier ?delo .
          ?o crm:P2_has_type kgt:opis ; crm:P46i_forms_part_of ?fo ; rico:identifier ?opis .
          ?fo crm:P2_has_type kgt:fond ; rico:identifier ?fond ; rico:hasOrHadHolder ?keeper .
          ?keeper rdfs:label ?archive . FILTER(lang(?archive) = "en")
          BIND(EXISTS {{ {LETTER} crm:P2_has_type kgt:autograph }} AS ?autograph) }}""",
     {("Russian State Archive of Socio-Political History (RGASPI)", "558", "1", "5397", "2", "true")}),
    ("the archival reference as printed and normalised", f"""
        SELECT ?type ?ref WHERE {{ {LETTER} crm:P1_is_identified_by ?id . ?id crm:P2_has_type ?type ;
              crm:P190_has_symbolic_content ?ref .
          FILTER(?type IN (kgt:archival-reference-as-printed, kgt:archival-reference-normalised)) }}""",
     {(str(PREFIXES["kgt"]["archival-reference-as-printed"]),
       "RTSKHIDNI. F. 558. On. 1. D. 5397. L. 2. Autograph."),
      (str(PREFIXES["kgt"]["archival-reference-normalised"]), "RGASPI, f. 558, op. 1, d. 5397, l. 2")}),
    ("persons mentioned in the letter", f"""
        SELECT ?key WHERE {{ {LETTER} crm:P128_carries ?text . ?text crm:P67_refers_to ?p . ?p a
        crm:E21_Person .
          BIND(STRAFTER(STR(?p), "/person/") AS ?key) }}""",
     {("kaledin",), ("proshyan",), ("dutov",), ("ter-arutyunyants",), ("trotsky",)}),
    ("persons mentioned only in the notes", f"""
        SELECT DISTINCT ?key WHERE {{
          ?note crm:P2_has_type kgt:editorial-note ; crm:P67_refers_to ?p .
          ?annotation oa:hasBody ?note . FILTER(STRSTARTS(STR(?note), "{ID}letter/bl1996-009/"))
          ?p a crm:E21_Person .
          FILTER NOT EXISTS {{ {LETTER} crm:P128_carries ?text . ?text crm:P67_refers_to ?p }}
          BIND(STRAFTER(STR(?p), "/person/") AS ?key) }}""",
     {("lenin",), ("stalin",), ("kolychev",), ("semyonov-delegate",)}),
    ("which notes mention Kaledin", f"""
        SELECT ?n WHERE {{ ?note crm:P2_has_type kgt:editorial-note ; schema:position ?n ;
          crm:P67_refers_to <{ID}person/kaledin> }}""",
     {("2",), ("3",)}),
    ("which events the letter refers to", f"""
        SELECT ?key WHERE {{ {LETTER} crm:P128_carries ?text . ?text crm:P67_refers_to ?e . ?e a schema:Event
        .
          BIND(STRAFTER(STR(?e), "/event/") AS ?key) }}""",
     {("brest-litovsk-negotiations",), ("decree-turkish-armenia",), ("decree-telegraph-operators",)}),
    ("letters held in fond 558", """
        SELECT ?letter WHERE { ?letter a crm:E22_Human-Made_Object ; crm:P46i_forms_part_of+ ?fond .
          ?fond crm:P2_has_type kgt:fond ; rico:identifier "558" }""",
     {(f"{ID}letter/bl1996-009",)}),
    ("what the letterhead says", f"""
        SELECT ?text ?org WHERE {{ {LETTER} crm:P128_carries ?lh . ?lh a crm:E34_Inscription ;
          crm:P73_has_translation/crm:P190_has_symbolic_content ?text ; crm:P67_refers_to ?org }}""",
     {("People's Commissar for the Ministry of Finance", f"{ID}org/narkomfin")}),
    ("letters Stalin sent in 1917 by the calendar they were written in (O.S.)", """
        SELECT ?letter WHERE { ?sending crm:P14_carried_out_by <https://kg.example.org/id/person/stalin> ;
          crm:P2_has_type kgt:sending ; crm:P16_used_specific_object ?text ; crm:P4_has_time-span ?ts .
          ?letter crm:P128_carries ?text . ?ts kgo:calendar kgt:julian-calendar ; kgo:dateInCalendar ?d .
          FILTER(STRSTARTS(?d, "1917")) }""",
     {(f"{ID}letter/bl1996-009",)}),
    ("letters Stalin sent in 1917 N.S. (none: No. 9 is 9 January 1918 N.S.)", """
        SELECT ?letter WHERE { ?sending crm:P14_carried_out_by <https://kg.example.org/id/person/stalin> ;
          crm:P2_has_type kgt:sending ; crm:P16_used_specific_object ?text ; crm:P4_has_time-span ?ts .
          ?letter crm:P128_carries ?text . ?ts crm:P82a_begin_of_the_begin ?b .
          FILTER(?b >= "1917-01-01T00:00:00"^^xsd:dateTime && ?b < "1918-01-01T00:00:00"^^xsd:dateTime) }""",
     set()),
    ("letters Stalin sent in 1918 N.S.", """
        SELECT ?letter WHERE { ?sending crm:P14_carried_out_by <https://kg.example.org/id/person/stalin> ;
          crm:P16_used_specific_object ?text ; crm:P4_has_time-span ?ts . ?letter crm:P128_carries ?text .
          ?ts crm:P82a_begin_of_the_begin ?b . FILTER(YEAR(?b) = 1918) }""",
     {(f"{ID}letter/bl1996-009",)}),
    ("where note 2 is anchored in the text", f"""
        SELECT ?exact ?start ?end WHERE {{ ?a oa:hasBody <{ID}letter/bl1996-009/note/2> ; oa:hasTarget ?t .
          ?t oa:hasSource <{ID}letter/bl1996-009/text/en/body> ; oa:hasSelector ?q , ?p .
          ?q oa:exact ?exact . ?p oa:start ?start ; oa:end ?end }}""",
     {("Received an answer from the Rada, evasive, but still quite compromising (our answer is needed)",
       "116", "210")}),
    ("schema.org-only view: message sender, recipient, date, holding archive", """
        SELECT ?sender ?recipient ?date ?archive WHERE { ?m a schema:Message ; schema:sender/schema:name
        ?sender ;
          schema:recipient/schema:name ?recipient ; schema:dateSent ?date .
          ?item a schema:ArchiveComponent ; crm:P128_carries ?m ; schema:holdingArchive/schema:name ?archive .
          FILTER(lang(?sender) = "en" && lang(?recipient) = "en" && lang(?archive) = "en") }""",
     {("Joseph Stalin", "Vladimir Lenin", "1918-01-09",
       "Russian State Archive of Socio-Political History (RGASPI)")}),
    ("which file the letter was read from, and its SHA-256", """
        SELECT ?name ?sha WHERE { GRAPH ?g { <https://kg.example.org/id/letter/bl1996-009> a
        crm:E22_Human-Made_Object }
          ?g prov:wasDerivedFrom ?src . ?src schema:name ?name ; schema:sha256 ?sha }""",
     "SEED"),
    ("who compiled the edition that publishes No. 9", f"""
        SELECT ?compiler WHERE {{ {LETTER} crm:P128_carries ?text . ?text crm:P165i_is_incorporated_in ?ed .
          ?ed crm:P94i_was_created_by/crm:P14_carried_out_by ?p . ?p rdfs:label ?compiler .
          FILTER(lang(?compiler) = "en") }}""",
     {("A. V. Kvashonkin",), ("L. P. Kosheleva",), ("L. A. Rogovaya",), ("Oleg Khlevniuk",)}),
    ("which archival files the notes cite", f"""
        SELECT ?n ?delo WHERE {{ ?note schema:position ?n ; crm:P67_refers_to ?d .
          FILTER(STRSTARTS(STR(?note), "{ID}letter/bl1996-009/note/")) ?d crm:P2_has_type kgt:delo ;
          rico:identifier ?delo }}""",
     {("3", "5398")}),
    ("letters that mention the Central Rada, with the name as variant 'Rada'", """
        SELECT ?letter ?alt WHERE { ?letter crm:P128_carries/schema:mentions ?rada .
          ?rada skos:altLabel ?alt . FILTER(STR(?alt) = "Rada") }""",
     {(f"{ID}letter/bl1996-009", "Rada")}),
]


@pytest.mark.parametrize(("question", "query", "expected"), COMPETENCY, ids=[c[0] for c in COMPETENCY])
def test_competency_question(dataset, seed_digest, question, query, expected):
    if expected == "SEED":
        expected = {("bl1996-no009-stalin-to-lenin-1917-12-27.txt", seed_digest)}
    assert rows(dataset, query) == expected, question


def test_there_are_at_least_fifteen_competency_questions():
    assert len(COMPETENCY) >= 15
