"""Optimizer checkpoints: resuming equals never stopping, and bad checkpoints are refused."""

import copy

import numpy as np
import pytest

from nnlite import (
    Activation_ReLU,
    Activation_Softmax_Loss_CategoricalCrossentropy,
    Layer_Dense,
    Optimizer_Adam,
    Optimizer_SGD,
    spiral_data,
)
from tests.optimizers.configurations import CONFIGURATIONS

OPTIMIZERS = list(CONFIGURATIONS.values())


def make_network():
    rng = np.random.default_rng(0)
    dense1 = Layer_Dense(2, 16, rng=rng, name="dense1")
    dense2 = Layer_Dense(16, 3, rng=rng, name="dense2")
    return [dense1, dense2]


def train(layers, optimizer, steps, data):
    X, y = data
    dense1, dense2 = layers
    relu = Activation_ReLU()
    loss_activation = Activation_Softmax_Loss_CategoricalCrossentropy()
    for _ in range(steps):
        dense1.forward(X)
        relu.forward(dense1.output)
        dense2.forward(relu.output)
        loss_activation.forward(dense2.output, y)
        loss_activation.backward(loss_activation.output, y)
        dense2.backward(loss_activation.dinputs)
        relu.backward(dense2.dinputs)
        dense1.backward(relu.dinputs)
        optimizer.step(layers)


@pytest.fixture(scope="module")
def data():
    np.random.seed(1)
    return spiral_data(samples=30, classes=3)


@pytest.mark.parametrize("make_optimizer", OPTIMIZERS)
def test_resuming_from_a_state_dict_equals_never_stopping(make_optimizer, data):
    straight_layers, straight = make_network(), make_optimizer()
    straight.add_param_group({"layers": [straight_layers[1]], "learning_rate": 0.01})
    train(straight_layers, straight, 20, data)

    first_layers, first = make_network(), make_optimizer()
    first.add_param_group({"layers": [first_layers[1]], "learning_rate": 0.01})
    train(first_layers, first, 8, data)
    saved = copy.deepcopy(first.state_dict(first_layers))
    weights = [(layer.weights.copy(), layer.biases.copy()) for layer in first_layers]

    resumed_layers, resumed = make_network(), make_optimizer()
    for layer, (w, b) in zip(resumed_layers, weights, strict=True):
        layer.set_parameters(w, b)
    resumed.load_state_dict(saved, resumed_layers)
    train(resumed_layers, resumed, 12, data)

    assert resumed.iterations == straight.iterations == 20
    for ours, theirs in zip(resumed_layers, straight_layers, strict=True):
        np.testing.assert_array_equal(ours.weights, theirs.weights)
        np.testing.assert_array_equal(ours.biases, theirs.biases)


def test_state_is_keyed_by_layer_name_not_position(data):
    layers, optimizer = make_network(), Optimizer_Adam(learning_rate=0.01)
    train(layers, optimizer, 3, data)
    saved = optimizer.state_dict(layers)
    assert set(saved["layers"]) == {"dense1", "dense2"}
    assert set(saved["layers"]["dense1"]["arrays"]) == {
        "weight_momentums",
        "weight_cache",
        "bias_momentums",
        "bias_cache",
    }
    fresh = make_network()
    reordered = {"dense2": fresh[1], "dense1": fresh[0]}
    Optimizer_Adam(learning_rate=0.01).load_state_dict(saved, reordered)
    np.testing.assert_array_equal(fresh[0].weight_cache, layers[0].weight_cache)


def test_saved_hyperparameters_replace_the_constructors(data):
    layers, optimizer = make_network(), Optimizer_Adam(learning_rate=0.02, beta_1=0.8)
    train(layers, optimizer, 2, data)
    fresh = Optimizer_Adam(learning_rate=123.0)
    fresh.load_state_dict(optimizer.state_dict(layers), make_network())
    assert (fresh.learning_rate, fresh.beta_1, fresh.iterations) == (0.02, 0.8, 2)


@pytest.fixture
def saved_adam(data):
    layers, optimizer = make_network(), Optimizer_Adam(learning_rate=0.01)
    train(layers, optimizer, 2, data)
    return optimizer.state_dict(layers)


def test_a_checkpoint_of_another_optimizer_is_refused(saved_adam):
    with pytest.raises(ValueError, match="saved by Optimizer_Adam, not Optimizer_SGD"):
        Optimizer_SGD(momentum=0.9).load_state_dict(saved_adam, make_network())


def test_a_wrong_shape_is_refused_before_anything_changes(saved_adam):
    layers = make_network()
    layers[1] = Layer_Dense(16, 4, name="dense2")
    optimizer = Optimizer_Adam(learning_rate=0.5)
    with pytest.raises(ValueError, match=r"weight_momentums .* shape \(16, 3\).* shape \(16, 4\)"):
        optimizer.load_state_dict(saved_adam, layers)
    assert optimizer.learning_rate == 0.5 and optimizer.iterations == 0
    assert not hasattr(layers[0], "weight_momentums")


def test_state_narrower_than_the_parameter_is_refused(data):
    # float64 state for float32 weights is normal (float64 gradients promote it, as in the
    # book); float32 state for float64 weights would lose precision, so it is refused
    layers = [Layer_Dense(2, 16, name="dense1", dtype=np.float32)]
    layers[0].dweights = np.ones((2, 16), dtype=np.float32)
    layers[0].dbiases = np.ones((1, 16), dtype=np.float32)
    optimizer = Optimizer_Adam()
    optimizer.step(layers)
    saved = optimizer.state_dict(layers)
    with pytest.raises(ValueError, match="dtype float32, but weights has shape .* dtype float64"):
        Optimizer_Adam().load_state_dict(saved, [Layer_Dense(2, 16, name="dense1")])


def test_missing_layers_are_named(saved_adam):
    with pytest.raises(ValueError, match=r"layers \['dense2'\], which are not among"):
        Optimizer_Adam().load_state_dict(saved_adam, {"dense1": make_network()[0]})


def test_unnamed_layers_are_refused_with_the_fix():
    with pytest.raises(ValueError, match="has no name; give each layer a name"):
        Optimizer_Adam().state_dict([Layer_Dense(2, 3)])


def test_something_that_is_not_a_state_dict_is_refused():
    with pytest.raises(ValueError, match="no 'optimizer' entry"):
        Optimizer_Adam().load_state_dict({"state": {}}, make_network())
