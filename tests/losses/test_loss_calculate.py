"""Loss.calculate: the mean loss, running totals across batches, and the chapter 9 API.

The expected values are the same losses computed over the whole data at once.
"""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nnlite import (
    Activation_Softmax,
    Activation_Softmax_Loss_CategoricalCrossentropy,
    Loss_CategoricalCrossentropy,
    Loss_MeanSquaredError,
)

RNG = np.random.default_rng(8)
PREDICTIONS = RNG.normal(size=(10, 2))
TARGETS = RNG.normal(size=(10, 2))
WHOLE = np.mean((TARGETS - PREDICTIONS) ** 2)


def test_calculate_works_without_new_pass_and_returns_the_mean_loss():
    loss = Loss_MeanSquaredError()
    np.testing.assert_allclose(loss.calculate(PREDICTIONS, TARGETS), WHOLE, rtol=1e-15)


def test_accumulated_loss_is_the_mean_over_every_sample_since_new_pass():
    loss = Loss_MeanSquaredError()
    loss.calculate(PREDICTIONS[:1], TARGETS[:1])
    loss.new_pass()
    for batch in (slice(0, 3), slice(3, 7), slice(7, 10)):
        loss.calculate(PREDICTIONS[batch], TARGETS[batch])
    np.testing.assert_allclose(loss.calculate_accumulated(), WHOLE, rtol=1e-14)
    assert loss.accumulated_count == 10


def test_calculate_accumulated_without_any_batch_says_so():
    loss = Loss_MeanSquaredError()
    with pytest.raises(RuntimeError, match=r"Loss_MeanSquaredError\(\).*no batch"):
        loss.calculate_accumulated()


def test_two_losses_keep_separate_totals():
    first, second = Loss_MeanSquaredError(), Loss_MeanSquaredError()
    first.calculate(PREDICTIONS, TARGETS)
    assert second.accumulated_count == 0


@pytest.mark.parametrize("one_hot", [False, True], ids=["class indices", "one-hot"])
def test_chapter_9_combined_forward_returns_the_loss_and_keeps_output_activation_loss(one_hot):
    logits = RNG.normal(size=(5, 3))
    labels = np.array([0, 2, 1, 1, 0])
    targets = np.eye(3)[labels] if one_hot else labels
    combined = Activation_Softmax_Loss_CategoricalCrossentropy()
    loss = combined.forward(logits, targets)
    probabilities = Activation_Softmax().forward(logits)
    np.testing.assert_array_equal(combined.output, probabilities)
    np.testing.assert_array_equal(combined.activation.output, probabilities)
    assert loss == Loss_CategoricalCrossentropy().calculate(probabilities, targets)
    assert isinstance(combined.loss, Loss_CategoricalCrossentropy)
    # Chapter 9's backward: (ŷ - y_onehot) / n
    expected = (probabilities - np.eye(3)[labels]) / 5
    np.testing.assert_allclose(combined.backward(combined.output, targets), expected, atol=1e-16)


@given(
    st.sampled_from([np.float16, np.float32, np.float64]).flatmap(
        lambda dtype: hnp.arrays(
            dtype=dtype,
            shape=st.integers(0, 300),
            # Values of the array's own precision, so that the sums really round
            elements=st.floats(0, 1e4, width=16 if dtype == np.float16 else 32),
        )
    )
)
def test_mean_from_sum_is_numpys_mean_bit_for_bit(values):
    import warnings

    from nnlite.losses.base import mean_from_sum

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # the mean of nothing is NaN
        expected = values.mean()
        got = mean_from_sum(values, values.sum())
    assert type(got) is type(expected)
    assert np.asarray(got).tobytes() == np.asarray(expected).tobytes()
