"""Optimizer_Adafactor against torch.optim.Adafactor, step by step in float64.

The table rows run two ``Layer_Dense`` layers in lockstep with torch for 30 steps
(``torch_lockstep.py``): 2-D weights, and biases stored as (1, n) matrices, which both sides
factor as matrices. Further tests cover a vector (1-D, unfactored) and a 3-D parameter on a
layer that declares its own parameters, and compare the factored state itself.
"""

import numpy as np
import pytest
import torch

from nnlite import (
    Activation_ReLU,
    Activation_Softmax_Loss_CategoricalCrossentropy,
    Layer_Dense,
    spiral_data,
)
from nnlite.optimizers.adafactor import Optimizer_Adafactor
from nnlite.parameters import ParameterSpec
from tests.optimizers.torch_lockstep import PROBLEMS, Case, assert_lockstep

Adafactor = torch.optim.Adafactor


def inverse_time(decay):
    return lambda k: 1.0 / (1.0 + decay * k)


CASES = [
    Case("defaults", lambda: Optimizer_Adafactor(), lambda p: Adafactor(p.all)),
    Case("lr 0.1", lambda: Optimizer_Adafactor(0.1), lambda p: Adafactor(p.all, lr=0.1)),
    Case(
        "weight_decay 0.2",
        lambda: Optimizer_Adafactor(0.05, weight_decay=0.2),
        lambda p: Adafactor(p.all, lr=0.05, weight_decay=0.2),
    ),
    Case(
        "beta2_decay -0.5, d 1.5",
        lambda: Optimizer_Adafactor(beta2_decay=-0.5, d=1.5),
        lambda p: Adafactor(p.all, beta2_decay=-0.5, d=1.5),
    ),
    Case(
        "epsilon_1 0.1, epsilon_2 0.5",
        lambda: Optimizer_Adafactor(epsilon_1=0.1, epsilon_2=0.5),
        lambda p: Adafactor(p.all, eps=(0.1, 0.5)),
    ),
    Case(
        "maximize",
        lambda: Optimizer_Adafactor(maximize=True),
        lambda p: Adafactor(p.all, maximize=True),
    ),
    Case(
        "decay 0.1",
        lambda: Optimizer_Adafactor(0.05, decay=0.1, weight_decay=0.2),
        lambda p: Adafactor(p.all, lr=0.05, weight_decay=0.2),
        schedule=inverse_time(0.1),
    ),
    Case(
        "param group: learning rate of the second layer",
        lambda: Optimizer_Adafactor(0.05),
        lambda p: Adafactor([{"params": p.first}, {"params": p.second, "lr": 0.2}], lr=0.05),
        configure=lambda o, layers: o.add_param_group(
            {"layers": [layers[1]], "learning_rate": 0.2}
        ),
    ),
]


@pytest.mark.parametrize("problem", PROBLEMS)
@pytest.mark.parametrize("case", CASES, ids=str)
def test_matches_torch(case, problem):
    assert_lockstep(case, problem)


class Layer_Shapes:
    """A layer with a matrix, a vector and a 3-D parameter, to exercise every form of state."""

    parameter_specs = (
        ParameterSpec("matrix", "dmatrix", "matrix"),
        ParameterSpec("vector", "dvector", "vector"),
        ParameterSpec("cube", "dcube", "cube"),
    )

    def __init__(self, rng, dtype=np.float64):
        self.matrix = rng.standard_normal((5, 3)).astype(dtype)
        self.vector = rng.standard_normal(4).astype(dtype)
        self.cube = rng.standard_normal((2, 3, 4)).astype(dtype)


