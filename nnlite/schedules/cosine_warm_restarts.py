"""Schedule_CosineWarmRestarts: cosine annealing that jumps back up at every restart."""

from __future__ import annotations

import math
import numbers

from nnlite.schedules import schedule_checks
from nnlite.schedules.base import Schedule


class Schedule_CosineWarmRestarts(Schedule):
    """SGDR: cosine annealing to ``eta_min``, then a restart at the initial rate.

    Formula (step = updates already made, 0, 1, 2, ...)::

        lr = eta_min + (initial_learning_rate - eta_min) * (1 + cos(π · T_cur / T_i)) / 2

    where ``T_i`` is the length of the current cycle (``T_0``, then ``T_0·T_mult``,
    ``T_0·T_mult²``, ...) and ``T_cur`` the steps taken since it began. With ``T_0=10,
    T_mult=2`` the restarts come at steps 10, 30, 70, ...

    Defaults (PyTorch's): ``T_mult=1, eta_min=0.0``; ``T_0`` must be given.

    Equals PyTorch's ``CosineAnnealingWarmRestarts(optimizer, T_0, T_mult, eta_min)`` stepped
    once per update (PyTorch also accepts fractional epochs in ``step(epoch)``; an nnlite
    schedule counts whole updates).

    Paper: Loshchilov & Hutter, "SGDR: Stochastic Gradient Descent with Warm Restarts"
    (ICLR 2017).
    """

    def __init__(
        self,
        initial_learning_rate: float,
        *,
        T_0: int,
        T_mult: int = 1,
        eta_min: float = 0.0,
    ) -> None:
        where = type(self).__name__
        self.initial_learning_rate = schedule_checks.learning_rate(
            where, "initial_learning_rate", initial_learning_rate
        )
        # PyTorch's messages
        if not _is_whole(T_0) or T_0 <= 0:
            raise ValueError(f"Expected positive integer T_0, but got {T_0}")
        if not _is_whole(T_mult) or T_mult < 1:
            raise ValueError(f"Expected integer T_mult >= 1, but got {T_mult}")
        if isinstance(eta_min, bool) or not isinstance(eta_min, numbers.Real):
            raise ValueError(
                f"Expected float or int eta_min, but got {eta_min} of type {type(eta_min)}"
            )
        self.T_0 = int(T_0)
        self.T_mult = int(T_mult)
        self.eta_min = schedule_checks.non_negative(where, "eta_min", eta_min)

    def cycle_position(self, step: int) -> tuple[int, int]:
        """``(T_cur, T_i)``: the steps taken in the current cycle and that cycle's length."""
        step = schedule_checks.step(self, step)
        if self.T_mult == 1:
            return step % self.T_0, self.T_0
        T_cur, T_i = step, self.T_0
        while T_cur >= T_i:  # skip whole cycles, each T_mult times longer than the last
            T_cur -= T_i
            T_i *= self.T_mult
        return T_cur, T_i

    def __call__(self, step: int) -> float:
        T_cur, T_i = self.cycle_position(step)
        cosine = 1 + math.cos(math.pi * T_cur / T_i)
        return self.eta_min + (self.initial_learning_rate - self.eta_min) * cosine / 2


def _is_whole(value: object) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)
