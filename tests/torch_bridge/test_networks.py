"""PyTorch bridge: to_torch and from_torch give networks with the same outputs (float64).

The reference is the other framework itself: the same inputs through both networks, outputs
equal to 1e-12, for each architecture in a table of one-line cases, in both directions.
"""

import numpy as np
import pytest
import torch
from torch import nn

from nnlite import (
    Activation_LeakyReLU,
    Activation_Linear,
    Activation_ReLU,
    Activation_Sigmoid,
    Activation_Softmax,
    Activation_Tanh,
    Layer_Dense,
    Layer_Dropout,
    Loss_MeanSquaredError,
)
from nnlite.torch_bridge import from_torch, to_torch
from nnlite.training.model import Model

TOLERANCE = 1e-12


def nnlite_model(*layers):
    model = Model()
    for layer in layers:
        model.add(layer)
    model.finalize()
    return model


def dense(n_inputs, n_neurons, seed):
    # Large enough weights that the activations are not all near zero
    return Layer_Dense(n_inputs, n_neurons, weight_scale=0.7, rng=np.random.default_rng(seed))


NNLITE_CASES = {
    "relu, softmax": lambda: nnlite_model(
        dense(4, 8, 0), Activation_ReLU(), dense(8, 3, 1), Activation_Softmax()
    ),
    "tanh, sigmoid": lambda: nnlite_model(
        dense(4, 6, 2), Activation_Tanh(), dense(6, 1, 3), Activation_Sigmoid()
    ),
    "leaky relu, dropout, linear": lambda: nnlite_model(
        dense(4, 8, 4),
        Activation_LeakyReLU(alpha=0.3),
        Layer_Dropout(0.5),
        dense(8, 8, 5),
        Activation_ReLU(),
        dense(8, 2, 6),
        Activation_Linear(),
    ),
    "one dense layer": lambda: nnlite_model(dense(4, 5, 7)),
}

TORCH_CASES = {
    "relu, softmax": lambda: nn.Sequential(
        nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3), nn.Softmax(dim=1)
    ),
    "tanh, sigmoid, softmax(dim=-1)": lambda: nn.Sequential(
        nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 4), nn.Sigmoid(), nn.Softmax(dim=-1)
    ),
    "leaky relu, dropout, identity": lambda: nn.Sequential(
        nn.Linear(4, 8),
        nn.LeakyReLU(negative_slope=0.2),
        nn.Dropout(p=0.3),
        nn.Linear(8, 2),
        nn.Identity(),
    ),
    "nested, no bias": lambda: nn.Sequential(
        nn.Sequential(nn.Linear(4, 8, bias=False), nn.ReLU()), nn.Linear(8, 2)
    ),
}


def inputs():
    return np.random.default_rng(11).normal(size=(16, 4))


def assert_close(ours, theirs, what):
    difference = np.max(np.abs(ours - theirs))
    assert ours.shape == theirs.shape and difference < TOLERANCE, (
        f"{what}: max difference {difference}\nours:   {ours.ravel()[:5]}\n"
        f"theirs: {theirs.ravel()[:5]}"
    )


@pytest.mark.parametrize("case", sorted(NNLITE_CASES))
def test_to_torch_gives_the_same_outputs(case):
    model = NNLITE_CASES[case]()
    sequential = to_torch(model).eval()
    X = inputs()
    theirs = sequential(torch.from_numpy(X)).detach().numpy()
    assert theirs.dtype == np.float64
    assert_close(model.predict(X), theirs, case)


@pytest.mark.parametrize("case", sorted(TORCH_CASES))
def test_from_torch_gives_the_same_outputs(case):
    torch.manual_seed(0)
    sequential = TORCH_CASES[case]().double().eval()
    model = from_torch(sequential)
    X = inputs()
    ours = model.predict(X)
    assert ours.dtype == np.float64
    assert_close(ours, sequential(torch.from_numpy(X)).detach().numpy(), case)


@pytest.mark.parametrize("case", sorted(NNLITE_CASES))
def test_a_round_trip_keeps_every_parameter(case):
    model = NNLITE_CASES[case]()
    back = from_torch(to_torch(model))
    assert [type(layer) for layer in back.layers] == [type(layer) for layer in model.layers]
    for ours, theirs in zip(back.get_parameters(), model.get_parameters(), strict=True):
        for a, b in zip(ours, theirs, strict=True):
            np.testing.assert_array_equal(a, b)
    for layer, original in zip(back.layers, model.layers, strict=True):
        for attribute in ("rate", "alpha"):
            assert getattr(layer, attribute, None) == getattr(original, attribute, None)


