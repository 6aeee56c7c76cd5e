"""Every nnlite.optim.lr_scheduler class against torch's: the same get_last_lr() sequence.

Each case is written once, as ``make(lr_scheduler, optimizer)``, and run with
``nnlite.optim.lr_scheduler`` on an ``nnlite.optim`` optimizer and with
``torch.optim.lr_scheduler`` on a ``torch.optim`` one, both with two param groups of
different learning rates. After every ``optimizer.step(); scheduler.step()`` the learning
rates (and the momentum the one-cycle and cyclic schedulers move) must agree within 1e-12.
"""

import numpy as np
import pytest
import torch
from torch.optim import lr_scheduler as torch_lr_scheduler

import nnlite.optim as optim
from nnlite import Layer_Dense
from nnlite.optim import lr_scheduler

TOLERANCE = 1e-12

# fmt: off
CASES = [
    ("LambdaLR", lambda S, o: S.LambdaLR(o, lambda k: 0.95**k)),
    ("LambdaLR per group", lambda S, o: S.LambdaLR(o, [lambda k: 0.9**k, lambda k: 1 / (1 + k)])),
    ("StepLR", lambda S, o: S.StepLR(o, step_size=7, gamma=0.5)),
    ("MultiStepLR", lambda S, o: S.MultiStepLR(o, milestones=[5, 12, 20], gamma=0.3)),
    ("ExponentialLR", lambda S, o: S.ExponentialLR(o, gamma=0.9)),
    ("CosineAnnealingLR", lambda S, o: S.CosineAnnealingLR(o, T_max=10, eta_min=0.001)),
    ("CosineAnnealingWarmRestarts", lambda S, o: S.CosineAnnealingWarmRestarts(o, T_0=3, T_mult=2, eta_min=0.001)),  # noqa: E501
    ("LinearLR", lambda S, o: S.LinearLR(o, start_factor=0.1, end_factor=0.5, total_iters=10)),
    ("ConstantLR", lambda S, o: S.ConstantLR(o, factor=0.5, total_iters=10)),
    ("PolynomialLR", lambda S, o: S.PolynomialLR(o, total_iters=20, power=2.0)),
    ("OneCycleLR", lambda S, o: S.OneCycleLR(o, max_lr=[1.0, 0.1], total_steps=41)),
    ("OneCycleLR three phases, linear", lambda S, o: S.OneCycleLR(o, 0.1, total_steps=41, three_phase=True, anneal_strategy="linear")),  # noqa: E501
    ("CyclicLR", lambda S, o: S.CyclicLR(o, 0.01, 0.1, step_size_up=4)),
    ("CyclicLR triangular2, per group", lambda S, o: S.CyclicLR(o, [0.01, 0.001], [0.1, 0.05], step_size_up=3, step_size_down=5, mode="triangular2")),  # noqa: E501
    ("CyclicLR exp_range", lambda S, o: S.CyclicLR(o, 0.001, 0.1, step_size_up=5, mode="exp_range", gamma=0.95)),  # noqa: E501
    ("SequentialLR", lambda S, o: S.SequentialLR(o, [S.LinearLR(o, 0.1, total_iters=3), S.CosineAnnealingLR(o, T_max=5)], milestones=[3])),  # noqa: E501
    ("SequentialLR three", lambda S, o: S.SequentialLR(o, [S.ConstantLR(o, 0.2, 10), S.CosineAnnealingLR(o, 8, 0.01), S.ExponentialLR(o, 0.9)], milestones=[4, 12])),  # noqa: E501
    ("ChainedScheduler", lambda S, o: S.ChainedScheduler([S.ConstantLR(o, 0.1, 2), S.ExponentialLR(o, 0.9)])),  # noqa: E501
    ("ChainedScheduler linear, step", lambda S, o: S.ChainedScheduler([S.LinearLR(o, 0.2, total_iters=6), S.StepLR(o, 5, 0.5)], optimizer=o)),  # noqa: E501
]
# fmt: on
STEPS = 40


def optimizers(make_optimizer):
    """The same two-group optimizer in nnlite.optim and in torch.optim."""
    first, second = Layer_Dense(2, 3), Layer_Dense(3, 1)
    ours = make_optimizer(
        optim, [{"params": first.parameters()}, {"params": second.parameters(), "lr": 0.05}]
    )  # noqa: E501
    tensors = [torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)]
    theirs = make_optimizer(
        torch.optim, [{"params": tensors[:1]}, {"params": tensors[1:], "lr": 0.05}]
    )  # noqa: E501
    return ours, theirs


