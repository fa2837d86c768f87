"""Candidate search and proposals against a real SPARQL server holding a Wikidata-shaped fixture."""

from __future__ import annotations

from datetime import date

import pytest

from kg.wikidata.client import EndpointError
from kg.wikidata.link import link_wikidata
from kg.wikidata.review import record_decision
from kg.wikidata.sssom import read_mappings
from kg.wikidata.vocab import USER_AGENT

TODAY = date(2025, 1, 2)


def run(project, url, **options):
    options.setdefault("years", [1918])
    options.setdefault("today", TODAY)
    return link_wikidata(project["authorities"], project["sssom"], project["enrichment"], project["cache"],
                         endpoint=url, **options)


def proposals(project, key):
    return {m.qid: m for m in read_mappings(project["sssom"]) if m.key == key}


def test_stalin_is_found_by_label_and_aliases_with_evidence(project, front):
    run(project, front.url)
    stalin = proposals(project, "person/stalin")
    assert set(stalin) == {"Q855"}
    row = stalin["Q855"]
    assert row.review_status == "proposed" and row.mapping_justification == "semapv:LexicalMatching"
    assert row.object_label == "Joseph Stalin"
    assert '"Joseph Stalin"@en' in row.comment and '"Stalin"@en' in row.comment
    assert "alive in 1918" in row.comment and "born 1878 as in our authority" in row.comment
    assert float(row.confidence) >= 0.9


def test_requests_name_the_tool_in_the_user_agent(project, front):
    run(project, front.url)
    assert front.user_agents and all(agent == USER_AGENT for agent in front.user_agents)


def test_two_kamenevs_alive_in_1918_are_both_proposed_and_neither_decided(project, front):
    run(project, front.url)
    kamenev = proposals(project, "person/kamenev")
    assert set(kamenev) == {"Q90000001", "Q90000002"}  # the town is not human, Fyodor died in 1850
    assert all(m.review_status == "proposed" for m in kamenev.values())
    assert kamenev["Q90000001"].confidence == kamenev["Q90000002"].confidence


def test_a_fuller_name_in_the_authority_ranks_the_right_kamenev_first(project, front):
    persons = project["authorities"] / "persons.toml"
    persons.write_text(persons.read_text(encoding="utf-8").replace(
        'label = "Kamenev"', 'label = "Lev Kamenev"'), encoding="utf-8")
    run(project, front.url)
    kamenev = proposals(project, "person/kamenev")
    assert float(kamenev["Q90000001"].confidence) > float(kamenev["Q90000002"].confidence)


def test_dead_namesake_is_scored_down_with_the_reason(project, front):
    from kg.wikidata.cache import AnswerCache
    from kg.wikidata.candidates import candidates_for, score
    from kg.wikidata.targets import read_targets

    run(project, front.url)
    target = next(t for t in read_targets(project["authorities"]) if t.key == "kamenev")
    fyodor = next(c for c in candidates_for(target, AnswerCache(project["cache"], front.url))
                  if c.qid == "Q90000003")
    value, evidence = score(target, fyodor, [1918])
    assert value < 0.3
    assert any("dead before the letters (1918)" in e for e in evidence)


def test_place_in_the_country_of_its_parent_ranks_above_a_namesake(project, front):
    run(project, front.url)
    kyiv = proposals(project, "place/kyiv")
    assert float(kyiv["Q1899"].confidence) > float(kyiv.get("Q90000010").confidence)
    assert "country Ukraine as in our authority" in kyiv["Q1899"].comment


def test_rerun_sends_no_query_for_cached_names(project, front):
    run(project, front.url)
    first = len(front.requests)
    before = project["sssom"].read_bytes()
    report = run(project, front.url)
    assert first > 0
    assert len(front.requests) == first and report.requests == 0 and report.names_asked == 0
    assert project["sssom"].read_bytes() == before


def test_names_are_batched_into_few_queries(project, front):
    report = run(project, front.url, batch_size=50, enrich=False)
    assert report.names_asked >= 8
    assert len(front.requests) == 2  # one query per kind (persons, places), not one per name
    assert "VALUES ?name" in front.requests[0][1].replace("+", " ").replace("%3F", "?")


def test_rejected_candidate_is_never_proposed_again(project, front, tmp_path):
    run(project, front.url)
    record_decision(project["sssom"], "person/kamenev", "Q90000002", "reject", today=TODAY)
    project["cache"] = tmp_path / "fresh-cache"  # even a run that asks again must not bring it back
    run(project, front.url)
    rows = [m for m in read_mappings(project["sssom"]) if m.key == "person/kamenev" and m.qid == "Q90000002"]
    assert len(rows) == 1 and rows[0].review_status == "rejected" and rows[0].predicate_modifier == "Not"


def test_accepted_entity_is_not_searched_again(project, front, tmp_path):
    run(project, front.url)
    record_decision(project["sssom"], "person/stalin", "Q855", "accept", today=TODAY)
    project["cache"] = tmp_path / "fresh-cache"
    front.requests.clear()
    run(project, front.url, enrich=False)
    assert not any("Stalin" in body for _, body in front.requests)


def test_429_with_retry_after_is_honoured_then_the_run_succeeds(project, front):
    front.script = [("429", 1)]
    started = __import__("time").monotonic()
    report = run(project, front.url, enrich=False, backoff=0.01)
    assert report.proposals_added > 0
    assert len(front.requests) == 3  # the refused one, then persons and places
    assert front.requests[1][0] - front.requests[0][0] >= 0.95  # waited as asked, not the 0.01 s back-off
    assert __import__("time").monotonic() - started >= 1


def test_endpoint_that_keeps_refusing_gives_a_clear_message_and_leaves_decisions_intact(project, front):
    run(project, front.url)
    record_decision(project["sssom"], "person/stalin", "Q855", "accept", today=TODAY)
    before = project["sssom"].read_bytes()
    persons = project["authorities"] / "persons.toml"
    persons.write_text(persons.read_text(encoding="utf-8") + '\n[trotsky]\nlabel = "Leon Trotsky"\n',
                       encoding="utf-8")
    front.default = ("429", 0)
    with pytest.raises(EndpointError) as error:
        run(project, front.url, retries=2, backoff=0.01)
    message = str(error.value)
    assert front.url in message and "HTTP 429" in message and "3 attempt(s)" in message
    assert "decision file was not changed" in message
    assert project["sssom"].read_bytes() == before
    assert not list(project["mappings"].glob("*.tmp"))


def test_endpoint_that_hangs_times_out_backs_off_and_says_so(project, front):
    front.default = ("hang", 3)
    with pytest.raises(EndpointError) as error:
        run(project, front.url, retries=1, timeout=0.5, backoff=0.2)
    assert "no answer within 0.5 s" in str(error.value)
    times = [t for t, _ in front.requests]
    assert len(times) == 2 and times[1] - times[0] >= 0.5 + 0.2 - 0.05
    assert not project["sssom"].exists()


def test_unreachable_endpoint_is_reported_without_retrying(project):
    from tests.wikidata.conftest import free_port

    with pytest.raises(EndpointError, match="cannot reach"):
        run(project, f"http://127.0.0.1:{free_port()}/sparql", retries=3, backoff=5)
