"""What an ``nnlite train`` run trains on: the data's and optimizers' defaults, the flags
that change them, and the record a checkpoint keeps of them.

A run is described by a JSON-able dict, its *record* (:func:`run_record`): the data set and
its arguments, the network, the optimizer with its settings and schedule, the batches. The
checkpoint keeps it as ``extra["run"]``, so that ``--resume`` rebuilds the same data and
refuses a flag that contradicts it (:func:`resume_record`).

**Defaults that train well.** Each data set has a recipe (:data:`RECIPES`): its network,
epochs and batch size; each optimizer a learning rate and settings
(:data:`OPTIMIZER_DEFAULTS`); any flag overrides them. Spiral and vertical data use the
book's chapter 14 regularization (L2 5e-4 on the hidden layer's weights and biases), which
keeps the validation loss from rising late in training; sine uses chapter 17's network
(two hidden layers of 64, weights drawn at 0.1 scale) and optimizer (Adam at 0.005 with
decay 1e-3). On batches, a default learning rate is scaled by √(batch size / samples).
"""

from __future__ import annotations

import argparse
import inspect
import json
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

from nnlite import datasets, schedules
from nnlite.experiments import UNSUITED, optimizer_by_name, optimizer_classes
from nnlite.training.checkpoints import Checkpoint
from nnlite.training.history import History
from nnlite.training.model import Model

DATASETS = ("spiral", "vertical", "sine", "digits", "fashion-mnist")


SCHEDULES = ("none", "step", "exponential", "cosine", "one-cycle", "linear-warmup")


class Recipe(NamedTuple):
    """How ``nnlite train --data NAME`` trains when no flag says otherwise."""

    #: Samples per class (spiral, vertical) or in all (sine); None for fixed data sets.
    samples: int | None
    classes: int | None
    hidden: tuple[int, ...]
    epochs: int
    #: None trains on all samples at once.
    batch_size: int | None
    #: L2 strength on the hidden layers' weights and biases (the book's chapter 14).
    regularizer_l2: float
    #: The scale of the book's weight initializer (chapter 17's regression uses 0.1).
    weight_scale: float
    #: Settings that replace :data:`OPTIMIZER_DEFAULTS` for this data, by optimizer.
    optimizer_settings: Mapping[str, Mapping[str, Any]]


#: Chapter 17's optimizer for its sine regression.
CHAPTER_17_ADAM = {"learning_rate": 0.005, "decay": 1e-3}


RECIPES = {
    # samples, classes, hidden, epochs, batch_size, regularizer_l2, weight_scale, optimizers
    "spiral": Recipe(300, 3, (64,), 1000, None, 5e-4, 0.01, {}),
    "vertical": Recipe(300, 3, (64,), 1000, None, 5e-4, 0.01, {}),
    "sine": Recipe(1000, None, (64, 64), 1000, None, 0.0, 0.1, {"adam": CHAPTER_17_ADAM}),
    "digits": Recipe(None, None, (64,), 30, 64, 0.0, 0.01, {}),
    "fashion-mnist": Recipe(None, None, (128, 128), 10, 128, 0.0, 0.01, {}),
}


#: Each optimizer's settings when no flag says otherwise: the book's chapter 10 choices for its
#: four optimizers; for the others, the learning rate that did best on the default spiral run
#: in a sweep from 0.001 to 30 (PyTorch's defaults suit other networks: Adam's 0.001 barely
#: moves this one in 1000 epochs). tests/test_cli.py checks what each reaches.
OPTIMIZER_DEFAULTS: dict[str, dict[str, Any]] = {
    "sgd": {"learning_rate": 1.0, "decay": 1e-3, "momentum": 0.9},
    "adagrad": {"learning_rate": 1.0, "decay": 1e-4},
    "rmsprop": {"learning_rate": 0.02, "decay": 1e-5, "rho": 0.999},
    "adam": {"learning_rate": 0.05, "decay": 5e-7},
    "adadelta": {"learning_rate": 10.0},
    "adafactor": {"learning_rate": 1.0},
    "adamax": {"learning_rate": 0.1},
    "adamw": {"learning_rate": 0.05},
    "asgd": {"learning_rate": 1.0},
    "lion": {"learning_rate": 0.02},
    "muon": {"learning_rate": 0.02},
    "nadam": {"learning_rate": 0.02},
    "radam": {"learning_rate": 0.2},
    "rprop": {"learning_rate": 0.01},
}


BOOLEANS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False}


class CommandError(Exception):
    """A problem with what was asked, reported as one line."""


