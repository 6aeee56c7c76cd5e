"""Schedule_LinearWarmup: a factor that moves in a straight line, then stays."""

from __future__ import annotations

from nnlite.schedules import schedule_checks
from nnlite.schedules.base import Schedule


class Schedule_LinearWarmup(Schedule):
    """Warm-up: the learning rate climbs in a straight line for ``total_iters`` steps.

    Formula (step = updates already made, 0, 1, 2, ...)::

        factor = start_factor + (end_factor - start_factor) * min(step, total_iters) / total_iters
        lr     = initial_learning_rate * factor

    With the defaults the rate starts at a third of ``initial_learning_rate`` and reaches it
    after 5 steps. An ``end_factor`` below ``start_factor`` makes it a linear decay instead.

    Defaults (PyTorch's): ``start_factor=1/3, end_factor=1.0, total_iters=5``.

    Equals PyTorch's ``LinearLR(optimizer, start_factor, end_factor, total_iters)``. PyTorch
    gets there by multiplying the previous rate by a ratio each step; it is the same line up
    to rounding.
    """

    def __init__(
        self,
        initial_learning_rate: float,
        *,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
    ) -> None:
        where = type(self).__name__
        self.initial_learning_rate = schedule_checks.learning_rate(
            where, "initial_learning_rate", initial_learning_rate
        )
        schedule_checks.number(where, "start_factor", start_factor)
        schedule_checks.number(where, "end_factor", end_factor)
        # PyTorch's messages
        if start_factor > 1.0 or not start_factor > 0:
            raise ValueError(
                "Starting multiplicative factor expected to be greater than 0 and less or "
                "equal to 1."
            )
        if end_factor > 1.0 or not end_factor >= 0:
            raise ValueError("Ending multiplicative factor expected to be between 0 and 1.")
        self.start_factor = start_factor
        self.end_factor = end_factor
        self.total_iters = schedule_checks.whole(where, "total_iters", total_iters, minimum=1)

    def __call__(self, step: int) -> float:
        step = schedule_checks.step(self, step)
        progress = min(step, self.total_iters) / self.total_iters
        factor = self.start_factor + (self.end_factor - self.start_factor) * progress
        return self.initial_learning_rate * factor
