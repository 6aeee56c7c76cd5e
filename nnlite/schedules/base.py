"""Schedule: a learning rate that changes with the number of optimizer steps taken."""

from __future__ import annotations


class Schedule:
    """Base of the learning-rate schedules. An optimizer accepts one in place of a number::

        optimizer = Optimizer_SGD(learning_rate=Schedule_StepDecay(0.1, step_size=30))

    Before each update (``pre_update_params``) the optimizer sets
    ``current_learning_rate = schedule(optimizer.iterations)``: a schedule maps the number of
    updates already made (0, 1, 2, ...) to the learning rate of the next one, the same sequence
    PyTorch's scheduler gives when stepped after each ``optimizer.step()``.

    A subclass sets ``initial_learning_rate`` and defines ``__call__(step)``.
    """

    initial_learning_rate: float

    def __call__(self, step: int) -> float:
        raise NotImplementedError

    def report(self, metric: float) -> None:
        """Tell a metric-driven schedule (reduce on plateau) the latest loss; others ignore it."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}(initial_learning_rate={self.initial_learning_rate})"