def run_record(args: argparse.Namespace) -> dict[str, Any]:
    """What a fresh ``nnlite train`` trains on: flags, else the data's and optimizer's defaults.

    A JSON-able dict, saved in the checkpoint as ``extra["run"]``::

        {"data": "spiral", "samples": 300, "classes": 3, "seed": 0, "hidden": [64],
         "regularizer_l2": 0.0005, "weight_scale": 0.01, "epochs": 1000, "batch_size": None,
         "shuffle": True, "optimizer": "adam",
         "settings": {"learning_rate": 0.05, "decay": 5e-07}, "schedule": "none"}
    """
    data = args.data or "spiral"
    recipe = RECIPES[data]
    for flag, default in (("samples", recipe.samples), ("classes", recipe.classes)):
        if getattr(args, flag) is not None and default is None:
            users = [name for name, other in RECIPES.items() if getattr(other, flag)]
            raise CommandError(
                f"--{flag} applies to {', '.join(users)} data only; {data} data has its own"
            )
    optimizer = (args.optimizer or "adam").lower()
    classes = optimizer_classes()
    if optimizer in UNSUITED or optimizer not in classes:
        optimizer_by_name(optimizer)  # raises the reason
    defaults = recipe.optimizer_settings.get(optimizer, OPTIMIZER_DEFAULTS.get(optimizer, {}))
    settings = dict(defaults)
    schedule = args.schedule or "none"
    if schedule != "none":
        # A schedule sets the rates instead of the book's decay
        settings.pop("decay", None)
    if args.learning_rate is not None:
        settings["learning_rate"] = args.learning_rate
    if args.decay is not None:
        settings["decay"] = args.decay
    settings.update(parse_settings(args.set, classes[optimizer]))
    return {
        "data": data,
        "samples": args.samples or recipe.samples,
        "classes": args.classes or recipe.classes,
        "seed": 0 if args.seed is None else args.seed,
        "hidden": list(args.hidden or recipe.hidden),
        "regularizer_l2": recipe.regularizer_l2,
        "weight_scale": recipe.weight_scale,
        "epochs": args.epochs or recipe.epochs,
        "batch_size": args.batch_size or recipe.batch_size,
        "shuffle": True if args.shuffle is None else args.shuffle,
        "optimizer": optimizer,
        "settings": settings,
        "schedule": schedule,
    }


def scale_for_batches(run: dict[str, Any], n_samples: int, *, rate_given: bool) -> None:
    """Scale the default learning rate of a run on batches by √(batch size / samples).

    The defaults were chosen for steps on all samples at once; a batch's gradient is noisier,
    and the square-root rule (Krizhevsky, "One weird trick for parallelizing convolutional
    neural networks", 2014) keeps the steps' noise about the same. A rate given with
    ``--learning-rate`` or ``--set learning_rate=...`` is used as it is.
    """
    batch = run["batch_size"]
    rate = run["settings"].get("learning_rate")
    if rate_given or rate is None or batch is None or batch >= n_samples:
        return
    run["settings"]["learning_rate"] = float(f"{rate * math.sqrt(batch / n_samples):.3g}")


def parse_settings(pairs: Sequence[str], optimizer: type) -> dict[str, Any]:
    """``["momentum=0.9", "nesterov=true"]`` → ``{"momentum": 0.9, "nesterov": True}``.

    Each value is read as the type of the setting's default in ``optimizer``'s constructor:
    a boolean from true/false/yes/no/1/0, a finite number, a tuple of finite numbers
    (``betas=0.9,0.99`` or ``betas=(0.9, 0.99)``), or, where the default is None or a
    string, a number, a boolean or the text itself.
    """
    parameters = inspect.signature(optimizer).parameters
    settings = {}
    for pair in pairs:
        name, separator, text = pair.partition("=")
        name, text = name.strip(), text.strip()
        if not separator or not name:
            raise CommandError(f"--set takes NAME=VALUE, got {pair[:60]!r}")
        if name not in parameters or name == "self":
            known = ", ".join(parameters)
            raise CommandError(
                f"--set {name}: {optimizer.__name__} has no setting {name!r}; it has {known}"
            )
        settings[name] = parse_value(name, text, parameters[name].default)
    return settings


def parse_value(name: str, text: str, default: object) -> object:
    """``text`` read as a value of the type of ``default`` (see :func:`parse_settings`)."""
    where = f"--set {name}={text[:40]}"
    if isinstance(default, bool):
        if text.lower() not in BOOLEANS:
            raise CommandError(f"{where}: expected true/false/yes/no/1/0, got {text[:40]!r}")
        return BOOLEANS[text.lower()]
    if isinstance(default, tuple):
        parts = [part for part in text.strip("()[] ").split(",") if part.strip()]
        return tuple(_number(where, part) for part in parts)
    if isinstance(default, int | float):
        number = _number(where, text)
        return int(number) if isinstance(default, int) and number == int(number) else number
    if text.lower() in ("none", "null"):
        return None
    if text.lower() in BOOLEANS and text not in ("0", "1"):
        return BOOLEANS[text.lower()]
    try:
        return _number(where, text)
    except CommandError:
        return text


