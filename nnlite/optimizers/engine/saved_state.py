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

import copy
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from nnlite.layer_names import named_layers
from nnlite.optimizers.engine.state import OptimizerRecord, state_attribute
from nnlite.optimizers.param_groups import settings_for
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
    """Restore ``state`` into ``optimizer`` and ``layers``: all of it, or nothing.

    Everything is checked and the new state is built aside first: the hyperparameters and
    param groups go through the constructor's own checks (by being set on a copy of the
    optimizer, whose attribute assignments are checked), the counters must be whole numbers
    >= 0, the learning rates finite numbers >= 0, and every array of the right name, shape
    and dtype, finite, and >= 0 where it is a sum of squares. Only then is anything changed.
    """
    kind = type(optimizer).__name__
    where = f"{kind}.load_state_dict"
    named = named_layers(layers, where)
    if not isinstance(state, Mapping):
        raise ValueError(f"{where}: the checkpoint should be a dict, got {type(state).__name__}")
    for key in ("optimizer", "iterations", "hyperparameters", "layers"):
        if key not in state:
            raise ValueError(f"{where}: the checkpoint has no {key!r} entry; is it a state_dict?")
    if state["optimizer"] != kind:
        raise ValueError(
            f"{where}: the checkpoint was saved by {str(state['optimizer']):.60}, not {kind}; "
            f"its state would mean something else here"
        )
    hyperparameters = _mapping(state["hyperparameters"], f"{where}: 'hyperparameters'")
    saved_layers = _mapping(state["layers"], f"{where}: 'layers'")
    saved_groups = state.get("param_groups", [])
    if not isinstance(saved_groups, list) or not all(isinstance(g, dict) for g in saved_groups):
        raise ValueError(f"{where}: 'param_groups' should be a list of dicts")
    unknown = sorted(set(hyperparameters) - set(optimizer.param_groups[0]) - set(SETTINGS))
    if unknown:
        raise ValueError(f"{where}: the checkpoint has unknown hyperparameters {unknown}")
    missing = sorted(set(saved_layers) - set(named))
    if missing:
        raise ValueError(
            f"{where}: the checkpoint has state for layers {missing}, which are not among the "
            f"layers given ({sorted(named)})"
        )
    iterations = _count(state["iterations"], f"{where}: 'iterations'")
    rates = {
        key: _rate(state.get(key, default), f"{where}: {key!r}")
        for key, default in (
            ("current_learning_rate", hyperparameters.get("learning_rate", 0.0)),
            ("learning_rate_factor", 1.0),
        )
    }

    # The new optimizer state, built aside: a copy whose assignments run the checks
    shadow = copy.copy(optimizer)
    shadow.added_groups = []
    try:
        shadow.set_hyperparameters(hyperparameters)
        for group in saved_groups:
            shadow.add_param_group(_group_for_loading(group, named, where))
    except (TypeError, ValueError, KeyError) as error:
        raise ValueError(f"{where}: invalid hyperparameters in the checkpoint: {error}") from None
    shadow.iterations = iterations
    for key, value in rates.items():
        setattr(shadow, key, value)
    records = {
        name: _layer_record(shadow, named[name], saved, kind, f"{where}: layer {name!r}")
        for name, saved in saved_layers.items()
    }

    # The schedule restores itself; put back as it was if it refuses
    schedule = optimizer.schedule
    if "schedule" in state and hasattr(schedule, "load_state_dict"):
        before = schedule.state_dict()
        try:
            schedule.load_state_dict(state["schedule"])
        except Exception as error:
            schedule.load_state_dict(before)
            raise ValueError(f"{where}: the schedule's state is invalid: {error}") from None

    # Everything is checked: swap it in
    optimizer.__dict__.update(shadow.__dict__)
    for name, (record, arrays) in records.items():
        layer = named[name]
        previous = getattr(layer, "optimizer_state", None)
        if isinstance(previous, OptimizerRecord):
            for array_name in previous.state_attributes:
                if hasattr(layer, array_name):
                    delattr(layer, array_name)
        for array_name, array in arrays.items():
            setattr(layer, array_name, array)
        layer.optimizer_state = record


#: State arrays that are sums or maxima of squares or magnitudes: never negative (a negative
#: cache would give the square root of a negative number, NaN, at the next step)
NON_NEGATIVE_STATES = ("cache", "delta_cache", "max_cache", "infinity_norm", "step_sizes")


def _mapping(value: object, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping) or not all(isinstance(key, str) for key in value):
        raise ValueError(f"{where} should be a dict with string keys, found {value!r:.60}")
    return value


