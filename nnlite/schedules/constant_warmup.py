"""Schedule_ConstantWarmup: a smaller learning rate for the first steps, then the full one."""

from __future__ import annotations

from nnlite.schedules import schedule_checks
from nnlite.schedules.base import Schedule


class Schedule_ConstantWarmup(Schedule):
    """Warm-up at a constant fraction of the rate for ``total_iters`` steps.

    Formula (step = updates already made, 0, 1, 2, ...)::

        lr = initial_learning_rate * factor    while step < total_iters
        lr = initial_learning_rate             from then on

    Defaults (PyTorch's): ``factor=1/3, total_iters=5``.

    Equals PyTorch's ``ConstantLR(optimizer, factor, total_iters)``.
    """

    def __init__(
        self,
        initial_learning_rate: float,
        *,
        factor: float = 1.0 / 3,
        total_iters: int = 5,
    ) -> None:
        where = type(self).__name__
        self.initial_learning_rate = schedule_checks.learning_rate(
            where, "initial_learning_rate", initial_learning_rate
        )
        schedule_checks.number(where, "factor", factor)
        if factor > 1.0 or not factor >= 0:  # PyTorch's message
            raise ValueError("Constant multiplicative factor expected to be between 0 and 1.")
        self.factor = factor
        self.total_iters = schedule_checks.whole(where, "total_iters", total_iters, minimum=1)

    def __call__(self, step: int) -> float:
        step = schedule_checks.step(self, step)
        if step < self.total_iters:
            return self.initial_learning_rate * self.factor
        return self.initial_learning_rate
