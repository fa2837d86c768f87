"""kg.memory: freed heap pages go back to the system (what a build's planning leaves behind)."""

from __future__ import annotations

import sys

import pytest

from kg.memory import release_free_memory


def _resident_bytes() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * 4096


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="malloc_trim is glibc's")
def test_freed_heap_pages_are_returned():
    blocks = [bytes([i % 256]) * 2000 for i in range(100_000)]  # 200 MB in malloc'ed blocks, as records were
    blocks = blocks[75_000:]  # the first 150 MB freed; what lives on lies above them, so no heap top to cut
    held = _resident_bytes()
    assert release_free_memory()
    assert held - _resident_bytes() > 100_000_000
    assert len(blocks) == 25_000
