"""Model: building, training, the book's traps, evaluate/predict, summary, parameters.

Files (save_parameters, save, checkpoints) are tested in test_checkpoints.py.

The book's own numbers (under nnfs.init()) are checked in tests/book/; here the references are
the book's manual training loop run on copies of the same layers, the printed lines, and
simple counts. Data and weights come from local generators, never the global stream.
"""

import copy
import re

import numpy as np
import pytest

from nnlite import (
    Accuracy_Categorical,
    Accuracy_Regression,
    Activation_Linear,
    Activation_ReLU,
    Activation_Sigmoid,
    Activation_Softmax,
    Activation_Softmax_Loss_CategoricalCrossentropy,
    Layer_Dense,
    Layer_Dropout,
    Loss_BinaryCrossentropy,
    Loss_CategoricalCrossentropy,
    Loss_MeanSquaredError,
    Optimizer_Adam,
    Optimizer_SGD,
)
from nnlite.training.model import Evaluation, Model

BOOK_LINE = re.compile(
    r"(?P<prefix>epoch: \d+|training), acc: (?P<acc>\S+), loss: (?P<loss>\S+) "
    r"\(data_loss: (?P<data_loss>\S+), reg_loss: (?P<reg_loss>\S+)\), lr: (?P<lr>\S+)"
)
VALIDATION_LINE = re.compile(r"validation, acc: (?P<acc>\S+), loss: (?P<loss>\S+)")


def blobs(rng, samples=60):
    """Three Gaussian blobs in 2-D, labels 0..2."""
    y = rng.integers(0, 3, size=samples)
    X = rng.normal(size=(samples, 2)) + np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 3.0]])[y]
    return X, y


def classifier(rng, *, dropout=False, l2=0.0, optimizer=None):
    model = Model()
    model.add(Layer_Dense(2, 16, weight_regularizer_l2=l2, bias_regularizer_l2=l2, rng=rng))
    model.add(Activation_ReLU())
    if dropout:
        model.add(Layer_Dropout(0.1, rng=rng))
    model.add(Layer_Dense(16, 3, rng=rng))
    model.add(Activation_Softmax())
    model.set(
        loss=Loss_CategoricalCrossentropy(),
        optimizer=optimizer or Optimizer_Adam(learning_rate=0.05, decay=1e-3),
        accuracy=Accuracy_Categorical(),
    )
    model.finalize()
    return model


@pytest.fixture
def rng():
    return np.random.default_rng(7)


@pytest.fixture
def data(rng):
    return blobs(rng), blobs(rng, samples=30)


# ---------------------------------------------------------------------- building


def test_finalize_links_layers_and_chooses_the_combined_gradient(rng):
    model = classifier(rng)
    first, relu, second, softmax = model.layers
    assert first.prev is model.input_layer and first.next is relu
    assert softmax.prev is second and softmax.next is model.loss
    assert model.trainable_layers == [first, second]
    assert model.output_layer_activation is softmax
    assert isinstance(
        model.softmax_classifier_output, Activation_Softmax_Loss_CategoricalCrossentropy
    )
    assert model.loss.trainable_layers == [first, second]


def test_no_combined_gradient_without_softmax_and_crossentropy(rng):
    model = Model()
    model.add(Layer_Dense(2, 1, rng=rng))
    model.add(Activation_Sigmoid())
    model.set(loss=Loss_BinaryCrossentropy())
    model.finalize()
    assert model.softmax_classifier_output is None


def test_a_single_layer_model_trains_as_the_manual_loop(rng):
    X = rng.normal(size=(40, 2))
    y = X @ np.array([[1.5], [-2.0]]) + 0.5
    layer = Layer_Dense(2, 1, rng=rng)
    manual_layer = copy.deepcopy(layer)
    model = Model()
    model.add(layer)  # no activation: predictions are the outputs themselves
    model.set(
        loss=Loss_MeanSquaredError(),
        optimizer=Optimizer_SGD(learning_rate=0.1),
        accuracy=Accuracy_Regression(),
    )
    model.finalize()
    history = model.train(X, y, epochs=25, verbose=0)

    # The book's manual loop on a copy of the same layer
    loss, optimizer = Loss_MeanSquaredError(), Optimizer_SGD(learning_rate=0.1)
    for _ in range(25):
        manual_layer.forward(X)
        loss.backward(manual_layer.output, y)
        manual_layer.backward(loss.dinputs)
        optimizer.pre_update_params()
        optimizer.update_params(manual_layer)
        optimizer.post_update_params()
    np.testing.assert_array_equal(layer.weights, manual_layer.weights)
    np.testing.assert_array_equal(layer.biases, manual_layer.biases)
    assert history["loss"][-1] < history["loss"][0]


