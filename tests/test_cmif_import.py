"""``kg import cmif``: a real CMIF file into a temporary copy of data/, then ``kg build`` passes the shapes.

Never the real data/ folder: every test works on its own copy.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from kg.authorities import load_authorities
from kg.build import run_build
from kg.cmif_import import CmifImportError, import_cmif
from kg.store import open_build_store

ROOT = Path(__file__).resolve().parent.parent
CMIF = ROOT / "tests" / "fixtures" / "cmif"
FREUD = CMIF / "schnitzler-1955_Freud_an_Schnitzler.xml"
RILKE = CMIF / "schnitzler-1958_Rilke_Schnitzler.xml"
SPENER = CMIF / "spener-letters-excerpt.xml"
BASE = "https://kg.example.org"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """A copy of the project's data/ (sources, authorities, mappings)."""
    shutil.copytree(ROOT / "data", tmp_path / "data")
    return tmp_path / "data"


def _kg(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def test_import_then_build_publishes_the_ten_freud_letters_valid_against_the_shapes(corpus: Path) -> None:
    before = {p.name: p.read_text(encoding="utf-8") for p in (corpus / "authorities").glob("*.toml")}
    done = _kg("import", "cmif", str(FREUD), "--sources", str(corpus / "sources"), cwd=corpus.parent)
    assert done.returncode == 0, done.stderr
    assert "added person [sigmund-freud] 'Sigmund Freud' refs https://d-nb.info/gnd/118535315" in done.stdout
    assert "added place [wien] 'Wien'" in done.stdout
    assert "added edition [schnitzler-1955-freud-an-schnitzler]" in done.stdout
    assert (corpus / "sources" / FREUD.name).read_bytes() == FREUD.read_bytes()
    for name, text in before.items():  # existing entries untouched: the old text is a prefix of the new
        assert (corpus / "authorities" / name).read_text(encoding="utf-8").startswith(text.rstrip("\n"))
    persons = tomllib.loads((corpus / "authorities" / "persons.toml").read_text(encoding="utf-8"))
    assert persons["sigmund-freud"]["names"] == ["Sigmund Freud", "Freud, Sigmund"]
    assert persons["sigmund-freud"]["refs"] == ["https://d-nb.info/gnd/118535315"]

    release = run_build(corpus / "sources", corpus.parent / "build", BASE, quiet=True)
    assert release.is_dir()
    store = open_build_store(corpus.parent / "build")
    rows = list(store.query("""
        PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/> PREFIX kgo: <https://kg.example.org/ontology#>
        SELECT ?sending ?begin ?place WHERE {
          ?sending crm:P14_carried_out_by <https://kg.example.org/id/person/sigmund-freud> ;
                   kgo:hadAddressee <https://kg.example.org/id/person/arthur-schnitzler> ;
                   crm:P7_took_place_at ?place ; crm:P4_has_time-span/crm:P82a_begin_of_the_begin ?begin . }
        ORDER BY ?begin"""))
    assert len(rows) == 10
    assert rows[0]["begin"].value == "1906-05-08T00:00:00"
    assert {r["place"].value for r in rows} == {f"{BASE}/id/place/wien"}
    gnd = list(store.query("""
        PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>
        SELECT ?value WHERE { <https://kg.example.org/id/person/sigmund-freud> crm:P1_is_identified_by ?id .
                              ?id crm:P190_has_symbolic_content ?value }"""))
    assert [r["value"].value for r in gnd] == ["https://d-nb.info/gnd/118535315"]
    # an authority record is an identifier, not an identity link (only accepted Wikidata links are owl:sameAs)
    assert not bool(store.query("ASK { <https://kg.example.org/id/person/sigmund-freud> "
                                "<http://www.w3.org/2002/07/owl#sameAs> ?x }"))


def test_importing_the_same_file_twice_adds_nothing_the_second_time(corpus: Path) -> None:
    import_cmif(FREUD, corpus / "sources", corpus / "authorities")
    after_first = {p.name: p.read_bytes() for p in (corpus / "authorities").glob("*.toml")}
    again = import_cmif(FREUD, corpus / "sources", corpus / "authorities")
    assert not again.copied and again.added == [] and again.editions == []
    assert {p.name: p.read_bytes() for p in (corpus / "authorities").glob("*.toml")} == after_first
    assert any("'Freud, Sigmund' is [sigmund-freud] by its authority record" in line for line in again.known)


def test_a_second_file_reuses_entities_by_authority_uri_and_adds_only_new_ones(corpus: Path) -> None:
    import_cmif(FREUD, corpus / "sources", corpus / "authorities")
    report = import_cmif(RILKE, corpus / "sources", corpus / "authorities")
    assert [e.key for e in report.added if e.kind == "person"] == ["rainer-maria-rilke"]
    assert "arthur-schnitzler" not in [e.key for e in report.added]
    assert any("licenses/by/null" in w for w in report.warnings)
    places = tomllib.loads((corpus / "authorities" / "places.toml").read_text(encoding="utf-8"))
    assert places["westerwede-bei-worpswede"]["names"] == [
        "Westerwede bei Worpswede", "Westerwede bei Bremen", "Westerwede"]
    run_build(corpus / "sources", corpus.parent / "build", BASE, quiet=True)


def test_a_name_already_curated_is_reported_for_the_curator_and_not_added(corpus: Path) -> None:
    persons = corpus / "authorities" / "persons.toml"
    persons.write_text(persons.read_text(encoding="utf-8") +
                       '\n[freud]\nlabel = "Sigmund Freud"\nnames = ["Freud"]\n', encoding="utf-8")
    report = import_cmif(FREUD, corpus / "sources", corpus / "authorities")
    assert "sigmund-freud" not in [e.key for e in report.added]
    assert any("'Sigmund Freud'" in line and "[freud] (person)" in line for line in report.to_review)
    table = tomllib.loads(persons.read_text(encoding="utf-8"))["freud"]
    assert table == {"label": "Sigmund Freud", "names": ["Freud"]}  # not changed, no refs added


def test_each_bibl_becomes_an_edition_and_letters_go_to_their_own(corpus: Path) -> None:
    report = import_cmif(SPENER, corpus / "sources", corpus / "authorities")
    assert report.editions == ["spener-letters-excerpt-1", "spener-letters-excerpt-2"]
    assert any("'einen Freund'" in line and "not added" in line for line in report.to_review)
    editions = load_authorities(corpus / "authorities").editions
    assert editions["spener-letters-excerpt-1"].sources == (
        "spener-letters-excerpt.xml#dd7ea388-2525-4fad-adff-bf0204346779",)
    assert editions["spener-letters-excerpt-1"].year is None  # "1666 – 1674 … 1992": no single year to take
    run_build(corpus / "sources", corpus.parent / "build", BASE, quiet=True)
    store = open_build_store(corpus.parent / "build")
    rows = store.query("""
        PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/>
        SELECT ?text ?edition WHERE { ?text crm:P165i_is_incorporated_in ?edition .
          FILTER(CONTAINS(STR(?text), "spener") && STRENDS(STR(?text), "/text")) } ORDER BY ?text""")
    found = {r["text"].value.split("/")[-2]: r["edition"].value.rsplit("/", 1)[-1] for r in rows}
    assert found == {"spener-letters-excerpt-1-001": "spener-letters-excerpt-1",
                     "spener-letters-excerpt-1-002": "spener-letters-excerpt-1",
                     "spener-letters-excerpt-2-001": "spener-letters-excerpt-2"}


def test_a_different_file_of_the_same_name_is_never_overwritten(corpus: Path, tmp_path: Path) -> None:
    other = tmp_path / "other" / FREUD.name
    other.parent.mkdir()
    other.write_bytes(RILKE.read_bytes())
    import_cmif(FREUD, corpus / "sources", corpus / "authorities")
    with pytest.raises(CmifImportError, match="exists with other content"):
        import_cmif(other, corpus / "sources", corpus / "authorities")
    assert (corpus / "sources" / FREUD.name).read_bytes() == FREUD.read_bytes()


def test_a_file_that_is_not_cmif_is_refused_with_its_line_and_nothing_is_written(corpus: Path,
                                                                                 tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text("<TEI xmlns='http://www.tei-c.org/ns/1.0'>\n<teiHeader/>\n</TEI>\n", encoding="utf-8")
    before = sorted(p.name for p in (corpus / "sources").iterdir())
    done = _kg("import", "cmif", str(bad), "--sources", str(corpus / "sources"), cwd=corpus.parent)
    assert done.returncode == 1 and f"{bad}:1: a TEI file without correspDesc" in done.stderr
    assert sorted(p.name for p in (corpus / "sources").iterdir()) == before
