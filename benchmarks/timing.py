"""Interleaved timing: every implementation runs in every round, in a rotating order.

Timing implementation A for a minute and then B for a minute lets a change in the machine's
load (other processes, the CPU's clock) land on one of them only. Here each round runs a short
block of every implementation, one after another, and the order rotates from round to round
so no implementation always runs first (right after the previous one warmed the caches) or
last. Each block's time divided by its number of calls is one sample; the result is the
median of the rounds, with the quartiles to show the spread.

Before each block the process sleeps for ``settle_seconds``. NumPy's BLAS (OpenBLAS) and
torch's OpenMP pool keep their worker threads spinning for a while after each call (OpenBLAS
for 2^28 cycles by default, about 0.1 s); on a machine with few cores, a block of one library
that starts while the other's threads still spin runs several times slower, which says
nothing about either library (a program does not alternate between them). The pause lets the
spinning threads go to sleep, so every block starts on a quiet machine.

The garbage collector stays on: it is part of the cost of a training loop that creates
objects in every step.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field


@dataclass
class Timing:
    """Seconds per call of one implementation, one sample per round."""

    name: str
    calls_per_round: int
    seconds: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)

    @property
    def quartiles(self) -> tuple[float, float]:
        if len(self.seconds) < 2:
            return self.seconds[0], self.seconds[0]
        low, _, high = statistics.quantiles(self.seconds, n=4, method="inclusive")
        return low, high


def calls_for(step: Callable[[], object], block_seconds: float) -> int:
    """How many calls of ``step`` fill a block of about ``block_seconds`` (at least one)."""
    calls = 1
    while True:
        start = time.perf_counter()
        for _ in range(calls):
            step()
        elapsed = time.perf_counter() - start
        if elapsed >= block_seconds / 4 or calls >= 1 << 20:
            return max(1, round(calls * block_seconds / max(elapsed, 1e-9)))
        calls *= 4


def time_interleaved(
    steps: Mapping[str, Callable[[], object]],
    *,
    rounds: int,
    block_seconds: float,
    settle_seconds: float = 0.0,
    warmup_calls: int = 3,
) -> dict[str, Timing]:
    """Median seconds per call of each step, measured round-robin over ``rounds`` rounds.

    Each step is first called ``warmup_calls`` times (the first Adam step creates its state,
    the first matrix product starts BLAS's threads), then calibrated to a block length.
    """
    for step in steps.values():
        for _ in range(warmup_calls):
            step()
    timings = {name: Timing(name, calls_for(step, block_seconds)) for name, step in steps.items()}
    names = list(steps)
    for round_index in range(rounds):
        shift = round_index % len(names)
        for name in names[shift:] + names[:shift]:
            step, timing = steps[name], timings[name]
            time.sleep(settle_seconds)
            start = time.perf_counter()
            for _ in range(timing.calls_per_round):
                step()
            timing.seconds.append((time.perf_counter() - start) / timing.calls_per_round)
    return timings
