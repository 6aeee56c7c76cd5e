"""The lines ``Model.train`` prints, as the book prints them, written as a callback.

The book prints two ways. Chapter 18's Model (no batches) prints
one line every ``print_every`` *epochs*, after that epoch's update, and the validation
line once at the end::

    epoch: 100, acc: 0.723, loss: 0.684 (data_loss: 0.684, reg_loss: 0.000), lr: 0.0499975...
    validation, acc: 0.620, loss: 0.820

Chapter 19's Model (batches) prints ``epoch: N``, then a step line every ``print_every``
*steps* and after the last step, then the epoch summary and the validation line::

    epoch: 1
    step: 0, acc: 0.172, loss: 1.099 (data_loss: 1.099, reg_loss: 0.000), lr: 0.05
    step: 2, acc: 0.000, loss: 1.170 (data_loss: 1.170, reg_loss: 0.000), lr: 0.0499950...
    training, acc: 0.073, loss: 1.151 (data_loss: 1.150, reg_loss: 0.000), lr: 0.0499950...
    validation, acc: 0.333, loss: 1.099

nnlite chooses by ``batch_size``: ``None`` prints chapter 18's lines, a number prints
chapter 19's. Every book script gets its chapter's output: chapter 18 never batches, and
chapters 19-22 always do. ``print_style="chapter18"`` or ``"chapter19"`` chooses
explicitly (chapter 22's code run without a batch size prints chapter 19's lines).

``Model.train(verbose=1)`` adds a :class:`Callback_BookLines` after the callbacks it is
given, so that the training loop itself reads like the book's, with no printing woven through
it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np

from nnlite.training.callback import Callback


class StepFigures(NamedTuple):
    """The figures of one training step (or of one epoch) as the book prints them."""

    loss: float
    data_loss: float
    regularization_loss: float
    accuracy: float
    learning_rate: float


def book_line(prefix: str, figures: StepFigures) -> str:
    """``<prefix>, acc: ..., loss: ... (data_loss: ..., reg_loss: ...), lr: ...`` (the book's)."""
    return (
        f"{prefix}, "
        f"acc: {figures.accuracy:.3f}, "
        f"loss: {figures.loss:.3f} ("
        f"data_loss: {figures.data_loss:.3f}, "
        f"reg_loss: {figures.regularization_loss:.3f}), "
        f"lr: {figures.learning_rate}"
    )


def validation_line(accuracy: float, loss: float) -> str:
    """``validation, acc: ..., loss: ...`` (the book's)."""
    return f"validation, acc: {accuracy:.3f}, loss: {loss:.3f}"


class Callback_BookLines(Callback):
    """Prints the book's lines of ``style`` (``"chapter18"`` or ``"chapter19"``) as training
    goes; ``Model.train(verbose=1)`` adds one, last, after the callbacks it is given."""

    def __init__(
        self,
        style: str,
        *,
        steps: int,
        print_every: int,
        validation_data: tuple[np.ndarray, np.ndarray] | None = None,
        batch_size: int | None = None,
    ) -> None:
        self.style = style
        self.steps = steps
        self.print_every = print_every
        self.validation_data = validation_data
        self.batch_size = batch_size

    def on_epoch_begin(self, model: Any, epoch: int) -> None:
        if self.style == "chapter19":
            print(f"epoch: {epoch}")

    def on_step_end(self, model: Any, epoch: int, step: int, logs: Mapping[str, float]) -> None:
        # The book prints every `print_every` steps and the last step (here: or a stop)
        last = step == self.steps - 1 or model.stop_training
        if self.style == "chapter19" and (not step % self.print_every or last):
            print(book_line(f"step: {step}", StepFigures(**logs)))

    def on_epoch_end(self, model: Any, epoch: int, logs: Mapping[str, float]) -> None:
        figures = StepFigures(**{name: logs[name] for name in StepFigures._fields})
        if self.style == "chapter19":
            print(book_line("training", figures))
            if "val_loss" in logs:
                print(validation_line(logs["val_accuracy"], logs["val_loss"]))
        elif not epoch % self.print_every:
            print(book_line(f"epoch: {epoch}", figures))
        if model.stop_training and model.stop_reason:
            print(model.stop_reason)

    def on_train_end(self, model: Any, history: Any) -> None:
        if self.style == "chapter18" and self.validation_data is not None:
            # Chapter 18 validates once, after training (with the final, maybe restored, weights)
            model.evaluate(*self.validation_data, batch_size=self.batch_size)
