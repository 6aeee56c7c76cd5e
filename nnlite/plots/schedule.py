"""plot_schedule: the learning rate a schedule gives at each optimizer step.

A schedule maps the number of updates made to the next update's learning rate
(``schedule(0), schedule(1), ...``, listed by ``schedule.values(steps)``); this draws that
sequence, for one schedule or several on the same axes::

    plot_schedule(Schedule_StepDecay(0.1, step_size=30, gamma=0.5), steps=100)
    plot_schedule({"step": step_decay, "cosine": cosine, "one-cycle": one_cycle}, steps=1000)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from matplotlib.figure import Figure

from nnlite.plots.figure import new_figure
from nnlite.schedules.base import Schedule
from nnlite.validation import check_positive_int


def plot_schedule(
    schedule_or_schedules: Schedule | Mapping[str, Schedule] | Sequence[Schedule],
    steps: int = 100,
) -> Figure:
    """The learning rate against the step, for the first ``steps`` steps.

    Give one schedule, a list (each labelled by its repr) or a dict ``{label: schedule}``.
    The curves are drawn as steps (``drawstyle="steps-post"``): the rate is constant for the
    whole of an update, and changes only between updates. Looking ahead does not change a
    schedule (``values`` restores its state); a reduce-on-plateau schedule, which has no
    future without the losses, shows its current rate.
    """
    where = "plot_schedule"
    steps = check_positive_int(where, "steps", steps)
    schedules = _labelled(where, schedule_or_schedules)
    figure, (ax,) = new_figure(1, width=7.0, height=4.0)
    for index, (label, schedule) in enumerate(schedules.items()):
        ax.plot(
            range(steps),
            schedule.values(steps),
            label=label,
            color=f"C{index % 10}",
            drawstyle="steps-post",
        )
    ax.set_title("learning-rate schedule")
    ax.set_xlabel("step (updates made)")
    ax.set_ylabel("learning rate")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
    return figure


def _labelled(where: str, given: object) -> dict[str, Schedule]:
    """``{label: schedule}`` from one schedule, a list of them or a dict of them."""
    if isinstance(given, Schedule):
        schedules = {repr(given): given}
    elif isinstance(given, Mapping):
        schedules = {str(label): schedule for label, schedule in given.items()}
    elif isinstance(given, Sequence) and not isinstance(given, str):
        schedules = {repr(schedule): schedule for schedule in given}
    else:
        schedules = {}
    if not schedules:
        raise TypeError(
            f"{where}: expected a Schedule, a list of them or a dict {{label: schedule}}, "
            f"got {given!r}"
        )
    for label, schedule in schedules.items():
        if not isinstance(schedule, Schedule):
            shown = f"the class {schedule.__name__}" if isinstance(schedule, type) else schedule
            raise TypeError(f"{where}: {label!r} is {shown!r}, not a Schedule object")
    return schedules
