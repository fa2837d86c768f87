"""SPARQL the pages use: read from ``server/queries/*.rq`` and run with bound IRI parameters.

pyoxigraph has no ``initBindings``, so parameters are written into ``VALUES`` blocks: a query file says
``VALUES ?this { $this }`` and :func:`bind` replaces ``$this`` with ``<iri>`` — only after :func:`check_iri`
accepted the IRI, and only for names the caller passed, so no request text ever becomes query syntax.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from server.pages.iris import check_iri

QUERY_DIR = Path(__file__).resolve().parent.parent / "queries"
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")


@dataclass(frozen=True)
class Term:
    """An RDF term as the templates see it: no engine objects leak into the pages."""

    kind: str  # "iri", "literal" or "bnode"
    value: str
    lang: str | None = None
    datatype: str | None = None

    @property
    def is_iri(self) -> bool:
        return self.kind == "iri"

    def __str__(self) -> str:
        return self.value


def term_of(node) -> Term | None:
    """Convert a pyoxigraph term (``None`` stays ``None``)."""
    if node is None:
        return None
    if isinstance(node, ox.NamedNode):
        return Term("iri", node.value)
    if isinstance(node, ox.BlankNode):
        return Term("bnode", node.value)
    if isinstance(node, ox.Literal):
        return Term("literal", node.value, node.language, node.datatype.value if node.datatype else None)
    return Term("literal", str(node))


@cache
def load(name: str) -> str:
    """The text of ``server/queries/{name}.rq``."""
    return (QUERY_DIR / f"{name}.rq").read_text(encoding="utf-8")


def bind(text: str, **params: str | Iterable[str]) -> str:
    """Write checked IRIs in place of ``$name`` placeholders.

    Each parameter is one IRI or an iterable of IRIs (written space-separated, for a ``VALUES`` block).
    Raises ``BadIri`` for an unsafe IRI and ``KeyError`` when a placeholder has no value or a value no
    placeholder, because a silently unbound parameter would turn a lookup into a scan of the whole store.
    """
    used = set(_PARAM.findall(text))
    if used != set(params):
        raise KeyError(f"parameters {sorted(params)} do not match placeholders {sorted(used)}")
    rendered = {}
    for name, value in params.items():
        iris = [value] if isinstance(value, str) else list(value)
        rendered[name] = " ".join(f"<{check_iri(iri)}>" for iri in iris)
    return _PARAM.sub(lambda m: rendered[m.group(1)], text)


def _run(store, sparql: str):
    return store.query(sparql)


def select(store, name: str, **params) -> list[dict[str, Term]]:
    """Run a SELECT file; rows as ``{variable: Term}`` without the unbound variables."""
    result = _run(store, bind(load(name), **params))
    names = [v.value for v in result.variables]
    rows = []
    for solution in result:
        row = {}
        for var in names:
            term = term_of(solution[var])
            if term is not None:
                row[var] = term
        rows.append(row)
    return rows


def ask(store, name: str, **params) -> bool:
    return bool(_run(store, bind(load(name), **params)))


def construct(store, name: str, **params) -> list[ox.Triple]:
    """Run a CONSTRUCT file; the triples as pyoxigraph objects, ready to serialise."""
    return list(_run(store, bind(load(name), **params)))
