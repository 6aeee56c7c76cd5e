"""nnlite/threads.py: work shared among threads gives the same bits as one call.

Each helper is compared with the one-call NumPy operation it stands for, with
``MIN_SHARED_SIZE`` made small so that small arrays are cut into parts; then the layers that
use the helpers (convolution, pooling, ReLU) are run with 1 and 3 threads and must produce
the same bytes (a thread count that does not divide the axes leaves parts of unequal size).
"""

import threading

import numpy as np
import pytest

from nnlite import (
    Activation_ReLU,
    Layer_AvgPool2D,
    Layer_Conv2D,
    Layer_Flatten,
    Layer_MaxPool2D,
    threads,
)


@pytest.fixture
def small_parts(monkeypatch):
    """Everything above 16 numbers is shared; the thread count is restored afterwards."""
    monkeypatch.setattr(threads, "MIN_SHARED_SIZE", 16)
    yield
    threads.set_threads(None)


@pytest.mark.parametrize("count", [1, 2, 3, 5])
def test_in_parts_covers_every_index_once(small_parts, count):
    threads.set_threads(count)
    seen = np.zeros(7, dtype=int)
    names = set()

    def work(part: slice) -> None:
        seen[part] += 1
        names.add(threading.current_thread().name)

    threads.in_parts(work, 7, size=1000)
    np.testing.assert_array_equal(seen, 1)
    # This thread runs the first part, the pool's workers the others (a worker may run two)
    assert ("MainThread" in names) and (len(names) > 1) == (count > 1)


def test_in_parts_below_the_minimum_is_one_call(small_parts):
    threads.set_threads(2)
    calls = []
    threads.in_parts(calls.append, 10, size=15)
    assert calls == [slice(0, 10)]


def test_copy_in_parts_is_np_copyto(small_parts):
    threads.set_threads(3)
    rng = np.random.default_rng(0)
    source = rng.standard_normal((5, 4, 7, 6)).transpose(1, 3, 2, 0)  # strided
    destination = np.empty(source.shape)
    threads.copy_in_parts(destination, source)
    assert destination.tobytes() == np.ascontiguousarray(source).tobytes()


@pytest.mark.parametrize("layout", [(0, 1, 2, 3), (1, 2, 3, 0)])
def test_elementwise_in_parts_gives_the_bits_and_layout_of_one_call(small_parts, layout):
    threads.set_threads(3)
    rng = np.random.default_rng(1)
    shape = (5, 3, 4, 6)
    stored = rng.standard_normal([shape[axis] for axis in layout]).astype(np.float32)
    values = stored.transpose(np.argsort(layout))  # NCHW values, stored in `layout`
    values[0, 0, 0, :3] = [-0.0, np.nan, -np.inf]
    biases = rng.standard_normal((1, 3, 1, 1)).astype(np.float32)
    for function, operands in ((np.add, (values, biases)), (np.maximum, (0, values))):
        ours = threads.elementwise_in_parts(function, *operands, like=values)
        theirs = function(*operands)
        assert ours.tobytes(order="A") == theirs.tobytes(order="A")
        assert ours.strides == theirs.strides


def test_elementwise_in_parts_with_mixed_dtypes_is_one_call(small_parts):
    threads.set_threads(2)
    values = np.arange(40, dtype=np.float32).reshape(4, 10)
    ours = threads.elementwise_in_parts(np.add, values, np.ones(10), like=values)
    assert ours.dtype == np.float64  # as values + float64 ones


def test_a_failing_part_is_raised_after_every_part_has_finished(small_parts):
    threads.set_threads(2)
    finished = []

    def work(part: slice) -> None:
        if part.start == 0:
            raise RuntimeError("first part failed")
        threading.Event().wait(0.05)
        finished.append(part)

    with pytest.raises(RuntimeError, match="first part failed"):
        threads.in_parts(work, 4, size=100)
    assert finished == [slice(2, 4)]


def test_errstate_applies_in_every_part(small_parts):
    threads.set_threads(2)
    values = np.zeros(64)
    with np.errstate(divide="raise"), pytest.raises(FloatingPointError):
        threads.elementwise_in_parts(np.reciprocal, values, like=values)


def _lenet_flow(count: int, dtype: type) -> list[bytes]:
    """Forward and backward through article 004's convolution and pooling layers (and a
    padded, strided one and the two poolings), every output and gradient as bytes."""
    threads.set_threads(count)
    rng = np.random.default_rng(5)
    layers = [
        Layer_Conv2D(1, 6, 5, rng=rng, dtype=dtype, weight_initializer="he"),
        Activation_ReLU(),
        Layer_MaxPool2D(2),
        Layer_Conv2D(6, 16, 5, rng=rng, dtype=dtype, weight_initializer="he"),
        Activation_ReLU(),
        Layer_MaxPool2D(3, stride=1, padding=1),
        Layer_Conv2D(16, 4, 3, stride=2, padding=1, rng=rng, dtype=dtype),
        Layer_AvgPool2D(2, padding=1),
        Layer_Flatten(),
    ]
    images = rng.standard_normal((5, 1, 32, 32)).astype(dtype)
    images = np.round(images * 2) / 2  # ties in the pooling windows
    values, results = images, []
    for layer in layers:
        values = layer.forward(values, training=True)
        results.append(np.ascontiguousarray(values).tobytes())
    dvalues = rng.standard_normal(values.shape).astype(dtype)
    for layer in reversed(layers):
        dvalues = layer.backward(dvalues)
        results.append(np.ascontiguousarray(dvalues).tobytes())
        results.extend(
            getattr(layer, name).tobytes()
            for name in ("dweights", "dbiases")
            if hasattr(layer, name)
        )
    return results


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_the_image_layers_give_the_same_bits_on_any_number_of_threads(small_parts, dtype):
    one = _lenet_flow(1, dtype)
    for count in (2, 3):
        assert _lenet_flow(count, dtype) == one


def test_a_part_that_shares_work_again_runs_it_itself(small_parts):
    """With one worker, a part waiting for the pool from inside the pool would wait for ever."""
    threads.set_threads(2)
    seen = np.zeros(8, dtype=int)

    def inner(part: slice) -> None:
        seen[part] += 1

    def outer(part: slice) -> None:
        if part.start > 0:  # the part the worker runs
            threads.in_parts(inner, 8, size=1000)

    threads.in_parts(outer, 2, size=1000)
    np.testing.assert_array_equal(seen, 1)
