"""Schedule_Sequential: one schedule after another, handing over at milestones."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from typing import Any

from nnlite.schedules import schedule_checks
from nnlite.schedules.base import Schedule
from nnlite.schedules.composition import schedule_list


class Schedule_Sequential(Schedule):
    """Play schedules one after another: the first until ``milestones[0]``, and so on.

    Formula (step = updates already made, 0, 1, 2, ...; m₀ = 0, m₁, m₂, ... the milestones)::

        lr = schedules[i](step - mᵢ)    for mᵢ <= step < mᵢ₊₁

    Each schedule starts from its own step 0 at its milestone. A warm-up, then cosine::

        Schedule_Sequential(
            [Schedule_LinearWarmup(0.1, start_factor=0.1, total_iters=5),
             Schedule_CosineAnnealing(0.1, T_max=95)],
            milestones=[5],
        )

    **Learning rates.** Each schedule keeps its own: the sequence only decides which one
    speaks at each step. Its ``initial_learning_rate`` is its first schedule's. PyTorch's
    schedulers all start from the optimizer's rate, so give them the same one to match it
    (different ones are allowed: the rate jumps at the milestone).

    **Metrics.** ``report(metric)`` goes to the schedule in charge of the last step the
    optimizer asked for, so a :class:`Schedule_ReduceOnPlateau` placed after a warm-up only
    hears the metrics measured while it sets the learning rate, starting from its own
    ``initial_learning_rate``. PyTorch's ``SequentialLR`` refuses ReduceLROnPlateau
    (pytorch#68978). Likewise ``momentum(step)`` is the momentum of the schedule in charge.

    Defaults: none; ``schedules`` and ``milestones`` (one fewer than the schedules) must be
    given.

    Equals PyTorch's ``SequentialLR(optimizer, schedulers, milestones)``.
    """

    def __init__(self, schedules: Sequence[Schedule], *, milestones: Sequence[int]) -> None:
        where = type(self).__name__
        self.schedules = schedule_list(
            where,
            schedules,
            none_message=f"{where} expects at least one schedule, but got no schedule.",
        )
        if isinstance(milestones, str) or not isinstance(milestones, Sequence):
            raise TypeError(f"{where}: milestones must be a list of steps, got {milestones!r}")
        if len(milestones) != len(self.schedules) - 1:  # PyTorch's message
            raise ValueError(
                "Sequential Schedulers expects number of schedulers provided to be one more "
                "than the number of milestone points, but got number of schedulers "
                f"{len(self.schedules)} and the number of milestones to be equal to "
                f"{len(milestones)}"
            )
        milestones = tuple(
            schedule_checks.whole(where, "each milestone", m, minimum=1) for m in milestones
        )
        if list(milestones) != sorted(set(milestones)):
            raise ValueError(f"{where}: milestones must increase, got {list(milestones)}")
        self.milestones = milestones
        self.initial_learning_rate = self.schedules[0].initial_learning_rate
        self.last_step = 0  # the last step asked for: who hears report()

    def stage(self, step: int) -> tuple[Schedule, int]:
        """The schedule in charge at ``step`` and that schedule's own step count."""
        step = schedule_checks.step(self, step)
        index = bisect_right(self.milestones, step)
        start = self.milestones[index - 1] if index else 0
        return self.schedules[index], step - start

    def __call__(self, step: int) -> float:
        schedule, local_step = self.stage(step)
        self.last_step = step
        return schedule(local_step)

    def momentum(self, step: int) -> float | None:
        schedule, local_step = self.stage(step)
        return schedule.momentum(local_step)

    def report(self, metric: float) -> None:
        schedule, _ = self.stage(self.last_step)
        schedule.report(metric)

    def state_dict(self) -> dict[str, Any]:
        return {
            "last_step": self.last_step,
            "schedules": [schedule.state_dict() for schedule in self.schedules],
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        states = state.get("schedules")
        if set(state) != {"last_step", "schedules"} or len(states) != len(self.schedules):
            raise ValueError(
                f"{type(self).__name__}.load_state_dict: expected 'last_step' and the states "
                f"of {len(self.schedules)} schedules, got {state!r}"
            )
        for schedule, schedule_state in zip(self.schedules, states, strict=True):
            schedule.load_state_dict(schedule_state)
        self.last_step = schedule_checks.step(self, state["last_step"])
