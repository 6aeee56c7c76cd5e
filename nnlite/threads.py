"""Work shared among threads: how many nnlite uses, and the one pool of workers it keeps.

NumPy releases the GIL inside its copies and element-wise loops, so several Python threads
can run NumPy on different parts of the same arrays at once, as PyTorch shares its
element-wise kernels among its intra-op threads. nnlite does this in two places: the updates
of large parameters (:mod:`nnlite.optimizers.engine.blocks`) and the copies and element-wise
passes of the image layers (:func:`share_among_threads`, used by
:mod:`nnlite.layers.windows`). Each thread computes exactly what one thread would have for
its part, so the numbers are the same to the bit whatever the thread count.

:func:`set_threads` chooses the count (one per CPU this process may use by default); the
optimizers' :func:`~nnlite.optimizers.set_update_threads` is the same setting.
"""

from __future__ import annotations

import contextvars
import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from typing import TypeVar

Part = TypeVar("Part")

_threads: int | None = None
_pool: ThreadPoolExecutor | None = None


def set_threads(count: int | None, *, caller: str = "set_threads") -> None:
    """Use ``count`` threads for the work nnlite shares (``None``: one per CPU this process
    may use). ``1`` runs everything on the calling thread."""
    global _threads, _pool
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 1):
        raise ValueError(f"{caller}: count must be a positive int or None, got {count!r}")
    _threads = count
    if _pool is not None:
        _pool.shutdown(wait=True)
        _pool = None


def thread_count() -> int:
    """How many threads nnlite shares its work among."""
    if _threads is not None:
        return _threads
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def share_among_threads(work: Callable[[Part], None], parts: Sequence[Part]) -> None:
    """Call ``work(part)`` for every part, the first on this thread and the others on the
    pool's workers, and return when all have finished.

    Each worker runs in a copy of this thread's context, so ``np.errstate`` applies there too.
    If a part fails, this still waits until no thread writes any more, then raises the error.
    """
    if len(parts) == 1:
        work(parts[0])
        return
    pending = [
        _thread_pool().submit(contextvars.copy_context().run, work, part) for part in parts[1:]
    ]
    try:
        work(parts[0])
    finally:
        # Even if this thread's part fails, return only when no thread writes any more
        wait(pending)
    for future in pending:
        future.result()


def _forget_pool() -> None:
    """In a child process made by fork, the parent's worker threads do not exist."""
    global _pool
    _pool = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


def _thread_pool() -> ThreadPoolExecutor:
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(
            max_workers=max(1, thread_count() - 1), thread_name_prefix="nnlite-worker"
        )
    return _pool
