"""The ``nnlite`` command: ``nnlite train`` trains a small network on spiral data."""

from __future__ import annotations

import argparse
import sys

import numpy as np

from nnlite.activations import Activation_ReLU
from nnlite.datasets import spiral_data
from nnlite.layers import Layer_Dense
from nnlite.losses import Activation_Softmax_Loss_CategoricalCrossentropy
from nnlite.optimizers import Optimizer_Adam


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nnlite", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    train = commands.add_parser("train", help="train a 2-64-3 network on spiral data")
    train.add_argument("--epochs", type=int, default=1001, help="training epochs (1001)")
    train.add_argument("--samples", type=int, default=100, help="samples per class (100)")
    train.add_argument("--classes", type=int, default=3, help="number of classes (3)")
    train.add_argument("--hidden", type=int, default=64, help="hidden neurons (64)")
    train.add_argument("--learning-rate", type=float, default=0.05, help="Adam's rate (0.05)")
    train.add_argument("--decay", type=float, default=5e-7, help="learning-rate decay (5e-7)")
    train.add_argument("--seed", type=int, default=0, help="random seed (0)")
    train.add_argument("--print-every", type=int, default=100, help="epochs between lines")
    return parser


def train(args: argparse.Namespace) -> None:
    """The book's chapter 10 loop with Adam, as a learner would write it."""
    np.random.seed(args.seed)
    X, y = spiral_data(samples=args.samples, classes=args.classes)
    dense1 = Layer_Dense(2, args.hidden)
    activation1 = Activation_ReLU()
    dense2 = Layer_Dense(args.hidden, args.classes)
    loss_activation = Activation_Softmax_Loss_CategoricalCrossentropy()
    optimizer = Optimizer_Adam(learning_rate=args.learning_rate, decay=args.decay)
    for epoch in range(args.epochs):
        dense1.forward(X)
        activation1.forward(dense1.output)
        dense2.forward(activation1.output)
        loss = loss_activation.forward(dense2.output, y)
        accuracy = np.mean(np.argmax(loss_activation.output, axis=1) == y)
        if epoch % args.print_every == 0 or epoch == args.epochs - 1:
            print(
                f"epoch: {epoch}, acc: {accuracy:.3f}, loss: {loss:.3f}, "
                f"lr: {optimizer.current_learning_rate}"
            )
        loss_activation.backward(loss_activation.output, y)
        dense2.backward(loss_activation.dinputs)
        activation1.backward(dense2.dinputs)
        dense1.backward(activation1.dinputs)
        optimizer.step([dense1, dense2])


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        if args.command == "train":
            train(args)
    except (ValueError, TypeError) as error:
        print(f"nnlite: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