def test_gradients_agree_too():
    """The transpose is right for training as well: the same loss gradient in both."""
    model = NNLITE_CASES["tanh, sigmoid"]()
    model.set(loss=Loss_MeanSquaredError())
    model.finalize()
    sequential = to_torch(model)
    X = inputs()
    y = np.random.default_rng(12).random(size=(16, 1))
    output = model.forward(X, training=True)
    model.backward(output, y)
    torch_output = sequential(torch.from_numpy(X))
    torch.nn.functional.mse_loss(torch_output, torch.from_numpy(y)).backward()
    for layer, linear in (
        (model.layers[0], sequential.dense_1),
        (model.layers[2], sequential.dense_2),
    ):
        assert_close(layer.dweights, linear.weight.grad.numpy().T, "dweights")
        assert_close(layer.dbiases[0], linear.bias.grad.numpy(), "dbiases")


def test_names_dtypes_and_frozen_layers_carry_over():
    model = NNLITE_CASES["relu, softmax"]()
    model.layers[0].trainable = False
    sequential = to_torch(model)
    assert [name for name, _ in sequential.named_children()] == [
        "dense_1",
        "relu_1",
        "dense_2",
        "softmax_1",
    ]
    assert sequential.dense_1.weight.requires_grad is False
    assert sequential.dense_2.weight.requires_grad is True
    assert from_torch(sequential).layers[0].trainable is False

    single = nnlite_model(Layer_Dense(3, 2, dtype=np.float32, rng=np.random.default_rng(0)))
    linear = to_torch(single)[0]
    assert linear.weight.dtype == torch.float32
    back = from_torch(to_torch(single))
    assert back.layers[0].weights.dtype == np.float32
    assert back.layers[0].weights.flags.c_contiguous


def test_from_torch_without_bias_gives_a_layer_without_biases():
    sequential = nn.Sequential(nn.Linear(3, 2, bias=False)).double()
    model = from_torch(sequential)
    layer = model.layers[0]
    assert not layer.has_biases and not hasattr(layer, "biases")
    inputs = np.random.default_rng(5).standard_normal((4, 3))
    np.testing.assert_allclose(
        model.predict(inputs), sequential(torch.from_numpy(inputs)).detach().numpy(), atol=1e-15
    )


def test_to_torch_keeps_a_layer_without_bias_without_bias():
    layer = Layer_Dense(3, 2, bias=False, rng=np.random.default_rng(4))
    linear = to_torch(nnlite_model(layer))[0]
    assert linear.bias is None
    inputs = np.random.default_rng(5).standard_normal((4, 3))
    np.testing.assert_allclose(
        linear(torch.from_numpy(inputs)).detach().numpy(), layer.forward(inputs), atol=1e-15
    )


class Layer_Custom:
    def forward(self, inputs, training=False):
        self.output = inputs
        return inputs

    def __repr__(self):
        return "Layer_Custom()"


@pytest.mark.parametrize(
    ("convert", "network", "error", "message"),
    [
        (
            to_torch,
            lambda: nnlite_model(dense(2, 3, 0), Layer_Custom()),
            TypeError,
            r"to_torch: layer 1 \(Layer_Custom\(\)\) has no torch counterpart here",
        ),
        (
            from_torch,
            lambda: nn.Sequential(nn.Linear(2, 3), nn.GELU()),
            TypeError,
            r"from_torch: module '1' \(GELU\(approximate='none'\)\) has no nnlite counterpart",
        ),
        (
            from_torch,
            lambda: nn.Sequential(nn.Sequential(nn.Conv1d(1, 1, 3))),
            TypeError,
            r"from_torch: module '0.0' \(Conv1d\(.*\)\) has no nnlite counterpart; from_torch "
            r"converts Linear, ",
        ),
        (
            from_torch,
            lambda: nn.Sequential(nn.Linear(2, 3), nn.Softmax(dim=0)),
            ValueError,
            r"module '1' \(Softmax\(dim=0\)\): nnlite's softmax runs over the classes",
        ),
        (
            from_torch,
            lambda: nn.Sequential(nn.Linear(2, 3), nn.Dropout(p=1.0)),
            ValueError,
            r"module '1' \(Dropout\(p=1.0, inplace=False\)\): Layer_Dropout: rate",
        ),
        (
            from_torch,
            lambda: nn.Sequential(nn.Linear(2, 3).to(torch.bfloat16)),
            TypeError,
            r"module '0' \(Linear\(.*\)\) has dtype torch.bfloat16; convert the network",
        ),
        (from_torch, lambda: nn.Linear(2, 3), TypeError, r"expected a torch.nn.Sequential"),
        (from_torch, lambda: nn.Sequential(), ValueError, r"the Sequential has no layers"),
        (to_torch, lambda: [dense(2, 3, 0)], TypeError, r"expected an nnlite Model, got list"),
    ],
)
def test_unsupported_layers_are_named(convert, network, error, message):
    with pytest.raises(error, match=message):
        convert(network())
