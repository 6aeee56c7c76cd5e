"""Schedule: a learning rate that changes with the number of optimizer steps taken."""

from __future__ import annotations

import inspect
from typing import Any

from nnlite.schedules import schedule_checks


class Schedule:
    """Base of the learning-rate schedules. An optimizer accepts one in place of a number::

        optimizer = Optimizer_SGD(learning_rate=Schedule_StepDecay(0.1, step_size=30))

    Before each update (``pre_update_params``) the optimizer sets
    ``current_learning_rate = schedule(optimizer.iterations)``: a schedule maps the number of
    updates already made (0, 1, 2, ...) to the learning rate of the next one, the same sequence
    PyTorch's scheduler gives when stepped after each ``optimizer.step()``::

        step k:        0      1      2     ...
        nnlite:     schedule(0), schedule(1), schedule(2), ...
        PyTorch:    the lr after building the scheduler, then after each scheduler.step()

    A subclass sets ``initial_learning_rate`` and defines ``__call__(step)``. It may also
    define ``momentum(step)`` (one-cycle and cyclic schedules cycle the momentum too),
    ``report(metric)`` (reduce-on-plateau listens to the loss) and, if it keeps state that a
    checkpoint must restore, ``state_dict()`` / ``load_state_dict()``.

    The arguments keep PyTorch's names (``step_size``, ``gamma``, ``T_max``, ``eta_min``,
    ``max_lr``, ...), so a PyTorch recipe reads the same here. PyTorch takes the starting
    learning rate from the optimizer; an nnlite schedule takes it as its first argument,
    ``initial_learning_rate``.
    """

    initial_learning_rate: float

    def __call__(self, step: int) -> float:
        """The learning rate for the update that follows ``step`` updates."""
        raise NotImplementedError

    def momentum(self, step: int) -> float | None:
        """The momentum (or Adam's β₁) for that update, or ``None`` to leave it alone.

        Only schedules that cycle the momentum (one-cycle, cyclic) return a number: the
        optimizer then uses it in place of its ``momentum`` (``beta_1`` for the Adam family),
        as PyTorch's schedulers overwrite ``param_group["momentum"]`` (or ``betas[0]``).
        """
        return None

    def report(self, metric: float) -> None:
        """Tell a metric-driven schedule (reduce on plateau) the latest loss; others ignore it."""

    def values(self, steps: int) -> list[float]:
        """The first ``steps`` learning rates, ``[schedule(0), ..., schedule(steps - 1)]``.

        For plotting (``plt.plot(schedule.values(100))``). A reduce-on-plateau schedule has no
        future to show: its values are its current learning rate.
        """
        steps = schedule_checks.whole(type(self).__name__, "steps", steps, minimum=0)
        state = self.state_dict()
        try:
            return [self(step) for step in range(steps)]
        finally:
            self.load_state_dict(state)  # looking ahead must not change what happens next

    def state_dict(self) -> dict[str, Any]:
        """What a checkpoint must save besides the arguments (empty for a pure function)."""
        return {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore what ``state_dict`` saved."""
        if state:
            raise ValueError(
                f"{type(self).__name__} keeps no state, but the checkpoint has {sorted(state)}"
            )

    def __repr__(self) -> str:
        names = list(inspect.signature(type(self).__init__).parameters)[1:]
        settings = ", ".join(
            f"{name}={getattr(self, name)!r}" for name in names if hasattr(self, name)
        )
        return f"{type(self).__name__}({settings})"