def _count(value: object, where: str) -> int:
    """A step count: a whole number >= 0."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | np.integer):
        raise ValueError(f"{where} should be a whole number >= 0, found {value!r:.60}")
    if value < 0:
        raise ValueError(f"{where} should be a whole number >= 0, found {value}")
    return int(value)


def _rate(value: object, where: str) -> float:
    """A learning rate or factor: a finite real number >= 0."""
    if isinstance(value, bool | np.bool_) or not isinstance(value, int | float | np.number):
        raise ValueError(f"{where} should be a number >= 0, found {value!r:.60}")
    if isinstance(value, np.complexfloating) or not (np.isfinite(value) and value >= 0):
        raise ValueError(f"{where} should be a finite number >= 0, found {value!r}")
    return value


def _finite_array(value: object, where: str) -> np.ndarray:
    if not isinstance(value, np.ndarray) or value.dtype.kind != "f":
        found = f"dtype {value.dtype}" if isinstance(value, np.ndarray) else f"{value!r:.60}"
        raise ValueError(f"{where} should be a floating-point array, found {found}")
    if not np.isfinite(value).all():
        raise ValueError(f"{where} holds NaN or infinity")
    return value


def _layer_record(
    optimizer: Any, layer: object, saved: object, kind: str, where: str
) -> tuple[OptimizerRecord, dict[str, np.ndarray]]:
    """The record and state arrays of one layer, checked and copied, ready to be set."""
    saved = _mapping(saved, where)
    if saved.get("kind") != kind:
        raise ValueError(f"{where}: its state was made by {saved.get('kind')!r:.60}, not {kind}")
    steps = _mapping(saved.get("steps", {}), f"{where}: steps")
    scalars = _mapping(saved.get("scalars", {}), f"{where}: scalars")
    arrays = _mapping(saved.get("arrays", {}), f"{where}: arrays")
    parameters = {parameter.name: parameter for parameter in declared_parameters(layer)}
    unknown_steps = sorted((set(steps) | set(scalars)) - set(parameters))
    if unknown_steps:
        raise ValueError(
            f"{where}: the checkpoint has state for parameters {unknown_steps}, but the layer "
            f"has {sorted(parameters)}"
        )
    # Exactly the arrays this optimizer keeps, under their own names: nothing else may
    # become an attribute of the layer
    expected = {}
    for parameter in parameters.values():
        settings, _ = settings_for(optimizer, layer, parameter, dict(optimizer.param_groups[0]))
        for suffix in (*optimizer.state_names, *optimizer.state_names_for(settings)):
            expected[state_attribute(parameter, suffix)] = (parameter, suffix)
    record = OptimizerRecord(kind=kind)
    record.steps = {key: _count(value, f"{where}: steps.{key}") for key, value in steps.items()}
    copies = {}
    for array_name, array in arrays.items():
        if array_name not in expected:
            raise ValueError(
                f"{where}: the checkpoint array {array_name!r} is not one of the state arrays "
                f"{kind} keeps for this layer {sorted(expected)}"
            )
        owner, suffix = expected[array_name]
        value = getattr(layer, owner.name)
        array = _finite_array(array, f"{where}: {array_name}")
        if array.shape != value.shape or not np.can_cast(value.dtype, array.dtype):
            raise ValueError(
                f"{where}: {array_name} in the checkpoint has shape {array.shape} and dtype "
                f"{array.dtype}, but {owner.name} has shape {value.shape} and dtype {value.dtype}"
            )
        if suffix in NON_NEGATIVE_STATES and (array < 0).any():
            raise ValueError(f"{where}: {array_name} holds negative numbers; it never can")
        copies[array_name] = np.array(array, copy=True)
        record.state_attributes.append(array_name)
    extras = {}
    for key, values in scalars.items():
        values = _mapping(values, f"{where}: scalars.{key}")
        for name, value in values.items():
            label = f"{where}: scalars.{key}.{name}"
            if isinstance(value, np.ndarray):
                _finite_array(value, label)
            elif isinstance(value, bool) or not isinstance(value, int | float | np.number):
                raise ValueError(f"{label} should be a number or an array, found {value!r:.60}")
            elif not np.isfinite(value):
                raise ValueError(f"{label} should be finite, found {value!r}")
        extras[key] = _copied(values)
    record.extras = extras
    return record, copies


def _copied(values: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a parameter's scalar state, copying any arrays in it (never sharing them)."""
    return {
        key: np.array(value, copy=True) if isinstance(value, np.ndarray) else value
        for key, value in values.items()
    }


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
        if not isinstance(loaded["layers"], list):
            raise ValueError(f"{where}: a param group's 'layers' should be a list of names")
        unknown = [
            name for name in loaded["layers"] if not isinstance(name, str) or name not in named
        ]
        if unknown:
            raise ValueError(f"{where}: a param group names layers {unknown} that are not given")
        loaded["layers"] = [named[name] for name in loaded["layers"]]
    return loaded
