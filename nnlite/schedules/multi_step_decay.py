"""Schedule_MultiStepDecay: multiply the learning rate by gamma at chosen steps."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable

from nnlite.schedules import schedule_checks
from nnlite.schedules.base import Schedule


class Schedule_MultiStepDecay(Schedule):
    """A staircase with steps where you choose: drop by gamma at each milestone.

    Formula (step = updates already made, 0, 1, 2, ...)::

        lr = initial_learning_rate * gamma ** (number of milestones <= step)

    so ``milestones=[30, 80]`` gives the initial rate for steps 0-29, ``· gamma`` for 30-79
    and ``· gamma²`` from 80 on. A milestone listed twice counts twice, as in PyTorch.

    Defaults (PyTorch's): ``gamma=0.1``; ``milestones`` must be given.

    Equals PyTorch's ``MultiStepLR(optimizer, milestones, gamma)``.
    """

    def __init__(
        self, initial_learning_rate: float, *, milestones: Iterable[int], gamma: float = 0.1
    ) -> None:
        where = type(self).__name__
        self.initial_learning_rate = schedule_checks.learning_rate(
            where, "initial_learning_rate", initial_learning_rate
        )
        if isinstance(milestones, str) or not isinstance(milestones, Iterable):
            raise TypeError(f"{where}: milestones must be a list of steps, got {milestones!r}")
        self.milestones = tuple(
            sorted(schedule_checks.whole(where, "each milestone", m, minimum=0) for m in milestones)
        )
        self.gamma = schedule_checks.non_negative(where, "gamma", gamma)

    def __call__(self, step: int) -> float:
        step = schedule_checks.step(self, step)
        drops = bisect_right(self.milestones, step)
        return self.initial_learning_rate * self.gamma**drops
