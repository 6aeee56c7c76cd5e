"""Schedule_Cyclic: the learning rate goes up and down between two bounds, again and again."""

from __future__ import annotations

import math
from collections.abc import Callable

from nnlite.schedules import schedule_checks
from nnlite.schedules.base import Schedule
from nnlite.validation import check_bool

MODES = ("triangular", "triangular2", "exp_range")
SCALE_MODES = ("cycle", "iterations")


class Schedule_Cyclic(Schedule):
    """Cyclical learning rates: triangle waves between ``base_lr`` and ``max_lr``.

    Formula (step = updates already made, 0, 1, 2, ...; a cycle is step_size_up steps up,
    then step_size_down steps down)::

        cycle  = floor(1 + step / (step_size_up + step_size_down))       (1, 2, 3, ...)
        x      = 1 + step / (step_size_up + step_size_down) - cycle      (0 → 1 within a cycle)
        height = x / r            while x <= r,  r = step_size_up / (step_size_up + step_size_down)
               = (x - 1) / (r - 1) after                                  (0 → 1 → 0)
        lr     = base_lr + (max_lr - base_lr) · height · scale

    where ``scale`` is 1 for ``mode="triangular"``, ``1/2^(cycle-1)`` for ``"triangular2"``
    (each cycle half as tall) and ``gamma^step`` for ``"exp_range"``. A custom
    ``scale_fn(x)`` replaces the mode; it gets the cycle number or, with
    ``scale_mode="iterations"``, the step.

    The momentum (Adam's β₁) cycles the other way (``momentum(step)``)::

        momentum = max_momentum - (max_momentum - base_momentum) · height · scale

    ``cycle_momentum=False`` leaves the optimizer's momentum alone.

    Defaults (PyTorch's): ``step_size_up=2000, step_size_down=step_size_up,
    mode="triangular", gamma=1.0, scale_fn=None, scale_mode="cycle", cycle_momentum=True,
    base_momentum=0.8, max_momentum=0.9``; ``base_lr`` (the initial learning rate) and
    ``max_lr`` must be given.

    Equals PyTorch's ``CyclicLR(optimizer, base_lr, max_lr, ...)``, learning rate and
    momentum.

    Paper: Smith, "Cyclical Learning Rates for Training Neural Networks" (WACV 2017).
    """

    def __init__(
        self,
        base_lr: float,
        max_lr: float,
        *,
        step_size_up: int = 2000,
        step_size_down: int | None = None,
        mode: str = "triangular",
        gamma: float = 1.0,
        scale_fn: Callable[[float], float] | None = None,
        scale_mode: str = "cycle",
        cycle_momentum: bool = True,
        base_momentum: float = 0.8,
        max_momentum: float = 0.9,
    ) -> None:
        where = type(self).__name__
        self.base_lr = schedule_checks.learning_rate(where, "base_lr", base_lr)
        self.max_lr = schedule_checks.learning_rate(where, "max_lr", max_lr)
        self.initial_learning_rate = base_lr
        self.step_size_up = schedule_checks.whole(where, "step_size_up", step_size_up, minimum=1)
        self.step_size_down = (
            None
            if step_size_down is None
            else schedule_checks.whole(where, "step_size_down", step_size_down, minimum=1)
        )
        if mode not in MODES and scale_fn is None:  # PyTorch's message
            raise ValueError("mode is invalid and scale_fn is None")
        if scale_fn is not None and not callable(scale_fn):
            raise TypeError(f"{where}: scale_fn must be a function or None, got {scale_fn!r}")
        self.mode = mode
        self.gamma = schedule_checks.non_negative(where, "gamma", gamma)
        self.scale_fn = scale_fn
        self.scale_mode = schedule_checks.choice(where, "scale_mode", scale_mode, SCALE_MODES)
        self.cycle_momentum = check_bool(where, "cycle_momentum", cycle_momentum)
        self.base_momentum = schedule_checks.non_negative(where, "base_momentum", base_momentum)
        self.max_momentum = schedule_checks.non_negative(where, "max_momentum", max_momentum)

        # As PyTorch: the sizes as floats, and the mode decides what the scale depends on
        up = float(self.step_size_up)
        down = float(self.step_size_down) if self.step_size_down is not None else up
        self.cycle_size = up + down
        self.step_ratio = up / self.cycle_size
        if scale_fn is None:
            self._scale_of = "iterations" if mode == "exp_range" else "cycle"
        else:
            self._scale_of = scale_mode

    def scale(self, x: float) -> float:
        """How much of the full height a cycle reaches (the mode's scaling function)."""
        if self.scale_fn is not None:
            return self.scale_fn(x)
        if self.mode == "triangular":
            return 1.0
        if self.mode == "triangular2":
            return 1 / (2.0 ** (x - 1))
        return self.gamma**x

    def _wave(self, step: int) -> tuple[float, float]:
        """``(height, scale)``: where the triangle is (0 at the bottom, 1 at the top) and how
        much of the full height this cycle reaches."""
        step = schedule_checks.step(self, step)
        cycle = math.floor(1 + step / self.cycle_size)
        x = 1.0 + step / self.cycle_size - cycle
        if x <= self.step_ratio:
            height = x / self.step_ratio
        else:
            height = (x - 1) / (self.step_ratio - 1)
        return height, self.scale(cycle if self._scale_of == "cycle" else step)

    def __call__(self, step: int) -> float:
        height, scale = self._wave(step)
        return self.base_lr + (self.max_lr - self.base_lr) * height * scale

    def momentum(self, step: int) -> float | None:
        if not self.cycle_momentum:
            return None
        height, scale = self._wave(step)
        return self.max_momentum - (self.max_momentum - self.base_momentum) * height * scale
