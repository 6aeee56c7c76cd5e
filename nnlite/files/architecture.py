"""Architecture: nnlite's layers, losses, accuracies, optimizers and schedules as plain data.

:func:`describe` turns an object into ``{"class": "Layer_Dense", "arguments": {...}}``: its
class name and the constructor arguments that build it again. :func:`build` does the reverse.
Only the classes in the tables of this module can be built: a file names a class, the name is
looked up here, and nothing else is ever imported. An object of any other class (a layer
written by hand, say) is described as ``{"class": "MyLayer", "arguments": None, "reason":
...}``: a file can still carry its parameters, to be loaded into a model built in code, but
cannot rebuild it.

Optimizers are rebuilt from their ``state_dict`` (which holds every hyperparameter, see
``nnlite/optimizers/engine/saved_state.py``) and a schedule from its constructor's arguments, read
back from the attributes of the same names.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from nnlite import optim
from nnlite import optimizers as optimizer_classes
from nnlite import schedules as schedule_classes
from nnlite.accuracy import Accuracy_Categorical, Accuracy_Regression
from nnlite.activations import (
    Activation_LeakyReLU,
    Activation_Linear,
    Activation_ReLU,
    Activation_Sigmoid,
    Activation_Softmax,
    Activation_Tanh,
)
from nnlite.files import optimizer_files
from nnlite.layers import (
    Layer_AvgPool2D,
    Layer_BatchNormalization,
    Layer_Conv2D,
    Layer_Dense,
    Layer_Dropout,
    Layer_Embedding,
    Layer_Flatten,
    Layer_MaxPool2D,
)
from nnlite.losses import (
    Loss_BinaryCrossentropy,
    Loss_CategoricalCrossentropy,
    Loss_MeanAbsoluteError,
    Loss_MeanSquaredError,
)
from nnlite.optimizers.optimizer import Optimizer
from nnlite.parameters import named_parameters_of
from nnlite.schedules.base import Schedule


@dataclass(frozen=True)
class Recipe:
    """How to describe and rebuild one class.

    ``arguments`` are the constructor's arguments, read back from the attributes of the same
    names; ``compared`` are those that must agree when a file is loaded into an object built
    in code (the others, such as a dropout's generator, are state the file restores).
    """

    cls: type
    arguments: tuple[str, ...] = ()
    compared: tuple[str, ...] = ()
    #: An argument kept under another attribute: ``{"padding": "padding_argument"}``
    attributes: tuple[tuple[str, str], ...] = ()

    def read(self, obj: object, argument: str) -> Any:
        """The value of ``argument`` as ``obj`` was built with it."""
        return getattr(obj, dict(self.attributes).get(argument, argument))


DENSE_SIZES = ("n_inputs", "n_neurons")
DENSE_REGULARIZERS = (
    "weight_regularizer_l1",
    "weight_regularizer_l2",
    "bias_regularizer_l1",
    "bias_regularizer_l2",
)

CONVOLUTION_SIZES = ("n_input_channels", "n_filters", "kernel_size")

LAYERS = {
    recipe.cls.__name__: recipe
    for recipe in (
        Recipe(
            Layer_Dense,
            arguments=(*DENSE_SIZES, *DENSE_REGULARIZERS, "name", "check_finite"),
            compared=(*DENSE_SIZES, *DENSE_REGULARIZERS),
        ),
        Recipe(Layer_Dropout, arguments=("rate", "rng"), compared=("rate",)),
        Recipe(
            Layer_Embedding,
            arguments=("num_embeddings", "embedding_dim", "sparse", "name"),
            compared=("num_embeddings", "embedding_dim"),
        ),
        Recipe(
            Layer_Conv2D,
            arguments=(
                *CONVOLUTION_SIZES,
                "stride",
                "padding",
                "dilation",
                "bias",
                *DENSE_REGULARIZERS,
                "name",
            ),
            compared=(*CONVOLUTION_SIZES, "stride", "padding", "dilation", "bias"),
            attributes=(("padding", "padding_argument"), ("bias", "has_biases")),
        ),  # fmt: skip
        *(
            Recipe(
                cls,
                arguments=("pool_size", "stride", "padding"),
                compared=("pool_size", "stride", "padding"),
                attributes=(("padding", "padding_argument"),),
            )
            for cls in (Layer_MaxPool2D, Layer_AvgPool2D)
        ),
        Recipe(Layer_Flatten),
        Recipe(
            Layer_BatchNormalization,
            arguments=("n_features", "momentum", "epsilon", "affine", "name"),
            compared=("n_features", "momentum", "epsilon", "affine"),
        ),
        Recipe(Activation_ReLU),
        Recipe(Activation_Softmax),
        Recipe(Activation_Sigmoid),
        Recipe(Activation_Tanh),
        Recipe(Activation_Linear),
        Recipe(Activation_LeakyReLU, arguments=("alpha",), compared=("alpha",)),
    )
}
LOSSES = {
    cls.__name__: Recipe(cls)
    for cls in (
        Loss_CategoricalCrossentropy,
        Loss_BinaryCrossentropy,
        Loss_MeanSquaredError,
        Loss_MeanAbsoluteError,
    )
}
ACCURACIES = {
    "Accuracy_Categorical": Recipe(
        Accuracy_Categorical, arguments=("binary",), compared=("binary",)
    ),
    # The precision is computed from the training targets: state, restored from the file
    "Accuracy_Regression": Recipe(Accuracy_Regression, arguments=("precision",)),
}
# Only the classes: a file must never name a function of these packages (such as
# set_update_threads) and have it called
OPTIMIZERS: dict[str, type] = {
    name: found
    for name in optimizer_classes.__all__
    if isinstance(found := getattr(optimizer_classes, name), type)
    and issubclass(found, Optimizer)
    and found is not Optimizer
}
SCHEDULES: dict[str, type] = {
    name: found
    for name in schedule_classes.__all__
    if isinstance(found := getattr(schedule_classes, name), type)
    and issubclass(found, Schedule)
    and found is not Schedule
}
KINDS = {"layer": LAYERS, "loss": LOSSES, "accuracy": ACCURACIES}


# ---------------------------------------------------------------------- layers, losses, accuracies


def describe(obj: object, kind: str) -> dict[str, Any]:
    """``{"class": ..., "arguments": ...}`` for a layer, loss or accuracy (see the docstring)."""
    name = type(obj).__name__
    recipe = KINDS[kind].get(name)
    if recipe is None or type(obj) is not recipe.cls:
        return {
            "class": name,
            "arguments": None,
            "reason": f"{name} is not one of nnlite's {kind} classes {sorted(KINDS[kind])}",
        }
    arguments = {key: recipe.read(obj, key) for key in recipe.arguments}
    if recipe.cls is Layer_Dense and not obj.has_biases:
        # Written only for Layer_Dense(..., bias=False), so earlier files read as before
        arguments["bias"] = False
    return {"class": name, "arguments": arguments}


#: Layers built from a file take the file's parameters as constructor arguments, so that no
#: weights are drawn (a file declaring Layer_Dense(100000, 100000) must not draw 74 GiB)
GIVEN_PARAMETERS = {
    Layer_Dense: ("weights", "biases"),
    Layer_Embedding: ("weights",),
    Layer_Conv2D: ("weights", "biases"),
}


def declared_shapes(description: Mapping[str, Any]) -> dict[str, tuple]:
    """The array shapes a layer's description declares through its size arguments, read
    without building it (empty when its class or arguments say nothing about them)."""
    cls = getattr(LAYERS.get(description.get("class")), "cls", None)
    arguments = description.get("arguments")
    if not isinstance(arguments, dict):
        return {}
    if cls in (Layer_Dense, Layer_Embedding):
        sizes = (
            ("n_inputs", "n_neurons") if cls is Layer_Dense else ("num_embeddings", "embedding_dim")
        )
        rows, columns = (arguments.get(size) for size in sizes)
        if not _whole(rows, columns):
            return {}  # the constructor says what is wrong with them
        return {"weights": (rows, columns), "biases": (1, columns)}
    if cls is Layer_Conv2D:
        channels, filters, kernel = (arguments.get(size) for size in CONVOLUTION_SIZES)
        kernel = kernel if isinstance(kernel, list) else [kernel, kernel]
        if len(kernel) != 2 or not _whole(channels, filters, *kernel):
            return {}
        return {"weights": (filters, channels, *kernel), "biases": (1, filters)}
    if cls is Layer_BatchNormalization:
        features = arguments.get("n_features")
        if not _whole(features):
            return {}
        names = ("weights", "biases", "running_mean", "running_var")
        return {name: (1, features) for name in names}
    return {}


def _whole(*sizes: object) -> bool:
    return all(isinstance(size, int) and not isinstance(size, bool) for size in sizes)


def build(
    description: Mapping[str, Any],
    kind: str,
    path: str,
    where: str,
    parameters: Mapping[str, np.ndarray] | None = None,
) -> object:
    """A new object from a description made by :func:`describe`.

    ``parameters``: the file's arrays for a layer, given to its constructor instead of drawn
    (the constructor checks their shapes against its size arguments).
    """
    name = description.get("class")
    arguments = description.get("arguments")
    table = KINDS[kind]
    if arguments is None:
        reason = description.get("reason", "it has no arguments")
        raise ValueError(
            f"{path!r}: {where} is a {name}, which cannot be rebuilt from a file ({reason}); "
            f"build the model in code and load the file into it with "
            f"load_checkpoint(path, model)"
        )
    if name not in table:
        raise ValueError(
            f"{path!r}: {where} names the class {name!r}, which is not one of nnlite's {kind} "
            f"classes {sorted(table)}; nnlite builds only its own classes"
        )
    recipe = table[name]
    if not isinstance(arguments, dict):
        raise ValueError(
            f"{path!r}: {where}.arguments should be a JSON object, found {arguments!r}"
        )
    options = {}
    if recipe.cls is Layer_Dense and "bias" in arguments:
        options["bias"] = arguments["bias"]
        arguments = {key: value for key, value in arguments.items() if key != "bias"}
    unknown = sorted(set(arguments) - set(recipe.arguments))
    missing = sorted(set(recipe.arguments) - set(arguments))
    if unknown or missing:
        raise ValueError(
            f"{path!r}: {where} ({name}) has the arguments {sorted(arguments)}, but {name} is "
            f"saved with {sorted(recipe.arguments)} (unknown: {unknown}, missing: {missing})"
        )
    given = GIVEN_PARAMETERS.get(recipe.cls, ())
    if given:
        parameters = parameters or {}
        for parameter in given:
            if parameter in parameters:
                options[parameter] = parameters[parameter]
        missing = [parameter for parameter in given if parameter not in options]
        has_biases = options.get("bias", arguments.get("bias", True))
        if missing != ([] if has_biases else ["biases"]):
            raise ValueError(
                f"{path!r}: {where} ({name}) has no parameters {missing} in the file; nnlite "
                f"builds a layer only from its saved parameters"
            )
    try:
        return recipe.cls(**arguments, **options)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{path!r}: {where} cannot be built from the file: {error}") from None


def differences(description: Mapping[str, Any], obj: object, kind: str) -> list[str]:
    """How ``obj`` (built in code) differs from the file's ``description``: class and the
    compared arguments, as ``"<what>: <file> in the file but <obj> in the model"``."""
    name = type(obj).__name__
    if description.get("class") != name:
        return [f"the class is {description.get('class')} in the file but {name} in the model"]
    recipe = KINDS[kind].get(name)
    arguments = description.get("arguments")
    if recipe is None or arguments is None or type(obj) is not recipe.cls:
        return []
    return [
        f"{argument} is {arguments.get(argument)!r} in the file but "
        f"{recipe.read(obj, argument)!r} in the model"
        for argument in recipe.compared
        if _as_saved(arguments.get(argument)) != _as_saved(recipe.read(obj, argument))
    ]


def _as_saved(value: Any) -> Any:
    """A value as it reads back from a file's JSON: tuples are lists there."""
    return [_as_saved(item) for item in value] if isinstance(value, tuple | list) else value


# ---------------------------------------------------------------------- optimizers and schedules


def describe_optimizer(optimizer: object, layers: Mapping[str, object]) -> dict[str, Any]:
    """The optimizer's class, its schedule and its ``state_dict(layers)``."""
    name = type(optimizer).__name__
    if isinstance(optimizer, optim.Optimizer):
        return _describe_pytorch_face(optimizer, layers)
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"the optimizer {optimizer!r} is not an nnlite optimizer (it has no state_dict), so "
            f"its state cannot be saved"
        )
    schedule = optimizer.schedule
    return {
        "class": name,
        "schedule": None if schedule is None else describe_schedule(schedule),
        "state": optimizer.state_dict(layers),
    }


