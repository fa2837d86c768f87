"""The structured validation result: what pyshacl found, plus where in the sources it came from."""

from __future__ import annotations

from dataclasses import dataclass

from rdflib import URIRef
from rdflib.namespace import SH
from rdflib.term import Node

SEVERITY_WORDS = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


@dataclass(frozen=True)
class ValidationResult:
    """One ``sh:ValidationResult`` with its provenance.

    ``focus``, ``path``, ``component``, ``severity``, ``message``, ``shape``, ``value`` and ``constraint`` are the
    W3C report's fields (``path`` is the shapes graph's node; complex paths are blank nodes of the shapes graph).
    ``document`` is the letter the focus node belongs to, ``source_file`` and ``line`` where the statement was
    read, ``graph`` the named graph that holds it; all four are ``None`` when unknown (e.g. an authority record).
    """

    focus: Node
    path: Node | None
    component: URIRef
    severity: URIRef
    message: str
    shape: Node
    value: Node | None = None
    constraint: Node | None = None
    document: URIRef | None = None
    source_file: str | None = None
    line: int | None = None
    graph: URIRef | None = None

    @property
    def key(self) -> tuple:
        """What makes two results the same result, whichever batch found them (provenance excluded)."""
        return (self.focus, self.path, self.component, self.shape, self.value, self.constraint, self.message)

    @property
    def is_violation(self) -> bool:
        return self.severity == SH.Violation

    @property
    def severity_word(self) -> str:
        return SEVERITY_WORDS.get(self.severity, str(self.severity))
