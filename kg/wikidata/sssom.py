"""The reviewed mapping file: proposals and curator decisions in SSSOM TSV.

SSSOM (Simple Standard for Sharing Ontological Mappings) is read by mapping tools (sssom-py, OxO, BioPortal),
so our decisions are reusable beyond this project. One row per (entity, Wikidata item) pair:

- ``subject_id`` is our entity as a CURIE, ``kgid:person/stalin``; its local part is the entity's key and the
  path of its URI below ``{base}/id/``, so the file does not depend on the deployment's base URI;
- ``predicate_id`` is ``skos:exactMatch``; a rejected pair carries ``predicate_modifier`` ``Not`` (the SSSOM
  way of saying "this is *not* an exact match"), so a standard reader sees rejections as negated mappings;
- ``review_status`` (an extension column, declared in the header's ``extension_definitions``) is ``proposed``,
  ``accepted`` or ``rejected``. Only ``accepted`` rows are published; a ``rejected`` pair is never proposed
  again;
- ``object_id`` ``sssom:NoTermFound`` records a search that found no item to propose, with what was searched.

The YAML metadata header is written by this module in a fixed form (no YAML library needed); reading it only
takes the ``curie_map``.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, fields, replace
from pathlib import Path

from kg.files import atomic_write_text
from kg.wikidata.vocab import KINDS, qid_of

SUBJECT_PREFIX = "kgid"
NO_TERM_FOUND = "sssom:NoTermFound"
STATUSES = ("proposed", "accepted", "rejected")
CURATOR = "kg:curator"
LINKER = "kg:wikidata-linker"
TOOL = "kg link wikidata"
MANUAL = "semapv:ManualMappingCuration"
LEXICAL = "semapv:LexicalMatching"

CURIE_MAP = {
    "kgid": "https://kg.example.org/id/",
    "kg": "https://kg.example.org/agent/",
    "wd": "http://www.wikidata.org/entity/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "semapv": "https://w3id.org/semapv/vocab/",
    "sssom": "https://w3id.org/sssom/",
}

HEADER = """\
# curie_map:
{curie_map}
# mapping_set_id: https://kg.example.org/mappings/wikidata.sssom.tsv
# mapping_set_title: Links from the edition's persons, organisations, places and events to Wikidata
# mapping_set_description: Candidates proposed by `kg link wikidata` (semapv:LexicalMatching, evidence
#   in comment) and decisions recorded by `kg link review` or by a curator from public evidence
#   (semapv:ManualMappingCuration). Only rows whose review_status is accepted are published; a rejected pair
#   (predicate_modifier Not) is never proposed again. subject_id local parts are paths below {{base}}/id/.
# license: https://creativecommons.org/publicdomain/zero/1.0/
# mapping_provider: https://kg.example.org/
# object_source: http://www.wikidata.org/entity/
# subject_source: https://kg.example.org/id/
# extension_definitions:
#   - slot_name: review_status
#     property: https://kg.example.org/ontology#reviewStatus
#     type_hint: http://www.w3.org/2001/XMLSchema#string
"""

COLUMNS = ("subject_id", "subject_label", "predicate_id", "predicate_modifier", "object_id", "object_label",
           "mapping_justification", "confidence", "author_id", "reviewer_id", "mapping_date", "mapping_tool",
           "comment", "review_status")


class SSSOMError(ValueError):
    """The mapping file cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class Mapping:
    """One row of the mapping file."""

    subject_id: str
    object_id: str
    review_status: str = "proposed"
    subject_label: str = ""
    predicate_id: str = "skos:exactMatch"
    predicate_modifier: str = ""
    object_label: str = ""
    mapping_justification: str = LEXICAL
    confidence: str = ""
    author_id: str = LINKER
    reviewer_id: str = ""
    mapping_date: str = ""
    mapping_tool: str = ""
    comment: str = ""

    @property
    def key(self) -> str:
        """The entity's path below ``{base}/id/``: ``person/stalin``."""
        return subject_key(self.subject_id)

    @property
    def qid(self) -> str | None:
        return qid_of(self.object_id)

    @property
    def is_open(self) -> bool:
        """A proposal awaiting the curator (a 'no term found' note is not one)."""
        return self.review_status == "proposed" and self.qid is not None


