"""Book pickles: importing models and parameters saved by the book's own code, and nothing else.

The reference is the book's chapter 22 classes, written out in ``BOOK_SCRIPT`` and run as
``__main__`` in a subprocess, so that their pickles name ``__main__.Model``,
``__main__.Layer_Dense``, ... exactly as a book script's do. The script trains, saves with the
book's ``save`` and ``save_parameters``, then keeps training from a known global random state
and writes the resulting weights: nnlite, continuing from the imported model in the same
state, must reach the same weights to the bit.

This file never unpickles anything itself: it only writes pickles (``pickle.dumps``) to show
that nnlite refuses the malicious ones without running them.
"""

import os
import pickle
import subprocess
import sys

import numpy as np
import pytest

from nnlite import (
    Accuracy_Categorical,
    Accuracy_Regression,
    Activation_ReLU,
    Activation_Softmax,
    Layer_Dense,
    Layer_Dropout,
    Loss_CategoricalCrossentropy,
    Loss_MeanSquaredError,
    Optimizer_Adam,
    Optimizer_SGD,
)
from nnlite.files.book_pickle import load_book_parameters
from nnlite.training.book_models import load_book_model
from nnlite.training.checkpoints import load_checkpoint
from nnlite.training.model import Model

# The book's chapter 22 classes (the parts these tests use), as the book writes them
BOOK_SCRIPT = r'''
import copy
import pickle
import sys

import numpy as np


class Layer_Dense:
    def __init__(self, n_inputs, n_neurons, weight_regularizer_l1=0, weight_regularizer_l2=0,
                 bias_regularizer_l1=0, bias_regularizer_l2=0):
        self.weights = 0.01 * np.random.randn(n_inputs, n_neurons)
        self.biases = np.zeros((1, n_neurons))
        self.weight_regularizer_l1 = weight_regularizer_l1
        self.weight_regularizer_l2 = weight_regularizer_l2
        self.bias_regularizer_l1 = bias_regularizer_l1
        self.bias_regularizer_l2 = bias_regularizer_l2

    def forward(self, inputs, training):
        self.inputs = inputs
        self.output = np.dot(inputs, self.weights) + self.biases

    def backward(self, dvalues):
        self.dweights = np.dot(self.inputs.T, dvalues)
        self.dbiases = np.sum(dvalues, axis=0, keepdims=True)
        if self.weight_regularizer_l1 > 0:
            dL1 = np.ones_like(self.weights)
            dL1[self.weights < 0] = -1
            self.dweights += self.weight_regularizer_l1 * dL1
        if self.weight_regularizer_l2 > 0:
            self.dweights += 2 * self.weight_regularizer_l2 * self.weights
        if self.bias_regularizer_l1 > 0:
            dL1 = np.ones_like(self.biases)
            dL1[self.biases < 0] = -1
            self.dbiases += self.bias_regularizer_l1 * dL1
        if self.bias_regularizer_l2 > 0:
            self.dbiases += 2 * self.bias_regularizer_l2 * self.biases
        self.dinputs = np.dot(dvalues, self.weights.T)

    def get_parameters(self):
        return self.weights, self.biases


class Layer_Dropout:
    def __init__(self, rate):
        self.rate = 1 - rate

    def forward(self, inputs, training):
        self.inputs = inputs
        if not training:
            self.output = inputs.copy()
            return
        self.binary_mask = np.random.binomial(1, self.rate, size=inputs.shape) / self.rate
        self.output = inputs * self.binary_mask

    def backward(self, dvalues):
        self.dinputs = dvalues * self.binary_mask


class Layer_Input:
    def forward(self, inputs, training):
        self.output = inputs


class Activation_ReLU:
    def forward(self, inputs, training):
        self.inputs = inputs
        self.output = np.maximum(0, inputs)

    def backward(self, dvalues):
        self.dinputs = dvalues.copy()
        self.dinputs[self.inputs <= 0] = 0

    def predictions(self, outputs):
        return outputs


class Activation_Softmax:
    def forward(self, inputs, training):
        self.inputs = inputs
        exp_values = np.exp(inputs - np.max(inputs, axis=1, keepdims=True))
        self.output = exp_values / np.sum(exp_values, axis=1, keepdims=True)

    def predictions(self, outputs):
        return np.argmax(outputs, axis=1)


class Activation_Linear:
    def forward(self, inputs, training):
        self.inputs = inputs
        self.output = inputs

    def backward(self, dvalues):
        self.dinputs = dvalues.copy()

    def predictions(self, outputs):
        return outputs


class Optimizer_SGD:
    def __init__(self, learning_rate=1., decay=0., momentum=0.):
        self.learning_rate = learning_rate
        self.current_learning_rate = learning_rate
        self.decay = decay
        self.iterations = 0
        self.momentum = momentum

    def pre_update_params(self):
        if self.decay:
            self.current_learning_rate = self.learning_rate * \
                (1. / (1. + self.decay * self.iterations))

    def update_params(self, layer):
        if self.momentum:
            if not hasattr(layer, 'weight_momentums'):
                layer.weight_momentums = np.zeros_like(layer.weights)
                layer.bias_momentums = np.zeros_like(layer.biases)
            weight_updates = self.momentum * layer.weight_momentums - \
                self.current_learning_rate * layer.dweights
            layer.weight_momentums = weight_updates
            bias_updates = self.momentum * layer.bias_momentums - \
                self.current_learning_rate * layer.dbiases
            layer.bias_momentums = bias_updates
        else:
            weight_updates = -self.current_learning_rate * layer.dweights
            bias_updates = -self.current_learning_rate * layer.dbiases
        layer.weights += weight_updates
        layer.biases += bias_updates

    def post_update_params(self):
        self.iterations += 1


class Optimizer_Adam:
    def __init__(self, learning_rate=0.001, decay=0., epsilon=1e-7, beta_1=0.9, beta_2=0.999):
        self.learning_rate = learning_rate
        self.current_learning_rate = learning_rate
        self.decay = decay
        self.iterations = 0
        self.epsilon = epsilon
        self.beta_1 = beta_1
        self.beta_2 = beta_2

    def pre_update_params(self):
        if self.decay:
            self.current_learning_rate = self.learning_rate * \
                (1. / (1. + self.decay * self.iterations))

    def update_params(self, layer):
        if not hasattr(layer, 'weight_cache'):
            layer.weight_momentums = np.zeros_like(layer.weights)
            layer.weight_cache = np.zeros_like(layer.weights)
            layer.bias_momentums = np.zeros_like(layer.biases)
            layer.bias_cache = np.zeros_like(layer.biases)
        layer.weight_momentums = self.beta_1 * layer.weight_momentums + \
            (1 - self.beta_1) * layer.dweights
        layer.bias_momentums = self.beta_1 * layer.bias_momentums + \
            (1 - self.beta_1) * layer.dbiases
        weight_momentums_corrected = layer.weight_momentums / \
            (1 - self.beta_1 ** (self.iterations + 1))
        bias_momentums_corrected = layer.bias_momentums / \
            (1 - self.beta_1 ** (self.iterations + 1))
        layer.weight_cache = self.beta_2 * layer.weight_cache + \
            (1 - self.beta_2) * layer.dweights**2
        layer.bias_cache = self.beta_2 * layer.bias_cache + \
            (1 - self.beta_2) * layer.dbiases**2
        weight_cache_corrected = layer.weight_cache / \
            (1 - self.beta_2 ** (self.iterations + 1))
        bias_cache_corrected = layer.bias_cache / \
            (1 - self.beta_2 ** (self.iterations + 1))
        layer.weights += -self.current_learning_rate * weight_momentums_corrected / \
            (np.sqrt(weight_cache_corrected) + self.epsilon)
        layer.biases += -self.current_learning_rate * bias_momentums_corrected / \
            (np.sqrt(bias_cache_corrected) + self.epsilon)

    def post_update_params(self):
        self.iterations += 1


class Loss:
    def regularization_loss(self):
        regularization_loss = 0
        for layer in self.trainable_layers:
            if layer.weight_regularizer_l1 > 0:
                regularization_loss += layer.weight_regularizer_l1 * \
                    np.sum(np.abs(layer.weights))
            if layer.weight_regularizer_l2 > 0:
                regularization_loss += layer.weight_regularizer_l2 * \
                    np.sum(layer.weights * layer.weights)
            if layer.bias_regularizer_l1 > 0:
                regularization_loss += layer.bias_regularizer_l1 * \
                    np.sum(np.abs(layer.biases))
            if layer.bias_regularizer_l2 > 0:
                regularization_loss += layer.bias_regularizer_l2 * \
                    np.sum(layer.biases * layer.biases)
        return regularization_loss

    def remember_trainable_layers(self, trainable_layers):
        self.trainable_layers = trainable_layers

    def calculate(self, output, y, *, include_regularization=False):
        sample_losses = self.forward(output, y)
        data_loss = np.mean(sample_losses)
        self.accumulated_sum += np.sum(sample_losses)
        self.accumulated_count += len(sample_losses)
        if not include_regularization:
            return data_loss
        return data_loss, self.regularization_loss()

    def new_pass(self):
        self.accumulated_sum = 0
        self.accumulated_count = 0


class Loss_CategoricalCrossentropy(Loss):
    def forward(self, y_pred, y_true):
        samples = len(y_pred)
        y_pred_clipped = np.clip(y_pred, 1e-7, 1 - 1e-7)
        correct_confidences = y_pred_clipped[range(samples), y_true]
        return -np.log(correct_confidences)


class Loss_MeanSquaredError(Loss):
    def forward(self, y_pred, y_true):
        return np.mean((y_true - y_pred)**2, axis=-1)

    def backward(self, dvalues, y_true):
        samples = len(dvalues)
        outputs = len(dvalues[0])
        self.dinputs = -2 * (y_true - dvalues) / outputs
        self.dinputs = self.dinputs / samples


class Activation_Softmax_Loss_CategoricalCrossentropy():
    def backward(self, dvalues, y_true):
        samples = len(dvalues)
        self.dinputs = dvalues.copy()
        self.dinputs[range(samples), y_true] -= 1
        self.dinputs = self.dinputs / samples


class Accuracy:
    def calculate(self, predictions, y):
        comparisons = self.compare(predictions, y)
        accuracy = np.mean(comparisons)
        self.accumulated_sum += np.sum(comparisons)
        self.accumulated_count += len(comparisons)
        return accuracy

    def new_pass(self):
        self.accumulated_sum = 0
        self.accumulated_count = 0


class Accuracy_Categorical(Accuracy):
    def __init__(self, *, binary=False):
        self.binary = binary

    def init(self, y):
        pass

    def compare(self, predictions, y):
        return predictions == y


class Accuracy_Regression(Accuracy):
    def __init__(self):
        self.precision = None

    def init(self, y, reinit=False):
        if self.precision is None or reinit:
            self.precision = np.std(y) / 250

    def compare(self, predictions, y):
        return np.absolute(predictions - y) < self.precision


class Model:
    def __init__(self):
        self.layers = []
        self.softmax_classifier_output = None

    def add(self, layer):
        self.layers.append(layer)

    def set(self, *, loss=None, optimizer=None, accuracy=None):
        if loss is not None:
            self.loss = loss
        if optimizer is not None:
            self.optimizer = optimizer
        if accuracy is not None:
            self.accuracy = accuracy

    def finalize(self):
        self.input_layer = Layer_Input()
        layer_count = len(self.layers)
        self.trainable_layers = []
        for i in range(layer_count):
            if i == 0:
                self.layers[i].prev = self.input_layer
                self.layers[i].next = self.layers[i+1]
            elif i < layer_count - 1:
                self.layers[i].prev = self.layers[i-1]
                self.layers[i].next = self.layers[i+1]
            else:
                self.layers[i].prev = self.layers[i-1]
                self.layers[i].next = self.loss
                self.output_layer_activation = self.layers[i]
            if hasattr(self.layers[i], 'weights'):
                self.trainable_layers.append(self.layers[i])
        if self.loss is not None:
            self.loss.remember_trainable_layers(self.trainable_layers)
        if isinstance(self.layers[-1], Activation_Softmax) and \
           isinstance(self.loss, Loss_CategoricalCrossentropy):
            self.softmax_classifier_output = \
                Activation_Softmax_Loss_CategoricalCrossentropy()

    def train(self, X, y, *, epochs=1):
        self.accuracy.init(y)
        for epoch in range(1, epochs+1):
            self.loss.new_pass()
            self.accuracy.new_pass()
            output = self.forward(X, training=True)
            data_loss, regularization_loss = self.loss.calculate(
                output, y, include_regularization=True)
            predictions = self.output_layer_activation.predictions(output)
            self.accuracy.calculate(predictions, y)
            self.backward(output, y)
            self.optimizer.pre_update_params()
            for layer in self.trainable_layers:
                self.optimizer.update_params(layer)
            self.optimizer.post_update_params()

    def forward(self, X, training):
        self.input_layer.forward(X, training)
        for layer in self.layers:
            layer.forward(layer.prev.output, training)
        return layer.output

    def backward(self, output, y):
        if self.softmax_classifier_output is not None:
            self.softmax_classifier_output.backward(output, y)
            self.layers[-1].dinputs = self.softmax_classifier_output.dinputs
            for layer in reversed(self.layers[:-1]):
                layer.backward(layer.next.dinputs)
            return
        self.loss.backward(output, y)
        for layer in reversed(self.layers):
            layer.backward(layer.next.dinputs)

    def get_parameters(self):
        return [layer.get_parameters() for layer in self.trainable_layers]

    def save_parameters(self, path):
        with open(path, 'wb') as f:
            pickle.dump(self.get_parameters(), f)

    def save(self, path):
        model = copy.deepcopy(self)
        model.loss.new_pass()
        model.accuracy.new_pass()
        model.input_layer.__dict__.pop('output', None)
        model.loss.__dict__.pop('dinputs', None)
        for layer in model.layers:
            for property in ['inputs', 'output', 'dinputs', 'dweights', 'dbiases']:
                layer.__dict__.pop(property, None)
        with open(path, 'wb') as f:
            pickle.dump(model, f)


def classifier(optimizer):
    np.random.seed(0)
    X = np.random.randn(60, 2)
    y = (np.arange(60) % 3).astype(np.int64)
    X[y == 1] += 2.0
    X[y == 2] -= 2.0
    model = Model()
    model.add(Layer_Dense(2, 16, weight_regularizer_l2=5e-4, bias_regularizer_l2=5e-4))
    model.add(Activation_ReLU())
    model.add(Layer_Dropout(0.1))
    model.add(Layer_Dense(16, 3))
    model.add(Activation_Softmax())
    model.set(loss=Loss_CategoricalCrossentropy(), optimizer=optimizer,
              accuracy=Accuracy_Categorical())
    return model, X, y


def regression():
    np.random.seed(0)
    X = np.linspace(0, 1, 50).reshape(-1, 1)
    y = np.sin(2 * np.pi * X)
    model = Model()
    model.add(Layer_Dense(1, 8))
    model.add(Activation_ReLU())
    model.add(Layer_Dense(8, 1))
    model.add(Activation_Linear())
    model.set(loss=Loss_MeanSquaredError(), optimizer=Optimizer_Adam(learning_rate=0.01),
              accuracy=Accuracy_Regression())
    return model, X, y


class Layer_Conv2D:
    """A class the book does not have."""


class Payload:
    """What a malicious pickle carries: unpickling it runs a shell command."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        import os
        return (os.system, ("touch " + self.marker,))


out = sys.argv[2]
if sys.argv[1] in ("evil", "conv"):
    # A book Model with something else among its layers (pickled directly: deepcopy would run
    # the payload)
    model = Model()
    model.add(Layer_Dense(2, 4))
    model.add(Payload(sys.argv[3]) if sys.argv[1] == "evil" else Layer_Conv2D())
    with open(out + "/" + sys.argv[1] + ".model", "wb") as f:
        pickle.dump(model, f)
    sys.exit()
if sys.argv[1] == "adam":
    model, X, y = classifier(Optimizer_Adam(learning_rate=0.05, decay=5e-3))
elif sys.argv[1] == "sgd":
    model, X, y = classifier(Optimizer_SGD(learning_rate=0.5, decay=1e-2, momentum=0.9))
else:
    model, X, y = regression()
model.finalize()
model.train(X, y, epochs=15)
model.save(out + "/book.model")
model.save_parameters(out + "/book.parms")
np.save(out + "/X.npy", X)
np.save(out + "/y.npy", y)
np.save(out + "/predictions.npy", model.forward(X, training=False))
# Go on from a known global random state (the dropout masks come from it)
np.random.seed(123)
model.train(X, y, epochs=10)
for index, layer in enumerate(model.trainable_layers):
    np.save(out + f"/continued{index}.weights.npy", layer.weights)
    np.save(out + f"/continued{index}.biases.npy", layer.biases)
'''


