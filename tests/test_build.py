"""The build's own duties: sequencing the stages and telling the curator what it could not resolve."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from kg.build import BuildError, assemble_graphs, curator_problems

ROOT = Path(__file__).resolve().parent.parent
BASE = "https://kg.example.org"

UNKNOWN_SENDER_PAGE = """Marx-Engels | Lenin | Stalin | Home Page
Bolshevik leadership Correspondence. 1912-1927
Collection of documents 1996.
Compiled by: A.V.Kvashonkin, L.P.Kosheleva, L.A.Rogovaya, O.V.Khlevnyuk.
No. 10
P. P. Nobodyev - V. I. Lenin
January 5, 1918
Dear Vladimir Ilyich!
Everything is quiet here.
Nobodyev
RTSKHIDNI. F. 2. On. 1. D. 5000. L. 1. Autograph.
"""


@pytest.fixture()
def corpus(tmp_path: Path) -> Path:
    shutil.copytree(ROOT / "data", tmp_path / "data")
    return tmp_path / "data" / "sources"


def test_a_party_missing_from_the_authorities_is_reported_to_the_curator(corpus: Path) -> None:
    (corpus / "bl1996-no010-nobodyev-to-lenin-1918-01-05.txt").write_text(UNKNOWN_SENDER_PAGE, encoding="utf-8")
    said: list[str] = []
    graphs, sources = assemble_graphs(corpus, BASE, progress=said.append)
    problems = curator_problems(graphs)
    assert any("Nobodyev" in problem and problem.startswith("bl1996-no010") for problem in problems)
    assert any("match no authority entry" in message and "Nobodyev" in message for message in said)
    assert [s["documents"] for s in sources] == [1, 1]


def test_an_empty_sources_folder_is_an_error_that_says_nothing_was_published(tmp_path: Path) -> None:
    (tmp_path / "sources").mkdir()
    with pytest.raises(BuildError, match="(?s)holds no .txt or .xml source files.*Nothing was published"):
        assemble_graphs(tmp_path / "sources", BASE)


def test_a_parallel_build_publishes_the_same_bytes_as_a_build_in_one_process(tmp_path: Path) -> None:
    """Enough pages for two validation batches, so source graphs are mapped and spilled in worker processes."""
    from benchmarks.corpus import generate_corpus
    from kg.build import run_build

    generate_corpus(420, tmp_path / "corpus", seed=5)
    sources = tmp_path / "corpus" / "sources"
    assert len(list(sources.glob("*.txt"))) > 200
    one = run_build(sources, tmp_path / "one", BASE, quiet=True, workers=1)
    two = run_build(sources, tmp_path / "two", BASE, quiet=True, workers=2)
    assert one.name == two.name  # the release id is the hash of the manifest, which holds every file's hash
    files = sorted(p.relative_to(one).as_posix() for p in one.rglob("*") if p.is_file())
    assert "search.sqlite" in files and "dataset.nq" in files
    for name in files:
        assert (one / name).read_bytes() == (two / name).read_bytes(), name
    manifest = (one / "manifest.json").read_text(encoding="utf-8")
    assert '"letters": 420' in manifest and f"{BASE}/graph/statistics" in manifest


def test_a_full_disk_while_publishing_is_said_in_words_and_nothing_is_published(
        corpus: Path, tmp_path: Path, monkeypatch) -> None:
    """The operating system's refusal (here: no space left while the dataset description is written) is the
    build's error, with the file it was writing, and the release served before stays the one served."""
    import kg.publish
    from kg.build import run_build
    from kg.publish import current_release

    before = run_build(corpus, tmp_path / "build", BASE, quiet=True, workers=1)

    def full_disk(path, _data):
        raise OSError(28, "No space left on device", str(path))

    monkeypatch.setattr(kg.publish, "write_file", full_disk)
    with pytest.raises(BuildError, match=r"(?s)the build failed: No space left on device \(.*void\.ttl\).*"
                                         "Nothing was published"):
        run_build(corpus, tmp_path / "build", BASE, quiet=True, workers=1)
    assert current_release(tmp_path / "build") == before
    assert not list((tmp_path / "build" / "releases").glob(".tmp-*"))


