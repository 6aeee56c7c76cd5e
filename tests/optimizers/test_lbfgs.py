"""Optimizer_LBFGS against torch.optim.LBFGS, with and without the strong-Wolfe line search.

The parity rows train the same small regression network on both sides (``Layer_Dense(3, 8)``,
tanh, ``Layer_Dense(8, 1)``, mean squared error, fixed data, float64): nnlite's layers in
nnlite's closure, torch's autograd in torch's. After every outer ``step`` the parameters must
agree within 1e-10, and so must the returned loss and the number of closure calls.

L-BFGS amplifies the last-digit differences between the two networks' arithmetic as it
converges (its curvature pairs y = g_new - g_old subtract nearly equal gradients), so each row
runs as many outer steps as stay within 1e-10: 40 inner iterations for the defaults, more for
the rows with short steps. The line search is also compared directly with PyTorch's
``_strong_wolfe`` and ``_cubic_interpolate``, on a function where every branch is taken.
"""

import copy
import tracemalloc
from dataclasses import dataclass, field

import numpy as np
import pytest
import torch
from torch.optim import lbfgs as torch_lbfgs

from nnlite.activations.relu import Activation_ReLU
from nnlite.activations.tanh import Activation_Tanh
from nnlite.datasets import spiral_data
from nnlite.layers.dense import Layer_Dense
from nnlite.losses.mean_squared_error import Loss_MeanSquaredError
from nnlite.losses.softmax_categorical_crossentropy import (
    Activation_Softmax_Loss_CategoricalCrossentropy,
)
from nnlite.optimizers.lbfgs import Optimizer_LBFGS
from nnlite.optimizers.line_search import cubic_interpolate, strong_wolfe
from nnlite.parameters import ParameterSpec

TOLERANCE = 1e-10


@dataclass(frozen=True)
class Case:
    name: str
    settings: dict = field(default_factory=dict)  # nnlite's names; torch's lr for learning_rate
    steps: int = 6

    def __str__(self):
        return self.name


CASES = [
    Case("defaults", {}, steps=2),
    Case("max_iter 5", {"max_iter": 5}, steps=8),
    Case("history_size 3, max_iter 7", {"history_size": 3, "max_iter": 7}, steps=5),
    Case("lr 0.5, max_iter 4, max_eval 6", {"learning_rate": 0.5, "max_iter": 4, "max_eval": 6}),
    Case("tolerance_change 1e-3 (stops early)", {"tolerance_change": 1e-3}, steps=3),
    Case("tolerance_grad 0.05 (stops early)", {"tolerance_grad": 0.05}, steps=3),
    Case("strong_wolfe", {"line_search_fn": "strong_wolfe"}, steps=2),
    Case(
        "strong_wolfe, history_size 3, max_iter 7",
        {"line_search_fn": "strong_wolfe", "history_size": 3, "max_iter": 7},
        steps=5,
    ),
    Case(
        "strong_wolfe, lr 3, max_iter 5",
        {"line_search_fn": "strong_wolfe", "learning_rate": 3.0, "max_iter": 5},
        steps=4,
    ),
    Case(
        "strong_wolfe, max_eval 3 (out of evaluations)",
        {"line_search_fn": "strong_wolfe", "max_iter": 3, "max_eval": 3},
    ),
]


def regression_data():
    rng = np.random.default_rng(0)
    inputs = rng.standard_normal((32, 3))
    targets = np.sin(inputs.sum(axis=1, keepdims=True)) + 0.3 * rng.standard_normal((32, 1))
    return inputs, targets


