"""The dataset's description for harvesters: VoID statistics and a DCAT record, in one graph.

Aggregators (Europeana, national portals, Wikidata's external-identifier tooling) read this, not the data. It
says what the graph is, who made it, under which terms, how big it is, where its SPARQL endpoint and dumps are
and how it links to Wikidata. Decisions, so a reader need not rediscover them:

- **Licence.** Our statements (the structure, identifiers, normalised dates, archival references, links,
  annotations) are offered under CC BY 4.0: attribution matters for work derived from a scholarly edition, and
  it lets anyone reuse the graph. The letters' texts and the editorial notes it quotes are *not* ours: they
  come from the 1996 documentary edition compiled by A. V. Kvashonkin, L. P. Kosheleva, L. A. Rogovaya and
  O. V. Khlevnyuk and from an English web translation of unknown provenance; ``dct:rights`` says so plainly,
  and our licence does not cover them.
- **Creators** are the volume's four compilers and this project (``dct:creator``); the project publishes.
- **Dates** come from ``SOURCE_DATE_EPOCH`` (reproducible-builds.org) when the build sets it and are otherwise
  left out: a wall-clock date would make every rebuild differ. ``dct:temporal`` is derived from the data (the
  earliest and latest bounds of the letters' time-spans).
- **Counts** are those of the served union graph *including this description* (``void:triples`` equals the
  number of triples in ``kg.nt.gz``), found by recomputing until the description's own size is stable.
  ``void:documents`` counts the RDF documents the server publishes, one per entity in ``void:uriSpace`` (as
  VoID defines it); the letters are the subset ``#letters`` (``void:uriRegexPattern``), and each class's
  instances are a ``void:classPartition``.
- **No blank nodes**: every node of the description is a fragment of ``{base}/.well-known/void``, so the
  description has the same triples in every build and can be merged into the dataset's canonical dumps.
- The description inside the dataset (graph ``{base}/graph/void``) cannot state the byte size or checksum of
  dumps that contain it; the served ``void.ttl`` adds them (``dcat:byteSize``, ``spdx:checksum``). Hence two
  sets of shapes: ``shapes/dataset.ttl`` (both copies) and ``shapes/served/`` (the served one only).
- **The correspondent network files** (``network.csv``, ``network.json``, ``kg.network``) are
  ``dcat:distribution`` s of the dataset, never ``void:dataDump``: VoID defines a data dump as an RDF
  serialisation of the dataset, and a CSV edge list is not RDF. DCAT 2 (§6.7, ``dcat:Distribution``) lets the
  distributions of a dataset "differ in various ways, including ... schematic organization, temporal and spatial
  resolution, level of detail", which is what an aggregate table of the letters is. Each says what it holds
  (``dct:title``, ``dct:description``), its media type (``dcat:mediaType``, IANA) and file type (``dct:format``,
  the EU file-type authority DCAT-AP asks for, since the W3C format IRIs name RDF and results syntaxes only),
  where to download it (``dcat:downloadURL``, the file under ``/dumps/``) and where it is served by content
  negotiation (``dcat:accessURL``, ``/statistics/network?format=…``). Not ``dct:conformsTo`` RFC 4180: the CSV's
  lines end in LF, which RFC 4180 does not strictly allow.
"""

from __future__ import annotations

import calendar
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path

from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, RDFS, VOID, XSD

from kg import settings
from kg.dumps import DUMP_FORMATS, PREFIXES, DumpFile
from kg.network import NETWORK_FORMATS, NetworkFile

SPDX = Namespace("http://spdx.org/rdf/terms#")
FORMATS_NS = Namespace("http://www.w3.org/ns/formats/")
IANA = "https://www.iana.org/assignments/media-types/"
WIKIDATA_ENTITY = "http://www.wikidata.org/entity/"

