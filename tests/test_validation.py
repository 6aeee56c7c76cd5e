"""The bad-input table: every wrong call raises an error that names who complained, the
argument, and the shapes or values received, and changes nothing.

Each row is one wrong call and the phrases its message must contain. Calls on a layer run
after one good forward/backward pass, and the layer's weights, biases, gradients and output
must be exactly as before. Constructors must fail before drawing any weights, so the global
random stream is exactly as before too.
"""

import numpy as np
import pytest

from nnlite import (
    Activation_LeakyReLU,
    Activation_Linear,
    Activation_ReLU,
    Activation_Sigmoid,
    Activation_Softmax,
    Activation_Softmax_Loss_CategoricalCrossentropy,
    Activation_Tanh,
    Layer_Dense,
    Layer_Dropout,
    Loss_BinaryCrossentropy,
    Loss_CategoricalCrossentropy,
    Loss_MeanAbsoluteError,
    Loss_MeanSquaredError,
)

NAN_INPUTS = np.array([[1.0, 2.0, 3.0], [4.0, np.nan, 6.0]])
INF_INPUTS = np.array([[1.0, 2.0, np.inf], [4.0, 5.0, 6.0]])
LAYER = "Layer_Dense(3, 4)"

# (case, call on a Layer_Dense(3, 4, check_finite=True) after one good pass, error, phrases)
DENSE_CASES = [
    ("wrong input width", lambda d: d.forward(np.ones((2, 5))), ValueError,
     [LAYER, "inputs", "(n_samples, 3)", "got shape (2, 5)"]),
    ("1-D inputs", lambda d: d.forward(np.ones(3)), ValueError,
     [LAYER, "inputs", "2-D", "got a 1-D array of shape (3,)", "reshape(1, -1)"]),
    ("3-D inputs", lambda d: d.forward(np.ones((2, 3, 1))), ValueError,
     [LAYER, "inputs", "2-D", "got a 3-D array of shape (2, 3, 1)"]),
    ("NaN in inputs", lambda d: d.forward(NAN_INPUTS), ValueError,
     [LAYER, "inputs", "1 non-finite", "nan at index (1, 1)"]),
    ("inf in inputs", lambda d: d.forward(INF_INPUTS), ValueError,
     [LAYER, "inputs", "1 non-finite", "inf at index (0, 2)"]),
    ("dvalues of the wrong shape", lambda d: d.backward(np.ones((2, 3))), ValueError,
     [LAYER, "dvalues", "(2, 4)", "got (2, 3)"]),
    ("text inputs", lambda d: d.forward(np.array([["a", "b", "c"]])), TypeError,
     [LAYER, "inputs", "real numbers", "<U1"]),
]  # fmt: skip


def snapshot(layer):
    return {
        name: getattr(layer, name).copy()
        for name in ("weights", "biases", "dweights", "dbiases", "dinputs", "output")
    }


@pytest.mark.parametrize(
    ("call", "error", "phrases"), [c[1:] for c in DENSE_CASES], ids=[c[0] for c in DENSE_CASES]
)
def test_dense_layer_refuses_bad_input_and_keeps_its_state(call, error, phrases):
    layer = Layer_Dense(3, 4, check_finite=True, rng=np.random.default_rng(0))
    layer.forward(np.ones((2, 3)))
    layer.backward(np.ones((2, 4)))
    before = snapshot(layer)
    with pytest.raises(error) as raised:
        call(layer)
    for phrase in phrases:
        assert phrase in str(raised.value), f"{phrase!r} not in: {raised.value}"
    after = snapshot(layer)
    for name, value in before.items():
        np.testing.assert_array_equal(after[name], value, err_msg=f"{name} changed")


def test_nan_inputs_pass_without_check_finite_as_in_the_book():
    layer = Layer_Dense(3, 4, rng=np.random.default_rng(0))
    assert np.isnan(layer.forward(NAN_INPUTS)).any()


LAYERS_WITHOUT_WEIGHTS = [
    ("Activation_ReLU()", Activation_ReLU),
    ("Activation_Softmax()", Activation_Softmax),
    ("Activation_Sigmoid()", Activation_Sigmoid),
    ("Activation_Linear()", Activation_Linear),
    ("Activation_Tanh()", Activation_Tanh),
    ("Activation_LeakyReLU(alpha=0.01)", Activation_LeakyReLU),
    ("Layer_Dropout(0.5)", lambda: Layer_Dropout(0.5, rng=np.random.default_rng(0))),
]
ALL_LAYERS = [
    *LAYERS_WITHOUT_WEIGHTS,
    ("Layer_Dense(3, 3)", lambda: Layer_Dense(3, 3, rng=np.random.default_rng(0))),
]


