"""Archival references: archive → fond → opis → delo → folios, in CIDOC-CRM and RiC-O side by side.

"RTSKHIDNI. F. 558. On. 1. D. 5397. L. 2. Autograph." becomes: the keeper (an E74 group, also a RiC-O
corporate
body) holding the fond; fond, opis (inventory) and delo (file) as ``crm:E78_Curated_Holding`` linked upwards
by
``P46i_forms_part_of`` and, in parallel, as ``rico:RecordSet`` of record-set type Fonds / Series / File
linked by
``rico:isOrWasIncludedIn``; the letter sheet (E22, ``rico:Record``) forms part of its delo and is identified
by the
reference as printed, the normalised reference and its folios; the copy type ("Autograph", "Typewritten copy")
types the sheet (``P2_has_type``) and gives its RiC-O record state.

Holdings are shared by many letters, so they are made once per corpus (``make_e78_curated_holdings``) into the
archives graph; the per-letter functions only point at them.
"""

from __future__ import annotations

import re

from rdflib import Graph, URIRef

from kg.authorities import Authorities, Entity
from kg.mapping.appellations import en, make_e42_identifier, make_source_line
from kg.mapping.literals import plain
from kg.mapping.namespaces import CRM, KGT, RDF, RDFS, RICO, RST, SCHEMA, new_graph
from kg.mapping.uris import Uris, slug
from kg.records import ArchivalRef

#: Copy types as printed (lower-cased, trailing period dropped) → our E55 types.
COPY_TYPES = {
    "autograph": "autograph", "autographs": "autograph", "autograph copy": "autograph",
    "typewritten text": "typewritten-text", "typescript": "typewritten-text",
    "typewritten copy": "typewritten-copy", "certified typewritten copy": "certified-typewritten-copy",
    "handwritten text": "handwritten-text", "handwritten copy": "handwritten-copy",
    "handwritten text on a telegraph form": "telegraph-form", "telegraph form": "telegraph-form",
    "copy": "copy", "certified copy": "certified-copy",
}
#: Copy types that mean the sheet is in the sender's own hand.
AUTOGRAPH_TYPES = {"autograph"}
LEVELS = (("fond", "f. ", RST.Fonds), ("opis", "op. ", RST.Series), ("delo", "d. ", RST.File))


def copy_type_key(copy_type: str | None) -> str | None:
    """``"Autograph."`` → ``"autograph"``; ``None`` for a copy type we have no term for (kept as printed)."""
    if not copy_type:
        return None
    return COPY_TYPES.get(re.sub(r"\s+", " ", copy_type.strip().rstrip(".").lower()))


def archive_entity(ref: ArchivalRef, authorities: Authorities) -> tuple[str, Entity | None]:
    """The archive's key (``rgaspi``) and its authority entry, found by the normalised or printed name."""
    for name in (ref.archive_normalised, ref.archive):
        if name:
            entity = authorities.lookup(name, kinds=("organisation",))
            if entity is not None:
                return entity.key, entity
    name = ref.archive_normalised or ref.archive
    return (slug(name) if name else "unknown-archive"), None


def levels(ref: ArchivalRef) -> list[tuple[str, str, str, URIRef]]:
    """The (level, value, label prefix, RiC-O record-set type) of the reference, top down, stopping at a
    gap."""
    found = []
    for level, prefix, rst in LEVELS:
        value = getattr(ref, level)
        if value is None or not str(value).strip():
            break
        found.append((level, str(value).strip(), prefix, rst))
    return found


def holding_uri(ref: ArchivalRef, uris: Uris, authorities: Authorities) -> URIRef:
    """The lowest holding the reference names (the delo when complete), or the archive itself."""
    archive_key, _ = archive_entity(ref, authorities)
    values = [value for _, value, _, _ in levels(ref)]
    return uris.archive(archive_key, *values)


def normalised_reference(ref: ArchivalRef, authorities: Authorities) -> str:
    """``RGASPI, f. 558, op. 1, d. 5397, l. 2``: the modern archive name and the Russian abbreviations."""
    _, entity = archive_entity(ref, authorities)
    abbreviation = next((n for n in entity.names if n.isupper()), None) if entity else None
    parts = [ref.archive_normalised or abbreviation or ref.archive or "unknown archive"]
    parts += [prefix + value for _, value, prefix, _ in levels(ref)]
    if ref.folios:
        parts.append(("ll. " if re.search(r"[-,–]", ref.folios) else "l. ") + ref.folios)
    return ", ".join(parts)


def holdings_key(ref: ArchivalRef) -> tuple[str | None, ...]:
    """What ``make_e78_curated_holdings`` reads of a reference: references with equal keys state the same
    holdings, so the corpus maps each key once."""
    return ref.archive, ref.archive_normalised, ref.fond, ref.opis, ref.delo


