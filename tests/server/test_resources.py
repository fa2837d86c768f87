"""Cool URIs, content negotiation and the resource pages, checked over HTTP against the app under gunicorn.

The fixture graph (tests/fixtures/resources.trig) has the shape kg/mapping emits; its test letter No. 900
carries a ``<script>`` in its label, text and note to prove literal text is escaped everywhere.
"""

from __future__ import annotations

import html
import re

import pytest
import rdflib
import requests

from server.config import ServerConfig
from server.pages import queries
from server.pages.iris import BadIri, check_iri
from tests.conftest import FIXTURES

BASE_URI = "https://kg.example.org"
LETTER = f"{BASE_URI}/id/letter/bl1996-009"
STALIN = f"{BASE_URI}/id/person/stalin"
SCHEMA = "https://schema.org/"
DOC_TYPES = {"html": "text/html", "ttl": "text/turtle", "jsonld": "application/ld+json",
             "nt": "application/n-triples", "rdf": "application/rdf+xml"}
RDFLIB_FORMATS = {"ttl": "turtle", "jsonld": "json-ld", "nt": "nt", "rdf": "xml"}


@pytest.fixture(scope="module")
def site(serve_app):
    config = ServerConfig.from_options(data_files=[FIXTURES / "resources.trig"], base_uri=BASE_URI)
    with serve_app(config, workers=1, ready_path="/") as url:
        yield url


def get(site, path, accept=None, **kwargs):
    headers = {"Accept": accept} if accept else {}
    return requests.get(site + path, headers=headers, allow_redirects=False, timeout=30, **kwargs)


def graph_of(response, ext) -> rdflib.Graph:
    g = rdflib.Graph()
    g.parse(data=response.content, format=RDFLIB_FORMATS[ext])
    return g


# ------------------------------------------------------------------------------------------ 303 and conneg


@pytest.mark.parametrize(("accept", "ext"), [
    ("text/html", "html"),
    ("text/turtle", "ttl"),
    ("application/ld+json", "jsonld"),
    ("application/n-triples", "nt"),
    ("application/rdf+xml", "rdf"),
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", "html"),  # a browser
    ("text/turtle;q=0.9, application/ld+json", "jsonld"),
    ("application/ld+json;q=0.5, text/turtle;q=0.6", "ttl"),
    ("text/html;q=0.1, application/rdf+xml;q=0.2", "rdf"),
    ("*/*", "html"),
])
def test_thing_uri_answers_303_to_the_document_the_accept_header_prefers(site, accept, ext):
    r = get(site, "/id/letter/bl1996-009", accept)
    assert r.status_code == 303
    assert r.headers["Location"].endswith(f"/doc/letter/bl1996-009.{ext}")
    assert "Accept" in r.headers["Vary"]


def test_thing_uri_without_accept_header_goes_to_the_html_page(site):
    r = requests.get(site + "/id/person/stalin", allow_redirects=False, headers={"Accept": ""}, timeout=30)
    assert r.status_code == 303
    assert r.headers["Location"].endswith("/doc/person/stalin.html")


def test_unacceptable_type_gets_406_listing_the_formats(site):
    r = get(site, "/id/person/stalin", "image/png")
    assert r.status_code == 406
    for media_type in DOC_TYPES.values():
        assert media_type in r.text


@pytest.mark.parametrize("ext", sorted(DOC_TYPES))
def test_each_document_is_served_by_extension_and_links_the_others(site, ext):
    r = get(site, f"/doc/person/stalin.{ext}")
    assert r.status_code == 200
    assert r.headers["Content-Type"].split(";")[0] == DOC_TYPES[ext]
    links = r.headers["Link"]
    for other, media_type in DOC_TYPES.items():
        if other != ext:
            assert f'</doc/person/stalin.{other}>; rel="alternate"; type="{media_type}"' in links
    assert f'<{STALIN}>; rel="describes"' in links


def test_generic_document_negotiates_and_names_its_variant(site):
    r = get(site, "/doc/person/stalin", "text/turtle")
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("text/turtle")
    assert r.headers["Content-Location"] == "/doc/person/stalin.ttl"
    assert "Accept" in r.headers["Vary"]


