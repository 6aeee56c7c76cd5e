"""Schedule_ReduceOnPlateau: cut the learning rate when the loss stops improving."""

from __future__ import annotations

import math
from typing import Any

from nnlite.schedules import schedule_checks
from nnlite.schedules.base import Schedule


class Schedule_ReduceOnPlateau(Schedule):
    """Multiply the learning rate by ``factor`` when the reported metric stops improving.

    Rule, applied at each ``report(metric)`` (usually once per epoch, with a validation loss)::

        improved = metric < best · (1 - threshold)     (mode "min", threshold_mode "rel")
                   metric < best - threshold           (mode "min", threshold_mode "abs")
                   metric > best · (1 + threshold)     (mode "max", threshold_mode "rel")
                   metric > best + threshold           (mode "max", threshold_mode "abs")
        if improved: best = metric, num_bad_epochs = 0
        else:        num_bad_epochs += 1
        during a cooldown the bad epochs are not counted;
        if num_bad_epochs > patience:
            lr = max(lr · factor, min_lr)   (unless that changes lr by no more than eps)
            then a cooldown of ``cooldown`` reports, and num_bad_epochs = 0

    Between reports, ``schedule(step)`` is the current rate, whatever the step.

    Defaults (PyTorch's): ``mode="min", factor=0.1, patience=10, threshold=1e-4,
    threshold_mode="rel", cooldown=0, min_lr=0.0, eps=1e-8``.

    Equals PyTorch's ``ReduceLROnPlateau(optimizer, ...)`` with ``report(metric)`` in place of
    ``scheduler.step(metric)``. PyTorch keeps a rate per param group, each with its own
    ``min_lr``; nnlite keeps one, and param groups with their own learning rate are scaled by
    the same ratio. Unlike PyTorch's, it works inside :class:`Schedule_Sequential` (after a
    warm-up, say) and :class:`Schedule_Chained`.
    """

    def __init__(
        self,
        initial_learning_rate: float,
        *,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: float = 0.0,
        eps: float = 1e-8,
    ) -> None:
        where = type(self).__name__
        self.initial_learning_rate = schedule_checks.learning_rate(
            where, "initial_learning_rate", initial_learning_rate
        )
        schedule_checks.number(where, "factor", factor)
        if factor >= 1.0:  # PyTorch's message
            raise ValueError("Factor should be < 1.0.")
        self.factor = schedule_checks.non_negative(where, "factor", factor)
        if mode not in ("min", "max"):
            raise ValueError(f"mode {mode} is unknown!")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"threshold mode {threshold_mode} is unknown!")
        self.mode = mode
        self.threshold_mode = threshold_mode
        self.patience = schedule_checks.whole(where, "patience", patience, minimum=0)
        self.threshold = schedule_checks.non_negative(where, "threshold", threshold)
        self.cooldown = schedule_checks.whole(where, "cooldown", cooldown, minimum=0)
        self.min_lr = schedule_checks.learning_rate(where, "min_lr", min_lr)
        self.eps = schedule_checks.non_negative(where, "eps", eps)

        self.current_learning_rate = initial_learning_rate
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0

    def __call__(self, step: int) -> float:
        schedule_checks.step(self, step)
        return self.current_learning_rate

    def is_better(self, metric: float) -> bool:
        """Whether ``metric`` improves on ``best`` by more than the threshold."""
        if self.mode == "min" and self.threshold_mode == "rel":
            return metric < self.best * (1.0 - self.threshold)
        if self.mode == "min":
            return metric < self.best - self.threshold
        if self.threshold_mode == "rel":
            return metric > self.best * (self.threshold + 1.0)
        return metric > self.best + self.threshold

    def report(self, metric: float) -> None:
        """Count ``metric`` (a loss, an accuracy, ...) and cut the rate if it has stalled."""
        try:
            metric = float(metric)
        except (TypeError, ValueError):
            raise TypeError(
                f"{type(self).__name__}.report: metric must be a number, got {metric!r}"
            ) from None
        if self.is_better(metric):
            self.best = metric
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.cooldown_counter > 0:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0  # bad epochs during a cooldown do not count
        if self.num_bad_epochs > self.patience:
            reduced = max(self.current_learning_rate * self.factor, self.min_lr)
            if self.current_learning_rate - reduced > self.eps:
                self.current_learning_rate = reduced
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0

    def state_dict(self) -> dict[str, Any]:
        return {
            "current_learning_rate": self.current_learning_rate,
            "best": self.best,
            "num_bad_epochs": self.num_bad_epochs,
            "cooldown_counter": self.cooldown_counter,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        where = f"{type(self).__name__}.load_state_dict"
        expected = set(self.state_dict())
        if not isinstance(state, dict) or set(state) != expected:
            raise ValueError(
                f"{where}: expected the keys {sorted(expected)} (a dict), got {state!r:.80}"
            )
        # Checked before anything is set: a rate, a figure (inf before the first report)
        # and two counters
        schedule_checks.learning_rate(
            where, "current_learning_rate", state["current_learning_rate"]
        )
        best = schedule_checks.number(where, "best", state["best"])
        if math.isnan(best):
            raise ValueError(f"{where}: best must be a number, got {best}")
        for key in ("num_bad_epochs", "cooldown_counter"):
            schedule_checks.whole(where, key, state[key], minimum=0)
        for key in expected:
            setattr(self, key, state[key])
