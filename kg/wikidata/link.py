"""One linking run: read the authorities, ask the endpoint about entities without a decision, propose, enrich.

The mapping file is written once, atomically, after every question was answered: an endpoint that fails half
way leaves it exactly as it was (what was learned stays in the cache for the next run).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from kg.wikidata.cache import AnswerCache
from kg.wikidata.candidates import fetch_answers, propose
from kg.wikidata.client import SparqlClient
from kg.wikidata.decisions import accepted_keys, decided_pairs, merge_proposals
from kg.wikidata.enrich import update_enrichment_file
from kg.wikidata.sssom import accepted_links, read_mappings, write_mappings
from kg.wikidata.targets import read_targets
from kg.wikidata.vocab import DEFAULT_ENDPOINT


@dataclass
class LinkReport:
    """What a run did, for the command's summary."""

    entities: int = 0
    already_linked: int = 0
    names_asked: int = 0
    proposals_added: int = 0
    items_fetched: int = 0
    items_enriched: int = 0
    requests: int = 0


def link_wikidata(authorities_dir: Path, mapping_path: Path, enrichment_path: Path, cache_dir: Path, *,
                  endpoint: str = DEFAULT_ENDPOINT, years: Sequence[int] = (), batch_size: int = 20,
                  timeout: float = 60.0, retries: int = 4, backoff: float = 1.0, enrich: bool = True,
                  refresh: bool = False, sleep: Callable[[float], None] = time.sleep,
                  today: date | None = None) -> LinkReport:
    """Propose candidates for every entity without an accepted link; fetch facts for accepted links.

    Raises :class:`kg.wikidata.client.EndpointError` when the endpoint cannot answer (after retries).
    """
    client = SparqlClient(endpoint=endpoint, timeout=timeout, retries=retries, backoff=backoff, sleep=sleep)
    cache = AnswerCache(cache_dir, endpoint)
    mappings = read_mappings(mapping_path)
    targets = read_targets(authorities_dir)
    linked = accepted_keys(mappings)
    open_targets = [t for t in targets if t.path not in linked]
    report = LinkReport(entities=len(targets), already_linked=len(targets) - len(open_targets))

    if refresh:
        from kg.wikidata.candidates import name_literal, question
        cache.forget(question(t.kind, name_literal(n)) for t in open_targets for n in t.search_names())
    report.names_asked = fetch_answers(open_targets, client, cache, batch_size)
    exclude = decided_pairs(mappings)
    proposals = [p for t in open_targets
                 for p in propose(t, cache, years, endpoint=endpoint, exclude=exclude, today=today)]
    mappings, added = merge_proposals(mappings, proposals)
    report.proposals_added = len(added)
    if added or not mapping_path.exists():
        write_mappings(mapping_path, mappings)

    if enrich:
        qids = {qid for _, qid in accepted_links(mappings)}
        if qids or enrichment_path.exists():
            report.items_fetched, report.items_enriched = update_enrichment_file(
                enrichment_path, qids, client, cache, batch_size=batch_size, refresh=refresh)
    report.requests = client.requests_sent
    return report


def letter_years(sources_dir: Path) -> list[int]:
    """The (Gregorian) years of the letters in the sources: the time in which a candidate must have lived.

    Empty when the sources cannot be read; scoring then ignores life dates rather than guess.
    """
    try:
        from kg.sources import read_sources
    except ImportError:
        return []
    try:
        result = read_sources([sources_dir])
    except Exception:  # noqa: BLE001 - any reader failure just means "no years known"
        return []
    years = set()
    for record in result.records:
        for value in (record.date_gregorian, record.date_gregorian_end):
            if value and value[:4].isdigit():
                years.add(int(value[:4]))
    return sorted(years)
