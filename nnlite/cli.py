"""The ``nnlite`` command (also ``python -m nnlite``).

``nnlite train`` trains a network (spiral data by default, in a few seconds), shows its
progress, prints the final figures and writes a loss-curve PNG, the training history and a
checkpoint that ``--resume`` continues from. ``nnlite compare`` trains the same network from the
same start with several optimizers and draws their loss curves on one figure, with a table.

    nnlite train
    nnlite train --optimizer sgd --learning-rate 1 --decay 1e-3 --set momentum=0.9
    nnlite train --data digits --hidden 64 --epochs 50 --batch-size 64
    nnlite compare --optimizers sgd adagrad rmsprop adam --epochs 1000
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from nnlite.experiments import build_model, optimizer_by_name, optimizer_classes, summary_table
from nnlite.training.history import History

DATASETS = ("spiral", "vertical", "sine", "digits", "fashion-mnist")
SCHEDULES = ("none", "step", "exponential", "cosine", "one-cycle", "linear-warmup")

#: Settings that train well on the book's spiral data: the book's chapter 10 choices for its
#: four optimizers; the others keep their own (PyTorch's) defaults.
BOOK_SETTINGS = {
    "sgd": {"learning_rate": 1.0, "decay": 1e-3, "momentum": 0.9},
    "adagrad": {"learning_rate": 1.0, "decay": 1e-4},
    "rmsprop": {"learning_rate": 0.02, "decay": 1e-5, "rho": 0.999},
    "adam": {"learning_rate": 0.05, "decay": 5e-7},
}


class CommandError(Exception):
    """A problem with what was asked, reported as one line."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="nnlite", description="Train and compare nnlite networks from the command line."
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    train = commands.add_parser("train", help="train one network and save its results")
    _add_data_and_network_options(train)
    train.add_argument("--optimizer", default="adam", help="optimizer name (default: adam)")
    train.add_argument("--learning-rate", type=float, help="learning rate")
    train.add_argument("--decay", type=float, help="the book's learning-rate decay")
    train.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="any other optimizer setting, e.g. --set momentum=0.9 (repeatable)",
    )
    train.add_argument("--schedule", choices=SCHEDULES, default="none", help="learning rates")
    train.add_argument("--output", type=Path, help="output folder (default: runs/DATA-OPTIMIZER)")
    train.add_argument("--resume", type=Path, metavar="CHECKPOINT", help="continue a training")

    compare = commands.add_parser("compare", help="compare optimizers on the same network")
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
    return parser


def _add_data_and_network_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--data", choices=DATASETS, default="spiral", help="dataset (spiral)")
    parser.add_argument("--samples", type=int, default=100, help="samples per class (100)")
    parser.add_argument("--classes", type=int, default=3, help="classes of spiral/vertical (3)")
    parser.add_argument(
        "--hidden", type=int, nargs="+", default=[64], help="hidden layer sizes (64)"
    )
    parser.add_argument("--epochs", type=int, default=1000, help="training epochs (1000)")
    parser.add_argument("--batch-size", type=int, help="samples per step (all at once)")
    parser.add_argument("--seed", type=int, default=0, help="random seed for data and weights")
    parser.add_argument(
        "--verbose", type=int, choices=(0, 1, 2), default=2, help="0 quiet, 1 lines, 2 bar"
    )


# ---------------------------------------------------------------------------- data


def load_data(args: argparse.Namespace) -> tuple[tuple, tuple, str]:
    """``(X, y), (X_test, y_test), task`` for the chosen dataset."""
    from nnlite import datasets

    if args.data in ("spiral", "vertical"):
        # nnfs draws from the global stream: seed it, as the book's nnfs.init() does
        np.random.seed(args.seed)
        make = datasets.spiral_data if args.data == "spiral" else datasets.vertical_data
        train = make(samples=args.samples, classes=args.classes)
        test = make(samples=args.samples, classes=args.classes)
        return train, test, "classification"
    if args.data == "sine":
        X, y = datasets.sine_data(samples=args.samples * 10)
        return (X, y), (X, y), "regression"
    if args.data == "digits":
        X, y, X_test, y_test = datasets.load_digits()
        return (X, y), (X_test, y_test), "classification"
    X, y, X_test, y_test = datasets.load_fashion_mnist_images(
        datasets.download_fashion_mnist("datasets")
    )
    return (X, y), (X_test, y_test), "classification"


# ---------------------------------------------------------------------------- settings


def parse_settings(pairs: Sequence[str]) -> dict[str, object]:
    """``["momentum=0.9", "nesterov=True"]`` → ``{"momentum": 0.9, "nesterov": True}``."""
    settings = {}
    for pair in pairs:
        name, separator, text = pair.partition("=")
        if not separator or not name:
            raise CommandError(f"--set takes NAME=VALUE, got {pair!r}")
        try:
            settings[name.strip()] = ast.literal_eval(text.strip())
        except (ValueError, SyntaxError):
            settings[name.strip()] = text.strip()
    return settings


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