LICENSE = URIRef("https://creativecommons.org/licenses/by/4.0/")
TITLE = "Bolshevik Leadership Correspondence, 1912–1927: a knowledge graph"
EDITION_TITLE = "Bolshevik Leadership. Correspondence. 1912–1927. Collection of documents"
COMPILERS: tuple[tuple[str, str], ...] = (
    ("kvashonkin", "A. V. Kvashonkin"),
    ("kosheleva", "L. P. Kosheleva"),
    ("rogovaya", "L. A. Rogovaya"),
    ("khlevnyuk", "O. V. Khlevnyuk"),
)
PROJECT_NAME = "Bolshevik Letters Knowledge Graph project"
RIGHTS = (
    "Licence: CC BY 4.0 covers the statements this project makes (structure, identifiers, normalised "
    "dates, archival references, links and annotations). The texts of the letters and the editorial notes "
    "quoted in the graph are taken from the documentary edition 'Bolshevik Leadership. Correspondence. "
    "1912–1927' (1996), compiled by A. V. Kvashonkin, L. P. Kosheleva, L. A. Rogovaya and O. V. Khlevnyuk, "
    "and from an English web translation of unknown provenance; the rights in those texts remain with their "
    "holders and are not licensed by this project. Originals are held by RGASPI (cited as RTsKhIDNI)."
)
KEYWORDS = ("correspondence", "letters", "Bolsheviks", "Soviet history", "Lenin", "Stalin", "CIDOC CRM",
            "linked data")

_RDF_TYPE = b"<" + str(RDF.type).encode() + b">"
_SAME_AS = b"<" + str(OWL.sameAs).encode() + b">"
_BEGIN = b"<http://www.cidoc-crm.org/cidoc-crm/P82a_begin_of_the_begin>"
_END = b"<http://www.cidoc-crm.org/cidoc-crm/P82b_end_of_the_end>"
_DATE = re.compile(rb'^"(-?\d{4})(?:-(\d\d))?(?:-(\d\d))?')


# ----------------------------------------------------------------------------------------- statistics
@dataclass
class Statistics:
    """What VoID counts, over a set of sorted N-Triples lines (see :func:`compute_statistics`).

    Two statistics over triple sets with disjoint subjects add up (``+``), which is how the description's own
    triples are counted in without recounting the data.
    """

    triples: int = 0
    subjects: int = 0
    entities: int = 0
    letters: int = 0
    wikidata_links: int = 0
    classes: Counter = field(default_factory=Counter)  #: class IRI -> instances (distinct subjects)
    properties: Counter = field(default_factory=Counter)  #: property IRI -> triples
    first_date: str | None = None  #: earliest bound of a letter's time-span (ISO date)
    last_date: str | None = None
    example_letter: str | None = None

    def __add__(self, other: Statistics) -> Statistics:
        firsts = [d for d in (self.first_date, other.first_date) if d]
        lasts = [d for d in (self.last_date, other.last_date) if d]
        examples = [e for e in (self.example_letter, other.example_letter) if e]
        return Statistics(
            triples=self.triples + other.triples, subjects=self.subjects + other.subjects,
            entities=self.entities + other.entities, letters=self.letters + other.letters,
            wikidata_links=self.wikidata_links + other.wikidata_links,
            classes=self.classes + other.classes, properties=self.properties + other.properties,
            first_date=min(firsts) if firsts else None, last_date=max(lasts) if lasts else None,
            example_letter=min(examples) if examples else None)

    def to_dict(self) -> dict[str, object]:
        return {"triples": self.triples, "subjects": self.subjects, "entities": self.entities,
                "letters": self.letters, "wikidata_links": self.wikidata_links,
                "classes": dict(sorted(self.classes.items())),
                "properties": dict(sorted(self.properties.items())),
                "temporal": [self.first_date, self.last_date] if self.first_date else None}