@pytest.mark.parametrize("ext", sorted(RDFLIB_FORMATS))
def test_rdf_documents_parse_and_say_the_same(site, ext):
    g = graph_of(get(site, f"/doc/letter/bl1996-009.{ext}"), ext)
    text = rdflib.URIRef(LETTER + "/text")  # kg/mapping puts the schema.org mirror on the letter's text
    assert (text, rdflib.URIRef(SCHEMA + "sender"), rdflib.URIRef(STALIN)) in g
    assert len(g) == len(graph_of(get(site, "/doc/letter/bl1996-009.nt"), "nt"))


def test_unknown_uri_is_a_404_page_that_helps(site):
    r = get(site, "/id/person/stailn", "text/html")
    assert r.status_code == 404
    assert r.headers["Content-Type"].startswith("text/html")
    assert f"{BASE_URI}/id/person/stailn" in r.text
    assert 'href="/search"' in r.text and 'href="/"' in r.text
    assert get(site, "/doc/person/stailn.ttl").status_code == 404


def test_head_on_a_thing_uri_redirects_like_get(site):
    r = requests.head(site + "/id/person/stalin", headers={"Accept": "text/turtle"}, allow_redirects=False,
                      timeout=30)
    assert r.status_code == 303
    assert r.headers["Location"].endswith("/doc/person/stalin.ttl")


# ---------------------------------------------------------------------------------------- document content


def test_person_document_holds_the_letters_pointing_at_the_person(site):
    g = graph_of(get(site, "/doc/person/stalin.ttl"), "ttl")
    sent = set(g.subjects(rdflib.URIRef(SCHEMA + "sender"), rdflib.URIRef(STALIN)))
    received = set(g.subjects(rdflib.URIRef(SCHEMA + "recipient"), rdflib.URIRef(STALIN)))
    assert rdflib.URIRef(LETTER + "/text") in sent
    assert rdflib.URIRef(f"{BASE_URI}/id/letter/bl1996-900/text") in received
    # ... with their names, so a client can show them without another request
    assert g.value(rdflib.URIRef(LETTER + "/text"), rdflib.URIRef(SCHEMA + "name")) is not None


def test_letter_document_holds_its_sub_resources_and_labels_of_what_it_points_to(site):
    g = graph_of(get(site, "/doc/letter/bl1996-009.nt"), "nt")
    subjects = {str(s) for s in g.subjects()}
    for part in ("/text", "/sending", "/sending/time-span", "/note/2", "/annotation/2",
                 "/annotation/2/target/1", "/text/en/body", "/identifier/folios",
                 "/sending/time-span/date-as-printed"):
        assert LETTER + part in subjects, part
    assert str(g.value(rdflib.URIRef(STALIN), rdflib.RDFS.label)) == "Joseph Stalin"
    assert (rdflib.URIRef(f"{BASE_URI}/doc/letter/bl1996-009"), rdflib.FOAF.primaryTopic,
            rdflib.URIRef(LETTER)) in g


def test_pages_link_to_paths_on_the_serving_host_not_the_canonical_one(site):
    page = get(site, "/doc/letter/bl1996-009.html").text
    assert 'href="/id/person/stalin"' in page
    assert f'href="{BASE_URI}/id/' not in page
    assert LETTER in page  # the canonical URI is still shown, to copy


# ----------------------------------------------------------------------------------------- the letter page


def test_letter_page_shows_header_text_markers_notes_and_archive(site):
    page = get(site, "/doc/letter/bl1996-009.html").text
    assert "<h1>No. 9." in page
    assert "December 27 [1917]" in page and "Old Style" in page and "9 January 1918" in page
    assert "27/XII, 5 p.m." in page
    assert '<p class="salutation">T[ovari] Ilyich!</p>' in page and '<p class="signature">Stalin</p>' in page
    assert "Test citation of an earlier publication" in page
    # the note marker sits right after the passage the note comments on, and links to the note
    assert re.search(r'our answer is needed\)<sup class="marker"><a href="#note-2" id="ref-2"', page)
    assert 'id="note-2"' in page and 'href="#ref-2"' in page
    chain = re.search(r'<ol class="chain">(.*?)</ol>', page, re.S).group(1)
    assert [html.unescape(x) for x in re.findall(r">([^<>]+)</a>", chain)] == [
        "RGASPI", "RGASPI, f. 558", "RGASPI, f. 558, op. 1", "RGASPI, f. 558, op. 1, d. 5397"]
    assert "folio 2" in chain and "Autograph" in page
    assert 'href="/id/event/brest-litovsk-negotiations"' in page
    assert "Cite this" in page
    assert 'href="/doc/letter/bl1996-009.ttl"' in page and 'href="/doc/letter/bl1996-009.jsonld"' in page
    assert '<html lang="en">' in page and '<div class="letter-text" lang="en">' in page


