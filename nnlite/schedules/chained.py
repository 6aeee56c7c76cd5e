"""Schedule_Chained: several schedules at once, their factors multiplied."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from nnlite.schedules.base import Schedule
from nnlite.schedules.composition import schedule_list


class Schedule_Chained(Schedule):
    """Apply several schedules together: the learning rate is the product of their factors.

    Formula (step = updates already made, 0, 1, 2, ...; lr₀ = initial_learning_rate)::

        lr = lr₀ · Π_i (schedules[i](step) / lr₀)

    so a constant warm-up chained with exponential decay gives
    ``lr₀ · factor · gamma^step`` for the first steps, then ``lr₀ · gamma^step``.

    **Learning rates.** The schedules multiply one learning rate, as PyTorch's schedulers
    share one optimizer: they must all have the same ``initial_learning_rate``, which is the
    chain's. ``report(metric)`` goes to every schedule, so a :class:`Schedule_ReduceOnPlateau`
    in the chain cuts the rate on top of the others (PyTorch's ``ChainedScheduler`` refuses
    ReduceLROnPlateau). ``momentum(step)`` is the last cycling schedule's, as in PyTorch,
    where the last scheduler to set the momentum wins.

    Defaults: none; ``schedules`` must be given.

    Equals PyTorch's ``ChainedScheduler(schedulers)`` for the schedules PyTorch can chain:
    step, multi-step, exponential, constant and linear warm-up, polynomial, and cosine
    annealing with ``eta_min=0`` up to ``T_max`` (past its bottom PyTorch's cosine climbs by
    adding, not multiplying). The others (cosine with ``eta_min > 0``, warm restarts, cyclic,
    one-cycle, lambda, and a sequence at its milestones) set the rate outright in PyTorch, so
    there a chain gives an order-dependent mixture; here it is always the product.
    """

    def __init__(self, schedules: Sequence[Schedule]) -> None:
        where = type(self).__name__
        self.schedules = schedule_list(
            where,
            schedules,
            none_message=(
                f"{where} expects at least one schedule to be chained, but got no schedule."
            ),
        )
        initial = self.schedules[0].initial_learning_rate
        starts = [schedule.initial_learning_rate for schedule in self.schedules]
        if any(not math.isclose(start, initial, rel_tol=1e-12, abs_tol=0) for start in starts):
            raise ValueError(
                f"{where}: the chained schedules multiply one learning rate, so they must all "
                f"start from the same initial_learning_rate; got {starts}"
            )
        self.initial_learning_rate = initial

    def __call__(self, step: int) -> float:
        initial = self.initial_learning_rate
        learning_rate = initial
        for schedule in self.schedules:
            factor = schedule(step) / initial if initial else 0.0
            learning_rate *= factor
        return learning_rate

    def momentum(self, step: int) -> float | None:
        momentum = None
        for schedule in self.schedules:
            value = schedule.momentum(step)
            if value is not None:
                momentum = value
        return momentum

    def report(self, metric: float) -> None:
        for schedule in self.schedules:
            schedule.report(metric)

    def state_dict(self) -> dict[str, Any]:
        return {"schedules": [schedule.state_dict() for schedule in self.schedules]}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        states = state.get("schedules")
        if set(state) != {"schedules"} or len(states) != len(self.schedules):
            raise ValueError(
                f"{type(self).__name__}.load_state_dict: expected the states of "
                f"{len(self.schedules)} schedules, got {state!r}"
            )
        for schedule, schedule_state in zip(self.schedules, states, strict=True):
            schedule.load_state_dict(schedule_state)
