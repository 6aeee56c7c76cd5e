"""Layer_Dense: gradients by finite differences, forward and backward against torch, dtypes.

References: central finite differences (nnlite.gradcheck), PyTorch float64 (tests/torch_gold.py)
and, for the initial weights, the book's own draw ``0.01 * np.random.randn``.
"""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnlite import Layer_Dense, Loss_MeanSquaredError, Model
from nnlite.gradcheck import check_gradients
from nnlite.gradients import accumulate_gradients
from nnlite.parameters import WEIGHTS, declared_parameters
from tests.torch_gold import assert_matches_torch, torch_dense, torch_linear_without_bias

REPOSITORY = Path(__file__).resolve().parents[2]

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


# ---------------------------------------------------------------------- bias=False

WEIGHT_REGULARIZERS = {name: r for name, r in REGULARIZERS.items() if not name.startswith("bias")}
WEIGHT_REGULARIZERS["all four"] = {"weight_regularizer_l1": 5e-4, "weight_regularizer_l2": 5e-4}


def bias_free_case(seed, n_samples, n_inputs, n_neurons, regularizers):
    rng = np.random.default_rng(seed)
    layer = Layer_Dense(n_inputs, n_neurons, **regularizers, bias=False, rng=rng)
    layer.weights = away_from_zero(rng, (n_inputs, n_neurons))
    inputs = rng.uniform(-2, 2, size=(n_samples, n_inputs))
    dvalues = rng.standard_normal((n_samples, n_neurons))
    return layer, inputs, dvalues


def test_a_bias_free_layer_has_and_declares_only_weights():
    layer = Layer_Dense(3, 4, bias=False)
    assert not hasattr(layer, "biases") and not layer.has_biases
    assert declared_parameters(layer) == (WEIGHTS,)
    assert declared_parameters(Layer_Dense(3, 4)) == Layer_Dense.parameter_specs
    assert repr(layer) == "Layer_Dense(3, 4, bias=False)"
    assert layer.get_parameters() == (layer.weights,)


@pytest.mark.parametrize("initializer", ["book", "he", "glorot"])
def test_bias_false_draws_the_same_weights(initializer):
    np.random.seed(11)
    with_biases = Layer_Dense(6, 5, weight_initializer=initializer)
    after_with = np.random.random()
    np.random.seed(11)
    without = Layer_Dense(6, 5, weight_initializer=initializer, bias=False)
    assert without.weights.tobytes() == with_biases.weights.tobytes()
    assert np.random.random() == after_with  # and leaves the stream at the same place


def test_bias_false_draws_the_books_weights_under_nnfs_init():
    script = (
        "import nnfs\n"
        "from nnlite import Layer_Dense\n"
        "nnfs.init()\n"
        "book = Layer_Dense(2, 64).weights\n"
        "nnfs.init()\n"
        "free = Layer_Dense(2, 64, bias=False).weights\n"
        "print(book.dtype, free.dtype, book.tobytes() == free.tobytes())\n"
    )
    environment = {**os.environ, "PYTHONPATH": str(REPOSITORY)}
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=environment
    )
    assert result.stdout.split() == ["float32", "float32", "True"], result.stderr


@pytest.mark.parametrize(
    "regularizers", WEIGHT_REGULARIZERS.values(), ids=WEIGHT_REGULARIZERS.keys()
)
@settings(max_examples=10, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    n_samples=st.integers(1, 6),
    n_inputs=st.integers(1, 5),
    n_neurons=st.integers(1, 5),
)
def test_bias_free_gradients_match_finite_differences(
    regularizers, seed, n_samples, n_inputs, n_neurons
):
    layer, inputs, _ = bias_free_case(seed, n_samples, n_inputs, n_neurons, regularizers)
    report = check_gradients(layer, inputs)
    assert set(report.errors) == {"dweights", "dinputs"}
    assert max(report.errors.values()) < 1e-6, str(report)