def compute_statistics(lines: Iterable[bytes], base_uri: str) -> Statistics:
    """Count sorted, duplicate-free canonical N-Triples lines (``kg.dumps.CanonicalDataset.union_lines``).

    In canonical N-Triples neither the subject nor the predicate holds a space, so a line splits into
    ``subject, predicate, object`` with one ``bytes.split``; sorted lines keep a subject's triples together,
    so distinct subjects are counted without a set. Entities are the subjects in ``{base}/id/``; letters are
    those of the form ``{base}/id/letter/{key}`` (the physical letters, E22, per the URI conventions).
    """
    id_prefix = f"<{base_uri}/id/".encode()
    letter_prefix = f"<{base_uri}/id/letter/".encode()
    wikidata = f"<{WIKIDATA_ENTITY}".encode()
    stats = Statistics()
    properties: Counter = Counter()
    classes: Counter = Counter()
    previous = None
    in_letters = False
    first: str | None = None
    last: str | None = None
    for line in lines:
        subject, predicate, rest = line.split(b" ", 2)
        properties[predicate] += 1
        if subject != previous:
            previous = subject
            stats.subjects += 1
            in_letters = subject.startswith(letter_prefix)
            if subject.startswith(id_prefix):
                stats.entities += 1
                if in_letters and b"/" not in subject[len(letter_prefix):]:
                    stats.letters += 1
                    if stats.example_letter is None:
                        stats.example_letter = subject[1:-1].decode("utf-8")
        if predicate == _RDF_TYPE:
            classes[rest[:-3]] += 1
        elif predicate == _SAME_AS:
            if rest.startswith(wikidata):
                stats.wikidata_links += 1
        elif in_letters and (predicate == _BEGIN or predicate == _END):
            bound = _date_bound(rest, end=predicate == _END)
            if bound and predicate == _BEGIN and (first is None or bound < first):
                first = bound
            elif bound and predicate == _END and (last is None or bound > last):
                last = bound
    stats.triples = sum(properties.values())
    stats.properties = Counter({_iri(p): n for p, n in properties.items()})
    stats.classes = Counter({_iri(c): n for c, n in classes.items() if c.startswith(b"<")})
    stats.first_date, stats.last_date = first, last
    return stats


def _iri(term: bytes) -> str:
    return term[1:-1].decode("utf-8")


def _date_bound(obj: bytes, *, end: bool) -> str | None:
    """The ISO date of a ``P82a``/``P82b`` literal (years and months widened to their first or last day)."""
    match = _DATE.match(obj)
    if not match:
        return None
    year, month, day = match.group(1).decode(), match.group(2), match.group(3)
    if month is None:
        return f"{year}-12-31" if end else f"{year}-01-01"
    if day is None:
        last_day = calendar.monthrange(int(year), int(month))[1] if int(year) > 0 else 28
        return f"{year}-{month.decode()}-{last_day:02d}" if end else f"{year}-{month.decode()}-01"
    return f"{year}-{month.decode()}-{day.decode()}"


# ---------------------------------------------------------------------------------------------- dates
def release_date(environ: dict[str, str] | None = None) -> date | None:
    """The build's date from ``SOURCE_DATE_EPOCH`` (seconds since 1970, UTC), or None when it is not set."""
    import os

    value = (environ if environ is not None else os.environ).get("SOURCE_DATE_EPOCH", "").strip()
    if not value:
        return None
    try:
        return datetime.fromtimestamp(int(value), tz=UTC).date()
    except (ValueError, OverflowError, OSError) as exc:
        raise ValueError(f"SOURCE_DATE_EPOCH must be a whole number of seconds, got {value!r}") from exc


# ------------------------------------------------------------------------------------------ the graph
@dataclass(frozen=True)
class DescriptionInput:
    """Everything the description is made from besides the statistics."""

    base_uri: str
    issued: date | None = None
    source_documents: int = 0
    source_files: int = 0
    license: URIRef = LICENSE
    dumps: Sequence[DumpFile] = ()  #: written dumps: adds byte sizes and checksums (the served void.ttl)
    network: bool = False  #: the release has the correspondent network files (kg.network): describe them
    network_files: Sequence[NetworkFile] = ()  #: written network files: their sizes and checksums (served)


