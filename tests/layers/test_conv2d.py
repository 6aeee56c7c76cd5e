"""Layer_Conv2D: against the loop version, against PyTorch, and by finite differences.

References: the loop version of convolution (tests/layers/loop_reference.py), PyTorch float64
(tests/torch_gold.py), central finite differences (nnlite.gradcheck), and for the initial
weights the draws the docstring names.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnlite import Layer_Conv2D, Optimizer_SGD, accumulate_gradients, zero_grad
from nnlite.gradcheck import check_gradients
from nnlite.layers.windows import memory_order
from nnlite.parameters import WEIGHTS, declared_parameters, trainable_parameters
from tests.layers import loop_reference
from tests.torch_gold import assert_matches_torch, torch_conv2d

REGULARIZERS = {
    "none": {},
    "weight L1": {"weight_regularizer_l1": 0.3},
    "weight L2": {"weight_regularizer_l2": 0.2},
    "bias L1": {"bias_regularizer_l1": 0.1},
    "bias L2": {"bias_regularizer_l2": 0.4},
}


def away_from_zero(rng, shape):
    """Values in ±[0.1, 1]: L1's |w| has a kink at 0, where finite differences disagree."""
    return rng.uniform(0.1, 1.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)


@st.composite
def conv_settings(draw, max_size=7):
    """A layer's arguments and an input size that the (dilated) kernel fits in."""
    kernel = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    choices = [st.integers(0, 2), st.tuples(st.integers(0, 2), st.integers(0, 2))]
    choices.append(st.just("valid"))
    if stride == (1, 1):
        choices.append(st.just("same"))
    padding = draw(st.one_of(choices))
    if isinstance(padding, str):
        pads = (0, 0)
    else:
        pads = padding if isinstance(padding, tuple) else (padding, padding)
    # The smallest image the dilated kernel fits in, with this padding
    smallest = [
        max(1, d * (k - 1) + 1 - 2 * p) for d, k, p in zip(dilation, kernel, pads, strict=True)
    ]
    size = tuple(draw(st.integers(low, max(low, max_size))) for low in smallest)
    return {
        "n_samples": draw(st.integers(1, 2)),
        "channels": draw(st.integers(1, 3)),
        "filters": draw(st.integers(1, 3)),
        "size": size,
        "layer": {
            "kernel_size": kernel,
            "stride": stride,
            "padding": padding,
            "dilation": dilation,
        },
    }


def samples_last_copy(images):
    """The same images stored with the sample axis last, as Layer_Conv2D returns its output."""
    return np.ascontiguousarray(images.transpose(1, 2, 3, 0)).transpose(3, 0, 1, 2)


def conv_case(seed, case, *, bias=True, regularizers=None):
    rng = np.random.default_rng(seed)
    layer = Layer_Conv2D(
        case["channels"],
        case["filters"],
        **case["layer"],
        bias=bias,
        **(regularizers or {}),
        rng=rng,
    )
    layer.weights = away_from_zero(rng, layer.weights.shape)
    if bias:
        layer.biases = away_from_zero(rng, (1, case["filters"]))
    inputs = rng.uniform(-2, 2, size=(case["n_samples"], case["channels"], *case["size"]))
    return layer, inputs, rng


def run(layer, inputs, dvalues):
    layer.forward(inputs)
    layer.backward(dvalues)
    ours = {"output": layer.output, "dweights": layer.dweights, "dinputs": layer.dinputs}
    if hasattr(layer, "biases"):
        ours["dbiases"] = layer.dbiases
    return ours


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), case=conv_settings(), bias=st.booleans())
def test_matches_the_loop_version_and_torch(seed, case, bias):
    layer, inputs, rng = conv_case(seed, case, bias=bias)
    output_shape = layer.forward(inputs).shape
    dvalues = rng.standard_normal(output_shape)
    ours = run(layer, inputs, dvalues)

    biases = layer.biases if bias else None
    arguments = (layer.stride, layer.padding, layer.dilation)
    loop_output = loop_reference.conv2d_forward(inputs, layer.weights, biases, *arguments)
    dweights, dbiases, dinputs = loop_reference.conv2d_backward(
        inputs, layer.weights, dvalues, *arguments
    )
    loops = {"output": loop_output, "dweights": dweights, "dinputs": dinputs}
    if bias:
        loops["dbiases"] = dbiases
    assert_matches_torch(ours, loops)

    options = {key: value for key, value in case["layer"].items() if key != "kernel_size"}
    theirs = torch_conv2d(inputs, layer.weights, biases, dvalues, **options)
    assert set(theirs) == set(ours)
    assert_matches_torch(ours, theirs)


