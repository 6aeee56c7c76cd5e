"""An optimizer's checkpoint: its settings, step counts and every state array, by name.

``optimizer.state_dict(layers)`` returns a plain dict; ``optimizer.load_state_dict(state,
layers)`` restores it into fresh objects, so that stopping after k steps, saving, loading and
going on gives the same weights, to the bit, as a run that never stopped.

Unlike PyTorch, whose checkpoints number the parameters by position and load a wrong-shaped
checkpoint silently, state is keyed by *layer name* and *attribute name*, and everything is
checked before anything changes: the optimizer kind, the layer names, and the shape and dtype of
every array. ``layers`` is a dict ``{"dense1": dense1, ...}`` or a list of layers whose
``name`` attributes are set (``Layer_Dense(2, 64, name="dense1")``).

Layout of the dict::

    {"optimizer": "Optimizer_Adam",
     "iterations": 120, "current_learning_rate": 0.0499..., "learning_rate_factor": 0.99...,
     "hyperparameters": {"learning_rate": 0.05, "decay": 5e-07, "beta_1": 0.9, ...},
     "param_groups": [{"layers": ["dense2"], "learning_rate": 0.001}],
     "layers": {"dense1": {"kind": "Optimizer_Adam",
                           "steps": {"weights": 120, "biases": 120},
                           "scalars": {"weights": {}, "biases": {}},
                           "arrays": {"weight_momentums": ndarray, ...}}, ...}}

All values are numbers, strings, lists, dicts and NumPy arrays, so the dict can be written
without pickle (see ``nnlite.files.model_files``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from nnlite.layer_names import named_layers
from nnlite.optimizers.engine.state import OptimizerRecord
from nnlite.parameters import declared_parameters

SETTINGS = ("decay", "global_clip_norm")


def optimizer_state_dict(
    optimizer: Any, layers: Mapping[str, object] | Iterable[object]
) -> dict[str, Any]:
    """The checkpoint of ``optimizer`` for ``layers`` (arrays are copies)."""
    where = f"{type(optimizer).__name__}.state_dict"
    named = named_layers(layers, where)
    names_by_layer = {id(layer): name for name, layer in named.items()}
    state: dict[str, Any] = {
        "optimizer": type(optimizer).__name__,
        "iterations": optimizer.iterations,
        "current_learning_rate": optimizer.current_learning_rate,
        "learning_rate_factor": optimizer.learning_rate_factor,
        "hyperparameters": {
            **{key: optimizer.param_groups[0][key] for key in optimizer.param_groups[0]},
            **{key: getattr(optimizer, key) for key in SETTINGS},
        },
        "param_groups": [
            _group_for_saving(group, names_by_layer, where) for group in optimizer.added_groups
        ],
        "layers": {},
    }
    if optimizer.schedule is not None and hasattr(optimizer.schedule, "state_dict"):
        state["schedule"] = optimizer.schedule.state_dict()
    for name, layer in named.items():
        record = getattr(layer, "optimizer_state", None)
        if not isinstance(record, OptimizerRecord) or record.kind != type(optimizer).__name__:
            continue  # not updated by this optimizer yet: nothing to save
        state["layers"][name] = {
            "kind": record.kind,
            "steps": dict(record.steps),
            "scalars": {key: _copied(values) for key, values in record.extras.items()},
            "arrays": {
                array_name: np.array(getattr(layer, array_name), copy=True)
                for array_name in record.state_attributes
                if hasattr(layer, array_name)
            },
        }
    return state


def load_optimizer_state_dict(
    optimizer: Any,
    state: Mapping[str, Any],
    layers: Mapping[str, object] | Iterable[object],
) -> None:
    """Restore ``state`` into ``optimizer`` and ``layers``; check everything first."""
    kind = type(optimizer).__name__
    where = f"{kind}.load_state_dict"
    named = named_layers(layers, where)
    for key in ("optimizer", "iterations", "hyperparameters", "layers"):
        if key not in state:
            raise ValueError(f"{where}: the checkpoint has no {key!r} entry; is it a state_dict?")
    if state["optimizer"] != kind:
        raise ValueError(
            f"{where}: the checkpoint was saved by {state['optimizer']}, not {kind}; "
            f"its state would mean something else here"
        )
    unknown = sorted(set(state["hyperparameters"]) - set(optimizer.param_groups[0]) - set(SETTINGS))
    if unknown:
        raise ValueError(f"{where}: the checkpoint has unknown hyperparameters {unknown}")
    missing = sorted(set(state["layers"]) - set(named))
    if missing:
        raise ValueError(
            f"{where}: the checkpoint has state for layers {missing}, which are not among the "
            f"layers given ({sorted(named)})"
        )
    for name, saved in state["layers"].items():
        _check_layer_state(named[name], saved, kind, f"{where}: layer {name!r}")
    groups = [_group_for_loading(group, named, where) for group in state.get("param_groups", [])]

    # Everything matches: restore
    for key, value in state["hyperparameters"].items():
        setattr(optimizer, key, value)
    optimizer.iterations = int(state["iterations"])
    optimizer.current_learning_rate = state.get("current_learning_rate", optimizer.learning_rate)
    optimizer.learning_rate_factor = state.get("learning_rate_factor", 1.0)
    optimizer.added_groups = []
    for group in groups:
        optimizer.add_param_group(group)
    if "schedule" in state and hasattr(optimizer.schedule, "load_state_dict"):
        optimizer.schedule.load_state_dict(state["schedule"])
    for name, saved in state["layers"].items():
        layer = named[name]
        previous = getattr(layer, "optimizer_state", None)
        if isinstance(previous, OptimizerRecord):
            for array_name in previous.state_attributes:
                if hasattr(layer, array_name):
                    delattr(layer, array_name)
        record = OptimizerRecord(kind=kind)
        record.steps = {key: int(value) for key, value in saved["steps"].items()}
        record.extras = {key: _copied(values) for key, values in saved.get("scalars", {}).items()}
        for array_name, array in saved["arrays"].items():
            setattr(layer, array_name, np.array(array, copy=True))
            record.state_attributes.append(array_name)
        layer.optimizer_state = record


def _copied(values: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a parameter's scalar state, copying any arrays in it (never sharing them)."""
    return {
        key: np.array(value, copy=True) if isinstance(value, np.ndarray) else value
        for key, value in values.items()
    }


