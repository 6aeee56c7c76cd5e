"""Losses at probabilities of exactly 0 and 1 (finite, warning-free), and in float32/float64.

The book clips probabilities to [1e-7, 1 - 1e-7] before the log, and that clip shapes its
printed losses, so the expected values here are the clipped ones: -log(1e-7) for a correct
class given probability 0. Backward treats a probability below 1e-7 as 1e-7 too.
"""

import warnings

import numpy as np
import pytest

from nnlite import (
    Activation_Softmax_Loss_CategoricalCrossentropy,
    Loss_BinaryCrossentropy,
    Loss_CategoricalCrossentropy,
    Loss_MeanAbsoluteError,
    Loss_MeanSquaredError,
)

CLIP = 1e-7


def strictly(function, *args):
    """Call ``function`` with every warning and floating-point problem turned into an error."""
    with warnings.catch_warnings(), np.errstate(all="raise"):
        warnings.simplefilter("error")
        return function(*args)


@pytest.mark.parametrize("one_hot", [False, True], ids=["class indices", "one-hot"])
def test_categorical_crossentropy_of_a_zero_probability_is_finite(one_hot):
    predictions = np.array([[0.0, 1.0, 0.0], [0.5, 0.5, 0.0]])
    labels = np.array([0, 2])
    targets = np.eye(3)[labels] if one_hot else labels
    loss = Loss_CategoricalCrossentropy()
    sample_losses = strictly(loss.forward, predictions, targets)
    dinputs = strictly(loss.backward, predictions, targets)
    np.testing.assert_array_equal(sample_losses, [-np.log(CLIP), -np.log(CLIP)])
    expected = np.zeros((2, 3))
    expected[[0, 1], labels] = -1 / CLIP / 2
    np.testing.assert_array_equal(dinputs, expected)


def test_categorical_crossentropy_of_a_certain_right_answer_is_clipped_at_1_minus_1e_7():
    sample_losses = strictly(Loss_CategoricalCrossentropy().forward, np.eye(3), np.arange(3))
    np.testing.assert_array_equal(sample_losses, np.full(3, -np.log(1 - CLIP)))


def test_binary_crossentropy_of_probabilities_0_and_1_is_finite():
    predictions = np.array([[0.0, 1.0], [1.0, 0.0]])
    targets = np.array([[1.0, 0.0], [1.0, 0.0]])
    loss = Loss_BinaryCrossentropy()
    sample_losses = strictly(loss.forward, predictions, targets)
    dinputs = strictly(loss.backward, predictions, targets)
    # The book's formula on the clipped probabilities
    p = np.clip(predictions, CLIP, 1 - CLIP)
    book = -np.mean(targets * np.log(p) + (1 - targets) * np.log(1 - p), axis=-1)
    np.testing.assert_allclose(sample_losses, book, rtol=1e-15)
    assert np.isfinite(dinputs).all()
    # 1 - (1 - 1e-7) is 1e-7 only to 5e-10, the rounding of 1 - 1e-7
    np.testing.assert_allclose(dinputs[0], [-1 / CLIP / 4, 1 / CLIP / 4], rtol=1e-9)


@pytest.mark.parametrize("extreme", [1e4, -1e4])
def test_softmax_cross_entropy_of_huge_logits_is_finite(extreme):
    logits = np.array([[extreme, 0.0, -extreme], [0.0, extreme, 1.0]])
    labels = np.array([2, 0])
    combined = Activation_Softmax_Loss_CategoricalCrossentropy()
    # exp(-2e4) underflows to exactly 0, the right value, so underflow may happen here
    with warnings.catch_warnings(), np.errstate(over="raise", divide="raise", invalid="raise"):
        warnings.simplefilter("error")
        loss = combined.forward(logits, labels)
        dinputs = combined.backward(combined.output, labels)
    assert np.isfinite(loss) and loss <= -np.log(CLIP)
    assert np.isfinite(dinputs).all()
    np.testing.assert_allclose(dinputs.sum(axis=1), 0.0, atol=1e-15)


PREDICTIONS = np.array([[0.2, 0.7, 0.1], [0.6, 0.3, 0.1]])
# (loss, targets as a function of the predictions' dtype)
DTYPE_CASES = {
    "cce, class indices": (Loss_CategoricalCrossentropy, lambda dtype: np.array([1, 0])),
    "cce, one-hot": (Loss_CategoricalCrossentropy, lambda dtype: np.eye(3, dtype=dtype)[[1, 0]]),
    "bce": (Loss_BinaryCrossentropy, lambda dtype: np.array([[0, 1, 0], [1, 0, 0]], dtype=dtype)),
    "mse": (Loss_MeanSquaredError, lambda dtype: np.full((2, 3), 0.25, dtype=dtype)),
    "mae": (Loss_MeanAbsoluteError, lambda dtype: np.full((2, 3), 0.25, dtype=dtype)),
    "softmax + cce": (Activation_Softmax_Loss_CategoricalCrossentropy, lambda dtype: [1, 0]),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(("make_loss", "make_targets"), DTYPE_CASES.values(), ids=DTYPE_CASES)
def test_dtype_is_kept_through_forward_and_backward(make_loss, make_targets, dtype):
    predictions = PREDICTIONS.astype(dtype)
    targets = make_targets(dtype)
    loss = make_loss()
    if isinstance(loss, Activation_Softmax_Loss_CategoricalCrossentropy):
        values = {"loss": loss.forward(predictions, targets), "output": loss.output}
    else:
        values = {
            "sample losses": loss.forward(predictions, targets),
            "loss": loss.calculate(predictions, targets),
        }
    values["dinputs"] = loss.backward(predictions, targets)
    assert {name: value.dtype for name, value in values.items()} == dict.fromkeys(
        values, np.dtype(dtype)
    )
