"""A local answer cache, so that a rerun sends nothing it already asked.

Answers are cached per endpoint and per *question* (one name of one kind of entity, or one item's facts), not
per HTTP request: batches change as entities are added, questions do not. An empty answer is cached too — "no
Wikidata item is labelled 'Kal[edi]n'" is an answer worth keeping.

Decision: the cache is **not** committed. It lives in ``.cache/wikidata/`` (ignored by a ``.gitignore`` it
writes into its own folder). What the build needs from Wikidata is committed in reviewed form instead: the
decisions (``data/mappings/wikidata.sssom.tsv``) and the fetched facts (``data/mappings/wikidata-
enrichment.ttl``). Raw endpoint answers go stale and would only add noise to reviews of the mapping file.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kg.files import atomic_write_text


class AnswerCache:
    """Answers of one endpoint, kept in one JSON file and saved atomically after every batch."""

    def __init__(self, folder: Path, endpoint: str) -> None:
        self.folder = folder
        self.endpoint = endpoint
        slug = hashlib.sha256(endpoint.encode("utf-8")).hexdigest()[:16]
        self.path = folder / f"{slug}.json"
        self._entries: dict[str, dict[str, Any]] = {}
        if self.path.exists():
            try:
                data = json.loads(self.path.read_text(encoding="utf-8"))
            except (OSError, json.JSONDecodeError):
                data = {}  # a damaged cache is only a cache: start again rather than fail the run
            if data.get("endpoint") == endpoint:
                self._entries = dict(data.get("answers", {}))

    def __contains__(self, question: str) -> bool:
        return question in self._entries

    def get(self, question: str) -> list[dict[str, Any]] | None:
        entry = self._entries.get(question)
        return None if entry is None else entry["rows"]

    def asked_at(self, question: str) -> str | None:
        entry = self._entries.get(question)
        return None if entry is None else entry["asked"]

    def put_many(self, answers: dict[str, list[dict[str, Any]]], asked: str | None = None) -> None:
        """Record the answers to several questions asked at once, and save."""
        when = asked or now_iso()
        for question, rows in answers.items():
            self._entries[question] = {"asked": when, "rows": rows}
        self.save()

    def forget(self, questions: Iterable[str]) -> None:
        """Drop answers so they are asked again (``--refresh``)."""
        for q in list(questions):
            self._entries.pop(q, None)

    def save(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        ignore = self.folder / ".gitignore"
        if not ignore.exists():
            atomic_write_text(ignore, "# Raw SPARQL answers: a local cache, never committed.\n*\n")
        payload = {"endpoint": self.endpoint, "answers": dict(sorted(self._entries.items()))}
        atomic_write_text(self.path, json.dumps(payload, ensure_ascii=False, indent=1) + "\n")


def now_iso() -> str:
    """The current UTC time to the second, as ``xsd:dateTime`` text."""
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
