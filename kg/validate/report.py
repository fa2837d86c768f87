"""The outcome of a validation: a report an editor can act on, and the W3C validation report graph.

The text groups results by source file, then letter, then the resource at fault, and says at which line of the
file the statement was read; the editor's message written in the shape comes first, the technical detail
(property, offending value, rule) after it, for whoever maintains the mapping.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH
from rdflib.term import Node

from kg.validate.engine import path_text
from kg.validate.results import ValidationResult

SHARED_HEADING = "Shared resources (authorities, archive units, edition, ontology, Wikidata links)"


@dataclass
class ValidationOutcome:
    """All results of one validation; ``conforms`` is false when any result is a ``sh:Violation``.

    Warnings (``sh:Warning``) and infos are reported but do not stop a build, as pyshacl's ``allow_warnings``.
    """

    results: list[ValidationResult]
    shapes: Graph
    stats: dict = field(default_factory=dict)

    @property
    def conforms(self) -> bool:
        return not any(r.is_violation for r in self.results)

    @property
    def violations(self) -> list[ValidationResult]:
        return [r for r in self.results if r.is_violation]

    def keys(self) -> set[tuple]:
        """``(focus, path, constraint component)`` of every result: what tests compare."""
        return {(r.focus, r.path, r.component) for r in self.results}

    # ----------------------------------------------------------------------------------------------- text
    def report_text(self) -> str:
        counts = defaultdict(int)
        for result in self.results:
            counts[result.severity_word] += 1
        files = {r.source_file for r in self.results if r.source_file is not None}
        head = _summary(counts, len(files), self.stats)
        if not self.results:
            return head + "\nThe graph conforms to the shapes: nothing to fix.\n"
        lines = [head, ""]
        groups: dict[tuple, list[ValidationResult]] = defaultdict(list)
        for result in self.results:
            source = result.source_file
            groups[(source is None, source or "", str(result.document or ""))].append(result)
        last_source = None
        for (shared, source, document), results in sorted(groups.items()):
            heading = SHARED_HEADING if shared else source
            if heading != last_source:
                if last_source is not None:
                    lines.append("")
                lines.append(heading)
                last_source = heading
            if document:
                lines.append(f"  letter <{document}>")
            indent = "    " if document else "  "
            by_focus: dict[Node, list[ValidationResult]] = defaultdict(list)
            for result in results:
                by_focus[result.focus].append(result)
            for focus, focus_results in sorted(by_focus.items(), key=lambda kv: (kv[1][0].line or 0, str(kv[0]))):
                where = f"line {focus_results[0].line}: " if focus_results[0].line else ""
                lines.append(f"{indent}{where}{self._node(focus)}")
                for result in focus_results:
                    lines.append(f"{indent}  {result.severity_word}: {result.message or '(no message)'}")
                    lines.append(f"{indent}    {self._detail(result)}")
        return "\n".join(lines) + "\n"

    def _node(self, node: Node | None) -> str:
        if node is None:
            return "-"
        if isinstance(node, URIRef):
            return f"<{node}>"
        if isinstance(node, BNode):
            return "[a blank node]"
        return _literal(node)

    def _name(self, node: Node) -> str:
        try:
            return self.shapes.namespace_manager.normalizeUri(node) if isinstance(node, URIRef) else str(node)
        except Exception:  # noqa: BLE001 - any IRI rdflib cannot abbreviate is printed in full
            return f"<{node}>"

    def _detail(self, result: ValidationResult) -> str:
        parts = []
        if result.path is not None:
            text = self._name(result.path) if isinstance(result.path, URIRef) else path_text(self.shapes, result.path)
            parts.append(f"property {text}")
        if result.value is not None:
            value = _literal(result.value) if isinstance(result.value, Literal) else self._node(result.value)
            parts.append(f"value {value}")
        component = str(result.component).rsplit("#", 1)[-1].removesuffix("ConstraintComponent")
        parts.append(f"rule {self._shape_name(result.shape)} ({component})")
        return "; ".join(parts)

    def _shape_name(self, shape: Node) -> str:
        """A named shape by its name; a blank property shape by the node shape it belongs to."""
        if isinstance(shape, BNode):
            parent = next(iter(self.shapes.subjects(SH.property, shape)), None)
            if parent is not None and not isinstance(parent, BNode):
                return f"{self._name(parent)} (property)"
            return "an inline shape"
        return self._name(shape)

    # ---------------------------------------------------------------------------------------------- graph
    def report_graph(self) -> Graph:
        """The W3C SHACL validation report (``sh:ValidationReport``) of the whole corpus."""
        graph = Graph()
        for prefix, namespace in self.shapes.namespace_manager.namespaces():
            graph.bind(prefix, namespace)
        graph.bind("sh", SH)
        report = BNode("report")
        graph.add((report, RDF.type, SH.ValidationReport))
        graph.add((report, SH.conforms, Literal(self.conforms)))
        copied: set[Node] = set()
        for n, result in enumerate(self.results):
            node = BNode(f"result{n}")
            graph.add((report, SH.result, node))
            graph.add((node, RDF.type, SH.ValidationResult))
            graph.add((node, SH.focusNode, result.focus))
            graph.add((node, SH.resultSeverity, result.severity))
            graph.add((node, SH.sourceConstraintComponent, result.component))
            graph.add((node, SH.sourceShape, result.shape))
            if result.message:
                graph.add((node, SH.resultMessage, Literal(result.message)))
            if result.value is not None:
                graph.add((node, SH.value, result.value))
            if result.constraint is not None:
                graph.add((node, SH.sourceConstraint, result.constraint))
            if result.path is not None:
                graph.add((node, SH.resultPath, result.path))
                self._copy_path(graph, result.path, copied)
        return graph

    def _copy_path(self, graph: Graph, path: Node, copied: set[Node]) -> None:
        """Copy a complex path (blank nodes of the shapes graph) so that the report graph stands on its own."""
        stack = [path]
        while stack:
            node = stack.pop()
            if not isinstance(node, BNode) or node in copied:
                continue
            copied.add(node)
            for p, o in self.shapes.predicate_objects(node):
                graph.add((node, p, o))
                stack.append(o)


def _literal(value: Node) -> str:
    text = str(value)
    if len(text) > 80:
        text = text[:77] + "..."
    return f'"{text}"'


def _summary(counts: dict[str, int], files: int, stats: dict) -> str:
    if counts:
        found = ", ".join(f"{n} {word.lower()}{'s' if n != 1 else ''}" for word, n in sorted(counts.items()))
    else:
        found = "no violations"
    where = f" in {files} source file{'s' if files != 1 else ''}" if files else ""
    scope = ""
    if stats.get("documents") is not None:
        scope = (f" ({stats['documents']} letter{'s' if stats['documents'] != 1 else ''} from "
                 f"{stats.get('source_graphs', 0)} source graph(s), {stats.get('batches', 0)} batch(es) "
                 f"on {stats.get('workers', 1)} worker(s))")
    return f"SHACL validation: {found}{where}{scope}."
