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
