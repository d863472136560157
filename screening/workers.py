"""Screening on several cores: worker processes screen, the caller reads and writes meanwhile.

Python runs one thread of Python code at a time, so the cores are used by
processes. Each worker is forked from the caller with the screener already
built (a large list's index takes seconds to build; a fork shares it at
once). Two ways:

- names (:func:`check_in_processes`): batches of distinct, not yet seen
  names go out, results come back in order, and the caller's screener
  remembers them, so a name repeated across batches is scored once;
- a file's rows (:func:`map_in_processes`, for a report): batches of rows go
  out (or, for a CSV file, where a chunk of them lies in the file, for the
  worker to read itself), and each comes back as report text, formatted in
  the worker (turning a row into report text takes longer than reading it),
  with its counts and flagged rows. Each worker remembers the names it has
  scored.

Remembered results live as long as the run, so after each batch they are
moved out of the garbage collector's sight (``gc.freeze``): otherwise every
full collection walks all of them again, which cost a million-name run a
third of its time, and in a forked worker it would also copy every page of
the caller's memory that the walk touches.
"""

from __future__ import annotations

import gc
import itertools
import multiprocessing
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager, suppress
from typing import TYPE_CHECKING, Any, TypeVar

from screening.results import NameResult

if TYPE_CHECKING:
    from screening.matching import Screener

BATCH = 4000
T = TypeVar("T")
R = TypeVar("R")
S = TypeVar("S")
_shared: Any = None  # in a worker, what every task needs besides its own part (the screener, say)


def _share(shared: object) -> None:
    # Run in each worker as it starts. (Set in the caller instead, a second
    # run started meanwhile on another thread could hand its workers the
    # other run's.) Forked, it is inherited, not copied.
    global _shared
    _shared = shared


def _run(function: Callable[[Any, T], R], task: T) -> R:
    # No collections during a task: each one walked the objects the task
    # had made so far (rows, results), 7% of a worker's time. One walk of
    # them after it frees any cycles among its leftovers; what is kept (names
    # scored) then goes out of the collector's walks.
    gc.disable()
    try:
        result = function(_shared, task)
    finally:
        gc.enable()
    gc.collect(0)
    gc.freeze()
    return result


def _check_batch(screener: Screener, names: list[str]) -> list[NameResult | str]:
    # A plain clear result goes back as its normalised name alone (see
    # _results): pickling a result costs 1.5 µs and unpickling it 1.9, a
    # string a tenth of that, and nearly every name is clear.
    return [r.normalized if r.status == "clear" and not r.note else r for r in screener.check_many(names)]


def _results(names: list[str], sent: list[NameResult | str]) -> Iterator[tuple[str, NameResult]]:
    """(name, result) for what :func:`_check_batch` sent back for ``names``."""
    for name, result in zip(names, sent, strict=True):
        yield name, NameResult(name=name, status="clear", normalized=result) if isinstance(result, str) else result


@contextmanager
def frozen_run() -> Iterator[bool]:
    """Whether a run may move what it keeps out of the collector's walks (``gc.freeze``); all let go when it ends.

    Not when the caller froze objects of its own: unfreezing would undo that.
    """
    own = gc.get_freeze_count() == 0
    try:
        yield own
    finally:
        if own:
            gc.unfreeze()


def batches(items: Iterable[T]) -> Iterator[list[T]]:
    """``items`` in lists of ``BATCH`` (the last one shorter)."""
    items = iter(items)
    while batch := list(itertools.islice(items, BATCH)):
        yield batch


def can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods()


def check_in_processes(
    screener: Screener, name_batches: Iterable[list[str]], *, workers: int, freeze: bool = True
) -> Iterator[list[NameResult]]:
    """The results of ``screener.check_many`` for each batch of names, in order, scored by ``workers`` forked processes.

    Only the batch's names not yet screened nor out with a worker go out;
    up to ``workers + 1`` batches are out at once, as :func:`map_in_processes`
    sends them. ``freeze``: move the caller's objects out of the collector's
    sight before forking and after each batch (the caller unfreezes them
    when the run ends).
    """
    if freeze:
        gc.freeze()
    waiting: deque[tuple[list[str], list[str]]] = deque()  # (batch, its names sent out)
    out: set[str] = set()

    def new_names() -> Iterator[list[str]]:
        for batch in name_batches:
            new = [n for n in screener.unknown(batch) if n not in out]
            out.update(new)
            waiting.append((batch, new))
            yield new

    for results in map_in_processes(_check_batch, new_names(), processes=workers, shared=screener):
        batch, new = waiting.popleft()
        screener.remember(_results(new, results))
        out.difference_update(new)
        yield screener.check_many(batch)
        if freeze:
            gc.freeze()


def map_in_processes(
    function: Callable[[S, T], R],
    tasks: Iterable[T],
    *,
    processes: int,
    shared: S,
) -> Iterator[R]:
    """``function(shared, task)`` for each task, in order, on ``processes`` forked processes.

    Up to ``processes + 1`` tasks are out at once. ``shared`` is what every
    task needs besides its own part; each process inherits it as it is
    forked, not copied. ``function`` is a module-level function (or a
    partial of one): it goes to the processes by name.
    """
    pending: deque[Future[R]] = deque()
    fork = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=processes, mp_context=fork, initializer=_share, initargs=(shared,)) as pool:
        _widen_results_pipe(pool)
        for task in tasks:
            pending.append(pool.submit(_run, function, task))
            while len(pending) > processes:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _widen_results_pipe(pool: ProcessPoolExecutor) -> None:
    """Let the pipe that brings results back hold two batches' (Linux; elsewhere, or if the pool changes, nothing).

    A batch's report text (about 400 KB for 4,000 CSV lines) went back
    through a pipe of 64 KB, a piece at a time: the worker waited each time
    for the main process, which shares the two cores with both workers, to
    be scheduled and read it. With 1 MB, in alternate runs of a million-row
    CSV file, the median run went from 2.84x the floor to 2.46x (2.61x to
    2.54x in another six). The pool's result queue is not a public attribute.
    """
    try:
        import fcntl  # (not on Windows, which cannot fork workers anyway)
    except ImportError:
        return
    writer = getattr(getattr(pool, "_result_queue", None), "_writer", None)
    set_size = getattr(fcntl, "F_SETPIPE_SZ", None)
    if writer is not None and set_size is not None:
        with suppress(OSError):
            fcntl.fcntl(writer.fileno(), set_size, 1 << 20)