def test_a_model_with_no_loss_predicts_but_does_not_train(rng, data):
    (X, y), _ = data
    model = Model()
    model.add(Layer_Dense(2, 3, rng=rng))
    model.add(Activation_Softmax())
    model.finalize()
    probabilities = model.predict(X)
    assert probabilities.shape == (len(X), 3)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0)
    with pytest.raises(RuntimeError, match=r"Model.train: no loss is set; call model.set\(loss="):
        model.train(X, y)
    with pytest.raises(RuntimeError, match="Model.evaluate: no loss is set"):
        model.evaluate(X, y)
    with pytest.raises(RuntimeError, match="Model.backward: no loss is set"):
        model.backward(probabilities, y)


@pytest.mark.parametrize(
    ("missing", "message"),
    [
        ("optimizer", r"no optimizer is set; call model.set\(optimizer="),
        ("accuracy", r"no accuracy is set; call model.set\(accuracy=Accuracy_Categorical"),
    ],
)
def test_train_names_the_missing_part(rng, data, missing, message):
    (X, y), _ = data
    model = classifier(rng)
    setattr(model, missing, None)
    with pytest.raises(RuntimeError, match=message):
        model.train(X, y)


def test_finalize_is_required_and_again_after_changes(rng, data):
    (X, y), _ = data
    model = Model()
    model.add(Layer_Dense(2, 3, rng=rng))
    with pytest.raises(RuntimeError, match=r"call model.finalize\(\)"):
        model.predict(X)
    model = classifier(rng)
    model.add(Activation_Linear())
    with pytest.raises(RuntimeError, match=r"changed after finalize\(\); call model.finalize"):
        model.train(X, y)
    model = classifier(rng)
    model.set(loss=Loss_MeanSquaredError())
    with pytest.raises(RuntimeError, match="changed after finalize"):
        model.evaluate(X, y)


def test_finalize_without_layers_raises():
    with pytest.raises(ValueError, match="the model has no layers"):
        Model().finalize()


def test_add_and_set_explain_common_mistakes(rng):
    model = Model()
    with pytest.raises(TypeError, match=r"got the class Activation_ReLU; .*Activation_ReLU\(...\)"):
        model.add(Activation_ReLU)
    with pytest.raises(TypeError, match="has no forward method"):
        model.add(np.zeros(3))
    relu = Activation_ReLU()
    model.add(relu)
    with pytest.raises(ValueError, match=r"this Activation_ReLU\(\) object is already in"):
        model.add(relu)
    with pytest.raises(TypeError, match=r"loss=Loss_CategoricalCrossentropy\(\)$"):
        model.set(loss=Loss_CategoricalCrossentropy)
    with pytest.raises(TypeError, match="end the model with Activation_Softmax"):
        model.set(loss=Activation_Softmax_Loss_CategoricalCrossentropy())
    with pytest.raises(TypeError, match="optimizer .* has no update_params method"):
        model.set(loss=Loss_CategoricalCrossentropy(), optimizer="adam")
    assert model.loss is None  # nothing is set when one argument is wrong


# ---------------------------------------------------------------------- training


def test_chapter18_lines_and_history_agree(rng, data, capsys):
    (X, y), (X_val, y_val) = data
    model = classifier(rng, l2=1e-3)
    history = model.train(X, y, epochs=6, print_every=2, validation_data=(X_val, y_val))
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(",")[0] for line in lines] == [
        "epoch: 2",
        "epoch: 4",
        "epoch: 6",
        "validation",
    ]
    for line, epoch in zip(lines[:3], (2, 4, 6), strict=True):
        printed = BOOK_LINE.fullmatch(line)
        i = history.epoch.index(epoch)
        assert printed["acc"] == f"{history['accuracy'][i]:.3f}"
        assert printed["loss"] == f"{history['loss'][i]:.3f}"
        assert printed["data_loss"] == f"{history['data_loss'][i]:.3f}"
        assert printed["reg_loss"] == f"{history['regularization_loss'][i]:.3f}"
        assert printed["lr"] == str(history["learning_rate"][i])
    validation = VALIDATION_LINE.fullmatch(lines[3])
    assert validation["acc"] == f"{history['val_accuracy'][-1]:.3f}"
    assert validation["loss"] == f"{history['val_loss'][-1]:.3f}"
    assert history.epoch == [1, 2, 3, 4, 5, 6]
    assert float(history["regularization_loss"][0]) > 0
    assert history.stop_reason is None


