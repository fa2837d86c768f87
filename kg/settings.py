"""Defaults shared by every command, in one place so that a deployment changes them once."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_BASE_URI = "https://kg.example.org"

#: Our own vocabulary. Fixed, not derived from the deployment's base URI: vocabulary IRIs must not change
#: when the same data is published under another host.
ONTOLOGY_NAMESPACE = "https://kg.example.org/ontology#"


def project_root() -> Path:
    """The folder holding ``data/``: the working directory, or ``KG_HOME`` when set."""
    return Path(os.environ.get("KG_HOME", ".")).resolve()


def default_sources_dir() -> Path:
    return project_root() / "data" / "sources"


def default_authorities_dir() -> Path:
    return project_root() / "data" / "authorities"


def default_mappings_dir() -> Path:
    return project_root() / "data" / "mappings"


def default_build_dir() -> Path:
    return project_root() / "build"


def shapes_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "shapes"


def ontology_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "ontology"


def normalise_base_uri(base_uri: str) -> str:
    """Check a base URI given on the command line and drop a trailing slash.

    Raises ``ValueError`` naming the parameter, because a malformed base would silently mint broken URIs.
    """
    parts = urlsplit(base_uri)
    if parts.scheme not in ("http", "https") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError(f"--base-uri must be an http(s) URL without query or fragment, got {base_uri!r}")
    return base_uri.rstrip("/")
