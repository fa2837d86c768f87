"""What an editor and a machine get from ``kg validate``: the report grouped by source file and letter, with the
line to fix, exit status 1 on a violation, and the W3C validation report graph with ``--format ttl``."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner
from rdflib import Graph, Literal
from rdflib.namespace import RDF, SH

from kg.cli import main
from kg.validate import load_shapes

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "data" / "sources" / "bl1996-no009-stalin-to-lenin-1917-12-27.txt"


def broken_sources(tmp_path: Path) -> Path:
    """The seed page with its archival line broken: no opis, and leaves 7-3."""
    for folder in ("authorities", "mappings"):
        shutil.copytree(ROOT / "data" / folder, tmp_path / folder)
    (tmp_path / "sources").mkdir()
    text = SEED.read_text(encoding="utf-8").replace("RTSKHIDNI. F. 558. On. 1. D. 5397. L. 2. Autograph.",
                                                     "RTSKHIDNI. F. 558. D. 5397. L. 7-3. Autograph.")
    (tmp_path / "sources" / "bl1996-no009-broken.txt").write_text(text, encoding="utf-8")
    return tmp_path / "sources"


def test_kg_validate_tells_the_editor_file_line_and_what_to_fix_and_exits_1(tmp_path):
    result = CliRunner().invoke(main, ["validate", str(broken_sources(tmp_path))])
    assert result.exit_code == 1, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("SHACL validation: 2 violations, 1 warning in 1 source file")
    assert "bl1996-no009-broken.txt" in lines
    assert "  letter <https://kg.example.org/id/letter/bl1996-009>" in lines
    assert "    line 19: <https://kg.example.org/id/letter/bl1996-009>" in lines  # the archival line
    assert any("The folio range runs backwards" in line for line in lines)
    assert any("must name archive, fond, opis and delo" in line for line in lines)
    assert any(line.startswith("    line 21: ") for line in lines)  # note 1, whose marker the page lost


def test_kg_validate_format_ttl_gives_the_w3c_validation_report(tmp_path):
    result = CliRunner().invoke(main, ["validate", "--format", "ttl", str(broken_sources(tmp_path))])
    assert result.exit_code == 1
    report = Graph().parse(data=result.output, format="turtle")
    node = next(report.subjects(RDF.type, SH.ValidationReport))
    assert report.value(node, SH.conforms) == Literal(False)
    severities = sorted(str(report.value(r, SH.resultSeverity)) for r in report.objects(node, SH.result))
    assert severities == [str(SH.Violation), str(SH.Violation), str(SH.Warning)]


def test_kg_validate_accepts_the_seed_with_exit_0():
    result = CliRunner().invoke(main, ["validate", str(SEED.parent)])
    assert result.exit_code == 0, result.output
    assert "0 violation" not in result.output and "1 warning" in result.output


def test_every_constraint_speaks_to_the_editor():
    """Every property shape, every SPARQL constraint and every targeted node shape with constraints of its own
    (closed, class, or, xone) has an sh:message (the branches inside an sh:or/sh:xone report through it)."""
    shapes = load_shapes()
    inside = {node for lst in shapes.objects(None, SH["or"]) for node in shapes.items(lst)}
    inside |= {node for lst in shapes.objects(None, SH.xone) for node in shapes.items(lst)}
    inside |= set(shapes.objects(None, SH["not"])) | set(shapes.objects(None, SH.qualifiedValueShape))
    missing = [s for s in set(shapes.subjects(SH.path, None))
               if shapes.value(s, SH.message) is None and s not in inside]
    targeted = {s for p in (SH.targetClass, SH.targetSubjectsOf, SH.targetNode) for s in shapes.subjects(p, None)}
    for shape in targeted:
        own = any(shapes.value(shape, p) is not None for p in (SH["class"], SH["or"], SH.xone, SH.closed))
        if own and shapes.value(shape, SH.message) is None:
            missing.append(shape)
    for constraint in shapes.objects(None, SH.sparql):
        if shapes.value(constraint, SH.message) is None:
            missing.append(constraint)
    assert not missing, missing


def test_shapes_never_target_objects_so_batches_stay_exact():
    assert not list(load_shapes().subject_objects(SH.targetObjectsOf))
