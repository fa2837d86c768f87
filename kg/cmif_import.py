"""``kg import cmif``: bring another edition's CMIF file into the corpus, with the entities it names.

The file is copied into the sources folder unchanged (it is the source; ``kg build`` reads it through
``kg.sources.cmif``). The persons, organisations and places it names become NEW entries of the authority files,
with the names as printed and the authority URIs of their ``@ref`` (``refs = [...]``), and each ``bibl`` an
edition in ``editions.toml``. Identity is a curator's decision, so nothing existing is ever changed:

- an entity whose authority URI is already an existing entry's ``refs`` is that entry (nothing added; a printed
  name the entry lacks is reported, so that the curator can add it);
- a name that is already a variant of an existing entry is reported and NOT added (the curator decides whether
  the two are one);
- a name without authority URI that does not start with a capital letter (``einen Freund``) is a description,
  not a name: reported and not added (the mapping keeps it as a party named as printed);
- everything else is appended as a new table with a stable key derived from its name (``sigmund-freud``,
  ``wien``), suffixed ``-2``, ``-3`` … only when the key is taken.

Files are rewritten atomically (temporary file + ``os.replace``) and only after the new authority set loads.
Importing the same file twice adds nothing the second time.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from kg.authorities import Authorities, AuthorityError, load_authorities, name_key
from kg.files import atomic_write_bytes, atomic_write_text
from kg.mapping.uris import slug
from kg.sources.cmif import CmifFile, CmifName, parse_cmif

KIND_FILES = {"person": "persons.toml", "organisation": "organisations.toml", "place": "places.toml"}
_YEAR = re.compile(r"(?<![\d-])(1[5-9]\d\d|20\d\d)(?![\d-])")


class CmifImportError(Exception):
    """The file cannot be imported as it stands (message names the file and the reason)."""


@dataclass
class NewEntity:
    kind: str
    key: str
    label: str
    names: list[str]
    refs: list[str]
    line: int

    @property
    def name_keys(self) -> set[str]:
        return {name_key(n) for n in self.names}


@dataclass
class ImportReport:
    """What an import did and what a curator should look at."""

    source: Path
    copied: bool
    added: list[NewEntity] = field(default_factory=list)
    editions: list[str] = field(default_factory=list)
    known: list[str] = field(default_factory=list)  # matched an existing entry by authority URI
    to_review: list[str] = field(default_factory=list)  # name collisions for the curator
    warnings: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"{'copied' if self.copied else 'already present, unchanged'}: {self.source}"]
        out += [f"added {e.kind} [{e.key}] {e.label!r}" + (f" refs {', '.join(e.refs)}" if e.refs else "")
                for e in self.added]
        out += [f"added edition [{key}]" for key in self.editions]
        out += [f"known: {line}" for line in self.known]
        out += [f"review: {line}" for line in self.to_review]
        out += [f"warning: {line}" for line in self.warnings]
        return out


def display_name(name: str, kind: str) -> str:
    """``Freud, Sigmund`` → ``Sigmund Freud`` for persons (CMIF prints sort forms); anything else as printed."""
    if kind == "person" and name.count(",") == 1:
        last, first = (part.strip() for part in name.split(","))
        if last and first:
            return f"{first} {last}"
    return name


def _group(cmif: CmifFile) -> list[tuple[str, list[CmifName]]]:
    """The distinct entities of the file, in order of first appearance: the same authority URI (or, without
    one, the same name) is one entity; its variants are kept."""
    groups: list[tuple[str, list[CmifName]]] = []
    by_ref: dict[tuple[str, str], int] = {}
    by_name: dict[tuple[str, str], int] = {}
    for letter in cmif.letters:
        for entry in letter.senders + letter.recipients + letter.places:
            kind = entry.kind
            index = next((by_ref[(kind, r)] for r in entry.refs if (kind, r) in by_ref), None)
            if index is None and not entry.refs:
                index = by_name.get((kind, name_key(entry.name)))
            if index is None:
                index = len(groups)
                groups.append((kind, []))
            groups[index][1].append(entry)
            for ref in entry.refs:
                by_ref.setdefault((kind, ref), index)
            by_name.setdefault((kind, name_key(entry.name)), index)
    return groups


def _unique(values: list[str]) -> list[str]:
    return list(dict.fromkeys(values))


def plan_entities(cmif: CmifFile, authorities: Authorities, report: ImportReport) -> list[NewEntity]:
    """New entries for the entities of the file; existing ones and name collisions go into the report."""
    taken = set(authorities.entities)
    by_ref = {(e.kind, ref): e for e in authorities for ref in e.refs}
    planned: list[NewEntity] = []
    for kind, entries in _group(cmif):
        names = _unique([e.name for e in entries])
        refs = _unique([r for e in entries for r in e.refs])
        line = entries[0].line
        existing = next((by_ref[(kind, r)] for r in refs if (kind, r) in by_ref), None)
        if existing is not None:
            missing = [n for n in names if existing not in authorities.candidates(n, (kind,))]
            note = f" (names not among its names: {', '.join(map(repr, missing))}; add them if they are the same " \
                   f"{kind})" if missing else ""
            report.known.append(f"line {line}: {names[0]!r} is [{existing.key}] by its authority record{note}")
            continue
        if not refs and not names[0][:1].isupper():
            report.to_review.append(f"line {line}: {names[0]!r} ({kind}) has no authority record and reads as a "
                                    "description, not a name; not added (the letters keep it as a named party)")
            continue
        label = display_name(names[0], kind)
        clashes = {n: [f"[{e.key}] ({e.kind})" for e in authorities.candidates(n)] +
                   [f"[{e.key}] ({e.kind}, from this file)" for e in planned if name_key(n) in e.name_keys]
                   for n in _unique([label, *names])}
        clashes = {n: found for n, found in clashes.items() if found}
        if clashes:
            for name, found in clashes.items():
                keys = ", ".join(found)
                report.to_review.append(
                    f"line {line}: {name!r} ({kind}{', ' + ' '.join(refs) if refs else ''}) is already a name of "
                    f"{keys}; not added: a curator decides whether they are the same (add refs to the entry) or "
                    "not (add a new entry with a distinguishing label)")
            continue
        base = slug(label)
        key, n = base, 1
        while key in taken:
            n += 1
            key = f"{base}-{n}"
        taken.add(key)
        planned.append(NewEntity(kind, key, label, _unique([label, *names]), refs, line))
    return planned


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _toml_list(values: list[str]) -> str:
    return "[" + ", ".join(_toml_string(v) for v in values) + "]"


def entity_table(entity: NewEntity, origin: str) -> str:
    lines = [f"[{entity.key}]", f"label = {_toml_string(entity.label)}", f"names = {_toml_list(entity.names)}"]
    if entity.refs:
        lines.append(f"refs = {_toml_list(entity.refs)}")
    note = f"Imported from the CMIF file {origin} (line {entity.line}); not yet reviewed."
    lines.append(f"note = {_toml_string(note)}")
    return "\n".join(lines) + "\n"


def _edition_year(text: str) -> str | None:
    years = set(_YEAR.findall(text))
    return years.pop() if len(years) == 1 else None


def plan_editions(cmif: CmifFile, file_name: str, authorities: Authorities) -> tuple[list[str], list[str]]:
    """(keys, TOML tables) of an edition per ``bibl``; a bibl already imported (same sources glob) is skipped."""
    keys, tables = [], []
    several = len(cmif.header.bibls) > 1
    stem = slug(Path(file_name).stem)
    existing = {glob for e in authorities.editions.values() for glob in e.sources}
    for i, bibl in enumerate(cmif.header.bibls, start=1):
        glob = f"{file_name}#{bibl.id}" if several and bibl.id else file_name
        if glob in existing:
            continue
        key = f"{stem}-{i}" if several else stem
        if key in authorities.editions or key in keys:
            raise CmifImportError(f"editions.toml already has an edition [{key}] for other sources; rename the file")
        note = [f"Imported from the CMIF file {file_name}"]
        if cmif.header.title:
            note.append(f"({cmif.header.title})")
        if cmif.header.publishers:
            note.append(f"published by {'; '.join(cmif.header.publishers)}")
        if cmif.header.licence_target or cmif.header.licence_text:
            note.append(f"under the licence {cmif.header.licence_target or cmif.header.licence_text}")
        lines = [f"[{key}]", f"title = {_toml_string(bibl.text or cmif.header.title or file_name)}"]
        year = _edition_year(bibl.text)
        if year:
            lines.append(f"year = {_toml_string(year)}")
        lines.append('language = "und"  # CMIF v1 does not say in which language the letters are written')
        lines.append("compilers = []  # named in the title; add person keys when they are curated")
        lines.append(f"sources = {_toml_list([glob])}")
        if cmif.header.idno:
            lines.append(f"url = {_toml_string(cmif.header.idno)}")
        lines.append(f"note = {_toml_string(' '.join(note) + '; bibl type ' + (bibl.type or 'not given') + '.')}")
        keys.append(key)
        tables.append("\n".join(lines) + "\n")
    return keys, tables


def _append(text: str, tables: list[str], origin: str) -> str:
    if not tables:
        return text
    head = text.rstrip("\n") + "\n\n" if text.strip() else ""
    return head + f"# --- imported from the CMIF file {origin} (kg import cmif); review before publishing\n\n" + \
        "\n".join(tables)


def _copy_source(source: Path, sources_dir: Path) -> tuple[Path, bool]:
    target = sources_dir / source.name
    if target.exists():
        if target.read_bytes() == source.read_bytes():
            return target, False
        raise CmifImportError(f"{target} exists with other content; not overwritten (rename the file to import)")
    atomic_write_bytes(target, source.read_bytes())
    return target, True


def import_cmif(source: Path, sources_dir: Path, authorities_dir: Path) -> ImportReport:
    """Copy ``source`` into ``sources_dir`` and add its entities and editions to ``authorities_dir``."""
    if source.suffix.lower() != ".xml":
        raise CmifImportError(f"{source}: a CMIF file must end in .xml (kg build reads .xml sources as CMIF)")
    cmif = parse_cmif(source)  # SourceFormatError for anything that is not CMIF
    try:
        authorities = load_authorities(authorities_dir)
    except AuthorityError as exc:
        raise CmifImportError(f"the authority files cannot be read: {exc}") from exc
    report = ImportReport(source=sources_dir / source.name, copied=False, warnings=list(cmif.warnings))
    planned = plan_entities(cmif, authorities, report)
    edition_keys, edition_tables = plan_editions(cmif, source.name, authorities)
    texts: dict[str, str] = {}
    for kind, file_name in KIND_FILES.items():
        tables = [entity_table(e, source.name) for e in planned if e.kind == kind]
        if tables:
            path = authorities_dir / file_name
            texts[file_name] = _append(path.read_text(encoding="utf-8") if path.exists() else "", tables,
                                       source.name)
    if edition_tables:
        path = authorities_dir / "editions.toml"
        texts["editions.toml"] = _append(path.read_text(encoding="utf-8") if path.exists() else "",
                                         edition_tables, source.name)
    with tempfile.TemporaryDirectory() as scratch:  # the new authority set must load before anything is written
        for existing in authorities_dir.glob("*.toml"):
            shutil.copy(existing, Path(scratch) / existing.name)
        for file_name, text in texts.items():
            (Path(scratch) / file_name).write_text(text, encoding="utf-8")
        try:
            load_authorities(scratch)
        except AuthorityError as exc:
            raise CmifImportError(f"the import would make the authority files invalid: {exc}; nothing written") \
                from exc
    report.source, report.copied = _copy_source(source, sources_dir)
    for file_name, text in texts.items():
        atomic_write_text(authorities_dir / file_name, text)
    report.added, report.editions = planned, edition_keys
    return report