@pytest.mark.parametrize("regularizers", REGULARIZERS.values(), ids=REGULARIZERS.keys())
def test_regularization_gradients_match_torch(regularizers):
    case = {
        "n_samples": 2,
        "channels": 2,
        "filters": 3,
        "size": (6, 5),
        "layer": {"kernel_size": 3, "stride": 1, "padding": 1, "dilation": 1},
    }
    layer, inputs, rng = conv_case(3, case, regularizers=regularizers)
    dvalues = rng.standard_normal((2, 3, 6, 5))
    ours = run(layer, inputs, dvalues)
    theirs = torch_conv2d(inputs, layer.weights, layer.biases, dvalues, padding=1, **regularizers)
    assert_matches_torch(ours, theirs)


@pytest.mark.parametrize("regularizers", REGULARIZERS.values(), ids=REGULARIZERS.keys())
@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), case=conv_settings(max_size=5))
def test_gradients_match_finite_differences(regularizers, seed, case):
    layer, inputs, _ = conv_case(seed, case, regularizers=regularizers)
    report = check_gradients(layer, inputs)
    assert set(report.errors) == {"dweights", "dbiases", "dinputs"}
    assert report.passed, str(report)
    assert max(report.errors.values()) < 1e-6


def test_gradients_without_biases_match_finite_differences():
    case = {
        "n_samples": 2,
        "channels": 2,
        "filters": 2,
        "size": (5, 6),
        "layer": {"kernel_size": (2, 3), "stride": (2, 1), "padding": 1, "dilation": 1},
    }
    layer, inputs, _ = conv_case(4, case, bias=False, regularizers={"weight_regularizer_l2": 0.1})
    report = check_gradients(layer, inputs)
    assert set(report.errors) == {"dweights", "dinputs"}
    assert report.passed, str(report)


def test_without_biases_only_the_weights_are_declared_and_drawn_alike():
    with_biases = Layer_Conv2D(2, 3, 3, rng=np.random.default_rng(1))
    without = Layer_Conv2D(2, 3, 3, bias=False, rng=np.random.default_rng(1))
    assert not hasattr(without, "biases")
    assert declared_parameters(without) == (WEIGHTS,)
    assert trainable_parameters(with_biases) == Layer_Conv2D.parameter_specs
    np.testing.assert_array_equal(without.weights, with_biases.weights)
    assert without.get_parameters() == (without.weights,)
    # An optimizer updates the weights and looks for nothing else
    without.forward(np.ones((1, 2, 4, 4)))
    without.backward(np.ones((1, 3, 2, 2)))
    before = without.weights.copy()
    optimizer = Optimizer_SGD(learning_rate=0.5)
    optimizer.pre_update_params()
    optimizer.update_params(without)
    optimizer.post_update_params()
    np.testing.assert_array_equal(without.weights, before - 0.5 * without.dweights)


def test_default_weights_are_the_books_draw_from_the_global_stream():
    np.random.seed(3)
    layer = Layer_Conv2D(2, 4, (3, 2))
    np.random.seed(3)
    book_weights = 0.01 * np.random.randn(4, 2, 3, 2)
    np.testing.assert_array_equal(layer.weights, book_weights)
    np.testing.assert_array_equal(layer.biases, np.zeros((1, 4)))


def test_he_and_glorot_use_the_fans_of_the_kernel():
    # fan_in = C·kh·kw = 2·3·2 = 12, fan_out = F·kh·kw = 4·3·2 = 24
    he = Layer_Conv2D(2, 4, (3, 2), weight_initializer="he", rng=np.random.default_rng(7))
    normal = np.random.default_rng(7).standard_normal((4, 2, 3, 2))
    np.testing.assert_array_equal(he.weights, np.sqrt(2.0 / 12) * normal)
    glorot = Layer_Conv2D(2, 4, (3, 2), weight_initializer="glorot", rng=np.random.default_rng(7))
    limit = np.sqrt(6.0 / (12 + 24))
    uniform = np.random.default_rng(7).uniform(-limit, limit, size=(4, 2, 3, 2))
    np.testing.assert_array_equal(glorot.weights, uniform)


@pytest.mark.parametrize("initializer", ["book", "he", "glorot"])
def test_an_rng_leaves_the_global_stream_alone(initializer):
    np.random.seed(5)
    _, key, position, *_ = np.random.get_state()
    Layer_Conv2D(3, 4, 3, weight_initializer=initializer, rng=np.random.default_rng(1))
    _, key_after, position_after, *_ = np.random.get_state()
    assert position_after == position
    np.testing.assert_array_equal(key_after, key)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept_through_forward_and_backward(dtype):
    rng = np.random.default_rng(0)
    layer = Layer_Conv2D(
        2, 3, 3, padding=1, weight_regularizer_l1=1e-3, weight_regularizer_l2=1e-3, dtype=dtype
    )
    inputs = rng.standard_normal((4, 2, 5, 5)).astype(dtype)
    output = layer.forward(inputs)
    layer.backward(rng.standard_normal(output.shape).astype(dtype))
    dtypes = {
        name: getattr(layer, name).dtype
        for name in ("weights", "biases", "output", "dweights", "dbiases", "dinputs")
    }
    assert dtypes == dict.fromkeys(dtypes, np.dtype(dtype))