def test_chapter19_lines_and_history_agree(rng, data, capsys):
    (X, y), (X_val, y_val) = data
    model = classifier(rng)
    history = model.train(
        X, y, epochs=2, batch_size=25, print_every=2, validation_data=(X_val, y_val)
    )
    lines = capsys.readouterr().out.splitlines()
    # 60 samples in batches of 25: steps 0, 1, 2 (10 samples); steps 0 and 2 are printed
    assert [line.split(",")[0] for line in lines] == [
        "epoch: 1",
        "step: 0",
        "step: 2",
        "training",
        "validation",
        "epoch: 2",
        "step: 0",
        "step: 2",
        "training",
        "validation",
    ]
    for index, line in ((0, lines[3]), (1, lines[8])):
        printed = BOOK_LINE.fullmatch(line)
        assert printed["acc"] == f"{history['accuracy'][index]:.3f}"
        assert printed["loss"] == f"{history['loss'][index]:.3f}"
        assert printed["lr"] == str(history["learning_rate"][index])
    for index, line in ((0, lines[4]), (1, lines[9])):
        printed = VALIDATION_LINE.fullmatch(line)
        assert printed["loss"] == f"{history['val_loss'][index]:.3f}"


def test_print_style_chapter19_without_batches(rng, data, capsys):
    (X, y), _ = data
    classifier(rng).train(X, y, epochs=2, print_style="chapter19", print_every=5)
    lines = capsys.readouterr().out.splitlines()
    # The one step is the last step, so it is printed whatever print_every says
    assert [line.split(",")[0] for line in lines] == [
        "epoch: 1",
        "step: 0",
        "training",
        "epoch: 2",
        "step: 0",
        "training",
    ]


def test_verbose_zero_is_silent_and_two_shows_a_bar(rng, data, capsys):
    (X, y), (X_val, y_val) = data
    classifier(rng).train(X, y, epochs=3, verbose=0, validation_data=(X_val, y_val))
    assert capsys.readouterr().out == ""
    classifier(rng).train(X, y, epochs=3, batch_size=20, verbose=2)
    output = capsys.readouterr().out
    assert "training 9/9 [" in output and "100%" in output and "epoch: 3/3" in output
    assert "step:" not in output and "validation" not in output


def test_history_names(rng, data):
    (X, y), (X_val, y_val) = data
    history = classifier(rng).train(X, y, epochs=2, verbose=0)
    assert list(history) == [
        "loss",
        "data_loss",
        "regularization_loss",
        "accuracy",
        "learning_rate",
    ]
    history = classifier(rng).train(X, y, epochs=2, verbose=0, validation_data=(X_val, y_val))
    assert "val_loss" in history and "val_accuracy" in history
    assert len(history["val_loss"]) == 2


def test_frozen_layer_does_not_change(rng, data, capsys):
    (X, y), _ = data
    model = classifier(rng)
    first, _, second, _ = model.layers
    first.trainable = False
    frozen_weights, frozen_biases = first.weights.copy(), first.biases.copy()
    second_weights = second.weights.copy()
    model.train(X, y, epochs=5, batch_size=20, verbose=0)
    np.testing.assert_array_equal(first.weights, frozen_weights)
    np.testing.assert_array_equal(first.biases, frozen_biases)
    assert not np.array_equal(second.weights, second_weights)
    model.summary()
    assert "parameters: 99 (trainable: 51, frozen: 48)" in capsys.readouterr().out


def test_shuffle_uses_the_given_generator_and_nothing_else(data):
    (X, y), _ = data
    shuffled = classifier(np.random.default_rng(3))
    reference = classifier(np.random.default_rng(3))
    state = np.random.get_state()
    shuffled.train(
        X, y, epochs=1, batch_size=16, shuffle=True, rng=np.random.default_rng(11), verbose=0
    )
    # No draw from the global stream (the book's stream stays as the book leaves it)
    assert all(np.array_equal(a, b) for a, b in zip(np.random.get_state(), state, strict=True))
    order = np.random.default_rng(11).permutation(len(X))
    reference.train(X[order], y[order], epochs=1, batch_size=16, verbose=0)
    for ours, theirs in zip(shuffled.get_parameters(), reference.get_parameters(), strict=True):
        np.testing.assert_array_equal(ours[0], theirs[0])
        np.testing.assert_array_equal(ours[1], theirs[1])


