"""Issue 13, "loaded optimizer state is not validated, and a failed load leaves changes
behind": loaded hyperparameters go through the constructors' own checks, counters and rates
through their rules, and every load builds the new state aside before swapping it in
(nnlite/optimizers/engine/saved_state.py::load_optimizer_state_dict).
"""

import math

import numpy as np
import pytest

from nnlite import Layer_Dense, Optimizer_Adam, Optimizer_SGD, Schedule_ReduceOnPlateau
from nnlite.training.checkpoints import load_checkpoint
from nnlite.training.model import Model
from tests.security.saved_files import (
    assert_same,
    classifier,
    edit_description,
    entries,
    snapshot,
    trained,
    write_entries,
)


def layer_pair(seed=0):
    rng = np.random.default_rng(seed)
    layer = Layer_Dense(3, 2, rng=rng, name="dense")
    layer.dweights, layer.dbiases = rng.normal(size=(3, 2)), rng.normal(size=(1, 2))
    return layer


@pytest.fixture
def saved_adam():
    layer = layer_pair()
    optimizer = Optimizer_Adam(0.01)
    optimizer.add_param_group({"parameters": ["biases"], "learning_rate": 0.001})
    for _ in range(2):
        optimizer.step([layer])
    return optimizer.state_dict([layer])


def changed(state, change):
    state = {**state, "hyperparameters": dict(state["hyperparameters"])}
    state["layers"] = {
        name: {**saved, "arrays": dict(saved["arrays"]), "steps": dict(saved["steps"])}
        for name, saved in state["layers"].items()
    }
    state["param_groups"] = [dict(group) for group in state["param_groups"]]
    change(state)
    return state


BAD_STATES = {
    "beta_1=7": lambda s: s["hyperparameters"].__setitem__("beta_1", 7),
    "lr=-3": lambda s: s["hyperparameters"].__setitem__("learning_rate", -3),
    "lr=NaN": lambda s: s["hyperparameters"].__setitem__("learning_rate", math.nan),
    "lr=inf": lambda s: s["hyperparameters"].__setitem__("learning_rate", math.inf),
    "decay=inf": lambda s: s["hyperparameters"].__setitem__("decay", math.inf),
    "amsgrad='no'": lambda s: s["hyperparameters"].__setitem__("amsgrad", "no"),
    "iterations=-5": lambda s: s.__setitem__("iterations", -5),
    "iterations=1.5": lambda s: s.__setitem__("iterations", 1.5),
    "iterations=array": lambda s: s.__setitem__("iterations", np.arange(3)),
    "current_learning_rate='abc'": lambda s: s.__setitem__("current_learning_rate", "abc"),
    "current_learning_rate=inf": lambda s: s.__setitem__("current_learning_rate", math.inf),
    "learning_rate_factor=-1": lambda s: s.__setitem__("learning_rate_factor", -1.0),
    "step -1": lambda s: s["layers"]["dense"]["steps"].__setitem__("weights", -1),
    "negative cache": lambda s: s["layers"]["dense"]["arrays"].__setitem__(
        "weight_cache", -np.ones((3, 2))
    ),
    "NaN momentums": lambda s: s["layers"]["dense"]["arrays"].__setitem__(
        "weight_momentums", np.full((3, 2), np.nan)
    ),
    "unknown state array": lambda s: s["layers"]["dense"]["arrays"].__setitem__(
        "weight_evil", np.ones((3, 2))
    ),
    "a state array named like a method": lambda s: s["layers"]["dense"]["arrays"].__setitem__(
        "forward", np.ones((3, 2))
    ),
    "group beta_1=7": lambda s: s["param_groups"][0].__setitem__("beta_1", 7),
    "group with an unknown layer": lambda s: s["param_groups"][0].__setitem__("layers", ["x"]),
    "steps not a dict": lambda s: s["layers"]["dense"].__setitem__("steps", [1, 2]),
}


@pytest.mark.parametrize("change", BAD_STATES.values(), ids=BAD_STATES.keys())
def test_a_bad_state_dict_is_refused_and_changes_nothing(saved_adam, change):
    state = changed(saved_adam, change)
    layer = layer_pair(seed=5)
    optimizer = Optimizer_Adam(0.5, decay=0.1)
    optimizer.add_param_group({"layers": [layer], "weight_decay": 0.5})
    optimizer.step([layer])
    before_layer = {k: np.copy(v) for k, v in vars(layer).items() if isinstance(v, np.ndarray)}
    before = {
        key: getattr(optimizer, key)
        for key in ("learning_rate", "decay", "iterations", "current_learning_rate", "beta_1")
    }
    groups = [dict(group) for group in optimizer.added_groups]
    with pytest.raises(ValueError, match=r"Optimizer_Adam\.load_state_dict"):
        optimizer.load_state_dict(state, [layer])
    assert {key: getattr(optimizer, key) for key in before} == before
    assert [dict(group) for group in optimizer.added_groups] == groups
    after_layer = {k: v for k, v in vars(layer).items() if isinstance(v, np.ndarray)}
    assert after_layer.keys() == before_layer.keys()
    for key, value in before_layer.items():
        np.testing.assert_array_equal(after_layer[key], value)


