"""The curated persons, organisations, places, events and editions of the collection
(``data/authorities/*.toml``).

Why a file per kind, edited by hand: identity is a scholarly decision (is "Kal[edi]n" Kaledin? is the "Kalinin
military circle" the Don Cossack Circle?), so it is written down once, reviewed in the repository, and every
stage
reads the same answer. This module only loads and indexes; the RDF for these entities is made by
``kg.mapping.entities``, and the search for their names in texts by ``kg.mentions``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

#: File name → kind of entity it holds.
FILES = {"persons.toml": "person", "organisations.toml": "organisation", "places.toml": "place",
         "events.toml": "event"}
#: Kind → URI path segment (``{base}/id/{segment}/{key}``); archives are organisations with their own segment.
URI_KIND = {"person": "person", "organisation": "org", "place": "place", "event": "event"}
ORG_TYPES = {"government", "party", "assembly", "military", "alliance", "state", "archive", "body"}
EVENT_TYPES = {"event", "activity"}
_KEY = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")
_URI = re.compile(r"https?://[^\s<>\"{}|\\^`]+")


class AuthorityError(ValueError):
    """A malformed authority file; the message names the file and the entry."""


@dataclass(frozen=True)
class Entity:
    """One curated entity. ``names`` are the variants as printed (the label is always among the names)."""

    key: str
    kind: str  # person | organisation | place | event
    label: str
    names: tuple[str, ...]
    label_ru: str | None = None
    type: str | None = None  # organisation type or event type
    born: str | None = None
    died: str | None = None
    date: str | None = None
    place: str | None = None
    part_of: str | None = None
    carried_out_by: tuple[str, ...] = ()
    former_names: tuple[str, ...] = ()
    note: str | None = None
    refs: tuple[str, ...] = ()  # records of the same entity in external authority files (GND, VIAF, GeoNames)

    @property
    def uri_kind(self) -> str:
        return "archive" if self.type == "archive" else URI_KIND[self.kind]


@dataclass(frozen=True)
class Edition:
    """A published collection whose pages are our sources."""

    key: str
    title: str
    title_ru: str | None
    year: str | None
    language: str
    compilers: tuple[str, ...]
    sources: tuple[str, ...]
    note: str | None = None
    url: str | None = None  # where the edition (or the index of its letters) is published online


_SPACING = re.compile(r"[\s.]+")


@lru_cache(maxsize=1 << 16)
def name_key(name: str) -> str:
    """Spacing- and case-insensitive form of a name, for matching printed parties: ``J.V.Stalin`` = ``J. V.
    Stalin``. Remembered: the mapping asks for the same few thousand names (parties, archives) again and again."""
    return _SPACING.sub(" ", name.replace(".", ". ")).strip().casefold()


@dataclass(eq=False)  # identity-hashed: the mention index is cached per instance
class Authorities:
    """All entities by key, an index from every printed variant to the entities that bear it, and the
    editions."""

    entities: dict[str, Entity] = field(default_factory=dict)
    editions: dict[str, Edition] = field(default_factory=dict)
    _by_name: dict[str, list[Entity]] = field(default_factory=dict, repr=False)

    def add(self, entity: Entity, origin: str = "") -> None:
        if entity.key in self.entities:
            other = self.entities[entity.key].kind
            raise AuthorityError(f"{origin}: key [{entity.key}] is already used by a {other}")
        self.entities[entity.key] = entity
        for name in entity.names:
            bearers = self._by_name.setdefault(name_key(name), [])
            if entity not in bearers:  # "RTsKhIDNI" and "RTSKHIDNI" are one name
                bearers.append(entity)

    def __iter__(self) -> Iterator[Entity]:
        return iter(sorted(self.entities.values(), key=lambda e: (e.kind, e.key)))

    def __len__(self) -> int:
        return len(self.entities)

    def get(self, key: str) -> Entity | None:
        return self.entities.get(key)

    def lookup(self, name: str, kinds: Iterable[str] | None = None) -> Entity | None:
        """The one entity a printed name denotes, or ``None`` when it is unknown or ambiguous."""
        candidates = self.candidates(name, kinds)
        return candidates[0] if len(candidates) == 1 else None

    def candidates(self, name: str, kinds: Iterable[str] | None = None) -> list[Entity]:
        found = self._by_name.get(name_key(name), [])
        if kinds is not None:
            wanted = set(kinds)
            found = [e for e in found if e.kind in wanted]
        return found

    def names(self) -> Iterator[tuple[str, Entity]]:
        """Every (printed variant, entity) pair, for the mention finder."""
        for entity in self:
            for name in entity.names:
                yield name, entity

    def edition_for(self, source_path: str, part: str | None = None) -> Edition | None:
        """The edition whose ``sources`` globs match the file name first (editions in key order).

        ``part`` names the edition a letter cites inside a file that indexes several (a CMIF file's
        ``bibl/@xml:id``): a glob ``FILE#PART`` then matches before the plain file name does."""
        name = Path(source_path).name
        names = [f"{name}#{part}", name] if part and "/" not in part else [name]
        for pattern_rank in range(max((len(e.sources) for e in self.editions.values()), default=0)):
            for edition in sorted(self.editions.values(), key=lambda e: e.key):
                if pattern_rank < len(edition.sources) and \
                        any(Path(n).match(edition.sources[pattern_rank]) for n in names):
                    return edition
        return None


