"""Work shared among threads: how many nnlite uses, and the one pool of workers it keeps.

NumPy releases the GIL inside its copies and element-wise loops, so several Python threads
can run NumPy on different parts of the same arrays at once, as PyTorch shares its
element-wise kernels among its intra-op threads. nnlite does this for the updates of large
parameters (:mod:`nnlite.optimizers.engine.blocks`) and for the copies and element-wise passes
over large arrays in the image layers and ReLU (:func:`in_parts`, :func:`copy_in_parts`,
:func:`elementwise_in_parts`). Each thread computes exactly what one thread would have for its
part, so the numbers are the same to the bit whatever the thread count. Work on fewer than
:data:`MIN_SHARED_SIZE` numbers stays on the calling thread.

:func:`set_threads` chooses the count (one per CPU this process may use by default); the
optimizers' :func:`~nnlite.optimizers.set_update_threads` is the same setting.
"""

from __future__ import annotations

import contextvars
import os
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, wait
from typing import TypeVar

import numpy as np

Part = TypeVar("Part")

#: Work on fewer numbers than this runs on one thread: handing a part to another thread costs
#: tens of microseconds, about as long as one thread takes to copy this many numbers
MIN_SHARED_SIZE = 200_000

_threads: int | None = None
_pool: ThreadPoolExecutor | None = None
_WORKER_NAME = "nnlite-worker"


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
    if len(parts) == 1 or threading.current_thread().name.startswith(_WORKER_NAME):
        # (a part that shares work again runs it itself: waiting for the pool's workers from
        # one of them could wait for ever)
        for part in parts:
            work(part)
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


def in_parts(work: Callable[[slice], None], length: int, size: int) -> None:
    """Call ``work(part)`` for slices ``part`` of ``range(length)``, one per thread, at once.

    ``work`` applies one step to the slice ``part`` of an axis of ``length`` its arrays share,
    so that the parts never write to the same numbers; ``size`` is how many numbers the whole
    step touches. Below :data:`MIN_SHARED_SIZE` numbers, or with one thread, it is one call
    ``work(slice(0, length))``.
    """
    threads = min(thread_count(), length)
    if threads == 1 or size < MIN_SHARED_SIZE:
        work(slice(0, length))
        return
    bounds = [length * thread // threads for thread in range(threads + 1)]
    share_among_threads(work, [slice(bounds[i], bounds[i + 1]) for i in range(threads)])


def copy_in_parts(destination: np.ndarray, source: np.ndarray) -> None:
    """``np.copyto(destination, source)``, shared among the threads along the axis (of all but
    the last, whose numbers lie next to each other) that splits most evenly among them."""
    threads = thread_count()
    if threads == 1 or destination.size < MIN_SHARED_SIZE:
        np.copyto(destination, source)
        return
    shape = destination.shape
    # The largest part, relative to an even split; the outermost axis on a tie
    axis = min(range(max(1, len(shape) - 1)), key=lambda a: (-(-shape[a] // threads) / shape[a], a))
    before = (slice(None),) * axis

    def copy(part: slice) -> None:
        np.copyto(destination[(*before, part)], source[(*before, part)])

    in_parts(copy, shape[axis], destination.size)


def elementwise_in_parts(
    function: Callable[..., np.ndarray], *operands: np.ndarray | float, like: np.ndarray
) -> np.ndarray:
    """``function(*operands)``, an element-wise NumPy function (a ufunc, or steps of them that
    take ``out=``), computed into a new array laid out in memory as ``like``, shared among the
    threads along its outermost axis in memory. Array operands broadcast against ``like``;
    each number is computed as in one call ``function(*operands)``. Only for floating-point
    arrays of ``like``'s dtype (anything else is the one call)."""
    arrays = [operand for operand in operands if isinstance(operand, np.ndarray)]
    if (
        thread_count() == 1
        or like.size < MIN_SHARED_SIZE
        or like.ndim == 0
        or like.dtype.kind != "f"
        or any(array.dtype != like.dtype for array in arrays)
    ):
        return function(*operands)
    out = np.empty_like(like)
    # Every array seen with its axes in the order they lie in memory in `out`
    order = sorted(range(out.ndim), key=lambda axis: -abs(out.strides[axis]))
    stored = out.transpose(order)
    operands = [
        np.broadcast_to(operand, out.shape).transpose(order)
        if isinstance(operand, np.ndarray)
        else operand
        for operand in operands
    ]

    def compute(part: slice) -> None:
        parts = [
            operand[part] if isinstance(operand, np.ndarray) else operand for operand in operands
        ]
        function(*parts, out=stored[part])

    in_parts(compute, len(stored), stored.size)
    return out


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
            max_workers=max(1, thread_count() - 1), thread_name_prefix=_WORKER_NAME
        )
    return _pool
