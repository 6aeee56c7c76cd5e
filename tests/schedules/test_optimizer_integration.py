"""A schedule given to an nnlite optimizer trains a Layer_Dense exactly as PyTorch does.

nnlite: ``Optimizer_SGD(learning_rate=schedule)``, the book's three hooks per step.
PyTorch: ``torch.optim.SGD`` with the matching scheduler stepped after each update, on the
same float64 weights, data and mean-squared-error loss. Weights and biases must agree to
1e-10 after every step, and ``current_learning_rate`` must be the schedule's value.
"""

import numpy as np
import pytest
import torch
from torch.optim import lr_scheduler

from nnlite import (
    Layer_Dense,
    Loss_MeanSquaredError,
    Optimizer_Adam,
    Optimizer_SGD,
    Schedule_CosineAnnealing,
    Schedule_Cyclic,
    Schedule_InverseTimeDecay,
    Schedule_LinearWarmup,
    Schedule_OneCycle,
    Schedule_ReduceOnPlateau,
    Schedule_Sequential,
    Schedule_StepDecay,
)

T = lr_scheduler  # short, for the one-line tables

STEPS = 30
TOLERANCE = 1e-10


def make_problem():
    rng = np.random.default_rng(0)
    dense = Layer_Dense(4, 3, weight_initializer="he", rng=rng)
    dense.biases += rng.normal(0, 0.1, dense.biases.shape)
    X = rng.normal(size=(16, 4))
    y = rng.normal(size=(16, 3))
    return dense, X, y


def nnlite_backward(dense, loss, X, y):
    dense.forward(X)
    value = float(np.mean(loss.forward(dense.output, y)))
    loss.backward(dense.output, y)
    dense.backward(loss.dinputs)
    return value


# (id, nnlite schedule, torch scheduler builder, SGD options given to both)
# fmt: off
CASES = [
    ("step", lambda: Schedule_StepDecay(0.2, step_size=7, gamma=0.5), lambda o: T.StepLR(o, 7, 0.5), {}),  # noqa: E501
    ("cosine", lambda: Schedule_CosineAnnealing(0.2, T_max=20, eta_min=0.01), lambda o: T.CosineAnnealingLR(o, 20, 0.01), {}),  # noqa: E501
    ("inverse_time", lambda: Schedule_InverseTimeDecay(0.2, decay=0.1), lambda o: T.LambdaLR(o, lambda k: 1 / (1 + 0.1 * k)), {}),  # noqa: E501
    ("warm_up_cosine", lambda: Schedule_Sequential([Schedule_LinearWarmup(0.2, start_factor=0.1, total_iters=5), Schedule_CosineAnnealing(0.2, T_max=25)], milestones=[5]), lambda o: T.SequentialLR(o, [T.LinearLR(o, 0.1, total_iters=5), T.CosineAnnealingLR(o, 25)], milestones=[5]), {}),  # noqa: E501
    ("one_cycle", lambda: Schedule_OneCycle(0.3, total_steps=STEPS, cycle_momentum=False), lambda o: T.OneCycleLR(o, 0.3, total_steps=STEPS, cycle_momentum=False), {}),  # noqa: E501
    ("cyclic", lambda: Schedule_Cyclic(0.01, 0.2, step_size_up=4, cycle_momentum=False), lambda o: T.CyclicLR(o, 0.01, 0.2, 4, cycle_momentum=False), {}),  # noqa: E501
    ("torch_momentum_cosine", lambda: Schedule_CosineAnnealing(0.05, T_max=30), lambda o: T.CosineAnnealingLR(o, 30), {"momentum": 0.9}),  # noqa: E501
    ("torch_nesterov_step", lambda: Schedule_StepDecay(0.05, step_size=5, gamma=0.5), lambda o: T.StepLR(o, 5, 0.5), {"momentum": 0.9, "nesterov": True}),  # noqa: E501
]
# fmt: on


