"""Large parameters updated a block at a time, on several threads.

An optimizer's rule is a sequence of in-place NumPy operations over whole arrays. Adam's is
14 of them, and for a 40 MB weight array each one streams every array it touches through main
memory: the update waits on memory, not on arithmetic. Running the *same* sequence on one
slice of the arrays at a time keeps the slice and its work arrays in the CPU's cache, so main
memory sees each array about once per update. The arithmetic is unchanged element by element,
so the result is identical to the bit.

NumPy releases the GIL inside its loops, so the slices can also be shared among threads, as
PyTorch shares its element-wise kernels among its intra-op threads.

This only applies to rules that are element-wise and keep no running scalars of their own (an
optimizer says so with ``elementwise = True``), to parameters of at least
:data:`MIN_BLOCKED_SIZE` elements, and to C-contiguous arrays. Everything else runs in one
piece, as before.
"""

from __future__ import annotations

import contextvars
import dataclasses
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, wait
from typing import Any, Protocol

import numpy as np

#: Elements per block. A block of every array Adam touches (weights, gradient, two state
#: arrays and two work arrays: 3 MB in float32) stays in the CPU's caches (L2 and the shared
#: L3); the size was measured best among 8 K to 256 K on two threads (benchmarks/PROFILE.md).
BLOCK_SIZE = 131_072
#: Arrays smaller than this (two blocks) update in one piece: they fit in the cache already.
MIN_BLOCKED_SIZE = 2 * BLOCK_SIZE

_threads: int | None = None
_pool: ThreadPoolExecutor | None = None


class Rule(Protocol):
    def __call__(self, weights: np.ndarray, gradient: np.ndarray, update: Any) -> None: ...


def set_update_threads(count: int | None) -> None:
    """Use ``count`` threads for the updates of large parameters (``None``: one per CPU this
    process may use). ``1`` runs every update on the calling thread."""
    global _threads, _pool
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 1):
        raise ValueError(f"set_update_threads: count must be a positive int or None, got {count!r}")
    _threads = count
    if _pool is not None:
        _pool.shutdown(wait=True)
        _pool = None


def update_threads() -> int:
    """How many threads a large parameter's update is shared among."""
    if _threads is not None:
        return _threads
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def can_block(arrays: list[np.ndarray]) -> bool:
    """Whether an update of these arrays (the parameter first) may run block by block: large
    enough to gain from it, and C-contiguous, so that each has a flat view to slice."""
    return arrays[0].size >= MIN_BLOCKED_SIZE and all(a.flags.c_contiguous for a in arrays)


@dataclasses.dataclass
class BlockedUpdate:
    """One parameter's update cut into blocks: per thread, the blocks it runs, each with its
    own ``Update`` whose state arrays and work arrays are slices."""

    size: int
    #: Per thread, its blocks: (start, stop, the Update of that slice)
    pieces: list[list[tuple[int, int, Any]]]
    #: The thread count it was cut for (a new count prepares the update again)
    threads: int

    @classmethod
    def prepare(
        cls, update: Any, size: int, work_arrays: Callable[[int], list[np.ndarray]]
    ) -> BlockedUpdate:
        """Slice ``update`` (an ``Update`` of the whole parameter) into blocks.

        ``work_arrays(thread)`` gives that thread's block-sized work arrays (kept by the
        caller, so that preparing again, as a schedule that cycles the momentum makes the
        optimizer do at every step, allocates nothing).
        """
        flat_state = {suffix: array.reshape(-1) for suffix, array in update.state.items()}
        starts = list(range(0, size, BLOCK_SIZE))
        threads = update_threads()
        per_thread = -(-len(starts) // max(1, min(threads, len(starts))))
        pieces = []
        for first in range(0, len(starts), per_thread):
            scratch = work_arrays(len(pieces))
            blocks = []
            for start in starts[first : first + per_thread]:
                stop = min(start + BLOCK_SIZE, size)
                piece = dataclasses.replace(
                    update,
                    state={suffix: array[start:stop] for suffix, array in flat_state.items()},
                    scratch=[buffer[: stop - start] for buffer in scratch],
                )
                blocks.append((start, stop, piece))
            pieces.append(blocks)
        return cls(size=size, pieces=pieces, threads=threads)

    def run(
        self,
        rule: Rule,
        weights: np.ndarray,
        gradient: np.ndarray,
        learning_rate: float,
        step: int,
        settings: Any,
    ) -> None:
        """Apply ``rule`` to every block of ``weights`` and ``gradient``."""
        flat_weights, flat_gradient = weights.reshape(-1), gradient.reshape(-1)

        def run_blocks(blocks: list[tuple[int, int, Any]]) -> None:
            for start, stop, piece in blocks:
                piece.learning_rate, piece.step, piece.settings = learning_rate, step, settings
                rule(flat_weights[start:stop], flat_gradient[start:stop], piece)

        if len(self.pieces) == 1:
            run_blocks(self.pieces[0])
            return
        # Each thread runs in a copy of this context, so np.errstate applies there too
        pending = [
            _thread_pool().submit(contextvars.copy_context().run, run_blocks, blocks)
            for blocks in self.pieces[1:]
        ]
        try:
            run_blocks(self.pieces[0])
        finally:
            # Even if this thread's blocks fail, return only when no thread writes any more
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
            max_workers=max(1, update_threads() - 1), thread_name_prefix="nnlite-update"
        )
    return _pool
