"""Schedule_StepDecay: multiply the learning rate by gamma every step_size steps."""

from __future__ import annotations

from nnlite.schedules import schedule_checks
from nnlite.schedules.base import Schedule


class Schedule_StepDecay(Schedule):
    """A staircase: the learning rate drops by a factor gamma every ``step_size`` steps.

    Formula (step = updates already made, 0, 1, 2, ...)::

        lr = initial_learning_rate * gamma ** (step // step_size)

    Defaults (PyTorch's): ``gamma=0.1``; ``step_size`` must be given.

    Equals PyTorch's ``StepLR(optimizer, step_size, gamma)``. PyTorch multiplies the previous
    rate by gamma at each drop; the power here is the same number to the last bit or two.
    """

    def __init__(self, initial_learning_rate: float, *, step_size: int, gamma: float = 0.1) -> None:
        where = type(self).__name__
        self.initial_learning_rate = schedule_checks.learning_rate(
            where, "initial_learning_rate", initial_learning_rate
        )
        self.step_size = schedule_checks.whole(where, "step_size", step_size, minimum=1)
        self.gamma = schedule_checks.non_negative(where, "gamma", gamma)

    def __call__(self, step: int) -> float:
        step = schedule_checks.step(self, step)
        return self.initial_learning_rate * self.gamma ** (step // self.step_size)
