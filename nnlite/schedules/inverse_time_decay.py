"""Schedule_InverseTimeDecay: the book's learning-rate decay, as a schedule object."""

from __future__ import annotations

from nnlite.schedules import schedule_checks
from nnlite.schedules.base import Schedule


class Schedule_InverseTimeDecay(Schedule):
    """The book's decay: the learning rate falls like 1/t.

    Formula (step = updates already made, 0, 1, 2, ...)::

        lr = initial_learning_rate * (1. / (1. + decay * step))

    computed in exactly this form, so it gives the same digits as the book's
    ``Optimizer_SGD(learning_rate, decay=decay)`` (the book multiplies by the reciprocal, and
    that decides the last printed digit).

    Defaults: none; ``decay`` must be given (``decay=0`` is a constant rate).

    Equals PyTorch's ``LambdaLR(optimizer, lambda k: 1 / (1 + decay * k))`` and Keras's
    ``InverseTimeDecay(initial_learning_rate, decay_steps=1, decay_rate=decay)``.
    """

    def __init__(self, initial_learning_rate: float, *, decay: float) -> None:
        where = type(self).__name__
        self.initial_learning_rate = schedule_checks.learning_rate(
            where, "initial_learning_rate", initial_learning_rate
        )
        self.decay = schedule_checks.non_negative(where, "decay", decay)

    def __call__(self, step: int) -> float:
        step = schedule_checks.step(self, step)
        return self.initial_learning_rate * (1.0 / (1.0 + self.decay * step))
