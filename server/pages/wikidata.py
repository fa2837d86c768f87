"""What a page shows of Wikidata: the curator-accepted links of a resource, and the facts fetched from them.

The build publishes the links (``owl:sameAs``/``schema:sameAs`` from our entity to ``wd:Q…``) as the edition's
own statements, but the enriched facts are Wikidata's: stated about the item, in their own named graph, with
the endpoint and time of the fetch (``kg/wikidata/enrich.py``). A page must keep them apart, so the facts are
read only from the triples the ``wikidata_facts`` query returned (``Document.wikidata``), never from the
rest of the document, and shown in a box of their own that says where and when they were fetched.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import unquote

from server.pages.queries import Term, term_of

if TYPE_CHECKING:
    from server.pages.document import Document

OWL_SAME_AS = "http://www.w3.org/2002/07/owl#sameAs"
SCHEMA = "https://schema.org/"
SKOS_EXACT = "http://www.w3.org/2004/02/skos/core#exactMatch"
SAME_AS_PREDICATES = (OWL_SAME_AS, SCHEMA + "sameAs", SKOS_EXACT)
WDT = "http://www.wikidata.org/prop/direct/"
PROV = "http://www.w3.org/ns/prov#"
RDFS_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
DCTERMS = "http://purl.org/dc/terms/"
#: A Wikidata item IRI (the only link objects the shapes allow): its Q-id is the first group.
ITEM_IRI = re.compile(r"^http://www\.wikidata\.org/entity/(Q[1-9][0-9]*)$")
#: A WKT point as Wikidata writes coordinates (``Point(longitude latitude)``, optionally after a CRS IRI).
_POINT = re.compile(r"^\s*(?:<[^>]*>\s*)?Point\s*\(\s*([-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?)\s+"
                    r"([-+]?[0-9.]+(?:[eE][-+]?[0-9]+)?)\s*\)\s*$", re.IGNORECASE)
LANGUAGES = {"en": "English", "ru": "Russian"}
#: Facts the box shows under their own heading; any other statement about the item is listed as it is.
KNOWN = {RDFS_LABEL, WDT + "P569", WDT + "P570", WDT + "P625"}


@dataclass
class Article:
    """A Wikipedia article about the item."""

    url: str
    lang: str | None
    title: str

    @property
    def language(self) -> str:
        return LANGUAGES.get(self.lang or "", self.lang or "")


@dataclass
class Coordinates:
    """A point as Wikidata gave it; the numbers are shown as written there (no rounding)."""

    latitude: str
    longitude: str
    wkt: str

    @property
    def text(self) -> str:
        """``59.95° N, 30.316667° E``."""
        lat, lon = self.latitude, self.longitude
        return (f"{lat.lstrip('+-')}° {'S' if lat.startswith('-') else 'N'}, "
                f"{lon.lstrip('+-')}° {'W' if lon.startswith('-') else 'E'}")

    @property
    def map_url(self) -> str:
        lat, lon = self.latitude.lstrip("+"), self.longitude.lstrip("+")
        return f"https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=12/{lat}/{lon}"


@dataclass
class Fetch:
    """The activity that fetched an item's facts: which endpoint answered, and when."""

    activity: str
    endpoints: list[str] = field(default_factory=list)
    ended: Term | None = None

    @property
    def when(self) -> str:
        return human_datetime(self.ended)


@dataclass
class Item:
    """A linked Wikidata item and what Wikidata says about it (empty lists when nothing was fetched)."""

    iri: str
    qid: str
    labels: list[Term] = field(default_factory=list)
    born: Term | None = None
    died: Term | None = None
    coordinates: list[Coordinates] = field(default_factory=list)
    coordinates_raw: list[Term] = field(default_factory=list)  # values that are not a WKT point
    articles: list[Article] = field(default_factory=list)
    other: list[tuple[str, Term]] = field(default_factory=list)  # (predicate, value)
    fetches: list[Fetch] = field(default_factory=list)

    @property
    def has_facts(self) -> bool:
        return bool(self.labels or self.born or self.died or self.coordinates or self.coordinates_raw
                    or self.articles or self.other)


@dataclass
class WikidataView:
    """The links of one resource to Wikidata and the facts fetched for them."""

    items: list[Item] = field(default_factory=list)
    graph: str | None = None  #: the named graph the facts were published in
    graph_title: str | None = None

    @property
    def with_facts(self) -> list[Item]:
        return [i for i in self.items if i.has_facts]


def linked_items(iri: str, pairs: Iterable[tuple[str, str, str]]) -> list[str]:
    """The Wikidata item IRIs ``iri`` is linked to, from ``(subject, predicate, object IRI)`` triples."""
    return sorted({o for s, p, o in pairs if s == iri and p in SAME_AS_PREDICATES and ITEM_IRI.match(o)},
                  key=_qid_order)


