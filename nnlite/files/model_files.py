"""Checkpoints: files of parameters, whole models and training runs, without pickle.

The book saves with pickle, and opening a pickle runs whatever code it contains. nnlite's
files are NumPy ``.npz`` archives of plain arrays, read with ``allow_pickle=False``, written
to a temporary file and renamed into place so that a crash never leaves half a file (see
``nnlite/files/array_files.py``). Three formats, each marked by the entries ``nnlite_format`` and
``nnlite_version``:

=====================  ============================================  ========================
format (version 1)     written by                                    read by
=====================  ============================================  ========================
``nnlite-parameters``  ``model.save_parameters(path)``               ``model.load_parameters``
``nnlite-model``       ``model.save(path)``                          ``Model.load(path)``
``nnlite-checkpoint``  ``save_checkpoint(path, model, epoch=...)``   ``load_checkpoint(path)``
                                                                     and ``Model.load(path)``
=====================  ============================================  ========================

**nnlite-parameters** holds ``layers``, the reprs of the layers with parameters, and one array
per parameter, ``layer<i>.<name>`` (``layer0.weights``, ``layer0.biases``, ...), ``i``
counting the layers with parameters.

**nnlite-model** holds the entry ``description``, a JSON object, and the arrays it refers to
(``{"__array__": "<entry>"}``, named after their place in the JSON)::

    {"model": {
        "layers": [
            {"name": "dense_1", "class": "Layer_Dense",
             "arguments": {"n_inputs": 2, "n_neurons": 64, "weight_regularizer_l1": 0, ...,
                           "name": null, "check_finite": false},
             "trainable": true,
             "parameters": {"weights": {"__array__": "model.layers.0.parameters.weights"},
                            "biases": {"__array__": "model.layers.0.parameters.biases"}}},
            {"name": "relu_1", "class": "Activation_ReLU", "arguments": {}},
            {"name": "dropout_1", "class": "Layer_Dropout",
             "arguments": {"rate": 0.1, "rng": {"__generator__": 0}}},
            ...],
        "loss": {"class": "Loss_CategoricalCrossentropy", "arguments": {}},
        "accuracy": {"class": "Accuracy_Categorical", "arguments": {"binary": false}},
        "optimizer": {"class": "Optimizer_Adam", "schedule": null,
                      "state": <optimizer.state_dict(model.named_layers())>}},
     "generators": [<generator.bit_generator.state>, ...]}

A layer's ``name`` is its name in the model (:meth:`~nnlite.Model.named_layers`), which keys
the optimizer's state. Classes are looked up by name among nnlite's own
(``nnlite/files/architecture.py``); nothing named in a file is ever imported.

**nnlite-checkpoint** is an nnlite-model plus what resuming needs::

    "training": {"epoch": 30, "rng": {"__generator__": 0} or null,
                 "global_rng": <np.random.get_state(legacy=False)>, "extra": ...}

Stop after epoch k, ``save_checkpoint``, ``load_checkpoint`` into fresh objects (restoring the
global ``np.random`` stream), ``model.train(..., epochs=n, initial_epoch=k, rng=rng)``: the
weights are those of an uninterrupted n-epoch run, to the bit.

Loading checks the format, the version, the classes, the names, and every array's shape and
dtype before changing anything, and says which file, which entry and what differs. What a file
can make nnlite do is bounded: each array's ``.npy`` header is read before its data and the
sizes declared must fit the file's own size (``array_files.read_members``); layers are built
from the file's arrays, never by drawing weights of a declared size; random states are checked
completely (``random_state.check_state``); optimizer state goes through the constructors'
checks and is swapped in only when all of it is valid. A file nnlite refuses raises
``ValueError``, and the model loaded into and the global random stream are left as they were.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from nnlite.files import architecture, optimizer_files
from nnlite.files.array_files import pack, read_arrays, unpack, write_atomically
from nnlite.parameters import declared_parameters

PARAMETERS = "nnlite-parameters"
MODEL = "nnlite-model"
CHECKPOINT = "nnlite-checkpoint"
VERSION = 1
DESCRIPTION = "description"

_BOOK_MODEL = (
    "If you trust this file (say, a model you saved with the book's own Model.save), import "
    "it with nnlite.load_book_model(path, trust_this_file=True)."
)
_BOOK_PARAMETERS = (
    "If you trust this file (say, parameters you saved with the book's save_parameters), read "
    "them with nnlite.load_book_parameters(path, trust_this_file=True) and pass them to "
    "model.set_parameters(...)."
)
_ADVICE = {
    PARAMETERS: "It holds only parameters: build the model in code, then "
    "model.load_parameters(path).",
    MODEL: "It is a whole model, without training state (epoch, random streams): open it with "
    "Model.load(path).",
    CHECKPOINT: "It is a training checkpoint: open it with load_checkpoint(path), or "
    "Model.load(path) for the model alone.",
}


# ---------------------------------------------------------------------- parameters


def saved_arrays(layer: object) -> list[str]:
    """The arrays a file keeps of ``layer``: its parameters, then its buffers (state that is
    not trained, such as a batch normalization's running statistics)."""
    return [spec.name for spec in declared_parameters(layer)] + list(getattr(layer, "buffers", ()))


def _layers_with_arrays(model: Any) -> list:
    return [layer for layer in model.layers if saved_arrays(layer)]


def save_parameters(path: str | os.PathLike, model: Any) -> None:
    """Write the parameters of ``model`` as an nnlite-parameters file (see the docstring)."""
    layers = _layers_with_arrays(model)
    arrays = {
        "nnlite_format": np.array(PARAMETERS),
        "nnlite_version": np.array(VERSION),
        "layers": np.array([repr(layer) for layer in layers], dtype=str),
    }
    for index, layer in enumerate(layers):
        for name in saved_arrays(layer):
            array = np.asarray(getattr(layer, name))
            if array.dtype.hasobject:
                raise TypeError(
                    f"Model.save_parameters: {name} of {layer!r} holds Python objects "
                    f"(dtype object); only numeric arrays can be saved"
                )
            arrays[f"layer{index}.{name}"] = array
    write_atomically(path, arrays)


def load_parameters(path: str | os.PathLike, model: Any) -> None:
    """Read an nnlite-parameters file into ``model``'s layers, or change nothing and say why."""
    path = os.fspath(path)
    _, arrays = read_arrays(
        path,
        formats={PARAMETERS: VERSION},
        reader="Model.load_parameters",
        if_pickle=_BOOK_PARAMETERS,
        if_other_format=_ADVICE.get,
    )
    if "layers" not in arrays or arrays["layers"].ndim != 1:
        raise ValueError(f"{path!r} has no 'layers' entry; it was not written by nnlite")
    saved = [str(description) for description in arrays.pop("layers")]
    layers = _layers_with_arrays(model)
    if len(saved) != len(layers):
        listed = ", ".join(repr(layer) for layer in layers) or "none"
        raise ValueError(
            f"{path!r} holds parameters of {len(saved)} layer(s) ({', '.join(saved)}) but "
            f"the model has {len(layers)} layer(s) with parameters: {listed}"
        )
    parameters, buffers = [], []
    for index, layer in enumerate(layers):
        names = saved_arrays(layer)
        prefix = f"layer{index}."
        in_file = [key[len(prefix) :] for key in arrays if key.startswith(prefix)]
        if sorted(in_file) != sorted(names):
            raise ValueError(
                f"{path!r}: layer {index} has the parameters {sorted(in_file)} in the file "
                f"({saved[index]}) but {sorted(names)} in the model ({layer!r})"
            )
        values = []
        for name in names:
            value = arrays.pop(prefix + name)
            current = np.asarray(getattr(layer, name))
            if value.shape != current.shape:
                raise ValueError(
                    f"{path!r}: {name} of layer {index} has shape {value.shape} in the file "
                    f"({saved[index]}) but {current.shape} in the model ({layer!r})"
                )
            if value.dtype != current.dtype:
                raise ValueError(
                    f"{path!r}: {name} of layer {index} ({layer!r}) has dtype {value.dtype} "
                    f"in the file but {current.dtype} in the model; build the model with "
                    f"the same dtype (nnfs.init() gives float32 weights; "
                    f"Layer_Dense(..., dtype=...) chooses one)"
                )
            values.append(value)
        count = len(declared_parameters(layer))
        if count:
            parameters.append(tuple(values[:count]))
        buffers += [
            (layer, name, value) for name, value in zip(names[count:], values[count:], strict=True)
        ]
    if arrays:
        raise ValueError(f"{path!r} has entries this model does not use: {sorted(arrays)}")
    model.set_parameters(parameters)
    for layer, name, value in buffers:
        setattr(layer, name, value)


# ---------------------------------------------------------------------- models


def save_model(path: str | os.PathLike, model: Any) -> None:
    """Write ``model`` (layers, parameters, loss, accuracy, optimizer) as an nnlite-model."""
    description = describe_model(model, "Model.save")
    unbuildable = _unbuildable(description)
    if unbuildable:
        raise ValueError(
            f"Model.save: {unbuildable}, so a file cannot say how to build it again. Save the "
            f"parameters (model.save_parameters(path)) or a training checkpoint "
            f"(save_checkpoint(path, model, epoch=...)), and load it into a model built in code"
        )
    write(path, MODEL, {"model": description}, "Model.save")


def load_model(path: str | os.PathLike, model: Any) -> Any:
    """Build the model of an nnlite-model or nnlite-checkpoint file into ``model``, a new,
    empty ``Model``, and finalize it."""
    path = os.fspath(path)
    tree = read(path, {MODEL: VERSION, CHECKPOINT: VERSION}, "Model.load")
    return build_model(tree["model"], path, model)


# ---------------------------------------------------------------------- writing and reading


def write(path: str | os.PathLike, kind: str, tree: dict[str, Any], where: str) -> None:
    try:
        text, arrays = pack(tree)
    except TypeError as error:
        raise TypeError(f"{where}: {error}") from None
    write_atomically(
        path,
        {
            "nnlite_format": np.array(kind),
            "nnlite_version": np.array(VERSION),
            DESCRIPTION: np.array(text),
            **arrays,
        },
    )


def read(path: str, formats: dict[str, int], reader: str) -> dict[str, Any]:
    _, arrays = read_arrays(
        path, formats=formats, reader=reader, if_pickle=_BOOK_MODEL, if_other_format=_ADVICE.get
    )
    text = arrays.pop(DESCRIPTION, None)
    if text is None or text.shape != () or text.dtype.kind != "U":
        raise ValueError(f"{path!r} has no {DESCRIPTION!r} entry (a JSON string)")
    tree = unpack(str(text), arrays, path=path, entry=DESCRIPTION)
    field(tree, "model", dict, path, DESCRIPTION)
    return tree


def field(mapping: Mapping[str, Any], key: str, kind: type, path: str, where: str) -> Any:
    """``mapping[key]``, which must be a ``kind``; otherwise a ValueError saying so."""
    value = mapping.get(key)
    if not isinstance(value, kind) or isinstance(value, bool) and kind is not bool:
        raise ValueError(
            f"{path!r}: {where}.{key} should be a {kind.__name__}, found {value!r:.60}"
        )
    return value


# ---------------------------------------------------------------------- the model description


def describe_model(model: Any, where: str) -> dict[str, Any]:
    if not model.layers:
        raise ValueError(f"{where}: the model has no layers")
    named = model.named_layers()
    layers = []
    for name, layer in named.items():
        spec = {"name": name, **architecture.describe(layer, "layer")}
        names = saved_arrays(layer)
        if names:
            spec["trainable"] = getattr(layer, "trainable", True) is not False
            # The parameters, and buffers such as a batch normalization's running statistics
            spec["parameters"] = {name: np.asarray(getattr(layer, name)) for name in names}
        layers.append(spec)
    optimizer = None
    if model.optimizer is not None:
        try:
            optimizer = architecture.describe_optimizer(model.optimizer, named)
        except TypeError as error:
            raise TypeError(f"{where}: {error}") from None
    return {
        "layers": layers,
        "loss": None if model.loss is None else architecture.describe(model.loss, "loss"),
        "accuracy": (
            None if model.accuracy is None else architecture.describe(model.accuracy, "accuracy")
        ),
        "optimizer": optimizer,
    }


def _unbuildable(description: dict[str, Any]) -> str | None:
    """Why the description cannot be rebuilt from a file, or None if it can."""
    for index, spec in enumerate(description["layers"]):
        if spec["arguments"] is None:
            return f"layer {index} ({spec['name']!r}) is a {spec['class']}: {spec['reason']}"
    for role in ("loss", "accuracy"):
        part = description[role]
        if part is not None and part["arguments"] is None:
            return f"the {role} is a {part['class']}: {part['reason']}"
    schedule = (description["optimizer"] or {}).get("schedule")
    if schedule is not None and schedule["arguments"] is None:
        return f"the optimizer's schedule is a {schedule['class']}: {schedule['reason']}"
    return None


def _layer_specs(description: Mapping[str, Any], path: str) -> list[dict[str, Any]]:
    _check_roles(description, path)
    specs = field(description, "layers", list, path, "model")
    for index, spec in enumerate(specs):
        where = f"model.layers.{index}"
        if not isinstance(spec, dict):
            raise ValueError(f"{path!r}: {where} should be a JSON object, found {spec!r:.60}")
        field(spec, "name", str, path, where)
        _check_part(spec, path, where)
        if "parameters" in spec:
            field(spec, "parameters", dict, path, where)
            field(spec, "trainable", bool, path, where)
    return specs


def _check_part(part: object, path: str, where: str) -> None:
    """A described object: a JSON object whose ``class`` is a string and whose ``arguments``
    are a JSON object (or null, for a class that cannot be rebuilt)."""
    if not isinstance(part, dict):
        raise ValueError(f"{path!r}: {where} should be a JSON object, found {part!r:.60}")
    field(part, "class", str, path, where)
    if part.get("arguments") is not None:
        field(part, "arguments", dict, path, where)


def _check_roles(description: Mapping[str, Any], path: str) -> None:
    """The loss, accuracy and optimizer parts of a description, if present, are well formed."""
    for role in ("loss", "accuracy", "optimizer"):
        part = description.get(role)
        if part is None:
            continue
        if role == "optimizer":
            if not isinstance(part, dict):
                raise ValueError(f"{path!r}: model.optimizer should be a JSON object")
            field(part, "class", str, path, "model.optimizer")
            field(part, "state", dict, path, "model.optimizer")
            if part.get("schedule") is not None:
                field(part, "schedule", dict, path, "model.optimizer")
        else:
            _check_part(part, path, f"model.{role}")


def _check_parameters(
    spec: Mapping[str, Any], layer: object, index: int, path: str, *, built: bool
) -> None:
    """The file's parameters of layer ``index`` must fit ``layer``: names, shapes, dtypes.

    A layer ``built`` from the file takes any floating dtype; one built in code must have
    the file's dtypes, as ``load_parameters`` requires.
    """
    where = f"layer {index} ({spec['name']!r})"
    names = saved_arrays(layer)
    in_file = spec.get("parameters", {})
    if sorted(in_file) != sorted(names):
        raise ValueError(
            f"{path!r}: {where} has the parameters {sorted(in_file)} in the file but "
            f"{sorted(names)} in the model ({layer!r})"
        )
    for name in names:
        entry = f"model.layers.{index}.parameters.{name}"
        value = in_file[name]
        current = np.asarray(getattr(layer, name))
        if not isinstance(value, np.ndarray):
            raise ValueError(f"{path!r}: {entry} should be an array, found {value!r:.60}")
        if value.shape != current.shape:
            raise ValueError(
                f"{path!r}: entry {entry!r} ({name} of {where}) has shape {value.shape} in the "
                f"file but {current.shape} in the model ({layer!r})"
            )
        if built and value.dtype.kind != "f":
            raise ValueError(
                f"{path!r}: entry {entry!r} ({name} of {where}) should hold floating-point "
                f"numbers, found dtype {value.dtype}"
            )
        if not built and value.dtype != current.dtype:
            raise ValueError(
                f"{path!r}: entry {entry!r} ({name} of {where}) has dtype {value.dtype} in the "
                f"file but {current.dtype} in the model; build the model with the same dtype "
                f"(nnfs.init() gives float32 weights; Layer_Dense(..., dtype=...) chooses one)"
            )


def _check_declared_shapes(spec: Mapping[str, Any], index: int, path: str) -> None:
    """The shapes a layer's arguments declare must be those of the file's arrays, which must
    hold floating-point numbers."""
    for name, expected in architecture.declared_shapes(spec).items():
        value = spec.get("parameters", {}).get(name)
        entry = f"model.layers.{index}.parameters.{name}"
        if isinstance(value, np.ndarray) and value.dtype.kind != "f":
            raise ValueError(
                f"{path!r}: entry {entry!r} ({name} of layer {index} ({spec['name']!r})) should "
                f"hold floating-point numbers, found dtype {value.dtype}"
            )
        if isinstance(value, np.ndarray) and value.shape != expected:
            raise ValueError(
                f"{path!r}: entry 'model.layers.{index}.parameters.{name}' ({name} of layer "
                f"{index} ({spec['name']!r})) has shape {value.shape} in the file but "
                f"{expected} in the model's arguments {spec.get('arguments')!r:.120}"
            )


def build_model(description: Mapping[str, Any], path: str, model: Any) -> Any:
    """Build the file's description into ``model`` (a new, empty ``Model``) and finalize it."""
    specs = _layer_specs(description, path)
    if not specs:
        raise ValueError(f"{path!r}: model.layers is empty; a model needs at least one layer")
    for index, spec in enumerate(specs):
        where = f"model.layers.{index} ({spec['name']!r})"
        # The declared sizes are compared with the stored arrays' shapes (read from their
        # headers) first; the arrays then go to the constructor, so nothing is drawn
        _check_declared_shapes(spec, index, path)
        layer = architecture.build(spec, "layer", path, where, spec.get("parameters"))
        _check_parameters(spec, layer, index, path, built=True)
        for name, value in spec.get("parameters", {}).items():
            if name not in architecture.GIVEN_PARAMETERS.get(type(layer), ()):
                setattr(layer, name, value)
        model.add(layer)
    # The file's names key the optimizer state
    named = {spec["name"]: layer for spec, layer in zip(specs, model.layers, strict=True)}
    roles = {}
    for role in ("loss", "accuracy"):
        part = description.get(role)
        if part is not None:
            roles[role] = architecture.build(part, role, path, f"model.{role}")
    if description.get("optimizer") is not None:
        # A frozen layer's state is loaded while it is trainable, then it is frozen
        roles["optimizer"] = architecture.build_optimizer(
            description["optimizer"], named, path, "model.optimizer"
        )
    for spec, layer in zip(specs, model.layers, strict=True):
        if "trainable" in spec:
            layer.trainable = spec["trainable"]
    model.set(**roles)
    model.finalize()
    return model


def load_into(model: Any, description: Mapping[str, Any], path: str) -> None:
    """Load the file's state into ``model``, built in code; check everything first."""
    specs = _layer_specs(description, path)
    named = model.named_layers()
    if len(specs) != len(named):
        raise ValueError(
            f"{path!r}: model.layers has {len(specs)} layers in the file "
            f"({', '.join(spec['name'] for spec in specs)}) but the model has {len(named)} "
            f"({', '.join(named) or 'none'})"
        )
    for index, (spec, (name, layer)) in enumerate(zip(specs, named.items(), strict=True)):
        differences = architecture.differences(spec, layer, "layer")
        if spec["name"] != name:
            differences.insert(0, f"the name is {spec['name']!r} in the file but {name!r} here")
        if differences:
            raise ValueError(
                f"{path!r}: model.layers.{index} ({spec['name']!r}) does not match the model's "
                f"layer {index} ({layer!r}): {'; '.join(differences)}"
            )
        _check_parameters(spec, layer, index, path, built=False)
    for role in ("loss", "accuracy", "optimizer"):
        part = description.get(role)
        ours = getattr(model, role)
        if part is None:
            continue
        if ours is None:
            raise ValueError(
                f"{path!r}: the file has {'an' if role[0] in 'ao' else 'a'} {role} "
                f"({part.get('class')}) but the model has none; "
                f"call model.set({role}={part.get('class')}(...)) first"
            )
        differences = (
            architecture.differences(part, ours, role)
            if role != "optimizer"
            else _optimizer_differences(part, ours)
        )
        if differences:
            raise ValueError(f"{path!r}: model.{role} does not match: {'; '.join(differences)}")

    # The state set below, checked before anything changes
    for index, spec in enumerate(specs):
        rng = (spec.get("arguments") or {}).get("rng")
        if rng is not None and not isinstance(rng, np.random.Generator):
            raise ValueError(
                f"{path!r}: model.layers.{index}.arguments.rng should refer to a generator or "
                f"be null, found {rng!r:.60}"
            )
    accuracy = description.get("accuracy") or {}
    if accuracy.get("class") == "Accuracy_Regression":
        try:
            precision = (accuracy.get("arguments") or {}).get("precision")
            architecture.Accuracy_Regression(precision=precision)
        except ValueError as error:
            raise ValueError(f"{path!r}: model.accuracy: {error}") from None

    # Everything matches. The optimizer checks its state before changing anything.
    if description.get("optimizer") is not None:
        try:
            _load_optimizer_state(model.optimizer, description["optimizer"], named, path)
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"{path!r}: model.optimizer.state: {error}") from None
    for spec, layer in zip(specs, model.layers, strict=True):
        for name, value in spec.get("parameters", {}).items():
            setattr(layer, name, value)
        if "trainable" in spec:
            layer.trainable = spec["trainable"]
        arguments = spec.get("arguments") or {}
        if isinstance(layer, architecture.Layer_Dropout) and "rng" in arguments:
            layer.rng = arguments["rng"]
    if accuracy.get("class") == "Accuracy_Regression":
        model.accuracy.precision = accuracy["arguments"]["precision"]


def _load_optimizer_state(
    optimizer: Any, part: Mapping[str, Any], named: dict[str, object], path: str
) -> None:
    """The file's optimizer state into the model's optimizer, which checks it first."""
    if part.get("face") != "pytorch":
        optimizer.load_state_dict(part["state"], named)
        return
    ours = architecture.pytorch_face_parameter_names(optimizer, named)
    if part.get("parameters") != ours:
        raise ValueError(
            f"its groups hold the parameters {part.get('parameters')!r:.200} in the file but "
            f"{ours} in the model's optimizer"
        )
    optimizer.load_state_dict(optimizer_files.state_dict_from_tree(part["state"], optimizer, path))


def _optimizer_differences(part: Mapping[str, Any], optimizer: object) -> list[str]:
    differences = []
    if part.get("class") != type(optimizer).__name__:
        differences.append(
            f"the class is {part.get('class')} in the file but {type(optimizer).__name__} in "
            f"the model"
        )
    ours = getattr(optimizer, "schedule", None)
    theirs = (part.get("schedule") or {}).get("class")
    if theirs != (None if ours is None else type(ours).__name__):
        differences.append(
            f"the schedule is {theirs} in the file but "
            f"{None if ours is None else type(ours).__name__} in the model"
        )
    return differences