def optimizer_settings(name: str, args: argparse.Namespace, total_steps: int) -> dict:
    if name not in optimizer_classes():
        choices = ", ".join(sorted(optimizer_classes()))
        raise CommandError(f"unknown optimizer {name!r}; choose one of {choices}")
    settings = dict(BOOK_SETTINGS.get(name, {})) if args.data == "spiral" else {}
    if args.learning_rate is not None:
        settings["learning_rate"] = args.learning_rate
    if args.decay is not None:
        settings["decay"] = args.decay
    settings.update(parse_settings(args.set))
    if args.schedule != "none":
        settings.pop("decay", None)
        start = settings.get("learning_rate")
        if start is None:
            start = optimizer_classes()[name]().learning_rate
        settings["learning_rate"] = make_schedule(args.schedule, start, total_steps)
    return settings


# ---------------------------------------------------------------------------- commands


def train(args: argparse.Namespace) -> None:
    """``nnlite train``: one network, its figures, curve, history and checkpoint."""
    from nnlite.plots import plot_history
    from nnlite.training import checkpoints

    (X, y), validation, task = load_data(args)
    output = args.output or Path("runs") / f"{args.data}-{args.optimizer}"
    output.mkdir(parents=True, exist_ok=True)
    steps_per_epoch = 1 if not args.batch_size else -(-len(X) // args.batch_size)

    if args.resume is not None:
        checkpoint = checkpoints.load_checkpoint(args.resume)
        model, done = checkpoint.model, checkpoint.epoch
        earlier = History.from_dict((checkpoint.extra or {}).get("history", {}))
        print(f"resuming {args.resume} after epoch {done}")
    else:
        settings = optimizer_settings(args.optimizer, args, args.epochs * steps_per_epoch)
        n_outputs = int(np.max(y)) + 1 if task == "classification" else y.shape[1]
        model = build_model(
            X.shape[1],
            n_outputs,
            hidden=args.hidden,
            task=task,
            optimizer=optimizer_by_name(args.optimizer, **settings),
            rng=np.random.default_rng(args.seed),
        )
        done, earlier = 0, History()
    if done >= args.epochs:
        raise CommandError(f"the checkpoint already has {done} epochs; ask for more --epochs")

    history = model.train(
        X,
        y,
        epochs=args.epochs,
        initial_epoch=done,
        batch_size=args.batch_size,
        validation_data=validation,
        print_every=max(1, (args.epochs - done) // 10),
        verbose=args.verbose,
    )
    # The whole run's figures, including those of the training a checkpoint resumed
    earlier.extend(history)
    history = earlier
    last = history.last()
    print(
        f"final: loss {last['loss']:.4f}, accuracy {last['accuracy']:.3f}, "
        f"validation loss {last['val_loss']:.4f}, validation accuracy {last['val_accuracy']:.3f}"
    )
    figure = plot_history(history)
    figure.savefig(output / "loss_curve.png", dpi=100)
    (output / "history.json").write_text(json.dumps(history.to_dict(), indent=1))
    checkpoints.save_checkpoint(
        output / "checkpoint.npz", model, epoch=args.epochs, extra={"history": history.to_dict()}
    )
    print(f"wrote {output / 'loss_curve.png'}, {output / 'history.json'}, ", end="")
    print(f"{output / 'checkpoint.npz'}")


def compare(args: argparse.Namespace) -> None:
    """``nnlite compare``: the same network with each optimizer, one figure, one table."""
    from nnlite.experiments import compare_optimizers
    from nnlite.plots import plot_loss_curves

    (X, y), validation, task = load_data(args)
    output = args.output or Path("runs") / f"compare-{args.data}"
    output.mkdir(parents=True, exist_ok=True)
    per_optimizer: dict[str, dict] = {name: {} for name in args.optimizers}
    for key, value in parse_settings(args.set).items():
        name, _, setting = key.partition(".")
        if name not in per_optimizer or not setting:
            raise CommandError(
                f"--set {key}=...: write OPTIMIZER.NAME=VALUE for one of {args.optimizers}"
            )
        per_optimizer[name][setting] = value
    makers = {}
    for name in args.optimizers:
        bare = argparse.Namespace(**{**vars(args), "learning_rate": None, "decay": None})
        bare.set, bare.schedule = [], "none"
        settings = {**optimizer_settings(name, bare, args.epochs), **per_optimizer[name]}
        optimizer_by_name(name, **settings)  # report bad settings before training anything
        makers[name] = lambda name=name, settings=settings: optimizer_by_name(name, **settings)
    histories = compare_optimizers(
        makers,
        X,
        y,
        hidden=args.hidden,
        task=task,
        epochs=args.epochs,
        batch_size=args.batch_size,
        validation_data=validation,
        seed=args.seed,
    )
    print(summary_table(histories))
    figure = plot_loss_curves(histories, log_scale=True)
    figure.savefig(output / "loss_curves.png", dpi=100)
    print(f"wrote {output / 'loss_curves.png'}")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        for name in ("samples", "classes", "epochs", "batch_size"):
            value = getattr(args, name, None)
            if value is not None and value <= 0:
                raise CommandError(f"--{name.replace('_', '-')} must be above 0, got {value}")
        if args.command == "train":
            train(args)
        else:
            compare(args)
    except (CommandError, ValueError, TypeError, OSError, ImportError) as error:
        print(f"nnlite: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
