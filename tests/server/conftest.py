"""A real headless Chromium (Debian's ``chromium`` driven by Playwright) for the browser tests of the server.

Under CI=true a missing browser is a failure, not a skip: the suite must not go green without these checks.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# Without these, Chromium keeps trying to reach Google services on a machine with no network.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _browser_or_reason() -> str | None:
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"{CHROMIUM} is missing (install Debian's chromium: scripts/ensure-chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "the playwright package is missing (pip install -e '.[test]')"
    return None


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module; a skip locally and a failure under CI when it cannot start."""
    reason = _browser_or_reason()
    if reason:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"browser test cannot run under CI: {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def small_sparql(serve_app):
    """The SPARQL endpoint of ``kg serve`` (real gunicorn) over the small fixture of letters."""
    from server.config import ServerConfig
    from tests.conftest import FIXTURES

    config = ServerConfig.from_options(data_files=[FIXTURES / "letters-small.trig"])
    with serve_app(config) as url:
        yield url + "/sparql"