@pytest.mark.parametrize("path", ["/doc/letter/bl1996-900.html", "/doc/letter/bl1996-900/note/1.html",
                                  "/doc/person/stalin.html", "/doc/person/lenin.html", "/", "/search?q=kaledin",
                                  "/browse/letter"])
def test_literal_text_is_escaped_everywhere(site, path):
    page = get(site, path).text
    assert "<script>window.__pwned" not in page
    assert "</script>window" not in page


def test_injected_script_is_shown_as_text(site):
    page = get(site, "/doc/letter/bl1996-900.html").text
    assert "&lt;script&gt;window.__pwned=2&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in page
    # the embedded JSON-LD carries it too, with < written as \u003c so it cannot close the script element
    embedded = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    assert "\\u003cscript\\u003ewindow.__pwned=2" in embedded


# --------------------------------------------------------------------------------------------- other pages


def test_person_page_lists_letters_sent_and_received_with_network_and_timeline(site):
    page = get(site, "/doc/person/stalin.html").text
    sent = re.search(r'<section aria-labelledby="sent-h".*?</section>', page, re.S).group(0)
    received = re.search(r'<section aria-labelledby="received-h".*?</section>', page, re.S).group(0)
    assert 'href="/id/letter/bl1996-009"' in sent and "9 January 1918" in sent
    assert 'href="/id/letter/bl1996-900"' in received
    assert '<li lang="en">Koba</li>' in page and "18 December 1878" in page
    assert 'href="http://www.wikidata.org/entity/Q855"' in page
    assert '<svg xmlns="http://www.w3.org/2000/svg"' in page and 'class="network"' in page
    assert 'class="timeline"' in page


def test_mentions_are_listed_on_the_page_of_what_is_mentioned(site):
    page = get(site, "/doc/org/sovnarkom.html").text
    assert 'href="/id/letter/bl1996-009"' in page and "note 2" in page


def test_archival_unit_page_shows_hierarchy_and_contents(site):
    page = get(site, "/doc/archive/rgaspi/f558/op1/d5397.html").text
    assert 'href="/id/archive/rgaspi/f558/op1"' in page
    assert 'href="/id/letter/bl1996-009"' in page


def test_note_page_links_back_to_its_letter(site):
    page = get(site, "/doc/letter/bl1996-009/note/2.html").text
    assert "manifesto to the Ukrainian people" in page
    assert 'href="/id/letter/bl1996-009#note-2"' in page


def test_landing_page_counts_browse_search_sparql_and_dumps(site):
    page = get(site, "/").text
    assert re.search(r"<strong>2</strong> letters", page)
    assert 'href="/id/letter/bl1996-009"' in page
    assert 'action="/search"' in page and 'href="/sparql"' in page and 'href="/dumps/"' in page


def test_search_finds_letters_by_their_text_and_people_by_name_variants(site):
    page = get(site, "/search", params={"q": "Smolny noon"}).text
    assert 'href="/id/letter/bl1996-009"' in page
    page = get(site, "/search", params={"q": "koba"}).text
    assert 'href="/id/person/stalin"' in page
    page = get(site, "/search", params={"q": "nothingmatchesthis"}).text
    assert "0 results" in page


# ------------------------------------------------------------------------------------ Wikidata, kept apart

WD = "http://www.wikidata.org/entity/"
WDT = "http://www.wikidata.org/prop/direct/"
PROV = "http://www.w3.org/ns/prov#"
ENRICHMENT = f"{BASE_URI}/graph/wikidata-enrichment"


def wikidata_box(page: str) -> str:
    found = re.search(r'<aside class="from-wikidata".*?</aside>', page, re.S)
    return found.group(0) if found else ""


def outside_box(page: str) -> str:
    """The page without the Wikidata box and without the embedded JSON-LD (which carries the whole document)."""
    page = re.sub(r'<aside class="from-wikidata".*?</aside>', "", page, flags=re.S)
    return re.sub(r'<script type="application/ld\+json">.*?</script>', "", page, flags=re.S)


