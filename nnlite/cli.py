"""The ``nnlite`` command (also ``python -m nnlite``).

``nnlite train`` trains a network (spiral data by default, in a few seconds), says what it
trains, shows its progress, prints the final figures and writes a checkpoint, the training
history and a loss-curve PNG into a new folder. ``--resume`` continues a checkpoint with the
data, network and optimizer it was trained with. ``nnlite compare`` trains the same network
from the same start with several optimizers and draws their loss curves on one figure, with a
table.

    nnlite train
    nnlite train --optimizer sgd --set momentum=0.5 --learning-rate 0.5
    nnlite train --data digits --hidden 64 --epochs 50 --batch-size 64
    nnlite compare --optimizers sgd adagrad rmsprop adam --epochs 1000

**Defaults that train well.** Each data set has a recipe (:data:`RECIPES`): its network,
epochs and batch size, and each optimizer a learning rate and settings
(:data:`OPTIMIZER_DEFAULTS`); any flag overrides them. Spiral and vertical data use the
book's chapter 14 network (L2 5e-4 on the hidden layer's weights and biases), which keeps the
validation loss from rising late in training; sine uses chapter 17's (two hidden layers of 64,
weights drawn at 0.1 scale, Adam at 0.005 with decay 1e-3).

**Runs are never overwritten unless asked.** Without ``--output`` a run goes to
``runs/DATA-OPTIMIZER/``, or ``runs/DATA-OPTIMIZER-2/`` (-3, ...) if that exists;
``--overwrite`` replaces it. ``--output`` into a folder that holds a run needs
``--overwrite``. A resumed run continues in its checkpoint's folder. A fresh run that fails
leaves no folder behind; Ctrl-C stops after the current epoch and saves a checkpoint to
resume from (Ctrl-C twice stops at once and saves nothing).

**Files.** ``checkpoint.npz`` (written first), ``history.json`` (one row per epoch, see
:func:`history_json`) and ``loss_curve.png``, each written to a temporary file and renamed
into place. The checkpoint's ``extra["run"]`` records what it was trained on
(:func:`run_record`), so that ``--resume`` rebuilds the same data and refuses flags that
contradict it.
"""

from __future__ import annotations

import argparse
import contextlib
import inspect
import json
import math
import os
import signal
import sys
import tempfile
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

import nnlite
from nnlite.array_files import replace_atomically
from nnlite.callbacks import Callback, Callback_TerminateOnNaN
from nnlite.experiments import (
    UNSUITED,
    build_model,
    format_loss,
    optimizer_by_name,
    optimizer_classes,
    summary_table,
)
from nnlite.history import History

DATASETS = ("spiral", "vertical", "sine", "digits", "fashion-mnist")
SCHEDULES = ("none", "step", "exponential", "cosine", "one-cycle", "linear-warmup")
OUTPUT_FILES = ("checkpoint.npz", "history.json", "loss_curve.png")


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
#: four optimizers, and for the others the learning rate that trained spiral data best in
#: 1000 epochs among 0.001, 0.003, ..., 1 (PyTorch's defaults are meant for other networks).
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


# ---------------------------------------------------------------------------- the parser


def finite_number(text: str) -> float:
    """An argparse type: a finite number (``inf`` and ``nan`` are refused)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text[:40]!r}") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text[:40]!r}")
    return value


def whole_number(text: str) -> int:
    """An argparse type: a whole number above 0."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text[:40]!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be above 0, got {value}")
    return value


