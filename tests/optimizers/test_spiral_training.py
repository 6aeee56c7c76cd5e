"""Every optimizer on the three hooks trains the book's network on spiral data: the loss falls.

A 2-64-3 network (ReLU, softmax cross-entropy) on ``spiral_data(100, 3)``, full batch, 250
steps from the same seeded start. The adaptive optimizers and SGD with momentum bring the loss
below 0.8 of its start. Plain gradient steps (SGD without momentum, ASGD, and Adadelta, whose
steps are about lr·g while its caches are small) leave the spiral's early plateau slowly, as
the book's chapter 10 shows over thousands of epochs; for them the bound is 0.9, still a clear
margin for a deterministic full-batch loss.

The data and the weights come from the global ``np.random`` stream seeded here (never
``nnfs.init()`` in-process: it patches NumPy for the whole test session).
"""

import numpy as np
import pytest

from nnlite import (
    Activation_ReLU,
    Activation_Softmax_Loss_CategoricalCrossentropy,
    Layer_Dense,
    Optimizer_Adadelta,
    Optimizer_Adagrad,
    Optimizer_Adam,
    Optimizer_Adamax,
    Optimizer_AdamW,
    Optimizer_ASGD,
    Optimizer_Lion,
    Optimizer_Muon,
    Optimizer_NAdam,
    Optimizer_RAdam,
    Optimizer_RMSprop,
    Optimizer_Rprop,
    Optimizer_SGD,
    spiral_data,
)

STEPS = 250

# (name, optimizer, the final loss must be below this fraction of the initial loss)
OPTIMIZERS = [
    ("sgd", lambda: Optimizer_SGD(learning_rate=3.0), 0.9),
    (
        "sgd momentum, decay",
        lambda: Optimizer_SGD(learning_rate=1.0, decay=1e-3, momentum=0.9),
        0.8,
    ),
    (
        "sgd nesterov, torch form",
        lambda: Optimizer_SGD(
            learning_rate=1.0, momentum=0.9, nesterov=True, momentum_form="torch"
        ),
        0.8,
    ),
    ("adagrad", lambda: Optimizer_Adagrad(learning_rate=0.2), 0.8),
    ("rmsprop", lambda: Optimizer_RMSprop(learning_rate=0.05), 0.8),
    (
        "rmsprop centered, momentum",
        lambda: Optimizer_RMSprop(learning_rate=0.005, momentum=0.9, centered=True),
        0.8,
    ),
    ("adam", lambda: Optimizer_Adam(learning_rate=0.05), 0.8),
    ("adam amsgrad", lambda: Optimizer_Adam(learning_rate=0.05, amsgrad=True), 0.8),
    ("adamw", lambda: Optimizer_AdamW(learning_rate=0.05), 0.8),
    ("adadelta", lambda: Optimizer_Adadelta(learning_rate=10.0, rho=0.95), 0.9),
    ("adamax", lambda: Optimizer_Adamax(learning_rate=0.1), 0.8),
    ("nadam", lambda: Optimizer_NAdam(learning_rate=0.05), 0.8),
    ("radam", lambda: Optimizer_RAdam(learning_rate=0.1), 0.8),
    ("asgd", lambda: Optimizer_ASGD(learning_rate=3.0, t0=50), 0.9),
    ("rprop", lambda: Optimizer_Rprop(learning_rate=0.05), 0.8),
    ("lion", lambda: Optimizer_Lion(learning_rate=0.02), 0.8),
    ("muon", lambda: Optimizer_Muon(learning_rate=0.05), 0.8),
    # Adafactor needs biases that do not start at zero: tests/optimizers/test_adafactor.py
]