@pytest.mark.parametrize(("path", "qid"), [("person/stalin", "Q855"), ("person/trotsky", "Q33391"),
                                           ("place/petrograd", "Q656")])
def test_entity_page_shows_its_accepted_wikidata_link(site, path, qid):
    page = get(site, f"/doc/{path}.html").text
    header = re.search(r"<header>.*?</header>", page.split('<main id="main">', 1)[1], re.S).group(0)
    assert f'<dt>Wikidata</dt><dd><a href="{WD}{qid}" class="wikidata"' in header
    assert f">{qid}</a>" in header


def test_wikidata_box_shows_the_facts_with_where_and_when_they_were_fetched(site):
    box = wikidata_box(get(site, "/doc/person/stalin.html").text)
    assert '<h2 id="wikidata-h">From Wikidata</h2>' in box
    assert "not by the editors of this edition" in box
    assert '<li lang="en">Joseph Stalin' in box and '<li lang="ru">Иосиф Сталин' in box
    assert '<time datetime="1878-12-18">18 December 1878</time>' in box
    assert '<time datetime="1953-03-05">5 March 1953</time>' in box
    assert 'href="https://en.wikipedia.org/wiki/Joseph_Stalin" hreflang="en"' in box
    assert 'hreflang="ru"' in box and "Сталин, Иосиф Виссарионович" in box
    assert "Fetched from <code class=\"endpoint\">https://query.wikidata.org/sparql</code>" in box
    assert "2 January 2025, 10:15 UTC" in box
    assert ENRICHMENT in box


def test_statements_about_an_item_that_no_fetch_produced_are_not_shown_as_wikidatas(site):
    page = get(site, "/doc/person/stalin.html").text  # the fixture says Q855 died 1999 in another graph
    assert "1999-01-01" not in page and "1 January 1999" not in page
    g = graph_of(get(site, "/doc/person/stalin.ttl"), "ttl")
    assert (rdflib.URIRef(WD + "Q855"), rdflib.URIRef(WDT + "P570"),
            rdflib.Literal("1999-01-01T00:00:00Z", datatype=rdflib.XSD.dateTime)) not in g


def test_wikidata_facts_never_mix_with_the_editions_own_statements(site):
    page = get(site, "/doc/place/petrograd.html").text
    box = wikidata_box(page)
    assert "<h1>Petrograd</h1>" in page
    assert "Saint Petersburg" in box and "Санкт-Петербург" in box
    assert "59.95° N, 30.316667° E" in box and 'title="Point(30.316667 59.95)"' in box
    assert 'href="https://www.openstreetmap.org/?mlat=59.95&amp;mlon=30.316667' in box
    assert 'href="https://en.wikipedia.org/wiki/Saint_Petersburg"' in box
    assert "3 January 2025, 08:00 UTC" in box
    rest = outside_box(page)
    assert "Saint Petersburg" not in rest and "Санкт-Петербург" not in rest and "59.95" not in rest
    assert "wdt:P625" not in rest
    # the statement table shows the link by its Q-id, not under a label Wikidata gave the item
    assert f'<a href="{WD}Q656">wd:Q656</a>' in rest


def test_wikidata_text_is_escaped_and_only_web_addresses_become_links(site):
    page = get(site, "/doc/person/lenin.html").text
    box = wikidata_box(page)
    assert "Ленин &lt;script&gt;window.__pwned=4&lt;/script&gt;" in box
    assert "<script>window.__pwned" not in page
    assert "javascript:" not in box  # an "article" IRI that is no web address is not linked


def test_linked_entity_without_fetched_facts_shows_the_link_but_no_box(site):
    page = get(site, "/doc/person/trotsky.html").text
    assert f'href="{WD}Q33391"' in page
    assert "from-wikidata" not in page and "From Wikidata" not in page


@pytest.mark.parametrize("path", ["place/smolny", "org/sovnarkom", "event/brest-litovsk-negotiations",
                                  "archive/rgaspi"])
def test_entity_without_a_wikidata_link_shows_no_wikidata_box(site, path):
    page = get(site, f"/doc/{path}.html").text
    assert "From Wikidata" not in page and "<dt>Wikidata</dt>" not in page
    assert "wikidata.org" not in page


