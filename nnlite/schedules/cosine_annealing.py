"""Schedule_CosineAnnealing: half a cosine wave from the initial rate down to eta_min."""

from __future__ import annotations

import math

from nnlite.schedules import schedule_checks
from nnlite.schedules.base import Schedule


class Schedule_CosineAnnealing(Schedule):
    """The learning rate follows a cosine from its initial value down to ``eta_min``.

    Formula (step = updates already made, 0, 1, 2, ...; η = learning rate)::

        lr = eta_min + (initial_learning_rate - eta_min) * (1 + cos(π · step / T_max)) / 2

    It reaches ``eta_min`` at ``step = T_max``. Past that the cosine goes on, back up to the
    initial rate at ``2·T_max``, as PyTorch's does; to stop at ``eta_min`` put it in a
    :class:`Schedule_Sequential` before a constant schedule, or use
    :class:`Schedule_CosineWarmRestarts` to start again from the top.

    Defaults (PyTorch's): ``eta_min=0.0``; ``T_max`` must be given.

    Equals PyTorch's ``CosineAnnealingLR(optimizer, T_max, eta_min)``. PyTorch does not
    evaluate this formula: it updates the previous rate by the ratio of two consecutive
    cosine terms, ``η_k = eta_min + (η_{k-1} - eta_min)·(1 + cos(πk/T))/(1 + cos(π(k-1)/T))``
    (with an additive form at the bottom, where that ratio would divide by zero). The two
    are the same number up to rounding: the recursion's rounding errors add up, but slowly
    (the worst seen was 5e-14, after 500 steps with ``T_max=100``), and the tests hold the
    two within 1e-12 over several periods. The closed form is used here because it is the
    paper's formula and a reader can check it by hand.

    Paper: Loshchilov & Hutter, "SGDR: Stochastic Gradient Descent with Warm Restarts"
    (ICLR 2017).
    """

    def __init__(self, initial_learning_rate: float, *, T_max: int, eta_min: float = 0.0) -> None:
        where = type(self).__name__
        self.initial_learning_rate = schedule_checks.learning_rate(
            where, "initial_learning_rate", initial_learning_rate
        )
        self.T_max = schedule_checks.whole(where, "T_max", T_max, minimum=1)
        self.eta_min = schedule_checks.non_negative(where, "eta_min", eta_min)

    def __call__(self, step: int) -> float:
        step = schedule_checks.step(self, step)
        cosine = 1 + math.cos(math.pi * step / self.T_max)
        return self.eta_min + (self.initial_learning_rate - self.eta_min) * cosine / 2
