"""The gradient checker itself: it passes right gradients, catches wrong ones, explains
itself, and leaves the checked objects and the global random stream exactly as they were."""

import numpy as np
import pytest

from nnlite import (
    Activation_ReLU,
    Activation_Softmax,
    Activation_Softmax_Loss_CategoricalCrossentropy,
    Activation_Tanh,
    Layer_Dense,
    Layer_Dropout,
    Layer_Input,
    Loss_CategoricalCrossentropy,
    Loss_MeanSquaredError,
    accumulate_gradients,
)
from nnlite.gradcheck import GradientCheckError, GradientReport, check_gradients

RNG = np.random.default_rng(21)
INPUTS = RNG.uniform(-2, 2, (5, 3))
LABELS = np.array([0, 2, 1, 1, 0])


def dense(n_inputs=3, n_neurons=4, seed=1, **regularizers):
    rng = np.random.default_rng(seed)
    layer = Layer_Dense(n_inputs, n_neurons, **regularizers, weight_initializer="he", rng=rng)
    layer.biases = rng.uniform(0.1, 1, (1, n_neurons))
    return layer


class Dense_Without_Regularization_Gradient(Layer_Dense):
    """A common mistake: the penalty is in the loss but its gradient is forgotten."""

    def backward(self, dvalues):
        self.dweights = np.dot(self.inputs.T, dvalues)
        self.dbiases = np.sum(dvalues, axis=0, keepdims=True)
        self.dinputs = np.dot(dvalues, self.weights.T)
        return self.dinputs


class Softmax_With_A_Transposed_Jacobian_Bug(Activation_Softmax):
    """Another: ``dinputs = dvalues · s`` instead of the Jacobian product."""

    def backward(self, dvalues):
        self.dinputs = dvalues * self.output
        return self.dinputs


class Book_Style_Dense:
    """A learner's own chapter 9 layer: no nnlite base class, forward(inputs) only."""

    def __init__(self, weights, biases):
        self.weights, self.biases = weights, biases

    def forward(self, inputs):
        self.inputs = inputs
        self.output = np.dot(inputs, self.weights) + self.biases

    def backward(self, dvalues):
        self.dweights = np.dot(self.inputs.T, dvalues)
        self.dbiases = np.sum(dvalues, axis=0, keepdims=True)
        self.dinputs = np.dot(dvalues, self.weights.T)


def test_a_right_layer_passes_with_one_row_per_gradient():
    report = check_gradients(dense(weight_regularizer_l2=0.1), INPUTS)
    assert isinstance(report, GradientReport)
    assert report.passed
    assert list(report.errors) == ["dweights", "dbiases", "dinputs"]
    assert max(report.errors.values()) < 1e-6
    report.raise_if_failed()
    text = str(report)
    assert "Gradient check of Layer_Dense(3, 4) in float64" in text
    assert "worst relative error" in text
    assert "All 3 gradients agree with finite differences." in text


def test_a_forgotten_regularization_gradient_is_caught_and_explained():
    layer = Dense_Without_Regularization_Gradient(3, 4, weight_regularizer_l2=0.5)
    report = check_gradients(layer, INPUTS)
    assert not report.passed
    assert not report["dweights"].passed
    assert report["dinputs"].passed and report["dbiases"].passed
    index = report["dweights"].worst_index
    with pytest.raises(GradientCheckError) as raised:
        report.raise_if_failed()
    message = str(raised.value)
    assert f"dweights is wrong at index {index}" in message
    assert f"backward() gives {report['dweights'].analytic[index]:.10g}" in message
    assert f"= {report['dweights'].numeric[index]:.10g}" in message
    assert "(f(v + ε) - f(v - ε)) / (2ε)" in message
    assert "FAILED" in str(report)


def test_a_wrong_activation_backward_is_caught():
    report = check_gradients(Softmax_With_A_Transposed_Jacobian_Bug(), INPUTS)
    assert report.errors["dinputs"] > 1e-2


def test_a_kink_fails_and_the_explanation_names_it():
    # ReLU at exactly 0: backward says 0, finite differences see half the slope
    report = check_gradients(Activation_ReLU(), np.array([[0.0, 1.0], [-1.0, 2.0]]))
    assert not report.passed
    assert report["dinputs"].worst_index == (0, 0)
    assert "kink" in report["dinputs"].explain(report.epsilon)


def test_the_checked_objects_are_left_untouched():
    layer = dense()
    layer.weights = layer.weights.astype(np.float32)
    weights, biases = layer.weights, layer.biases.copy()
    weights_copy = weights.copy()
    dropout = Layer_Dropout(0.3, rng=np.random.default_rng(4))
    rng_state = dropout.rng.bit_generator.state
    inputs = INPUTS.astype(np.float32)
    inputs_copy = inputs.copy()
    np.random.seed(9)
    global_state = np.random.get_state()

    check_gradients([layer, Activation_ReLU(), dropout], inputs)
    check_gradients([layer, Layer_Dropout(0.5)], inputs)  # draws from the global stream

    assert layer.weights is weights and layer.weights.dtype == np.float32
    np.testing.assert_array_equal(layer.weights, weights_copy)
    np.testing.assert_array_equal(layer.biases, biases)
    np.testing.assert_array_equal(inputs, inputs_copy)
    assert not hasattr(layer, "dweights") and layer.inputs is None
    assert dropout.rng.bit_generator.state == rng_state
    _, key, position, *_ = np.random.get_state()
    assert position == global_state[2]
    np.testing.assert_array_equal(key, global_state[1])


def test_dropout_drawing_from_the_global_stream_passes():
    np.random.seed(0)
    report = check_gradients([dense(), Layer_Dropout(0.4)], INPUTS)
    assert report.passed, str(report)


