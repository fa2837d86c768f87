"""Granian-specific parts of serving (server/granian_server.py); the endpoint itself is tested over HTTP under
Granian throughout tests/server, and the runaway-query rules under both servers in test_sparql_limits.py."""

from __future__ import annotations

import io

from server.granian_server import CHUNK, LargeChunkFileWrapper, granian_options, with_file_wrapper


def test_files_are_sent_in_large_pieces_whatever_werkzeug_asks_for():
    data = bytes(range(256)) * (3 * CHUNK // 256 + 10)
    pieces = list(LargeChunkFileWrapper(io.BytesIO(data), 8192))  # werkzeug's send_file asks for 8 KiB
    assert [len(p) for p in pieces] == [CHUNK, CHUNK, CHUNK, len(data) - 3 * CHUNK]
    assert b"".join(pieces) == data


def test_the_wrapper_is_offered_to_the_app_unless_the_server_has_one():
    seen = []

    def app(environ, start_response):
        seen.append(environ["wsgi.file_wrapper"])
        return [b""]

    wrapped = with_file_wrapper(app)
    wrapped({}, None)
    own = object()
    wrapped({"wsgi.file_wrapper": own}, None)
    assert seen == [LargeChunkFileWrapper, own]


def test_a_stopped_worker_with_a_stuck_query_is_killed_after_the_time_limit_and_a_margin():
    from server.config import ServerConfig
    from tests.conftest import FIXTURES

    config = ServerConfig.from_options(data_files=[FIXTURES / "letters-small.trig"], query_timeout=12.0)
    options = granian_options(config, "127.0.0.1", 5000, workers=3, threads=2, access_log=False)
    assert options["workers"] == 3 and options["blocking_threads"] == 2
    assert options["respawn_failed_workers"] is True and options["respawn_interval"] > 0
    assert options["workers_kill_timeout"] == 17