class SpiralNetwork:
    """The book's chapter-10 network, with He initialisation so 250 steps show progress."""

    def __init__(self) -> None:
        np.random.seed(0)
        self.inputs, self.labels = spiral_data(samples=100, classes=3)
        self.dense1 = Layer_Dense(2, 64, weight_initializer="he")
        self.activation1 = Activation_ReLU()
        self.dense2 = Layer_Dense(64, 3, weight_initializer="he")
        self.loss_activation = Activation_Softmax_Loss_CategoricalCrossentropy()
        self.layers = [self.dense1, self.dense2]

    def loss(self) -> float:
        self.dense1.forward(self.inputs)
        self.activation1.forward(self.dense1.output)
        self.dense2.forward(self.activation1.output)
        return self.loss_activation.forward(self.dense2.output, self.labels)

    def backward(self) -> None:
        self.loss_activation.backward(self.loss_activation.output, self.labels)
        self.dense2.backward(self.loss_activation.dinputs)
        self.activation1.backward(self.dense2.dinputs)
        self.dense1.backward(self.activation1.dinputs)

    def train(self, optimizer, steps: int = STEPS) -> None:
        for _ in range(steps):
            self.loss()
            self.backward()
            optimizer.pre_update_params()
            optimizer.update_params(self.dense1)
            optimizer.update_params(self.dense2)
            optimizer.post_update_params()


@pytest.mark.parametrize(
    ("name", "make_optimizer", "bound"), OPTIMIZERS, ids=[o[0] for o in OPTIMIZERS]
)
def test_optimizer_reduces_the_spiral_loss(name, make_optimizer, bound):
    network = SpiralNetwork()
    initial = network.loss()
    optimizer = make_optimizer()
    network.train(optimizer)
    final = network.loss()
    assert np.isfinite(final)
    assert final < bound * initial, (
        f"{name}: loss {initial:.4f} -> {final:.4f} after {STEPS} steps "
        f"(needed below {bound} x {initial:.4f} = {bound * initial:.4f})"
    )
    assert optimizer.iterations == STEPS


# ---------------------------------------------------------------- ASGD's averaged weights


def test_asgd_averaged_weights_evaluate_the_average_and_restore_the_weights():
    network = SpiralNetwork()
    initial = network.loss()
    optimizer = Optimizer_ASGD(learning_rate=3.0, t0=50)
    network.train(optimizer)
    weights = [layer.weights for layer in network.layers]
    own = [layer.weights.copy() for layer in network.layers]
    own_loss = network.loss()

    with optimizer.averaged_weights(network.layers):
        averaged_loss = network.loss()
        for layer in network.layers:
            np.testing.assert_array_equal(layer.weights, layer.weight_average)
            np.testing.assert_array_equal(layer.biases, layer.bias_average)

    assert averaged_loss < 0.9 * initial
    assert averaged_loss != own_loss  # averaging started at t0 = 50: the average differs
    for layer, array, copy in zip(network.layers, weights, own, strict=True):
        assert layer.weights is array  # restored in place, the same arrays
        np.testing.assert_array_equal(layer.weights, copy)
    assert network.loss() == own_loss


def test_asgd_weights_are_restored_when_the_evaluation_fails():
    network = SpiralNetwork()
    optimizer = Optimizer_ASGD(learning_rate=1.0, t0=2)
    network.train(optimizer, steps=5)
    own = [layer.weights.copy() for layer in network.layers]
    with pytest.raises(KeyError), optimizer.averaged_weights(network.layers):
        raise KeyError("evaluation failed")
    for layer, copy in zip(network.layers, own, strict=True):
        np.testing.assert_array_equal(layer.weights, copy)


def test_asgd_apply_averaged_weights_keeps_the_average():
    network = SpiralNetwork()
    optimizer = Optimizer_ASGD(learning_rate=1.0, t0=2)
    network.train(optimizer, steps=10)
    averages = [layer.weight_average.copy() for layer in network.layers]
    optimizer.apply_averaged_weights(network.layers)
    for layer, average in zip(network.layers, averages, strict=True):
        np.testing.assert_array_equal(layer.weights, average)


def test_asgd_average_before_any_step_is_a_clear_error():
    network = SpiralNetwork()
    optimizer = Optimizer_ASGD()
    with pytest.raises(RuntimeError, match="has no weight_average from Optimizer_ASGD yet"):
        with optimizer.averaged_weights(network.layers):
            pass
    # State from another optimizer is not an average either
    network.train(Optimizer_Adam(), steps=1)
    with pytest.raises(RuntimeError, match="has no weight_average from Optimizer_ASGD yet"):
        optimizer.apply_averaged_weights(network.layers)