@pytest.mark.parametrize(("name", "make_layer"), ALL_LAYERS, ids=[c[0] for c in ALL_LAYERS])
def test_backward_before_forward(name, make_layer):
    layer = make_layer()
    with pytest.raises(RuntimeError) as raised:
        layer.backward(np.ones((2, 3)))
    message = str(raised.value)
    assert name in message and "backward() was called before forward()" in message


@pytest.mark.parametrize(
    ("name", "make_layer"), LAYERS_WITHOUT_WEIGHTS, ids=[c[0] for c in LAYERS_WITHOUT_WEIGHTS]
)
def test_dvalues_of_the_wrong_shape(name, make_layer):
    layer = make_layer()
    layer.forward(np.ones((2, 3)))
    output = layer.output.copy()
    with pytest.raises(ValueError) as raised:
        layer.backward(np.ones((3, 2)))
    message = str(raised.value)
    for phrase in (name, "dvalues", "(2, 3)", "got (3, 2)"):
        assert phrase in message, f"{phrase!r} not in: {message}"
    np.testing.assert_array_equal(layer.output, output)


PROBABILITIES = np.full((4, 3), 1 / 3)
CCE = "Loss_CategoricalCrossentropy()"
COMBINED = "Activation_Softmax_Loss_CategoricalCrossentropy()"
LABEL_CASES = [
    ("label too large", np.array([0, 1, 3, 0]), ValueError,
     ["labels must be in [0, 3)", "from 0 to 3"]),
    ("negative label", np.array([0, -1, 2, 0]), ValueError,
     ["labels must be in [0, 3)", "from -1 to 2"]),
    ("too few labels", np.array([0, 1, 2]), ValueError,
     ["4 predictions but 3 labels", "(3,)"]),
    ("one-hot of the wrong width", np.eye(2)[[0, 1, 1, 0]], ValueError,
     ["one-hot y_true", "(4, 3)", "got (4, 2)"]),
    ("3-D labels", np.zeros((4, 3, 1), dtype=int), ValueError,
     ["class indices (shape (4,))", "one-hot rows (shape (4, 3))", "got shape (4, 3, 1)"]),
    ("float labels", np.array([0.0, 1.0, 2.0, 0.0]), TypeError,
     ["labels must be integers", "float64", "astype(int)"]),
]  # fmt: skip
LABEL_CALLS = [
    ("cce forward", CCE, lambda y: Loss_CategoricalCrossentropy().calculate(PROBABILITIES, y)),
    ("cce backward", CCE, lambda y: Loss_CategoricalCrossentropy().backward(PROBABILITIES, y)),
    # The combined forward's message comes from its inner Loss_CategoricalCrossentropy
    ("combined forward", "CategoricalCrossentropy()",
     lambda y: Activation_Softmax_Loss_CategoricalCrossentropy().forward(PROBABILITIES, y)),
    ("combined backward", COMBINED,
     lambda y: Activation_Softmax_Loss_CategoricalCrossentropy().backward(PROBABILITIES, y)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("where", "call"), [c[1:] for c in LABEL_CALLS], ids=[c[0] for c in LABEL_CALLS]
)
@pytest.mark.parametrize(
    ("labels", "error", "phrases"), [c[1:] for c in LABEL_CASES], ids=[c[0] for c in LABEL_CASES]
)
def test_categorical_labels_out_of_range_or_of_the_wrong_shape(where, call, labels, error, phrases):
    with pytest.raises(error) as raised:
        call(labels)
    message = str(raised.value)
    for phrase in (where, *phrases):
        assert phrase in message, f"{phrase!r} not in: {message}"


TARGET_LOSSES = [Loss_BinaryCrossentropy, Loss_MeanSquaredError, Loss_MeanAbsoluteError]


@pytest.mark.parametrize("make_loss", TARGET_LOSSES)
@pytest.mark.parametrize("method", ["forward", "backward"])
def test_1d_targets_against_a_column_of_predictions(make_loss, method):
    loss = make_loss()
    with pytest.raises(ValueError) as raised:
        getattr(loss, method)(np.full((4, 1), 0.5), np.array([0.0, 1.0, 1.0, 0.0]))
    message = str(raised.value)
    for phrase in (f"{make_loss.__name__}()", "y_true", "(4, 1)", "got (4,)", "reshape(-1, 1)"):
        assert phrase in message, f"{phrase!r} not in: {message}"


@pytest.mark.parametrize("make_loss", [*TARGET_LOSSES, Loss_CategoricalCrossentropy])
def test_1d_predictions_for_a_loss(make_loss):
    with pytest.raises(ValueError) as raised:
        make_loss().forward(np.full(4, 0.5), np.zeros(4, dtype=int))
    message = str(raised.value)
    for phrase in (f"{make_loss.__name__}()", "predictions", "2-D", "(4,)"):
        assert phrase in message, f"{phrase!r} not in: {message}"


# (case, constructor call, error, phrases)
CONSTRUCTOR_CASES = [
    ("dropout rate 1", lambda: Layer_Dropout(1.0), ValueError,
     ["Layer_Dropout", "rate", "[0, 1)", "1.0"]),
    ("dropout rate below 0", lambda: Layer_Dropout(-0.1), ValueError,
     ["Layer_Dropout", "rate", "-0.1"]),
    ("dropout rate NaN", lambda: Layer_Dropout(float("nan")), ValueError,
     ["Layer_Dropout", "rate", "nan"]),
    ("dropout rate text", lambda: Layer_Dropout("0.1"), TypeError,
     ["Layer_Dropout", "rate", "'0.1'"]),
    ("dropout rate None", lambda: Layer_Dropout(None), TypeError,
     ["Layer_Dropout", "rate", "None"]),
    ("dropout rate bool", lambda: Layer_Dropout(True), TypeError,
     ["Layer_Dropout", "rate", "True"]),
    ("negative weight L1", lambda: Layer_Dense(2, 3, weight_regularizer_l1=-1), ValueError,
     ["Layer_Dense(2, 3)", "weight_regularizer_l1", ">= 0", "-1"]),
    ("negative weight L2", lambda: Layer_Dense(2, 3, weight_regularizer_l2=-5e-4), ValueError,
     ["Layer_Dense(2, 3)", "weight_regularizer_l2", "-0.0005"]),
    ("negative bias L1", lambda: Layer_Dense(2, 3, bias_regularizer_l1=-0.1), ValueError,
     ["Layer_Dense(2, 3)", "bias_regularizer_l1", "-0.1"]),
    ("negative bias L2", lambda: Layer_Dense(2, 3, 0, 0, 0, -2), ValueError,
     ["Layer_Dense(2, 3)", "bias_regularizer_l2", "-2"]),
    ("regularizer NaN", lambda: Layer_Dense(2, 3, weight_regularizer_l2=float("nan")), ValueError,
     ["Layer_Dense(2, 3)", "weight_regularizer_l2", "nan"]),
    ("regularizer text", lambda: Layer_Dense(2, 3, weight_regularizer_l2="5e-4"), TypeError,
     ["Layer_Dense(2, 3)", "weight_regularizer_l2", "'5e-4'"]),
    ("float size", lambda: Layer_Dense(2.0, 3), TypeError,
     ["Layer_Dense(2.0, 3)", "n_inputs", "positive whole number", "2.0 (float)"]),
    ("text size", lambda: Layer_Dense(2, "3"), TypeError, ["n_neurons", "'3' (str)"]),
    ("bool size", lambda: Layer_Dense(True, 3), TypeError, ["n_inputs", "True (bool)"]),
    ("zero size", lambda: Layer_Dense(0, 3), ValueError,
     ["Layer_Dense(0, 3)", "n_inputs", "got 0"]),
    ("negative size", lambda: Layer_Dense(2, -3), ValueError,
     ["Layer_Dense(2, -3)", "n_neurons", "got -3"]),
    ("unknown initializer", lambda: Layer_Dense(2, 3, weight_initializer="xavier"), ValueError,
     ["Layer_Dense(2, 3)", "weight_initializer", "'book', 'he', 'glorot'", "'xavier'"]),
    ("negative LeakyReLU alpha", lambda: Activation_LeakyReLU(-0.1), ValueError,
     ["Activation_LeakyReLU", "alpha", "-0.1"]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("call", "error", "phrases"),
    [c[1:] for c in CONSTRUCTOR_CASES],
    ids=[c[0] for c in CONSTRUCTOR_CASES],
)
def test_constructor_refuses_bad_arguments_before_drawing_weights(call, error, phrases):
    np.random.seed(0)
    _, key, position, *_ = np.random.get_state()
    with pytest.raises(error) as raised:
        call()
    message = str(raised.value)
    for phrase in phrases:
        assert phrase in message, f"{phrase!r} not in: {message}"
    _, key_after, position_after, *_ = np.random.get_state()
    assert position_after == position
    np.testing.assert_array_equal(key_after, key)
