"""Handing memory freed between chunks back to the system (`release_memory`), so that the
allocators' caches, not live data, do not set the peak of a streamed validation.
"""

from __future__ import annotations

from typing import Any

__all__ = ["release_memory", "RELEASE_SLACK"]


# Freed memory the allocators may keep for reuse before it is handed back (`release_memory`).
RELEASE_SLACK = 128 << 20
_RELEASED_AT: list[int] = [0]


def release_memory() -> None:
    """Hand memory freed by the last chunks back to the system, once the process has grown by
    `RELEASE_SLACK` since it last did. Allocators keep freed pages for reuse (Arrow's mimalloc;
    glibc's per-thread arenas, one per reading thread), and over a stream of 10^7 rows that
    cache, not live data, would set the peak (3.2 GB for 1 GB live). Handing back after every
    chunk instead costs a page fault for every page the next chunk touches: a fifth of the time."""
    rss = _resident_bytes()
    if rss is not None and rss < _RELEASED_AT[0] + RELEASE_SLACK:
        return
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    trim = _malloc_trim()
    if trim is not None:
        trim(0)
    _RELEASED_AT[0] = _resident_bytes() or 0


def _resident_bytes() -> int | None:
    """The process's resident memory now (None where /proc is not: then memory is always released)."""
    import os

    try:
        with open("/proc/self/statm", "rb") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        return None


_TRIM: list[Any] = []


def _malloc_trim() -> Any:
    if not _TRIM:
        try:
            import ctypes
            import ctypes.util

            _TRIM.append(ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6").malloc_trim)
        except (OSError, AttributeError):  # not glibc (macOS, musl…): nothing to trim
            _TRIM.append(None)
    return _TRIM[0]
