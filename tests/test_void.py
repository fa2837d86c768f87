"""kg.void: the counts a harvester reads are the true counts, and the description passes its own shapes."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import DCAT, DCTERMS, OWL, RDF, VOID, XSD

from kg.dumps import DUMP_FORMATS, CanonicalDataset, write_dumps
from kg.void import (
    LICENSE,
    SPDX,
    Description,
    DescriptionInput,
    Statistics,
    compute_statistics,
    describe,
    describe_with_own_counts,
    release_date,
    validate_description,
)

FIXTURE = Path(__file__).parent / "fixtures" / "publish" / "letters.trig"
BASE = "https://kg.example.org"
CRM = "http://www.cidoc-crm.org/cidoc-crm/"
IDS = Description(BASE)


def _dataset() -> CanonicalDataset:
    import pyoxigraph as ox

    return CanonicalDataset.from_quads(ox.parse(path=str(FIXTURE), format=ox.RdfFormat.TRIG))


@pytest.fixture(scope="module")
def content() -> tuple[CanonicalDataset, Statistics]:
    dataset = _dataset()
    return dataset, compute_statistics(dataset.union_lines(), BASE)


@pytest.fixture(scope="module")
def served(content, tmp_path_factory) -> tuple[Graph, Statistics, list, CanonicalDataset]:
    """What kg.publish does: describe, add the description to the data, dump, describe the dumps."""
    dataset, stats = content
    dataset = CanonicalDataset(dict(dataset.graphs))
    info = DescriptionInput(base_uri=BASE, issued=date(2024, 5, 1), source_documents=3, source_files=3)
    core, counted = describe_with_own_counts(stats, info)
    dataset.add_graph(str(IDS.graph_name), core)
    dumps = write_dumps(dataset, tmp_path_factory.mktemp("dumps"), base_uri=BASE)
    return describe(counted, replace(info, dumps=dumps)), counted, dumps, dataset


def test_statistics_count_triples_subjects_entities_and_letters(content):
    dataset, stats = content
    assert stats.triples == len(dataset.union_lines()) == 57  # 59 quads; Stalin's E21 is in three graphs
    assert stats.letters == 3  # letter/bl1996-001, -009, -010; not their /text or /sending/time-span
    assert stats.example_letter == f"{BASE}/id/letter/bl1996-001"
    entities = {line.split(b" ")[0] for line in dataset.union_lines()
                if line.startswith(f"<{BASE}/id/".encode())}
    assert stats.entities == len(entities) == 12
    assert stats.subjects == stats.entities + 4 + 1  # four blank nodes, one ontology term


def test_class_partitions_count_instances_and_property_partitions_count_triples(content):
    _, stats = content
    assert stats.classes[f"{CRM}E22_Human-Made_Object"] == 3
    assert stats.classes[f"{CRM}E21_Person"] == 2
    assert stats.properties[str(RDF.type)] == sum(stats.classes.values())
    assert sum(stats.properties.values()) == stats.triples


def test_only_owl_same_as_to_wikidata_counts_as_a_link(content):
    _, stats = content
    assert stats.wikidata_links == 2  # the rdfs:seeAlso to Wikidata is not an identity link


def test_temporal_coverage_comes_from_the_letters_widened_to_whole_years_and_months(content):
    _, stats = content
    # 1912 (xsd:gYear) begins 1912-01-01; Lenin's birth in 1870 is not a letter's date.
    assert stats.first_date == "1912-01-01"
    # 1918-01 (xsd:gYearMonth) ends on 31 January, after no. 9's 9 January.
    assert stats.last_date == "1918-01-31"


def test_description_counts_include_its_own_triples(served):
    _, counted, dumps, dataset = served
    assert counted.triples == len(dataset.union_lines())
    assert counted.properties[str(VOID.triples)] >= 1
    nt = next(d for d in dumps if d.format.key == "nt")
    import gzip

    assert counted.triples == len(gzip.decompress(nt.path.read_bytes()).splitlines())


def test_description_states_the_counts_a_harvester_needs(served):
    graph, counted, _, _ = served
    ds = IDS.dataset
    assert graph.value(ds, VOID.triples) == Literal(counted.triples, datatype=XSD.integer)
    assert graph.value(ds, VOID.entities).toPython() == counted.entities
    letters = IDS.node("letters")
    assert (ds, VOID.subset, letters) in graph
    assert graph.value(letters, VOID.entities).toPython() == 3
    e22 = next(p for p in graph.objects(ds, VOID.classPartition)
               if graph.value(p, VOID["class"]) == URIRef(f"{CRM}E22_Human-Made_Object"))
    assert graph.value(e22, VOID.entities).toPython() == 3
    linkset = IDS.node("wikidata-links")
    assert graph.value(linkset, RDF.type) == VOID.Linkset
    assert graph.value(linkset, VOID.linkPredicate) == OWL.sameAs
    assert graph.value(linkset, VOID.triples).toPython() == 2
    assert graph.value(ds, VOID.sparqlEndpoint) == URIRef(f"{BASE}/sparql")
    assert graph.value(ds, VOID.uriSpace) == Literal(f"{BASE}/id/")


def test_creators_are_the_four_compilers_and_the_project(served):
    graph, _, _, _ = served
    names = {str(graph.value(c, URIRef("http://xmlns.com/foaf/0.1/name")))
             for c in graph.objects(IDS.dataset, DCTERMS.creator)}
    assert names == {"A. V. Kvashonkin", "L. P. Kosheleva", "L. A. Rogovaya", "O. V. Khlevnyuk",
                     "Bolshevik Letters Knowledge Graph project"}
    assert graph.value(IDS.dataset, DCTERMS.license) == LICENSE
    rights = str(graph.value(IDS.dataset, DCTERMS.rights))
    assert "not licensed by this project" in rights and "Kvashonkin" in rights


def test_every_dump_is_a_distribution_with_media_type_size_and_checksum(served):
    graph, _, dumps, _ = served
    assert len(dumps) == len(DUMP_FORMATS)
    for dump in dumps:
        url = URIRef(f"{BASE}/dumps/{dump.path.name}")
        assert (IDS.dataset, VOID.dataDump, url) in graph
        dist = graph.value(predicate=DCAT.downloadURL, object=url)
        assert (IDS.dataset, DCAT.distribution, dist) in graph
        assert graph.value(dist, DCAT.mediaType) == URIRef(
            f"https://www.iana.org/assignments/media-types/{dump.format.media_type}")
        assert graph.value(dist, DCAT.byteSize).toPython() == dump.path.stat().st_size
        checksum = graph.value(dist, SPDX.checksum)
        assert str(graph.value(checksum, SPDX.checksumValue)) == dump.sha256
        assert (graph.value(dist, DCAT.compressFormat) is not None) == dump.format.gzipped


def test_dates_come_from_source_date_epoch_only(served, content):
    graph, _, _, _ = served
    assert graph.value(IDS.dataset, DCTERMS.issued) == Literal("2024-05-01", datatype=XSD.date)
    undated = describe(content[1], DescriptionInput(base_uri=BASE))
    assert undated.value(IDS.dataset, DCTERMS.issued) is None
    assert undated.value(IDS.dataset, DCTERMS.modified) is None
    assert release_date({"SOURCE_DATE_EPOCH": "1714521600"}) == date(2024, 5, 1)
    assert release_date({}) is None
    with pytest.raises(ValueError, match="SOURCE_DATE_EPOCH"):
        release_date({"SOURCE_DATE_EPOCH": "yesterday"})


def test_description_has_no_blank_nodes(served):
    graph, _, _, _ = served
    assert not any(isinstance(term, BNode) for triple in graph for term in triple)


def test_served_description_conforms_to_its_shapes(served):
    graph, _, _, _ = served
    conforms, report = validate_description(graph)
    assert conforms, report


def test_shapes_refuse_a_description_without_licence(served):
    graph, _, _, _ = served
    broken = Graph()
    for triple in graph:
        broken.add(triple)
    broken.remove((IDS.dataset, DCTERMS.license, None))
    conforms, report = validate_description(broken)
    assert not conforms and "licence" in report


def test_shapes_refuse_a_dump_without_byte_size(served, content):
    # The description inside the dataset cannot know the dumps' sizes; only the served one may go out.
    core = describe(content[1], DescriptionInput(base_uri=BASE))
    conforms, report = validate_description(core)
    assert not conforms and "size in bytes" in report


def test_shapes_refuse_a_dump_without_checksum(served):
    graph, _, _, _ = served
    broken = Graph()
    for triple in graph:
        broken.add(triple)
    broken.remove((IDS.node("dump-nt"), SPDX.checksum, None))
    conforms, report = validate_description(broken)
    assert not conforms and "SHA-256 checksum" in report


def test_the_description_inside_the_dataset_meets_the_shapes_it_can(served):
    # The copy in graph {base}/graph/void has no dump sizes or checksums (shapes/served/ requires them), but
    # every other rule of shapes/dataset.ttl holds for it, and a size it states must still be well-formed.
    _, _, _, dataset = served
    inside = Graph().parse(data=b"".join(dataset.graphs[str(IDS.graph_name)]).decode("utf-8"), format="nt")
    assert not list(inside.objects(None, DCAT.byteSize))
    conforms, report = validate_description(inside, served=False)
    assert conforms, report
    assert not validate_description(inside)[0]
    inside.add((IDS.node("dump-nt"), DCAT.byteSize, Literal("big")))
    conforms, report = validate_description(inside, served=False)
    assert not conforms and "size in bytes" in report


def test_the_published_shapes_do_not_require_what_only_the_served_description_states():
    from kg.publish import shapes_graph
    from kg.validate import load_shapes
    from kg.void import served_shapes_paths

    served_only = {s for path in served_shapes_paths() for s in Graph().parse(path, format="turtle").subjects()}
    assert served_only
    for shapes in (load_shapes(), shapes_graph(BASE)[1]):
        assert not served_only & set(shapes.subjects())


def test_shapes_refuse_counts_that_are_not_integers(served):
    graph, _, _, _ = served
    broken = Graph()
    for triple in graph:
        broken.add(triple)
    broken.set((IDS.dataset, VOID.triples, Literal("many")))
    conforms, _ = validate_description(broken)
    assert not conforms


# ------------------------------------------------------------------------------- the correspondent network
@pytest.fixture(scope="module")
def with_network(content, tmp_path_factory) -> tuple[Graph, Graph, list]:
    """Served and inside descriptions of a release that has the network files (as kg.publish writes them)."""
    from kg.network import write_network
    from kg.statistics import StatisticsCollector

    dataset, stats = content
    collector = StatisticsCollector(BASE)
    for lines in dataset.graphs.values():
        collector.feed(lines)
    files = write_network(tmp_path_factory.mktemp("network"), collector)
    info = DescriptionInput(base_uri=BASE, source_documents=3, source_files=3, network=True)
    inside, counted = describe_with_own_counts(stats, info)
    dumps = write_dumps(dataset, tmp_path_factory.mktemp("dumps-n"), base_uri=BASE)
    return describe(counted, replace(info, dumps=dumps, network_files=files)), inside, files


def test_network_files_are_distributions_with_media_type_format_size_and_checksum(with_network):
    graph, _, files = with_network
    assert len(files) == 2
    for written in files:
        url = URIRef(f"{BASE}/dumps/{written.path.name}")
        dist = graph.value(predicate=DCAT.downloadURL, object=url)
        assert dist == IDS.node(f"network-{written.format.key}")
        assert (IDS.dataset, DCAT.distribution, dist) in graph
        assert (IDS.dataset, VOID.dataDump, url) not in graph  # VoID dumps are RDF; a CSV is not
        assert graph.value(dist, DCAT.mediaType) == URIRef(
            f"https://www.iana.org/assignments/media-types/{written.format.media_type}")
        assert graph.value(dist, DCTERMS.format) == URIRef(written.format.file_type)
        assert graph.value(dist, DCAT.accessURL) == URIRef(
            f"{BASE}/statistics/network?format={written.format.key}")
        assert graph.value(dist, DCAT.byteSize).toPython() == written.path.stat().st_size
        assert str(graph.value(graph.value(dist, SPDX.checksum), SPDX.checksumValue)) == written.sha256
        assert graph.value(dist, DCTERMS.description).language == "en"
    assert {str(graph.value(IDS.node(f"network-{k}"), DCTERMS.format)).rsplit("/", 1)[1]
            for k in ("csv", "json")} == {"CSV", "JSON"}


def test_the_description_with_network_files_conforms_served_and_inside(with_network):
    served, inside, _ = with_network
    conforms, report = validate_description(served)
    assert conforms, report
    assert (IDS.dataset, DCAT.distribution, IDS.node("network-csv")) in inside
    assert not list(inside.objects(IDS.node("network-csv"), DCAT.byteSize))  # only the served copy knows it
    conforms, report = validate_description(inside, served=False)
    assert conforms, report


def test_a_description_without_network_files_does_not_mention_them(served):
    graph, _, _, _ = served
    assert not list(graph.triples((IDS.node("network-csv"), None, None)))


NETWORK_MUTATIONS = {
    "no title": (lambda g, d: g.remove((d, DCTERMS.title, None)), "title with a language tag"),
    "untagged title": (lambda g, d: g.set((d, DCTERMS.title, Literal("Network"))), "title with a language tag"),
    "untagged description": (lambda g, d: g.set((d, DCTERMS.description, Literal("Who wrote to whom"))),
                             "description (dct:description"),
    "no format": (lambda g, d: g.remove((d, DCTERMS.format, None)), "names its file format once"),
    "two formats": (lambda g, d: g.add((d, DCTERMS.format, URIRef("http://www.w3.org/ns/formats/Turtle"))),
                    "names its file format once"),
    "format as text": (lambda g, d: g.set((d, DCTERMS.format, Literal("CSV"))), "names its file format once"),
    "no size": (lambda g, d: g.remove((d, DCAT.byteSize, None)), "size in bytes"),
    "media type as text": (lambda g, d: g.set((d, DCAT.mediaType, Literal("text/csv"))), "IANA IRI"),
}


@pytest.mark.parametrize("name", NETWORK_MUTATIONS)
def test_shapes_refuse_a_broken_network_distribution(with_network, name):
    graph, _, _ = with_network
    mutate, message = NETWORK_MUTATIONS[name]
    broken = Graph()
    for triple in graph:
        broken.add(triple)
    mutate(broken, IDS.node("network-csv"))
    conforms, report = validate_description(broken)
    assert not conforms and message in report, report
