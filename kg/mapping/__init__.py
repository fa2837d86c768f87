"""Letter records → CIDOC-CRM 7.1 + schema.org + RiC-O + Web Annotation graphs, one named graph per source
file.

Public API::

    map_corpus(records, authorities, base_uri, source_digests) -> list[tuple[URIRef, Graph]]
    map_letter(record, ctx) -> Graph                    # pure: one document, a fresh graph
    ontology_graph() -> Graph                           # ontology/*.ttl (our kgo: terms and kgt: types)
    letter_keys(records, authorities) -> list[str]      # the deterministic key of each record

``map_corpus`` returns, in this order: one graph per source file ``{base}/graph/source/{stem}`` (the letters
of
that file and the file's provenance), ``{base}/graph/archives`` (fonds, opisi, dela of every reference,
shared by
many letters so stated once), ``{base}/graph/edition`` (the editions and their compilation),
``{base}/graph/authorities`` (every curated person, organisation, place, event) and ``{base}/graph/ontology``.
Small per-file graphs, never one Dataset: at 100,000 letters a single rdflib graph costs more than 5 GB.

URI patterns (``kg.mapping.uris``; keys derived from the data, so a rebuild gives identical triples)::

    {base}/id/letter/bl1996-009                 the sheet (E22, rico:Record, schema:ArchiveComponent)
      …/production                              E12 (P14 sender when "Autograph")
      …/text                                    Russian original: E33, schema:Message (sender, recipient,
                                                dateSent, mentions), P67_refers_to what the body names
      …/text/creation                           E65, P14 sender(s)
      …/text/identifier/document-number         E42 "9" (kgt:document-number)
      …/text/en                                 English translation: E33 (P73 from …/text),
      prov:wasDerivedFrom
      …/text/en/{salutation,body,address/i,signature/i}   E33 parts with P190 (annotations select in …/body)
      …/sending                                 E7 typed kgt:sending, P14 sender, kgo:hadAddressee, P16 the
      text
      …/sending/time-span                       E52: P82a/P82b xsd:dateTime (proleptic Gregorian, inclusive),
                                                kgo:calendar, kgo:dateInCalendar, kgo:edtf, P2
                                                kgt:editorial-date /
                                                kgt:qualifier-*, P79/P80 for qualifiers
      …/sending/time-span/{date-as-printed,dateline}      E41 with P190 as printed
      …/identifier/{archival-reference,archival-reference-normalised,folios,folio/N}   E42
      …/item/2                                  a further sheet when several archival references are given
      …/letterhead (E34, P73 → …/letterhead/en)  from a note "On the letterhead: …"
      …/note/2                                  E33 typed kgt:editorial-note, schema:Comment, P67 what it
      names
      …/annotation/2  (…/target/1, …/quote, …/position)   oa:Annotation with Text{Quote,Position}Selector
      …/publication/1                           E33 earlier publication, P165_incorporates …/text
      …/party/sender-1                          E39 for a party not in the authorities (name as printed)
    {base}/id/archive/rgaspi[/f558[/op1[/d5397]]]   keeper (E74) and holdings (E78 + rico:RecordSet)
    {base}/id/{person,org,place,event}/{key}    authorities (data/authorities/*.toml)
      …/identifier/{authority-uri-slug}         E42 kgt:authority-record-uri (refs = [...]: GND, GeoNames)
    {base}/id/edition/bl1996[/en|/compilation|/title/{en,ru}]   the edition (E33, schema:Book)
    {base}/id/source/{stem}                     the source file (prov:Entity, schema:sha256)

Source lines for validation reports: every resource read from a known line carries ``kgo:sourceLine``
(xsd:positiveInteger, 1-based) — the letter sheet (the document's first line), the time-span (date line), the
text parts, each note, each archival reference identifier. The file is the named graph's
``prov:wasDerivedFrom`` (``{base}/id/source/{stem}``, with ``schema:name`` and ``schema:sha256``). A validator
maps a focus node to (file, line) by walking up to the nearest subject with ``kgo:sourceLine`` — within a
letter
every URI starts with the letter's URI, so the prefix is enough.

Only one direction of each inverse pair is emitted (e.g. ``P108i_was_produced_by`` from the sheet,
``P94i_was_created_by`` from the text, ``P46i_forms_part_of`` upwards); queries follow that direction.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

from rdflib import Graph, URIRef

from kg.authorities import Authorities
from kg.mapping.archive import make_e78_curated_holdings
from kg.mapping.context import MappingContext
from kg.mapping.edition import make_e33_edition
from kg.mapping.entities import map_authorities
from kg.mapping.letter import map_letter
from kg.mapping.namespaces import new_graph
from kg.mapping.provenance import make_prov_source
from kg.mapping.uris import Uris, document_key, slug
from kg.records import LetterRecord
from kg.settings import ontology_dir

__all__ = ["MappingContext", "letter_keys", "map_corpus", "map_letter", "ontology_graph"]


def _edition_key(record: LetterRecord, authorities: Authorities) -> str | None:
    if record.source is None:
        return None
    edition = authorities.edition_for(record.source.path, record.bibl_id)
    return edition.key if edition else None


def _party_key(names: list[str], authorities: Authorities) -> str:
    keys = []
    for name in names[:2]:
        entity = authorities.lookup(name, kinds=("person", "organisation"))
        keys.append(entity.key if entity else slug(name.split()[-1] if name.split() else name))
    return "-".join(keys) or "unknown"


def letter_keys(records: list[LetterRecord], authorities: Authorities) -> list[str]:
    """A key per record: ``bl1996-009`` from the printed number, else ``bl1996-1917-12-27-stalin-lenin``; a
    key
    already taken gets ``-2``, ``-3`` … in input order (so the order of ``records`` must itself be stable)."""
    keys: list[str] = []
    used: dict[str, int] = defaultdict(int)
    for record in records:
        edition = _edition_key(record, authorities) or "letters"
        if record.doc_no:
            key = document_key(edition, record.doc_no)
        else:
            date = record.date_written or record.date_gregorian or "undated"
            key = (f"{edition}-{slug(date)}-{_party_key(record.senders, authorities)}-"
                   f"{_party_key(record.recipients, authorities)}")
        used[key] += 1
        keys.append(key if used[key] == 1 else f"{key}-{used[key]}")
    return keys


def ontology_graph() -> Graph:
    """Our vocabulary and types (``ontology/*.ttl``), for the ontology named graph and the shapes."""
    graph = new_graph()
    for path in sorted(Path(ontology_dir()).glob("*.ttl")):
        graph.parse(path, format="turtle")
    return graph


def map_corpus(records: list[LetterRecord], authorities: Authorities, base_uri: str,
               source_digests: dict[str, str], *,
               progress: Callable[[Iterable], Iterable] | None = None) -> list[tuple[URIRef, Graph]]:
    """Map every record, grouped into one graph per source file, plus the shared graphs (see module doc).

    ``source_digests`` maps a record's ``source.path`` to the file's SHA-256 (hex). Problems a curator should
    see (unknown parties, unknown capitalised names) are attached to each graph as ``graph.problems`` (a list
    of
    strings prefixed with the letter key), never turned into entities. ``progress`` wraps the iteration over
    the records (a progress bar) without this module knowing how it is shown.
    """
    uris = Uris(base_uri)
    keys = letter_keys(records, authorities)
    by_source: dict[str, Graph] = {}
    problems: dict[str, list[str]] = defaultdict(list)
    archives = new_graph()
    pairs = zip(records, keys, strict=True)
    for record, key in progress(pairs) if progress else pairs:
        path = record.source.path if record.source else "unknown-source"
        if path not in by_source:
            by_source[path] = new_graph()
            by_source[path] += make_prov_source(uris.source_graph(path), uris.source(path), path,
                                                source_digests.get(path))
        edition = authorities.edition_for(path, record.bibl_id)
        ctx = MappingContext(uris=uris, authorities=authorities, letter_key=key, edition=edition,
                             source_path=path if record.source else None)
        by_source[path] += map_letter(record, ctx)
        problems[path].extend(f"{key}: {problem}" for problem in ctx.problems)
        for ref in record.archival_refs + [r for note in record.notes for r in note.references]:
            archives += make_e78_curated_holdings(ref, uris, authorities)
    result: list[tuple[URIRef, Graph]] = []
    for path in sorted(by_source):
        graph = by_source[path]
        graph.problems = problems[path]  # type: ignore[attr-defined]
        result.append((uris.source_graph(path), graph))
    edition_graph = new_graph()
    for edition in sorted(authorities.editions.values(), key=lambda e: e.key):
        edition_graph += make_e33_edition(edition, uris, authorities)
    result.append((uris.graph("archives"), archives))
    result.append((uris.graph("edition"), edition_graph))
    result.append((uris.graph("authorities"), map_authorities(authorities, uris)))
    result.append((uris.graph("ontology"), ontology_graph()))
    return result
