"""The ``kg`` command: one entry point for every stage, so a historian needs to learn one tool.

Each command is thin: it parses options, calls the stage's module and turns a stage's error into a message that
names the file, line or parameter, with a non-zero exit status. Heavy imports happen inside the commands so that
``kg --help`` stays instant.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from kg import settings
from kg.documents import PRECOMPUTED_KINDS


class KgError(click.ClickException):
    """An error the user can act on: printed without a traceback, exit status 1."""


def _base_uri(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    """Reject a malformed ``--base-uri`` before anything runs: it would mint broken URIs everywhere."""
    if value is None:
        return None
    try:
        return settings.normalise_base_uri(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from exc


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="bolshevik-letters-kg")
def main() -> None:
    """Publish the letters of a documentary edition as a linked-data knowledge graph."""


# --------------------------------------------------------------------------------------------------- parse
@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def parse(files: tuple[Path, ...]) -> None:
    """Print the letter records found in FILES as JSON (a list, one object per document)."""
    from kg.sources import read_sources

    result = read_sources(list(files))
    click.echo(json.dumps([r.to_dict() for r in result.records], ensure_ascii=False, indent=2))
    for notice in result.notices:
        click.echo(f"note: {notice}", err=True)
    for duplicate in result.duplicates:
        click.echo(f"duplicate: {duplicate}", err=True)
    for problem in result.errors:
        click.echo(f"error: {problem}", err=True)
    click.echo(f"read {len(result.read)} file(s), {len(result.records)} document(s), "
               f"{len(result.errors)} file(s) with errors", err=True)
    if result.read and result.errors:
        click.echo("files read: " + ", ".join(str(p) for p in result.read), err=True)
    if result.errors:
        sys.exit(1)


# --------------------------------------------------------------------------------------------------- build
def _document_kinds(_ctx: click.Context, _param: click.Parameter, value: str) -> tuple[str, ...]:
    kinds = [k.strip() for k in value.split(",") if k.strip()]
    if kinds == ["all"]:
        return PRECOMPUTED_KINDS
    unknown = [k for k in kinds if k not in PRECOMPUTED_KINDS]
    if unknown:
        raise click.BadParameter(f"unknown kind(s) {', '.join(map(repr, unknown))}; choose from "
                                 f"{', '.join(PRECOMPUTED_KINDS)}, or 'all'")
    return tuple(dict.fromkeys(kinds))


@main.command()
@click.option("--sources", "sources_dir", type=click.Path(path_type=Path, file_okay=False),
              default=lambda: str(settings.default_sources_dir()), show_default="data/sources",
              help="Folder of source pages (edition pages, CMIF files).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False),
              default=lambda: str(settings.default_build_dir()), show_default="build",
              help="Build folder; the new release replaces the current one only when it is complete and valid.")
@click.option("--base-uri", default=settings.DEFAULT_BASE_URI, show_default=True, callback=_base_uri,
              help="Canonical base of every URI the graph mints.")
@click.option("--push", "push_url", default=None, metavar="URL",
              help="Also load the published graphs into a SPARQL 1.1 server's Graph Store Protocol endpoint "
                   "(e.g. Oxigraph http://host:7878/store, Fuseki http://host:3030/ds/data).")
@click.option("--documents", "document_kinds", default="", metavar="KINDS", callback=_document_kinds,
              help="Render the pages and RDF documents of these kinds of resources into the release, comma-"
                   f"separated ({', '.join(PRECOMPUTED_KINDS)}; 'all' for every one), so "
                   "the server sends them as they are. Costs about 10 ms and 240 KB per letter.")
@click.option("--quiet", is_flag=True, help="No progress output (for scripts).")
def build(sources_dir: Path, out_dir: Path, base_uri: str, push_url: str | None, document_kinds: tuple[str, ...],
          quiet: bool) -> None:
    """Parse, map, validate and publish the sources atomically."""
    from kg.build import BuildError, run_build

    try:
        release = run_build(sources_dir, out_dir, base_uri, quiet=quiet, documents=document_kinds)
    except BuildError as exc:
        raise KgError(str(exc)) from exc
    click.echo(f"published {release}", err=True)
    if push_url:
        from kg.store import StoreError, push

        try:
            sent = push(push_url, release / "dataset.nq")
        except StoreError as exc:
            raise KgError(f"the build was published locally, but pushing it failed: {exc}") from exc
        click.echo(f"pushed {sum(sent.values())} triples in {len(sent)} graph(s) to {push_url}", err=True)


# --------------------------------------------------------------------------------------------------- validate
@main.command()
@click.argument("path", required=False, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "ttl"]), default="text", show_default=True,
              help="text: a report for editors; ttl: the W3C SHACL validation report graph.")
@click.option("--base-uri", default=settings.DEFAULT_BASE_URI, show_default=True, callback=_base_uri)
def validate(path: Path | None, fmt: str, base_uri: str) -> None:
    """Validate sources (a folder or file of pages) or an RDF file against the shapes; exit 1 on any violation."""
    from kg.build import BuildError, validate_path

    try:
        conforms, report = validate_path(path or settings.default_sources_dir(), fmt, base_uri)
    except BuildError as exc:
        raise KgError(str(exc)) from exc
    click.echo(report)
    sys.exit(0 if conforms else 1)


# --------------------------------------------------------------------------------------------------- serve
@main.command()
@click.option("--build", "build_dir", type=click.Path(path_type=Path, file_okay=False),
              default=lambda: str(settings.default_build_dir()), show_default="build")
@click.option("--data", "data_files", multiple=True, type=click.Path(path_type=Path, dir_okay=False, exists=True),
              help="Serve these RDF files as they are instead of a build (repeatable).")
@click.option("--base-uri", default=None, callback=_base_uri, help="Canonical base URI (default: the build's).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--workers", default=2, show_default=True, type=int, help="WSGI worker processes.")
@click.option("--http-server", type=click.Choice(["granian", "gunicorn"]), default="granian", show_default=True,
              help="The WSGI server: Granian (Rust, the fastest here) or gunicorn.")
@click.option("--store", "store_url", default=None,
              help="URL of a remote SPARQL 1.1 query endpoint to serve instead of the embedded store.")
@click.option("--query-timeout", default=5.0, show_default=True, type=float, help="Seconds a query may run.")
@click.option("--behind-proxy", is_flag=True,
              help="Trust X-Forwarded-For/-Proto/-Host/-Prefix from one reverse proxy (nginx, Apache).")
def serve(build_dir: Path, data_files: tuple[Path, ...], base_uri: str | None, host: str, port: int,
          workers: int, http_server: str, store_url: str | None, query_timeout: float, behind_proxy: bool) -> None:
    """Serve a build (or RDF files) over HTTP: SPARQL endpoint, resource pages, dumps."""
    from server.config import ServerConfig, ServerConfigError
    from server.wsgi import run_server

    try:
        config = ServerConfig.from_options(build_dir=build_dir, data_files=list(data_files), base_uri=base_uri,
                                           store_url=store_url, query_timeout=query_timeout)
    except ServerConfigError as exc:
        raise KgError(str(exc)) from exc
    config.behind_proxy = behind_proxy
    run_server(config, host=host, port=port, workers=workers, http_server=http_server)


# --------------------------------------------------------------------------------------------------- query
@main.command()
@click.argument("sparql")
@click.option("--build", "build_dir", type=click.Path(path_type=Path, file_okay=False),
              default=lambda: str(settings.default_build_dir()), show_default="build")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "tsv"]), default="table",
              show_default=True)
def query(sparql: str, build_dir: Path, fmt: str) -> None:
    """Run a SPARQL query (text, or @FILE) against the current build and print the results."""
    from kg.store import QueryError, StoreError, open_build_store, render_results

    text = Path(sparql[1:]).read_text(encoding="utf-8") if sparql.startswith("@") else sparql
    try:
        store = open_build_store(build_dir)
        click.echo(render_results(store.query(text), fmt), nl=False)
    except (QueryError, StoreError) as exc:
        raise KgError(str(exc)) from exc


# --------------------------------------------------------------------------------------------------- link
def _add_link_group() -> None:
    """``kg link wikidata`` / ``kg link review`` (kg/wikidata/commands.py imports only click at load time)."""
    from kg.wikidata.commands import link

    main.add_command(link)


_add_link_group()


# --------------------------------------------------------------------------------------------------- dump
@main.command()
@click.option("--format", "fmt", type=click.Choice(["ttl", "nt", "jsonld", "trig", "nq"]), default="ttl",
              show_default=True, help="ttl, nt, jsonld: the union graph; trig, nq: a named graph per source.")
@click.option("--out", "out_file", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="File to write (default: standard output); a name ending in .gz is gzip-compressed.")
@click.option("--build", "build_dir", type=click.Path(path_type=Path, file_okay=False),
              default=lambda: str(settings.default_build_dir()), show_default="build")
def dump(fmt: str, out_file: Path | None, build_dir: Path) -> None:
    """Write the current build's graph in one format (byte-identical for identical sources)."""
    from kg.dumps import DUMP_FORMATS, DumpError, write_dump_from_release
    from kg.publish import PublishError, current_release, read_manifest

    try:
        release = current_release(build_dir)
        base_uri = read_manifest(release).get("base_uri")
        if out_file is None:
            write_dump_from_release(release, DUMP_FORMATS[fmt], sys.stdout.buffer, compress=False,
                                    base_uri=base_uri)
            sys.stdout.buffer.flush()
            return
        partial = out_file.with_name(f".{out_file.name}.partial")
        try:
            with partial.open("wb") as handle:
                write_dump_from_release(release, DUMP_FORMATS[fmt], handle, compress=out_file.suffix == ".gz",
                                        base_uri=base_uri)
            partial.replace(out_file)
        finally:
            partial.unlink(missing_ok=True)
    except (PublishError, DumpError, OSError) as exc:
        raise KgError(str(exc)) from exc
    click.echo(f"wrote {out_file} ({out_file.stat().st_size} bytes)", err=True)


# --------------------------------------------------------------------------------------------------- import / export
def _add_cmif_groups() -> None:
    """``kg import cmif FILE`` / ``kg export cmif`` (kg/cmif_commands.py imports only click at load time)."""
    from kg.cmif_commands import export_group, import_group

    main.add_command(import_group)
    main.add_command(export_group)


_add_cmif_groups()


if __name__ == "__main__":  # pragma: no cover
    main()
