"""What the optimizer base does the same way for every optimizer.

The book's hooks under both spellings, state created lazily on the layer in the parameter's
dtype, state kept per optimizer kind (switching optimizers never crashes on or reuses another's
state), clear errors that leave the weights untouched, param groups, frozen layers, and layers
written by hand in the book's or the course notes' style.
"""

import copy
import re
import warnings

import numpy as np
import pytest
import torch

from nnlite import (
    Layer_Dense,
    Optimizer_Adafactor,
    Optimizer_Adam,
    Optimizer_AdamW,
    Optimizer_RMSprop,
    Optimizer_SGD,
)
from tests.optimizers.configurations import CONFIGURATIONS

#: The shared table's configurations that update_params can run layer by layer (clipping by
#: the global norm needs optimizer.step with every layer)
ALL_OPTIMIZERS = [make for make in CONFIGURATIONS.values() if make().global_clip_norm is None]
OPTIMIZER_IDS = [name for name, make in CONFIGURATIONS.items() if make().global_clip_norm is None]
#: ... of which those whose first step on new weights is a fresh optimizer's: no decay of the
#: learning rate since the start, and state in book-named arrays (Adafactor's factored state
#: restarts too; test_adafactor.py checks it)
RESTARTING = [
    (name, make)
    for name, make in zip(OPTIMIZER_IDS, ALL_OPTIMIZERS, strict=True)
    if not make().decay and not isinstance(make(), Optimizer_Adafactor)
]


def dense(dtype=np.float64, seed=0, n_inputs=3, n_neurons=4):
    rng = np.random.default_rng(seed)
    layer = Layer_Dense(n_inputs, n_neurons, rng=rng, dtype=dtype, name="dense")
    layer.biases = (0.1 * rng.standard_normal(layer.biases.shape)).astype(dtype)
    return layer


def set_gradients(layer, seed=1):
    rng = np.random.default_rng(seed)
    layer.dweights = rng.standard_normal(layer.weights.shape).astype(layer.weights.dtype)
    layer.dbiases = rng.standard_normal(layer.biases.shape).astype(layer.biases.dtype)


def train(optimizer, layer, steps, spelling="book"):
    for step in range(steps):
        set_gradients(layer, seed=step)
        if spelling == "book":
            optimizer.pre_update_params()
            optimizer.update_params(layer)
            optimizer.post_update_params()
        else:
            optimizer.pre_update_param()
            optimizer.update_param(layer)
            optimizer.post_update_param()


class BookStyleLayer:
    """A layer written by hand as in the book: just the four arrays."""

    def __init__(self, weights, biases):
        self.weights = weights.copy()
        self.biases = biases.copy()

    def set_gradients(self, seed):
        rng = np.random.default_rng(seed)
        self.dweights = rng.standard_normal(self.weights.shape)
        self.dbiases = rng.standard_normal(self.biases.shape)


class CourseNotesLayer:
    """A layer written by hand as in the course notes: singular names."""

    def __init__(self, weight, bias):
        self.weight = weight.copy()
        self.bias = bias.copy()

    def set_gradients(self, seed):
        rng = np.random.default_rng(seed)
        self.dweight = rng.standard_normal(self.weight.shape)
        self.dbias = rng.standard_normal(self.bias.shape)


# ---------------------------------------------------------------- the hooks


@pytest.mark.parametrize("make_optimizer", ALL_OPTIMIZERS, ids=OPTIMIZER_IDS)
def test_course_notes_hook_spellings_equal_the_books(make_optimizer):
    book_layer, notes_layer = dense(), dense()
    book, notes = make_optimizer(), make_optimizer()
    train(book, book_layer, 5, spelling="book")
    train(notes, notes_layer, 5, spelling="course notes")
    np.testing.assert_array_equal(notes_layer.weights, book_layer.weights)
    np.testing.assert_array_equal(notes_layer.biases, book_layer.biases)
    assert notes.iterations == book.iterations == 5


