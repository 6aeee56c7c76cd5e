"""Schedule_OneCycle: up to max_lr, then far below the start, in a single cycle."""

from __future__ import annotations

import math
from dataclasses import dataclass

from nnlite.schedules import schedule_checks
from nnlite.schedules.base import Schedule
from nnlite.validation import check_bool

ANNEAL_STRATEGIES = ("cos", "linear")


@dataclass(frozen=True)
class _Phase:
    """One stretch of the cycle: from ``start`` to ``end`` as the step reaches ``end_step``."""

    end_step: float
    start_lr: float
    end_lr: float
    start_momentum: float
    end_momentum: float


class Schedule_OneCycle(Schedule):
    """The 1cycle policy: warm up to ``max_lr``, then anneal far below the starting rate.

    Formula (step = updates already made, 0, 1, ..., total_steps; T = total_steps)::

        initial_learning_rate = max_lr / div_factor
        min_lr                = initial_learning_rate / final_div_factor

        phase 1, steps 0 .. pct_start·T - 1:   initial_learning_rate → max_lr
        phase 2, up to T - 1:                  max_lr → min_lr

    Within a phase running from step a to step b, with p = (step - a)/(b - a)::

        anneal(start, end, p) = end + (start - end) · (1 + cos(π·p)) / 2    ("cos")
                              = start + (end - start) · p                     ("linear")

    ``three_phase=True`` follows the paper instead: up to ``max_lr`` in pct_start·T steps,
    back down to ``initial_learning_rate`` in as many, then to ``min_lr`` in the rest.

    The momentum (Adam's β₁) cycles the other way (``momentum(step)``): ``max_momentum``
    while the rate is lowest, ``base_momentum`` at ``max_lr``, with the same anneal.
    ``cycle_momentum=False`` leaves the optimizer's momentum alone.

    Defaults (PyTorch's): ``pct_start=0.3, anneal_strategy="cos", cycle_momentum=True,
    base_momentum=0.85, max_momentum=0.95, div_factor=25.0, final_div_factor=1e4,
    three_phase=False``; give ``total_steps``, or ``epochs`` and ``steps_per_epoch``.

    Equals PyTorch's ``OneCycleLR(optimizer, max_lr, ...)``, learning rate and momentum.
    Asking for a step past ``total_steps`` raises PyTorch's error: step 11 of a 10-step cycle
    gives ``Tried to step 11 times. The specified number of total steps is 10``, which PyTorch
    raises in the ``scheduler.step()`` that would compute that rate.

    Paper: Smith & Topin, "Super-Convergence: Very Fast Training of Neural Networks Using
    Large Learning Rates" (2017); the two-phase default is fastai's.
    """

    def __init__(
        self,
        max_lr: float,
        *,
        total_steps: int | None = None,
        epochs: int | None = None,
        steps_per_epoch: int | None = None,
        pct_start: float = 0.3,
        anneal_strategy: str = "cos",
        cycle_momentum: bool = True,
        base_momentum: float = 0.85,
        max_momentum: float = 0.95,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        three_phase: bool = False,
    ) -> None:
        where = type(self).__name__
        self.max_lr = schedule_checks.learning_rate(where, "max_lr", max_lr)
        # PyTorch's messages
        if total_steps is not None:
            if not _positive_whole(total_steps):
                raise ValueError(f"Expected positive integer total_steps, but got {total_steps}")
            self.total_steps = int(total_steps)
        elif epochs is not None and steps_per_epoch is not None:
            if not _positive_whole(epochs):
                raise ValueError(f"Expected positive integer epochs, but got {epochs}")
            if not _positive_whole(steps_per_epoch):
                raise ValueError(
                    f"Expected positive integer steps_per_epoch, but got {steps_per_epoch}"
                )
            self.total_steps = int(epochs) * int(steps_per_epoch)
        else:
            raise ValueError("You must define either total_steps OR (epochs AND steps_per_epoch)")
        self.epochs = epochs
        self.steps_per_epoch = steps_per_epoch
        schedule_checks.number(where, "pct_start", pct_start)
        if not 0 <= pct_start <= 1:
            raise ValueError(f"Expected float between 0 and 1 pct_start, but got {pct_start}")
        if anneal_strategy not in ANNEAL_STRATEGIES:
            raise ValueError(
                f"anneal_strategy must be one of 'cos' or 'linear', instead got {anneal_strategy}"
            )
        self.pct_start = pct_start
        self.anneal_strategy = anneal_strategy
        self.cycle_momentum = check_bool(type(self).__name__, "cycle_momentum", cycle_momentum)
        self.base_momentum = schedule_checks.non_negative(where, "base_momentum", base_momentum)
        self.max_momentum = schedule_checks.non_negative(where, "max_momentum", max_momentum)
        self.div_factor = schedule_checks.number(where, "div_factor", div_factor)
        self.final_div_factor = schedule_checks.number(where, "final_div_factor", final_div_factor)
        if not div_factor > 0 or not final_div_factor > 0:
            raise ValueError(
                f"{where}: div_factor and final_div_factor must be above 0, got "
                f"{div_factor} and {final_div_factor}"
            )
        self.three_phase = check_bool(type(self).__name__, "three_phase", three_phase)

        self.initial_learning_rate = max_lr / div_factor
        self.min_lr = self.initial_learning_rate / final_div_factor
        self.phases = self._phases()

    def _phases(self) -> tuple[_Phase, ...]:
        # The phase ends as PyTorch computes them (floats, "- 1" and "- 2" included)
        total = self.total_steps
        warm_up_end = float(self.pct_start * total) - 1
        low, peak, bottom = self.initial_learning_rate, self.max_lr, self.min_lr
        calm, busy = self.max_momentum, self.base_momentum
        if self.three_phase:
            return (
                _Phase(warm_up_end, low, peak, calm, busy),
                _Phase(float(2 * self.pct_start * total) - 2, peak, low, busy, calm),
                _Phase(total - 1, low, bottom, calm, calm),
            )
        return (
            _Phase(warm_up_end, low, peak, calm, busy),
            _Phase(total - 1, peak, bottom, busy, calm),
        )

    def _position(self, step: int) -> tuple[_Phase, float]:
        """The phase ``step`` falls in and how far along it is (0 at its start, 1 at its end)."""
        step = schedule_checks.step(self, step)
        if step > self.total_steps:  # PyTorch's message
            raise ValueError(
                f"Tried to step {step} times. The specified number of total steps is "
                f"{self.total_steps}"
            )
        start_step = 0.0
        for phase in self.phases:
            if step <= phase.end_step or phase is self.phases[-1]:
                break
            start_step = phase.end_step
        length = phase.end_step - start_step
        # A phase of no length (pct_start=1) is already at its end; PyTorch divides by zero
        return phase, (step - start_step) / length if length else 1.0

    def _anneal(self, start: float, end: float, progress: float) -> float:
        if self.anneal_strategy == "cos":
            return end + (start - end) / 2.0 * (math.cos(math.pi * progress) + 1)
        return (end - start) * progress + start

    def __call__(self, step: int) -> float:
        phase, progress = self._position(step)
        return self._anneal(phase.start_lr, phase.end_lr, progress)

    def momentum(self, step: int) -> float | None:
        if not self.cycle_momentum:
            return None
        phase, progress = self._position(step)
        return self._anneal(phase.start_momentum, phase.end_momentum, progress)


def _positive_whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0
