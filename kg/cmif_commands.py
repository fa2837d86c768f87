"""``kg import cmif FILE`` and ``kg export cmif``: the CMIF interchange with other letter editions.

Only click is imported at load time (``kg --help`` stays instant); the work is in :mod:`kg.cmif_import` and
:mod:`kg.cmif_export`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg import settings
from kg.files import atomic_write_text


@click.group("import")
def import_group() -> None:
    """Bring another edition's data into the corpus."""


@import_group.command("cmif")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option("--sources", "sources_dir", type=click.Path(path_type=Path, file_okay=False),
              default=lambda: str(settings.default_sources_dir()), show_default="data/sources",
              help="Folder of sources the CMIF file is copied into.")
@click.option("--authorities", "authorities_dir", type=click.Path(path_type=Path, file_okay=False), default=None,
              help="Folder of authority files to add entries to (default: beside the sources folder).")
def import_cmif_command(file: Path, sources_dir: Path, authorities_dir: Path | None) -> None:
    """Copy the CMIF FILE into the sources and add the persons, organisations, places and editions it names to
    the authority files as new entries (never changing existing ones)."""
    from kg.build import default_authorities_for
    from kg.cli import KgError
    from kg.cmif_import import CmifImportError, import_cmif
    from kg.sources.base import SourceFormatError

    authorities_dir = authorities_dir or default_authorities_for(sources_dir)
    try:
        report = import_cmif(file, sources_dir, authorities_dir)
    except SourceFormatError as exc:
        where = f"{file}:{exc.line}" if exc.line else str(file)
        raise KgError(f"{where}: {exc.reason}") from exc
    except (CmifImportError, OSError) as exc:
        raise KgError(str(exc)) from exc
    for line in report.lines():
        click.echo(line)
    click.echo(f"{len(report.added)} entr{'y' if len(report.added) == 1 else 'ies'} and {len(report.editions)} "
               f"edition(s) added to {authorities_dir}; {len(report.to_review)} name(s) for a curator to review",
               err=True)


@click.group("export")
def export_group() -> None:
    """Write the knowledge graph in an interchange format."""


@export_group.command("cmif")
@click.option("--build", "build_dir", type=click.Path(path_type=Path, file_okay=False),
              default=lambda: str(settings.default_build_dir()), show_default="build")
@click.option("--out", "out_file", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="File to write (default: standard output).")
def export_cmif_command(build_dir: Path, out_file: Path | None) -> None:
    """Write the letters of the current build as a CMIF v1 file (TEI correspDesc) for correspSearch."""
    from kg.cli import KgError
    from kg.cmif_export import CmifExportError, export_cmif
    from kg.store import StoreError

    try:
        text = export_cmif(build_dir)
    except (CmifExportError, StoreError) as exc:
        raise KgError(str(exc)) from exc
    if out_file is None:
        sys.stdout.write(text)
        return
    atomic_write_text(out_file, text)
    click.echo(f"wrote {out_file} ({text.count('<correspDesc ')} letters)", err=True)