@pytest.mark.parametrize("make_optimizer", ALL_OPTIMIZERS, ids=OPTIMIZER_IDS)
def test_step_runs_the_three_hooks(make_optimizer):
    hooks_layer, step_layer = dense(), dense()
    hooks, step = make_optimizer(), make_optimizer()
    train(hooks, hooks_layer, 5)
    for index in range(5):
        set_gradients(step_layer, seed=index)
        step.step([step_layer])
    np.testing.assert_array_equal(step_layer.weights, hooks_layer.weights)
    assert step.iterations == 5


def test_decay_follows_the_books_formula():
    optimizer = Optimizer_SGD(learning_rate=1.0, decay=1e-3)
    layer = dense()
    train(optimizer, layer, 3)
    optimizer.pre_update_params()
    assert optimizer.current_learning_rate == 1.0 * (1.0 / (1.0 + 1e-3 * 3))


# ---------------------------------------------------------------- state on the layer


@pytest.mark.parametrize("make_optimizer", ALL_OPTIMIZERS, ids=OPTIMIZER_IDS)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_state_is_created_lazily_in_the_parameters_dtype(make_optimizer, dtype):
    optimizer = make_optimizer()
    layer = dense(dtype=dtype)
    assert not hasattr(layer, "optimizer_state")
    state_names = optimizer.state_names
    for suffix in state_names:
        assert not hasattr(layer, f"weight_{suffix}")
    train(optimizer, layer, 2)
    for prefix, parameter in (("weight", layer.weights), ("bias", layer.biases)):
        for suffix in state_names:
            state = getattr(layer, f"{prefix}_{suffix}")
            assert state.dtype == dtype and state.shape == parameter.shape
    assert layer.weights.dtype == dtype and layer.biases.dtype == dtype
    assert layer.optimizer_state.steps == {"weights": 2, "biases": 2}


def test_state_uses_the_books_attribute_names():
    layer = dense()
    train(Optimizer_Adam(), layer, 1)
    for name in ("weight_momentums", "weight_cache", "bias_momentums", "bias_cache"):
        assert isinstance(getattr(layer, name), np.ndarray)


def test_switching_rmsprop_to_adam_warns_and_starts_fresh():
    layer = dense()
    train(Optimizer_RMSprop(0.01), layer, 3)
    # Adam from the same weights on a layer that never saw RMSprop is the reference
    reference = copy.deepcopy(layer)
    del reference.optimizer_state, reference.weight_cache, reference.bias_cache
    adam, reference_adam = Optimizer_Adam(0.01), Optimizer_Adam(0.01)
    with pytest.warns(UserWarning, match="trained by Optimizer_RMSprop.*Optimizer_Adam starts"):
        train(adam, layer, 2)
    train(reference_adam, reference, 2)
    np.testing.assert_array_equal(layer.weights, reference.weights)
    np.testing.assert_array_equal(layer.weight_cache, reference.weight_cache)
    assert layer.optimizer_state.kind == "Optimizer_Adam"


def test_switching_adam_to_sgd_momentum_warns_and_starts_fresh():
    layer = dense()
    train(Optimizer_Adam(0.01), layer, 3)
    reference = copy.deepcopy(layer)
    for name in list(reference.optimizer_state.state_attributes) + ["optimizer_state"]:
        delattr(reference, name)
    with pytest.warns(UserWarning, match="trained by Optimizer_Adam"):
        train(Optimizer_SGD(0.1, momentum=0.9), layer, 2)
    train(Optimizer_SGD(0.1, momentum=0.9), reference, 2)
    np.testing.assert_array_equal(layer.weights, reference.weights)
    np.testing.assert_array_equal(layer.weight_momentums, reference.weight_momentums)
    # Adam's cache is gone: nothing is left to be silently reused later
    assert not hasattr(layer, "weight_cache")


