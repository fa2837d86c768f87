"""Authorities, the mention finder, and the date arithmetic the time-spans rest on."""

from __future__ import annotations

import dataclasses

import pytest
from mapping_seed import BASE, hand_record
from rdflib import URIRef

from kg.authorities import AuthorityError, load_authorities
from kg.mapping.dates import bounds, edtf, make_e52_time_span, period, record_period
from kg.mapping.namespaces import CRM, KGO
from kg.mentions import scan

SEED_NAMED = ["stalin", "lenin", "trotsky", "proshyan", "dutov", "kaledin", "ter-arutyunyants", "kolychev",
              "semyonov-delegate", "central-rada", "sovnarkom", "general-secretariat", "left-srs",
              "all-ukrainian-cec", "peasants-congress-2", "don-military-circle", "stavka",
              "quadruple-alliance", "constituent-assembly", "narkomfin", "rgaspi", "petrograd", "smolny",
              "finland", "kyiv", "kharkiv", "brest-litovsk", "stockholm", "don-region", "ukraine",
              "armenia", "turkish-armenia", "minsk", "brest-litovsk-negotiations",
              "decree-turkish-armenia", "decree-telegraph-operators", "kvashonkin", "kosheleva",
              "rogovaya", "khlevniuk"]


def test_every_entity_named_in_the_seed_is_curated(authorities):
    assert [key for key in SEED_NAMED if authorities.get(key) is None] == []


def test_printed_variants_resolve_to_one_entity(authorities):
    for name, key in [("J. V. Stalin", "stalin"), ("I. V. Stalin", "stalin"), ("Koba", "stalin"),
                      ("V.I.Lenin", "lenin"), ("Ilyich", "lenin"), ("Kal[edi]n", "kaledin"),
                      ("Kalinin military circle", "don-military-circle"), ("RTSKHIDNI", "rgaspi"),
                      ("St. Petersburg", "petrograd"), ("Headquarters", "stavka")]:
        assert authorities.lookup(name).key == key, name


def test_broken_authority_file_names_file_and_entry(tmp_path):
    (tmp_path / "persons.toml").write_text('[x]\nlabel = "X"\nborn = "18th century"\n', encoding="utf-8")
    with pytest.raises(AuthorityError, match=r"persons.toml \[x\]: born"):
        load_authorities(tmp_path)
    (tmp_path / "persons.toml").write_text('[x]\nlabel = "X"\n', encoding="utf-8")
    (tmp_path / "places.toml").write_text('[y]\nlabel = "Y"\npart_of = "nowhere"\n', encoding="utf-8")
    with pytest.raises(AuthorityError, match="unknown key 'nowhere'"):
        load_authorities(tmp_path)


def test_mentions_have_offsets_of_the_printed_variant(authorities):
    text = "send punitive expeditions against Kal[edi]n (our answer is needed)"
    found = scan(text, authorities)
    assert [(m.key, text[m.start:m.end]) for m in found.mentions] == [("kaledin", "Kal[edi]n")]


def test_nested_names_of_same_kind_are_one_mention_of_other_kinds_two(authorities):
    keys = scan('the Russian-occupied "Turkish Armenia" and the Council of People\'s Commissars of Russia',
                authorities).entity_keys()
    assert "turkish-armenia" in keys and "armenia" not in keys
    assert {"sovnarkom", "russia"} <= set(keys)


def test_lower_case_and_contractions_are_not_mentions(authorities):
    assert scan("a regional constituent assembly; I don't know", authorities).entity_keys() == []


def test_unknown_capitalised_names_are_reported_not_invented(authorities):
    text = "Then he wrote to Zinoviev. Received in Moscow from Decrees of the Soviet Power."
    found = scan(text, authorities)
    assert [u.text for u in found.unknown] == ["Zinoviev", "Decrees of the Soviet Power"]
    assert found.entity_keys() == ["moscow"]


def test_month_only_julian_date_spans_the_whole_julian_month():
    found = period("1917-12", "julian")
    assert (found.first.isoformat(), found.last.isoformat()) == ("1917-12-14", "1918-01-13")
    assert edtf(found, None) == "1917-12-14/1918-01-13"
    assert edtf(period("1918-02", "gregorian"), None) == "1918-02"


def test_qualifier_before_leaves_the_beginning_open():
    record = dataclasses.replace(hand_record(), date_written="1920-03-05", date_calendar="gregorian",
                                 date_qualifier="before", time_place_text=None)
    found, _ = record_period(record)
    begin, end = bounds(record, found)
    assert begin is None and end.isoformat() == "1920-03-04T23:59:59"
    graph = make_e52_time_span(URIRef(f"{BASE}/ts"), record)
    assert str(graph.value(URIRef(f"{BASE}/ts"), KGO.edtf)) == "../1920-03-04"
    assert graph.value(URIRef(f"{BASE}/ts"), CRM["P82a_begin_of_the_begin"]) is None


def test_dateline_hour_is_used_only_when_its_day_is_the_letters_day():
    record = dataclasses.replace(hand_record(), time_place_text="28/XII, 5 p.m.")
    found, _ = record_period(record)
    begin, end = bounds(record, found)
    assert (begin.isoformat(), end.isoformat()) == ("1918-01-09T00:00:00", "1918-01-09T23:59:59")
