"""read_sources over files and folders: errors name file and line, a run never stops at a bad file,
duplicates across pages are reported, and ``kg parse`` exits non-zero when any file could not be read."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from kg.sources import SourceError, read_sources

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
SEED = FIXTURES / "seed_no009.txt"


@pytest.fixture()
def bad_files(tmp_path: Path) -> dict[str, Path]:
    files = {
        "latin1": tmp_path / "latin1.txt",
        "empty": tmp_path / "empty.txt",
        "blank": tmp_path / "blank.txt",
        "prose": tmp_path / "prose.txt",
        "binary": tmp_path / "binary.txt",
    }
    files["latin1"].write_bytes(b"Marx-Engels | Lenin | Stalin | Home Page\nStalin - Lenin\nMay 5, 1920\ncaf\xe9\n")
    files["empty"].write_bytes(b"")
    files["blank"].write_text("  \n\n \n", encoding="utf-8")
    files["prose"].write_text("Shopping list\nmilk, bread\n", encoding="utf-8")
    files["binary"].write_bytes(b"\x00\x01\x02abc\n")
    return files


def test_error_str_is_file_colon_line_colon_reason():
    assert str(SourceError("a.txt", 4, "not UTF-8")) == "a.txt:4: not UTF-8"
    assert str(SourceError("a.txt", None, "empty file")) == "a.txt: empty file"


def test_not_utf8_names_the_file_and_the_line(bad_files):
    (err,) = read_sources([bad_files["latin1"]]).errors
    assert err.path == str(bad_files["latin1"]) and err.line == 4 and "UTF-8" in err.reason


@pytest.mark.parametrize("name", ["empty", "blank"])
def test_empty_file_is_an_error(bad_files, name):
    (err,) = read_sources([bad_files[name]]).errors
    assert err.path == str(bad_files[name]) and "empty" in err.reason


def test_file_that_is_not_a_page_of_the_edition_is_an_error(bad_files):
    (err,) = read_sources([bad_files["prose"]]).errors
    assert err.line == 1 and "not a page of the edition" in err.reason


def test_binary_file_is_an_error(bad_files):
    (err,) = read_sources([bad_files["binary"]]).errors
    assert err.line == 1 and "NUL" in err.reason


def test_missing_file_is_an_error(tmp_path):
    (err,) = read_sources([tmp_path / "nope.txt"]).errors
    assert err.line is None and "no such file" in err.reason


def test_run_continues_over_bad_files_and_says_which_were_read(bad_files, tmp_path):
    paths = [bad_files["latin1"], SEED, bad_files["prose"], tmp_path / "missing.txt", FIXTURES / "front_matter.txt"]
    result = read_sources(paths)
    assert result.read == [SEED, FIXTURES / "front_matter.txt"]
    assert [e.path for e in result.errors] == [str(bad_files["latin1"]), str(bad_files["prose"]),
                                               str(tmp_path / "missing.txt")]
    assert [r.doc_no for r in result.records] == ["9"]


def test_folder_expands_to_its_txt_and_xml_files_sorted(tmp_path):
    (tmp_path / "b.txt").write_text((FIXTURES / "no_heading.txt").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "a.txt").write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "notes.md").write_text("not a source", encoding="utf-8")
    result = read_sources([tmp_path])
    assert result.read == [tmp_path / "a.txt", tmp_path / "b.txt"]
    assert [r.doc_no for r in result.records] == ["9", "40"]


def test_empty_folder_is_reported(tmp_path):
    (err,) = read_sources([tmp_path]).errors
    assert "no .txt or .xml" in err.reason


def test_xml_goes_to_the_cmif_hook(tmp_path):
    import importlib.util

    xml = tmp_path / "letters.xml"
    xml.write_text("<TEI/>", encoding="utf-8")
    result = read_sources([xml])
    if importlib.util.find_spec("kg.sources.cmif") is None:
        (err,) = result.errors
        assert "CMIF" in err.reason
    else:  # the CMIF reader exists: the file went to it, not to the page reader
        assert not any("not a page of the edition" in e.reason for e in result.errors)


def test_same_document_on_two_pages_is_kept_once_and_reported(tmp_path):
    text = SEED.read_text(encoding="utf-8")
    with_no = tmp_path / "with-number.txt"
    without_no = tmp_path / "without-number.txt"
    without_no.write_text(text.replace("No. 9\n", ""), encoding="utf-8")
    with_no.write_text(text, encoding="utf-8")
    result = read_sources([without_no, with_no])
    (rec,) = result.records
    assert rec.doc_no == "9" and rec.source.path == str(with_no)
    (dup,) = result.duplicates
    assert dup.dropped.path == str(without_no) and dup.kept.path == str(with_no)
    assert any("also at" in w and str(without_no) in w for w in rec.warnings)


def test_dedupe_can_be_turned_off(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    b.write_text(SEED.read_text(encoding="utf-8"), encoding="utf-8")
    assert len(read_sources([a, b], dedupe=False).records) == 2
    assert len(read_sources([a, b]).records) == 1


def run_parse(*paths: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kg.cli", "parse", *map(str, paths)], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def test_kg_parse_reports_bad_files_and_exits_non_zero_but_prints_the_good_ones(bad_files):
    proc = run_parse(bad_files["latin1"], SEED, bad_files["empty"])
    assert proc.returncode == 1
    assert [obj["doc_no"] for obj in json.loads(proc.stdout)] == ["9"]
    assert f"error: {bad_files['latin1']}:4: not UTF-8" in proc.stderr
    assert f"error: {bad_files['empty']}: empty file" in proc.stderr
    assert f"files read: {SEED}" in proc.stderr


def test_kg_parse_front_matter_prints_an_empty_list_and_exits_zero():
    proc = run_parse(FIXTURES / "front_matter.txt")
    assert proc.returncode == 0 and json.loads(proc.stdout) == []


def test_kg_parse_page_with_several_documents_prints_several_objects():
    proc = run_parse(FIXTURES / "dates_and_times.txt")
    assert proc.returncode == 0 and len(json.loads(proc.stdout)) == 6


@pytest.mark.parametrize("workers", [1, 2])
def test_each_file_read_is_recorded_with_the_sha256_of_its_bytes(tmp_path, bad_files, workers):
    """The manifest names every source with its SHA-256; the readers hash what they read (in the worker when
    there are workers), and a file that could not be read gets none."""
    import hashlib
    import shutil

    for number in range(70):  # enough files for the worker processes to be used
        shutil.copy(SEED, tmp_path / f"page-{number:02d}.txt")
    (tmp_path / "page-07.txt").write_text(SEED.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    result = read_sources([tmp_path], workers=workers)
    assert len(result.read) == 70 and {Path(e.path).name for e in result.errors} == {p.name for p in bad_files.values()}
    assert result.digests == {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in result.read}
    assert result.digests[str(tmp_path / "page-07.txt")] != result.digests[str(tmp_path / "page-08.txt")]