def test_the_same_kind_of_optimizer_continues_without_a_warning():
    layer = dense()
    train(Optimizer_Adam(0.01), layer, 2)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        train(Optimizer_Adam(0.01), layer, 2)
    assert layer.optimizer_state.steps["weights"] == 4


@pytest.mark.parametrize(
    "make_optimizer", [make for _, make in RESTARTING], ids=[name for name, _ in RESTARTING]
)
def test_new_weights_of_another_shape_recreate_the_state(make_optimizer):
    """The first step on the new weights equals a fresh optimizer's first step."""
    layer, optimizer = dense(), make_optimizer()
    train(optimizer, layer, 3)
    fresh_layer, fresh_optimizer = dense(seed=5, n_inputs=2), make_optimizer()
    layer.weights = fresh_layer.weights.copy()
    set_gradients(layer, seed=9)
    set_gradients(fresh_layer, seed=9)
    if optimizer.state_names:
        with pytest.warns(UserWarning, match="the state of weights starts afresh"):
            optimizer.update_params(layer)
    else:  # plain SGD keeps no state: nothing to recreate, nothing to warn about
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            optimizer.update_params(layer)
    fresh_optimizer.update_params(fresh_layer)
    np.testing.assert_array_equal(layer.weights, fresh_layer.weights)
    for suffix in optimizer.state_names:
        assert getattr(layer, f"weight_{suffix}").shape == (2, 4)
    if optimizer.state_names:
        assert layer.optimizer_state.steps["weights"] == 1  # bias corrections restart


# ---------------------------------------------------------------- errors leave the layer as it was


@pytest.mark.parametrize("make_optimizer", ALL_OPTIMIZERS, ids=OPTIMIZER_IDS)
def test_updating_before_backward_is_a_clear_error(make_optimizer):
    layer = dense()
    weights, biases = layer.weights.copy(), layer.biases.copy()
    with pytest.raises(RuntimeError, match=re.escape("dweights is missing; call backward()")):
        make_optimizer().update_params(layer)
    np.testing.assert_array_equal(layer.weights, weights)
    np.testing.assert_array_equal(layer.biases, biases)
    assert not hasattr(layer, "optimizer_state")


@pytest.mark.parametrize("make_optimizer", ALL_OPTIMIZERS, ids=OPTIMIZER_IDS)
def test_a_gradient_of_the_wrong_shape_is_refused_before_anything_changes(make_optimizer):
    layer, optimizer = dense(), make_optimizer()
    train(optimizer, layer, 1)
    weights, biases = layer.weights.copy(), layer.biases.copy()
    set_gradients(layer)
    layer.dbiases = np.ones((1, 5))  # the weights' gradient is fine, the biases' is not
    message = "dbiases has shape (1, 5) but biases has shape (1, 4)"
    with pytest.raises(ValueError, match=re.escape(message)):
        optimizer.update_params(layer)
    np.testing.assert_array_equal(layer.weights, weights)
    np.testing.assert_array_equal(layer.biases, biases)
    assert layer.optimizer_state.steps == {"weights": 1, "biases": 1}


def test_a_layer_without_parameters_is_refused():
    class Activation:
        pass

    with pytest.raises(TypeError, match="has no trainable parameters"):
        Optimizer_Adam().update_params(Activation())


def test_global_clip_norm_needs_every_layer_at_once():
    layer = dense()
    set_gradients(layer)
    with pytest.raises(RuntimeError, match=re.escape("call optimizer.step([layer1, layer2")):
        Optimizer_SGD(global_clip_norm=1.0).update_params(layer)


# ---------------------------------------------------------------- param groups