def _strings(value: object, where: str, what: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise AuthorityError(f"{where}: {what} must be a list of non-empty strings")
    return tuple(value)


def _entity(kind: str, key: str, table: dict, where: str) -> Entity:
    if not _KEY.fullmatch(key):
        raise AuthorityError(f"{where}: key must be lower-case letters, digits and hyphens")
    label = table.get("label")
    if not isinstance(label, str) or not label.strip():
        raise AuthorityError(f"{where}: a label is required")
    names = _strings(table.get("names"), where, "names")
    if label not in names:
        names = (label, *names)
    entity_type = table.get("type")
    if kind == "organisation" and entity_type is not None and entity_type not in ORG_TYPES:
        raise AuthorityError(f"{where}: type must be one of {sorted(ORG_TYPES)}")
    if kind == "event":
        entity_type = entity_type or "event"
        if entity_type not in EVENT_TYPES:
            raise AuthorityError(f"{where}: type must be one of {sorted(EVENT_TYPES)}")
    for field_name in ("born", "died"):
        value = table.get(field_name)
        if value is not None and not (isinstance(value, str) and _DATE.fullmatch(value)):
            raise AuthorityError(f"{where}: {field_name} must be YYYY, YYYY-MM or YYYY-MM-DD")
    date = table.get("date")
    if date is not None and not (isinstance(date, str) and all(_DATE.fullmatch(p) for p in date.split("/"))):
        raise AuthorityError(f"{where}: date must be YYYY[-MM[-DD]] or START/END")
    refs = _strings(table.get("refs"), where, "refs")
    if refs and kind == "event":
        raise AuthorityError(f"{where}: refs (external authority records) are kept for persons, organisations "
                             "and places only")
    for ref in refs:
        if not _URI.fullmatch(ref):
            raise AuthorityError(f"{where}: refs must be http(s) URIs without spaces, got {ref!r}")
    return Entity(key=key, kind=kind, label=label, names=names, label_ru=table.get("label_ru"),
                  type=entity_type, born=table.get("born"), died=table.get("died"), date=date,
                  place=table.get("place"), part_of=table.get("part_of"),
                  carried_out_by=_strings(table.get("carried_out_by"), where, "carried_out_by"),
                  former_names=_strings(table.get("former_names"), where, "former_names"),
                  note=table.get("note"), refs=refs)


def load_authorities(directory: str | Path) -> Authorities:
    """Read every authority file in ``directory``; missing files are simply empty kinds.

    Raises ``AuthorityError`` naming the file and entry for a malformed entry, a duplicate key, or a reference
    (``part_of``, ``place``, ``carried_out_by``, ``compilers``) to a key that does not exist.
    """
    directory = Path(directory)
    authorities = Authorities()
    for file_name, kind in FILES.items():
        path = directory / file_name
        if not path.exists():
            continue
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as exc:
            raise AuthorityError(f"{path}: {exc}") from exc
        for key in sorted(data):
            if not isinstance(data[key], dict):
                raise AuthorityError(f"{path} [{key}]: expected a table")
            authorities.add(_entity(kind, key, data[key], f"{path} [{key}]"), str(path))
    editions_path = directory / "editions.toml"
    if editions_path.exists():
        for key, table in sorted(tomllib.loads(editions_path.read_text(encoding="utf-8")).items()):
            where = f"{editions_path} [{key}]"
            if not _KEY.fullmatch(key) or not isinstance(table.get("title"), str):
                raise AuthorityError(f"{where}: a lower-case key and a title are required")
            authorities.editions[key] = Edition(
                key=key, title=table["title"], title_ru=table.get("title_ru"), year=table.get("year"),
                language=table.get("language", "ru"),
                compilers=_strings(table.get("compilers"), where, "compilers"),
                sources=_strings(table.get("sources"), where, "sources") or ("*",), note=table.get("note"),
                url=table.get("url"))
    _check_references(authorities)
    return authorities


def _check_references(authorities: Authorities) -> None:
    for entity in authorities:
        refs = [("part_of", entity.part_of), ("place", entity.place)]
        refs += [("carried_out_by", k) for k in entity.carried_out_by]
        for field_name, ref in refs:
            if ref is not None and ref not in authorities.entities:
                raise AuthorityError(f"[{entity.key}]: {field_name} names unknown key {ref!r}")
    for edition in authorities.editions.values():
        for ref in edition.compilers:
            if ref not in authorities.entities:
                raise AuthorityError(f"editions.toml [{edition.key}]: compilers names unknown key {ref!r}")