class Network:
    """nnlite's side: the layers and a closure that runs forward and backward."""

    def __init__(self, inputs, targets):
        self.inputs, self.targets = inputs, targets
        self.dense1 = Layer_Dense(3, 8, rng=np.random.default_rng(1), weight_scale=0.5)
        self.tanh = Activation_Tanh()
        self.dense2 = Layer_Dense(8, 1, rng=np.random.default_rng(2), weight_scale=0.5)
        self.dense1.biases = np.random.default_rng(3).normal(0, 0.1, (1, 8))
        self.loss = Loss_MeanSquaredError()
        self.calls = 0

    @property
    def layers(self):
        return [self.dense1, self.dense2]

    def closure(self):
        self.calls += 1
        self.dense1.forward(self.inputs)
        self.tanh.forward(self.dense1.output)
        self.dense2.forward(self.tanh.output)
        loss = self.loss.calculate(self.dense2.output, self.targets)
        self.loss.backward(self.dense2.output, self.targets)
        self.dense2.backward(self.loss.dinputs)
        self.tanh.backward(self.dense2.dinputs)
        self.dense1.backward(self.tanh.dinputs)
        return loss


def torch_twin(network):
    """torch's side: the same parameters, as (weights, biases) tensors in nnlite's layout."""
    return [
        torch.tensor(getattr(layer, name), requires_grad=True)
        for layer in network.layers
        for name in ("weights", "biases")
    ]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_matches_torch_lbfgs(case):
    inputs, targets = regression_data()
    network = Network(inputs, targets)
    parameters = torch_twin(network)
    w1, b1, w2, b2 = parameters
    x, y = torch.from_numpy(inputs), torch.from_numpy(targets)
    their_settings = {
        ("lr" if key == "learning_rate" else key): value for key, value in case.settings.items()
    }
    ours = Optimizer_LBFGS(**case.settings)
    theirs = torch.optim.LBFGS(parameters, **their_settings)

    def their_closure():
        theirs.zero_grad()
        loss = torch.mean((torch.tanh(x @ w1 + b1) @ w2 + b2 - y) ** 2)
        loss.backward()
        return loss

    first_losses = []
    for step in range(1, case.steps + 1):
        our_loss = ours.step(network.closure, network.layers)
        their_loss = theirs.step(their_closure).item()
        first_losses.append(our_loss)
        assert abs(our_loss - their_loss) < TOLERANCE, (case, step, our_loss, their_loss)
        their_evaluations = theirs.state[w1]["func_evals"]
        assert network.calls == ours.state.function_evaluations == their_evaluations, (
            f"{case} step {step}: {network.calls} closure calls, torch {their_evaluations}"
        )
        ours_and_theirs = zip(
            ("dense1.weights", "dense1.biases", "dense2.weights", "dense2.biases"),
            (getattr(layer, name) for layer in network.layers for name in ("weights", "biases")),
            parameters,
            strict=True,
        )
        for label, our_value, tensor in ours_and_theirs:
            difference = float(np.max(np.abs(our_value - tensor.detach().numpy())))
            assert difference < TOLERANCE, (
                f"{case} step {step}: {label} differs from torch by {difference:.3g}\n"
                f"ours:\n{our_value}\ntheirs:\n{tensor.detach().numpy()}"
            )
    assert first_losses[-1] < first_losses[0]  # it did optimize


def test_returns_at_once_when_the_gradient_is_already_small():
    network = Network(*regression_data())
    optimizer = Optimizer_LBFGS(tolerance_grad=1e3)
    before = network.dense1.weights.copy()
    loss = optimizer.step(network.closure, network.layers)
    assert network.calls == 1
    assert loss == network.loss.calculate(network.dense2.output, network.targets)
    np.testing.assert_array_equal(network.dense1.weights, before)


def rosenbrock(point):
    """f(x, y) = (1 - x)² + 100·(y - x²)² and its gradient."""
    x, y = point
    value = (1 - x) ** 2 + 100 * (y - x * x) ** 2
    gradient = np.array([-2 * (1 - x) - 400 * x * (y - x * x), 200 * (y - x * x)])
    return float(value), gradient


def quadratic(point):
    """f(x, y) = ½·(x² + 10·y²) and its gradient."""
    curvature = np.array([1.0, 10.0])
    return float(0.5 * np.sum(curvature * point * point)), curvature * point


