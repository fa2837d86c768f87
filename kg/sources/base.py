"""Result and error types shared by every reader of sources (edition pages, CMIF files).

Kept apart from the readers so that a new reader (``kg/sources/cmif.py``) can raise the same errors without
importing the page reader.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kg.records import LetterRecord, SourceLocation


class SourceFormatError(Exception):
    """Raised by a reader for input that is not a source of its kind at all (not a page of the edition, not
    UTF-8, empty). ``line`` is 1-based, or None when the problem is the file as a whole."""

    def __init__(self, reason: str, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


@dataclass
class SourceError:
    """A file that could not be read, with the line where that applies.

    ``str()`` gives ``FILE:LINE: reason`` (``FILE: reason`` when no line applies)."""

    path: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.reason}"


@dataclass
class Duplicate:
    """The same document (heading + date + text) read twice; ``dropped`` was left out for ``kept``."""

    kept: SourceLocation
    dropped: SourceLocation
    kept_doc_no: str | None = None
    dropped_doc_no: str | None = None

    def __str__(self) -> str:
        return (f"{self.dropped.path}:{self.dropped.line}: duplicate of the document at "
                f"{self.kept.path}:{self.kept.line}, left out")


@dataclass
class Notice:
    """Something about a file as a whole that a reader should know but that is not an error
    (front matter skipped, no page header)."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.message}"


@dataclass
class ReadResult:
    """Everything one run over a list of sources produced: records, the files read, and the problems."""

    records: list[LetterRecord] = field(default_factory=list)
    read: list[Path] = field(default_factory=list)
    errors: list[SourceError] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    #: each file read → the SHA-256 of its bytes (hashed where it was read: in the worker, when there are workers)
    digests: dict[str, str] = field(default_factory=dict)
