"""Identity links from our entities to Wikidata items: ``owl:sameAs`` and ``schema:sameAs``, nothing else.

A pure function of (entity key, Q-id) pairs that a curator accepted; reading and deciding them is the business
of ``kg.wikidata``. Our entity keeps its own URI (``{base}/id/person/stalin``); the link says it denotes the
same thing as the Wikidata item. ``owl:sameAs`` serves OWL reasoners and Linked Data browsers,
``schema:sameAs`` the schema.org consumers (search engines, the HTML pages).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rdflib import Graph, Namespace

from kg.mapping.namespaces import OWL, SCHEMA
from kg.mapping.uris import Uris

WD = Namespace("http://www.wikidata.org/entity/")

#: Kinds of entity that may be linked: the path segment of their URI ({base}/id/{kind}/{key}).
KINDS = ("person", "org", "place", "event", "archive")
_KEY = re.compile(r"^(person|org|place|event|archive)/[a-z0-9][a-z0-9._-]*$")
_QID = re.compile(r"^Q[1-9][0-9]*$")


def make_sameas_links(links: Iterable[tuple[str, str]], base_uri: str) -> Graph:
    """The links graph for accepted ``(key, qid)`` pairs, e.g. ``("person/stalin", "Q855")``.

    Raises ``ValueError`` naming the pair when a key is not ``KIND/KEY`` or a Q-id is malformed: a broken link
    must stop the build, not be published.
    """
    graph = Graph()
    graph.bind("owl", OWL)
    graph.bind("schema", SCHEMA)
    graph.bind("wd", WD)
    uris = Uris(base_uri)
    for key, qid in links:
        if not _KEY.match(key):
            raise ValueError(f"link subject {key!r} is not KIND/KEY with KIND one of {', '.join(KINDS)}")
        if not _QID.match(qid):
            raise ValueError(f"link object for {key} is {qid!r}, not a Wikidata Q-id")
        kind, local = key.split("/", 1)
        entity, item = uris.entity(kind, local), WD[qid]
        graph.add((entity, OWL.sameAs, item))
        graph.add((entity, SCHEMA.sameAs, item))
    return graph