# (function, start, direction, initial t): together they take every branch of both phases
LINE_SEARCHES = [
    (rosenbrock, (-0.5, 0.5), (1.0, 0.0), 3.0),  # too long: zoom, moving t off the ends
    (rosenbrock, (-1.2, 1.0), "unit", 1e-4),  # too short: extrapolation, then zoom
    (rosenbrock, (-1.2, 1.0), (0.0, -1.0), 1e-4),
    (rosenbrock, (0.5, 0.2), "steepest", 0.1),  # zoom: the old low end becomes the high end
    (quadratic, (3.0, 1.0), (-1.0, 0.0), 5.85),  # past the minimum: the slope turns uphill
]


@pytest.mark.parametrize(("function", "start", "direction", "t"), LINE_SEARCHES)
@pytest.mark.parametrize("max_evaluations", [25, 2], ids=["25 evaluations", "2 evaluations"])
def test_strong_wolfe_matches_torchs(function, start, direction, t, max_evaluations):
    start = np.array(start)
    loss, gradient = function(start)
    if direction == "steepest":
        direction = -gradient
    elif direction == "unit":
        direction = -gradient / np.linalg.norm(gradient)
    else:
        direction = np.array(direction)
    slope = float(gradient @ direction)

    ours = strong_wolfe(
        lambda step: function(start + step * direction),
        t,
        direction,
        loss,
        gradient,
        slope,
        max_evaluations=max_evaluations,
    )

    def their_objective(x, step, d):
        # The same point, computed by the same NumPy expression as ours
        value, their_gradient = function(x.numpy() + float(step) * d.numpy())
        return value, torch.from_numpy(their_gradient)

    theirs = torch_lbfgs._strong_wolfe(
        their_objective,
        torch.from_numpy(start),
        t,
        torch.from_numpy(direction),
        loss,
        torch.from_numpy(gradient),
        torch.tensor(slope),
        max_ls=max_evaluations,
    )
    our_loss, our_gradient, our_t, our_evaluations = ours
    their_loss, their_gradient, their_t, their_evaluations = theirs
    # Every decision was the same, so every number is the same to the last bit
    assert our_evaluations == their_evaluations
    assert our_t == float(their_t)
    assert our_loss == float(their_loss)
    np.testing.assert_array_equal(our_gradient, np.asarray(their_gradient))


@pytest.mark.parametrize(
    "points",
    [
        (0.0, 1.0, -2.0, 1.0, 0.5, 1.0),  # a minimum inside
        (0.0, 1.0, -1.0, 1.0, 3.0, -2.0),
        (1.0, 0.5, 1.0, 0.0, 1.0, -1.0),  # x1 > x2
        (0.0, 0.0, 1.0, 1.0, 2.0, -3.0),  # no real minimum: the midpoint
        (0.0, 0.0, 1.0, 1.0, 1.0, 1.0),  # a zero denominator: an end of the bounds
        (0.5, 0.0, 1.0, 0.5, 0.0, 1.0),  # x1 = x2: NaN
    ],
)
@pytest.mark.parametrize("bounds", [None, (0.2, 0.6)])
def test_cubic_interpolate_matches_torchs(points, bounds):
    expected = torch_lbfgs._cubic_interpolate(
        *(torch.tensor(value, dtype=torch.float64) for value in points), bounds=bounds
    )
    ours = cubic_interpolate(*points, bounds=bounds)
    assert ours == float(expected) or (np.isnan(ours) and np.isnan(float(expected)))


def test_refuses_param_groups_and_single_layer_updates():
    network = Network(*regression_data())
    optimizer = Optimizer_LBFGS()
    with pytest.raises(ValueError, match=r"LBFGS doesn't support per-parameter options"):
        optimizer.add_param_group({"layers": [network.dense2], "learning_rate": 0.1})
    with pytest.raises(TypeError, match=r"optimizer\.step\(closure, layers\)"):
        optimizer.update_params(network.dense1)
    with pytest.raises(TypeError, match="closure must be a function"):
        optimizer.step(network.layers, network.layers)
    assert len(optimizer.param_groups) == 1
    assert "weight_decay" not in optimizer.param_groups[0]