def build_optimizer(
    description: Mapping[str, Any], layers: Mapping[str, object], path: str, where: str
) -> Optimizer:
    """A new optimizer with the file's hyperparameters and state (for ``layers``)."""
    name = description.get("class")
    if description.get("face") == "pytorch":
        return _build_pytorch_face(description, layers, path, where)
    if name not in OPTIMIZERS:
        raise ValueError(
            f"{path!r}: {where} names the optimizer {name!r}, which is not one of nnlite's "
            f"optimizers {sorted(OPTIMIZERS)}"
        )
    cls = OPTIMIZERS[name]
    state = description.get("state")
    hyperparameters = state.get("hyperparameters") if isinstance(state, dict) else None
    if not isinstance(hyperparameters, dict):
        raise ValueError(f"{path!r}: {where}.state has no 'hyperparameters'")
    accepted = inspect.signature(cls).parameters
    arguments = {key: value for key, value in hyperparameters.items() if key in accepted}
    if description.get("schedule") is not None:
        arguments["learning_rate"] = build_schedule(
            description["schedule"], path, f"{where}.schedule"
        )
    try:
        optimizer = cls(**arguments)
        optimizer.load_state_dict(state, layers)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{path!r}: {where} ({name}) cannot be restored: {error}") from None
    return optimizer


