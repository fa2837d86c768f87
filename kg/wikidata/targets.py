"""The entities to link, read from the authority files.

The authority files are the contract (``data/authorities/{persons,organisations,places,events}.toml``, one
table per entity keyed by its stable key, with ``label``, ``names`` and, for persons, ``born``/``died``), so
this module reads them with the standard library rather than depending on how another module represents them.
``label_ru`` is searched as a Russian label. Organisations of ``type = "archive"`` are linked under the kind
``archive`` (their URIs are ``{base}/id/archive/{key}``). For places, the labels of the places they fall
within (``part_of``, followed upwards) are compared with the candidate's country (Wikidata P17); an explicit
``country = "Ukraine"`` (or ``countries = [...]``) is a firmer constraint: a different country counts against.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.wikidata.vocab import KIND_FILES


@dataclass(frozen=True)
class LinkTarget:
    """One entity of ours that may have a Wikidata item."""

    kind: str
    key: str
    label: str
    names: tuple[str, ...] = ()
    label_ru: str = ""
    born: int | None = None
    died: int | None = None
    countries: tuple[str, ...] = ()
    within: tuple[str, ...] = ()

    @property
    def path(self) -> str:
        """``person/stalin``: the entity's URI path below ``{base}/id/`` and its SSSOM subject key."""
        return f"{self.kind}/{self.key}"

    def search_names(self) -> list[str]:
        """Label and variants as Wikidata could spell them: editorial brackets resolved, duplicates dropped.

        ``Kal[edi]n`` (letters supplied by the editors) becomes ``Kaledin``; ``T[ovari]`` style abbreviations
        are not names and stay as they are.
        """
        names: list[str] = []
        for raw in (self.label, self.label_ru, *self.names):
            name = " ".join(re.sub(r"[\[\]]", "", raw).split())
            if name and name not in names:
                names.append(name)
        return names


def read_targets(authorities_dir: Path) -> list[LinkTarget]:
    """Every entity of every kind in the folder, in a stable order (kind, then key)."""
    targets: list[LinkTarget] = []
    for kind, filename in KIND_FILES.items():
        path = authorities_dir / filename
        if not path.exists():
            continue
        with path.open("rb") as handle:
            try:
                tables = tomllib.load(handle)
            except tomllib.TOMLDecodeError as exc:
                raise ValueError(f"{path}: {exc}") from exc
        entries = {key: table for key, table in tables.items() if isinstance(table, dict)}
        for key, table in sorted(entries.items()):
            targets.append(_target(kind, key, table, _ancestors(key, entries) if kind == "place" else ()))
    return targets


def _ancestors(key: str, places: dict[str, dict[str, Any]]) -> tuple[str, ...]:
    """Labels of the places ``key`` falls within, nearest first (``part_of`` followed upwards, cycles cut)."""
    labels: list[str] = []
    seen = {key}
    parent = places.get(key, {}).get("part_of")
    while isinstance(parent, str) and parent in places and parent not in seen:
        seen.add(parent)
        labels.append(str(places[parent].get("label") or parent))
        parent = places[parent].get("part_of")
    return tuple(labels)


def _target(kind: str, key: str, table: dict[str, Any], within: tuple[str, ...] = ()) -> LinkTarget:
    names = table.get("names") or []
    countries = table.get("countries") or ([table["country"]] if table.get("country") else [])
    if kind == "org" and table.get("type") == "archive":
        kind = "archive"
    return LinkTarget(kind=kind, key=key, label=str(table.get("label") or key),
                      names=tuple(str(n) for n in names), label_ru=str(table.get("label_ru") or ""),
                      born=_year(table.get("born")), died=_year(table.get("died")),
                      countries=tuple(str(c) for c in countries), within=within)


def _year(value: Any) -> int | None:
    """The year of ``1878``, ``"1878-12-18"``, a TOML date, or ``"c. 1883"``; None when there is none."""
    if value is None:
        return None
    if hasattr(value, "year"):
        return int(value.year)
    match = re.search(r"-?\d{3,4}", str(value))
    return int(match.group(0)) if match else None
