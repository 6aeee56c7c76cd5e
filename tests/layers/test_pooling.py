"""Layer_MaxPool2D and Layer_AvgPool2D: against the loop version, PyTorch, finite differences.

References: the loop version of pooling (tests/layers/loop_reference.py), PyTorch float64
``max_pool2d`` and ``avg_pool2d`` (tests/torch_gold.py), central finite differences.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnlite import Layer_AvgPool2D, Layer_MaxPool2D
from nnlite.gradcheck import check_gradients
from nnlite.layers.windows import memory_order
from nnlite.parameters import declared_parameters
from tests.layers import loop_reference
from tests.torch_gold import assert_matches_torch, torch_pool2d

POOLS = {
    "max": (Layer_MaxPool2D, loop_reference.max_pool2d_forward, loop_reference.max_pool2d_backward),
    "avg": (Layer_AvgPool2D, loop_reference.avg_pool2d_forward, loop_reference.avg_pool2d_backward),
}


@st.composite
def pool_settings(draw, max_size=8):
    """Arguments of a pooling layer, as a user writes them, and an input it fits."""
    pool = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    stride = draw(
        st.one_of(st.none(), st.integers(1, 3), st.tuples(st.integers(1, 3), st.integers(1, 3)))
    )
    # PyTorch's limit: at most half the window
    pads = (draw(st.integers(0, pool[0] // 2)), draw(st.integers(0, pool[1] // 2)))
    padding = pads[0] if pads[0] == pads[1] and draw(st.booleans()) else pads
    size = tuple(
        draw(st.integers(max(1, k - 2 * p), max(k - 2 * p, max_size)))
        for k, p in zip(pool, pads, strict=True)
    )
    pool_size = pool[0] if pool[0] == pool[1] and draw(st.booleans()) else pool
    shape = (draw(st.integers(1, 2)), draw(st.integers(1, 3)), *size)
    return {"pool_size": pool_size, "stride": stride, "padding": padding}, shape


def samples_last_copy(images):
    """The same images stored with the sample axis last, as Layer_Conv2D returns its output."""
    return np.ascontiguousarray(images.transpose(1, 2, 3, 0)).transpose(3, 0, 1, 2)


def explicit(layer):
    """The layer's window, stride and padding as the loop version takes them."""
    return layer.pool_size, layer.stride, layer.padding


@pytest.mark.parametrize("kind", POOLS)
@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), case=pool_settings(), samples_last=st.booleans())
def test_matches_the_loop_version_and_torch(kind, seed, case, samples_last):
    arguments, shape = case
    layer_class, loop_forward, loop_backward = POOLS[kind]
    rng = np.random.default_rng(seed)
    inputs = rng.standard_normal(shape)
    dvalues = rng.standard_normal(layer_class(**arguments).forward(inputs).shape)
    layer = layer_class(**arguments)
    if samples_last:
        # Stored as a convolution's output is; the numbers must not change
        output = layer.forward(samples_last_copy(inputs))
        layer.backward(samples_last_copy(dvalues))
    else:
        output = layer.forward(inputs)
        layer.backward(dvalues)
    ours = {"output": output, "dinputs": layer.dinputs}

    loops = {
        "output": loop_forward(inputs, *explicit(layer)),
        "dinputs": loop_backward(inputs, dvalues, *explicit(layer)),
    }
    assert_matches_torch(ours, loops)
    theirs = torch_pool2d(kind, inputs, dvalues, **arguments)
    assert_matches_torch(ours, theirs)


@pytest.mark.parametrize("kind", POOLS)
@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), case=pool_settings(max_size=6))
def test_gradients_match_finite_differences(kind, seed, case):
    arguments, shape = case
    # Distinct values, at least 1e-3 apart: a tie in a max window is a kink
    rng = np.random.default_rng(seed)
    inputs = rng.permutation(np.prod(shape)).reshape(shape) * 1e-3 + rng.uniform(-1, 1)
    layer = POOLS[kind][0](**arguments)
    report = check_gradients(layer, inputs)
    assert set(report.errors) == {"dinputs"}
    assert report.passed, str(report)
    assert declared_parameters(layer) == ()


