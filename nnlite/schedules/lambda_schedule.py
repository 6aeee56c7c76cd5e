"""Schedule_Lambda: the learning rate times any function of the step."""

from __future__ import annotations

from collections.abc import Callable

from nnlite.schedules import schedule_checks
from nnlite.schedules.base import Schedule


class Schedule_Lambda(Schedule):
    """Any schedule you can write as a function of the step.

    Formula (step = updates already made, 0, 1, 2, ...)::

        lr = initial_learning_rate * lr_lambda(step)

    For example ``Schedule_Lambda(0.1, lr_lambda=lambda step: 0.95 ** step)``.

    Defaults: none; ``lr_lambda`` must be given.

    Equals PyTorch's ``LambdaLR(optimizer, lr_lambda)``.
    """

    def __init__(self, initial_learning_rate: float, *, lr_lambda: Callable[[int], float]) -> None:
        where = type(self).__name__
        self.initial_learning_rate = schedule_checks.learning_rate(
            where, "initial_learning_rate", initial_learning_rate
        )
        if not callable(lr_lambda):
            raise TypeError(f"{where}: lr_lambda must be a function of the step, got {lr_lambda!r}")
        self.lr_lambda = lr_lambda

    def __call__(self, step: int) -> float:
        step = schedule_checks.step(self, step)
        return self.initial_learning_rate * self.lr_lambda(step)
