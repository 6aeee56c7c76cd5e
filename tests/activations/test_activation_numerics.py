"""Activations at extreme inputs (finite, warning-free) and in float32 and float64.

Floating-point checks raise on overflow, division by zero and invalid operations. Underflow is
allowed: exp(-2e4) becoming exactly 0 is the right answer, not an error.
"""

import warnings

import numpy as np
import pytest
import torch

from nnlite import (
    Activation_LeakyReLU,
    Activation_Linear,
    Activation_ReLU,
    Activation_Sigmoid,
    Activation_Softmax,
    Activation_Tanh,
)

ACTIVATIONS = [
    Activation_ReLU,
    Activation_Softmax,
    Activation_Sigmoid,
    Activation_Linear,
    Activation_Tanh,
    Activation_LeakyReLU,
]


def forward_and_backward_strictly(activation, inputs, dvalues):
    """Run both passes with every warning and floating-point problem turned into an error."""
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        activation.forward(inputs)
        activation.backward(dvalues)
    return activation.output, activation.dinputs


@pytest.mark.parametrize("extreme", [1e4, -1e4, 1e300], ids=["+1e4", "-1e4", "1e300"])
def test_softmax_of_huge_logits_is_finite_and_equals_torch(extreme):
    logits = np.array([[extreme, 0.0, -extreme], [extreme, extreme, 1.0], [-1.0, -extreme, 2.0]])
    dvalues = np.arange(9.0).reshape(3, 3)
    output, dinputs = forward_and_backward_strictly(Activation_Softmax(), logits, dvalues)
    expected = torch.softmax(torch.tensor(logits), dim=1).numpy()
    assert np.isfinite(output).all() and np.isfinite(dinputs).all()
    np.testing.assert_allclose(output, expected, rtol=1e-15, atol=1e-300)
    np.testing.assert_allclose(output.sum(axis=1), 1.0, rtol=1e-15)


def test_sigmoid_of_minus_1e4_is_0_and_of_plus_1e4_is_1_without_warnings():
    inputs = np.array([[-1e4, 1e4, -800.0, 800.0]])
    output, dinputs = forward_and_backward_strictly(Activation_Sigmoid(), inputs, np.ones((1, 4)))
    np.testing.assert_array_equal(output, [[0.0, 1.0, 0.0, 1.0]])
    np.testing.assert_array_equal(dinputs, np.zeros((1, 4)))


@pytest.mark.parametrize("make_activation", ACTIVATIONS)
def test_extreme_inputs_give_finite_values_and_gradients(make_activation):
    inputs = np.array([[-1e4, -1.0, 0.5, 1e4]])
    output, dinputs = forward_and_backward_strictly(make_activation(), inputs, np.ones((1, 4)))
    assert np.isfinite(output).all()
    assert np.isfinite(dinputs).all()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("make_activation", ACTIVATIONS)
def test_dtype_is_kept_through_forward_and_backward(make_activation, dtype):
    rng = np.random.default_rng(0)
    activation = make_activation()
    output = activation.forward(rng.standard_normal((4, 3)).astype(dtype))
    dinputs = activation.backward(rng.standard_normal((4, 3)).astype(dtype))
    assert (output.dtype, dinputs.dtype) == (dtype, dtype)


def test_predictions():
    outputs = np.array([[0.2, 0.7, 0.1], [0.6, 0.3, 0.1]])
    np.testing.assert_array_equal(Activation_Softmax().predictions(outputs), [1, 0])
    np.testing.assert_array_equal(Activation_Sigmoid().predictions(outputs), [[0, 1, 0], [1, 0, 0]])
    for activation in (Activation_ReLU(), Activation_Linear(), Activation_Tanh()):
        assert activation.predictions(outputs) is outputs


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_forward_is_np_maximum_with_zero_to_the_bit(dtype):
    """ReLU computes max(0, x) against an array of zeros (NumPy's faster loop): the same bits
    as np.maximum(0, x), -0.0, NaN, infinities and subnormals included."""
    rng = np.random.default_rng(0)
    special = [-0.0, 0.0, np.nan, np.inf, -np.inf, np.finfo(dtype).smallest_subnormal, -1.0]
    values = np.concatenate([np.array(special * 9, dtype=dtype), rng.standard_normal(1001)])
    values = values.astype(dtype).reshape(-1, 7)
    output = Activation_ReLU().forward(values)
    assert output.dtype == dtype
    assert output.tobytes() == np.maximum(0, values).tobytes()