def make_e78_curated_holdings(ref: ArchivalRef, uris: Uris, authorities: Authorities, *,
                              into: Graph | None = None, made: set[tuple[URIRef, str]] | None = None) -> Graph:
    """Fond, opis and delo of one reference (and the keeper when it is not a curated authority).

    ``made``: the (holding, label) pairs already stated in ``into``, which this adds to. A level's triples
    depend on nothing else (its parent and keeper are in its IRI), so a fond or an opis that many references
    share is stated once: at 100,000 letters this was most of the time spent planning the build.
    """
    graph = new_graph() if into is None else into
    archive_key, entity = archive_entity(ref, authorities)
    keeper = uris.archive(archive_key)
    archive_name = ref.archive_normalised or ref.archive or "unknown archive"
    made = set() if made is None else made
    if entity is None and (keeper, archive_name) not in made:  # not curated: say only what the page says
        made.add((keeper, archive_name))
        graph.add((keeper, RDF.type, CRM["E74_Group"]))
        graph.add((keeper, RDF.type, SCHEMA.ArchiveOrganization))
        graph.add((keeper, RDF.type, RICO.CorporateBody))
        graph.add((keeper, RDFS.label, en(archive_name)))
    short = normalised_reference(ArchivalRef(text="", archive=ref.archive,
                                             archive_normalised=ref.archive_normalised), authorities)
    parent = keeper
    values: list[str] = []
    label = short
    for level, value, prefix, rst in levels(ref):
        values.append(value)
        holding = uris.archive(archive_key, *values)
        label = f"{label}, {prefix}{value}"
        if (holding, label) in made:
            parent = holding
            continue
        made.add((holding, label))
        graph.add((holding, RDF.type, CRM["E78_Curated_Holding"]))
        graph.add((holding, RDF.type, RICO.RecordSet))
        graph.add((holding, RDF.type, SCHEMA.ArchiveComponent))
        graph.add((holding, RDFS.label, en(label)))
        graph.add((holding, CRM["P2_has_type"], KGT[level]))
        graph.add((holding, RICO.hasRecordSetType, rst))
        graph.add((holding, RICO.identifier, plain(value)))
        make_e42_identifier(holding, URIRef(f"{holding}/identifier"), value, KGT[f"{level}-number"],
                            label=f"{prefix}{value}", into=graph)
        graph.add((holding, CRM["P109_has_current_or_former_curator"], keeper))
        graph.add((holding, RICO.hasOrHadHolder, keeper))
        graph.add((holding, SCHEMA.holdingArchive, keeper))
        if parent != keeper:
            graph.add((holding, CRM["P46i_forms_part_of"], parent))
            graph.add((holding, RICO.isOrWasIncludedIn, parent))
            graph.add((holding, SCHEMA.isPartOf, parent))
        else:
            graph.add((keeper, SCHEMA.archiveHeld, holding))
        parent = holding
    return graph


def make_archival_item(item: URIRef, ref: ArchivalRef, uris: Uris, authorities: Authorities, *,
                       into: Graph | None = None) -> Graph:
    """Where the sheet is kept and how it is cited: P46i to its delo, keeper, identifiers, copy type."""
    graph = new_graph() if into is None else into
    archive_key, _ = archive_entity(ref, authorities)
    keeper = uris.archive(archive_key)
    holding = holding_uri(ref, uris, authorities)
    if holding != keeper:
        graph.add((item, CRM["P46i_forms_part_of"], holding))
        graph.add((item, RICO.isOrWasIncludedIn, holding))
        graph.add((item, SCHEMA.isPartOf, holding))
    graph.add((item, CRM["P50_has_current_keeper"], keeper))
    graph.add((item, RICO.hasOrHadHolder, keeper))
    graph.add((item, SCHEMA.holdingArchive, keeper))
    printed = URIRef(f"{item}/identifier/archival-reference")
    make_e42_identifier(item, printed, ref.text, KGT["archival-reference-as-printed"], into=graph)
    make_source_line(printed, ref.line, into=graph)
    normalised = normalised_reference(ref, authorities)
    make_e42_identifier(item, URIRef(f"{item}/identifier/archival-reference-normalised"), normalised,
                        KGT["archival-reference-normalised"], into=graph)
    normalised_literal = plain(normalised)
    graph.add((item, SCHEMA.identifier, normalised_literal))
    graph.add((item, RICO.identifier, normalised_literal))
    if ref.folios:
        make_e42_identifier(item, URIRef(f"{item}/identifier/folios"), ref.folios, KGT.folios,
                            label=f"l. {ref.folios}", into=graph)
        leaves = [leaf for leaf in ref.folio_list if leaf != ref.folios]
        for leaf in leaves:
            leaf_uri = URIRef(f"{item}/identifier/folio/{slug(leaf)}")
            make_e42_identifier(item, leaf_uri, leaf, KGT.folio, label=f"l. {leaf}", into=graph)
    copy_key = copy_type_key(ref.copy_type)
    if copy_key:
        graph.add((item, CRM["P2_has_type"], KGT[copy_key]))
        graph.add((item, RICO.hasRecordState, KGT[copy_key]))
    elif ref.copy_type:
        graph.add((item, CRM["P3_has_note"], en(f"Copy type as printed: {ref.copy_type}")))
    return graph