def test_an_out_folder_that_cannot_be_made_is_named_without_a_traceback(corpus: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kg.cli import main

    result = CliRunner().invoke(main, ["build", "--quiet", "--sources", str(corpus), "--out", "/proc/kg-build"])
    assert result.exit_code != 0
    assert "the build failed: No such file or directory (/proc/kg-build)" in result.output
    assert "Nothing was published" in result.output and "Traceback" not in result.output


def test_a_disk_too_small_for_a_build_like_the_last_is_said_when_the_build_begins(corpus: Path, tmp_path: Path,
                                                                                  capsys, monkeypatch) -> None:
    """Even with --quiet (a warning is not progress); not before the first build, nor when there is room; and the
    build goes on (the corpus may have shrunk)."""
    import kg.publish
    from kg.build import run_build
    from kg.publish import current_release

    run_build(corpus, tmp_path / "build", BASE, quiet=True, workers=1)
    assert "warning" not in capsys.readouterr().err  # the first build has nothing to go by
    run_build(corpus, tmp_path / "build", BASE, quiet=True, workers=1)
    assert "warning" not in capsys.readouterr().err  # this disk has room for the bundled letters
    real = shutil.disk_usage
    monkeypatch.setattr(kg.publish.shutil, "disk_usage",
                        lambda path: real(path)._replace(free=1_000_000))
    release = run_build(corpus, tmp_path / "build", BASE, quiet=True, workers=1)
    said = capsys.readouterr().err
    assert said.startswith(f"kg build: warning: the disk of {tmp_path / 'build'} has 0.0 GB free, and a build like "
                           f"the last one needs about ")
    assert "the build stops and publishes nothing" in said
    assert current_release(tmp_path / "build") == release


def test_the_build_says_which_step_begins(corpus: Path, tmp_path: Path, capsys) -> None:
    from kg.build import run_build

    run_build(corpus, tmp_path / "build", BASE, quiet=False, workers=1)
    said = capsys.readouterr().out
    steps = ["reading sources", "mapping and validating 1 source file(s)", "publishing into", "sorting",
             "writing dataset.nq", "at the same time, the dumps (kg.ttl"]
    assert [said.index(step) for step in steps] == sorted(said.index(step) for step in steps)
    # each step with the minutes and seconds since the build began
    assert re.match(r"kg build \[0:\d\d\]: reading sources", said)


def test_documents_asked_for_are_rendered_into_the_release_and_served_as_they_are(corpus: Path, tmp_path: Path,
                                                                                 serve_app) -> None:
    """``kg build --documents letter``: the letters' pages and RDF documents are in the release (listed with their
    checksums in the manifest) before it is swapped in, the same bytes on every build, and the server sends
    them as stored."""
    import json

    import requests

    from kg.build import run_build
    from kg.documents import DocumentPack
    from server.config import ServerConfig

    release = run_build(corpus, tmp_path / "build", BASE, quiet=True, workers=1, documents=("letter",))
    again = run_build(corpus, tmp_path / "again", BASE, quiet=True, workers=1, documents=("letter",))
    assert again.name == release.name
    assert (release / "documents" / "pack.bin").read_bytes() == (again / "documents" / "pack.bin").read_bytes()
    facts = json.loads((release / "manifest.json").read_text(encoding="utf-8"))["documents"]
    assert facts["documents"] >= 1 and facts["formats"] == ["html", "jsonld", "nt", "rdf", "ttl"]
    assert "seconds" not in facts and set(facts["files"]) == {"documents/pack.bin", "documents/index.json"}
    pack = DocumentPack.open(release)
    key = "letter/bl1996-009"
    stored = pack.get(key, "ttl")
    assert stored is not None
    assert {k.split("/")[0] for k in pack.keys()} == {"letter"}  # only the kind asked for, and every letter
    assert len(pack) == facts["documents"] == json.loads((release / "manifest.json").read_text())["counts"][
        "letters"]
    with serve_app(ServerConfig.from_options(build_dir=tmp_path / "build")) as base:
        answer = requests.get(f"{base}/doc/{key}.ttl", timeout=10)
    assert answer.status_code == 200 and answer.content == stored.body
    assert answer.headers["ETag"] == f'"{stored.etag}"'
    without = run_build(corpus, tmp_path / "plain", BASE, quiet=True, workers=1)
    assert not (without / "documents").exists() and without.name != release.name


def test_an_unknown_kind_of_document_is_refused_naming_the_parameter(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from kg.cli import main

    result = CliRunner().invoke(main, ["build", "--out", str(tmp_path / "b"), "--documents", "letter,letters"])
    assert result.exit_code == 2
    assert "--documents" in result.output and "'letters'" in result.output
    assert not (tmp_path / "b" / "current").exists()
