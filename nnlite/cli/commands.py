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
    nnlite train --resume runs/spiral-adam/checkpoint.npz --epochs 2000
    nnlite compare --optimizers sgd adagrad rmsprop adam --epochs 1000

What a run trains on, and its defaults, are in :mod:`nnlite.cli.runs`; where it is written,
in :mod:`nnlite.cli.run_folders`. Ctrl-C stops training after the current epoch and saves a
checkpoint to resume from (Ctrl-C twice stops at once and saves nothing).
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import signal
import sys
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

import nnlite
from nnlite.cli.run_folders import choose_output, output_folder, save_run
from nnlite.cli.runs import (
    DATASETS,
    OPTIMIZER_DEFAULTS,
    SCHEDULES,
    CommandError,
    describe_network,
    describe_optimizer,
    load_data,
    make_optimizer,
    resume_record,
    run_record,
    scale_for_batches,
)
from nnlite.experiments import (
    UNSUITED,
    build_model,
    compare_optimizers,
    format_loss,
    optimizer_classes,
    summary_table,
)
from nnlite.files.array_files import replace_atomically
from nnlite.plots import plot_loss_curves
from nnlite.training import checkpoints
from nnlite.training.callbacks import Callback, Callback_TerminateOnNaN
from nnlite.training.history import History
from nnlite.training.model import Model

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


# ---------------------------------------------------------------------------- progress and Ctrl-C


class Callback_ProgressLines(Callback):
    """One line every tenth of the run's epochs (not the last: the final line shows it)."""

    def __init__(self, epochs: int, first: int) -> None:
        self.epochs = epochs
        self.every = max(1, (epochs - first) // 10)
        self.first = first

    def on_epoch_end(self, model: Model, epoch: int, logs: Mapping[str, float]) -> None:
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
        self._previous = None

    def on_train_begin(self, model: Model) -> None:
        with contextlib.suppress(ValueError):  # only the main thread can catch signals
            self._previous = signal.signal(signal.SIGINT, self._handle)

    def _handle(self, number: int, frame: object) -> None:
        if self.interrupted:
            raise KeyboardInterrupt
        self.interrupted = True
        print("\ninterrupted: stopping after this epoch (Ctrl-C again stops at once, unsaved)")

    def on_epoch_end(self, model: Model, epoch: int, logs: Mapping[str, float]) -> None:
        if self.interrupted:
            model.request_stop(f"interrupted after epoch {epoch}")

    def on_train_end(self, model: Model, history: History) -> None:
        self.restore()

    def restore(self) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
            self._previous = None


# ---------------------------------------------------------------------------- train


def train(args: argparse.Namespace) -> int:
    """``nnlite train``: one network, its figures, curve, history and checkpoint."""
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
        if args.output is None or args.output.resolve() == args.resume.parent.resolve():
            # The same run, continued in its folder
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
        # A diverging run is reported below in one line, not by NumPy's overflow warnings
        try:
            with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
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


# ---------------------------------------------------------------------------- compare


def compare(args: argparse.Namespace) -> int:
    """``nnlite compare``: the same network with each optimizer, one figure, one table."""
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
    except (CommandError, ValueError, TypeError, OSError, ImportError, MemoryError) as error:
        message = str(error) or type(error).__name__
        if len(message) > 320:
            # A value pasted into the message (50,000 characters of it) would bury the rest
            message = f"{message[:150]} [... {len(message) - 300} characters ...] {message[-150:]}"
        print(f"nnlite: error: {' '.join(message.splitlines())}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nnnlite: interrupted; this run saved nothing", file=sys.stderr)
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