def momenta(optimizer):
    return [
        group.get("momentum", group.get("betas", (None,))[0]) for group in optimizer.param_groups
    ]  # noqa: E501


@pytest.mark.parametrize("make", [case[1] for case in CASES], ids=[case[0] for case in CASES])
@pytest.mark.parametrize(
    "make_optimizer",
    [lambda o, p: o.SGD(p, lr=0.5, momentum=0.9), lambda o, p: o.Adam(p, lr=0.5)],
    ids=["sgd", "adam"],
)
def test_learning_rates_equal_torchs(make, make_optimizer):
    ours, theirs = optimizers(make_optimizer)
    our_scheduler = make(lr_scheduler, ours)
    their_scheduler = make(torch_lr_scheduler, theirs)
    for step in range(STEPS):
        assert np.allclose(our_scheduler.get_last_lr(), their_scheduler.get_last_lr(),
                           rtol=0, atol=TOLERANCE), (step, our_scheduler.get_last_lr(),
                                                     their_scheduler.get_last_lr())  # fmt: skip
        assert [g["lr"] for g in ours.param_groups] == our_scheduler.get_last_lr()
        ours_momenta, theirs_momenta = momenta(ours), momenta(theirs)
        assert np.allclose(ours_momenta, theirs_momenta, rtol=0, atol=TOLERANCE), step
        if step == STEPS - 1 and "OneCycle" in type(our_scheduler).__name__:
            break  # OneCycle is built for 41 lrs: 40 steps
        ours.step()
        theirs.step()
        our_scheduler.step()
        their_scheduler.step()


@pytest.mark.parametrize("patience", [0, 2])
def test_reduce_on_plateau_equals_torchs(patience):
    ours, theirs = optimizers(lambda o, p: o.SGD(p, lr=0.5))
    our_scheduler = lr_scheduler.ReduceLROnPlateau(
        ours, patience=patience, factor=0.5, min_lr=[0.01, 0.02]
    )  # noqa: E501
    their_scheduler = torch_lr_scheduler.ReduceLROnPlateau(
        theirs, patience=patience, factor=0.5, min_lr=[0.01, 0.02]
    )  # noqa: E501
    losses = [1.0, 0.9, 0.95, 0.95, 0.91, 0.8, 0.85, 0.85, 0.85, 0.85] * 3
    for loss in losses:
        our_scheduler.step(loss)
        their_scheduler.step(loss)
        assert np.allclose(
            our_scheduler.get_last_lr(), their_scheduler.get_last_lr(), rtol=0, atol=TOLERANCE
        )  # noqa: E501
    assert our_scheduler.get_last_lr() != [0.5, 0.05]


def test_state_dict_round_trip_resumes_the_sequence():
    ours, _ = optimizers(lambda o, p: o.SGD(p, lr=0.5))
    scheduler = lr_scheduler.CosineAnnealingWarmRestarts(ours, T_0=3, T_mult=2)
    for _ in range(5):
        scheduler.step()
    saved = scheduler.state_dict()
    expected = []
    for _ in range(5):
        scheduler.step()
        expected.append(scheduler.get_last_lr())
    again, _ = optimizers(lambda o, p: o.SGD(p, lr=0.5))
    resumed = lr_scheduler.CosineAnnealingWarmRestarts(again, T_0=3, T_mult=2)
    resumed.load_state_dict(saved)
    got = []
    for _ in range(5):
        resumed.step()
        got.append(resumed.get_last_lr())
    assert got == expected


def test_the_scheduled_rate_drives_the_update():
    layer = Layer_Dense(2, 1)
    optimizer = optim.SGD(layer.parameters(), lr=1.0)
    scheduler = lr_scheduler.StepLR(optimizer, step_size=1, gamma=0.5)
    scheduler.step()
    before = layer.weights.copy()
    layer.dweights, layer.dbiases = np.ones((2, 1)), np.ones((1, 1))
    optimizer.step()
    assert np.array_equal(layer.weights, before - 0.5)


def test_cycling_momentum_needs_an_optimizer_with_one():
    optimizer = optim.Adagrad(Layer_Dense(2, 1).parameters())
    with pytest.raises(ValueError, match="must support momentum or beta1"):
        lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=10)