def _number(where: str, text: str) -> float:
    try:
        value = float(text.strip())
    except ValueError:
        raise CommandError(f"{where}: expected a number, got {text.strip()[:40]!r}") from None
    if not math.isfinite(value):
        raise CommandError(f"{where}: expected a finite number, got {text.strip()[:40]!r}")
    return value


def make_schedule(name: str, learning_rate: float, total_steps: int):
    """A schedule over ``total_steps`` updates starting from ``learning_rate``."""
    if name == "step":
        return schedules.Schedule_StepDecay(
            learning_rate, step_size=max(1, total_steps // 3), gamma=0.1
        )
    if name == "exponential":
        return schedules.Schedule_ExponentialDecay(learning_rate, gamma=0.01 ** (1 / total_steps))
    if name == "cosine":
        return schedules.Schedule_CosineAnnealing(learning_rate, T_max=total_steps)
    if name == "one-cycle":
        return schedules.Schedule_OneCycle(learning_rate, total_steps=total_steps + 1)
    return schedules.Schedule_LinearWarmup(
        learning_rate, start_factor=0.1, total_iters=max(1, total_steps // 10)
    )


def make_optimizer(run: Mapping[str, Any], steps_per_epoch: int):
    """The run's optimizer, its schedule over the run's updates if it has one."""
    settings = dict(run["settings"])
    if run["schedule"] != "none":
        start = settings.get("learning_rate")
        if start is None:
            start = optimizer_classes()[run["optimizer"]]().learning_rate
        total_steps = run["epochs"] * steps_per_epoch
        settings["learning_rate"] = make_schedule(run["schedule"], start, total_steps)
    return optimizer_by_name(run["optimizer"], **settings)


class Data(NamedTuple):
    """A run's data: ``(X, y)`` to train on and to validate with, and what it is."""

    train: tuple[np.ndarray, np.ndarray]
    validation: tuple[np.ndarray, np.ndarray]
    task: str
    #: What the data is, for the first line of a run.
    description: str


def load_data(run: Mapping[str, Any]) -> Data:
    """The run's training and validation data."""
    data = run["data"]
    if data in ("spiral", "vertical"):
        # nnfs draws from the global stream: seed it, as the book's nnfs.init() does
        np.random.seed(run["seed"])
        make = datasets.spiral_data if data == "spiral" else datasets.vertical_data
        train = make(samples=run["samples"], classes=run["classes"])
        validation = make(samples=run["samples"], classes=run["classes"])
        return Data(
            train,
            validation,
            "classification",
            f"{data} data, {run['classes']} classes of {run['samples']} points "
            f"({len(train[0])} to train on, {len(validation[0])} more to validate)",
        )
    if data == "sine":
        X, y = datasets.sine_data(samples=run["samples"])
        return Data(
            (X, y),
            (X, y),
            "regression",
            f"sine data, {len(X)} points of y = sin(2πx) (validated on the same points)",
        )
    if data == "digits":
        X, y, X_test, y_test = datasets.load_digits(seed=run["seed"])
    else:
        X, y, X_test, y_test = datasets.load_fashion_mnist_images(
            datasets.download_fashion_mnist("datasets")
        )
    classes = int(np.max(y)) + 1
    return Data(
        (X, y),
        (X_test, y_test),
        "classification",
        f"{data} data, {classes} classes, {len(X)} pictures of {X.shape[1]} pixels to train on, "
        f"{len(X_test)} to validate",
    )


def describe_network(model: Model, run: Mapping[str, Any], task: str) -> str:
    sizes = [model.trainable_layers[0].weights.shape[0]]
    sizes += [layer.weights.shape[1] for layer in model.trainable_layers]
    output = "softmax, cross-entropy" if task == "classification" else "linear, squared error"
    text = f"{'-'.join(map(str, sizes))} (ReLU, {output})"
    if run["regularizer_l2"]:
        text += f", L2 {run['regularizer_l2']:g} on the hidden layers' weights and biases"
    return text


def describe_optimizer(run: Mapping[str, Any], n_samples: int) -> str:
    settings = ", ".join(f"{key}={value!r}" for key, value in run["settings"].items())
    text = f"{optimizer_classes()[run['optimizer']].__name__}({settings})"
    if run["schedule"] != "none":
        text += f", {run['schedule']} schedule"
    batch = run["batch_size"]
    if batch is None or batch >= n_samples:
        return f"{text}; one step per epoch on all {n_samples} samples"
    order = "shuffled each epoch" if run["shuffle"] else "in the data's order"
    return f"{text}; batches of {batch} ({-(-n_samples // batch)} steps per epoch), {order}"


#: Flags that say what a run trains on, and their name in the run record.
RUN_FLAGS = {
    "data": "data",
    "samples": "samples",
    "classes": "classes",
    "seed": "seed",
    "hidden": "hidden",
    "batch_size": "batch_size",
    "shuffle": "shuffle",
    "optimizer": "optimizer",
    "schedule": "schedule",
}


def resume_record(args: argparse.Namespace, checkpoint: Checkpoint) -> tuple[dict, History]:
    """The checkpoint's run record and history, checked against the flags given."""
    path = args.resume
    extra = checkpoint.extra
    run = extra.get("run") if isinstance(extra, dict) else None
    if not isinstance(run, dict) or not {*RUN_FLAGS.values(), "settings", "epochs"} <= set(run):
        raise CommandError(
            f"{path} does not record what it was trained on (data, network, optimizer), so "
            f"nnlite train cannot resume it; it was not written by nnlite train"
        )
    model = checkpoint.model
    for role in ("loss", "optimizer", "accuracy"):
        if getattr(model, role) is None:
            raise CommandError(f"{path} holds a model without {role}; it cannot be trained on")
    history = _checked_history(extra.get("history"), checkpoint.epoch, path)

    def contradiction(flag: str, theirs: object, ours: object) -> CommandError:
        return CommandError(
            f"--{flag} {ours} contradicts {path}, which was trained with --{flag} {theirs}; "
            f"leave --{flag} out to resume it, or start a new run without --resume"
        )

    for attribute, key in RUN_FLAGS.items():
        given = getattr(args, attribute)
        if attribute == "optimizer" and given is not None:
            given = given.lower()
        if attribute == "hidden" and given is not None:
            given = list(given)
        if given is not None and given != run[key]:
            flag = attribute.replace("_", "-")
            if attribute == "shuffle":
                raise CommandError(
                    f"--{'shuffle' if given else 'no-shuffle'} contradicts {path}, which was "
                    f"trained with{'out' if given else ''} shuffling; leave it out to resume"
                )
            theirs, ours = run[key], given
            if theirs is None and attribute in ("samples", "classes", "batch_size"):
                raise CommandError(
                    f"--{flag} {ours} contradicts {path}, which was trained without --{flag}; "
                    f"leave it out to resume"
                )
            if attribute == "hidden":
                theirs, ours = " ".join(map(str, theirs)), " ".join(map(str, ours))
            raise contradiction(flag, theirs, ours)
    given_settings = {}
    if args.learning_rate is not None:
        given_settings["learning_rate"] = args.learning_rate
    if args.decay is not None:
        given_settings["decay"] = args.decay
    given_settings.update(parse_settings(args.set, type(model.optimizer)))
    for name, value in given_settings.items():
        flag = {"learning_rate": "learning-rate", "decay": "decay"}.get(name)
        if name in run["settings"]:
            theirs = run["settings"][name]
        elif name == "learning_rate" and run["schedule"] != "none":
            theirs = None
        else:
            theirs = inspect.signature(type(model.optimizer)).parameters[name].default
        if json.loads(json.dumps(value)) != theirs:
            if flag is None:
                raise contradiction("set", f"{name}={theirs}", f"{name}={value}")
            raise contradiction(flag, theirs, value)
    return run, history


def _checked_history(data: object, epoch: int, path: Path) -> History:
    if isinstance(data, dict):
        # save_run stores each figure as a 1-D array
        data = {
            name: values.tolist() if isinstance(values, np.ndarray) and values.ndim == 1 else values
            for name, values in data.items()
        }
    problem = None
    if not isinstance(data, dict) or not isinstance(data.get("epoch"), list):
        problem = "it has no history of its epochs"
    elif data["epoch"] != list(range(1, epoch + 1)):
        problem = f"its history's epochs are not 1 to {epoch}"
    elif not {"loss", "accuracy"} <= set(data):
        problem = f"its history lacks {sorted({'loss', 'accuracy'} - set(data))}"
    else:
        for name, values in data.items():
            if not isinstance(values, list) or len(values) != epoch:
                problem = f"its history's {name!r} does not hold one value per epoch"
            elif not all(isinstance(v, int | float) and not isinstance(v, bool) for v in values):
                problem = f"its history's {name!r} holds values that are not numbers"
    if problem:
        raise CommandError(f"{path} cannot be resumed: {problem} (extra['history'])")
    return History.from_dict(data)
