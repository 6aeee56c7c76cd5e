"""Sequential and chained schedules: plateau inside them, nesting, checkpoints.

The plain sequences of Schedule_Sequential and Schedule_Chained are in the torch parity table
(test_torch_parity.py). PyTorch refuses ReduceLROnPlateau inside SequentialLR and
ChainedScheduler (pytorch#68978); the reference here is what PyTorch users write instead:
the schedulers stepped by hand on one optimizer.
"""

import numpy as np
import torch
from torch.optim import lr_scheduler

from nnlite import (
    Schedule_Chained,
    Schedule_ConstantWarmup,
    Schedule_CosineAnnealing,
    Schedule_ExponentialDecay,
    Schedule_LinearWarmup,
    Schedule_ReduceOnPlateau,
    Schedule_Sequential,
)

T = lr_scheduler  # short, for the one-line tables

STEPS_PER_EPOCH = 3
WARM_UP_STEPS = 7  # not a whole number of epochs: the hand-over falls inside an epoch
PLATEAU = {"factor": 0.5, "patience": 1, "threshold": 0.05, "cooldown": 1}


def epoch_losses(epochs, seed=0):
    rng = np.random.default_rng(seed)
    return list(1.0 / (1 + np.arange(epochs) / 3) + rng.normal(0, 0.05, epochs))


