"""Give the memory the dashboard has finished with back to the system (glibc's allocator; elsewhere nothing is done).

What the server holds at rest at 10M events is small (the page cache a few MB, DuckDB's buffers under
``STANCEWATCH_DUCKDB_MEMORY``); what made it 1.4 GB resident with one session was memory freed but kept:
pandas frames of a page's queries, freed after the run, stayed in glibc's heaps, whose threshold for
giving large blocks their own mapping rises after each one freed (up to 32 MB), so later frames came from
heaps that are returned only from their top; and each session's script thread can grow its own heap
(arena). Python, pandas and numpy allocate through it; DuckDB has its own allocator (jemalloc). Its
background purge threads (``allocator_background_threads``) are not used: left running at exit they
aborted a test process after its tests passed ("terminate called without an active exception", 134).
"""

from __future__ import annotations

import ctypes
import functools
import gc
import threading
import time

M_TRIM_THRESHOLD, M_MMAP_THRESHOLD, M_ARENA_MAX = -1, -3, -8  # mallopt parameters, <malloc.h>
MMAP_THRESHOLD = 1 << 20
"""Blocks from 1 MiB up get a mapping of their own, returned to the system when freed (fixed: glibc's default rises)."""
TRIM_THRESHOLD = 32 << 20
"""Free memory at a heap's top kept for reuse before it is returned."""
ARENAS = 4
"""Heaps shared by the server's threads (glibc's default is eight per core, one per thread in practice)."""
TRIM_EVERY = 2.0
"""Seconds between two trims at least: a trim walks every heap."""

_last_trim = [0.0]
_trim_guard = threading.Lock()


@functools.cache
def _glibc() -> ctypes.CDLL | None:
    """The C library when it is glibc (looked up once: every page run asks)."""
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim  # noqa: B018 - raises AttributeError when the C library is not glibc
    except (OSError, AttributeError):
        return None
    return libc


def configure() -> bool:
    """Set glibc's thresholds (``MMAP_THRESHOLD``, ``TRIM_THRESHOLD``, ``ARENAS``) for the rest of the process; False where
    the C library is not glibc."""
    libc = _glibc()
    if libc is None:
        return False
    return all(libc.mallopt(param, value) == 1 for param, value in (
        (M_MMAP_THRESHOLD, MMAP_THRESHOLD), (M_TRIM_THRESHOLD, TRIM_THRESHOLD), (M_ARENA_MAX, ARENAS)))


def trim() -> bool:
    """Return the free memory of every heap to the system, at most once per ``TRIM_EVERY`` seconds; whether it ran."""
    libc = _glibc()
    now = time.monotonic()
    with _trim_guard:
        if libc is None or now - _last_trim[0] < TRIM_EVERY:
            return False
        _last_trim[0] = now
    libc.malloc_trim(0)  # ctypes releases the GIL during the call: other sessions run on
    return True


_frozen = [False]


def freeze_once() -> bool:
    """Move every object alive now out of the garbage collector's sight, once per process (after the first page run:
    the modules, plotly's validators, the page cache's structures); whether this call did it.

    A full collection walks every tracked object; with the app's imports and first results alive, one took 0.8 s in
    the middle of a filter change at 1M events on the busy host (bench/changes_profile.py). Frozen objects are
    never collected: what the first run made and then dropped is freed by reference counting as before, but a
    reference cycle alive at the freeze and dropped later (the first session's, when it closes) stays.
    """
    with _trim_guard:
        if _frozen[0]:
            return False
        _frozen[0] = True
    gc.collect()  # what is garbage now is not frozen with the rest
    gc.freeze()
    return True
