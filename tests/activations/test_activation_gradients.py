"""Every activation's backward is the derivative of its forward (central finite differences).

Inputs stay away from the points where an activation is not differentiable (ReLU and
LeakyReLU at 0): there finite differences measure an average slope, not a bug.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnlite import (
    Activation_LeakyReLU,
    Activation_Linear,
    Activation_ReLU,
    Activation_Sigmoid,
    Activation_Softmax,
    Activation_Tanh,
)
from nnlite.gradcheck import check_gradients

ACTIVATIONS = {
    "relu": Activation_ReLU,
    "softmax": Activation_Softmax,
    "sigmoid": Activation_Sigmoid,
    "linear": Activation_Linear,
    "tanh": Activation_Tanh,
    "leaky relu": Activation_LeakyReLU,
    "leaky relu 0.3": lambda: Activation_LeakyReLU(alpha=0.3),
}


def inputs_away_from_zero(seed, shape):
    """Values in ±[0.05, 3]."""
    rng = np.random.default_rng(seed)
    return rng.uniform(0.05, 3.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)


@pytest.mark.parametrize("make_activation", ACTIVATIONS.values(), ids=ACTIVATIONS.keys())
@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), shape=st.tuples(st.integers(1, 6), st.integers(1, 6)))
def test_gradients_match_finite_differences(make_activation, seed, shape):
    report = check_gradients(make_activation(), inputs_away_from_zero(seed, shape), seed=seed)
    assert report.passed, str(report)
    assert report.errors["dinputs"] < 1e-6


ELEMENT_WISE = {name: make for name, make in ACTIVATIONS.items() if name != "softmax"}


@pytest.mark.parametrize("make_activation", ELEMENT_WISE.values(), ids=ELEMENT_WISE.keys())
@settings(max_examples=5, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    shape=st.tuples(st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.integers(1, 3)),
)
def test_gradients_on_images_match_finite_differences(make_activation, seed, shape):
    report = check_gradients(make_activation(), inputs_away_from_zero(seed, shape), seed=seed)
    assert report.errors["dinputs"] < 1e-6, str(report)
