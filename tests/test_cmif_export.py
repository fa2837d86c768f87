"""``kg export cmif``: the seed build as CMIF v1, checked against the CMIF documentation, and round trips.

Structure is checked with the standard library's ElementTree (not the exporter's own code) against the rules of
github.com/TEI-Correspondence-SIG/CMIF doc/documentation-en.md and odd/cmif.sch: mandatory header elements, a
sent and a received correspAction in every correspDesc, @source pointing at a bibl/@xml:id, every date with a
dating attribute in YYYY[-MM[-DD]].
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from kg.build import run_build
from kg.cmif_import import import_cmif
from kg.sources.cmif import parse_cmif, read_cmif
from kg.store import open_build_store

ROOT = Path(__file__).resolve().parent.parent
FREUD = ROOT / "tests" / "fixtures" / "cmif" / "schnitzler-1955_Freud_an_Schnitzler.xml"
BASE = "https://kg.example.org"
NS = {"tei": "http://www.tei-c.org/ns/1.0"}
XML_ID = "{http://www.w3.org/XML/1998/namespace}id"
ISO = re.compile(r"\d{4}(-\d{2}(-\d{2})?)?")


def _kg(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "kg.cli", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def cmif_problems(data: bytes) -> list[str]:
    """Everything the CMIF documentation makes mandatory that ``data`` lacks."""
    root = ET.fromstring(data)
    problems = []
    if root.tag != "{http://www.tei-c.org/ns/1.0}TEI":
        return ["root is not tei:TEI"]
    header = "tei:teiHeader/tei:fileDesc/"
    required = [header + p for p in ("tei:titleStmt/tei:title", "tei:titleStmt/tei:editor",
                                     "tei:publicationStmt/tei:publisher", "tei:publicationStmt/tei:idno",
                                     "tei:publicationStmt/tei:availability/tei:licence", "tei:sourceDesc/tei:bibl")]
    required.append("tei:teiHeader/tei:profileDesc/tei:correspDesc")
    for path in required:
        found = root.find(path, NS)
        if found is None or (path.endswith(("title", "publisher", "idno", "bibl")) and
                             not "".join(found.itertext()).strip()):
            problems.append(f"missing {path}")
    idno = root.find("tei:teiHeader/tei:fileDesc/tei:publicationStmt/tei:idno", NS)
    if idno is not None and (idno.get("type") or "").lower() != "url":
        problems.append("idno/@type must be URL")
    licence = root.find(".//tei:availability/tei:licence", NS)
    if licence is not None and licence.get("target") != "https://creativecommons.org/licenses/by/4.0/":
        problems.append("licence/@target must be the CC BY 4.0 URL")
    bibl_ids = set()
    for bibl in root.iterfind(".//tei:sourceDesc/tei:bibl", NS):
        if bibl.get("type") not in ("print", "online", "hybrid"):
            problems.append(f"bibl/@type {bibl.get('type')!r}")
        bibl_ids.add(bibl.get(XML_ID))
    for desc in root.iterfind(".//tei:profileDesc/tei:correspDesc", NS):
        types = [a.get("type") for a in desc.iterfind("tei:correspAction", NS)]
        if "sent" not in types or "received" not in types:
            problems.append(f"correspDesc {desc.get('key')}: needs a sent and a received correspAction")
        if desc.get("source") and desc.get("source").removeprefix("#") not in bibl_ids:
            problems.append(f"correspDesc {desc.get('key')}: @source names no bibl")
        for action in desc.iterfind("tei:correspAction", NS):
            if action.find("tei:persName", NS) is None and action.find("tei:orgName", NS) is None:
                problems.append(f"correspDesc {desc.get('key')}: {action.get('type')} without persName/orgName")
            for date in action.iterfind("tei:date", NS):
                attrs = {k: v for k, v in date.attrib.items() if k in ("when", "from", "to", "notBefore", "notAfter")}
                if not attrs or not all(ISO.fullmatch(v) for v in attrs.values()):
                    problems.append(f"correspDesc {desc.get('key')}: date {date.attrib}")
    return problems


@pytest.fixture(scope="module")
def seed_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("seed")
    shutil.copytree(ROOT / "data", work / "data")
    run_build(work / "data" / "sources", work / "build", BASE, quiet=True)
    return work


def test_seed_export_holds_no_9_stalin_to_lenin_on_the_gregorian_date(seed_build: Path) -> None:
    out = seed_build / "seed-cmif.xml"
    done = _kg("export", "cmif", "--build", str(seed_build / "build"), "--out", str(out), cwd=seed_build)
    assert done.returncode == 0, done.stderr
    root = ET.fromstring(out.read_bytes())
    desc = root.find(".//tei:correspDesc[@key='9']", NS)
    assert desc is not None and desc.get("ref") == f"{BASE}/id/letter/bl1996-009"
    sender = desc.find("tei:correspAction[@type='sent']/tei:persName", NS)
    addressee = desc.find("tei:correspAction[@type='received']/tei:persName", NS)
    assert (sender.text, sender.get("ref")) == ("Joseph Stalin", "http://www.wikidata.org/entity/Q855")
    assert (addressee.text, addressee.get("ref")) == ("Vladimir Lenin", "http://www.wikidata.org/entity/Q1394")
    date = desc.find("tei:correspAction[@type='sent']/tei:date", NS)
    assert date.get("when") == "1918-01-09"  # 27 December 1917 Old Style
    bibl = root.find(".//tei:sourceDesc/tei:bibl", NS)
    assert desc.get("source") == "#" + bibl.get(XML_ID)
    assert "Kvashonkin" in bibl.text and "1996" in bibl.text and "Bolshevik leadership" in bibl.text


def test_seed_export_is_structurally_valid_cmif_and_deterministic(seed_build: Path) -> None:
    first = _kg("export", "cmif", "--build", str(seed_build / "build"), cwd=seed_build)
    second = _kg("export", "cmif", "--build", str(seed_build / "build"), cwd=seed_build)
    assert first.returncode == 0 and first.stdout == second.stdout
    assert cmif_problems(first.stdout.encode("utf-8")) == []
    assert parse_cmif_text(first.stdout, seed_build).warnings == []  # our own reader: licence and bibl are fine


def parse_cmif_text(text: str, where: Path):
    path = where / "roundtrip-check.xml"
    path.write_text(text, encoding="utf-8")
    return parse_cmif(path)


def test_the_structure_check_itself_catches_a_missing_received_action(seed_build: Path) -> None:
    text = _kg("export", "cmif", "--build", str(seed_build / "build"), cwd=seed_build).stdout
    broken = re.sub(r'<correspAction type="received">.*?</correspAction>', "", text, flags=re.S)
    assert any("received" in p for p in cmif_problems(broken.encode("utf-8")))


def test_round_trip_seed_export_imported_into_a_temp_corpus_names_the_same_people_and_day(
        seed_build: Path, tmp_path: Path) -> None:
    exported = tmp_path / "bl1996-export.xml"
    _kg("export", "cmif", "--build", str(seed_build / "build"), "--out", str(exported), cwd=seed_build)
    record = read_cmif(exported)[0]
    assert (record.senders, record.recipients, record.date_gregorian) == \
        (["Joseph Stalin"], ["Vladimir Lenin"], "1918-01-09")
    assert record.party_refs == {"Joseph Stalin": ["http://www.wikidata.org/entity/Q855"],
                                 "Vladimir Lenin": ["http://www.wikidata.org/entity/Q1394"]}
    shutil.copytree(ROOT / "data", tmp_path / "data")
    report = import_cmif(exported, tmp_path / "data" / "sources", tmp_path / "data" / "authorities")
    assert [e.kind for e in report.added] == []  # Stalin and Lenin are curated: reported, never duplicated
    assert len(report.to_review) == 2
    run_build(tmp_path / "data" / "sources", tmp_path / "build", BASE, quiet=True)
    rows = list(open_build_store(tmp_path / "build").query("""
        PREFIX crm: <http://www.cidoc-crm.org/cidoc-crm/> PREFIX kgo: <https://kg.example.org/ontology#>
        SELECT ?sending ?sender ?addressee ?begin WHERE {
          ?sending crm:P14_carried_out_by ?sender ; kgo:hadAddressee ?addressee ;
                   crm:P4_has_time-span/crm:P82a_begin_of_the_begin ?begin . } ORDER BY ?sending"""))
    assert len(rows) == 2  # the page and its CMIF record, as two letters of two editions
    assert {(r["sender"].value, r["addressee"].value, r["begin"].value[:10]) for r in rows} == \
        {(f"{BASE}/id/person/stalin", f"{BASE}/id/person/lenin", "1918-01-09")}


def test_round_trip_freud_file_import_build_export_keeps_parties_and_dates(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    import_cmif(FREUD, tmp_path / "data" / "sources", tmp_path / "data" / "authorities")
    run_build(tmp_path / "data" / "sources", tmp_path / "build", BASE, quiet=True)
    out = tmp_path / "out.xml"
    assert _kg("export", "cmif", "--build", str(tmp_path / "build"), "--out", str(out),
               cwd=tmp_path).returncode == 0
    assert cmif_problems(out.read_bytes()) == []

    def summary(records):
        return sorted((r.doc_no, tuple(u for n in r.senders for u in r.party_refs[n]),
                       tuple(u for n in r.recipients for u in r.party_refs[n]),
                       r.date_written, r.date_written_end, r.date_qualifier, r.date_editorial,
                       tuple(u for n in r.places_sent for u in r.place_refs[n]))
                      for r in records if r.bibl and "Freud" in r.bibl)

    exported = read_cmif(out)
    assert len([r for r in exported if r.bibl and "Freud" in r.bibl]) == 10
    assert summary(exported) == summary(read_cmif(FREUD))
    names = {n for r in exported if r.bibl and "Freud" in r.bibl for n in r.senders + r.recipients}
    assert names == {"Sigmund Freud", "Arthur Schnitzler"}