def test_output_and_dinputs_are_stored_samples_last_and_inputs_may_be_either_way():
    rng = np.random.default_rng(6)
    layer = Layer_Conv2D(2, 3, 3, padding=1, rng=rng)
    inputs = rng.standard_normal((4, 2, 5, 6))
    dvalues = rng.standard_normal((4, 3, 5, 6))
    c_ordered = {name: value.copy() for name, value in run(layer, inputs, dvalues).items()}
    assert memory_order(layer.output) == (1, 2, 3, 0)
    assert memory_order(layer.dinputs) == (1, 2, 3, 0)
    samples_last = samples_last_copy(inputs)
    assert memory_order(samples_last) == (1, 2, 3, 0)
    ours = run(layer, samples_last, samples_last_copy(dvalues))
    for name, value in c_ordered.items():
        np.testing.assert_array_equal(ours[name], value)


def test_needs_dinputs_false_skips_only_dinputs():
    rng = np.random.default_rng(1)
    layer = Layer_Conv2D(1, 2, 3, rng=rng)
    inputs = rng.standard_normal((2, 1, 6, 6))
    dvalues = rng.standard_normal((2, 2, 4, 4))
    full = run(layer, inputs, dvalues)
    layer.needs_dinputs = False
    layer.forward(inputs)
    layer.backward(dvalues)
    assert layer.dinputs is None
    np.testing.assert_array_equal(layer.dweights, full["dweights"])
    np.testing.assert_array_equal(layer.dbiases, full["dbiases"])


def test_accumulate_gradients_adds_the_passes():
    rng = np.random.default_rng(2)
    layer = Layer_Conv2D(2, 2, 2, rng=rng)
    batches = [rng.standard_normal((3, 2, 4, 4)) for _ in range(2)]
    dvalues = [rng.standard_normal((3, 2, 3, 3)) for _ in range(2)]
    separate = [
        {name: value.copy() for name, value in run(layer, x, d).items()}
        for x, d in zip(batches, dvalues, strict=True)
    ]
    zero_grad([layer])
    with accumulate_gradients([layer]):
        for x, d in zip(batches, dvalues, strict=True):
            layer.forward(x)
            layer.backward(d)
    for name in ("dweights", "dbiases"):
        expected = separate[0][name] + separate[1][name]
        np.testing.assert_allclose(getattr(layer, name), expected, rtol=1e-12, atol=1e-15)


def test_repr_shows_the_arguments_that_differ_from_the_defaults():
    assert repr(Layer_Conv2D(1, 6, 5)) == "Layer_Conv2D(1, 6, 5)"
    layer = Layer_Conv2D(3, 8, (3, 1), 2, padding=(1, 0), dilation=2, bias=False, name="c")
    expected = "Layer_Conv2D(3, 8, (3, 1), stride=2, dilation=2, padding=(1, 0), bias=False, "
    assert repr(layer) == expected + "name='c')"


def build(arguments):
    return Layer_Conv2D(*arguments[0], **arguments[1])


# (arguments to the constructor, error, words the message must contain)
BAD_CONSTRUCTIONS = {
    "zero filters": (((1, 0, 3), {}), ValueError, ["n_filters", "positive", "got 0"]),
    "float channels": (((1.5, 2, 3), {}), TypeError, ["n_input_channels", "1.5"]),
    "zero kernel": (((1, 2, 0), {}), ValueError, ["kernel_size", "got 0"]),
    "negative kernel": (((1, 2, (3, -1)), {}), ValueError, ["kernel_size", "(3, -1)"]),
    "float kernel": (((1, 2, 2.5), {}), TypeError, ["kernel_size", "2.5", "float"]),
    "kernel triple": (((1, 2, (1, 2, 3)), {}), ValueError, ["kernel_size", "(1, 2, 3)"]),
    "stride 0": (((1, 2, 3), {"stride": 0}), ValueError, ["stride", "got 0"]),
    "float stride": (((1, 2, 3), {"stride": (1, 1.0)}), TypeError, ["stride", "float"]),
    "dilation 0": (((1, 2, 3), {"dilation": 0}), ValueError, ["dilation", "got 0"]),
    "negative padding": (((1, 2, 3), {"padding": -1}), ValueError, ["padding", "got -1"]),
    "unknown padding": (((1, 2, 3), {"padding": "full"}), ValueError, ["padding", "'full'"]),
    "same, stride 2": (
        ((1, 2, 3), {"stride": 2, "padding": "same"}),
        ValueError,
        ["padding='same'", "stride 1", "(2, 2)"],
    ),
    "bias penalty without biases": (
        ((1, 2, 3), {"bias": False, "bias_regularizer_l2": 0.1}),
        ValueError,
        ["bias_regularizer", "bias=False"],
    ),
    "negative regularizer": (
        ((1, 2, 3), {"weight_regularizer_l1": -1}),
        ValueError,
        ["weight_regularizer_l1"],
    ),
    "unknown initializer": (
        ((1, 2, 3), {"weight_initializer": "xavier"}),
        ValueError,
        ["weight_initializer", "'xavier'"],
    ),
}


