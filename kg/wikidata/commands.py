"""``kg link wikidata`` and ``kg link review``: thin click commands over :mod:`kg.wikidata`.

Only click is imported at module level so that ``kg --help`` stays instant; the work is imported per command.
"""

from __future__ import annotations

from pathlib import Path

import click

from kg import settings


def _paths(mappings_dir: Path | None) -> tuple[Path, Path]:
    folder = mappings_dir or settings.default_mappings_dir()
    return folder / "wikidata.sssom.tsv", folder / "wikidata-enrichment.ttl"


@click.group()
def link() -> None:
    """Link persons, places, organisations and events to Wikidata; a curator decides every link."""


@link.command("wikidata")
@click.option("--endpoint", default="https://query.wikidata.org/sparql", show_default=True,
              help="SPARQL endpoint to search (Wikidata's, or a mirror / test server).")
@click.option("--authorities", "authorities_dir", type=click.Path(path_type=Path, file_okay=False),
              default=lambda: str(settings.default_authorities_dir()), show_default="data/authorities")
@click.option("--mappings", "mappings_dir", type=click.Path(path_type=Path, file_okay=False),
              default=lambda: str(settings.default_mappings_dir()), show_default="data/mappings",
              help="Folder of wikidata.sssom.tsv and wikidata-enrichment.ttl.")
@click.option("--sources", "sources_dir", type=click.Path(path_type=Path, file_okay=False),
              default=lambda: str(settings.default_sources_dir()), show_default="data/sources",
              help="Letters whose years constrain candidates (a person must be alive then).")
@click.option("--year", "years", multiple=True, type=int,
              help="Letter year(s) to use instead of reading the sources (repeatable).")
@click.option("--cache", "cache_dir", type=click.Path(path_type=Path, file_okay=False),
              default=lambda: str(settings.project_root() / ".cache" / "wikidata"),
              show_default=".cache/wikidata",
              help="Local answer cache (not committed): a rerun sends nothing already asked.")
@click.option("--batch-size", default=20, show_default=True, type=click.IntRange(1, 200),
              help="Names (or items) per query.")
@click.option("--timeout", default=60.0, show_default=True, type=float,
              help="Seconds to wait for one answer.")
@click.option("--retries", default=4, show_default=True, type=click.IntRange(0, 10),
              help="Retries after 429/503/timeouts, with exponential back-off honouring Retry-After.")
@click.option("--no-enrich", is_flag=True, help="Do not fetch facts for accepted links.")
@click.option("--refresh", is_flag=True,
              help="Ask again even what the cache or enrichment file already holds.")
def link_wikidata_command(endpoint: str, authorities_dir: Path, mappings_dir: Path, sources_dir: Path,
                          years: tuple[int, ...], cache_dir: Path, batch_size: int, timeout: float,
                          retries: int, no_enrich: bool, refresh: bool) -> None:
    """Propose Wikidata candidates for entities without an accepted link; fetch facts for accepted ones."""
    from kg.wikidata.client import EndpointError
    from kg.wikidata.link import letter_years, link_wikidata
    from kg.wikidata.sssom import SSSOMError

    mapping_path, enrichment_path = _paths(mappings_dir)
    context_years = list(years) or letter_years(sources_dir)
    try:
        report = link_wikidata(authorities_dir, mapping_path, enrichment_path, cache_dir, endpoint=endpoint,
                               years=context_years, batch_size=batch_size, timeout=timeout, retries=retries,
                               enrich=not no_enrich, refresh=refresh)
    except (EndpointError, SSSOMError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"{report.entities} entities ({report.already_linked} already linked); asked about "
               f"{report.names_asked} name(s) in {report.requests} request(s); {report.proposals_added} new "
               f"proposal(s) in {mapping_path}", err=True)
    if not no_enrich:
        click.echo(f"facts of {report.items_enriched} accepted item(s) in {enrichment_path} "
                   f"({report.items_fetched} fetched now)", err=True)
    if report.proposals_added:
        click.echo("Review them with `kg link review`.", err=True)


@link.command("review")
@click.option("--mappings", "mappings_dir", type=click.Path(path_type=Path, file_okay=False),
              default=lambda: str(settings.default_mappings_dir()), show_default="data/mappings")
@click.option("--accept", "accept", nargs=2, metavar="KEY QID", default=None,
              help="Accept QID for entity KEY (person/stalin, or stalin if unambiguous), without prompting.")
@click.option("--reject", "reject", nargs=2, metavar="KEY QID", default=None,
              help="Reject QID for entity KEY; it will never be proposed again.")
@click.option("--comment", default="", help="Evidence or reason recorded with --accept/--reject.")
@click.option("--reviewer", default="kg:curator", show_default=True,
              help="Who decides (a CURIE, e.g. orcid:…).")
def link_review_command(mappings_dir: Path, accept: tuple[str, str] | None, reject: tuple[str, str] | None,
                        comment: str, reviewer: str) -> None:
    """Show open proposals with their evidence and record accept / reject / skip."""
    from kg.wikidata.decisions import ReviewError
    from kg.wikidata.review import record_decision, review_interactively
    from kg.wikidata.sssom import SSSOMError, read_mappings

    mapping_path, _ = _paths(mappings_dir)
    if accept and reject:
        raise click.UsageError("give --accept or --reject, not both")
    try:
        if accept or reject:
            decision, (key, qid) = ("accept", accept) if accept else ("reject", reject)
            key = _resolve_key(key, read_mappings(mapping_path))
            row = record_decision(mapping_path, key, qid, decision, reviewer=reviewer, comment=comment)
            click.echo(f"{row.review_status} wd:{row.qid} for {row.key} in {mapping_path}", err=True)
            return
        counts = review_interactively(mapping_path, lambda text: click.prompt(text, default="s",
                                                                                show_default=False),
                                      click.echo, reviewer=reviewer)
    except (ReviewError, SSSOMError) as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"\n{counts['accepted']} accepted, {counts['rejected']} rejected, {counts['skipped']} "
               f"skipped; decisions saved in {mapping_path}", err=True)


def _resolve_key(key: str, mappings) -> str:
    """``stalin`` → ``person/stalin`` when exactly one entity of the mapping file has that key."""
    if "/" in key:
        return key
    matches = sorted({m.key for m in mappings if m.key.split("/", 1)[1] == key})
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise click.ClickException(f"{key!r}: no entity with that key in the mapping file; give KIND/KEY "
                                   "(person/…, org/…, place/…, event/…, archive/…)")
    raise click.ClickException(f"{key!r} is ambiguous ({', '.join(matches)}); give KIND/KEY")