class Description:
    """The IRIs of the description: fragments of ``{base}/.well-known/void``."""

    def __init__(self, base_uri: str) -> None:
        self.base = base_uri
        self.document = URIRef(f"{base_uri}/.well-known/void")
        self.graph_name = URIRef(f"{base_uri}/graph/void")

    def node(self, fragment: str) -> URIRef:
        return URIRef(f"{self.document}#{fragment}")

    @property
    def dataset(self) -> URIRef:
        return self.node("dataset")


def describe(stats: Statistics, info: DescriptionInput) -> Graph:
    """The VoID + DCAT description of a dataset with these statistics (no blank nodes)."""
    base = info.base_uri
    ids = Description(base)
    g = Graph(bind_namespaces="none")
    for prefix, iri in {**PREFIXES, "spdx": str(SPDX)}.items():
        g.bind(prefix, iri)
    ds = ids.dataset
    project = ids.node("project")
    add = g.add

    # --- what it is
    add((ds, RDF.type, VOID.Dataset))
    add((ds, RDF.type, DCAT.Dataset))
    add((ds, DCTERMS.title, Literal(TITLE, lang="en")))
    add((ds, DCTERMS.description, Literal(_description_text(stats, info), lang="en")))
    for keyword in KEYWORDS:
        add((ds, DCAT.keyword, Literal(keyword, lang="en")))
    add((ds, DCTERMS.license, info.license))
    add((ds, DCTERMS.rights, Literal(RIGHTS, lang="en")))
    add((ds, DCAT.landingPage, URIRef(f"{base}/")))
    add((ds, FOAF.homepage, URIRef(f"{base}/")))
    add((ds, DCTERMS.publisher, project))
    add((ds, DCTERMS.source, ids.node("edition")))
    for key, name in COMPILERS:
        person = ids.node(f"compiler-{key}")
        add((ds, DCTERMS.creator, person))
        add((person, RDF.type, FOAF.Person))
        add((person, FOAF.name, Literal(name)))
    add((ds, DCTERMS.creator, project))
    add((project, RDF.type, FOAF.Organization))
    add((project, FOAF.name, Literal(PROJECT_NAME, lang="en")))
    add((project, FOAF.homepage, URIRef(f"{base}/")))

    edition = ids.node("edition")
    add((edition, RDF.type, DCTERMS.BibliographicResource))
    add((edition, DCTERMS.title, Literal(EDITION_TITLE, lang="en")))
    add((edition, DCTERMS.issued, Literal("1996", datatype=XSD.gYear)))
    for key, _name in COMPILERS:
        add((edition, DCTERMS.creator, ids.node(f"compiler-{key}")))
    add((edition, RDFS.seeAlso, URIRef(f"{base}/id/edition/bl1996")))

    # --- dates
    if info.issued is not None:
        add((ds, DCTERMS.issued, Literal(info.issued.isoformat(), datatype=XSD.date)))
        add((ds, DCTERMS.modified, Literal(info.issued.isoformat(), datatype=XSD.date)))
    if stats.first_date and stats.last_date:
        period = ids.node("temporal")
        add((ds, DCTERMS.temporal, period))
        add((period, RDF.type, DCTERMS.PeriodOfTime))
        add((period, DCAT.startDate, Literal(stats.first_date, datatype=XSD.date)))
        add((period, DCAT.endDate, Literal(stats.last_date, datatype=XSD.date)))

    # --- access: endpoint, URI space, dumps
    add((ds, VOID.sparqlEndpoint, URIRef(f"{base}/sparql")))
    service = ids.node("sparql")
    add((service, RDF.type, DCAT.DataService))
    add((service, DCTERMS.title, Literal("SPARQL 1.1 query endpoint (read-only)", lang="en")))
    add((service, DCAT.endpointURL, URIRef(f"{base}/sparql")))
    add((service, DCAT.servesDataset, ds))
    add((service, DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/")))
    add((ds, VOID.uriSpace, Literal(f"{base}/id/")))
    add((ds, VOID.rootResource, URIRef(f"{base}/id/edition/bl1996")))
    if stats.example_letter:
        add((ds, VOID.exampleResource, URIRef(stats.example_letter)))
    add((ds, VOID.feature, FORMATS_NS.Turtle))
    add((ds, VOID.feature, FORMATS_NS["JSON-LD"]))
    add((ds, VOID.feature, FORMATS_NS["N-Triples"]))
    sizes = {d.format.key: d for d in info.dumps}
    for fmt in DUMP_FORMATS.values():
        url = URIRef(f"{base}/dumps/{fmt.filename}")
        dist = ids.node(f"dump-{fmt.key}")
        add((ds, VOID.dataDump, url))
        add((ds, DCAT.distribution, dist))
        add((dist, RDF.type, DCAT.Distribution))
        what = "one named graph per source" if fmt.named_graphs else "union graph"
        packed = ", gzip-compressed" if fmt.gzipped else ""
        add((dist, DCTERMS.title, Literal(f"{_FORMAT_NAMES[fmt.key]} dump ({what}{packed})", lang="en")))
        add((dist, DCAT.downloadURL, url))
        add((dist, DCAT.accessURL, url))
        add((dist, DCAT.mediaType, URIRef(IANA + fmt.media_type)))
        add((dist, DCTERMS.format, FORMATS_NS[_FORMAT_IRIS[fmt.key]]))
        if fmt.gzipped:
            add((dist, DCAT.compressFormat, URIRef(IANA + "application/gzip")))
        add((dist, DCTERMS.license, info.license))
        written = sizes.get(fmt.key)
        if written is not None:
            _size_and_checksum(g, ids, dist, f"dump-{fmt.key}", written.size, written.sha256)
    if info.network:
        _describe_network(g, ids, info)

    # --- statistics
    add((ds, VOID.triples, _count(stats.triples)))
    add((ds, VOID.entities, _count(stats.entities)))
    add((ds, VOID.documents, _count(stats.entities)))
    add((ds, VOID.distinctSubjects, _count(stats.subjects)))
    add((ds, VOID.classes, _count(len(stats.classes))))
    add((ds, VOID.properties, _count(len(stats.properties))))
    for namespace in _vocabularies(stats):
        add((ds, VOID.vocabulary, URIRef(namespace)))
    slugs = _Slugs()
    for cls, count in sorted(stats.classes.items()):
        part = ids.node(f"class-{slugs(cls)}")
        add((ds, VOID.classPartition, part))
        add((part, VOID["class"], URIRef(cls)))
        add((part, VOID.entities, _count(count)))
    for prop, count in sorted(stats.properties.items()):
        part = ids.node(f"property-{slugs(prop)}")
        add((ds, VOID.propertyPartition, part))
        add((part, VOID.property, URIRef(prop)))
        add((part, VOID.triples, _count(count)))

    letters = ids.node("letters")
    add((ds, VOID.subset, letters))
    add((letters, RDF.type, VOID.Dataset))
    add((letters, DCTERMS.title, Literal("The letters (physical documents, crm:E22)", lang="en")))
    add((letters, VOID.uriRegexPattern, Literal(f"^{re.escape(base)}/id/letter/[^/]+$")))
    add((letters, VOID.entities, _count(stats.letters)))

    # --- the linkset to Wikidata
    wikidata = ids.node("wikidata")
    add((wikidata, RDF.type, VOID.Dataset))
    add((wikidata, DCTERMS.title, Literal("Wikidata", lang="en")))
    add((wikidata, FOAF.homepage, URIRef("https://www.wikidata.org/")))
    add((wikidata, VOID.uriSpace, Literal(WIKIDATA_ENTITY)))
    add((wikidata, VOID.sparqlEndpoint, URIRef("https://query.wikidata.org/sparql")))
    linkset = ids.node("wikidata-links")
    add((ds, VOID.subset, linkset))
    add((linkset, RDF.type, VOID.Linkset))
    add((linkset, DCTERMS.title, Literal("Curator-accepted identity links to Wikidata", lang="en")))
    add((linkset, VOID.subjectsTarget, ds))
    add((linkset, VOID.objectsTarget, wikidata))
    add((linkset, VOID.linkPredicate, OWL.sameAs))
    add((linkset, VOID.triples, _count(stats.wikidata_links)))
    return g


def _size_and_checksum(g: Graph, ids: Description, dist: URIRef, fragment: str, size: int, sha256: str) -> None:
    """What only the served description can state of a written file: its bytes and SHA-256 (spdx:checksum)."""
    g.add((dist, DCAT.byteSize, Literal(size, datatype=XSD.nonNegativeInteger)))
    checksum = ids.node(f"{fragment}-checksum")
    g.add((dist, SPDX.checksum, checksum))
    g.add((checksum, RDF.type, SPDX.Checksum))
    g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    g.add((checksum, SPDX.checksumValue, Literal(sha256, datatype=XSD.hexBinary)))


def _describe_network(g: Graph, ids: Description, info: DescriptionInput) -> None:
    """The correspondent network files as distributions of the dataset (why not ``void:dataDump``: the module
    docstring)."""
    base = info.base_uri
    written = {f.format.key: f for f in info.network_files}
    for fmt in NETWORK_FORMATS.values():
        dist = ids.node(f"network-{fmt.key}")
        url = URIRef(f"{base}/dumps/{fmt.filename}")
        g.add((ids.dataset, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, Literal(fmt.title, lang="en")))
        g.add((dist, DCTERMS.description, Literal(_NETWORK_TEXT.format(base=base), lang="en")))
        g.add((dist, DCAT.downloadURL, url))
        g.add((dist, DCAT.accessURL, URIRef(f"{base}/statistics/network?format={fmt.key}")))
        g.add((dist, DCAT.mediaType, URIRef(IANA + fmt.media_type)))
        g.add((dist, DCTERMS.format, URIRef(fmt.file_type)))
        g.add((dist, DCTERMS.license, info.license))
        if fmt.key in written:
            _size_and_checksum(g, ids, dist, f"network-{fmt.key}", written[fmt.key].size, written[fmt.key].sha256)


_NETWORK_TEXT = ("Who wrote to whom: one entry per sender and recipient with the number of letters and the first "
                 "and last date of sending (proleptic Gregorian), counted once at build time; the same figures as "
                 "the Data Cube observations of the graph {base}/graph/statistics.")

_FORMAT_NAMES = {"ttl": "Turtle", "nt": "N-Triples", "jsonld": "JSON-LD", "trig": "TriG", "nq": "N-Quads"}
_FORMAT_IRIS = {"ttl": "Turtle", "nt": "N-Triples", "jsonld": "JSON-LD", "trig": "TriG", "nq": "N-Quads"}


def _count(n: int) -> Literal:
    return Literal(n, datatype=XSD.integer)


def _description_text(stats: Statistics, info: DescriptionInput) -> str:
    sources = ""
    if info.source_files:
        sources = (f" It was built from {info.source_documents} printed document(s) in {info.source_files} "
                   f"source file(s), one named graph each.")
    return (f"The letters of the documentary edition '{EDITION_TITLE}' (1996) as a CIDOC CRM knowledge "
            f"graph: {stats.letters} letter(s), each as the physical item, its text and translation, and the "
            "sending, with people, organisations, places, events, archival references and editorial notes."
            f"{sources} Dates are proleptic Gregorian, with the Julian dates as written kept beside them.")


def _vocabularies(stats: Statistics) -> list[str]:
    """The namespaces of :data:`PREFIXES` that some used class or property belongs to."""
    used = set(stats.classes) | set(stats.properties)
    namespaces = sorted(set(PREFIXES.values()) | {str(SPDX)})
    return [ns for ns in namespaces if any(term.startswith(ns) for term in used)]


class _Slugs:
    """Readable, unique fragment names for class and property partitions (``crm-E22_Human-Made_Object``)."""

    def __init__(self) -> None:
        self._by_iri: dict[str, str] = {}
        self._taken: set[str] = set()
        self._prefixes = sorted({**PREFIXES, "spdx": str(SPDX)}.items(), key=lambda kv: -len(kv[1]))

    def __call__(self, iri: str) -> str:
        if iri in self._by_iri:
            return self._by_iri[iri]
        for prefix, namespace in self._prefixes:
            if iri.startswith(namespace) and len(iri) > len(namespace):
                text = f"{prefix}-{iri[len(namespace):]}"
                break
        else:
            text = iri.split("://", 1)[-1]
        slug = re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-") or "x"
        if slug in self._taken:
            import hashlib

            slug = f"{slug}-{hashlib.sha256(iri.encode()).hexdigest()[:8]}"
        self._taken.add(slug)
        self._by_iri[iri] = slug
        return slug


# ------------------------------------------------------------------------------------------- fixpoint
def describe_with_own_counts(content: Statistics, info: DescriptionInput) -> tuple[Graph, Statistics]:
    """The description whose counts include its own triples; returns it and the statistics it states.

    The description's triples change the counts it states (new classes and properties, more triples), so it
    is rebuilt from ``content + itself`` until the counted statistics no longer change (two or three rounds:
    only the numbers move once the set of partitions is complete).
    """
    from kg.dumps import CanonicalDataset

    ids = Description(info.base_uri)
    core = replace(info, dumps=(), network_files=())
    stats = content
    for _ in range(8):
        graph = describe(stats, core)
        own = CanonicalDataset()
        own.add_graph(str(ids.graph_name), graph)
        total = content + compute_statistics(own.union_lines(), info.base_uri)
        if total == stats:
            return graph, stats
        stats = total
    raise RuntimeError("the dataset description's statistics did not settle")  # pragma: no cover


# --------------------------------------------------------------------------------------------- shapes
#: Shapes only the served description (``void.ttl``) can meet: the dumps' sizes and checksums. They live beside,
#: not in, ``shapes/*.ttl``: ``load_shapes`` and the published ``{base}/graph/shapes`` skip this folder, so the copy
#: of the description inside ``dataset.nq`` (which cannot know those sizes) validates with ``kg validate``.
SERVED_SHAPES_DIR = "served"


def shapes_path() -> Path:
    """The shapes every copy of the description meets (also part of ``load_shapes()``)."""
    return settings.shapes_dir() / "dataset.ttl"


def served_shapes_paths() -> list[Path]:
    """The shapes only the served description meets (``shapes/served/*.ttl``)."""
    return sorted((settings.shapes_dir() / SERVED_SHAPES_DIR).glob("*.ttl"))


def validate_description(graph: Graph, shapes: Path | Sequence[Path] | None = None, *,
                         served: bool = True) -> tuple[bool, str]:
    """Check a description with pyshacl; return (conforms, report text).

    By default against ``shapes/dataset.ttl`` plus, when ``served`` (the description published as ``void.ttl``),
    ``shapes/served/*.ttl``; ``served=False`` checks the copy inside the dataset (graph ``{base}/graph/void``),
    which has no dump sizes or checksums. ``shapes`` replaces the default files.
    """
    from pyshacl import validate

    if shapes is None:
        paths = [shapes_path(), *(served_shapes_paths() if served else [])]
    elif isinstance(shapes, Path):
        paths = [shapes]
    else:
        paths = list(shapes)
    shapes_graph = Graph()
    for path in paths:
        shapes_graph.parse(path, format="turtle")
    conforms, _report, text = validate(graph, shacl_graph=shapes_graph, inference="none", advanced=True)
    return bool(conforms), str(text)
