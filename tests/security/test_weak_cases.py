"""Issue 13, "weak today": clear errors instead of raw TypeError, AttributeError,
RecursionError, OverflowError or MemoryError; updates that fail part-way; two optimizers on
one layer; empty batches; a NaN loss said once; attribute assignments checked; saving into a
missing directory.
"""

import json
import pickle
import warnings
from fractions import Fraction

import numpy as np
import pytest

from nnlite import (
    Accuracy_Categorical,
    Accuracy_Regression,
    Activation_LeakyReLU,
    Activation_Linear,
    Activation_ReLU,
    Activation_Sigmoid,
    Activation_Softmax,
    Activation_Tanh,
    Layer_Dense,
    Loss_CategoricalCrossentropy,
    Optimizer_Adam,
    Optimizer_SGD,
    load_book_model,
)
from nnlite.training.checkpoints import load_checkpoint, save_checkpoint
from nnlite.training.model import Model
from tests.security import book_classes
from tests.security.saved_files import blobs, classifier, entries, trained, write_entries


@pytest.mark.parametrize(
    "activation",
    [
        Activation_ReLU,
        Activation_LeakyReLU,
        Activation_Sigmoid,
        Activation_Tanh,
        Activation_Linear,
        Activation_Softmax,
    ],
)
def test_activations_take_lists_as_arrays(activation):
    """Before: Sigmoid and LeakyReLU raised raw TypeErrors, Linear returned the list."""
    rows = [[1.0, -2.0], [0.5, 3.0]]
    output = activation().forward(rows)
    expected = activation().forward(np.array(rows))
    assert isinstance(output, np.ndarray)
    np.testing.assert_array_equal(output, expected)


def test_accuracies_take_lists_as_arrays():
    assert Accuracy_Categorical().calculate([0, 1, 1], [0, 1, 0]) == 2 / 3
    assert Accuracy_Regression(precision=0.5).calculate([[1.0], [2.0]], [[1.1], [3.0]]) == 0.5


def test_softmax_of_no_columns_is_a_clear_error():
    with pytest.raises(ValueError, match=r"Activation_Softmax\(\): inputs of shape \(2, 0\)"):
        Activation_Softmax().forward(np.zeros((2, 0)))


def make_step_ready(seed=0):
    rng = np.random.default_rng(seed)
    layer = Layer_Dense(3, 2, rng=rng)
    layer.dweights, layer.dbiases = rng.normal(size=(3, 2)), rng.normal(size=(1, 2))
    return layer


def test_a_fraction_learning_rate_is_refused_and_nothing_counts_a_step():
    """Before: Fraction(1, 10) reached the update, raised a raw TypeError and bumped steps."""
    with pytest.raises(TypeError, match=r"learning_rate must be a number .* got Fraction"):
        Optimizer_Adam(learning_rate=Fraction(1, 10))
    optimizer = Optimizer_Adam()
    with pytest.raises(TypeError, match="got Fraction"):
        optimizer.learning_rate = Fraction(1, 10)
    layer = make_step_ready()
    optimizer.step([layer])
    assert optimizer.iterations == 1 and layer.optimizer_state.steps == {"weights": 1, "biases": 1}


def test_train_with_an_integer_rng_is_a_clear_error():
    with pytest.raises(TypeError, match=r"rng must be a np.random.Generator.*got int"):
        classifier().train(*blobs(), epochs=1, verbose=0, shuffle=True, rng=42)


def test_a_description_nested_100000_deep_is_refused(model_path):
    arrays = entries(model_path)
    text = str(arrays["description"])
    assert text.startswith('{"model": ')
    # {"model": [[[[...]]]], ...}: 100,000 levels where the model should be
    nested = "[" * 100_000 + "]" * 100_000
    arrays["description"] = np.array('{"model": ' + nested + ", " + text[len('{"model": ') :])
    write_entries(model_path, arrays)
    with pytest.raises(ValueError, match="nested deeper than Python can read|not valid JSON"):
        Model.load(model_path)