def test_a_closure_that_skips_backward_is_reported():
    network = Network(*regression_data())  # no backward pass has run: no dweights yet

    def forward_only():
        network.dense1.forward(network.inputs)
        return 1.0

    with pytest.raises(RuntimeError, match="must run the backward pass"):
        Optimizer_LBFGS().step(forward_only, network.layers)


def test_other_layers_start_the_history_afresh():
    network = Network(*regression_data())
    optimizer = Optimizer_LBFGS(max_iter=3, max_eval=10)
    optimizer.step(network.closure, network.layers)
    first_state = optimizer.state
    assert first_state.iterations == 3
    with pytest.warns(UserWarning, match="history starts afresh"):
        optimizer.step(network.closure, network.layers[:1])
    assert optimizer.state is not first_state
    assert [entry[1] for entry in optimizer.state.layout] == ["weights", "biases"]
    assert optimizer.state.iterations == 3  # the new history's own count


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"learning_rate": -1.0}, "Invalid learning rate: -1.0"),
        ({"max_iter": 0}, "Invalid max_iter value: 0"),
        ({"max_eval": 0}, "Invalid max_eval value: 0"),
        ({"history_size": 0}, "Invalid history_size value: 0"),
        ({"tolerance_grad": -1.0}, "Invalid tolerance_grad value: -1.0"),
        ({"tolerance_change": -1.0}, "Invalid tolerance_change value: -1.0"),
        ({"line_search_fn": "armijo"}, "only 'strong_wolfe' is supported"),
    ],
)
def test_invalid_hyperparameters_raise(arguments, message):
    with pytest.raises(ValueError, match=message):
        Optimizer_LBFGS(**arguments)


def test_default_max_eval_is_five_quarters_of_max_iter():
    assert Optimizer_LBFGS(max_iter=10).max_eval == 12
    assert Optimizer_LBFGS().max_eval == 25


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_reduces_the_loss_on_spiral_data(line_search_fn):
    np.random.seed(0)
    X, y = spiral_data(samples=100, classes=3)
    dense1 = Layer_Dense(2, 32, weight_initializer="he")
    dense2 = Layer_Dense(32, 3, weight_initializer="he")
    relu, loss_activation = Activation_ReLU(), Activation_Softmax_Loss_CategoricalCrossentropy()

    def closure():
        dense1.forward(X)
        relu.forward(dense1.output)
        dense2.forward(relu.output)
        loss = loss_activation.forward(dense2.output, y)
        loss_activation.backward(loss_activation.output, y)
        dense2.backward(loss_activation.dinputs)
        relu.backward(dense2.dinputs)
        dense1.backward(relu.dinputs)
        return loss

    optimizer = Optimizer_LBFGS(line_search_fn=line_search_fn, learning_rate=0.5)
    first = optimizer.step(closure, [dense1, dense2])
    for _ in range(4):
        last = optimizer.step(closure, [dense1, dense2])
    assert last < 0.8 * first, (first, last)


class Layer_Quadratic:
    """A layer for f(W) = ½·Σ scale·(W - target)², whose closure allocates nothing."""

    parameter_specs = (ParameterSpec("weights", "dweights", "weight"),)

    def __init__(self, shape, rng):
        self.weights = rng.standard_normal(shape)
        self.target = rng.standard_normal(shape)
        self.scale = rng.uniform(0.5, 2.0, shape)
        self.difference = np.zeros(shape)
        self.dweights = np.zeros(shape)

    def closure(self):
        # g = scale·(W - target) and f = ½·(W - target)ᵀg, written into preallocated arrays
        np.subtract(self.weights, self.target, out=self.difference)
        np.multiply(self.scale, self.difference, out=self.dweights)
        return 0.5 * float(np.vdot(self.difference, self.dweights))


