"""The reviewed mapping file: SSSOM round trip, decisions, and the file shipped in the repository."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from kg.wikidata.decisions import ReviewError, decide, merge_proposals
from kg.wikidata.sssom import (
    NO_TERM_FOUND,
    Mapping,
    SSSOMError,
    accepted_links,
    read_mappings,
    write_mappings,
)

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "data" / "mappings" / "wikidata.sssom.tsv"
DAY = date(2025, 1, 2)


def rows() -> list[Mapping]:
    return [
        Mapping("kgid:person/kamenev", "wd:Q90000002", subject_label="Kamenev", confidence="0.85",
                comment='label "Kamenev"@en; alive in 1918 | searched http://127.0.0.1/sparql'),
        Mapping("kgid:person/kamenev", "wd:Q90000001", subject_label="Kamenev", confidence="0.85"),
        Mapping("kgid:person/stalin", "wd:Q855", review_status="accepted", subject_label="Joseph Stalin",
                mapping_justification="semapv:ManualMappingCuration", author_id="kg:curator",
                confidence="1.0", mapping_date="2025-01-02", comment="reviewed from evidence"),
        Mapping("kgid:place/smolny", NO_TERM_FOUND, subject_label="Smolny Institute",
                comment="no Q-id found"),
    ]


def test_sssom_round_trip_keeps_every_field(tmp_path):
    path = tmp_path / "m.sssom.tsv"
    write_mappings(path, rows())
    back = read_mappings(path)
    assert sorted(back, key=repr) == sorted(rows(), key=repr)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("# curie_map:\n#   kgid: https://kg.example.org/id/\n")
    assert "#   - slot_name: review_status" in text
    header = next(line for line in text.splitlines() if not line.startswith("#"))
    assert header.split("\t")[:3] == ["subject_id", "subject_label", "predicate_id"]


def test_rows_are_written_in_a_stable_order(tmp_path):
    a, b = tmp_path / "a.tsv", tmp_path / "b.tsv"
    write_mappings(a, rows())
    write_mappings(b, list(reversed(rows())))
    assert a.read_bytes() == b.read_bytes()
    lines = a.read_text().splitlines()
    objects = [line.split("\t")[4] for line in lines if line.startswith("kgid:person/kam")]
    assert objects == ["wd:Q90000001", "wd:Q90000002"]


def test_malformed_row_is_reported_with_file_and_line(tmp_path):
    path = tmp_path / "m.sssom.tsv"
    write_mappings(path, rows())
    path.write_text(path.read_text().replace("wd:Q855", "https://www.wikidata.org/wiki/Q855x"))
    with pytest.raises(SSSOMError, match=r"m\.sssom\.tsv:\d+: object_id .* is not a Wikidata item"):
        read_mappings(path)


def test_rejection_is_a_negated_mapping_and_acceptance_closes_rivals():
    decided = decide(rows(), "person/kamenev", "Q90000001", "accept", when=DAY, comment="checked the dates")
    by_qid = {m.qid: m for m in decided if m.key == "person/kamenev"}
    assert by_qid["Q90000001"].review_status == "accepted"
    assert by_qid["Q90000001"].mapping_justification == "semapv:ManualMappingCuration"
    assert "accepted by kg:curator on 2025-01-02: checked the dates" in by_qid["Q90000001"].comment
    assert by_qid["Q90000002"].review_status == "rejected" and by_qid["Q90000002"].predicate_modifier == "Not"
    assert accepted_links(decided) == [("person/kamenev", "Q90000001"), ("person/stalin", "Q855")]


def test_a_second_accepted_item_for_one_entity_is_refused():
    with pytest.raises(ReviewError, match="already has an accepted link to wd:Q855"):
        decide(rows(), "person/stalin", "Q1394", "accept", when=DAY)


def test_decided_pairs_are_not_proposed_again():
    rejected = decide(rows(), "person/kamenev", "Q90000002", "reject", when=DAY)
    again = [Mapping("kgid:person/kamenev", "wd:Q90000002"), Mapping("kgid:person/stalin", "wd:Q1394"),
             Mapping("kgid:person/kamenev", "wd:Q90000005")]
    _, added = merge_proposals(rejected, again)
    assert [m.object_id for m in added] == ["wd:Q90000005"]


def test_shipped_decisions_are_readable_and_carry_their_evidence():
    mappings = read_mappings(SHIPPED)
    accepted = [m for m in mappings if m.review_status == "accepted"]
    assert accepted, "the repository ships curated decisions"
    for m in accepted:
        assert m.mapping_justification == "semapv:ManualMappingCuration" and m.author_id == "kg:curator"
        assert "evidence" in m.comment.lower()
    keys = {m.key for m in mappings}
    for key in ("person/stalin", "person/lenin", "person/trotsky", "person/proshyan", "person/dutov",
                "person/kaledin", "person/ter-arutyunyants", "org/central-rada", "org/sovnarkom",
                "place/smolny", "place/brest-litovsk", "org/constituent-assembly", "place/petrograd",
                "place/kyiv", "place/kharkiv", "place/finland", "place/stockholm", "org/quadruple-alliance",
                "archive/rgaspi", "event/brest-litovsk-negotiations"):
        assert key in keys, f"{key} has no recorded decision"