def _check_layer_state(layer: object, saved: Mapping[str, Any], kind: str, where: str) -> None:
    if saved.get("kind") != kind:
        raise ValueError(f"{where}: its state was made by {saved.get('kind')}, not {kind}")
    parameters = {parameter.name: parameter for parameter in declared_parameters(layer)}
    unknown_steps = sorted(set(saved["steps"]) - set(parameters))
    if unknown_steps:
        raise ValueError(
            f"{where}: the checkpoint has state for parameters {unknown_steps}, but the layer "
            f"has {sorted(parameters)}"
        )
    by_prefix = {parameter.state_prefix + "_": parameter for parameter in parameters.values()}
    for array_name, array in saved["arrays"].items():
        owner = next((p for prefix, p in by_prefix.items() if array_name.startswith(prefix)), None)
        if owner is None:
            raise ValueError(
                f"{where}: the checkpoint array {array_name!r} belongs to none of the layer's "
                f"parameters {sorted(parameters)}"
            )
        value = getattr(layer, owner.name)
        array = np.asarray(array)
        if array.shape != value.shape or not np.can_cast(value.dtype, array.dtype):
            raise ValueError(
                f"{where}: {array_name} in the checkpoint has shape {array.shape} and dtype "
                f"{array.dtype}, but {owner.name} has shape {value.shape} and dtype {value.dtype}"
            )


def _group_for_saving(
    group: Mapping[str, Any], names_by_layer: dict[int, str], where: str
) -> dict[str, Any]:
    saved = dict(group)
    if "layers" in saved:
        try:
            saved["layers"] = [names_by_layer[id(layer)] for layer in group["layers"]]
        except KeyError:
            raise ValueError(
                f"{where}: a param group selects a layer that is not among the layers given"
            ) from None
    return saved


def _group_for_loading(
    group: Mapping[str, Any], named: dict[str, object], where: str
) -> dict[str, Any]:
    loaded = dict(group)
    if "layers" in loaded:
        unknown = [name for name in loaded["layers"] if name not in named]
        if unknown:
            raise ValueError(f"{where}: a param group names layers {unknown} that are not given")
        loaded["layers"] = [named[name] for name in loaded["layers"]]
    return loaded
