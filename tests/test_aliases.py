"""The course notes' singular spellings read and assign the book's attributes."""

import numpy as np
import pytest

import nnlite
from nnlite import (
    Activation_ReLU,
    Activation_Softmax,
    Activation_Softmax_Loss_CategoricalCrossentropy,
    Layer_Dense,
    Loss_MeanSquaredError,
)


@pytest.fixture
def layer():
    layer = Layer_Dense(3, 2, rng=np.random.default_rng(0))
    layer.forward(np.ones((4, 3)))
    layer.backward(np.ones((4, 2)))
    return layer


@pytest.mark.parametrize(
    ("singular", "plural"),
    [
        ("weight", "weights"),
        ("bias", "biases"),
        ("dweight", "dweights"),
        ("dbias", "dbiases"),
        ("dinput", "dinputs"),
    ],
)
def test_singular_reads_the_same_array(layer, singular, plural):
    assert getattr(layer, singular) is getattr(layer, plural)


def test_in_place_add_through_the_singular_changes_the_weights(layer):
    weights = layer.weights
    expected = weights + 0.5
    layer.weight += 0.5
    assert layer.weights is weights
    np.testing.assert_array_equal(layer.weights, expected)


def test_assigning_the_singular_replaces_the_plural(layer):
    new_weights, new_biases = np.zeros((3, 2)), np.ones((1, 2))
    layer.weight = new_weights
    layer.bias = new_biases
    layer.dweight = new_weights
    assert layer.weights is new_weights
    assert layer.biases is new_biases
    assert layer.dweights is new_weights


def test_reading_a_gradient_before_backward_names_the_books_attribute():
    layer = Layer_Dense(2, 2, rng=np.random.default_rng(0))
    with pytest.raises(AttributeError, match=r"'dweight'.*'dweights'"):
        _ = layer.dweight


def test_activation_relu_spelled_relu_lowercase_u():
    assert nnlite.Activation_ReLu is Activation_ReLU
    assert "Activation_ReLu" in nnlite.__all__


def test_dinput_of_an_activation_a_loss_and_the_combined_object():
    activation = Activation_Softmax()
    activation.forward(np.array([[1.0, 2.0]]))
    activation.backward(np.array([[1.0, 0.0]]))
    assert activation.dinput is activation.dinputs

    loss = Loss_MeanSquaredError()
    loss.backward(np.zeros((2, 1)), np.ones((2, 1)))
    assert loss.dinput is loss.dinputs

    combined = Activation_Softmax_Loss_CategoricalCrossentropy()
    combined.forward(np.array([[1.0, 2.0]]), np.array([1]))
    combined.backward(combined.output, np.array([1]))
    assert combined.dinput is combined.dinputs
    combined.dinput = np.zeros((1, 2))
    assert combined.dinputs is combined.dinput