def test_a_float32_layer_and_inputs_are_checked_in_float64():
    layer = Layer_Dense(3, 4, dtype=np.float32, rng=np.random.default_rng(0))
    report = check_gradients(layer, INPUTS.astype(np.float32))
    assert report.passed, str(report)
    assert all(c.analytic.dtype == np.float64 for c in report.comparisons)


def test_a_small_network_ending_with_the_combined_loss():
    network = [
        Layer_Input(),
        dense(3, 6, weight_regularizer_l1=1e-3, bias_regularizer_l2=1e-2),
        Activation_Tanh(),
        dense(6, 3, seed=2),
        Activation_Softmax_Loss_CategoricalCrossentropy(),
    ]
    report = check_gradients(network, INPUTS, LABELS)
    assert report.passed, str(report)
    assert list(report.errors) == [
        "layers[1] Layer_Dense(3, 6): dweights",
        "layers[1] Layer_Dense(3, 6): dbiases",
        "layers[3] Layer_Dense(6, 3): dweights",
        "layers[3] Layer_Dense(6, 3): dbiases",
        "dinputs",
    ]
    assert "f = mean loss" in str(report)


def test_the_books_initialization_with_tiny_gradients_passes():
    # 0.01 · randn makes the first layer's gradients ~1e-5, close to what rounding in the
    # loss lets finite differences resolve: the resolution keeps this from a false failure
    np.random.seed(0)
    network = [
        Layer_Dense(3, 16),
        Activation_Tanh(),
        Layer_Dense(16, 3),
        Activation_Softmax_Loss_CategoricalCrossentropy(),
    ]
    report = check_gradients(network, INPUTS, LABELS)
    assert report.passed, str(report)
    assert report.resolution < 1e-9


def test_a_network_ending_with_softmax_and_a_separate_loss():
    network = [dense(3, 3), Activation_Softmax(), Loss_CategoricalCrossentropy()]
    assert check_gradients(network, INPUTS, LABELS).passed


def test_a_learners_own_book_style_layer():
    layer = Book_Style_Dense(RNG.normal(size=(3, 2)), RNG.normal(size=(1, 2)))
    report = check_gradients([layer, Loss_MeanSquaredError()], INPUTS, np.ones((5, 2)))
    assert report.passed, str(report)


class Lookup:
    """A minimal embedding: integer ids pick rows of ``weights``; ids have no gradient."""

    def __init__(self, weights):
        self.weights = weights

    def __repr__(self):
        return "Lookup()"

    def forward(self, inputs):
        self.inputs = inputs
        self.output = self.weights[inputs]

    def backward(self, dvalues):
        self.dweights = np.zeros_like(self.weights)
        np.add.at(self.dweights, self.inputs, dvalues)
        self.dinputs = None


def test_integer_inputs_are_used_as_they_are_and_have_no_dinputs():
    report = check_gradients(
        [Lookup(RNG.normal(size=(6, 3))), Activation_Tanh()], np.array([1, 4, 4, 0])
    )
    assert report.passed, str(report)
    assert list(report.errors) == ["layers[0] Lookup(): dweights"]


def test_a_layer_accumulating_gradients_is_checked_on_one_pass():
    layer = dense()
    layer.forward(INPUTS)
    layer.backward(np.ones((5, 4)))
    with accumulate_gradients([layer]):
        assert check_gradients(layer, INPUTS).passed


@pytest.mark.parametrize(
    ("subject", "y", "error", "phrase"),
    [
        (Loss_MeanSquaredError(), None, TypeError, "needs the targets y"),
        (Activation_ReLU(), np.ones((5, 3)), TypeError, "y was given"),
        ([Loss_MeanSquaredError(), Activation_ReLU()], None, ValueError, "only come last"),
        ([], None, ValueError, "empty list"),
    ],
    ids=["loss without y", "y without a loss", "loss in the middle", "no layers"],
)
def test_misuse_is_explained(subject, y, error, phrase):
    with pytest.raises(error, match=phrase):
        check_gradients(subject, INPUTS, y)


def test_report_lookup_and_notebook_display():
    report = check_gradients(Activation_Tanh(), INPUTS)
    assert report["dinputs"].quantity == "dinputs"
    with pytest.raises(KeyError, match="dweights"):
        report["dweights"]

    class Printer:
        def text(self, text):
            self.shown = text

    printer = Printer()
    report._repr_pretty_(printer, cycle=False)
    assert printer.shown == str(report)


@pytest.mark.slow  # a subprocess
def test_under_nnfs_init_the_checker_says_why_it_cannot_check(tmp_path):
    import subprocess
    import sys

    script = tmp_path / "check_after_init.py"
    script.write_text(
        "import nnfs, numpy as np\n"
        "from nnlite import Layer_Dense, check_gradients\n"
        "nnfs.init()\n"
        "try:\n"
        "    check_gradients(Layer_Dense(2, 3), np.ones((4, 2)))\n"
        "except RuntimeError as error:\n"
        "    print(error)\n"
    )
    result = subprocess.run([sys.executable, str(script)], capture_output=True, text=True)
    assert "nnfs.init() makes np.dot compute in float64 and round to float32" in result.stdout


def test_a_models_first_layer_is_checked_with_its_input_gradient():
    layer = Layer_Dense(2, 3, rng=np.random.default_rng(0))
    layer.needs_dinputs = False  # as Model.finalize sets it for the first layer
    report = check_gradients(layer, np.random.default_rng(1).normal(size=(4, 2)))
    assert report.passed and layer.needs_dinputs is False