def test_no_shuffle_makes_no_global_draws(rng, data):
    (X, y), _ = data
    model = classifier(rng)
    state = np.random.get_state()
    model.train(X, y, epochs=3, batch_size=16, verbose=0)
    assert all(np.array_equal(a, b) for a, b in zip(np.random.get_state(), state, strict=True))


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"epochs": 0}, ValueError, "epochs must be a whole number >= 1, got 0"),
        ({"batch_size": 0}, ValueError, "batch_size must be a whole number >= 1, got 0"),
        ({"print_every": 1.5}, ValueError, "print_every must be a whole number"),
        ({"verbose": 3}, ValueError, r"verbose must be 0 \(silent\), 1"),
        ({"print_style": "chapter20"}, ValueError, "print_style must be one of"),
        ({"rng": np.random.default_rng(0)}, ValueError, "pass shuffle=True too"),
        ({"validation_data": np.zeros(3)}, TypeError, r"pair \(X_val, y_val\)"),
        ({"callbacks": [object()]}, TypeError, "callbacks must be Callback objects"),
    ],
)
def test_train_rejects_bad_arguments(rng, data, arguments, error, message):
    (X, y), _ = data
    with pytest.raises(error, match=message):
        classifier(rng).train(X, y, **arguments)


def test_train_rejects_mismatched_data(rng, data):
    (X, y), _ = data
    with pytest.raises(ValueError, match=r"X of shape \(60, 2\) and y of shape \(59,\)"):
        classifier(rng).train(X, y[:-1])


# ---------------------------------------------------------------------- forward and backward


def test_backward_after_an_inference_forward_is_the_inference_gradient(rng, data):
    (X, y), _ = data
    with_dropout = classifier(rng, dropout=True)
    without = Model()
    for layer in with_dropout.layers:
        if not isinstance(layer, Layer_Dropout):
            without.add(copy.deepcopy(layer))
    without.set(loss=Loss_CategoricalCrossentropy())
    without.finalize()
    # At inference dropout is the identity, so the two networks compute the same function
    output = with_dropout.forward(X, training=False)
    with_dropout.backward(output, y)
    reference_output = without.forward(X, training=False)
    without.backward(reference_output, y)
    np.testing.assert_array_equal(output, reference_output)
    for ours, theirs in zip(with_dropout.trainable_layers, without.trainable_layers, strict=True):
        np.testing.assert_array_equal(ours.dweights, theirs.dweights)
        np.testing.assert_array_equal(ours.dbiases, theirs.dbiases)


# ---------------------------------------------------------------------- evaluate and predict


def test_evaluate_prints_the_book_line_and_returns_the_figures(rng, data, capsys):
    (X, y), (X_val, y_val) = data
    model = classifier(rng)
    model.train(X, y, epochs=5, verbose=0)
    result = model.evaluate(X_val, y_val, batch_size=7)
    assert isinstance(result, Evaluation)
    loss, accuracy = result
    assert capsys.readouterr().out == f"validation, acc: {accuracy:.3f}, loss: {loss:.3f}\n"
    probabilities = model.predict(X_val)
    expected_loss = Loss_CategoricalCrossentropy().forward(probabilities, y_val).mean()
    expected_accuracy = np.mean(np.argmax(probabilities, axis=1) == y_val)
    np.testing.assert_allclose(loss, expected_loss, rtol=1e-12)
    assert accuracy == expected_accuracy
    assert model.evaluate(X_val, y_val, verbose=0) == pytest.approx(result, rel=1e-12)
    assert capsys.readouterr().out == ""


def test_predict_in_batches_equals_predict_at_once(rng, data):
    (X, y), (X_val, _) = data
    model = classifier(rng)
    model.train(X, y, epochs=5, verbose=0)
    batched = model.predict(X_val, batch_size=7)
    assert batched.shape == (30, 3)
    # The same rows (the last batch has 2), up to BLAS's summation order
    np.testing.assert_allclose(batched, model.predict(X_val), rtol=0, atol=1e-14)
    by_hand = np.vstack([model.forward(X_val[i : i + 7], training=False) for i in range(0, 30, 7)])
    np.testing.assert_array_equal(batched, by_hand)


# ---------------------------------------------------------------------- summary


def test_summary_lists_layers_shapes_and_parameters(rng):
    model = classifier(rng, dropout=True)
    lines = []
    model.summary(print_fn=lines.append)
    assert lines == [
        "Model: 5 layers",
        "#  layer                 output shape     parameters",
        "0  Layer_Dense(2, 16)    (n_samples, 16)          48",
        "1  Activation_ReLU()     (n_samples, 16)           0",
        "2  Layer_Dropout(0.1)    (n_samples, 16)           0",
        "3  Layer_Dense(16, 3)    (n_samples, 3)           51",
        "4  Activation_Softmax()  (n_samples, 3)            0",
        "parameters: 99 (trainable: 99, frozen: 0)",
        "loss: Loss_CategoricalCrossentropy, optimizer: Optimizer_Adam, "
        "accuracy: Accuracy_Categorical",
    ]


