"""Every loss's per-sample losses, mean loss and gradient equal PyTorch's in float64.

The torch side is written from torch's own loss functions where one exists (``nll_loss``,
``binary_cross_entropy``, ``mse_loss``, ``l1_loss``, ``cross_entropy``), with the book's clip
of probabilities to [1e-7, 1 - 1e-7] applied first. The probabilities used lie inside the clip.
"""

import numpy as np
import pytest
import torch
from torch.nn import functional

from nnlite import (
    Activation_Softmax_Loss_CategoricalCrossentropy,
    Loss_BinaryCrossentropy,
    Loss_CategoricalCrossentropy,
    Loss_MeanAbsoluteError,
    Loss_MeanSquaredError,
)
from tests.torch_gold import assert_matches_torch, torch_loss, torch_softmax_cross_entropy

CLIP = 1e-7


def clipped(p):
    return p.clamp(CLIP, 1 - CLIP)


def torch_cce(p, y):
    if y.ndim == 1:
        return functional.nll_loss(torch.log(clipped(p)), y.long(), reduction="none")
    return -torch.log((clipped(p) * y).sum(dim=1))


def per_sample_mean(values):
    """The mean of each sample's values: over its outputs, or over every pixel of an image."""
    return values.flatten(start_dim=1).mean(dim=1)


def torch_bce(p, y):
    return per_sample_mean(functional.binary_cross_entropy(clipped(p), y, reduction="none"))


def torch_mse(p, y):
    return per_sample_mean(functional.mse_loss(p, y, reduction="none"))


def torch_mae(p, y):
    return per_sample_mean(functional.l1_loss(p, y, reduction="none"))


def probabilities(rng, shape):
    exp = np.exp(rng.uniform(-2, 2, shape))
    return exp / exp.sum(axis=1, keepdims=True)


RNG = np.random.default_rng(2024)
LABELS = RNG.integers(0, 4, size=6)
ONE_HOT = np.eye(4)[LABELS]
PROBABILITIES = probabilities(RNG, (6, 4))
SIGMOID_OUTPUTS = RNG.uniform(0.02, 0.98, (6, 3))
BINARY_TARGETS = RNG.integers(0, 2, (6, 3)).astype(np.float64)
REGRESSION_OUTPUTS = RNG.normal(size=(6, 2))
REGRESSION_TARGETS = REGRESSION_OUTPUTS + RNG.uniform(0.1, 1, (6, 2)) * RNG.choice([-1, 1], (6, 2))

# (name, nnlite loss, torch per-sample loss, predictions, targets)
CASES = [
    ("cce, class indices", Loss_CategoricalCrossentropy, torch_cce, PROBABILITIES, LABELS),
    ("cce, one-hot", Loss_CategoricalCrossentropy, torch_cce, PROBABILITIES, ONE_HOT),
    ("bce", Loss_BinaryCrossentropy, torch_bce, SIGMOID_OUTPUTS, BINARY_TARGETS),
    (
        "bce, 1 output",
        Loss_BinaryCrossentropy,
        torch_bce,
        SIGMOID_OUTPUTS[:, :1],
        BINARY_TARGETS[:, :1],
    ),
    ("mse", Loss_MeanSquaredError, torch_mse, REGRESSION_OUTPUTS, REGRESSION_TARGETS),
    ("mae", Loss_MeanAbsoluteError, torch_mae, REGRESSION_OUTPUTS, REGRESSION_TARGETS),
]

# Images (n_samples, channels, height, width) and sequences (n_samples, steps, features)
IMAGE_OUTPUTS = RNG.uniform(0.02, 0.98, (4, 2, 3, 5))
IMAGE_MASKS = RNG.integers(0, 2, IMAGE_OUTPUTS.shape).astype(np.float64)
IMAGE_TARGETS = IMAGE_OUTPUTS + RNG.uniform(0.1, 1, IMAGE_OUTPUTS.shape) * RNG.choice(
    [-1, 1], IMAGE_OUTPUTS.shape
)
SEQUENCE_OUTPUTS = RNG.normal(size=(5, 3, 2))
SEQUENCE_TARGETS = SEQUENCE_OUTPUTS + RNG.uniform(0.1, 1, (5, 3, 2))
CASES += [
    ("bce, 4-D", Loss_BinaryCrossentropy, torch_bce, IMAGE_OUTPUTS, IMAGE_MASKS),
    ("mse, 4-D", Loss_MeanSquaredError, torch_mse, IMAGE_OUTPUTS, IMAGE_TARGETS),
    ("mae, 4-D", Loss_MeanAbsoluteError, torch_mae, IMAGE_OUTPUTS, IMAGE_TARGETS),
    ("mse, 3-D", Loss_MeanSquaredError, torch_mse, SEQUENCE_OUTPUTS, SEQUENCE_TARGETS),
    ("mae, 3-D", Loss_MeanAbsoluteError, torch_mae, SEQUENCE_OUTPUTS, SEQUENCE_TARGETS),
]


@pytest.mark.parametrize(
    ("make_loss", "torch_function", "predictions", "targets"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_losses_and_gradients_match_torch(make_loss, torch_function, predictions, targets):
    loss = make_loss()
    ours = {
        "output": loss.forward(predictions, targets),
        "loss": loss.calculate(predictions, targets),
        "dinputs": loss.backward(predictions, targets),
    }
    assert_matches_torch(ours, torch_loss(torch_function, predictions, targets))


def run_softmax_cross_entropy(logits, targets):
    combined = Activation_Softmax_Loss_CategoricalCrossentropy()
    loss = combined.forward(logits, targets)
    combined.backward(combined.output, targets)
    return {"output": combined.output, "loss": loss, "dinputs": combined.dinputs}


@pytest.mark.parametrize("targets", [LABELS, ONE_HOT], ids=["class indices", "one-hot"])
@pytest.mark.parametrize("scale", [1.0, 3.0])
def test_softmax_cross_entropy_matches_torch_cross_entropy_on_logits(targets, scale):
    logits = scale * np.random.default_rng(5).standard_normal((6, 4))
    ours = run_softmax_cross_entropy(logits, targets)
    # Inside the book's clip, where the two losses are the same function
    assert ours["output"][range(6), LABELS].min() > CLIP
    assert_matches_torch(ours, torch_softmax_cross_entropy(logits, targets))


@pytest.mark.parametrize("targets", [LABELS, ONE_HOT], ids=["class indices", "one-hot"])
def test_softmax_cross_entropy_gradient_matches_torch_beyond_the_clip(targets):
    # Probabilities far below 1e-7: the loss is clipped (the book's printed numbers), the
    # gradient (ŷ - y) / n is not, and stays torch's
    logits = 40.0 * np.random.default_rng(5).standard_normal((6, 4))
    ours = run_softmax_cross_entropy(logits, targets)
    assert ours["output"][range(6), LABELS].min() < CLIP
    del ours["loss"]
    assert_matches_torch(ours, torch_softmax_cross_entropy(logits, targets))