def subject_curie(key: str) -> str:
    return f"{SUBJECT_PREFIX}:{key}"


def subject_key(subject_id: str) -> str:
    """``person/stalin`` from ``kgid:person/stalin`` or from a full IRI ending in ``/id/person/stalin``."""
    if subject_id.startswith(f"{SUBJECT_PREFIX}:"):
        return subject_id[len(SUBJECT_PREFIX) + 1:]
    match = re.search(r"/id/([a-z]+/.+)$", subject_id)
    if match:
        return match.group(1)
    raise SSSOMError(f"subject_id {subject_id!r} is neither {SUBJECT_PREFIX}:KIND/KEY "
                     "nor an IRI .../id/KIND/KEY")


def read_mappings(path: Path) -> list[Mapping]:
    """All rows of the mapping file (an absent file has none)."""
    if not path.exists():
        return []
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines()
    body_start = next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))
    body = io.StringIO("\n".join(lines[body_start:]))
    reader = csv.DictReader(body, delimiter="\t", quoting=csv.QUOTE_NONE)
    header = reader.fieldnames or []
    missing = {"subject_id", "object_id", "predicate_id", "mapping_justification"} - set(header)
    if missing:
        raise SSSOMError(f"{path}:{body_start + 1}: the column header lacks {', '.join(sorted(missing))}")
    known = {f.name for f in fields(Mapping)}
    rows = []
    for offset, raw in enumerate(reader, start=body_start + 2):
        values = {k: (v or "") for k, v in raw.items() if k in known}
        status = values.get("review_status") or _status_from_sssom(values)
        if status not in STATUSES:
            raise SSSOMError(f"{path}:{offset}: review_status {status!r} is not one of {', '.join(STATUSES)}")
        if not values.get("subject_id") or not values.get("object_id"):
            raise SSSOMError(f"{path}:{offset}: a row needs subject_id and object_id")
        values["review_status"] = status
        try:
            mapping = Mapping(**values)
            kind = mapping.key.split("/", 1)[0]
        except SSSOMError as exc:
            raise SSSOMError(f"{path}:{offset}: {exc}") from exc
        if kind not in KINDS:
            raise SSSOMError(f"{path}:{offset}: subject kind {kind!r} is not one of {', '.join(KINDS)}")
        if mapping.qid is None and mapping.object_id != NO_TERM_FOUND:
            raise SSSOMError(f"{path}:{offset}: object_id {mapping.object_id!r} is not a Wikidata item "
                             "(wd:Q…)")
        rows.append(mapping)
    return rows


def _status_from_sssom(values: dict[str, str]) -> str:
    """For files written by other SSSOM tools, without our extension column."""
    if values.get("predicate_modifier") == "Not":
        return "rejected"
    return "accepted" if values.get("mapping_justification") == MANUAL else "proposed"


def write_mappings(path: Path, mappings: Iterable[Mapping]) -> None:
    """Write the file atomically, rows sorted by subject then object, so diffs show only what changed."""
    out = io.StringIO()
    curie_map = "\n".join(f"#   {prefix}: {iri}" for prefix, iri in CURIE_MAP.items())
    out.write(HEADER.format(curie_map=curie_map))
    out.write("\t".join(COLUMNS) + "\n")
    for mapping in sorted(mappings, key=lambda m: (m.subject_id, _object_order(m.object_id))):
        out.write("\t".join(_clean(getattr(mapping, column)) for column in COLUMNS) + "\n")
    atomic_write_text(path, out.getvalue())


def _object_order(object_id: str) -> tuple[int, str]:
    qid = qid_of(object_id)
    return (int(qid[1:]), "") if qid else (0, object_id)


def _clean(value: str) -> str:
    """TSV cells hold no tabs or newlines: evidence text is flattened to one line."""
    return " ".join(str(value).split())


def accepted_links(mappings: Iterable[Mapping]) -> list[tuple[str, str]]:
    """``(key, qid)`` of every accepted row, sorted: what the build publishes."""
    return sorted({(m.key, m.qid) for m in mappings if m.review_status == "accepted" and m.qid})


def replace_row(mapping: Mapping, **changes: str) -> Mapping:
    return replace(mapping, **changes)