def run_book(tmp_path, case, *arguments):
    script = tmp_path / "book_script.py"
    script.write_text(BOOK_SCRIPT)
    result = subprocess.run(
        [sys.executable, str(script), case, str(tmp_path), *arguments],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr


def array(tmp_path, name):
    return np.load(tmp_path / name, allow_pickle=False)


@pytest.fixture(scope="module")
def adam_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("book_adam")
    run_book(folder, "adam")
    return folder


def continue_training(model, X, y, epochs):
    """Train from the global state the book's script used, leaving the global stream as it was."""
    state = np.random.get_state()
    try:
        np.random.seed(123)
        model.train(X, y, epochs=epochs, verbose=0)
    finally:
        np.random.set_state(state)


def assert_continues_as_the_book(model, folder):
    X, y = array(folder, "X.npy"), array(folder, "y.npy")
    continue_training(model, X, y, epochs=10)
    for index, layer in enumerate(model.parameter_layers()):
        for name in ("weights", "biases"):
            theirs = array(folder, f"continued{index}.{name}.npy")
            ours = getattr(layer, name)
            assert ours.dtype == theirs.dtype
            assert np.array_equal(ours, theirs), (
                f"{name} of layer {index} after continuing: max difference "
                f"{np.max(np.abs(ours - theirs))}\nours:   {ours.ravel()[:4]}\n"
                f"theirs: {theirs.ravel()[:4]}"
            )


# ---------------------------------------------------------------------- the book's Model


def test_a_book_model_imports_with_its_classes_and_state(adam_files):
    model = load_book_model(adam_files / "book.model", trust_this_file=True)
    kinds = [type(layer) for layer in model.layers]
    assert kinds == [Layer_Dense, Activation_ReLU, Layer_Dropout, Layer_Dense, Activation_Softmax]
    dense = model.layers[0]
    assert dense.weight_regularizer_l2 == 5e-4 and dense.bias_regularizer_l2 == 5e-4
    assert dense.weight_regularizer_l1 == 0
    # The book's Dropout stored the keep probability as `rate`; nnlite's rate is the drop rate
    assert model.layers[2].rate == 0.1 and model.layers[2].keep_probability == 0.9
    assert isinstance(model.loss, Loss_CategoricalCrossentropy)
    assert isinstance(model.accuracy, Accuracy_Categorical) and model.accuracy.binary is False
    optimizer = model.optimizer
    assert isinstance(optimizer, Optimizer_Adam)
    assert (optimizer.learning_rate, optimizer.decay, optimizer.iterations) == (0.05, 5e-3, 15)
    assert optimizer.current_learning_rate == 0.05 * (1.0 / (1.0 + 5e-3 * 14))
    assert model.softmax_classifier_output is not None  # finalized
    X = array(adam_files, "X.npy")
    np.testing.assert_array_equal(model.predict(X), array(adam_files, "predictions.npy"))


def test_a_book_model_trains_on_as_the_book(adam_files):
    model = load_book_model(adam_files / "book.model", trust_this_file=True)
    assert_continues_as_the_book(model, adam_files)


@pytest.mark.parametrize("case", ["sgd", "regression"])
def test_other_book_models_train_on_as_the_book(tmp_path, case):
    run_book(tmp_path, case)
    model = load_book_model(tmp_path / "book.model", trust_this_file=True)
    if case == "sgd":
        assert isinstance(model.optimizer, Optimizer_SGD) and model.optimizer.momentum == 0.9
        assert model.layers[0].weight_momentums.shape == (2, 16)
    else:
        assert isinstance(model.loss, Loss_MeanSquaredError)
        assert isinstance(model.accuracy, Accuracy_Regression)
        assert model.accuracy.precision == np.std(array(tmp_path, "y.npy")) / 250
    assert_continues_as_the_book(model, tmp_path)


def test_an_imported_book_model_saves_without_pickle(adam_files, tmp_path):
    model = load_book_model(adam_files / "book.model", trust_this_file=True)
    model.save(tmp_path / "converted.npz")
    again = Model.load(tmp_path / "converted.npz")
    assert again.layers[2].keep_probability == 0.9
    assert_continues_as_the_book(again, adam_files)


def test_book_parameters_import(adam_files):
    parameters = load_book_parameters(adam_files / "book.parms", trust_this_file=True)
    book = load_book_model(adam_files / "book.model", trust_this_file=True)
    assert [tuple(p.shape for p in pair) for pair in parameters] == [
        ((2, 16), (1, 16)),
        ((16, 3), (1, 3)),
    ]
    for ours, theirs in zip(parameters, book.get_parameters(), strict=True):
        for a, b in zip(ours, theirs, strict=True):
            np.testing.assert_array_equal(a, b)
    model = Model()
    model.add(Layer_Dense(2, 16, rng=np.random.default_rng(0)))
    model.add(Activation_ReLU())
    model.add(Layer_Dense(16, 3, rng=np.random.default_rng(1)))
    model.add(Activation_Softmax())
    model.finalize()
    model.set_parameters(parameters)
    X = array(adam_files, "X.npy")
    np.testing.assert_array_equal(model.predict(X), array(adam_files, "predictions.npy"))


def test_a_model_and_parameters_pickle_are_not_confused(adam_files):
    with pytest.raises(ValueError, match=r"holds a list, not the book's Model.*load_book_param"):
        load_book_model(adam_files / "book.parms", trust_this_file=True)
    with pytest.raises(ValueError, match=r"holds <book Model>, not the list of \(weights, biases"):
        load_book_parameters(adam_files / "book.model", trust_this_file=True)


# ---------------------------------------------------------------------- refusing


def test_nnlite_loaders_refuse_a_book_pickle_and_say_how_to_opt_in(adam_files):
    model = Model()
    model.add(Layer_Dense(2, 16, rng=np.random.default_rng(0)))
    model.add(Activation_ReLU())
    model.add(Layer_Dense(16, 3, rng=np.random.default_rng(1)))
    for load, hint in (
        (Model.load, r"load_book_model\(path, trust_this_file=True\)"),
        (load_checkpoint, r"load_book_model\(path, trust_this_file=True\)"),
        (model.load_parameters, r"load_book_parameters\(path, trust_this_file=True\)"),
    ):
        with pytest.raises(ValueError, match=rf"is a pickle .* never unpickles .*{hint}"):
            load(adam_files / "book.model")


def test_trust_must_be_given(adam_files):
    with pytest.raises(ValueError, match=r"call load_book_model\(path, trust_this_file=True\)"):
        load_book_model(adam_files / "book.model")
    with pytest.raises(ValueError, match=r"load_book_parameters\(path, trust_this_file=True\)"):
        load_book_parameters(adam_files / "book.parms", trust_this_file=False)


class _Call:
    """Pickles as a call of ``function(*arguments)``: what a malicious pickle does."""

    def __init__(self, function, *arguments):
        self.function = function
        self.arguments = arguments

    def __reduce__(self):
        return (self.function, self.arguments)


MALICIOUS = {
    # case: (payload, what the refusal names)
    "os.system": (lambda marker: _Call(os.system, f"touch {marker}"), r"(posix|nt)\.system"),
    "builtins.eval": (
        lambda marker: _Call(eval, f"open({str(marker)!r}, 'w')"),
        r"builtins\.eval",
    ),
    "builtins.open": (lambda marker: _Call(open, str(marker), "w"), r"io\.open"),
}


@pytest.mark.parametrize("case", sorted(MALICIOUS))
def test_a_malicious_pickle_is_refused_and_never_run(tmp_path, case):
    marker = tmp_path / "it ran"
    path = tmp_path / "evil.model"
    payload, named = MALICIOUS[case]
    path.write_bytes(pickle.dumps(payload(marker)))
    for load in (load_book_model, load_book_parameters):
        with pytest.raises(ValueError, match=rf"asks to call {named}, .* refusing to go on"):
            load(path, trust_this_file=True)
    assert not marker.exists()


def test_a_malicious_object_inside_a_book_model_is_refused(tmp_path):
    marker = tmp_path / "it ran"
    run_book(tmp_path, "evil", str(marker))
    assert not marker.exists()
    with pytest.raises(ValueError, match=r"asks to call (posix|nt)\.system"):
        load_book_model(tmp_path / "evil.model", trust_this_file=True)
    assert not marker.exists()


def test_unknown_book_classes_are_named(tmp_path):
    run_book(tmp_path, "conv")
    with pytest.raises(ValueError, match=r"asks to call __main__\.Layer_Conv2D"):
        load_book_model(tmp_path / "conv.model", trust_this_file=True)


def test_a_non_pickle_and_a_damaged_pickle(adam_files, tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(ValueError, match=r"is not a pickle; files written by nnlite"):
        load_book_model(text, trust_this_file=True)
    truncated = tmp_path / "truncated.model"
    data = (adam_files / "book.model").read_bytes()
    truncated.write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match=r"damaged or not one of the book's pickles"):
        load_book_model(truncated, trust_this_file=True)
