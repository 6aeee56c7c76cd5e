"""One-cycle and cyclic schedules cycle the momentum (Adam's β₁) exactly as PyTorch's do.

PyTorch writes the cycled value into ``param_groups[0]["momentum"]`` (SGD) or
``betas[0]`` (Adam) at each scheduler step; nnlite's ``schedule.momentum(step)`` must give
the value PyTorch's optimizer holds before each update.
"""

import pytest
from torch.optim import lr_scheduler

from nnlite import (
    Schedule_CosineAnnealing,
    Schedule_Cyclic,
    Schedule_LinearWarmup,
    Schedule_OneCycle,
    Schedule_Sequential,
    Schedule_StepDecay,
)

T = lr_scheduler  # short, for the one-line tables

# (id, nnlite schedule, torch scheduler builder, steps)
# fmt: off
CASES = [
    ("one_cycle", lambda: Schedule_OneCycle(1.0, total_steps=30), lambda o: T.OneCycleLR(o, 1.0, total_steps=30), 31),  # noqa: E501
    ("one_cycle_linear", lambda: Schedule_OneCycle(0.1, total_steps=40, anneal_strategy="linear", base_momentum=0.7, max_momentum=0.99), lambda o: T.OneCycleLR(o, 0.1, total_steps=40, anneal_strategy="linear", base_momentum=0.7, max_momentum=0.99), 41),  # noqa: E501
    ("one_cycle_three", lambda: Schedule_OneCycle(0.1, total_steps=40, three_phase=True), lambda o: T.OneCycleLR(o, 0.1, total_steps=40, three_phase=True), 41),  # noqa: E501
    ("cyclic", lambda: Schedule_Cyclic(0.01, 0.1, step_size_up=4), lambda o: T.CyclicLR(o, 0.01, 0.1, step_size_up=4), 40),  # noqa: E501
    ("cyclic_triangular2", lambda: Schedule_Cyclic(0.01, 0.1, step_size_up=3, step_size_down=5, mode="triangular2", base_momentum=0.6), lambda o: T.CyclicLR(o, 0.01, 0.1, 3, 5, mode="triangular2", base_momentum=0.6), 50),  # noqa: E501
    ("cyclic_exp_range", lambda: Schedule_Cyclic(0.001, 0.1, step_size_up=5, mode="exp_range", gamma=0.95), lambda o: T.CyclicLR(o, 0.001, 0.1, 5, mode="exp_range", gamma=0.95), 50),  # noqa: E501
]
# fmt: on


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
@pytest.mark.parametrize(
    ("make_ours", "make_torch", "steps"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_momentum_equals_torch(make_ours, make_torch, steps, optimizer, torch_run, assert_match):
    schedule = make_ours()
    learning_rates, momentums = torch_run(make_torch, steps, lr=0.5, optimizer=optimizer)
    assert_match([schedule.momentum(k) for k in range(steps)], momentums, f"{schedule!r} momentum")
    assert_match([schedule(k) for k in range(steps)], learning_rates, f"{schedule!r} lr")


def test_the_reference_one_cycle_trace():
    # shared/reference/optimizers.md §3.1: OneCycleLR(max_lr=1, 10 steps) on SGD(momentum=0.9)
    # starts at lr 0.04 with momentum 0.95; after 3 steps lr 0.95 and momentum 0.855
    schedule = Schedule_OneCycle(1.0, total_steps=10)
    assert schedule(0) == pytest.approx(0.04, abs=1e-15)
    assert schedule.momentum(0) == 0.95
    assert schedule(3) == pytest.approx(0.95, abs=1e-3)
    assert schedule.momentum(3) == pytest.approx(0.855, abs=1e-3)


@pytest.mark.parametrize(
    "schedule",
    [
        Schedule_OneCycle(1.0, total_steps=30, cycle_momentum=False),
        Schedule_Cyclic(0.01, 0.1, step_size_up=4, cycle_momentum=False),
        Schedule_StepDecay(0.1, step_size=3),
        Schedule_CosineAnnealing(0.1, T_max=10),
    ],
    ids=repr,
)
def test_other_schedules_leave_the_momentum_alone(schedule):
    assert [schedule.momentum(k) for k in range(31)] == [None] * 31


def test_sequential_gives_the_momentum_of_the_schedule_in_charge():
    cycle = Schedule_OneCycle(0.1, total_steps=20)
    schedule = Schedule_Sequential(
        [Schedule_LinearWarmup(0.004, start_factor=0.5, total_iters=5), cycle], milestones=[5]
    )
    assert [schedule.momentum(k) for k in range(5)] == [None] * 5
    assert [schedule.momentum(k) for k in range(5, 26)] == [cycle.momentum(k) for k in range(21)]
