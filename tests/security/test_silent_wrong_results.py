"""Issue 13, "silent wrong results from ordinary mistakes": each is now a correct result or a
clear error. Booleans must be booleans (nnlite/validation.py::check_bool, and
``Optimizer._checked_booleans`` for every optimizer option whose default is a bool), numbers
finite where infinity makes no sense (optimizers/hyperparameter_checks.py), dtypes floating
(validation.py::check_floating_dtype), ``trainable`` a bool (parameters.py::is_trainable).
"""

import inspect
import math

import numpy as np
import pytest

import nnlite.optimizers as optimizer_classes
from nnlite import (
    Accuracy_Categorical,
    Accuracy_Regression,
    Activation_LeakyReLU,
    Layer_Dense,
    Layer_Embedding,
    Loss_CategoricalCrossentropy,
    Loss_MeanSquaredError,
    Optimizer_Adam,
)
from nnlite.optimizers.optimizer import Optimizer
from nnlite.schedules import Schedule_Cyclic, Schedule_OneCycle
from nnlite.training.callbacks import Callback_Checkpoint, Callback_EarlyStopping
from nnlite.training.checkpoints import load_checkpoint
from tests.security.saved_files import blobs, classifier

OPTIMIZERS = [
    found
    for name in optimizer_classes.__all__
    if isinstance(found := getattr(optimizer_classes, name), type)
    and issubclass(found, Optimizer)
    and found is not Optimizer
]


def test_categorical_accuracy_with_column_labels_counts_class_indices():
    """Before: (n, 1) labels were taken as one-hot rows, argmax 0, accuracy 0.25."""
    predictions = np.array([0, 1, 2, 3])
    assert Accuracy_Categorical().calculate(predictions, predictions.reshape(-1, 1)) == 1.0
    assert Accuracy_Categorical().calculate(predictions.reshape(-1, 1), predictions) == 1.0
    one_hot = np.eye(4)[[0, 1, 2, 2]]
    assert Accuracy_Categorical().calculate(predictions, one_hot) == 0.75


def test_regression_accuracy_refuses_shapes_that_would_broadcast_to_n_by_n():
    predictions = np.array([[1.0], [2.0], [3.0]])
    with pytest.raises(ValueError, match=r"\(3, 1\).*\(3,\).*y.reshape\(3, 1\)"):
        Accuracy_Regression(precision=0.1).calculate(predictions, np.array([1.0, 2.0, 3.0]))
    accuracy = Accuracy_Regression(precision=0.1)
    assert accuracy.calculate(predictions, np.array([[1.0], [2.5], [3.0]])) == 2 / 3


@pytest.mark.parametrize("precision", [math.inf, -1.0, 0.0, "0.1", math.nan])
def test_regression_precision_is_a_finite_positive_number(precision):
    with pytest.raises(ValueError, match="precision must be a finite number above 0"):
        Accuracy_Regression(precision=precision)


def boolean_options(cls):
    return [
        name
        for name, parameter in inspect.signature(cls).parameters.items()
        if isinstance(parameter.default, bool)
    ]


WITH_FLAGS = [cls for cls in OPTIMIZERS if boolean_options(cls)]


def test_the_optimizers_without_flags_are_only_lbfgs():
    assert [cls.__name__ for cls in OPTIMIZERS if cls not in WITH_FLAGS] == ["Optimizer_LBFGS"]


@pytest.mark.parametrize("cls", WITH_FLAGS, ids=lambda cls: cls.__name__)
@pytest.mark.parametrize("value", ["no", "false", 0, 1, None])
def test_every_boolean_option_of_every_optimizer_refuses_non_booleans(cls, value):
    """The issue's amsgrad='no' (AMSGrad on), for every flag of every optimizer."""
    for name in boolean_options(cls):
        with pytest.raises(TypeError, match=rf"{name} must be True or False"):
            cls(**{name: value})


def test_amsgrad_no_is_refused_and_false_stays_off():
    with pytest.raises(TypeError, match=r"Optimizer_Adam\(\): amsgrad must be True or False"):
        Optimizer_Adam(amsgrad="no")
    assert Optimizer_Adam(amsgrad=np.bool_(False)).amsgrad is False