def test_a_load_failing_on_iterations_keeps_the_learning_rate_and_the_groups(saved_adam):
    """The issue's case: before, the learning rate was replaced and the groups wiped."""
    state = changed(saved_adam, lambda s: s.__setitem__("iterations", "five"))
    state["hyperparameters"]["learning_rate"] = 0.123
    layer = layer_pair()
    optimizer = Optimizer_Adam(0.5)
    optimizer.add_param_group({"layers": [layer], "weight_decay": 0.5})
    with pytest.raises(ValueError, match="iterations"):
        optimizer.load_state_dict(state, [layer])
    assert optimizer.learning_rate == 0.5
    assert optimizer.added_groups[0]["weight_decay"] == 0.5


def test_a_good_state_dict_still_loads_to_the_bit(saved_adam):
    layer = layer_pair()
    optimizer = Optimizer_Adam(0.01)
    optimizer.add_param_group({"parameters": ["biases"], "learning_rate": 0.001})
    for _ in range(2):
        optimizer.step([layer])
    fresh_layer = layer_pair()
    fresh_layer.weights, fresh_layer.biases = layer.weights.copy(), layer.biases.copy()
    fresh = Optimizer_Adam(0.5)
    fresh.load_state_dict(saved_adam, [fresh_layer])
    optimizer.step([layer])
    fresh.step([fresh_layer])
    np.testing.assert_array_equal(fresh_layer.weights, layer.weights)
    np.testing.assert_array_equal(fresh_layer.biases, layer.biases)


FILE_EDITS = {
    "beta_1=7": (("hyperparameters", "beta_1"), 7),
    "lr=-3": (("hyperparameters", "learning_rate"), -3),
    "decay=Infinity": (("hyperparameters", "decay"), math.inf),
    "iterations=-5": (("iterations",), -5),
    "current_learning_rate='abc'": (("current_learning_rate",), "abc"),
    "step -1": (("layers", "dense_1", "steps", "weights"), -1),
}


def edit_optimizer_state(keys, value):
    def change(tree):
        place = tree["model"]["optimizer"]["state"]
        for key in keys[:-1]:
            place = place[key]
        place[keys[-1]] = value

    return change


@pytest.mark.parametrize(("keys", "value"), FILE_EDITS.values(), ids=FILE_EDITS.keys())
def test_model_load_and_load_checkpoint_refuse_bad_optimizer_state(checkpoint_path, keys, value):
    edit_description(checkpoint_path, edit_optimizer_state(keys, value))
    with pytest.raises(ValueError, match="model.optimizer"):
        Model.load(checkpoint_path)
    model = classifier(seed=9)
    before = snapshot(model)
    with pytest.raises(ValueError, match="model.optimizer"):
        load_checkpoint(checkpoint_path, model)
    assert_same(before, snapshot(model))


def test_a_negative_cache_in_a_file_is_refused(checkpoint_path):
    arrays = entries(checkpoint_path)
    name = "model.optimizer.state.layers.dense_1.arrays.weight_cache"
    arrays[name] = -np.abs(arrays[name]) - 1
    write_entries(checkpoint_path, arrays)
    model = classifier(seed=9)
    before = snapshot(model)
    with pytest.raises(ValueError, match="weight_cache holds negative numbers"):
        load_checkpoint(checkpoint_path, model)
    assert_same(before, snapshot(model))


def test_unknown_state_arrays_never_become_layer_attributes(checkpoint_path):
    def add(tree):
        tree["model"]["optimizer"]["state"]["layers"]["dense_1"]["arrays"]["backward"] = 1.0

    edit_description(checkpoint_path, add)
    model = classifier(seed=9)
    with pytest.raises(ValueError, match="'backward' is not one of the state arrays"):
        load_checkpoint(checkpoint_path, model)
    assert callable(model.layers[0].backward)


def test_an_sgd_checkpoint_loads_into_sgd_only(tmp_path):
    model = trained(optimizer=Optimizer_SGD(0.1, momentum=0.9))
    state = model.optimizer.state_dict(model.named_layers())
    with pytest.raises(ValueError, match="saved by Optimizer_SGD, not Optimizer_Adam"):
        Optimizer_Adam().load_state_dict(state, model.named_layers())


@pytest.mark.parametrize(
    ("key", "value"),
    [("current_learning_rate", "abc"), ("num_bad_epochs", -1), ("best", math.nan)],
)
def test_a_schedule_state_is_checked_and_left_as_it_was(key, value):
    layer = layer_pair()
    schedule = Schedule_ReduceOnPlateau(0.1, patience=1)
    optimizer = Optimizer_Adam(schedule)
    optimizer.step([layer])
    state = optimizer.state_dict([layer])
    state["schedule"] = {**state["schedule"], key: value}
    fresh_schedule = Schedule_ReduceOnPlateau(0.1, patience=1)
    fresh_schedule.report(5.0)
    before = fresh_schedule.state_dict()
    with pytest.raises(ValueError, match=rf"schedule's state is invalid.*{key}"):
        Optimizer_Adam(fresh_schedule).load_state_dict(state, [layer_pair()])
    assert fresh_schedule.state_dict() == before


def test_a_negative_epoch_in_a_checkpoint_is_refused(checkpoint_path):
    edit_description(checkpoint_path, lambda tree: tree["training"].__setitem__("epoch", -5))
    with pytest.raises(ValueError, match="training.epoch should be a whole number >= 0"):
        load_checkpoint(checkpoint_path)
