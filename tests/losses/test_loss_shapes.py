"""The binary and regression losses on predictions of any ndim ``(n_samples, ...)``.

References: the book's own formulas (``np.mean(..., axis=-1)`` and ``len(dvalues[0])``) on
2-D predictions, which must stay bit for bit; on images, the same losses of each sample's
values laid out in one row. (Torch parity and finite differences on images are in
test_loss_torch_parity.py and test_loss_gradients.py.)
"""

import numpy as np
import pytest

from nnlite import (
    Loss_BinaryCrossentropy,
    Loss_CategoricalCrossentropy,
    Loss_MeanAbsoluteError,
    Loss_MeanSquaredError,
)

CLIP = 1e-7


def book_bce(y_pred, y_true):
    clipped = np.clip(y_pred, CLIP, 1 - CLIP)
    losses = -(y_true * np.log(clipped) + (1 - y_true) * np.log(1 - clipped))
    return np.mean(losses, axis=-1)


def book_bce_backward(dvalues, y_true):
    samples, outputs = len(dvalues), len(dvalues[0])
    clipped = np.clip(dvalues, CLIP, 1 - CLIP)
    return -(y_true / clipped - (1 - y_true) / (1 - clipped)) / outputs / samples


def book_mse(y_pred, y_true):
    return np.mean((y_true - y_pred) ** 2, axis=-1)


def book_mse_backward(dvalues, y_true):
    samples, outputs = len(dvalues), len(dvalues[0])
    return -2 * (y_true - dvalues) / outputs / samples


def book_mae(y_pred, y_true):
    return np.mean(np.abs(y_true - y_pred), axis=-1)


def book_mae_backward(dvalues, y_true):
    # with nnlite's corrected sign (see Loss_MeanAbsoluteError)
    samples, outputs = len(dvalues), len(dvalues[0])
    return np.sign(dvalues - y_true) / outputs / samples


LOSSES = {
    "bce": (Loss_BinaryCrossentropy, book_bce, book_bce_backward),
    "mse": (Loss_MeanSquaredError, book_mse, book_mse_backward),
    "mae": (Loss_MeanAbsoluteError, book_mae, book_mae_backward),
}


def data(shape, seed=0):
    rng = np.random.default_rng(seed)
    return rng.uniform(0.01, 0.99, shape), rng.uniform(0, 1, shape)


@pytest.mark.parametrize("shape", [(7, 3), (5, 1), (4, 16)])
@pytest.mark.parametrize(("make_loss", "forward", "backward"), LOSSES.values(), ids=LOSSES.keys())
def test_2d_predictions_give_the_books_numbers_bit_for_bit(make_loss, forward, backward, shape):
    y_pred, y_true = data(shape)
    loss = make_loss()
    assert loss.forward(y_pred, y_true).tobytes() == forward(y_pred, y_true).tobytes()
    assert loss.backward(y_pred, y_true).tobytes() == backward(y_pred, y_true).tobytes()


@pytest.mark.parametrize("shape", [(3, 2, 4, 5), (4, 6, 2)], ids=["4-D", "3-D"])
@pytest.mark.parametrize("make_loss", [entry[0] for entry in LOSSES.values()], ids=LOSSES.keys())
def test_each_sample_counts_all_its_values(make_loss, shape):
    """An image's loss is the loss of its values laid out in one row: the mean over them all,
    and the gradient divided by their number."""
    y_pred, y_true = data(shape, seed=1)
    rows = (y_pred.reshape(len(y_pred), -1), y_true.reshape(len(y_true), -1))
    loss, row_loss = make_loss(), make_loss()
    sample_losses = loss.forward(y_pred, y_true)
    assert sample_losses.shape == (shape[0],)
    np.testing.assert_allclose(sample_losses, row_loss.forward(*rows), rtol=1e-14)
    np.testing.assert_allclose(loss.calculate(y_pred, y_true), row_loss.calculate(*rows))
    dinputs = loss.backward(y_pred, y_true)
    assert dinputs.shape == shape
    assert dinputs.reshape(rows[0].shape).tobytes() == row_loss.backward(*rows).tobytes()


@pytest.mark.parametrize("make_loss", [entry[0] for entry in LOSSES.values()], ids=LOSSES.keys())
def test_targets_must_have_the_images_shape(make_loss):
    y_pred, _ = data((3, 2, 4, 4))
    with pytest.raises(ValueError) as raised:
        make_loss().forward(y_pred, np.zeros((3, 32)))
    message = str(raised.value)
    for phrase in (f"{make_loss.__name__}()", "y_true", "(3, 2, 4, 4)", "got (3, 32)"):
        assert phrase in message, f"{phrase!r} not in: {message}"


@pytest.mark.parametrize("make_loss", [entry[0] for entry in LOSSES.values()], ids=LOSSES.keys())
def test_1d_predictions_are_refused_with_the_fix(make_loss):
    with pytest.raises(ValueError, match=r"got a 1-D array of shape \(4,\); for one output per"):
        make_loss().backward(np.full(4, 0.5), np.zeros(4))


def test_categorical_cross_entropy_stays_on_rows_of_probabilities():
    with pytest.raises(ValueError) as raised:
        Loss_CategoricalCrossentropy().forward(np.full((2, 3, 4, 4), 0.5), np.zeros(2, dtype=int))
    message = str(raised.value)
    for phrase in ("Loss_CategoricalCrossentropy()", "predictions", "2-D", "(2, 3, 4, 4)"):
        assert phrase in message, f"{phrase!r} not in: {message}"
