"""Optimizer_Adamax: Adam with the infinity norm in place of the root mean square."""

from __future__ import annotations

from typing import Unpack

import numpy as np

from nnlite.optimizers import hyperparameter_checks
from nnlite.optimizers.engine.plans import Update
from nnlite.optimizers.gradient_options import GradientOptions
from nnlite.optimizers.optimizer import Optimizer
from nnlite.schedules.base import Schedule


class Optimizer_Adamax(Optimizer):
    """Adam's infinity-norm variant.

    Update rule (g = dweights, lr = current_learning_rate, t = this parameter's step, 1, 2, ...)::

        weight_momentums     = β₁ · weight_momentums + (1 - β₁) · g
        weight_infinity_norm = max(β₂ · weight_infinity_norm, |g| + ε)
        W += -lr / (1 - β₁ᵗ) · weight_momentums / weight_infinity_norm

    Adam divides by a root mean square of past gradients; Adamax divides by an exponentially
    decaying *maximum* of their sizes, which needs no bias correction of its own. ε is added to
    ``|g|`` inside the maximum (as PyTorch does), so the divisor is never zero.

    Defaults (PyTorch's): ``learning_rate=0.002, decay=0.0, epsilon=1e-8, beta_1=0.9,
    beta_2=0.999, weight_decay=0``.

    Paper: Kingma & Ba, "Adam: A Method for Stochastic Optimization" (ICLR 2015), section 7.1.

    ``decay`` is the book's learning-rate decay, ``lr = learning_rate · 1/(1 + decay · t)``;
    ``weight_decay`` (L2, g ← g + λ·W), ``l1_decay``, ``maximize`` and the clipping options are
    described in :class:`~nnlite.optimizers.optimizer.Optimizer`.
    """

    state_names = ("momentums", "infinity_norm")
    scratch_count = 1
    elementwise = True

    def __init__(
        self,
        learning_rate: float | Schedule = 0.002,
        decay: float = 0.0,
        epsilon: float = 1e-8,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        **options: Unpack[GradientOptions],
    ) -> None:
        hyperparameter_checks.epsilon(epsilon)
        hyperparameter_checks.beta(0, beta_1)
        hyperparameter_checks.beta(1, beta_2)
        super().__init__(
            learning_rate=learning_rate,
            decay=decay,
            hyperparameters={"epsilon": epsilon, "beta_1": beta_1, "beta_2": beta_2},
            options=options,
        )

    def update_rule(self, weights: np.ndarray, gradient: np.ndarray, update: Update) -> None:
        settings = update.settings
        beta_1, beta_2 = settings["beta_1"], settings["beta_2"]
        momentums, infinity_norm = update.state["momentums"], update.state["infinity_norm"]
        (step_buffer,) = update.scratch

        # weight_momentums = β₁ · weight_momentums + (1 - β₁) · g
        momentums *= beta_1
        np.multiply(gradient, 1 - beta_1, out=step_buffer)
        momentums += step_buffer
        # weight_infinity_norm = max(β₂ · weight_infinity_norm, |g| + ε)
        infinity_norm *= beta_2
        np.abs(gradient, out=step_buffer)
        step_buffer += settings["epsilon"]
        np.maximum(infinity_norm, step_buffer, out=infinity_norm)
        # W += -lr / (1 - β₁ᵗ) · weight_momentums / weight_infinity_norm
        np.divide(momentums, infinity_norm, out=step_buffer)
        step_buffer *= -update.learning_rate / (1 - beta_1**update.step)
        weights += step_buffer