@pytest.mark.parametrize(
    "arguments, error, words", BAD_CONSTRUCTIONS.values(), ids=BAD_CONSTRUCTIONS.keys()
)
def test_bad_arguments_are_explained(arguments, error, words):
    with pytest.raises(error) as raised:
        build(arguments)
    message = str(raised.value)
    assert message.startswith("Layer_Conv2D(")
    for word in words:
        assert word in message, (word, message)


# (inputs, words the message must contain) for Layer_Conv2D(3, 2, 5, padding=1)
BAD_INPUTS = {
    "wrong channel count": (np.ones((2, 1, 8, 8)), ["inputs", "3 channel", "(2, 1, 8, 8)"]),
    "channels last": (np.ones((2, 8, 8, 3)), ["3 channel", "NHWC", "transpose(0, 3, 1, 2)"]),
    "2-D inputs": (np.ones((2, 192)), ["4-D", "2-D", "(2, 192)", "reshape"]),
    "3-D inputs": (np.ones((3, 8, 8)), ["4-D", "3-D", "x[np.newaxis]"]),
    "kernel larger than the padded input": (
        np.ones((1, 3, 2, 8)),
        ["kernel_size=(5, 5)", "2 × 8", "4 × 10", "padding"],
    ),
    "complex inputs": (np.ones((1, 3, 8, 8), dtype=complex), ["real numbers", "complex"]),
}


@pytest.mark.parametrize("inputs, words", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_inputs_are_explained_and_leave_the_layer_untouched(inputs, words):
    layer = Layer_Conv2D(3, 2, 5, padding=1, rng=np.random.default_rng(0))
    weights, biases = layer.weights.copy(), layer.biases.copy()
    with pytest.raises((ValueError, TypeError)) as raised:
        layer.forward(inputs)
    message = str(raised.value)
    assert message.startswith("Layer_Conv2D(3, 2, 5, padding=1)")
    for word in words:
        assert word in message, (word, message)
    np.testing.assert_array_equal(layer.weights, weights)
    np.testing.assert_array_equal(layer.biases, biases)
    assert layer.inputs is None


def test_bad_dvalues_are_explained_and_leave_the_gradients_alone():
    layer = Layer_Conv2D(1, 2, 3, rng=np.random.default_rng(0))
    with pytest.raises(RuntimeError, match="before forward"):
        layer.backward(np.ones((1, 2, 2, 2)))
    layer.forward(np.ones((1, 1, 4, 4)))
    layer.backward(np.ones((1, 2, 2, 2)))
    dweights = layer.dweights.copy()
    with pytest.raises(ValueError, match=r"dvalues.*\(1, 2, 2, 2\), got \(1, 2, 3, 3\)"):
        layer.backward(np.ones((1, 2, 3, 3)))
    np.testing.assert_array_equal(layer.dweights, dweights)


@pytest.mark.parametrize(
    "shape", [(5, 1, 32, 32), (3, 2, 32, 16), (4, 1, 28, 28), (2, 3, 7, 5), (0, 1, 32, 32)], ids=str
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_copy_samples_last_is_the_transposed_copy(shape, dtype):
    """The samples-last copy of C-ordered images goes through padded rows when an image is a
    multiple of 4 KiB (the first two shapes in float32, the first in float64); either way it
    is exactly images.transpose(1, 2, 3, 0)."""
    from nnlite.layers.windows import copy_samples_last

    images = np.random.default_rng(0).standard_normal(shape).astype(dtype)
    destination = np.empty((shape[1], shape[2], shape[3], shape[0]), dtype=dtype)
    copy_samples_last(destination, images)
    np.testing.assert_array_equal(destination, images.transpose(1, 2, 3, 0))
