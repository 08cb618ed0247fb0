"""Reading ahead: the next piece of a resource (or the next resource) is read and typed in a
background thread while the caller checks this one. The work is mostly Arrow's, which runs
outside the GIL, so reading and checking share the two cores.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from ..contract.package import Package, Resource
from .memory import release_memory
from .stream import _Typing, _batches, _csv_chunks, _streamed_as
from .tables import Table, read_table

__all__ = ["iter_batches", "ReadAhead"]


def iter_batches(package: Package, resource: Resource, *, stream: bool = True) -> Iterator[Table]:
    """The resource as one `Table`, or — a large plain CSV file with `stream` — a `Table` per
    chunk of whole lines (`Table.data` holds the chunk's bytes). A file that turns out not to be
    plain midway raises `NotStreamable`: start again with `stream=False`.

    Chunks are read and parsed in a background thread, while the caller checks the previous
    chunk (the work is mostly Arrow's, which runs outside the GIL). A validation reads all its
    tables this way through one `ReadAhead`.
    """
    kind = _streamed_as(resource, stream)
    if kind is None:
        yield read_table(package, resource)
        return
    # Reading and parsing the next chunk overlaps with checking this one (on the other core).
    yield from _prefetched(_batches(package, resource, kind, None))


class ReadAhead:
    """The resources of a validation, read one after another by one background thread, in the
    order they are checked: while the caller finishes one table (its last chunk, its keys), the
    next is already being read, so neither core waits at the seams between tables.

    `batches(name)` gives what `iter_batches(stream=True)` would; each table's reading error
    (`NotStreamable`…) is raised when its turn comes. At most two pieces are in memory ahead.
    """

    _END = object()

    def __init__(self, package: Package, names: list[str], prepare: Callable[[Table], None] | None) -> None:
        import threading

        waiting = threading.Event()  # set while the checking thread waits for the next piece

        def tables() -> Iterator[tuple[str, Any, BaseException | None]]:
            from .csvfile import NotStreamable

            for name in names:
                resource = package.resources[name]
                kind = _streamed_as(resource, True)
                pieces = _csv_chunks(package, resource, prepare, waiting.is_set) if kind == "csv" else _batches(package, resource, kind, prepare)
                while True:
                    try:
                        table = next(pieces)
                    except StopIteration:
                        yield name, self._END, None
                        break
                    except Exception as exc:  # this table's: raised in its turn, not the current one's
                        yield name, None, exc
                        if not isinstance(exc, NotStreamable):
                            return
                        break
                    yield name, table, None

        self._items = _prefetched(tables(), waiting)

    def batches(self, name: str) -> Iterator[Table]:
        for got, item, exc in self._items:
            if got != name:
                continue  # what is left of a table whose checks stopped early (read whole)
            if exc is not None:
                raise exc
            if item is self._END:
                return
            yield item.table() if isinstance(item, _Typing) else item

    def close(self) -> None:
        self._items.close()


def _prefetched(chunks: Iterator[Any], waiting: Any = None) -> Iterator[Any]:
    """`chunks`, with the next one read in a background thread while the caller checks this one
    (reading is mostly pyarrow's C++ and releases the GIL). At most two chunks are in memory.
    `waiting` (a threading.Event) is set while the caller waits for a chunk."""
    import queue
    import threading

    box: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()
    done = object()

    def put(item: Any) -> bool:
        while not stop.is_set():  # the consumer may stop listening at any time
            try:
                box.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for chunk in chunks:
                if not put((chunk, None)):
                    return
            put((done, None))
        except BaseException as exc:  # handed to the consumer, raised there (NotStreamable…)
            put((done, exc))

    worker = threading.Thread(target=produce, name="conflictdata-read", daemon=True)
    worker.start()
    try:
        while True:
            try:
                item, exc = box.get_nowait()
            except queue.Empty:
                if waiting is not None:
                    waiting.set()
                item, exc = box.get()
                if waiting is not None:
                    waiting.clear()
            if exc is not None:
                raise exc
            if item is done:
                return
            yield item
            del item
            release_memory()
    finally:
        stop.set()
        worker.join()
