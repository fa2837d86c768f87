"""De-duplication of a corpus: the same document can sit on two pages (with and without its No.).

Identity is heading + date + text (the normalised body), never the number, since one copy may lack it. The
copy kept is the one that says more (has a number, is complete); the other is reported, not silently dropped.
"""

from __future__ import annotations

import re

from kg.records import LetterRecord, SourceLocation
from kg.sources.base import Duplicate

_SPACE_OR_DOT_RUN = re.compile(r"[\s.]+")
_SPACE_RUN = re.compile(r"\s+")


def document_key(rec: LetterRecord) -> tuple[str, str, str] | None:
    """Heading + date + text, case and spacing folded; None for a document with no text."""
    body = _SPACE_RUN.sub(" ", rec.body_normalised or rec.body).strip().lower()
    if not body:
        return None
    heading = _SPACE_OR_DOT_RUN.sub(" ", rec.heading or "").strip().lower()
    date = _SPACE_RUN.sub(" ", rec.date_text or "").strip().lower()
    return heading, date, body


def _score(rec: LetterRecord) -> tuple[int, int, int]:
    return (rec.doc_no is not None, rec.complete, len(rec.notes) + len(rec.archival_refs))


def deduplicate(records: list[LetterRecord]) -> tuple[list[LetterRecord], list[Duplicate]]:
    """Keep one record per document, in first-seen order, and list the duplicates left out.

    The kept record gets a warning naming where the other copy was, so the report travels with the data."""
    first: dict[tuple[str, str, str], int] = {}
    kept: list[LetterRecord | None] = []
    duplicates: list[Duplicate] = []
    for rec in records:
        key = document_key(rec)
        if key is None or key not in first:
            if key is not None:
                first[key] = len(kept)
            kept.append(rec)
            continue
        idx = first[key]
        old = kept[idx]
        assert old is not None
        better, worse = (rec, old) if _score(rec) > _score(old) else (old, rec)
        kept[idx] = better
        loc_b = better.source or SourceLocation("?", 0)
        loc_w = worse.source or SourceLocation("?", 0)
        duplicates.append(Duplicate(kept=loc_b, dropped=loc_w, kept_doc_no=better.doc_no,
                                    dropped_doc_no=worse.doc_no))
        better.warnings.append(f"the same document (heading, date and text) is also at "
                               f"{loc_w.path}:{loc_w.line}; that copy was left out")
        better.warnings.extend(w for w in worse.warnings if w.startswith("the same document"))
    return [r for r in kept if r is not None], duplicates
