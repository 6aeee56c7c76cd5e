"""Every activation's forward and backward equal PyTorch's in float64 (tests/torch_gold.py)."""

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
from tests.torch_gold import assert_matches_torch, torch_activation

# (name, nnlite activation, the same function in torch)
CASES = [
    ("relu", Activation_ReLU, torch.relu),
    ("softmax", Activation_Softmax, lambda x: torch.softmax(x, dim=1)),
    ("sigmoid", Activation_Sigmoid, torch.sigmoid),
    ("linear", Activation_Linear, lambda x: x),
    ("tanh", Activation_Tanh, torch.tanh),
    ("leaky relu", Activation_LeakyReLU, torch.nn.functional.leaky_relu),
    ("leaky relu 0.2", lambda: Activation_LeakyReLU(0.2), lambda x: torch.where(x > 0, x, 0.2 * x)),
]

INPUT_SCALES = [0.5, 5.0, 50.0]


@pytest.mark.parametrize("scale", INPUT_SCALES)
@pytest.mark.parametrize(("name", "make_activation", "torch_function"), CASES)
def test_forward_and_backward_match_torch(name, make_activation, torch_function, scale):
    rng = np.random.default_rng(len(name))
    inputs = scale * rng.standard_normal((7, 5))
    dvalues = rng.standard_normal((7, 5))
    activation = make_activation()
    activation.forward(inputs)
    activation.backward(dvalues)
    ours = {"output": activation.output, "dinputs": activation.dinputs}
    assert_matches_torch(ours, torch_activation(torch_function, inputs, dvalues))


ELEMENT_WISE = [case for case in CASES if case[0] != "softmax"]


@pytest.mark.parametrize("shape", [(3, 2, 4, 5), (4, 3, 2), (6,)], ids=["4-D", "3-D", "1-D"])
@pytest.mark.parametrize(("name", "make_activation", "torch_function"), ELEMENT_WISE)
def test_element_wise_activations_take_any_shape(name, make_activation, torch_function, shape):
    """Images (n_samples, channels, height, width) pass through element-wise activations."""
    rng = np.random.default_rng(len(name) + len(shape))
    inputs = 5.0 * rng.standard_normal(shape)
    dvalues = rng.standard_normal(shape)
    activation = make_activation()
    activation.forward(inputs)
    activation.backward(dvalues)
    ours = {"output": activation.output, "dinputs": activation.dinputs}
    assert activation.dinputs.shape == shape
    assert_matches_torch(ours, torch_activation(torch_function, inputs, dvalues))


def test_softmax_stays_on_rows_of_scores():
    with pytest.raises(ValueError, match=r"Activation_Softmax\(\): inputs must be a 2-D array"):
        Activation_Softmax().forward(np.zeros((2, 3, 4, 4)))
