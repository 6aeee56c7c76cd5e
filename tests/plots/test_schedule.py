"""plot_schedule draws schedule.values(steps), and leaves the schedules as they were."""

import pytest

from nnlite.plots import plot_schedule
from nnlite.schedules import (
    Schedule_CosineAnnealing,
    Schedule_OneCycle,
    Schedule_StepDecay,
)


def test_one_schedule(rendered):
    schedule = Schedule_StepDecay(0.1, step_size=10, gamma=0.5)
    figure = plot_schedule(schedule, steps=50)
    rendered(figure)
    (line,) = figure.axes[0].get_lines()
    assert list(line.get_xdata()) == list(range(50))
    assert list(line.get_ydata()) == [schedule(step) for step in range(50)]
    assert line.get_label() == repr(schedule)


def test_several_schedules_by_label_and_state_is_kept(rendered):
    schedules = {
        "step": Schedule_StepDecay(0.1, step_size=30, gamma=0.1),
        "cosine": Schedule_CosineAnnealing(0.1, T_max=100),
        "one-cycle": Schedule_OneCycle(0.1, total_steps=200),
    }
    before = {label: schedule.state_dict() for label, schedule in schedules.items()}
    figure = plot_schedule(schedules, steps=200)
    rendered(figure)
    lines = {line.get_label(): line for line in figure.axes[0].get_lines()}
    assert list(lines) == ["step", "cosine", "one-cycle"]
    for label, schedule in schedules.items():
        assert list(lines[label].get_ydata()) == schedule.values(200)
        assert schedule.state_dict() == before[label]
    assert [text.get_text() for text in figure.axes[0].get_legend().get_texts()] == list(lines)


def test_a_list_of_schedules_is_labelled_by_repr():
    schedules = [Schedule_StepDecay(0.1, step_size=5), Schedule_CosineAnnealing(0.2, T_max=10)]
    figure = plot_schedule(schedules, steps=10)
    assert [line.get_label() for line in figure.axes[0].get_lines()] == [repr(s) for s in schedules]


@pytest.mark.parametrize(
    "given, steps, error, message",
    [
        (0.1, 10, TypeError, "expected a Schedule"),
        ([], 10, TypeError, "expected a Schedule"),
        ({"a": 0.1}, 10, TypeError, "'a' is 0.1, not a Schedule object"),
        ([Schedule_StepDecay], 10, TypeError, "the class Schedule_StepDecay"),
        (Schedule_StepDecay(0.1, step_size=5), 0, ValueError, "steps must be a positive"),
    ],
)
def test_bad_arguments_are_named(given, steps, error, message):
    with pytest.raises(error, match=message):
        plot_schedule(given, steps)