def _describe_pytorch_face(optimizer: optim.Optimizer, layers: Mapping[str, object]) -> dict:
    """An ``nnlite.optim`` optimizer: its class, defaults, each group's parameters by name
    (``"dense_1.weights"``) and its ``state_dict()`` (parameters by number, as PyTorch)."""
    return {
        "class": type(optimizer).__name__,
        "face": "pytorch",
        "schedule": None,
        "defaults": dict(optimizer.defaults),
        "parameters": pytorch_face_parameter_names(optimizer, layers),
        "state": optimizer_files.state_tree(optimizer),
    }


def pytorch_face_parameter_names(
    optimizer: optim.Optimizer, layers: Mapping[str, object]
) -> list[list[str]]:
    """Each group's parameters as ``"<layer name>.<attribute>"``."""
    names = {id(layer): name for name, layer in layers.items()}
    groups = []
    for group in optimizer.param_groups:
        try:
            groups.append([f"{names[id(p.layer)]}.{p.spec.name}" for p in group["params"]])
        except KeyError:
            raise TypeError(
                "the optimizer updates a parameter of a layer that is not in the model"
            ) from None
    return groups


def _build_pytorch_face(
    description: Mapping[str, Any], layers: Mapping[str, object], path: str, where: str
) -> optim.Optimizer:
    name = description.get("class")
    cls = getattr(optim, name, None) if name in optim.__all__ else None
    if not (isinstance(cls, type) and issubclass(cls, optim.Optimizer)):
        raise ValueError(
            f"{path!r}: {where} names {name!r}, which is not one of nnlite.optim's optimizers"
        )
    by_name = {
        parameter_name: parameter
        for layer_name, layer in layers.items()
        for parameter_name, parameter in named_parameters_of(layer, layer_name)
    }
    names, defaults = description.get("parameters"), description.get("defaults")
    if (
        not isinstance(defaults, dict)
        or not isinstance(names, list)
        or not all(
            isinstance(group, list) and all(isinstance(n, str) and n in by_name for n in group)
            for group in names
        )
    ):
        raise ValueError(
            f"{path!r}: {where}.parameters should list each group's parameters by the model's "
            f"names ({sorted(by_name)}), found {names!r:.120}"
        )
    accepted = inspect.signature(cls).parameters
    arguments = {
        key: tuple(value) if isinstance(value, list) else value
        for key, value in defaults.items()
        if key in accepted and key != "params"
    }
    try:
        optimizer = cls([{"params": [by_name[n] for n in group]} for group in names], **arguments)
        optimizer.load_state_dict(
            optimizer_files.state_dict_from_tree(description.get("state"), optimizer, path)
        )
    except (TypeError, ValueError) as error:
        raise ValueError(f"{path!r}: {where} ({name}) cannot be restored: {error}") from None
    return optimizer


