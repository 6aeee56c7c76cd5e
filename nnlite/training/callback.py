"""Callback: the base class of the code that ``Model.train`` runs at fixed points of training.

The model calls, in order::

    on_train_begin(model)
    for each epoch:
        on_epoch_begin(model, epoch)
        for each step:  on_step_end(model, epoch, step, logs)   # logs of that batch
        on_epoch_end(model, epoch, logs)                         # the History figures
    on_train_end(model, history)

The callbacks nnlite provides are in ``callbacks.py`` beside this file.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from nnlite.training.history import History


class Callback:
    """Base class: override the hooks you need; each does nothing by default."""

    def on_train_begin(self, model: Any) -> None:
        """Called once, before the first epoch."""

    def on_epoch_begin(self, model: Any, epoch: int) -> None:
        """Called at the start of each epoch, before its first step."""

    def on_step_end(self, model: Any, epoch: int, step: int, logs: Mapping[str, float]) -> None:
        """Called after each optimizer step with that batch's figures."""

    def on_epoch_end(self, model: Any, epoch: int, logs: Mapping[str, float]) -> None:
        """Called after each epoch with the figures recorded in the History."""

    def on_train_end(self, model: Any, history: History) -> None:
        """Called once, after the last epoch (or after a stop)."""

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"