def test_group_zero_is_a_view_of_the_optimizers_attributes():
    optimizer = Optimizer_Adam(learning_rate=0.01, beta_1=0.8)
    group = optimizer.param_groups[0]
    assert group["learning_rate"] == 0.01 and group["beta_1"] == 0.8
    group["learning_rate"] = 0.5
    group["beta_1"] = 0.7
    assert optimizer.learning_rate == 0.5 and optimizer.current_learning_rate == 0.5
    assert optimizer.beta_1 == 0.7
    with pytest.raises(KeyError, match="has no hyperparameter 'lr'"):
        group["lr"] = 0.1


def test_group_zero_learning_rate_takes_effect_at_the_next_step():
    changed, reference = dense(), dense()
    optimizer = Optimizer_SGD(0.1)
    optimizer.param_groups[0]["learning_rate"] = 0.3
    train(optimizer, changed, 2)
    train(Optimizer_SGD(0.3), reference, 2)
    np.testing.assert_array_equal(changed.weights, reference.weights)


def test_a_group_applies_to_the_layers_and_parameters_it_selects():
    first, second = dense(), dense(seed=1)
    optimizer = Optimizer_SGD(0.1, weight_decay=0.1)
    optimizer.add_param_group({"layers": [second], "learning_rate": 0.01})
    optimizer.add_param_group({"parameters": ["biases"], "weight_decay": 0.0})
    assert optimizer.hyperparameters_for(first, "weights")["learning_rate"] == 0.1
    assert optimizer.hyperparameters_for(second, "weights")["learning_rate"] == 0.01
    assert optimizer.hyperparameters_for(first, "biases")["weight_decay"] == 0.0
    assert optimizer.hyperparameters_for(first, "weights")["weight_decay"] == 0.1
    assert len(optimizer.param_groups) == 3
    assert optimizer.param_groups[1]["learning_rate"] == 0.01
    assert optimizer.param_groups[1]["weight_decay"] == 0.1  # from group 0


def test_add_param_group_refuses_a_non_dict_with_torchs_message():
    parameter = torch.zeros(2, requires_grad=True)
    with pytest.raises(TypeError) as theirs:
        torch.optim.SGD([parameter]).add_param_group([parameter])
    with pytest.raises(TypeError) as ours:
        Optimizer_SGD().add_param_group([dense()])
    assert str(ours.value) == str(theirs.value)


@pytest.mark.parametrize(
    ("group", "error", "message"),
    [
        ({"layers": {1, 2}}, TypeError, "param group 'layers' must be a list of layers"),
        ({"lr": 0.1}, ValueError, "unknown key(s) ['lr']"),
        ({"momentum": 0.9}, ValueError, "unknown key(s) ['momentum']"),
        ({"learning_rate": -1}, ValueError, "Invalid learning rate: -1"),
        ({"weight_decay": -1}, ValueError, "Invalid weight_decay value: -1"),
        ({"l1_decay": -0.5}, ValueError, "Invalid l1_decay value: -0.5"),
    ],
)
def test_add_param_group_validates_the_group(group, error, message):
    optimizer = Optimizer_Adam()
    with pytest.raises(error, match=re.escape(message)):
        optimizer.add_param_group(group)
    assert len(optimizer.param_groups) == 1


# ---------------------------------------------------------------- frozen and hand-written layers


@pytest.mark.parametrize("make_optimizer", ALL_OPTIMIZERS, ids=OPTIMIZER_IDS)
def test_a_frozen_layer_is_skipped(make_optimizer):
    frozen, trained = dense(), dense(seed=1)
    frozen.trainable = False
    weights = frozen.weights.copy()
    optimizer = make_optimizer()
    for step in range(3):
        set_gradients(frozen, seed=step)
        set_gradients(trained, seed=step)
        optimizer.step([frozen, trained])
        optimizer.update_params(frozen)
    np.testing.assert_array_equal(frozen.weights, weights)
    assert not hasattr(frozen, "optimizer_state")
    assert not np.array_equal(trained.weights, dense(seed=1).weights)


