"""What the build publishes: accepted links only, enrichment with provenance, valid identity links."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import OWL, RDFS, Graph, Literal, Namespace, URIRef

from kg.mapping.links import make_sameas_links
from kg.wikidata import build_graphs
from kg.wikidata.link import link_wikidata
from kg.wikidata.review import record_decision

ROOT = Path(__file__).resolve().parents[2]
WD = Namespace("http://www.wikidata.org/entity/")
WDT = Namespace("http://www.wikidata.org/prop/direct/")
SCHEMA = Namespace("https://schema.org/")
PROV = Namespace("http://www.w3.org/ns/prov#")
BASE = "https://letters.example.net"
DAY = date(2025, 1, 2)


def linked_project(project, url):
    link_wikidata(project["authorities"], project["sssom"], project["enrichment"], project["cache"],
                  endpoint=url, years=[1918], today=DAY)
    record_decision(project["sssom"], "person/stalin", "Q855", "accept", today=DAY)
    record_decision(project["sssom"], "place/petrograd", "Q656", "accept", today=DAY)
    link_wikidata(project["authorities"], project["sssom"], project["enrichment"], project["cache"],
                  endpoint=url, years=[1918], today=DAY)


def test_build_publishes_accepted_links_only(project, front):
    linked_project(project, front.url)
    graphs = dict(build_graphs(project["mappings"], None, BASE))
    links = graphs[URIRef(f"{BASE}/graph/wikidata-links")]
    subjects = set(links.subjects(OWL.sameAs, None))
    assert subjects == {URIRef(f"{BASE}/id/person/stalin"), URIRef(f"{BASE}/id/place/petrograd")}
    assert (URIRef(f"{BASE}/id/person/stalin"), SCHEMA.sameAs, WD.Q855) in links
    assert not any("kamenev" in str(s) for s in links.subjects())  # proposed, not accepted


def test_enrichment_holds_wikidata_facts_with_their_provenance(project, front):
    linked_project(project, front.url)
    graph = dict(build_graphs(project["mappings"], None, BASE))[URIRef(f"{BASE}/graph/wikidata-enrichment")]
    assert (WD.Q855, RDFS.label, Literal("Joseph Stalin", lang="en")) in graph
    assert (WD.Q855, RDFS.label, Literal("Иосиф Сталин", lang="ru")) in graph
    assert str(graph.value(WD.Q855, WDT.P569)).startswith("1878-12-18")
    assert str(graph.value(WD.Q656, WDT.P625)) == "Point(30.316667 59.95)"
    assert (URIRef("https://en.wikipedia.org/wiki/Joseph_Stalin"), SCHEMA.about, WD.Q855) in graph
    assert not any("de.wikipedia" in str(s) for s in graph.subjects())
    node = URIRef(f"{BASE}/graph/wikidata-enrichment")
    activities = set(graph.objects(node, PROV.wasGeneratedBy))
    assert len(activities) == 2
    for activity in activities:
        assert URIRef(front.url) in set(graph.objects(activity, PROV.used))
        assert graph.value(activity, PROV.endedAtTime) is not None
    assert not any(str(t).startswith("urn:kg:") for triple in graph for t in triple)
    # facts are about the Wikidata items, never about the edition's own entities
    assert not any(str(s).startswith(f"{BASE}/id/") for s in graph.subjects())


def test_enrichment_is_not_fetched_again_and_follows_the_decisions(project, front):
    linked_project(project, front.url)
    stored = project["enrichment"].read_text(encoding="utf-8")
    front.requests.clear()
    record_decision(project["sssom"], "place/petrograd", "Q656", "reject", today=DAY)
    fresh_cache = project["cache"].parent / "other-cache"  # the stored file alone must spare the queries
    link_wikidata(project["authorities"], project["sssom"], project["enrichment"], fresh_cache,
                  endpoint=front.url, years=[1918], today=DAY)
    graph = Graph().parse(project["enrichment"], format="turtle")
    assert (WD.Q855, RDFS.label, Literal("Joseph Stalin", lang="en")) in graph
    assert (None, None, WD.Q656) not in graph and (WD.Q656, None, None) not in graph
    assert not any("wd:Q855" in body or "Q855" in body for _, body in front.requests)
    assert "Q855" in stored


def test_build_leaves_out_links_of_entities_the_authorities_no_longer_define(project, front):
    linked_project(project, front.url)

    class Entity:
        def __init__(self, kind, key):
            self.uri_kind, self.key = kind, key

    graphs = dict(build_graphs(project["mappings"], [Entity("person", "stalin")], BASE))
    links = graphs[URIRef(f"{BASE}/graph/wikidata-links")]
    assert set(links.subjects(OWL.sameAs, None)) == {URIRef(f"{BASE}/id/person/stalin")}


def test_sameas_links_refuse_malformed_identifiers():
    with pytest.raises(ValueError, match="not a Wikidata Q-id"):
        make_sameas_links([("person/stalin", "https://www.wikidata.org/wiki/Q855")], BASE)
    with pytest.raises(ValueError, match="not KIND/KEY"):
        make_sameas_links([("stalin", "Q855")], BASE)


def test_shape_accepts_item_iris_and_rejects_wiki_pages():
    from pyshacl import validate

    shapes = Graph().parse(ROOT / "shapes" / "wikidata-links.ttl", format="turtle")
    good = make_sameas_links([("person/stalin", "Q855")], BASE)
    conforms, _, _ = validate(good, shacl_graph=shapes)
    assert conforms
    bad = Graph()
    bad.add((URIRef(f"{BASE}/id/person/stalin"), OWL.sameAs, URIRef("https://www.wikidata.org/wiki/Q855")))
    bad.add((URIRef(f"{BASE}/id/place/kyiv"), SCHEMA.sameAs, URIRef("http://www.wikidata.org/entity/P17")))
    conforms, _, text = validate(bad, shacl_graph=shapes)
    assert not conforms and text.count("Wikidata item IRI") == 2


def test_shipped_decisions_build_offline():
    graphs = dict(build_graphs(ROOT / "data" / "mappings", None, BASE))
    links = graphs[URIRef(f"{BASE}/graph/wikidata-links")]
    assert (URIRef(f"{BASE}/id/person/stalin"), OWL.sameAs, WD.Q855) in links
    # Kharkiv is only proposed (conflicting evidence), so it is not published
    assert (URIRef(f"{BASE}/id/place/kharkiv"), None, None) not in links


def test_review_cli_records_decisions_interactively_and_by_flags(project, front, monkeypatch):
    from kg.cli import main

    link_wikidata(project["authorities"], project["sssom"], project["enrichment"], project["cache"],
                  endpoint=front.url, years=[1918], today=DAY, enrich=False)
    runner = CliRunner()
    args = ["link", "review", "--mappings", str(project["mappings"])]
    result = runner.invoke(main, [*args, "--reject", "kamenev", "Q90000002", "--comment", "the general"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(main, args, input="a\nr\nq\n")
    assert result.exit_code == 0, result.output
    assert "candidate  wd:Q90000001" in result.output and "alive in 1918" in result.output
    assert "1 accepted, 1 rejected, 0 skipped" in result.output
    from kg.wikidata.sssom import read_mappings

    status = {(m.key, m.qid): m.review_status for m in read_mappings(project["sssom"])}
    assert status[("person/kamenev", "Q90000001")] == "accepted"
    assert status[("person/kamenev", "Q90000002")] == "rejected"
    result = runner.invoke(main, [*args, "--accept", "person/kamenev", "Q855"])
    assert result.exit_code == 1 and "already has an accepted link" in result.output


def test_link_command_reports_an_endpoint_failure_without_a_traceback(project, front):
    from kg.cli import main

    front.default = ("429", 0)
    result = CliRunner().invoke(main, ["link", "wikidata", "--endpoint", front.url, "--authorities",
                                       str(project["authorities"]), "--mappings", str(project["mappings"]),
                                       "--cache", str(project["cache"]), "--year", "1918", "--retries", "1"])
    assert result.exit_code == 1
    assert "Error:" in result.output and "HTTP 429" in result.output and "Traceback" not in result.output
    assert not project["sssom"].exists()