def train_nnlite(schedule, steps, losses):
    """The rate of each update; the epoch's loss is reported after its last update."""
    rates = []
    for step in range(steps):
        rates.append(schedule(step))
        if (step + 1) % STEPS_PER_EPOCH == 0:
            schedule.report(losses[step // STEPS_PER_EPOCH])
    return rates


def torch_optimizer(lr):
    parameter = torch.nn.Parameter(torch.zeros(2, dtype=torch.float64))
    parameter.grad = torch.ones_like(parameter)
    return torch.optim.SGD([parameter], lr=lr)


def warm_up_then_plateau_in_torch(steps, losses):
    """LinearLR for the warm-up, then a fresh ReduceLROnPlateau from the initial rate."""
    optimizer = torch_optimizer(0.1)
    group = optimizer.param_groups[0]
    warm_up = T.LinearLR(optimizer, start_factor=0.1, total_iters=WARM_UP_STEPS)
    plateau = None
    rates = []
    for step in range(steps):
        rates.append(group["lr"])
        optimizer.step()
        if (step + 1) % STEPS_PER_EPOCH == 0 and plateau is not None:
            plateau.step(losses[step // STEPS_PER_EPOCH])
        if step + 1 < WARM_UP_STEPS:
            warm_up.step()
        elif step + 1 == WARM_UP_STEPS:
            group["lr"] = 0.1
            plateau = T.ReduceLROnPlateau(optimizer, **PLATEAU)
    return rates


def make_warm_up_then_plateau():
    return Schedule_Sequential(
        [
            Schedule_LinearWarmup(0.1, start_factor=0.1, total_iters=WARM_UP_STEPS),
            Schedule_ReduceOnPlateau(0.1, **PLATEAU),
        ],
        milestones=[WARM_UP_STEPS],
    )


def test_plateau_after_a_warm_up_equals_torch_by_hand(assert_match):
    steps = 60
    losses = epoch_losses(steps // STEPS_PER_EPOCH)
    ours = train_nnlite(make_warm_up_then_plateau(), steps, losses)
    theirs = warm_up_then_plateau_in_torch(steps, losses)
    assert_match(ours, theirs, "warm-up then plateau")
    assert min(theirs[WARM_UP_STEPS:]) < 0.1 / 2  # the plateau did cut the rate


def test_the_plateau_hears_only_the_reports_made_while_it_is_in_charge():
    schedule = make_warm_up_then_plateau()
    plateau = schedule.schedules[1]
    for step in range(WARM_UP_STEPS):
        schedule(step)
        schedule.report(1.0)
    assert plateau.best == float("inf")
    schedule(WARM_UP_STEPS)
    schedule.report(0.7)
    assert plateau.best == 0.7


def test_plotting_does_not_move_the_reports_elsewhere():
    schedule = make_warm_up_then_plateau()
    schedule(2)
    rates = schedule.values(40)  # asks for steps 0..39, most of them the plateau's
    schedule.report(0.3)  # after step 2: the warm-up's
    assert schedule.schedules[1].best == float("inf")
    assert rates[:WARM_UP_STEPS] == [schedule(k) for k in range(WARM_UP_STEPS)]
    assert rates[WARM_UP_STEPS:] == [0.1] * (40 - WARM_UP_STEPS)


def test_plateau_chained_with_exponential_decay_equals_torch_by_hand(assert_match):
    steps = 60
    losses = epoch_losses(steps // STEPS_PER_EPOCH, seed=1)
    schedule = Schedule_Chained(
        [Schedule_ExponentialDecay(0.1, gamma=0.98), Schedule_ReduceOnPlateau(0.1, **PLATEAU)]
    )
    ours = train_nnlite(schedule, steps, losses)

    optimizer = torch_optimizer(0.1)
    decay = T.ExponentialLR(optimizer, gamma=0.98)
    plateau = T.ReduceLROnPlateau(optimizer, **PLATEAU)
    theirs = []
    for step in range(steps):
        theirs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        if (step + 1) % STEPS_PER_EPOCH == 0:
            plateau.step(losses[step // STEPS_PER_EPOCH])
        decay.step()
    assert_match(ours, theirs, repr(schedule))
    assert any(b < a * 0.98 * 0.6 for a, b in zip(theirs, theirs[1:], strict=False))  # a cut


def test_a_sequence_inside_a_chain_multiplies_the_sequence(assert_match):
    # PyTorch's SequentialLR sets the rate outright at a milestone, so inside a
    # ChainedScheduler it drops the other schedulers' factors (0.097 instead of 0.1·0.97⁵ at
    # step 4 here): the reference is the product of the parts, each checked against torch
    sequence = Schedule_Sequential(
        [
            Schedule_ConstantWarmup(0.1, factor=0.25, total_iters=10),
            Schedule_CosineAnnealing(0.1, T_max=40),
        ],
        milestones=[4],
    )
    decay = Schedule_ExponentialDecay(0.1, gamma=0.97)
    schedule = Schedule_Chained([sequence, decay])
    expected = [a * b / 0.1 for a, b in zip(sequence.values(40), decay.values(40), strict=True)]
    assert_match(schedule.values(40), expected, repr(schedule), tolerance=1e-16)


def test_a_chain_inside_a_sequence_multiplies_within_its_stage():
    # PyTorch's SequentialLR cannot hold a ChainedScheduler (pytorch#132745): the reference
    # is the two schedules' own values
    warm_up = Schedule_LinearWarmup(0.1, start_factor=0.5, total_iters=4)
    decay = Schedule_Chained(
        [Schedule_ExponentialDecay(0.1, gamma=0.9), Schedule_CosineAnnealing(0.1, T_max=30)]
    )
    schedule = Schedule_Sequential([warm_up, decay], milestones=[4])
    expected = warm_up.values(4) + decay.values(30)
    assert schedule.values(34) == expected


def test_resuming_a_sequence_from_a_state_dict_equals_never_stopping():
    steps = 60
    losses = epoch_losses(steps // STEPS_PER_EPOCH, seed=2)
    uninterrupted = train_nnlite(make_warm_up_then_plateau(), steps, losses)

    first = make_warm_up_then_plateau()
    train_nnlite(first, 30, losses)
    resumed = make_warm_up_then_plateau()
    resumed.load_state_dict(first.state_dict())
    rates = uninterrupted[:30]
    for step in range(30, steps):
        rates.append(resumed(step))
        if (step + 1) % STEPS_PER_EPOCH == 0:
            resumed.report(losses[step // STEPS_PER_EPOCH])
    assert rates == uninterrupted
    assert resumed.state_dict() != make_warm_up_then_plateau().state_dict()