@pytest.mark.parametrize(
    ("dtype", "tolerance"), [(np.float64, 1e-10), (np.float32, 1e-5)], ids=["float64", "float32"]
)
def test_vectors_and_3d_parameters_and_their_state_match_torch(dtype, tolerance):
    # In float32, ε₁ = None is float32's machine epsilon on both sides
    rng = np.random.default_rng(3)
    layer = Layer_Shapes(rng, dtype)
    names = [parameter.name for parameter in layer.parameter_specs]
    tensors = [torch.tensor(getattr(layer, name)) for name in names]
    ours = Optimizer_Adafactor(0.05, weight_decay=0.1)
    theirs = Adafactor(tensors, lr=0.05, weight_decay=0.1)
    for step in range(1, 31):
        for name, tensor in zip(names, tensors, strict=True):
            gradient = rng.standard_normal(getattr(layer, name).shape).astype(dtype)
            setattr(layer, f"d{name}", gradient)
            tensor.grad = torch.tensor(gradient)
        ours.update_params(layer)
        theirs.step()
        for name, tensor in zip(names, tensors, strict=True):
            state = layer.optimizer_state.extras[name]
            their_state = theirs.state[tensor]
            pairs = [(name, getattr(layer, name), tensor)]
            if name == "vector":
                pairs.append(("variance", state["variance"], their_state["variance"]))
            else:
                pairs.append(("row_variance", state["row_variance"], their_state["row_var"]))
                pairs.append(("column_variance", state["column_variance"], their_state["col_var"]))
            for label, our_value, their_value in pairs:
                their_value = their_value.numpy()
                assert our_value.shape == their_value.shape
                difference = float(np.max(np.abs(our_value - their_value)))
                assert difference < tolerance, (
                    f"step {step}: {name} {label} differs by {difference:.3g}\n"
                    f"ours:\n{our_value}\ntheirs:\n{their_value}"
                )


def test_a_bias_is_factored_into_a_single_row_and_a_column_factor():
    layer = Layer_Dense(4, 3, rng=np.random.default_rng(0))
    layer.dweights = np.ones((4, 3))
    layer.dbiases = np.ones((1, 3))
    Optimizer_Adafactor().update_params(layer)
    state = layer.optimizer_state.extras["biases"]
    assert state["row_variance"].shape == (1, 1)
    assert state["column_variance"].shape == (1, 3)


def test_a_new_weights_shape_starts_the_state_afresh():
    layer = Layer_Dense(4, 3, rng=np.random.default_rng(0))
    optimizer = Optimizer_Adafactor()
    for _ in range(3):
        layer.dweights, layer.dbiases = np.ones((4, 3)), np.ones((1, 3))
        optimizer.update_params(layer)
    layer.weights = np.ones((4, 3), dtype=np.float32)
    layer.dweights = np.ones((4, 3), dtype=np.float32)
    with pytest.warns(UserWarning, match="state starts afresh"):
        optimizer.update_params(layer)
    state = layer.optimizer_state.extras["weights"]
    assert state["row_variance"].dtype == np.float32
    assert state["steps_before"] == 3  # its next step is its first


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"learning_rate": -1.0}, "Learning rate should be >= 0 but is: -1.0"),
        ({"beta2_decay": 0.1}, "beta2_decay should be <= 0 but is: 0.1"),
        ({"epsilon_1": -1.0}, "epsilon1 should be >= 0 but is: -1.0"),
        ({"epsilon_2": -1.0}, "epsilon2 should be >= 0 but is: -1.0"),
        ({"d": 0.5}, "Clipping threshold d should be >= 1 but is: 0.5"),
        ({"weight_decay": -0.1}, "weight_decay should be >= 0 but is: -0.1"),
        ({"decay": -1.0}, "Invalid decay value: -1.0"),
    ],
)
def test_invalid_hyperparameters_raise_torchs_messages(arguments, message):
    with pytest.raises(ValueError, match=message):
        Optimizer_Adafactor(**arguments)


def test_reduces_the_loss_on_spiral_data():
    # Adafactor's steps are relative to RMS(W): a parameter that starts at zero (the book's
    # biases) moves by only ε₂·ρ = 1e-4 per step, so the biases start small but non-zero here
    np.random.seed(0)
    X, y = spiral_data(samples=100, classes=3)
    dense1 = Layer_Dense(2, 64, weight_initializer="glorot")
    dense2 = Layer_Dense(64, 3, weight_initializer="glorot")
    dense1.biases = 0.1 * np.random.randn(1, 64)
    dense2.biases = 0.1 * np.random.randn(1, 3)
    relu, loss_activation = Activation_ReLU(), Activation_Softmax_Loss_CategoricalCrossentropy()
    optimizer = Optimizer_Adafactor(learning_rate=0.1)
    losses = []
    for _ in range(250):
        dense1.forward(X)
        relu.forward(dense1.output)
        dense2.forward(relu.output)
        losses.append(loss_activation.forward(dense2.output, y))
        loss_activation.backward(loss_activation.output, y)
        dense2.backward(loss_activation.dinputs)
        relu.backward(dense2.dinputs)
        dense1.backward(relu.dinputs)
        optimizer.step([dense1, dense2])
    assert losses[-1] < 0.8 * losses[0], (losses[0], losses[-1])
