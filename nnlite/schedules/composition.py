"""Checks shared by the schedules that combine other schedules (sequential, chained)."""

from __future__ import annotations

from collections.abc import Sequence

from nnlite.schedules.base import Schedule


def schedule_list(where: str, schedules: object, *, none_message: str) -> tuple[Schedule, ...]:
    """``schedules`` as a tuple, checked: at least one, and each a :class:`Schedule`."""
    if isinstance(schedules, Schedule) or not isinstance(schedules, Sequence):
        raise TypeError(f"{where}: schedules must be a list of schedules, got {schedules!r}")
    if len(schedules) < 1:
        raise ValueError(none_message)
    for index, schedule in enumerate(schedules):
        if not isinstance(schedule, Schedule):
            raise TypeError(
                f"{where}: the schedule at index {index} should be a Schedule (such as "
                f"Schedule_StepDecay(0.1, step_size=30)), got {schedule!r}"
            )
    return tuple(schedules)