@pytest.mark.parametrize(
    "make",
    [
        lambda: Layer_Dense(2, 3, bias="no"),
        lambda: Layer_Dense(2, 3, check_finite="false"),
        lambda: Layer_Embedding(4, 2, sparse="no"),
        lambda: Accuracy_Categorical(binary="no"),
        lambda: Schedule_Cyclic(0.1, 1.0, step_size_up=2, cycle_momentum="no"),
        lambda: Schedule_OneCycle(1.0, total_steps=10, three_phase="no"),
        lambda: Callback_EarlyStopping(restore_best_weights="yes"),
        lambda: Callback_Checkpoint("x.npz", save_best_only="no"),
    ],
)
def test_boolean_options_outside_the_optimizers_refuse_strings(make):
    with pytest.raises(TypeError, match="must be True or False"):
        make()


def test_train_shuffle_and_load_checkpoint_flags_refuse_strings(tmp_path):
    model = classifier()
    with pytest.raises(TypeError, match="shuffle must be True or False"):
        model.train(*blobs(), epochs=1, verbose=0, shuffle="no")
    with pytest.raises(TypeError, match="restore_global_rng must be True or False"):
        load_checkpoint(tmp_path / "missing.npz", restore_global_rng="no")


INFINITE = {
    "learning_rate": lambda value: Optimizer_Adam(learning_rate=value),
    "decay": lambda value: Optimizer_Adam(decay=value),
    "epsilon": lambda value: Optimizer_Adam(epsilon=value),
    "weight_decay": lambda value: Optimizer_Adam(weight_decay=value),
    "clip_norm": lambda value: Optimizer_Adam(clip_norm=value),
}


@pytest.mark.parametrize("make", INFINITE.values(), ids=INFINITE.keys())
@pytest.mark.parametrize("value", [math.inf, np.float64(np.inf)])
def test_infinite_hyperparameters_are_refused(make, value):
    """Before: decay=inf gave a NaN learning rate while current_learning_rate said 0.0."""
    with pytest.raises(ValueError, match="must be finite"):
        make(value)


@pytest.mark.parametrize(
    "make",
    [
        lambda: Layer_Dense(2, 3, weight_regularizer_l2=math.inf),
        lambda: Layer_Dense(2, 3, weight_scale=math.inf),
        lambda: Activation_LeakyReLU(alpha=math.inf),
    ],
)
def test_infinite_layer_arguments_are_refused(make):
    with pytest.raises(ValueError, match="must be finite, got inf"):
        make()


@pytest.mark.parametrize("dtype", [int, np.int32, bool, np.complex128, "U4", object])
def test_a_dense_layer_of_a_non_floating_dtype_is_refused(dtype):
    """Before: Layer_Dense(dtype=int) gave all-zero weights."""
    with pytest.raises(TypeError, match="dtype must be a floating-point dtype"):
        Layer_Dense(2, 3, dtype=dtype)
    assert Layer_Dense(2, 3, dtype=np.float32).weights.dtype == np.float32


@pytest.mark.parametrize("value", [0, 1, "no", None, np.float64(0.0)])
def test_trainable_must_be_a_bool(value):
    """Before: layer.trainable = 0 did not freeze (frozen means `is False`)."""
    layer = Layer_Dense(2, 3)
    with pytest.raises(TypeError, match="trainable must be True or False"):
        layer.trainable = value
    layer.trainable = np.bool_(False)
    assert layer.trainable is False


def test_trainable_set_on_a_hand_written_layer_is_checked_where_it_is_read():
    class Layer_Mine:
        def __init__(self):
            self.weights, self.biases = np.ones((2, 2)), np.zeros((1, 2))
            self.dweights, self.dbiases = np.ones((2, 2)), np.ones((1, 2))
            self.trainable = 0

    with pytest.raises(TypeError, match="trainable must be True or False, got 0"):
        Optimizer_Adam().step([Layer_Mine()])


@pytest.mark.parametrize(
    "loss", [Loss_CategoricalCrossentropy(), Loss_MeanSquaredError()], ids=repr
)
def test_a_complex_loss_is_refused(loss):
    """Before: complex outputs gave a complex loss."""
    output = np.array([[0.5 + 1j, 0.5], [0.2, 0.8]])
    with pytest.raises(TypeError, match="output must hold real numbers, got dtype complex128"):
        loss.calculate(output, np.array([0, 1]))