def test_letter_page_marks_mentioned_entities_that_are_linked_to_wikidata(site):
    page = get(site, "/doc/letter/bl1996-009.html").text
    mentions = re.search(r'<section aria-labelledby="mentions-h".*?</section>', page, re.S).group(0)
    assert re.search(r'href="/id/person/trotsky">Leon Trotsky</a> <a href="http://www\.wikidata\.org/entity/'
                     r'Q33391" class="wd-marker"', mentions)
    smolny = re.search(r'<li><a href="/id/place/smolny">.*?</li>', mentions).group(0)
    assert "wd-marker" not in smolny


@pytest.mark.parametrize("ext", sorted(RDFLIB_FORMATS))
def test_entity_document_holds_its_links_and_the_facts_about_the_linked_item(site, ext):
    g = graph_of(get(site, f"/doc/person/stalin.{ext}"), ext)
    stalin, item = rdflib.URIRef(STALIN), rdflib.URIRef(WD + "Q855")
    assert (stalin, rdflib.OWL.sameAs, item) in g
    assert (stalin, rdflib.URIRef(SCHEMA + "sameAs"), item) in g
    assert str(g.value(item, rdflib.URIRef(WDT + "P569"))).startswith("1878-12-18T00:00:00")
    assert (rdflib.URIRef("https://en.wikipedia.org/wiki/Joseph_Stalin"), rdflib.URIRef(SCHEMA + "about"),
            item) in g
    activity = rdflib.URIRef(f"{ENRICHMENT}/fetch/Q855")
    assert (rdflib.URIRef(ENRICHMENT), rdflib.URIRef(PROV + "wasGeneratedBy"), activity) in g
    assert (activity, rdflib.URIRef(PROV + "used"), rdflib.URIRef("https://query.wikidata.org/sparql")) in g
    assert g.value(activity, rdflib.URIRef(PROV + "endedAtTime")) is not None
    # Wikidata's facts are about the item, never restated about our entity; other items' facts stay out
    assert not any(str(p).startswith(WDT) for p in g.predicates(stalin, None))
    assert (rdflib.URIRef(WD + "Q1394"), None, None) not in g
    assert rdflib.URIRef(f"{ENRICHMENT}/fetch/Q1394") not in set(g.objects(rdflib.URIRef(ENRICHMENT), None))


def test_document_of_an_unlinked_entity_holds_nothing_from_wikidata(site):
    assert "wikidata" not in get(site, "/doc/place/smolny.nt").text


def test_wkt_points_and_fetch_times_are_read_as_wikidata_writes_them():
    from server.pages.wikidata import human_datetime, parse_point

    point = parse_point("Point(-43.2 -22.9)")
    assert point.text == "22.9° S, 43.2° W"
    assert parse_point("<http://www.opengis.net/def/crs/OGC/1.3/CRS84> Point(30.5 50.45)").latitude == "50.45"
    assert parse_point("Point(200 10)") is None and parse_point("POLYGON((0 0, 1 1))") is None
    assert human_datetime("2025-01-02T10:15:00+03:00") == "2 January 2025, 07:15 UTC"
    assert human_datetime("not a time") == "not a time"


# ---------------------------------------------------------------------------------------- bound parameters


def test_bind_writes_only_checked_iris_into_values_blocks():
    text = "SELECT * WHERE { VALUES ?this { $this } ?this ?p ?o }"
    bound = queries.bind(text, this=STALIN)
    assert bound == f"SELECT * WHERE {{ VALUES ?this {{ <{STALIN}> }} ?this ?p ?o }}"
    both = queries.bind(text.replace("$this", "$these"), these=[STALIN, LETTER])
    assert f"VALUES ?this {{ <{STALIN}> <{LETTER}> }}" in both
    hostile_iris = [f"{STALIN}> }} DROP ALL #", "javascript:alert(1)", f'{STALIN}"', "relative/iri",
                    STALIN + " x"]
    for hostile in hostile_iris:
        with pytest.raises(BadIri):
            queries.bind(text, this=hostile)
    with pytest.raises(KeyError):
        queries.bind(text)


def test_check_iri_accepts_our_uris_and_refuses_what_could_break_out():
    assert check_iri(LETTER + "/note/2") == LETTER + "/note/2"
    for bad in ["<x>", "http://a b", "ftp://x", "http://x/{y}", "http://x/\\"]:
        with pytest.raises(BadIri):
            check_iri(bad)
