"""Letter records → CIDOC-CRM 7.1 + schema.org + RiC-O + Web Annotation graphs, one named graph per source
file.

Public API::

    map_corpus(records, authorities, base_uri, source_digests) -> list[tuple[URIRef, Graph]]
    iter_map_corpus(records, authorities, base_uri, source_digests)  # the same, yielded graph by graph
    map_letter(record, ctx, into=None) -> Graph         # pure: one document, into a graph (a fresh one)
    ontology_graph() -> Graph                           # ontology/*.ttl (our kgo: terms and kgt: types)
    letter_keys(records, authorities) -> list[str]      # the deterministic key of each record

``map_corpus`` returns, in this order: one graph per source file ``{base}/graph/source/{stem}`` (the letters
of
that file and the file's provenance), ``{base}/graph/archives`` (fonds, opisi, dela of every reference,
shared by
many letters so stated once), ``{base}/graph/edition`` (the editions and their compilation),
``{base}/graph/authorities`` (every curated person, organisation, place, event) and ``{base}/graph/ontology``.
Small per-file graphs, never one Dataset: at 100,000 letters a single rdflib graph costs more than 5 GB.
``iter_map_corpus`` yields each source file's graph as soon as it is mapped (same graphs, same order), so that
a build can validate and write it, then let it go: only the shared graphs grow with the corpus.

Scale (issue 10): every ``make_*`` function adds to the graph it is given (``into=``) rather than returning a
small graph to merge, the graphs sit on a light store (``kg.mapping.triples``), and terms used by many triples
(namespace terms, entity and holding URIs, the letter's own URIs) are minted once.

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

import pickle
from array import array
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path

from rdflib import Graph, URIRef

from kg.authorities import Authorities, Edition
from kg.mapping.archive import holdings_key, make_e78_curated_holdings
from kg.mapping.context import MappingContext
from kg.mapping.edition import make_e33_edition
from kg.mapping.entities import map_authorities
from kg.mapping.letter import map_letter
from kg.mapping.namespaces import new_graph
from kg.mapping.provenance import make_prov_source
from kg.mapping.uris import Uris, document_key, slug
from kg.records import LetterRecord
from kg.settings import ontology_dir

__all__ = ["CorpusMapping", "MappingContext", "iter_map_corpus", "letter_keys", "map_corpus", "map_letter",
           "ontology_graph"]

NamedGraph = tuple[URIRef, Graph]


class PackedFiles:
    """Lists of objects pickled one after the other into a single ``bytes`` object; ``[i]`` unpickles the
    ``i``-th list. One object, so that reading one list never writes to the pages holding the others."""

    def __init__(self, groups: Iterable[list]) -> None:
        parts: list[bytes] = []
        self._ends = array("Q")
        end = 0
        for group in groups:
            parts.append(pickle.dumps(group, protocol=pickle.HIGHEST_PROTOCOL))
            end += len(parts[-1])
            self._ends.append(end)
        self._blob = b"".join(parts)

    def __len__(self) -> int:
        return len(self._ends)

    def __getitem__(self, index: int) -> list:
        start = self._ends[index - 1] if index > 0 else 0
        return pickle.loads(memoryview(self._blob)[start:self._ends[index]])


class _Editions:
    """``authorities.edition_for`` remembered per (file, part): it matches file-name globs, and a file holds
    many letters."""

    def __init__(self, authorities: Authorities) -> None:
        self.authorities = authorities
        self._found: dict[tuple[str, str | None], Edition | None] = {}

    def __call__(self, path: str, part: str | None) -> Edition | None:
        try:
            return self._found[path, part]
        except KeyError:
            edition = self._found[path, part] = self.authorities.edition_for(path, part)
            return edition


def _edition_key(record: LetterRecord, editions: _Editions) -> str | None:
    if record.source is None:
        return None
    edition = editions(record.source.path, record.bibl_id)
    return edition.key if edition else None


def _party_key(names: list[str], authorities: Authorities) -> str:
    keys = []
    for name in names[:2]:
        entity = authorities.lookup(name, kinds=("person", "organisation"))
        keys.append(entity.key if entity else slug(name.split()[-1] if name.split() else name))
    return "-".join(keys) or "unknown"


def letter_keys(records: Sequence[LetterRecord], authorities: Authorities) -> list[str]:
    """A key per record: ``bl1996-009`` from the printed number, else ``bl1996-1917-12-27-stalin-lenin``; a
    key
    already taken gets ``-2``, ``-3`` … in input order (so the order of ``records`` must itself be stable)."""
    keys: list[str] = []
    used: dict[str, int] = defaultdict(int)
    editions = _Editions(authorities)
    for record in records:
        edition = _edition_key(record, editions) or "letters"
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


def map_corpus(records: Sequence[LetterRecord], authorities: Authorities, base_uri: str,
               source_digests: dict[str, str], *,
               progress: Callable[[Iterable], Iterable] | None = None) -> list[NamedGraph]:
    """Map every record, grouped into one graph per source file, plus the shared graphs (see module doc).

    ``source_digests`` maps a record's ``source.path`` to the file's SHA-256 (hex). Problems a curator should
    see (unknown parties, unknown capitalised names) are attached to each graph as ``graph.problems`` (a list
    of
    strings prefixed with the letter key), never turned into entities. ``progress`` wraps the iteration over
    the records (a progress bar) without this module knowing how it is shown. All graphs at once: a build that
    can take them one by one should use ``iter_map_corpus``.
    """
    return list(iter_map_corpus(records, authorities, base_uri, source_digests, progress=progress))


def _source_path(record: LetterRecord) -> str:
    return record.source.path if record.source else "unknown-source"


def iter_map_corpus(records: Sequence[LetterRecord], authorities: Authorities, base_uri: str,
                    source_digests: dict[str, str], *,
                    progress: Callable[[Iterable], Iterable] | None = None) -> Iterator[NamedGraph]:
    """``map_corpus`` one graph at a time: each source file's graph (files in sorted path order) as soon as its
    letters are mapped, then the archives, edition, authorities and ontology graphs.

    Letter keys depend on the order of all records, so ``records`` is a sequence, read once up front; the graphs
    are made lazily, and a consumer that drops each source graph after use holds only the shared ones.
    ``progress`` wraps the records in the order they are mapped (grouped by file).
    """
    corpus = CorpusMapping(records, authorities, base_uri, source_digests)
    ordered = [(path, key) for path, keys in zip(corpus.paths, corpus.keys, strict=True) for key in keys]
    index = -1
    current: str | None = None
    for path, _key in progress(ordered) if progress else ordered:
        if path != current:  # the previous file is complete: hand out its graph before mapping this one
            if current is not None:
                yield corpus.source_graph(index)
            current, index = path, index + 1
    if current is not None:
        yield corpus.source_graph(index)
    yield from corpus.shared_graphs()


class CorpusMapping:
    """A corpus planned for mapping file by file, in any order and in any process.

    Everything that depends on the whole corpus is settled here, once: the letter keys (a repeated key gets
    ``-2``, ``-3`` in input order), the grouping of records by source file (files in sorted path order), the
    archives graph (every holding cited by any letter). ``source_graph(i)`` then maps the ``i``-th file alone, so
    a build can map files in worker processes (forked after this plan is made) and drop each graph once used.

    The records are then kept pickled, file by file, in one ``bytes`` object (:class:`PackedFiles`), not as
    objects: 100,000 letters take 165 MB so instead of 750 MB, and a forked worker that maps a file reads it
    without touching the pages of every other record (reading an object writes its reference count, and each
    page written is copied into the worker: a worker that mapped half the corpus held a private copy of half
    the records). Unpickling a file's records costs about 20 µs a letter.
    """

    def __init__(self, records: Sequence[LetterRecord], authorities: Authorities, base_uri: str,
                 source_digests: dict[str, str]) -> None:
        self.uris = Uris(base_uri)
        self.authorities = authorities
        self.source_digests = source_digests
        self._editions = _Editions(authorities)
        by_source: dict[str, list[tuple[LetterRecord, str]]] = defaultdict(list)
        for record, key in zip(records, letter_keys(records, authorities), strict=True):
            by_source[_source_path(record)].append((record, key))
        files = sorted(by_source.items())
        #: Each file's path and its letters' keys, in file order.
        self.paths: list[str] = [path for path, _pairs in files]
        self.keys: list[list[str]] = [[key for _record, key in pairs] for _path, pairs in files]
        self._archives = self._map_archives(pairs for _path, pairs in files)
        self._records = PackedFiles(pairs for _path, pairs in files)

    def __len__(self) -> int:
        return len(self.paths)

    def source_graph(self, index: int) -> NamedGraph:
        """The graph of the ``index``-th source file: its letters and the file's provenance; ``graph.problems``
        lists what a curator should see (unknown parties and names), each prefixed with the letter key."""
        path, pairs = self.paths[index], self._records[index]
        graph = new_graph()
        graph.problems = []  # type: ignore[attr-defined]
        make_prov_source(self.uris.source_graph(path), self.uris.source(path), path, self.source_digests.get(path),
                         into=graph)
        for record, key in pairs:
            ctx = MappingContext(uris=self.uris, authorities=self.authorities, letter_key=key,
                                 edition=self._editions(path, record.bibl_id),
                                 source_path=path if record.source else None)
            map_letter(record, ctx, into=graph)
            graph.problems.extend(f"{key}: {problem}" for problem in ctx.problems)  # type: ignore[attr-defined]
        return self.uris.source_graph(path), graph

    def archives_graph(self) -> Graph:
        """Fonds, opisi and dela of every archival reference (in the letters and in their notes), each once."""
        return self._archives

    def _map_archives(self, files: Iterable[list[tuple[LetterRecord, str]]]) -> Graph:
        archives = new_graph()
        seen: set[tuple[str | None, ...]] = set()
        made: set = set()  # holdings already stated (a fond is shared by many dela)
        for pairs in files:
            for record, _key in pairs:
                for ref in record.archival_refs + [r for note in record.notes for r in note.references]:
                    if holdings_key(ref) not in seen:  # the same fond, opis and delo: the same triples
                        seen.add(holdings_key(ref))
                        make_e78_curated_holdings(ref, self.uris, self.authorities, into=archives, made=made)
        return archives

    def shared_graphs(self) -> list[NamedGraph]:
        """The archives, edition, authorities and ontology graphs, in that order."""
        edition_graph = new_graph()
        for edition in sorted(self.authorities.editions.values(), key=lambda e: e.key):
            make_e33_edition(edition, self.uris, self.authorities, into=edition_graph)
        return [(self.uris.graph("archives"), self.archives_graph()), (self.uris.graph("edition"), edition_graph),
                (self.uris.graph("authorities"), map_authorities(self.authorities, self.uris)),
                (self.uris.graph("ontology"), ontology_graph())]
