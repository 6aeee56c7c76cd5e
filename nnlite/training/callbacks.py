"""Callbacks: code that ``Model.train`` runs at fixed points of training.

Pass them as ``model.train(X, y, epochs=..., callbacks=[...])``. The model calls, in order::

    on_train_begin(model)
    for each epoch:
        for each step:  on_step_end(model, epoch, step, logs)   # logs of that batch
        on_epoch_end(model, epoch, logs)                         # the History figures
    on_train_end(model, history)

``logs`` maps names to numbers: ``loss``, ``data_loss``, ``regularization_loss``, ``accuracy``,
``learning_rate`` and, at epoch end with validation data, ``val_loss`` and ``val_accuracy``.
A callback stops training with ``model.request_stop(reason)``; the model finishes the current
epoch's bookkeeping, prints the reason (``verbose >= 1``) and stores it in
``History.stop_reason``.
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Callable, Mapping
from pathlib import Path

import numpy as np

from nnlite.training.callback import Callback
from nnlite.training.checkpoints import save_checkpoint
from nnlite.training.history import History
from nnlite.training.model import Model
from nnlite.validation import check_bool

MODES = ("auto", "min", "max")


class _Monitor:
    """Tracks the best value of one figure: lower is better for losses, higher for accuracies."""

    def __init__(self, owner: str, monitor: str, mode: str, min_delta: float) -> None:
        if mode not in MODES:
            raise ValueError(f"{owner}: mode must be one of {MODES}, got {mode!r}")
        if isinstance(min_delta, bool) or not isinstance(min_delta, numbers.Real):
            raise TypeError(f"{owner}: min_delta must be a number >= 0, got {min_delta!r}")
        if not min_delta >= 0:
            raise ValueError(f"{owner}: min_delta must be >= 0, got {min_delta}")
        if mode == "auto":
            mode = "max" if "accuracy" in monitor else "min"
        self.owner = owner
        self.monitor = monitor
        self.mode = mode
        self.min_delta = min_delta
        self.best: float | None = None
        self.best_epoch: int | None = None

    def value(self, logs: Mapping[str, float]) -> float:
        if self.monitor not in logs:
            hint = " (pass validation_data to train())" if self.monitor.startswith("val_") else ""
            raise ValueError(
                f"{self.owner}: monitor={self.monitor!r} is not among this epoch's figures "
                f"{sorted(logs)}{hint}"
            )
        return float(logs[self.monitor])

    def improved(self, value: float) -> bool:
        """True if ``value`` beats the best by more than ``min_delta`` (NaN never does)."""
        if math.isnan(value):
            return False
        if self.best is None:
            return True
        if self.mode == "min":
            return value < self.best - self.min_delta
        return value > self.best + self.min_delta

    def remember(self, epoch: int, value: float) -> None:
        self.best = value
        self.best_epoch = epoch


class Callback_EarlyStopping(Callback):
    """Stop training when a figure stops improving.

    After each epoch the ``monitor``-ed figure is compared with the best so far; if it has not
    improved by more than ``min_delta`` for ``patience`` epochs in a row, training stops.

    Parameters
    ----------
    monitor:
        The figure to watch: ``"val_loss"`` (default; needs ``validation_data``), ``"loss"``,
        ``"accuracy"``, ``"val_accuracy"``...
    patience:
        Epochs without improvement to wait before stopping (0: stop at the first one).
    min_delta:
        The smallest change that counts as an improvement.
    mode:
        ``"min"`` (lower is better), ``"max"``, or ``"auto"``: max for accuracies, else min.
    restore_best_weights:
        When training ends (stopped or not), copy the parameters of the best epoch back into
        the layers, in place. ``restored_epoch`` tells which epoch they came from.

    After training, ``best``, ``best_epoch`` and ``stopped_epoch`` (``None`` if it did not
    stop) describe what happened. Keras's ``EarlyStopping`` works the same way.
    """

    def __init__(
        self,
        *,
        monitor: str = "val_loss",
        patience: int = 0,
        min_delta: float = 0.0,
        mode: str = "auto",
        restore_best_weights: bool = False,
    ) -> None:
        if isinstance(patience, bool) or not isinstance(patience, int) or patience < 0:
            raise ValueError(
                f"Callback_EarlyStopping: patience must be a whole number >= 0, got {patience!r}"
            )
        self._monitor = _Monitor("Callback_EarlyStopping", monitor, mode, min_delta)
        self.monitor = monitor
        self.patience = patience
        self.min_delta = min_delta
        self.mode = self._monitor.mode
        self.restore_best_weights = check_bool(
            "Callback_EarlyStopping", "restore_best_weights", restore_best_weights
        )
        self.on_train_begin(None)

    def on_train_begin(self, model: Model | None) -> None:
        # Start afresh: one callback object can serve several calls to train()
        self._monitor = _Monitor("Callback_EarlyStopping", self.monitor, self.mode, self.min_delta)
        self.wait = 0
        self.stopped_epoch: int | None = None
        self.restored_epoch: int | None = None
        self.best_weights: list[tuple[np.ndarray, ...]] | None = None

    @property
    def best(self) -> float | None:
        return self._monitor.best

    @property
    def best_epoch(self) -> int | None:
        return self._monitor.best_epoch

    def on_epoch_end(self, model: Model, epoch: int, logs: Mapping[str, float]) -> None:
        value = self._monitor.value(logs)
        if self._monitor.improved(value):
            self._monitor.remember(epoch, value)
            self.wait = 0
            if self.restore_best_weights:
                # Copies: the layers' arrays keep changing in place
                self.best_weights = [
                    tuple(array.copy() for array in arrays) for arrays in model.get_parameters()
                ]
            return
        self.wait += 1
        if self.wait >= max(self.patience, 1):
            self.stopped_epoch = epoch
            restoring = (
                f"; the weights of epoch {self.best_epoch} are restored"
                if self.restore_best_weights and self.best_weights is not None
                else ""
            )
            model.request_stop(
                f"Callback_EarlyStopping: {self.monitor} did not improve by more than "
                f"{self.min_delta} for {self.wait} epoch(s); stopped after epoch {epoch}, "
                f"best epoch {self.best_epoch} ({self.monitor}: {self.best:.3f}){restoring}"
            )

    def on_train_end(self, model: Model, history: History) -> None:
        if not self.restore_best_weights or self.best_weights is None:
            return
        if history.epoch and history.epoch[-1] == self.best_epoch:
            return  # the model already holds the best weights
        for arrays, best_arrays in zip(model.get_parameters(), self.best_weights, strict=True):
            for array, best_array in zip(arrays, best_arrays, strict=True):
                np.copyto(array, best_array)
        self.restored_epoch = self.best_epoch

    def __repr__(self) -> str:
        return (
            f"Callback_EarlyStopping(monitor={self.monitor!r}, patience={self.patience}, "
            f"min_delta={self.min_delta}, mode={self.mode!r}, "
            f"restore_best_weights={self.restore_best_weights})"
        )


class Callback_Checkpoint(Callback):
    """Save the model's parameters during training.

    ``path`` may hold ``{epoch}`` and any figure name, formatted each time it saves, for
    example ``"checkpoints/spiral-{epoch:04d}-{val_loss:.3f}.npz"``; a fixed path is replaced
    each time (atomically, so a crash never leaves half a file).

    Parameters
    ----------
    path:
        Where to save. Its directory must exist (checked before training starts).
    save:
        ``save(model, path)`` writes the file. The default calls
        ``model.save_parameters(path)`` (a NumPy ``.npz`` file, no pickle).
    monitor, mode:
        With ``save_best_only``, the figure that decides what "best" is and whether lower
        (``"min"``) or higher (``"max"``) is better (``"auto"``: max for accuracies).
    save_best_only:
        Save only when the monitored figure improves on the best so far.
    every:
        Consider saving every ``every`` epochs (and always after the last epoch).
    full_checkpoint:
        Save everything needed to resume training (``nnlite.save_checkpoint``: the model,
        its optimizer state, the epoch and the random streams) instead of the parameters only;
        ``load_checkpoint`` and ``model.train(..., initial_epoch=checkpoint.epoch)`` resume to
        the same weights as a run that never stopped.
    rng:
        With ``full_checkpoint``, the generator given to ``train(shuffle=True, rng=...)``, so
        that its state is saved too.

    ``saved`` lists ``(epoch, path)`` of every file written.
    """

    def __init__(
        self,
        path: str | os.PathLike,
        *,
        save: Callable[[Model, str], None] | None = None,
        monitor: str = "val_loss",
        mode: str = "auto",
        save_best_only: bool = False,
        every: int = 1,
        full_checkpoint: bool = False,
        rng: np.random.Generator | None = None,
    ) -> None:
        if full_checkpoint and save is not None:
            raise ValueError(
                "Callback_Checkpoint: give either save= or full_checkpoint=True, not both"
            )
        if isinstance(every, bool) or not isinstance(every, int) or every < 1:
            raise ValueError(
                f"Callback_Checkpoint: every must be a whole number >= 1, got {every!r}"
            )
        self._monitor = _Monitor("Callback_Checkpoint", monitor, mode, 0.0)
        self.path = os.fspath(path)
        self.save = save if save is not None else _save_parameters
        self.monitor = monitor
        self.mode = self._monitor.mode
        self.save_best_only = check_bool("Callback_Checkpoint", "save_best_only", save_best_only)
        self.every = every
        self.full_checkpoint = check_bool("Callback_Checkpoint", "full_checkpoint", full_checkpoint)
        self.rng = rng
        self.saved: list[tuple[int, str]] = []

    def on_train_begin(self, model: Model) -> None:
        directory = Path(self.path).parent
        if "{" not in str(directory) and not directory.is_dir():
            raise FileNotFoundError(
                f"Callback_Checkpoint: the directory {str(directory)!r} of {self.path!r} does "
                f"not exist; create it first"
            )
        self._monitor = _Monitor("Callback_Checkpoint", self.monitor, self.mode, 0.0)

    def on_epoch_end(self, model: Model, epoch: int, logs: Mapping[str, float]) -> None:
        if epoch % self.every == 0:
            self._consider(model, epoch, logs)

    def on_train_end(self, model: Model, history: History) -> None:
        # The last epoch is always considered, even between two multiples of `every`
        if history.epoch and history.epoch[-1] % self.every:
            self._consider(model, history.epoch[-1], history.last())

    def _consider(self, model: Model, epoch: int, logs: Mapping[str, float]) -> None:
        if self.save_best_only:
            value = self._monitor.value(logs)
            if not self._monitor.improved(value):
                return
            self._monitor.remember(epoch, value)
        try:
            path = self.path.format(epoch=epoch, **logs)
        except KeyError as error:
            raise ValueError(
                f"Callback_Checkpoint: the path {self.path!r} names {error}, which is not among "
                f"the figures {['epoch', *logs]}"
            ) from None
        if self.full_checkpoint:
            save_checkpoint(path, model, epoch=epoch, rng=self.rng)
        else:
            self.save(model, path)
        self.saved.append((epoch, path))

    def __repr__(self) -> str:
        return (
            f"Callback_Checkpoint({self.path!r}, monitor={self.monitor!r}, mode={self.mode!r}, "
            f"save_best_only={self.save_best_only}, every={self.every})"
        )


def _save_parameters(model: Model, path: str) -> None:
    model.save_parameters(path)


class Callback_TerminateOnNaN(Callback):
    """Stop as soon as a step's loss is NaN or infinite, saying at which epoch and step.

    A diverging run otherwise continues with NaN weights to the last epoch. The usual cause
    is a learning rate that is too high; NaN or inf in the data is another.
    """

    def on_step_end(self, model: Model, epoch: int, step: int, logs: Mapping[str, float]) -> None:
        loss = float(logs["loss"])
        if not math.isfinite(loss):
            model.request_stop(
                f"Callback_TerminateOnNaN: the loss is {loss} at epoch {epoch}, step {step}; "
                f"training stopped (try a lower learning rate, and check the data for NaN or "
                f"inf)"
            )


class Callback_ReportToSchedule(Callback):
    """After each epoch, tell the optimizer's schedule that epoch's ``monitor`` figure.

    A :class:`~nnlite.Schedule_ReduceOnPlateau` cuts the learning rate only when it hears the
    loss (``schedule.report(loss)``, PyTorch's ``scheduler.step(loss)``); this callback does
    that once per epoch, as PyTorch's recipe does::

        schedule = Schedule_ReduceOnPlateau(0.5, factor=0.5, patience=20)
        model.set(optimizer=Optimizer_SGD(learning_rate=schedule), ...)
        model.train(X, y, epochs=1000, callbacks=[Callback_ReportToSchedule("loss")])

    ``monitor`` names a figure of the History (``"loss"``, ``"val_loss"``, ...). Schedules
    that do not listen (every other kind) ignore the report, and an optimizer with a plain
    number for its learning rate has no schedule to tell, so the callback is safe on any run.
    """

    def __init__(self, monitor: str = "loss") -> None:
        if not isinstance(monitor, str) or not monitor:
            raise TypeError(
                f"Callback_ReportToSchedule: monitor must name a figure such as 'loss', got "
                f"{monitor!r}"
            )
        self.monitor = monitor

    def on_epoch_end(self, model: Model, epoch: int, logs: Mapping[str, float]) -> None:
        if self.monitor not in logs:
            hint = " (pass validation_data to train())" if self.monitor.startswith("val_") else ""
            raise ValueError(
                f"Callback_ReportToSchedule: monitor={self.monitor!r} is not among this epoch's "
                f"figures {sorted(logs)}{hint}"
            )
        schedule = getattr(model.optimizer, "schedule", None)
        if schedule is not None:
            schedule.report(logs[self.monitor])

    def __repr__(self) -> str:
        return f"Callback_ReportToSchedule(monitor={self.monitor!r})"