def test_a_description_nested_deeper_than_nnlite_writes_is_refused(model_path):
    arrays = entries(model_path)
    tree = json.loads(str(arrays["description"]))
    nested = []
    for _ in range(500):
        nested = [nested]
    tree["model"]["loss"]["arguments"] = {"deep": nested}
    arrays["description"] = np.array(json.dumps(tree))
    write_entries(model_path, arrays)
    with pytest.raises(ValueError, match="nested more than 64 levels deep"):
        Model.load(model_path)


def test_save_checkpoint_extra_must_be_a_dict(tmp_path):
    with pytest.raises(TypeError, match=r"extra must be a dict .* got list: \[1, 2\]"):
        save_checkpoint(tmp_path / "run.npz", trained(), epoch=1, extra=[1, 2])
    assert not (tmp_path / "run.npz").exists()


@pytest.mark.parametrize("iterations", [np.arange(3), -1, 1.5, "3"])
def test_a_book_adam_with_bad_iterations_is_a_clear_error(tmp_path, iterations):
    path = tmp_path / "book.model"
    path.write_bytes(pickle.dumps(book_classes.book_model(iterations=iterations)))
    with pytest.raises(ValueError, match=r"Optimizer_Adam.iterations should be a whole number"):
        load_book_model(path, trust_this_file=True)


def test_a_good_book_model_loads(tmp_path):
    """The stand-ins make a valid book pickle: the tests above fail only for their reason."""
    path = tmp_path / "book.model"
    path.write_bytes(pickle.dumps(book_classes.book_model()))
    model = load_book_model(path, trust_this_file=True)
    assert model.optimizer.iterations == 1


@pytest.mark.parametrize(
    "spoil",
    [
        lambda layer: layer.weights.setflags(write=False),
        lambda layer: setattr(layer, "weights", layer.weights.astype(np.int64)),
        lambda layer: setattr(layer, "dweights", layer.dweights.astype(np.complex128)),
    ],
    ids=["read-only weights", "integer weights", "complex gradient"],
)
@pytest.mark.parametrize("make", [lambda: Optimizer_Adam(0.1), lambda: Optimizer_SGD(0.1, 0, 0.9)])
def test_an_update_that_would_fail_part_way_changes_nothing(spoil, make):
    """Prepare-then-apply: the biases (updated first in no order) and the state stay as they
    were, and no step is counted."""
    layer = make_step_ready()
    optimizer = make()
    optimizer.step([layer])
    spoil(layer)
    before = {k: np.copy(v) for k, v in vars(layer).items() if isinstance(v, np.ndarray)}
    steps = dict(layer.optimizer_state.steps)
    with pytest.raises((TypeError, ValueError), match=r"update_params\(Layer_Dense\(3, 2\)\)"):
        optimizer.step([layer])
    for key, value in before.items():
        np.testing.assert_array_equal(getattr(layer, key), value)
    assert layer.optimizer_state.steps == steps


def test_two_optimizers_taking_turns_on_one_layer_warn():
    layer = make_step_ready()
    first, second = Optimizer_Adam(0.01), Optimizer_Adam(0.01)
    first.step([layer])
    second.step([layer])  # a new optimizer continuing the layer: allowed, silently
    with pytest.warns(UserWarning, match="also updated by another Optimizer_Adam object"):
        first.step([layer])


def test_one_optimizer_and_a_rebuilt_one_do_not_warn():
    layer = make_step_ready()
    Optimizer_Adam(0.01).step([layer])
    optimizer = Optimizer_Adam(0.01)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(3):
            optimizer.step([layer])