@pytest.mark.parametrize("make_optimizer", ALL_OPTIMIZERS, ids=OPTIMIZER_IDS)
def test_hand_written_layers_in_both_styles_train_like_layer_dense(make_optimizer):
    reference = dense()
    book = BookStyleLayer(reference.weights, reference.biases)
    notes = CourseNotesLayer(reference.weights, reference.biases)
    optimizers = [make_optimizer() for _ in range(3)]
    for step in range(4):
        set_gradients(reference, seed=step)
        book.set_gradients(seed=step)
        notes.set_gradients(seed=step)
        for optimizer, layer in zip(optimizers, [reference, book, notes], strict=True):
            optimizer.step([layer])
    np.testing.assert_array_equal(book.weights, reference.weights)
    np.testing.assert_array_equal(book.biases, reference.biases)
    np.testing.assert_array_equal(notes.weight, reference.weights)
    np.testing.assert_array_equal(notes.bias, reference.biases)
    for suffix in optimizers[0].state_names:
        np.testing.assert_array_equal(
            getattr(notes, f"weight_{suffix}"), getattr(reference, f"weight_{suffix}")
        )


def test_gradient_buffers_exist_only_when_an_option_changes_the_gradient():
    def scratch_after_one_step(optimizer):
        layer = Layer_Dense(4, 3, rng=np.random.default_rng(0))
        layer.dweights = np.ones_like(layer.weights)
        layer.dbiases = np.ones_like(layer.biases)
        optimizer.step([layer])
        return {key: len(buffers) for key, buffers in layer.optimizer_state.scratch.items()}

    plain = scratch_after_one_step(Optimizer_Adam())
    assert plain == {"weights": 2, "biases": 2}
    clipped = scratch_after_one_step(Optimizer_Adam(clip_value=0.5))
    assert clipped == {
        "weights": 2,
        "biases": 2,
        "weights:gradient": 2,
        "biases:gradient": 2,
    }


@pytest.mark.parametrize(
    ("optimizer", "group", "message"),
    [
        (Optimizer_Adam, {"beta_1": 1.5}, "Invalid beta parameter at index 0: 1.5"),
        (Optimizer_Adam, {"learning_rate": -1.0}, "Invalid learning rate: -1.0"),
        (Optimizer_SGD, {"nesterov": True}, "Nesterov momentum requires a momentum"),
        (Optimizer_AdamW, {"decoupled_weight_decay": False}, "unknown key"),
        (Optimizer_Adam, {"lr": 0.1}, r"unknown key\(s\) \['lr'\]"),
    ],
)
def test_param_group_settings_get_the_constructors_checks(optimizer, group, message):
    instance = optimizer()
    with pytest.raises(ValueError, match=message):
        instance.add_param_group(group)
    assert len(instance.param_groups) == 1


def test_a_hyperparameter_replaced_by_an_equal_number_of_another_type_is_used():
    """0.9 and np.float64(0.9) are equal but compute differently with float32 arrays, so the
    settings an update reads must hold the new object."""
    optimizer = Optimizer_Adam(0.01)
    assert type(optimizer._default_settings()["beta_1"]) is float
    optimizer.beta_1 = np.float64(0.9)
    assert optimizer._default_settings()["beta_1"] is optimizer.beta_1


def test_global_clip_norm_set_after_the_first_step_clips():
    """A prepared update made without global_clip_norm has no buffer for it: prepare again."""
    layer = Layer_Dense(3, 2, rng=np.random.default_rng(0))
    optimizer = Optimizer_SGD(0.1)
    layer.dweights, layer.dbiases = np.ones((3, 2)), np.ones((1, 2))
    optimizer.step([layer])
    optimizer.global_clip_norm = 1.0
    before = layer.weights.copy()
    optimizer.step([layer])
    # Every gradient element is 1 and there are 8, so the global norm is √8
    scale = 1.0 / (np.sqrt(8.0) + 1e-6)
    np.testing.assert_allclose(layer.weights, before - 0.1 * scale, rtol=0, atol=1e-15)