# ---------------------------------------------------------------------- parameters


def test_get_parameters_returns_the_layers_arrays(rng):
    model = classifier(rng)
    (w1, b1), (w2, b2) = model.get_parameters()
    assert w1 is model.layers[0].weights and b2 is model.layers[2].biases


def test_set_parameters_checks_everything_before_changing_anything(rng):
    model = classifier(rng)
    before = [tuple(a.copy() for a in pair) for pair in model.get_parameters()]
    new = [(np.ones((2, 16)), np.ones((1, 16))), (np.ones((16, 4)), np.ones((1, 4)))]
    with pytest.raises(ValueError, match=r"weights of layer 1 .* must have shape \(16, 3\)"):
        model.set_parameters(new)
    with pytest.raises(ValueError, match="got parameters for 1 layer"):
        model.set_parameters(new[:1])
    for ours, theirs in zip(model.get_parameters(), before, strict=True):
        np.testing.assert_array_equal(ours[0], theirs[0])
    model.set_parameters(
        [(np.ones((2, 16)), np.ones((1, 16))), (np.ones((16, 3)), np.ones((1, 3)))]
    )
    np.testing.assert_array_equal(model.layers[2].weights, np.ones((16, 3)))


def test_initial_epoch_continues_the_count(rng, data, capsys):
    (X, y), _ = data
    model = classifier(rng)
    history = model.train(X, y, epochs=6, initial_epoch=3, print_every=2)
    assert history.epoch == [4, 5, 6]
    printed = [line.split(",")[0] for line in capsys.readouterr().out.splitlines()]
    assert printed == ["epoch: 4", "epoch: 6"]
    assert model.optimizer.iterations == 3
    # Nothing left to do: no epoch runs
    assert model.train(X, y, epochs=6, initial_epoch=6, verbose=0).epoch == []
    assert model.optimizer.iterations == 3


@pytest.mark.parametrize("initial_epoch", [-1, 11, True, 2.0])
def test_initial_epoch_must_be_between_0_and_epochs(rng, data, initial_epoch):
    (X, y), _ = data
    with pytest.raises(ValueError, match=r"initial_epoch is the number of epochs already trained"):
        classifier(rng).train(X, y, epochs=10, initial_epoch=initial_epoch)


def test_the_first_layer_skips_the_gradient_nothing_reads():
    rng = np.random.default_rng(0)
    model = Model()
    model.add(Layer_Dense(2, 8, rng=rng))
    model.add(Activation_ReLU())
    model.add(Layer_Dense(8, 3, rng=rng))
    model.add(Activation_Softmax())
    model.set(
        loss=Loss_CategoricalCrossentropy(),
        optimizer=Optimizer_Adam(learning_rate=0.01),
        accuracy=Accuracy_Categorical(),
    )
    model.finalize()
    X, y = rng.normal(size=(20, 2)), rng.integers(0, 3, size=20)
    model.train(X, y, epochs=2, verbose=0)
    assert model.layers[0].dinputs is None
    assert model.layers[2].dinputs.shape == (20, 8)
    assert Layer_Dense(2, 8).needs_dinputs  # outside a Model, backward computes it, as the book


class BookStyleDense:
    """A dense layer written by hand as in the book: weights and biases, nothing declared."""

    def __init__(self, n_inputs, n_neurons, rng):
        self.weights = 0.01 * rng.standard_normal((n_inputs, n_neurons))
        self.biases = np.zeros((1, n_neurons))

    def forward(self, inputs, training=True):
        self.inputs = inputs
        self.output = inputs @ self.weights + self.biases


def test_a_frozen_book_style_layer_keeps_its_parameters_in_the_model_and_its_files(rng, tmp_path):
    # One function says which parameters a layer has, frozen or not: a frozen hand-written
    # layer once dropped out of get_parameters and save_parameters
    first = BookStyleDense(2, 4, rng)
    first.trainable = False
    model = Model()
    model.add(first)
    model.add(Activation_ReLU())
    model.add(Layer_Dense(4, 3, rng=rng))
    model.finalize()

    assert model.trainable_layers[0] is first
    parameters = model.get_parameters()
    assert len(parameters) == 2
    assert parameters[0][0] is first.weights and parameters[0][1] is first.biases

    saved = (first.weights.copy(), first.biases.copy())
    model.save_parameters(tmp_path / "frozen.npz")
    first.weights[...] = 0.0
    first.biases[...] = 1.0
    model.load_parameters(tmp_path / "frozen.npz")
    np.testing.assert_array_equal(first.weights, saved[0])
    np.testing.assert_array_equal(first.biases, saved[1])
