"""Layer_Dense: gradients by finite differences, forward and backward against torch, dtypes.

References: central finite differences (nnlite.gradcheck), PyTorch float64 (tests/torch_gold.py)
and, for the initial weights, the book's own draw ``0.01 * np.random.randn``.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnlite import Layer_Dense
from nnlite.gradcheck import check_gradients
from tests.torch_gold import assert_matches_torch, torch_dense

REGULARIZERS = {
    "none": {},
    "weight L1": {"weight_regularizer_l1": 0.3},
    "weight L2": {"weight_regularizer_l2": 0.2},
    "bias L1": {"bias_regularizer_l1": 0.1},
    "bias L2": {"bias_regularizer_l2": 0.4},
    "all four": {
        "weight_regularizer_l1": 5e-4,
        "weight_regularizer_l2": 5e-4,
        "bias_regularizer_l1": 1e-3,
        "bias_regularizer_l2": 2e-3,
    },
}


def away_from_zero(rng, shape):
    """Values in ±[0.1, 1]: L1's |w| has a kink at 0, where finite differences disagree."""
    return rng.uniform(0.1, 1.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)


def dense_case(seed, n_samples, n_inputs, n_neurons, regularizers):
    rng = np.random.default_rng(seed)
    layer = Layer_Dense(n_inputs, n_neurons, **regularizers, rng=rng)
    layer.weights = away_from_zero(rng, (n_inputs, n_neurons))
    layer.biases = away_from_zero(rng, (1, n_neurons))
    inputs = rng.uniform(-2, 2, size=(n_samples, n_inputs))
    dvalues = rng.standard_normal((n_samples, n_neurons))
    return layer, inputs, dvalues


@pytest.mark.parametrize("regularizers", REGULARIZERS.values(), ids=REGULARIZERS.keys())
@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_samples=st.integers(1, 6),
    n_inputs=st.integers(1, 5),
    n_neurons=st.integers(1, 5),
)
def test_gradients_match_finite_differences(regularizers, seed, n_samples, n_inputs, n_neurons):
    layer, inputs, _ = dense_case(seed, n_samples, n_inputs, n_neurons, regularizers)
    report = check_gradients(layer, inputs)
    assert set(report.errors) == {"dweights", "dbiases", "dinputs"}
    assert report.passed, str(report)
    assert max(report.errors.values()) < 1e-6


@pytest.mark.parametrize("regularizers", REGULARIZERS.values(), ids=REGULARIZERS.keys())
def test_forward_and_backward_match_torch(regularizers):
    layer, inputs, dvalues = dense_case(7, 5, 4, 3, regularizers)
    theirs = torch_dense(inputs, layer.weights, layer.biases, dvalues, **regularizers)
    layer.forward(inputs)
    layer.backward(dvalues)
    ours = {
        "output": layer.output,
        "dweights": layer.dweights,
        "dbiases": layer.dbiases,
        "dinputs": layer.dinputs,
    }
    assert_matches_torch(ours, theirs)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept_through_forward_and_backward(dtype):
    rng = np.random.default_rng(0)
    layer = Layer_Dense(3, 2, weight_regularizer_l1=1e-3, weight_regularizer_l2=1e-3, dtype=dtype)
    inputs = rng.standard_normal((4, 3)).astype(dtype)
    output = layer.forward(inputs)
    layer.backward(rng.standard_normal((4, 2)).astype(dtype))
    dtypes = {
        name: getattr(layer, name).dtype
        for name in ("weights", "biases", "dweights", "dbiases", "dinputs")
    }
    assert output.dtype == dtype
    assert dtypes == dict.fromkeys(dtypes, np.dtype(dtype))


@pytest.mark.parametrize(
    "weights_dtype, biases_dtype", [(np.float32, np.float32), (np.float32, np.float64)]
)
def test_forward_is_the_books_expression_bit_for_bit(weights_dtype, biases_dtype):
    """The biases are added in place when the dtypes agree; otherwise NumPy promotes, as the
    book's ``np.dot(inputs, weights) + biases`` does (float64 biases under nnfs.init())."""
    rng = np.random.default_rng(5)
    layer = Layer_Dense(7, 5, rng=rng)
    layer.weights = layer.weights.astype(weights_dtype)
    layer.biases = rng.standard_normal((1, 5)).astype(biases_dtype)
    inputs = rng.standard_normal((11, 7)).astype(weights_dtype)
    expected = np.dot(inputs, layer.weights) + layer.biases
    output = layer.forward(inputs)
    assert output.dtype == expected.dtype
    assert output.tobytes() == expected.tobytes()


def test_default_weights_are_the_books_draw_from_the_global_stream():
    np.random.seed(3)
    layer = Layer_Dense(4, 5)
    np.random.seed(3)
    book_weights = 0.01 * np.random.randn(4, 5)
    np.testing.assert_array_equal(layer.weights, book_weights)
    np.testing.assert_array_equal(layer.biases, np.zeros((1, 5)))


@pytest.mark.parametrize(
    "options",
    [
        {"rng": np.random.default_rng(1)},
        {"rng": np.random.default_rng(1), "weight_initializer": "he"},
        {"rng": np.random.default_rng(1), "weight_initializer": "glorot"},
    ],
    ids=["book", "he", "glorot"],
)
def test_an_rng_leaves_the_global_stream_alone(options):
    np.random.seed(5)
    _, key, position, *_ = np.random.get_state()
    Layer_Dense(4, 5, **options)
    _, key_after, position_after, *_ = np.random.get_state()
    assert position_after == position
    np.testing.assert_array_equal(key_after, key)


def test_a_float32_layer_is_checked_in_float64_and_stays_float32():
    rng = np.random.default_rng(2)
    layer = Layer_Dense(3, 2, dtype=np.float32, rng=rng)
    report = check_gradients(layer, rng.standard_normal((4, 3)).astype(np.float32))
    assert report.passed, str(report)
    assert report["dweights"].analytic.dtype == np.float64
    assert layer.weights.dtype == np.float32
