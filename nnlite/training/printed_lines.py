"""The lines ``Model.train`` prints, as the book prints them, and the progress bar's figures."""

from __future__ import annotations

from typing import NamedTuple


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


def progress_postfix(epoch: int, epochs: int, logs: dict[str, float]) -> dict[str, str]:
    postfix = {
        "epoch": f"{epoch}/{epochs}",
        "loss": f"{logs['loss']:.3f}",
        "acc": f"{logs['accuracy']:.3f}",
    }
    if "val_loss" in logs:
        postfix["val_loss"] = f"{logs['val_loss']:.3f}"
        postfix["val_acc"] = f"{logs['val_accuracy']:.3f}"
    return postfix
