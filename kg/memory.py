"""Give freed heap memory back to the operating system after a large, short-lived structure is dropped.

Why: planning a corpus reads every record as Python objects and then keeps them pickled
(``kg.mapping.CorpusMapping``); once the caller drops the objects, glibc keeps the freed heap pages for later
``malloc`` calls. Forked workers then inherit them, and the memory a build reports (every process's
proportional set size) still counts them: 93 MiB of 394 at 30,000 letters. ``malloc_trim(0)`` returns them.
Elsewhere (macOS, musl, Windows) there is no such call and nothing to do.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def release_free_memory() -> bool:
    """Collect garbage, then ask the C library to return free heap pages; whether it could be asked."""
    gc.collect()
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        trim = libc.malloc_trim
    except (OSError, AttributeError):
        return False
    trim.argtypes = [ctypes.c_size_t]
    trim(0)
    return True


def without_collector(work: Callable[..., T], *args: object) -> T:
    """``work(*args)`` with no cyclic garbage collection; the collector comes back once ``work`` has returned.

    For work that allocates millions of objects that stay alive until it is done and hold no reference cycles
    (a validation batch; reading and planning a corpus): every collection the allocations trigger walks all the
    live objects again. The collector is enabled again only after ``work``'s frame is gone, so what it made and
    dropped has been freed by then; enabled while its data was still alive (a ``with`` block inside the
    function that holds it), the first allocation afterwards walked all of it once more, 8 % of a validation
    batch's time (py-spy, 10,000 letters). What little cyclic garbage the work leaves is collected later, in
    the ordinary way. Processes forked meanwhile start without a collector too, and keep it off until they end.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return work(*args)
    finally:
        if was_enabled:
            gc.enable()
