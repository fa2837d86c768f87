"""Names shared by the Wikidata linking code: namespaces, the classes each kind of entity must belong to, and
how
we introduce ourselves to an endpoint.

Every Wikidata identifier written here was confirmed from public evidence (files pairing the Q-id with its
name, found with the project's search tools), never typed from memory; the comment beside each says where.
"""

from __future__ import annotations

import re

from rdflib import Namespace

WD = Namespace("http://www.wikidata.org/entity/")
WDT = Namespace("http://www.wikidata.org/prop/direct/")
SCHEMA = Namespace("https://schema.org/")
#: Wikidata's own RDF uses http://schema.org/ for sitelinks (schema:about, schema:isPartOf,
#: schema:inLanguage).
WIKIDATA_SCHEMA = Namespace("http://schema.org/")
PROV = Namespace("http://www.w3.org/ns/prov#")
GEO = Namespace("http://www.opengis.net/ont/geosparql#")

DEFAULT_ENDPOINT = "https://query.wikidata.org/sparql"

#: Wikimedia asks every client for a descriptive User-Agent naming the tool and a way to reach its operator.
USER_AGENT = ("bolshevik-letters-kg/0.1 (kg link wikidata; linked-data edition of historical letters; "
              "https://kg.example.org/) SPARQLWrapper/2")

#: A Wikidata item IRI and Q-id: the only objects a published link may have (the SHACL shape says the same).
ITEM_IRI = re.compile(r"^http://www\.wikidata\.org/entity/Q[1-9][0-9]*$")
QID = re.compile(r"^Q[1-9][0-9]*$")

#: Kinds of entity we link, as they appear in our URIs ({base}/id/{kind}/{key}) and their authority files.
#: Organisations of ``type = "archive"`` are minted under /id/archive/ (the root of the archival hierarchy).
KIND_FILES = {"person": "persons.toml", "org": "organisations.toml", "place": "places.toml",
              "event": "events.toml"}
KINDS = ("person", "org", "archive", "place", "event")

#: The classes a candidate must be an instance of (directly or through subclass-of), per kind.
KIND_CLASSES: dict[str, tuple[str, ...]] = {
    # Q5 human: named in the issue; also "Q5: human" in a public type table (find_string "Q486972", id
    # 59234521950).
    "person": ("Q5",),
    # Q486972 human settlement, Q6256 country (ids 56108138085, 59234521950); Q41176 building, for Smolny
    # (ids 61986745228, 56721548128).
    "place": ("Q486972", "Q6256", "Q41176"),
    # Q43229 organization ("Organization": "Q43229", # organization; ids 54655337506, 18039503157).
    "org": ("Q43229",),
    "archive": ("Q43229",),
    # Q1190554 occurrence, Q13418847 historical event (ids 71152148357, 57925024935); Q131569 treaty, because
    # editors call the peace of Brest-Litovsk an event (ids 22339962337, 70996910423).
    "event": ("Q1190554", "Q13418847", "Q131569"),
}

KIND_NAMES = {"person": "human", "place": "settlement, country or building", "org": "organisation",
              "archive": "organisation",
              "event": "historical event, occurrence or treaty"}


def qid_of(value: str) -> str | None:
    """``Q855`` from ``wd:Q855``, ``Q855`` or ``http://www.wikidata.org/entity/Q855``; else None."""
    local = value.rsplit("/", 1)[-1].removeprefix("wd:")
    return local if QID.match(local) else None