@pytest.mark.parametrize(
    "regularizers", WEIGHT_REGULARIZERS.values(), ids=WEIGHT_REGULARIZERS.keys()
)
def test_bias_free_forward_and_backward_match_torch_linear_without_bias(regularizers):
    layer, inputs, dvalues = bias_free_case(3, 6, 4, 5, regularizers)
    theirs = torch_linear_without_bias(inputs, layer.weights, dvalues, **regularizers)
    layer.forward(inputs)
    layer.backward(dvalues)
    penalty = Loss_MeanSquaredError().regularization_loss(layer)
    ours = {
        "output": layer.output,
        "penalty": penalty,
        "dweights": layer.dweights,
        "dinputs": layer.dinputs,
    }
    assert_matches_torch(ours, theirs)
    assert not hasattr(layer, "dbiases")


def test_bias_free_gradients_accumulate():
    layer, inputs, dvalues = bias_free_case(4, 5, 3, 2, {})
    layer.forward(inputs)
    layer.backward(dvalues)
    once = layer.dweights.copy()
    with accumulate_gradients([layer]):
        layer.forward(inputs)
        layer.backward(dvalues)
    np.testing.assert_allclose(layer.dweights, 2 * once, rtol=1e-15)


def test_bias_free_set_parameters_takes_the_weights_alone():
    layer = Layer_Dense(3, 2, bias=False)
    weights = np.arange(6.0).reshape(3, 2)
    layer.set_parameters(weights)
    assert layer.weights is not None and np.array_equal(layer.weights, weights)
    with pytest.raises(ValueError, match=r"has no biases \(bias=False\)"):
        layer.set_parameters(weights, np.zeros((1, 2)))
    np.testing.assert_array_equal(layer.weights, weights)


@pytest.mark.parametrize(
    "arguments, error, message",
    [
        ({"bias": 0}, TypeError, r"Layer_Dense\(3, 2\): bias must be True or False, got 0"),
        (
            {"bias": False, "bias_regularizer_l1": 0.1},
            ValueError,
            r"Layer_Dense\(3, 2\): bias=False leaves no biases to regularize, but got "
            r"bias_regularizer_l1=0.1",
        ),
        (
            {"bias": False, "bias_regularizer_l2": 0.2},
            ValueError,
            r"bias_regularizer_l2=0.2; set them to 0 or use bias=True",
        ),
    ],
)
def test_bias_argument_errors(arguments, error, message):
    with pytest.raises(error, match=message):
        Layer_Dense(3, 2, **arguments)


def test_a_model_with_a_bias_free_layer_summarizes_saves_and_loads_its_parameters(tmp_path):
    def build(seed):
        model = Model()
        model.add(Layer_Dense(2, 3, bias=False, rng=np.random.default_rng(seed)))
        model.add(Layer_Dense(3, 1, rng=np.random.default_rng(seed)))
        model.set(loss=Loss_MeanSquaredError())
        model.finalize()
        return model

    model = build(0)
    lines = []
    model.summary(print_fn=lines.append)
    assert "Layer_Dense(2, 3, bias=False)" in lines[2] and lines[2].endswith(" 6")
    assert lines[4] == "parameters: 10 (trainable: 10, frozen: 0)"
    assert [len(p) for p in model.get_parameters()] == [1, 2]
    model.save_parameters(tmp_path / "bias_free.npz")
    other = build(1)
    other.load_parameters(tmp_path / "bias_free.npz")
    np.testing.assert_array_equal(other.layers[0].weights, model.layers[0].weights)
    assert not hasattr(other.layers[0], "biases")
    # The whole model too: Model.load builds the layer without biases again
    model.save(tmp_path / "bias_free.model")
    loaded = Model.load(tmp_path / "bias_free.model")
    assert repr(loaded.layers[0]) == "Layer_Dense(2, 3, bias=False)"
    inputs = np.random.default_rng(2).standard_normal((4, 2))
    np.testing.assert_array_equal(loaded.predict(inputs), model.predict(inputs))