@pytest.mark.parametrize(
    "arguments",
    [
        {"pool_size": 2},
        {"pool_size": 3, "stride": 2},
        {"pool_size": 3, "stride": 1, "padding": 1},
        {"pool_size": (2, 3), "stride": (1, 2)},
    ],
    ids=["2", "3 stride 2", "3 stride 1 padding 1", "(2, 3) stride (1, 2)"],
)
def test_max_pool_ties_send_the_gradient_to_one_pixel_as_pytorch(arguments):
    rng = np.random.default_rng(0)
    # Few distinct values, so that many windows hold several maxima
    inputs = rng.integers(0, 3, size=(2, 3, 7, 8)).astype(np.float64)
    inputs[0, 0] = 1.0  # one channel with every pixel equal
    layer = Layer_MaxPool2D(**arguments)
    output = layer.forward(inputs)
    windows = list(loop_reference._pool_windows(inputs, *explicit(layer), -np.inf))
    ties = sum(np.count_nonzero(window == window.max()) > 1 for *_, window in windows)
    assert ties > len(windows) // 4  # the case tests ties

    dvalues = rng.uniform(1, 2, size=output.shape)
    layer.backward(dvalues)
    theirs = torch_pool2d("max", inputs, dvalues, **arguments)
    assert_matches_torch({"dinputs": layer.dinputs}, theirs)
    # One window at a time: its gradient goes to one pixel, its first maximum
    for index, (n, c, _, _, rows, columns, window) in enumerate(windows):
        one_window = np.zeros(output.size)
        one_window[index] = 1.0
        layer.backward(one_window.reshape(output.shape))
        (top, _), (left, _) = layer.padding
        p, q = np.unravel_index(np.argmax(window), window.shape)
        expected = np.zeros_like(inputs)
        expected[n, c, rows.start + p - top, columns.start + q - left] = 1.0
        np.testing.assert_array_equal(layer.dinputs, expected)


def test_a_window_of_equal_values_gives_its_gradient_to_the_first_pixel():
    layer = Layer_MaxPool2D(2)
    layer.forward(np.ones((1, 1, 2, 4)))
    layer.backward(np.array([[[[5.0, 7.0]]]]))
    np.testing.assert_array_equal(layer.dinputs, [[[[5.0, 0, 7.0, 0], [0, 0, 0, 0]]]])


def test_nan_in_a_window_gives_nan():
    inputs = np.arange(16.0).reshape(1, 1, 4, 4)
    inputs[0, 0, 3, 3] = np.nan
    output = Layer_MaxPool2D(2).forward(inputs)
    assert np.isnan(output[0, 0, 1, 1])
    assert not np.isnan(output[0, 0, 0, 0])


@pytest.mark.parametrize("layer_class", [Layer_MaxPool2D, Layer_AvgPool2D])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept(layer_class, dtype):
    rng = np.random.default_rng(0)
    layer = layer_class(3, 2, 1)
    output = layer.forward(rng.standard_normal((2, 2, 6, 6)).astype(dtype))
    layer.backward(rng.standard_normal(output.shape).astype(dtype))
    assert output.dtype == dtype
    assert layer.dinputs.dtype == dtype


@pytest.mark.parametrize("layer_class", [Layer_MaxPool2D, Layer_AvgPool2D])
def test_the_output_is_laid_out_as_the_inputs(layer_class):
    inputs = samples_last_copy(np.random.default_rng(3).standard_normal((3, 2, 6, 6)))
    layer = layer_class(2)
    output = layer.forward(inputs)
    layer.backward(samples_last_copy(np.ones(output.shape)))
    assert memory_order(output) == memory_order(layer.dinputs) == (1, 2, 3, 0)


def test_repr():
    assert repr(Layer_MaxPool2D()) == "Layer_MaxPool2D(2)"
    assert repr(Layer_AvgPool2D((3, 2), 1, padding=1)) == (
        "Layer_AvgPool2D((3, 2), stride=1, padding=1)"
    )