def _optimizer_help() -> str:
    lines = []
    for name in sorted(optimizer_classes()):
        settings = OPTIMIZER_DEFAULTS.get(name, {})
        shown = ", ".join(f"{key} {value:g}" for key, value in settings.items())
        lines.append(f"  {name:<10} {shown}")
    notes = [
        "With batches smaller than the data, a default learning rate is scaled by "
        "sqrt(batch size / samples). On sine data Adam uses chapter 17's learning_rate 0.005, "
        "decay 0.001. A --schedule replaces the decay.",
        "Not available here: "
        + "; ".join(f"{name}, because {why}" for name, why in UNSUITED.items())
        + ".",
    ]
    wrapped = ["\n".join(textwrap.wrap(note, width=88)) for note in notes]
    return "\n\n".join(
        ["optimizers (any case) and their default settings:\n" + "\n".join(lines), *wrapped]
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nnlite", description="Train and compare nnlite networks from the command line."
    )
    parser.add_argument("--version", action="version", version=f"nnlite {nnlite.__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    train = commands.add_parser(
        "train",
        help="train one network and save its results",
        description="Train one network; write checkpoint.npz, history.json, loss_curve.png.",
        epilog=_optimizer_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_data_and_network_options(train)
    train.add_argument("--optimizer", help="optimizer name, any case (adam; listed below)")
    train.add_argument("--learning-rate", type=finite_number, help="learning rate")
    train.add_argument("--decay", type=finite_number, help="the book's learning-rate decay")
    train.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="another optimizer setting, e.g. --set momentum=0.9 or --set amsgrad=true "
        "(repeatable)",
    )
    train.add_argument(
        "--schedule",
        choices=SCHEDULES,
        help="learning rates over the run, from the learning rate (none: the book's decay)",
    )
    train.add_argument("--output", type=Path, help="output folder (default: runs/DATA-OPTIMIZER)")
    train.add_argument(
        "--overwrite", action="store_true", help="replace the run already in the output folder"
    )
    train.add_argument(
        "--resume",
        type=Path,
        metavar="CHECKPOINT",
        help="continue a checkpoint's run, in its folder, with the data, network and optimizer "
        "it was trained with; --epochs is the new total",
    )

    compare = commands.add_parser(
        "compare",
        help="compare optimizers on the same network",
        epilog=_optimizer_help(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_data_and_network_options(compare)
    compare.add_argument(
        "--optimizers",
        nargs="+",
        default=["sgd", "adagrad", "rmsprop", "adam"],
        help="optimizer names (default: the book's four, with its chapter 10 settings)",
    )
    compare.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="OPTIMIZER.NAME=VALUE",
        help="a setting for one optimizer, e.g. --set sgd.momentum=0.5 (repeatable)",
    )
    compare.add_argument("--output", type=Path, help="output folder (default: runs/compare-DATA)")
    compare.add_argument(
        "--overwrite", action="store_true", help="replace the comparison already in the folder"
    )
    return parser


def _add_data_and_network_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", choices=DATASETS, help="data set (spiral)")
    parser.add_argument(
        "--samples",
        type=whole_number,
        help="samples per class of spiral/vertical (300), samples of sine (1000)",
    )
    parser.add_argument("--classes", type=whole_number, help="classes of spiral/vertical (3)")
    parser.add_argument(
        "--hidden", type=whole_number, nargs="+", help="hidden layer sizes (64; sine: 64 64)"
    )
    parser.add_argument(
        "--epochs", type=whole_number, help="epochs in all (1000; digits 30, fashion-mnist 10)"
    )
    parser.add_argument(
        "--batch-size",
        type=whole_number,
        help="samples per step (all at once; digits 64, fashion-mnist 128)",
    )
    parser.add_argument(
        "--shuffle",
        action=argparse.BooleanOptionalAction,
        help="reorder the samples each epoch, drawn from the seed (on; --no-shuffle keeps "
        "the data's order, as the book does)",
    )
    parser.add_argument("--seed", type=int, help="random seed for data, weights and order (0)")
    parser.add_argument(
        "--verbose",
        type=int,
        choices=(0, 1, 2),
        default=2,
        help="0 quiet, 1 the book's lines, 2 a line per tenth of the run (2)",
    )


# ---------------------------------------------------------------------------- what a run is


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
        "samples": args.samples or recipe.samples if recipe.samples else None,
        "classes": args.classes or recipe.classes if recipe.classes else None,
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
    from nnlite import schedules

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


# ---------------------------------------------------------------------------- data


class Data(NamedTuple):
    train: tuple[np.ndarray, np.ndarray]
    validation: tuple[np.ndarray, np.ndarray]
    task: str
    #: What the data is, for the first line of a run.
    description: str


def load_data(run: Mapping[str, Any]) -> Data:
    """The run's training and validation data."""
    from nnlite import datasets

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


# ---------------------------------------------------------------------------- files


def history_json(history: History) -> str:
    """``history`` as JSON with one row per epoch, figures to 6 significant digits::

        {"columns": ["epoch", "loss", "accuracy", ...],
         "rows": [
          [1, 1.09861, 0.33, ...],
          [2, 1.0975, 0.41, ...]
         ]}

    (The checkpoint keeps the figures exactly.) :func:`read_history_json` reads it back.
    """
    names = list(history)
    rows = [
        json.dumps([epoch, *(float(f"{history[name][index]:.6g}") for name in names)])
        for index, epoch in enumerate(history.epoch)
    ]
    return (
        f'{{"columns": {json.dumps(["epoch", *names])},\n "rows": [\n  '
        + ",\n  ".join(rows)
        + "\n ]}\n"
    )


def read_history_json(text: str) -> History:
    """The History that :func:`history_json` wrote (to its 6 digits)."""
    table = json.loads(text)
    columns = table["columns"]
    data = {name: [row[index] for row in table["rows"]] for index, name in enumerate(columns)}
    return History.from_dict(data)


def write_text(path: Path, text: str) -> None:
    replace_atomically(path, lambda file: file.write(text.encode("utf-8")))


def holds_a_run(folder: Path) -> list[str]:
    """The nnlite output files in ``folder`` (none if it does not exist)."""
    return [name for name in (*OUTPUT_FILES, "loss_curves.png") if (folder / name).exists()]


def choose_output(requested: Path | None, default: Path, *, overwrite: bool) -> Path:
    """The folder to write into: never one holding a run, unless ``overwrite``.

    Without ``requested``, ``default`` or the first free ``default-2``, ``default-3``, ...
    """
    if requested is not None:
        if requested.exists() and not requested.is_dir():
            raise CommandError(f"--output {requested} is a file, not a folder")
        found = holds_a_run(requested)
        if found and not overwrite:
            raise CommandError(
                f"--output {requested} already holds a run ({', '.join(found)}); pass "
                f"--overwrite to replace it, or choose another folder"
            )
        return requested
    if overwrite or not default.exists():
        return default
    number = 2
    while Path(f"{default}-{number}").exists():
        number += 1
    return Path(f"{default}-{number}")


@contextlib.contextmanager
def output_folder(folder: Path) -> Iterator[Path]:
    """Create ``folder`` (and its parents) and check it can be written, before training.

    If the body fails, the folders created here are removed again, with any nnlite output
    files in them (nothing else is deleted: a folder that is not empty then is left).
    """
    created = []
    for parent in reversed([folder, *folder.parents]):
        if not parent.exists():
            created.append(parent)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        descriptor, probe = tempfile.mkstemp(dir=folder, prefix=".nnlite-", suffix=".probe")
        os.close(descriptor)
        os.unlink(probe)
    except OSError as error:
        _remove(created)
        raise CommandError(f"cannot write to the output folder {folder}: {error}") from None
    try:
        yield folder
    except BaseException:
        _remove(created)
        raise


def _remove(created: list[Path]) -> None:
    for folder in reversed(created):
        for name in (*OUTPUT_FILES, "loss_curves.png"):
            with contextlib.suppress(OSError):
                (folder / name).unlink()
        with contextlib.suppress(OSError):
            folder.rmdir()


# ---------------------------------------------------------------------------- progress


class Callback_ProgressLines(Callback):
    """One line every tenth of the run's epochs (not the last: the final line shows it)."""

    def __init__(self, epochs: int, first: int) -> None:
        self.epochs = epochs
        self.every = max(1, (epochs - first) // 10)
        self.first = first

    def on_epoch_end(self, model: object, epoch: int, logs: Mapping[str, float]) -> None:
        if epoch < self.epochs and not (epoch - self.first) % self.every:
            print(f"epoch {epoch:>{len(str(self.epochs))}}/{self.epochs}: {figures_text(logs)}")


def figures_text(logs: Mapping[str, float]) -> str:
    text = f"loss {format_loss(logs['loss'])}, accuracy {logs['accuracy']:.3f}"
    if "val_loss" in logs:
        text += (
            f", validation loss {format_loss(logs['val_loss'])}, "
            f"validation accuracy {logs['val_accuracy']:.3f}"
        )
    return text


class Callback_StopOnInterrupt(Callback):
    """Ctrl-C stops training after the current epoch; a second Ctrl-C stops at once."""

    def __init__(self) -> None:
        self.interrupted = False
        self._model = None
        self._previous = None

    def on_train_begin(self, model: object) -> None:
        self._model = model
        with contextlib.suppress(ValueError):  # only the main thread can catch signals
            self._previous = signal.signal(signal.SIGINT, self._handle)

    def _handle(self, number: int, frame: object) -> None:
        if self.interrupted:
            raise KeyboardInterrupt
        self.interrupted = True
        print("\ninterrupted: stopping after this epoch (Ctrl-C again stops at once, unsaved)")

    def on_epoch_end(self, model: object, epoch: int, logs: Mapping[str, float]) -> None:
        if self.interrupted:
            model.request_stop(f"interrupted after epoch {epoch}")

    def on_train_end(self, model: object, history: History) -> None:
        self.restore()

    def restore(self) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None


# ---------------------------------------------------------------------------- train


def describe_network(model: object, run: Mapping[str, Any], task: str) -> str:
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


def resume_record(args: argparse.Namespace, checkpoint: object) -> tuple[dict, History]:
    """The checkpoint's run record and history, checked against the flags given."""
    path = args.resume
    extra = checkpoint.extra
    run = extra.get("run") if isinstance(extra, dict) else None
    if not isinstance(run, dict) or set(run) < {*RUN_FLAGS.values(), "settings", "epochs"}:
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


def train(args: argparse.Namespace) -> int:
    """``nnlite train``: one network, its figures, curve, history and checkpoint."""
    from nnlite import checkpoints

    if args.resume is not None:
        checkpoint = checkpoints.load_checkpoint(args.resume)
        run, earlier = resume_record(args, checkpoint)
        model, done, rng = checkpoint.model, checkpoint.epoch, checkpoint.rng
        epochs = args.epochs or run["epochs"]
        if done >= epochs:
            raise CommandError(
                f"{args.resume} already has {done} epochs; ask for more with --epochs "
                f"(above {done})"
            )
        if run["shuffle"] and run["batch_size"] and rng is None:
            raise CommandError(f"{args.resume} lacks the generator that shuffles its batches")
        if run["schedule"] == "one-cycle" and epochs > run["epochs"]:
            raise CommandError(
                f"{args.resume} was trained with a one-cycle schedule planned for "
                f"{run['epochs']} epochs, which cannot go on after them; ask for --epochs "
                f"{run['epochs']} at most, or start a new run"
            )
        if run["schedule"] != "none" and epochs > run["epochs"]:
            print(
                f"note: the {run['schedule']} schedule was planned for {run['epochs']} epochs; "
                f"it goes on by its own rule after them"
            )
        run = {**run, "epochs": epochs}
        data = load_data(run)
        if args.output is None:
            output = args.resume.parent
        else:
            output = choose_output(args.output, args.output, overwrite=args.overwrite)
    else:
        run = run_record(args)
        data = load_data(run)
        scale_for_batches(run, len(data.train[0]), rate_given=_rate_given(args))
        X = data.train[0]
        steps_per_epoch = 1 if not run["batch_size"] else -(-len(X) // run["batch_size"])
        optimizer = make_optimizer(run, steps_per_epoch)
        rng = np.random.default_rng(run["seed"])
        y = data.train[1]
        model = build_model(
            X.shape[1],
            int(np.max(y)) + 1 if data.task == "classification" else y.shape[1],
            hidden=run["hidden"],
            task=data.task,
            optimizer=optimizer,
            weight_regularizer_l2=run["regularizer_l2"],
            bias_regularizer_l2=run["regularizer_l2"],
            weight_scale=run["weight_scale"],
            rng=rng,
        )
        done, earlier, epochs = 0, History(), run["epochs"]
        default = Path("runs") / f"{run['data']}-{run['optimizer']}"
        output = choose_output(args.output, default, overwrite=args.overwrite)

    shuffle = bool(run["shuffle"] and run["batch_size"])
    verbose = args.verbose
    with output_folder(output):
        if verbose:
            if done:
                print(f"nnlite train: resuming {args.resume} after epoch {done} of {epochs}")
            print(f"nnlite train: {data.description}")
            print(f"network: {describe_network(model, run, data.task)}")
            print(f"optimizer: {describe_optimizer(run, len(data.train[0]))}")
            print(f"epochs: {done + 1} to {epochs}; output: {output}{os.sep}")
        interrupt = Callback_StopOnInterrupt()
        callbacks = [interrupt, Callback_TerminateOnNaN()]
        if verbose == 2:
            callbacks.append(Callback_ProgressLines(epochs, done))
        try:
            history = model.train(
                *data.train,
                epochs=epochs,
                initial_epoch=done,
                batch_size=run["batch_size"],
                shuffle=shuffle,
                rng=rng if shuffle else None,
                validation_data=data.validation,
                print_every=max(1, (epochs - done) // 10),
                verbose=1 if verbose == 1 else 0,
                callbacks=callbacks,
            )
        finally:
            interrupt.restore()
        last = history.last() if len(history) else None
        if last is None or not all(math.isfinite(value) for value in last.values()):
            raise CommandError(
                f"training diverged (loss {None if last is None else last['loss']}) at epoch "
                f"{done + len(history)}; nothing was saved. Try a smaller --learning-rate"
            )
        # The whole run's figures, including those of the training a checkpoint resumed
        earlier.extend(history)
        trained = done + len(history)
        save_run(output, model, earlier, trained, run, rng)
    if interrupt.interrupted:
        command = f"nnlite train --resume {output / 'checkpoint.npz'}"
        print(f"interrupted after epoch {trained} of {epochs}; saved {output}{os.sep}")
        print(f"continue with: {command}")
        return 130
    print(f"final, epoch {trained}: {figures_text(earlier.last())}; saved in {output}{os.sep}")
    return 0


def _rate_given(args: argparse.Namespace) -> bool:
    return args.learning_rate is not None or any(
        pair.partition("=")[0].strip().endswith("learning_rate") for pair in args.set
    )


def save_run(
    output: Path,
    model: object,
    history: History,
    epoch: int,
    run: Mapping[str, Any],
    rng: np.random.Generator | None,
) -> None:
    """Checkpoint first, then the history and the curve, so the history is never ahead."""
    from nnlite import checkpoints
    from nnlite.plots import plot_history

    checkpoints.save_checkpoint(
        output / "checkpoint.npz",
        model,
        epoch=epoch,
        rng=rng,
        extra={"run": dict(run), "history": history.to_dict()},
    )
    write_text(output / "history.json", history_json(history))
    figure = plot_history(history)
    figure.suptitle(f"{run['data']} data, {run['optimizer']}, {epoch} epochs")
    replace_atomically(output / "loss_curve.png", lambda file: figure.savefig(file, dpi=100))


# ---------------------------------------------------------------------------- compare


def compare(args: argparse.Namespace) -> int:
    """``nnlite compare``: the same network with each optimizer, one figure, one table."""
    from nnlite.experiments import compare_optimizers

    names = [name.lower() for name in args.optimizers]
    per_optimizer: dict[str, list[str]] = {name: [] for name in names}
    for pair in args.set:
        key, separator, value = pair.partition("=")
        name, _, setting = key.partition(".")
        if not separator or name.lower() not in per_optimizer or not setting:
            raise CommandError(
                f"--set {pair[:60]}: write OPTIMIZER.NAME=VALUE for one of {', '.join(names)}"
            )
        per_optimizer[name.lower()].append(f"{setting}={value}")
    runs = {}
    for name in names:
        bare = argparse.Namespace(
            **{**vars(args), "optimizer": name, "learning_rate": None, "decay": None},
            schedule=None,
        )
        bare.set = per_optimizer[name]
        runs[name] = run_record(bare)
        make_optimizer(runs[name], 1)  # report bad settings before training anything
    run = runs[names[0]]
    data = load_data(run)
    for name in names:
        scale_for_batches(
            runs[name],
            len(data.train[0]),
            rate_given=_rate_given(argparse.Namespace(learning_rate=None, set=per_optimizer[name])),
        )
    output = choose_output(
        args.output, Path("runs") / f"compare-{run['data']}", overwrite=args.overwrite
    )
    with output_folder(output):
        makers = {name: lambda run=runs[name]: make_optimizer(run, 1) for name in names}
        if args.verbose:
            print(f"nnlite compare: {data.description}")
            print(f"optimizers: {', '.join(names)}, {run['epochs']} epochs each")
        histories = compare_optimizers(
            makers,
            *data.train,
            hidden=run["hidden"],
            task=data.task,
            weight_regularizer_l2=run["regularizer_l2"],
            bias_regularizer_l2=run["regularizer_l2"],
            weight_scale=run["weight_scale"],
            epochs=run["epochs"],
            batch_size=run["batch_size"],
            shuffle=bool(run["shuffle"] and run["batch_size"]),
            validation_data=data.validation,
            seed=run["seed"],
        )
        print(summary_table(histories))
        y = data.train[1]
        outputs = int(np.max(y)) + 1 if data.task == "classification" else y.shape[1]
        sizes = [data.train[0].shape[1], *run["hidden"], outputs]
        figure = comparison_figure(histories, run, "-".join(map(str, sizes)))
        path = output / "loss_curves.png"
        replace_atomically(path, lambda file: figure.savefig(file, dpi=100))
    print(f"wrote {path}")
    return 0


def comparison_figure(
    histories: Mapping[str, History], run: Mapping[str, Any], network: str
) -> object:
    """The loss curves of a comparison, titled with what was compared."""
    from nnlite.plots import plot_loss_curves

    figure = plot_loss_curves(histories, log_scale=True)
    figure.axes[0].set_title(
        f"{', '.join(histories)} on {run['data']} data ({network}, {run['epochs']} epochs)"
    )
    return figure


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "train":
            return train(args)
        return compare(args)
    except (CommandError, ValueError, TypeError, OSError, ImportError) as error:
        print(f"nnlite: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nnnlite: interrupted; this run saved nothing", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