@pytest.mark.parametrize(
    ("make_schedule", "make_torch", "options"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_sgd_with_a_schedule_equals_torch(make_schedule, make_torch, options):
    schedule = make_schedule()
    dense, X, y = make_problem()
    loss = Loss_MeanSquaredError()
    form = {"momentum_form": "torch"} if options else {}
    optimizer = Optimizer_SGD(learning_rate=schedule, **options, **form)

    W = torch.tensor(dense.weights, requires_grad=True)
    b = torch.tensor(dense.biases, requires_grad=True)
    torch_optimizer = torch.optim.SGD([W, b], lr=schedule.initial_learning_rate, **options)
    scheduler = make_torch(torch_optimizer)
    X_t, y_t = torch.tensor(X), torch.tensor(y)

    rates = []
    for step in range(STEPS):
        nnlite_backward(dense, loss, X, y)
        optimizer.pre_update_params()
        optimizer.update_params(dense)
        optimizer.post_update_params()
        rates.append(optimizer.current_learning_rate)

        torch_rate = torch_optimizer.param_groups[0]["lr"]
        torch_optimizer.zero_grad()
        ((X_t @ W + b - y_t) ** 2).mean().backward()
        torch_optimizer.step()
        scheduler.step()

        assert abs(rates[-1] - torch_rate) < 1e-12, f"step {step}: lr {rates[-1]} vs {torch_rate}"
        for name, ours, theirs in (("weights", dense.weights, W), ("biases", dense.biases, b)):
            difference = np.max(np.abs(ours - theirs.detach().numpy()))
            assert difference < TOLERANCE, f"{schedule!r} step {step}: {name} differ: {difference}"
    assert rates == schedule.values(STEPS)


def test_a_param_group_with_its_own_rate_follows_the_schedule_in_proportion():
    schedule = Schedule_StepDecay(0.2, step_size=5, gamma=0.5)
    dense, X, y = make_problem()
    loss = Loss_MeanSquaredError()
    optimizer = Optimizer_SGD(learning_rate=schedule)
    optimizer.add_param_group({"parameters": ["biases"], "learning_rate": 0.05})

    W = torch.tensor(dense.weights, requires_grad=True)
    b = torch.tensor(dense.biases, requires_grad=True)
    torch_optimizer = torch.optim.SGD([{"params": [W]}, {"params": [b], "lr": 0.05}], lr=0.2)
    scheduler = T.StepLR(torch_optimizer, 5, 0.5)
    X_t, y_t = torch.tensor(X), torch.tensor(y)
    for step in range(STEPS):
        nnlite_backward(dense, loss, X, y)
        optimizer.step([dense])
        torch_optimizer.zero_grad()
        ((X_t @ W + b - y_t) ** 2).mean().backward()
        torch_optimizer.step()
        scheduler.step()
        difference = np.max(np.abs(dense.biases - b.detach().numpy()))
        assert difference < TOLERANCE, f"step {step}: biases differ by {difference}"
    assert np.max(np.abs(dense.weights - W.detach().numpy())) < TOLERANCE


def test_reduce_on_plateau_driven_by_the_training_loss_equals_torch():
    schedule = Schedule_ReduceOnPlateau(0.3, factor=0.5, patience=1, threshold=0.01)
    dense, X, y = make_problem()
    loss = Loss_MeanSquaredError()
    optimizer = Optimizer_SGD(learning_rate=schedule)

    W = torch.tensor(dense.weights, requires_grad=True)
    b = torch.tensor(dense.biases, requires_grad=True)
    torch_optimizer = torch.optim.SGD([W, b], lr=0.3)
    scheduler = T.ReduceLROnPlateau(torch_optimizer, factor=0.5, patience=1, threshold=0.01)
    X_t, y_t = torch.tensor(X), torch.tensor(y)
    rates = []
    for _ in range(STEPS):
        value = nnlite_backward(dense, loss, X, y)
        optimizer.step([dense])
        schedule.report(value)
        rates.append(optimizer.current_learning_rate)

        torch_optimizer.zero_grad()
        torch_loss = ((X_t @ W + b - y_t) ** 2).mean()
        torch_loss.backward()
        torch_optimizer.step()
        scheduler.step(torch_loss.item())
    assert len(set(rates)) > 1  # the loss did plateau
    assert np.max(np.abs(dense.weights - W.detach().numpy())) < TOLERANCE
    assert np.max(np.abs(dense.biases - b.detach().numpy())) < TOLERANCE


def test_inverse_time_decay_is_the_books_decay_to_the_bit():
    runs = []
    for learning_rate, decay in ((1.0, 1e-3), (Schedule_InverseTimeDecay(1.0, decay=1e-3), 0.0)):
        dense, X, y = make_problem()
        loss = Loss_MeanSquaredError()
        optimizer = Optimizer_SGD(learning_rate=learning_rate, decay=decay, momentum=0.9)
        rates = []
        for _ in range(STEPS):
            nnlite_backward(dense, loss, X, y)
            optimizer.step([dense])
            rates.append(optimizer.current_learning_rate)
        runs.append((rates, dense.weights.copy(), dense.biases.copy()))
    (book_rates, book_weights, book_biases), (rates, weights, biases) = runs
    assert rates == book_rates
    assert np.array_equal(weights, book_weights) and np.array_equal(biases, book_biases)


@pytest.mark.parametrize("make_optimizer", [Optimizer_SGD, Optimizer_Adam])
def test_decay_and_a_schedule_together_are_refused(make_optimizer):
    with pytest.raises(ValueError, match="Give either decay or a learning-rate schedule"):
        make_optimizer(learning_rate=Schedule_StepDecay(0.1, step_size=3), decay=1e-3)


def test_one_cycle_cycles_sgd_momentum_like_torch():
    import torch

    from nnlite import Layer_Dense, Optimizer_SGD, Schedule_OneCycle

    steps = 30
    rng = np.random.default_rng(3)
    layer = Layer_Dense(3, 2, rng=rng)
    weights = torch.tensor(layer.weights.copy(), requires_grad=True)
    biases = torch.tensor(layer.biases.copy(), requires_grad=True)
    theirs = torch.optim.SGD([weights, biases], lr=0.1, momentum=0.9)
    their_schedule = torch.optim.lr_scheduler.OneCycleLR(theirs, max_lr=0.1, total_steps=steps)
    ours = Optimizer_SGD(
        learning_rate=Schedule_OneCycle(0.1, total_steps=steps),
        momentum=0.9,
        momentum_form="torch",
    )
    for _ in range(steps - 1):
        layer.dweights = np.sin(layer.weights * 3.0)
        layer.dbiases = np.cos(layer.biases)
        ours.step([layer])
        weights.grad = torch.sin(weights.detach() * 3.0)
        biases.grad = torch.cos(biases.detach())
        assert ours.momentum == theirs.param_groups[0]["momentum"]
        theirs.step()
        their_schedule.step()
    np.testing.assert_allclose(layer.weights, weights.detach().numpy(), rtol=0, atol=1e-10)
    np.testing.assert_allclose(layer.biases, biases.detach().numpy(), rtol=0, atol=1e-10)


def test_cycling_momentum_on_an_optimizer_without_momentum_is_refused():
    from nnlite import Optimizer_Adagrad, Schedule_OneCycle

    with pytest.raises(ValueError, match="must support momentum or beta1"):
        Optimizer_Adagrad(learning_rate=Schedule_OneCycle(0.1, total_steps=10))
