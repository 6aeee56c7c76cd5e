"""Every loss's backward is the derivative of its mean loss (central finite differences).

Predictions stay where each loss is differentiable: probabilities inside the 1e-7 clip, and
mean absolute error away from y == ŷ.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnlite import (
    Activation_Softmax_Loss_CategoricalCrossentropy,
    Loss_BinaryCrossentropy,
    Loss_CategoricalCrossentropy,
    Loss_MeanAbsoluteError,
    Loss_MeanSquaredError,
)
from nnlite.gradcheck import check_gradients


def softmax(logits):
    exp = np.exp(logits - logits.max(axis=1, keepdims=True))
    return exp / exp.sum(axis=1, keepdims=True)


def categorical_labels(rng, n_samples, n_classes):
    return rng.integers(0, n_classes, size=n_samples)


def classification(rng, n_samples, n_outputs):
    """Scores of at least 2 classes (with 1 class, softmax is 1, inside the clip) and labels."""
    n_classes = n_outputs + 1
    return rng.uniform(-2, 2, (n_samples, n_classes)), categorical_labels(rng, n_samples, n_classes)


def one_hot(labels, n_classes):
    return np.eye(n_classes)[labels]


# name -> (loss, function of (rng, n_samples, n_outputs) giving (predictions, targets))
CASES = {
    "cce, class indices": (
        Loss_CategoricalCrossentropy,
        lambda rng, n, k: (softmax((c := classification(rng, n, k))[0]), c[1]),
    ),
    "cce, one-hot": (
        Loss_CategoricalCrossentropy,
        lambda rng, n, k: (softmax((c := classification(rng, n, k))[0]), one_hot(c[1], k + 1)),
    ),
    "bce, 0/1 targets": (
        Loss_BinaryCrossentropy,
        lambda rng, n, k: (rng.uniform(0.05, 0.95, (n, k)), rng.integers(0, 2, (n, k)) * 1.0),
    ),
    "bce, soft targets": (
        Loss_BinaryCrossentropy,
        lambda rng, n, k: (rng.uniform(0.05, 0.95, (n, k)), rng.uniform(0, 1, (n, k))),
    ),
    "mse": (
        Loss_MeanSquaredError,
        lambda rng, n, k: (rng.normal(size=(n, k)), rng.normal(size=(n, k))),
    ),
    "mae": (
        Loss_MeanAbsoluteError,
        lambda rng, n, k: (
            (y := rng.normal(size=(n, k))) + rng.uniform(0.05, 1, (n, k)) * rng.choice([-1, 1]),
            y,
        ),
    ),
    "softmax + cce, class indices": (
        Activation_Softmax_Loss_CategoricalCrossentropy,
        classification,
    ),
    "softmax + cce, one-hot": (
        Activation_Softmax_Loss_CategoricalCrossentropy,
        lambda rng, n, k: ((c := classification(rng, n, k))[0], one_hot(c[1], k + 1)),
    ),
}


@pytest.mark.parametrize(("make_loss", "make_data"), CASES.values(), ids=CASES.keys())
@settings(max_examples=20, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_samples=st.integers(1, 8), n_outputs=st.integers(1, 5))
def test_gradients_match_finite_differences(make_loss, make_data, seed, n_samples, n_outputs):
    predictions, targets = make_data(np.random.default_rng(seed), n_samples, n_outputs)
    report = check_gradients(make_loss(), predictions, targets)
    assert report.passed, str(report)
    assert report.errors["dinputs"] < 1e-6


# name -> (loss, function of (rng, shape) giving (predictions, targets)) for images
IMAGE_CASES = {
    "bce": (
        Loss_BinaryCrossentropy,
        lambda rng, shape: (rng.uniform(0.05, 0.95, shape), rng.integers(0, 2, shape) * 1.0),
    ),
    "mse": (Loss_MeanSquaredError, lambda rng, shape: rng.normal(size=(2, *shape))),
    "mae": (
        Loss_MeanAbsoluteError,
        lambda rng, shape: (
            (y := rng.normal(size=shape)) + rng.uniform(0.05, 1, shape) * rng.choice([-1, 1]),
            y,
        ),
    ),
}


@pytest.mark.parametrize(("make_loss", "make_data"), IMAGE_CASES.values(), ids=IMAGE_CASES.keys())
@settings(max_examples=8, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    shape=st.tuples(st.integers(1, 3), st.integers(1, 2), st.integers(1, 3), st.integers(1, 3)),
)
def test_gradients_on_images_match_finite_differences(make_loss, make_data, seed, shape):
    predictions, targets = make_data(np.random.default_rng(seed), shape)
    report = check_gradients(make_loss(), predictions, targets)
    assert report.errors["dinputs"] < 1e-6, str(report)
