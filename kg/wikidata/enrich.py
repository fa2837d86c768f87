"""Facts fetched from Wikidata for accepted links, kept apart from the edition's own statements.

For each accepted item we fetch its labels (en, ru), its Wikipedia articles (en, ru), life dates (P569/P570)
and coordinates (P625). They are stated about the *Wikidata item* (``wd:Q855 wdt:P569 …``), never about our
entity, and published in their own named graph ``{base}/graph/wikidata-enrichment`` whose provenance says
which endpoint answered and when (PROV-O: one ``prov:Activity`` per item, ``prov:used`` the endpoint,
``prov:endedAtTime`` the query time). A reader can therefore always tell the editors' word from Wikidata's.

The facts are stored in a committed Turtle file (``data/mappings/wikidata-enrichment.ttl``) so the build needs
no network. In that file the graph and activities are named under the placeholder ``urn:kg:graph:``, replaced
by ``{base}/graph/`` at build time (the file must not depend on the deployment's base URI).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from rdflib import RDF, RDFS, XSD, Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from kg.files import atomic_write_text
from kg.wikidata.cache import AnswerCache, now_iso
from kg.wikidata.client import SparqlClient, term_value
from kg.wikidata.vocab import GEO, PROV, SCHEMA, WD, WDT, qid_of

PLACEHOLDER = "urn:kg:graph:"
GRAPH_NODE = URIRef(f"{PLACEHOLDER}wikidata-enrichment")
WIKIPEDIAS = {"https://en.wikipedia.org/": "en", "https://ru.wikipedia.org/": "ru"}

ENRICH_QUERY = """PREFIX wd: <http://www.wikidata.org/entity/>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
PREFIX schema: <http://schema.org/>
SELECT ?item ?label ?born ?died ?coord ?article ?site WHERE {
  VALUES ?item { %(items)s }
  { ?item rdfs:label ?label . FILTER(LANG(?label) IN ("en", "ru")) }
  UNION { ?item wdt:P569 ?born }
  UNION { ?item wdt:P570 ?died }
  UNION { ?item wdt:P625 ?coord }
  UNION { ?article schema:about ?item ; schema:isPartOf ?site .
          FILTER(?site IN (<https://en.wikipedia.org/>, <https://ru.wikipedia.org/>)) }
}"""


def question(qid: str) -> str:
    return f"enrich|{qid}"


def fetch_facts(qids: Iterable[str], client: SparqlClient, cache: AnswerCache, batch_size: int = 20) -> int:
    """Ask for the facts of every item not yet cached; return how many items were asked about."""
    pending = sorted({q for q in qids if question(q) not in cache}, key=lambda q: int(q[1:]))
    for start in range(0, len(pending), max(1, batch_size)):
        batch = pending[start:start + batch_size]
        when = now_iso()
        rows = client.select(ENRICH_QUERY % {"items": " ".join(f"wd:{q}" for q in batch)})
        answers: dict[str, list[dict]] = {question(q): [] for q in batch}
        for row in rows:
            qid = qid_of(term_value(row, "item") or "")
            if qid and question(qid) in answers:
                answers[question(qid)].append(row)
        cache.put_many(answers, asked=when)
    return len(pending)


def facts_graph(qid: str, rows: list[dict], endpoint: str, asked: str) -> Graph:
    """The facts of one item and the activity that fetched them."""
    g = Graph()
    item = WD[qid]
    for row in rows:
        if (label := row.get("label")):
            g.add((item, RDFS.label, Literal(label["value"], lang=label.get("xml:lang"))))
        for var, prop in (("born", WDT.P569), ("died", WDT.P570), ("coord", WDT.P625)):
            if (cell := row.get(var)):
                g.add((item, prop, _literal(cell)))
        article, site = row.get("article"), row.get("site")
        if article and site and site["value"] in WIKIPEDIAS:
            page = URIRef(article["value"])
            g.add((page, SCHEMA.about, item))
            g.add((page, SCHEMA.isPartOf, URIRef(site["value"])))
            g.add((page, SCHEMA.inLanguage, Literal(WIKIPEDIAS[site["value"]])))
    activity = URIRef(f"{PLACEHOLDER}wikidata-enrichment/fetch/{qid}")
    g.add((GRAPH_NODE, PROV.wasGeneratedBy, activity))
    g.add((activity, RDF.type, PROV.Activity))
    g.add((activity, RDFS.label, Literal(f"SPARQL query for the facts of wd:{qid}", lang="en")))
    g.add((activity, PROV.used, URIRef(endpoint)))
    g.add((activity, PROV.used, item))
    g.add((activity, PROV.endedAtTime, Literal(asked, datatype=XSD.dateTime)))
    return g


def _literal(cell: dict) -> Literal:
    datatype = cell.get("datatype")
    if datatype:
        return Literal(cell["value"], datatype=URIRef(datatype), normalize=False)  # Wikidata's own form
    return Literal(cell["value"], lang=cell.get("xml:lang"))


def graph_description() -> Graph:
    g = Graph()
    g.add((GRAPH_NODE, RDF.type, PROV.Entity))
    title = "Facts fetched from Wikidata for curator-accepted links"
    g.add((GRAPH_NODE, DCTERMS.title, Literal(title, lang="en")))
    g.add((GRAPH_NODE, DCTERMS.description, Literal(
        "Statements made by Wikidata about the items our entities were linked to (owl:sameAs), not by the "
        "editors of the edition. Each item's facts were fetched by the activity named in "
        "prov:wasGeneratedBy.",
        lang="en")))
    return g


def items_in(graph: Graph) -> set[str]:
    """The Q-ids whose facts a stored enrichment graph holds (one fetch activity each)."""
    found = set()
    for activity in graph.objects(GRAPH_NODE, PROV.wasGeneratedBy):
        for used in graph.objects(activity, PROV.used):
            if (qid := qid_of(str(used))) and str(used).startswith(str(WD)):
                found.add(qid)
    return found


def update_enrichment_file(path: Path, accepted: Iterable[str], client: SparqlClient, cache: AnswerCache, *,
                           batch_size: int = 20, refresh: bool = False) -> tuple[int, int]:
    """Make the file hold the facts of exactly the accepted items; fetch only those it lacks.

    The stored file is itself a cache: an item already there is not asked again unless ``refresh``. Items no
    longer accepted are dropped. Returns (items fetched, items in the file).
    """
    wanted = set(accepted)
    existing = read_enrichment(path) if path.exists() else Graph()
    if refresh:
        cache.forget(question(q) for q in wanted)
    have = set() if refresh else items_in(existing) & wanted
    missing = sorted(wanted - have, key=lambda q: int(q[1:]))
    asked = fetch_facts(missing, client, cache, batch_size)
    result = graph_description()
    result += keep_items(existing, have) if have else Graph()
    for q in missing:
        asked_at = cache.asked_at(question(q)) or now_iso()
        result += facts_graph(q, cache.get(question(q)) or [], cache.endpoint, asked_at)
    write_enrichment(path, result)
    return asked, len(have) + len(missing)


def keep_items(graph: Graph, qids: set[str]) -> Graph:
    """The part of an enrichment graph about the given items (their facts, articles and fetch activities)."""
    items = {WD[q] for q in qids}
    activities = {a for a in graph.objects(GRAPH_NODE, PROV.wasGeneratedBy)
                  if any(u in items for u in graph.objects(a, PROV.used))}
    pages = {p for p, _, o in graph.triples((None, SCHEMA.about, None)) if o in items}
    out = Graph()
    for s, p, o in graph:
        if s in items or s in activities or s in pages or (s == GRAPH_NODE and (p != PROV.wasGeneratedBy
                                                                                 or o in activities)):
            out.add((s, p, o))
    return out


def write_enrichment(path: Path, graph: Graph) -> None:
    _bind(graph)
    header = ("# Facts fetched from Wikidata for the curator-accepted links in wikidata.sssom.tsv.\n"
              "# Written by `kg link wikidata`; do not edit by hand. urn:kg:graph: becomes {base}/graph/ "
              "at build time.\n")
    atomic_write_text(path, header + graph.serialize(format="turtle"))


def read_enrichment(path: Path) -> Graph:
    g = Graph()
    g.parse(path, format="turtle")
    return g


def enrichment_for_build(path: Path, accepted: Iterable[str], base_uri: str) -> Graph:
    """The stored facts of the accepted items, with graph IRIs under ``{base}/graph/``; empty if no file."""
    if not path.exists():
        return Graph()
    stored = read_enrichment(path)
    kept = keep_items(stored, set(accepted) & items_in(stored))
    if not len(kept):
        return Graph()
    kept += graph_description()
    out = Graph()
    for s, p, o in kept:
        out.add((_rebase(s, base_uri), p, _rebase(o, base_uri)))
    _bind(out)
    return out


def _rebase(term, base_uri: str):
    if isinstance(term, URIRef) and str(term).startswith(PLACEHOLDER):
        return URIRef(f"{base_uri}/graph/{str(term)[len(PLACEHOLDER):]}")
    return term


def _bind(graph: Graph) -> None:
    graph.bind("wd", WD)
    graph.bind("wdt", WDT)
    graph.bind("schema", SCHEMA)
    graph.bind("prov", PROV)
    graph.bind("geo", GEO)
    graph.bind("dcterms", DCTERMS)