def test_an_empty_batch_is_a_clear_error():
    """Before: NaN with a NumPy 'mean of empty slice' warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="the batch is empty"):
            Loss_CategoricalCrossentropy().calculate(np.zeros((0, 3)), np.zeros(0, dtype=int))
        with pytest.raises(ValueError, match="the batch is empty"):
            Accuracy_Categorical().calculate(np.zeros(0), np.zeros(0))


def test_a_nan_loss_is_said_once_with_where_it_came_from():
    X, y = blobs()
    X[4, 1] = np.nan
    model = classifier()
    with pytest.warns(RuntimeWarning) as caught:
        model.train(X, y, epochs=3, verbose=0, batch_size=10)
    messages = [str(w.message) for w in caught if "Model.train" in str(w.message)]
    assert len(messages) == 1
    assert "epoch 1, step 0" in messages[0]
    assert "inputs (X) hold nan at index (4, 1)" in messages[0]


@pytest.mark.filterwarnings("ignore:overflow encountered", "ignore:invalid value encountered")
def test_a_diverging_run_is_said_to_diverge():
    model = classifier(optimizer=Optimizer_SGD(learning_rate=1e200))
    with pytest.warns(RuntimeWarning, match="are not finite: the updates diverged"):
        model.train(*blobs(), epochs=3, verbose=0)


ASSIGNMENTS = {
    "optimizer.beta_1 = 1.5": lambda o: setattr(o, "beta_1", 1.5),
    "optimizer.learning_rate = -1": lambda o: setattr(o, "learning_rate", -1),
    "optimizer.decay = inf": lambda o: setattr(o, "decay", float("inf")),
    "optimizer.amsgrad = 'no'": lambda o: setattr(o, "amsgrad", "no"),
    "optimizer.iterations = -1": lambda o: setattr(o, "iterations", -1),
    "optimizer.current_learning_rate = nan": lambda o: setattr(
        o, "current_learning_rate", float("nan")
    ),
    'param_groups[0]["beta_1"] = 7': lambda o: o.param_groups[0].__setitem__("beta_1", 7),
    'param_groups[1]["beta_1"] = 7': lambda o: o.param_groups[1].__setitem__("beta_1", 7),
    'param_groups[1]["learning_rate"] = "big"': lambda o: o.param_groups[1].__setitem__(
        "learning_rate", "big"
    ),
}


@pytest.mark.parametrize("assign", ASSIGNMENTS.values(), ids=ASSIGNMENTS.keys())
def test_assignments_after_construction_are_checked(assign):
    optimizer = Optimizer_Adam(0.01)
    optimizer.add_param_group({"parameters": ["biases"], "weight_decay": 0.1})
    before = dict(vars(optimizer))
    groups = [dict(group) for group in optimizer.added_groups]
    with pytest.raises((TypeError, ValueError)):
        assign(optimizer)
    assert {k: v for k, v in vars(optimizer).items() if k != "_cached_settings"} == {
        k: v for k, v in before.items() if k != "_cached_settings"
    }
    assert [dict(group) for group in optimizer.added_groups] == groups


def test_valid_assignments_still_work():
    optimizer = Optimizer_Adam(0.01)
    optimizer.beta_1 = 0.8
    optimizer.param_groups[0]["learning_rate"] = 0.02
    optimizer.add_param_group({"parameters": ["biases"]})
    optimizer.param_groups[1]["beta_2"] = 0.99
    assert (optimizer.beta_1, optimizer.current_learning_rate) == (0.8, 0.02)
    assert optimizer.added_groups[0]["beta_2"] == 0.99


def test_saving_into_a_missing_directory_names_the_path_given(tmp_path):
    target = tmp_path / "no" / "such" / "model.npz"
    with pytest.raises(FileNotFoundError, match=rf"cannot save '{target}'.*does not exist"):
        trained().save(target)
    with pytest.raises(FileNotFoundError, match=rf"cannot save '{target}'"):
        save_checkpoint(target, trained(), epoch=1)
    assert not (tmp_path / "no").exists()


def test_a_checkpoint_still_round_trips(checkpoint_path):
    """Everything above refuses only what is wrong: a real checkpoint loads, to the bit."""
    model = trained()
    loaded = load_checkpoint(checkpoint_path).model
    for ours, theirs in zip(model.layers, loaded.layers, strict=True):
        for name in ("weights", "biases"):
            if hasattr(ours, name):
                np.testing.assert_array_equal(getattr(ours, name), getattr(theirs, name))
