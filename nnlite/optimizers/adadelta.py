"""Optimizer_Adadelta: RMSprop whose step size is a moving average of its own past steps."""

from __future__ import annotations

from typing import Unpack

import numpy as np

from nnlite.optimizers import hyperparameter_checks
from nnlite.optimizers.engine.plans import Update
from nnlite.optimizers.gradient_options import GradientOptions
from nnlite.optimizers.optimizer import Optimizer
from nnlite.schedules.base import Schedule


class Optimizer_Adadelta(Optimizer):
    """Adaptive learning rate by running averages of squared gradients and squared steps.

    Update rule (g = dweights, lr = current_learning_rate, ρ = rho, ε = epsilon)::

        weight_cache       = ρ · weight_cache + (1 - ρ) · g²
        Δ                  = √(weight_delta_cache + ε) / √(weight_cache + ε) · g
        weight_delta_cache = ρ · weight_delta_cache + (1 - ρ) · Δ²
        W += -lr · Δ

    The ratio of the two root mean squares gives every weight a step in the units of the
    weight itself, so the learning rate is only a multiplier (1.0 by default). ε sits *inside*
    both square roots: it also sets the size of the very first steps, when
    ``weight_delta_cache`` is still zero. The learning rate scales the step but not
    ``weight_delta_cache``, which accumulates the unscaled Δ².

    Defaults (PyTorch's): ``learning_rate=1.0, decay=0.0, epsilon=1e-6, rho=0.9,
    weight_decay=0``.

    Paper: Zeiler, "ADADELTA: An Adaptive Learning Rate Method" (arXiv:1212.5701, 2012).

    ``decay`` is the book's learning-rate decay, ``lr = learning_rate · 1/(1 + decay · t)``;
    ``weight_decay`` (L2, g ← g + λ·W), ``l1_decay``, ``maximize`` and the clipping options are
    described in :class:`~nnlite.optimizers.optimizer.Optimizer`.
    """

    state_names = ("cache", "delta_cache")
    scratch_count = 2
    elementwise = True

    def __init__(
        self,
        learning_rate: float | Schedule = 1.0,
        decay: float = 0.0,
        epsilon: float = 1e-6,
        rho: float = 0.9,
        **options: Unpack[GradientOptions],
    ) -> None:
        hyperparameter_checks.in_unit_interval("rho", rho, include_one=True)
        hyperparameter_checks.epsilon(epsilon)
        super().__init__(
            learning_rate=learning_rate,
            decay=decay,
            hyperparameters={"epsilon": epsilon, "rho": rho},
            options=options,
        )

    def update_rule(self, weights: np.ndarray, gradient: np.ndarray, update: Update) -> None:
        settings = update.settings
        rho, epsilon = settings["rho"], settings["epsilon"]
        cache, delta_cache = update.state["cache"], update.state["delta_cache"]
        delta, work = update.scratch

        # weight_cache = ρ · weight_cache + (1 - ρ) · g²
        cache *= rho
        np.square(gradient, out=work)
        work *= 1 - rho
        cache += work
        # Δ = √(weight_delta_cache + ε) / √(weight_cache + ε) · g
        np.add(cache, epsilon, out=work)
        np.sqrt(work, out=work)
        np.add(delta_cache, epsilon, out=delta)
        np.sqrt(delta, out=delta)
        delta /= work
        delta *= gradient
        # weight_delta_cache = ρ · weight_delta_cache + (1 - ρ) · Δ²
        delta_cache *= rho
        np.square(delta, out=work)
        work *= 1 - rho
        delta_cache += work
        # W += -lr · Δ
        delta *= -update.learning_rate
        weights += delta
