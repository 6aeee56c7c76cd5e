"""Optimizer_Rprop: resilient backpropagation, steps from the gradient's sign alone."""

from __future__ import annotations

import numbers
from collections.abc import Mapping
from typing import Any, Unpack

import numpy as np

from nnlite.optimizers.engine.plans import Update
from nnlite.optimizers.gradient_options import GradientOptions
from nnlite.optimizers.optimizer import Optimizer
from nnlite.schedules.base import Schedule


class Optimizer_Rprop(Optimizer):
    """Resilient backpropagation.

    Update rule (g = dweights, each weight with its own step size; η₋, η₊ = etas and
    Γmin, Γmax = step_sizes)::

        s = sign(g · weight_previous_gradients)
        weight_step_sizes *= η₊ where s > 0      (same direction again: speed up)
                             η₋ where s < 0      (overshot a minimum: slow down)
                             1  where s = 0
        weight_step_sizes = clip(weight_step_sizes, Γmin, Γmax)
        g = 0 where s < 0                        (skip this step and forget the sign)
        W += -sign(g) · weight_step_sizes
        weight_previous_gradients = g

    Only the sign of the gradient is used, never its size, so Rprop suits full-batch training
    where gradients are reliable; with noisy mini-batch gradients the signs flip at random.
    ``learning_rate`` only sets the initial step sizes, as in PyTorch: afterwards the step
    sizes adapt by themselves, so a learning-rate decay or schedule would have no effect
    (and is not accepted). Rescaling the gradient cannot change a sign either, which is why
    there are no clipping options; coupled ``weight_decay`` and ``l1_decay`` do change the
    gradient's sign and are offered.

    Defaults (PyTorch's): ``learning_rate=0.01, etas=(0.5, 1.2), step_sizes=(1e-06, 50)``.

    Paper: Riedmiller & Braun, "A Direct Adaptive Method for Faster Backpropagation Learning:
    The RPROP Algorithm" (IEEE ICNN 1993).
    """

    state_names = ("previous_gradients", "step_sizes")
    scratch_count = 3
    elementwise = True
    gradient_options = ("weight_decay", "l1_decay", "maximize")

    def __init__(
        self,
        learning_rate: float = 0.01,
        *,
        etas: tuple[float, float] = (0.5, 1.2),
        step_sizes: tuple[float, float] = (1e-6, 50),
        **options: Unpack[GradientOptions],
    ) -> None:
        if isinstance(learning_rate, Schedule):
            raise TypeError(
                "Optimizer_Rprop: learning_rate only sets the initial step sizes, so a "
                "schedule would have no effect; give a number"
            )
        etas = _number_pair("etas", etas, "(decrease, increase)")
        step_sizes = _number_pair("step_sizes", step_sizes, "(minimum, maximum)")
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        if not 0.0 <= step_sizes[0] <= step_sizes[1]:
            raise ValueError(
                f"Invalid step_sizes values: {step_sizes[0]}, {step_sizes[1]} "
                f"(need 0 <= minimum <= maximum)"
            )
        super().__init__(
            learning_rate=learning_rate,
            hyperparameters={"etas": etas, "step_sizes": step_sizes},
            options=options,
        )

    def initial_state(self, group: Mapping[str, Any]) -> dict[str, float]:
        # The step sizes start at the learning rate
        return {"step_sizes": group["learning_rate"]}

    def update_rule(self, weights: np.ndarray, gradient: np.ndarray, update: Update) -> None:
        settings = update.settings
        eta_minus, eta_plus = settings["etas"]
        step_size_min, step_size_max = settings["step_sizes"]
        previous = update.state["previous_gradients"]
        step_sizes = update.state["step_sizes"]
        sign_change, factor, work = update.scratch

        # s = sign(g · weight_previous_gradients)
        np.multiply(gradient, previous, out=sign_change)
        np.sign(sign_change, out=sign_change)
        # factor = η₊ where s > 0, η₋ where s < 0 and 1 where s = 0 (comparisons give 1.0 or 0.0)
        np.greater(sign_change, 0, out=factor)
        factor *= eta_plus
        np.less(sign_change, 0, out=work)
        work *= eta_minus
        factor += work
        np.equal(sign_change, 0, out=work)
        factor += work
        # weight_step_sizes = clip(weight_step_sizes · factor, Γmin, Γmax)
        step_sizes *= factor
        np.clip(step_sizes, step_size_min, step_size_max, out=step_sizes)
        # g = 0 where the sign flipped; remember it as the previous gradient
        np.greater_equal(sign_change, 0, out=work)
        np.multiply(gradient, work, out=previous)
        # W += -sign(g) · weight_step_sizes
        np.sign(previous, out=work)
        work *= step_sizes
        weights -= work


def _number_pair(label: str, pair: object, meaning: str) -> tuple[float, float]:
    """``pair`` as a tuple of two real numbers, or a TypeError naming ``label``."""
    if (
        not isinstance(pair, tuple | list)
        or len(pair) != 2
        or not all(isinstance(item, numbers.Real) and not isinstance(item, bool) for item in pair)
    ):
        raise TypeError(f"{label} must be a pair of numbers {meaning}, got {pair!r}")
    return (pair[0], pair[1])
