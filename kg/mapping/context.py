"""What the pure per-letter functions need besides the record: URIs, authorities, the letter's key and
edition."""

from __future__ import annotations

from dataclasses import dataclass, field

from rdflib import URIRef

from kg.authorities import Authorities, Edition, Entity
from kg.mapping.uris import Uris


@dataclass
class MappingContext:
    """Everything ``map_letter`` reads apart from the record. ``problems`` collects what a curator should see
    (unknown parties, unknown names in the text, ambiguous names); the mapping never invents an entity for
    them."""

    uris: Uris
    authorities: Authorities
    letter_key: str
    edition: Edition | None = None
    source_path: str | None = None
    problems: list[str] = field(default_factory=list)
    #: The letter's URIs made so far: each is minted once per letter and shared by the triples that use it.
    _parts: dict[tuple[str, ...], URIRef] = field(default_factory=dict, repr=False, compare=False)

    @property
    def letter(self) -> URIRef:
        return self.part()

    def part(self, *parts: str) -> URIRef:
        try:
            return self._parts[parts]
        except KeyError:
            uri = self._parts[parts] = self.uris.letter_part(self.letter_key, *parts)
            return uri

    def entity_uri(self, entity: Entity) -> URIRef:
        return self.uris.entity(entity.uri_kind, entity.key)

    @property
    def edition_key(self) -> str:
        return self.edition.key if self.edition else "unknown-edition"
