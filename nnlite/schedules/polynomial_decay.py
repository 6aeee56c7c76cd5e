"""Schedule_PolynomialDecay: decay to zero along (1 - t/T)^power."""

from __future__ import annotations

from nnlite.schedules import schedule_checks
from nnlite.schedules.base import Schedule


class Schedule_PolynomialDecay(Schedule):
    """The learning rate falls to 0 in ``total_iters`` steps along a polynomial.

    Formula (step = updates already made, 0, 1, 2, ...)::

        lr = initial_learning_rate * (1 - min(step, total_iters) / total_iters) ** power

    ``power=1`` is a straight line to zero; ``power=2`` falls fast at first, then flattens.
    From ``total_iters`` on the rate is 0.

    Defaults (PyTorch's): ``total_iters=5, power=1.0``.

    Equals PyTorch's ``PolynomialLR(optimizer, total_iters, power)`` (which multiplies the
    previous rate by a ratio each step: the same curve up to rounding), and Keras's
    ``PolynomialDecay`` with ``end_learning_rate=0``.
    """

    def __init__(
        self, initial_learning_rate: float, *, total_iters: int = 5, power: float = 1.0
    ) -> None:
        where = type(self).__name__
        self.initial_learning_rate = schedule_checks.learning_rate(
            where, "initial_learning_rate", initial_learning_rate
        )
        self.total_iters = schedule_checks.whole(where, "total_iters", total_iters, minimum=1)
        self.power = schedule_checks.non_negative(where, "power", power)

    def __call__(self, step: int) -> float:
        step = schedule_checks.step(self, step)
        remaining = 1.0 - min(step, self.total_iters) / self.total_iters
        return self.initial_learning_rate * remaining**self.power
