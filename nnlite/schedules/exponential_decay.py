"""Schedule_ExponentialDecay: multiply the learning rate by gamma after every step."""

from __future__ import annotations

from nnlite.schedules import schedule_checks
from nnlite.schedules.base import Schedule


class Schedule_ExponentialDecay(Schedule):
    """The learning rate shrinks by the same factor after every update.

    Formula (step = updates already made, 0, 1, 2, ...)::

        lr = initial_learning_rate * gamma ** step

    Defaults: none; ``gamma`` must be given (as in PyTorch).

    Equals PyTorch's ``ExponentialLR(optimizer, gamma)``, and Keras's
    ``ExponentialDecay(initial_learning_rate, decay_steps=1, decay_rate=gamma)``.
    """

    def __init__(self, initial_learning_rate: float, *, gamma: float) -> None:
        where = type(self).__name__
        self.initial_learning_rate = schedule_checks.learning_rate(
            where, "initial_learning_rate", initial_learning_rate
        )
        self.gamma = schedule_checks.non_negative(where, "gamma", gamma)

    def __call__(self, step: int) -> float:
        step = schedule_checks.step(self, step)
        return self.initial_learning_rate * self.gamma**step