def measure_one_step(optimizer, layer):
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        optimizer.step(layer.closure, [layer])
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_step_without_line_search_allocates_nothing_parameter_sized_once_history_is_full():
    layer = Layer_Quadratic((256, 128), np.random.default_rng(0))  # 256 KiB of parameters
    optimizer = Optimizer_LBFGS(learning_rate=0.1, max_iter=4, history_size=2)
    for _ in range(2):
        optimizer.step(layer.closure, [layer])  # fill the history and reuse its arrays once
    assert len(optimizer.state.steps) == 2
    for _ in range(3):
        evaluations = optimizer.state.function_evaluations
        peak = measure_one_step(optimizer, layer)
        assert optimizer.state.function_evaluations - evaluations == 4  # every iteration ran
        assert peak < layer.weights.nbytes // 4, (peak, layer.weights.nbytes)


def test_the_line_search_allocates_at_most_one_gradient_vector_per_evaluation():
    layer = Layer_Quadratic((256, 128), np.random.default_rng(0))
    optimizer = Optimizer_LBFGS(max_iter=3, history_size=2, line_search_fn="strong_wolfe")
    for _ in range(3):
        optimizer.step(layer.closure, [layer])  # fill the history and reuse its arrays once
    evaluations = optimizer.state.function_evaluations
    peak = measure_one_step(optimizer, layer)
    evaluations = optimizer.state.function_evaluations - evaluations
    assert evaluations >= 2
    # The first evaluation reuses a preallocated vector; each line-search evaluation makes one
    line_search_evaluations = evaluations - 1
    limit = line_search_evaluations * layer.weights.nbytes + layer.weights.nbytes // 4
    assert peak < limit, (peak, evaluations)


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_stopping_saving_loading_and_going_on_gives_the_same_weights(line_search_fn):
    inputs, targets = regression_data()
    uninterrupted, resumed = Network(inputs, targets), Network(inputs, targets)
    for network in (uninterrupted, resumed):
        network.dense1.name, network.dense2.name = "dense1", "dense2"
    settings = {"max_iter": 4, "history_size": 3, "line_search_fn": line_search_fn}
    first = Optimizer_LBFGS(**settings)
    for _ in range(2):
        first.step(uninterrupted.closure, uninterrupted.layers)
    checkpoint = copy.deepcopy(first.state_dict(uninterrupted.layers))  # as if written to disk
    for layer, saved in zip(resumed.layers, uninterrupted.layers, strict=True):
        layer.weights, layer.biases = saved.weights.copy(), saved.biases.copy()
    second = Optimizer_LBFGS(**settings)
    second.load_state_dict(checkpoint, resumed.layers)
    for _ in range(3):
        assert first.step(uninterrupted.closure, uninterrupted.layers) == second.step(
            resumed.closure, resumed.layers
        )
    for ours, theirs in zip(resumed.layers, uninterrupted.layers, strict=True):
        np.testing.assert_array_equal(ours.weights, theirs.weights)
        np.testing.assert_array_equal(ours.biases, theirs.biases)


def test_a_checkpoint_for_other_layers_is_refused_before_anything_changes():
    network = Network(*regression_data())
    network.dense1.name, network.dense2.name = "dense1", "dense2"
    optimizer = Optimizer_LBFGS(max_iter=3)
    optimizer.step(network.closure, network.layers)
    checkpoint = optimizer.state_dict(network.layers)
    other = Network(*regression_data())
    other.dense1 = Layer_Dense(3, 4, name="dense1")
    other.dense2.name = "dense2"
    fresh = Optimizer_LBFGS(max_iter=3)
    with pytest.raises(ValueError, match="history is for parameters"):
        fresh.load_state_dict(checkpoint, other.layers)
    assert fresh.state is None and fresh.iterations == 0