def _qid_order(item: str) -> tuple[int, str]:
    match = ITEM_IRI.match(item)
    return (int(match.group(1)[1:]) if match else 0, item)


def build(doc: Document) -> WikidataView:
    """The links of the document's resource and the facts of ``doc.wikidata`` about their items."""
    pairs = ((s, p, o.value) for s, pairs_ in doc.out.items() for p, o in pairs_ if o.is_iri)
    view = WikidataView()
    out: dict[str, list[tuple[str, Term]]] = defaultdict(list)
    for t in doc.wikidata:
        out[term_of(t.subject).value].append((t.predicate.value, term_of(t.object)))
    graphs = sorted(s for s, po in out.items() if any(p == PROV + "wasGeneratedBy" for p, _ in po))
    if graphs:
        view.graph = graphs[0]
        title = [o for p, o in out[view.graph] if p == DCTERMS + "title" and o.kind == "literal"]
        view.graph_title = sorted(title, key=lambda t: (t.lang != "en", t.value))[0].value if title else None
    activities = {o.value for g in graphs for p, o in out[g] if p == PROV + "wasGeneratedBy"}
    for item_iri in linked_items(doc.iri, pairs):
        view.items.append(_item(item_iri, out, activities))
    return view


def _item(iri: str, out: dict[str, list[tuple[str, Term]]], activities: set[str]) -> Item:
    item = Item(iri=iri, qid=ITEM_IRI.match(iri).group(1))
    facts = out.get(iri, [])
    item.labels = sorted((o for p, o in facts if p == RDFS_LABEL and o.kind == "literal"),
                         key=lambda t: (_lang_order(t.lang), t.value))
    item.born = min((o for p, o in facts if p == WDT + "P569"), key=lambda t: t.value, default=None)
    item.died = min((o for p, o in facts if p == WDT + "P570"), key=lambda t: t.value, default=None)
    for p, o in facts:
        if p == WDT + "P625":
            point = parse_point(o.value)
            if point:
                item.coordinates.append(point)
            else:
                item.coordinates_raw.append(o)
        elif p not in KNOWN:
            item.other.append((p, o))
    item.coordinates.sort(key=lambda c: (float(c.latitude), float(c.longitude)))
    item.other.sort(key=lambda po: (po[0], po[1].value))
    for page, pairs in out.items():
        if any(p == SCHEMA + "about" and o.value == iri for p, o in pairs) and is_web(page):
            lang = next((o.value for p, o in pairs if p == SCHEMA + "inLanguage"), None)
            item.articles.append(Article(page, lang, unquote(page.rstrip("/").rsplit("/", 1)[-1])
                                         .replace("_", " ")))
    item.articles.sort(key=lambda a: (_lang_order(a.lang), a.url))
    for activity in sorted(activities):
        used = [o.value for p, o in out.get(activity, ()) if p == PROV + "used" and o.is_iri]
        if iri not in used:
            continue
        ended = sorted((o for p, o in out[activity] if p == PROV + "endedAtTime"), key=lambda t: t.value)
        item.fetches.append(Fetch(activity, sorted(u for u in used if u != iri), ended[-1] if ended else None))
    return item


def _lang_order(lang: str | None) -> tuple[int, str]:
    order = list(LANGUAGES)
    return (order.index(lang) if lang in order else len(order), lang or "")


def parse_point(wkt: str) -> Coordinates | None:
    """Latitude and longitude of a WKT ``Point(lon lat)``; None for anything else or out of range."""
    match = _POINT.match(wkt or "")
    if not match:
        return None
    lon, lat = match.group(1), match.group(2)
    try:
        if not (-90 <= float(lat) <= 90 and -180 <= float(lon) <= 180):
            return None
    except ValueError:  # "1.2.3" matches the pattern's digits and dots but is no number
        return None
    return Coordinates(latitude=lat, longitude=lon, wkt=wkt)


def human_datetime(term: Term | str | None) -> str:
    """``26 November 2026, 14:55 UTC`` for an ``xsd:dateTime``; the text itself when it does not parse."""
    text = term.value if isinstance(term, Term) else (term or "")
    try:
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.UTC)
    months = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
              "October", "November", "December"]
    zone = " UTC" if moment.tzinfo is not None else ""
    return f"{moment.day} {months[moment.month - 1]} {moment.year}, {moment:%H:%M}{zone}"


def is_web(iri: str) -> bool:
    """Whether an IRI may be written as a link (``http``/``https`` only: no ``javascript:`` from a fetch)."""
    return iri.startswith(("https://", "http://"))
