"""Layer_BatchNormalization: against torch's BatchNorm1d/2d, by finite differences, bad input.

References: PyTorch float64 (tests/torch_gold.py::torch_batch_normalization: forward, backward
and the running statistics after several steps) and central finite differences
(nnlite.gradcheck) for every gradient.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnlite import (
    Accuracy_Categorical,
    Activation_ReLU,
    Activation_Softmax,
    Layer_BatchNormalization,
    Layer_Dense,
    Loss_CategoricalCrossentropy,
    Model,
    Optimizer_Adam,
)
from nnlite.gradcheck import check_gradients
from nnlite.gradients import accumulate_gradients
from nnlite.parameters import BIASES, WEIGHTS, declared_parameters
from tests.torch_gold import assert_matches_torch, torch_batch_normalization

# (n_samples, n_features), or (n_samples, n_channels, height, width) with at least two values
# per channel, as training needs
SHAPES_2D = st.tuples(st.integers(2, 7), st.integers(1, 4))
SHAPES_4D = st.tuples(
    st.integers(1, 3), st.integers(1, 3), st.integers(1, 3), st.integers(1, 3)
).filter(lambda shape: shape[0] * shape[2] * shape[3] > 1)
SHAPES = st.one_of(SHAPES_2D, SHAPES_4D)


def batch(rng, shape):
    """Values with a different mean and spread for each feature (axis 1)."""
    features = (1, shape[1]) + (1,) * (len(shape) - 2)
    offsets = rng.uniform(-3, 3, size=features)
    scales = rng.uniform(0.5, 2, size=features)
    return offsets + scales * rng.standard_normal(shape)


def batch_norm_case(seed, shape, *, affine, steps=0, momentum=0.1, epsilon=1e-5):
    """A layer with γ and β away from their initial 1 and 0, ``steps`` earlier batches, the
    batch to check and its dvalues."""
    rng = np.random.default_rng(seed)
    layer = Layer_BatchNormalization(shape[1], momentum, epsilon, affine=affine)
    if affine:
        layer.weights = rng.uniform(0.5, 1.5, size=(1, shape[1])) * rng.choice([-1, 1], shape[1])
        layer.biases = rng.standard_normal((1, shape[1]))
    earlier = [batch(rng, shape) for _ in range(steps)]
    return layer, earlier, batch(rng, shape), rng.standard_normal(shape)


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 2**32 - 1),
    shape=SHAPES,
    affine=st.booleans(),
    training=st.booleans(),
    steps=st.integers(0, 3),
    momentum=st.sampled_from([0.1, 0.0, 0.35, 1.0]),
    epsilon=st.sampled_from([1e-5, 1e-3]),
)
def test_forward_backward_and_running_statistics_match_torch(
    seed, shape, affine, training, steps, momentum, epsilon
):
    layer, earlier, inputs, dvalues = batch_norm_case(
        seed, shape, affine=affine, steps=steps, momentum=momentum, epsilon=epsilon
    )
    theirs = torch_batch_normalization(
        inputs,
        dvalues,
        weights=layer.weights if affine else None,
        biases=layer.biases if affine else None,
        training=training,
        earlier_batches=earlier,
        momentum=momentum,
        epsilon=epsilon,
    )
    for earlier_batch in earlier:
        layer.forward(earlier_batch, training=True)
    layer.forward(inputs, training=training)
    layer.backward(dvalues)
    ours = {
        "output": layer.output,
        "dinputs": layer.dinputs,
        "running_mean": layer.running_mean,
        "running_var": layer.running_var,
    }
    if affine:
        ours["dweights"] = layer.dweights
        ours["dbiases"] = layer.dbiases
    assert set(ours) == set(theirs)
    assert_matches_torch(ours, theirs)


@pytest.mark.parametrize("training", [True, False], ids=["training", "inference"])
@pytest.mark.parametrize("affine", [True, False], ids=["affine", "not affine"])
@pytest.mark.parametrize("shapes", [SHAPES_2D, SHAPES_4D], ids=["2-D", "4-D"])
@settings(max_examples=8, deadline=None)
@given(data=st.data())
def test_gradients_match_finite_differences(training, affine, shapes, data):
    seed = data.draw(st.integers(0, 2**32 - 1), label="seed")
    shape = data.draw(shapes, label="shape")
    layer, earlier, inputs, _ = batch_norm_case(seed, shape, affine=affine, steps=2)
    for earlier_batch in earlier:
        layer.forward(earlier_batch)  # running statistics away from 0 and 1
    report = check_gradients(layer, inputs, training=training)
    expected = {"dweights", "dbiases", "dinputs"} if affine else {"dinputs"}
    assert set(report.errors) == expected
    assert max(report.errors.values()) < 1e-6, str(report)


def test_a_float32_layer_is_checked_in_float64_and_stays_float32():
    layer = Layer_BatchNormalization(3, dtype=np.float32)
    inputs = np.random.default_rng(4).standard_normal((6, 3)).astype(np.float32)
    layer.forward(3 * inputs + 1)
    running = layer.running_mean.copy()
    for training in (True, False):
        report = check_gradients(layer, inputs, training=training)
        assert max(report.errors.values()) < 1e-6, str(report)
        assert report["dweights"].analytic.dtype == np.float64
    assert layer.weights.dtype == layer.running_var.dtype == np.float32
    np.testing.assert_array_equal(layer.running_mean, running)  # the check ran on a copy


def test_parameters_buffers_and_initial_values():
    layer = Layer_BatchNormalization(3)
    assert declared_parameters(layer) == (WEIGHTS, BIASES)
    assert Layer_BatchNormalization.buffers == ("running_mean", "running_var")
    for name, value in [("weights", 1), ("biases", 0), ("running_mean", 0), ("running_var", 1)]:
        np.testing.assert_array_equal(getattr(layer, name), np.full((1, 3), float(value)))
    plain = Layer_BatchNormalization(3, affine=False)
    assert declared_parameters(plain) == ()
    assert not hasattr(plain, "weights") and not hasattr(plain, "biases")
    assert repr(plain) == "Layer_BatchNormalization(3, affine=False)"
    assert repr(Layer_BatchNormalization(2, 0.01, 1e-3, name="bn")) == (
        "Layer_BatchNormalization(2, momentum=0.01, epsilon=0.001, name='bn')"
    )


def test_training_is_the_default_and_inference_uses_each_sample_alone():
    layer, earlier, inputs, _ = batch_norm_case(1, (6, 3), affine=True, steps=2)
    for earlier_batch in earlier:
        layer.forward(earlier_batch)
    running = (layer.running_mean.copy(), layer.running_var.copy())
    whole = layer.forward(inputs, training=False).copy()
    one = layer.forward(inputs[2:3], training=False)  # a single sample is fine at inference
    np.testing.assert_array_equal(one, whole[2:3])
    np.testing.assert_array_equal(layer.running_mean, running[0])  # inference leaves them
    np.testing.assert_array_equal(layer.running_var, running[1])
    layer.forward(inputs)
    assert not np.array_equal(layer.running_mean, running[0])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_is_kept(dtype):
    layer = Layer_BatchNormalization(2, dtype=dtype)
    inputs = np.random.default_rng(0).standard_normal((5, 2)).astype(dtype)
    output = layer.forward(inputs)
    layer.backward(np.ones_like(inputs))
    names = ("weights", "biases", "running_mean", "running_var", "dweights", "dbiases", "dinputs")
    assert output.dtype == dtype
    assert {name: getattr(layer, name).dtype for name in names} == dict.fromkeys(
        names, np.dtype(dtype)
    )


def test_gradients_accumulate_and_the_first_layer_skips_dinputs():
    layer, _, inputs, dvalues = batch_norm_case(2, (4, 2, 2, 3), affine=True)
    layer.forward(inputs)
    layer.backward(dvalues)
    once = (layer.dweights.copy(), layer.dbiases.copy(), layer.dinputs)
    with accumulate_gradients([layer]):
        layer.forward(inputs)
        layer.backward(dvalues)
    np.testing.assert_allclose(layer.dweights, 2 * once[0], rtol=1e-15)
    np.testing.assert_allclose(layer.dbiases, 2 * once[1], rtol=1e-15)
    layer.needs_dinputs = False
    layer.forward(inputs)
    assert layer.backward(dvalues) is None and layer.dinputs is None
    np.testing.assert_array_equal(layer.dweights, once[0])


def test_a_model_trains_with_batch_normalization_and_predicts_with_running_statistics():
    rng = np.random.default_rng(3)
    X = rng.standard_normal((60, 2)) * 5 + 10  # badly scaled inputs, which it normalizes
    y = (X[:, 0] > X[:, 1]).astype(int)
    model = Model()
    model.add(Layer_Dense(2, 8, bias=False, rng=rng))
    model.add(Layer_BatchNormalization(8))
    model.add(Activation_ReLU())
    model.add(Layer_Dense(8, 2, rng=rng))
    model.add(Activation_Softmax())
    model.set(
        loss=Loss_CategoricalCrossentropy(),
        optimizer=Optimizer_Adam(learning_rate=0.05),
        accuracy=Accuracy_Categorical(),
    )
    model.finalize()
    normalization = model.layers[1]
    assert model.trainable_layers == [model.layers[0], normalization, model.layers[3]]
    assert list(model.named_layers())[1] == "batch_normalization_1"
    history = model.train(X, y, epochs=30, batch_size=20, verbose=0)
    assert history["loss"][-1] < history["loss"][0]
    assert not np.array_equal(normalization.weights, np.ones((1, 8)))
    assert not np.array_equal(normalization.running_mean, np.zeros((1, 8)))
    # Prediction is inference: each sample alone gives what it gives in a batch
    np.testing.assert_allclose(model.predict(X[:1]), model.predict(X)[:1], rtol=1e-12)
    lines = []
    model.summary(print_fn=lines.append)
    assert lines[3].split()[-3:] == ["(n_samples,", "8)", "16"]  # γ and β of 8 features


# ---------------------------------------------------------------------- bad input

CONSTRUCTOR_ERRORS = [
    ({"n_features": 0}, ValueError, r"Layer_BatchNormalization\(0\): n_features must be a"),
    ({"n_features": 2.0}, TypeError, r"n_features must be a positive whole number, got 2\.0"),
    ({"momentum": -0.1}, ValueError, r"\(3\): momentum .* must be in \[0, 1\], got -0\.1"),
    ({"momentum": 1.5}, ValueError, r"must be in \[0, 1\], got 1\.5"),
    ({"momentum": "0.1"}, TypeError, r"momentum must be a number in \[0, 1\], got '0\.1'"),
    ({"epsilon": 0}, ValueError, r"Layer_BatchNormalization\(3\): epsilon must be > 0, got 0"),
    ({"epsilon": float("nan")}, ValueError, r"epsilon must be > 0, got nan"),
    ({"epsilon": None}, TypeError, r"epsilon must be a number > 0, got None"),
    ({"affine": 1}, TypeError, r"affine must be True or False, got 1"),
]


@pytest.mark.parametrize("arguments, error, message", CONSTRUCTOR_ERRORS)
def test_constructor_errors(arguments, error, message):
    with pytest.raises(error, match=message):
        Layer_BatchNormalization(**{"n_features": 3, **arguments})


WHERE = r"Layer_BatchNormalization\(3\): "
FORWARD_ERRORS = {
    "1-D": (
        np.zeros(3),
        True,
        ValueError,
        WHERE + r"inputs must be a 2-D array of shape \(n_samples, 3\) or a 4-D array of shape "
        r"\(n_samples, 3, height, width\), got a 1-D array of shape \(3,\)",
    ),
    "3-D": (np.zeros((2, 3, 4)), True, ValueError, r"got a 3-D array of shape \(2, 3, 4\)"),
    "features": (
        np.zeros((4, 2)),
        True,
        ValueError,
        WHERE + r"inputs must have shape \(n_samples, 3\) or \(n_samples, 3, height, width\), "
        r"got shape \(4, 2\): the layer was built for 3 features",
    ),
    "channels": (np.zeros((4, 5, 2, 2)), False, ValueError, r"got shape \(4, 5, 2, 2\)"),
    "one sample": (
        np.zeros((1, 3)),
        True,
        ValueError,
        WHERE + r"Expected more than 1 value per channel when training, got inputs of shape "
        r"\(1, 3\)",
    ),
    "one pixel": (np.zeros((1, 3, 1, 1)), True, ValueError, r"more than 1 value per channel"),
    "strings": (np.full((2, 3), "x"), True, TypeError, WHERE + r"inputs must hold real numbers"),
}


@pytest.mark.parametrize(
    "inputs, training, error, message", FORWARD_ERRORS.values(), ids=FORWARD_ERRORS.keys()
)
def test_forward_errors_name_the_layer_and_leave_it_untouched(inputs, training, error, message):
    layer, earlier, _, _ = batch_norm_case(0, (4, 3), affine=True, steps=1)
    layer.forward(earlier[0])
    before = {name: getattr(layer, name).copy() for name in ("running_mean", "running_var")}
    before["weights"], before["biases"] = layer.weights.copy(), layer.biases.copy()
    remembered = layer.inputs
    with pytest.raises(error, match=message):
        layer.forward(inputs, training=training)
    for name, value in before.items():
        np.testing.assert_array_equal(getattr(layer, name), value)
    assert layer.inputs is remembered


def test_backward_errors():
    layer = Layer_BatchNormalization(3)
    with pytest.raises(RuntimeError, match=r"\(3\): backward\(\) was called before forward\(\)"):
        layer.backward(np.zeros((4, 3)))
    layer.forward(np.random.default_rng(0).standard_normal((4, 3, 2, 2)))
    with pytest.raises(ValueError, match=r"must have the shape of this layer's output"):
        layer.backward(np.zeros((4, 3)))
    assert not hasattr(layer, "dweights")
