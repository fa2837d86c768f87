"""What one running server serves, checked up front so that a bad option fails at start-up, not on a request.

A config is built once in the server's master process (Granian, or gunicorn's ``preload``), so an in-memory
store loaded here is shared by the forked workers; a persisted read-only store is opened lazily in each worker
instead (see ``kg.store``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from kg import settings
from kg.store import (
    EmbeddedStore,
    RemoteStore,
    Store,
    StoreError,
    load_files,
    open_release_store,
    read_manifest,
    resolve_release,
)

#: Default cap on one serialised answer; beyond it the endpoint answers 503 and points to the dumps.
DEFAULT_MAX_RESULT_BYTES = 32 * 1048576
#: Per-worker budget for cached answers (the build is immutable while the server runs).
DEFAULT_RESULT_CACHE_BYTES = 32 * 1048576


class ServerConfigError(ValueError):
    """A serve option is wrong; the message names the option (``--build``, ``--data``...)."""


@dataclass
class ServerConfig:
    """Everything the Flask app needs: the store, the base URI and the limits."""

    store: Store
    base_uri: str = settings.DEFAULT_BASE_URI
    build_dir: Path | None = None
    release_dir: Path | None = None  #: the resolved ``DIR/current`` release, if serving a build
    data_files: tuple[Path, ...] = ()
    manifest: dict = field(default_factory=dict)
    store_url: str | None = None
    query_timeout: float = 5.0
    max_result_bytes: int = DEFAULT_MAX_RESULT_BYTES
    result_cache_bytes: int = DEFAULT_RESULT_CACHE_BYTES
    behind_proxy: bool = False  #: trust X-Forwarded-* from one reverse proxy (``kg serve --behind-proxy``)

    @property
    def release_id(self) -> str | None:
        """The release's id (its folder name), used in cache validators; None when serving files."""
        return self.release_dir.name if self.release_dir else None

    @classmethod
    def from_options(cls, *, build_dir: Path | None = None, data_files: list[Path] | None = None,
                     base_uri: str | None = None, store_url: str | None = None, query_timeout: float = 5.0,
                     max_result_bytes: int = DEFAULT_MAX_RESULT_BYTES,
                     result_cache_bytes: int = DEFAULT_RESULT_CACHE_BYTES) -> ServerConfig:
        """Check the ``kg serve`` options and open the store.

        Raises :class:`ServerConfigError` naming the option at fault.
        """
        if query_timeout is None or not query_timeout > 0:
            raise ServerConfigError(f"--query-timeout must be a positive number of seconds, "
                                    f"got {query_timeout}")
        if max_result_bytes <= 0:
            raise ServerConfigError(f"the result size limit must be positive, got {max_result_bytes}")
        data_files = [Path(p) for p in data_files or ()]
        if data_files and store_url:
            raise ServerConfigError("--data and --store cannot be combined: serve either files or a remote "
                                    "store")
        release_dir: Path | None = None
        manifest: dict = {}
        store: Store
        if data_files:
            for path in data_files:
                if not path.is_file():
                    raise ServerConfigError(f"--data {path}: no such file")
            try:
                store = load_files(data_files)
            except StoreError as exc:
                raise ServerConfigError(f"--data {exc}") from exc
            build_dir = None
        else:
            if build_dir is None:
                build_dir = settings.default_build_dir()
            try:
                release_dir = resolve_release(Path(build_dir))
                manifest = read_manifest(release_dir)
            except StoreError as exc:
                if not store_url:
                    raise ServerConfigError(f"--build {build_dir}: {exc}") from exc
                release_dir = None
            if store_url:
                try:
                    store = RemoteStore(store_url, timeout=query_timeout)
                except StoreError as exc:
                    raise ServerConfigError(str(exc)) from exc
            else:
                assert release_dir is not None
                try:
                    store = open_release_store(release_dir)
                except StoreError as exc:
                    raise ServerConfigError(f"--build {build_dir}: {exc}") from exc
        chosen = base_uri or manifest.get("base_uri") or settings.DEFAULT_BASE_URI
        try:
            chosen = settings.normalise_base_uri(chosen)
        except ValueError as exc:
            raise ServerConfigError(str(exc)) from exc
        return cls(store=store, base_uri=chosen, build_dir=Path(build_dir) if build_dir else None,
                   release_dir=release_dir, data_files=tuple(data_files), manifest=manifest,
                   store_url=store_url,
                   query_timeout=float(query_timeout), max_result_bytes=max_result_bytes,
                   result_cache_bytes=result_cache_bytes)

    @classmethod
    def for_store(cls, store: Store, **kwargs: object) -> ServerConfig:
        """A config around an already opened store (tests, embedding)."""
        return cls(store=store, **kwargs)  # type: ignore[arg-type]


__all__ = ["ServerConfig", "ServerConfigError", "EmbeddedStore", "RemoteStore"]
