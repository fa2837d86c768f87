"""The build's own duties: sequencing the stages and telling the curator what it could not resolve."""

from __future__ import annotations

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