# (constructor arguments, error, words the message must contain)
BAD_CONSTRUCTIONS = {
    "pool 0": ({"pool_size": 0}, ValueError, ["pool_size", "got 0"]),
    "negative pool": ({"pool_size": (2, -2)}, ValueError, ["pool_size", "(2, -2)"]),
    "float pool": ({"pool_size": 2.0}, TypeError, ["pool_size", "2.0", "float"]),
    "stride 0": ({"pool_size": 2, "stride": 0}, ValueError, ["stride", "got 0"]),
    "float stride": ({"pool_size": 2, "stride": 1.5}, TypeError, ["stride", "1.5"]),
    "negative padding": ({"pool_size": 2, "padding": -1}, ValueError, ["padding", "-1"]),
    "padding over half": ({"pool_size": 3, "padding": 2}, ValueError, ["half", "(1, 1)", "2"]),
}


@pytest.mark.parametrize("layer_class", [Layer_MaxPool2D, Layer_AvgPool2D])
@pytest.mark.parametrize(
    "arguments, error, words", BAD_CONSTRUCTIONS.values(), ids=BAD_CONSTRUCTIONS.keys()
)
def test_bad_arguments_are_explained(layer_class, arguments, error, words):
    with pytest.raises(error) as raised:
        layer_class(**arguments)
    message = str(raised.value)
    assert message.startswith(layer_class.__name__)
    for word in words:
        assert word in message, (word, message)


BAD_INPUTS = {
    "2-D inputs": (np.ones((2, 16)), ["4-D", "(2, 16)"]),
    "3-D inputs": (np.ones((1, 4, 4)), ["4-D", "x[np.newaxis]"]),
    "pool larger than the padded input": (np.ones((1, 1, 2, 5)), ["pool_size=(3, 3)", "2 × 5"]),
}


@pytest.mark.parametrize("layer_class", [Layer_MaxPool2D, Layer_AvgPool2D])
@pytest.mark.parametrize("inputs, words", BAD_INPUTS.values(), ids=BAD_INPUTS.keys())
def test_bad_inputs_are_explained(layer_class, inputs, words):
    layer = layer_class(3)
    with pytest.raises(ValueError) as raised:
        layer.forward(inputs)
    message = str(raised.value)
    assert message.startswith(f"{layer_class.__name__}(3)")
    for word in words:
        assert word in message, (word, message)
    assert layer.inputs is None


@pytest.mark.parametrize("layer_class", [Layer_MaxPool2D, Layer_AvgPool2D])
def test_bad_dvalues_are_explained(layer_class):
    layer = layer_class(2)
    with pytest.raises(RuntimeError, match="before forward"):
        layer.backward(np.ones((1, 1, 2, 2)))
    layer.forward(np.ones((1, 1, 4, 4)))
    with pytest.raises(ValueError, match=r"dvalues.*\(1, 1, 2, 2\), got \(1, 1, 4, 4\)"):
        layer.backward(np.ones((1, 1, 4, 4)))


def test_a_window_of_more_than_127_pixels_matches_torch():
    """The window offsets are kept as int8 up to 127 and as intp above."""
    rng = np.random.default_rng(8)
    inputs = rng.standard_normal((2, 2, 13, 14))
    layer = Layer_MaxPool2D((12, 11), stride=1)
    output = layer.forward(inputs)
    assert layer.argmax.dtype == np.intp
    dvalues = rng.standard_normal(output.shape)
    layer.backward(dvalues)
    theirs = torch_pool2d("max", inputs, dvalues, (12, 11), stride=1)
    assert_matches_torch({"output": output, "dinputs": layer.dinputs}, theirs)


@pytest.mark.parametrize("rows", [1, 2, 4, 9])
def test_the_first_offset_of_the_maximum_is_argmax(rows):
    """_first_offset_of finds the first maximum with whole-row operations; it must be
    np.argmax's first maximum (ties are frequent here), and the last row for NaN."""
    from nnlite.layers.pooling import _first_offset_of

    rng = np.random.default_rng(rows)
    cols = rng.integers(-2, 3, size=(rows, 500)).astype(np.float32)
    cols[:, 0] = np.nan
    maxima = cols.max(axis=0)
    offsets = _first_offset_of(maxima, cols)
    np.testing.assert_array_equal(offsets[1:], np.argmax(cols[:, 1:], axis=0))
    assert offsets[0] == rows - 1