def describe_schedule(schedule: Schedule) -> dict[str, Any]:
    """The schedule's class and constructor arguments (nested schedules described too).

    A schedule holding a Python function (``Schedule_Lambda``, a cyclic ``scale_fn``) cannot
    be rebuilt; it is described with ``"arguments": None`` and the reason.
    """
    name = type(schedule).__name__
    if SCHEDULES.get(name) is not type(schedule):
        return {"class": name, "arguments": None, "reason": f"{name} is not an nnlite schedule"}
    arguments = {}
    for argument in list(inspect.signature(type(schedule).__init__).parameters)[1:]:
        value = getattr(schedule, argument)
        if isinstance(value, Schedule):
            value = describe_schedule(value)
        elif isinstance(value, list | tuple) and any(isinstance(v, Schedule) for v in value):
            value = [describe_schedule(item) for item in value]
        elif callable(value):
            return {
                "class": name,
                "arguments": None,
                "reason": f"its {argument} is a Python function, which is not written to files",
            }
        arguments[argument] = value
    nested = [v for v in arguments.values() if isinstance(v, dict)] + [
        item for v in arguments.values() if isinstance(v, list) for item in v
    ]
    for item in nested:
        if isinstance(item, dict) and item.get("arguments") is None:
            return {"class": name, "arguments": None, "reason": item["reason"]}
    return {"class": name, "arguments": arguments}


def build_schedule(description: object, path: str, where: str) -> Schedule:
    """A new schedule from :func:`describe_schedule`'s description."""
    if not isinstance(description, dict):
        raise ValueError(f"{path!r}: {where} should describe a schedule, found {description!r}")
    name = description.get("class")
    arguments = description.get("arguments")
    if arguments is None:
        raise ValueError(
            f"{path!r}: {where} is a {name}, which cannot be rebuilt from a file "
            f"({description.get('reason')}); build the model and its optimizer in code and load "
            f"the file into it with load_checkpoint(path, model)"
        )
    if name not in SCHEDULES:
        raise ValueError(
            f"{path!r}: {where} names the schedule {name!r}, which is not one of nnlite's "
            f"schedules {sorted(SCHEDULES)}"
        )
    built = {}
    for argument, value in arguments.items():
        if isinstance(value, dict):
            value = build_schedule(value, path, f"{where}.{argument}")
        elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            value = [
                build_schedule(item, path, f"{where}.{argument}.{index}")
                for index, item in enumerate(value)
            ]
        built[argument] = value
    try:
        return SCHEDULES[name](**built)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{path!r}: {where} ({name}) cannot be built: {error}") from None
