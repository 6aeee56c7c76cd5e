"""Layer_Dropout: gradients by finite differences and against torch, with a fixed mask.

The mask comes from an ``rng``; the gradient checker rewinds it before every forward pass, so
each pass drops the same neurons. Torch's own dropout draws its own mask, so the torch side
applies ours by hand (tests/torch_gold.py).
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnlite import Layer_Dropout
from nnlite.gradcheck import check_gradients
from tests.torch_gold import assert_matches_torch, torch_dropout


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    shape=st.tuples(st.integers(1, 6), st.integers(1, 6)),
    rate=st.sampled_from([0.0, 0.1, 0.5, 0.9]),
)
def test_gradients_match_finite_differences(seed, shape, rate):
    rng = np.random.default_rng(seed)
    layer = Layer_Dropout(rate, rng=np.random.default_rng(seed + 1))
    report = check_gradients(layer, rng.uniform(-2, 2, size=shape))
    assert report.passed, str(report)
    assert report.errors["dinputs"] < 1e-6


@pytest.mark.parametrize("rate", [0.0, 0.1, 0.5, 0.9])
def test_forward_and_backward_match_torch_with_the_same_mask(rate):
    rng = np.random.default_rng(11)
    inputs = rng.standard_normal((6, 5))
    dvalues = rng.standard_normal((6, 5))
    layer = Layer_Dropout(rate, rng=np.random.default_rng(12))
    layer.forward(inputs)
    layer.backward(dvalues)
    theirs = torch_dropout(inputs, layer.binary_mask, dvalues)
    assert_matches_torch({"output": layer.output, "dinputs": layer.dinputs}, theirs)


def test_the_mask_keeps_with_probability_1_minus_rate_and_scales_by_1_over_keep():
    layer = Layer_Dropout(0.25, rng=np.random.default_rng(0))
    layer.forward(np.ones((200, 50)))
    kept = layer.binary_mask != 0
    np.testing.assert_array_equal(layer.binary_mask[kept], 1 / 0.75)
    # 10,000 draws: the kept fraction is 0.75 within 5 standard deviations (0.0043 each)
    assert abs(kept.mean() - 0.75) < 5 * np.sqrt(0.75 * 0.25 / kept.size)
    assert layer.rate == 0.25
    assert layer.keep_probability == 0.75


def test_without_an_rng_the_mask_is_the_books_draw_from_the_global_stream():
    inputs = np.ones((4, 7))
    np.random.seed(0)
    book_mask = np.random.binomial(1, 0.8, size=inputs.shape) / 0.8
    np.random.seed(0)
    layer = Layer_Dropout(0.2)
    layer.forward(inputs)
    np.testing.assert_array_equal(layer.binary_mask, book_mask)


def test_inference_passes_values_and_gradients_through_unchanged():
    rng = np.random.default_rng(3)
    inputs = rng.standard_normal((3, 4))
    dvalues = rng.standard_normal((3, 4))
    layer = Layer_Dropout(0.5, rng=rng)
    np.testing.assert_array_equal(layer.forward(inputs, training=False), inputs)
    np.testing.assert_array_equal(layer.backward(dvalues), dvalues)
    assert layer.binary_mask is None


def test_forward_without_training_argument_drops_as_in_the_books_chapters_15_to_17():
    layer = Layer_Dropout(0.5, rng=np.random.default_rng(4))
    output = layer.forward(np.ones((20, 20)))
    assert (output == 0).any()
    np.testing.assert_array_equal(output, layer.binary_mask)


def test_images_are_dropped_value_by_value_as_torch_applies_the_same_mask():
    rng = np.random.default_rng(6)
    inputs = rng.standard_normal((3, 2, 4, 4))
    dvalues = rng.standard_normal(inputs.shape)
    layer = Layer_Dropout(0.3, rng=np.random.default_rng(7))
    layer.forward(inputs, training=True)
    layer.backward(dvalues)
    assert layer.binary_mask.shape == inputs.shape
    ours = {"output": layer.output, "dinputs": layer.dinputs}
    assert_matches_torch(ours, torch_dropout(inputs, layer.binary_mask, dvalues))
    report = check_gradients(layer, inputs[:1])
    assert report.errors["dinputs"] < 1e-6, str(report)
