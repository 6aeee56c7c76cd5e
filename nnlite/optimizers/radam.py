"""Optimizer_RAdam: Adam that switches its adaptive step on once the cache can be trusted."""

from __future__ import annotations

import math
from typing import Unpack

import numpy as np

from nnlite.optimizers import hyperparameter_checks
from nnlite.optimizers.engine.plans import Update
from nnlite.optimizers.gradient_options import GradientOptions
from nnlite.optimizers.optimizer import Optimizer
from nnlite.schedules.base import Schedule

#: The rectified (adaptive) step starts once ρₜ, the length of the approximated moving
#: average, exceeds this; before that the variance of the adaptive rate is intractable.
RECTIFICATION_THRESHOLD = 5.0


class Optimizer_RAdam(Optimizer):
    """Rectified Adam.

    Update rule (g = dweights, lr = current_learning_rate, t = this parameter's step, 1, 2, ...)::

        weight_momentums = β₁ · weight_momentums + (1 - β₁) · g
        weight_cache     = β₂ · weight_cache + (1 - β₂) · g²
        m̂  = weight_momentums / (1 - β₁ᵗ)
        ρ∞ = 2 / (1 - β₂) - 1
        ρₜ = ρ∞ - 2t · β₂ᵗ / (1 - β₂ᵗ)
        if ρₜ > 5:                                  (from t = 6 with β₂ = 0.999)
            r = √((ρₜ - 4)(ρₜ - 2) ρ∞ / ((ρ∞ - 4)(ρ∞ - 2) ρₜ))
            W += -lr · r · m̂ · √(1 - β₂ᵗ) / (√weight_cache + ε)
        else:
            W += -lr · m̂                            (SGD with momentum)

    In its first steps Adam divides by a cache averaged over very few gradients, whose
    variance is huge; RAdam takes plain momentum steps until the cache covers enough of them,
    then scales Adam's step by the rectification factor r (which tends to 1). Note where ε
    goes, as in PyTorch: it is added to √weight_cache *before* the bias correction
    √(1 - β₂ᵗ) multiplies, unlike Adam, which adds it after. ``decoupled_weight_decay``
    applies ``weight_decay`` as ``W ← W · (1 - lr·λ)`` (AdamW-style) instead of adding ``λ·W``
    to the gradient.

    Defaults (PyTorch's): ``learning_rate=0.001, decay=0.0, epsilon=1e-8, beta_1=0.9,
    beta_2=0.999, weight_decay=0, decoupled_weight_decay=False``.

    Paper: Liu et al., "On the Variance of the Adaptive Learning Rate and Beyond" (ICLR 2020).

    ``decay`` is the book's learning-rate decay, ``lr = learning_rate · 1/(1 + decay · t)``;
    ``weight_decay``, ``l1_decay``, ``maximize`` and the clipping options are described in
    :class:`~nnlite.optimizers.optimizer.Optimizer`.
    """

    state_names = ("momentums", "cache")
    scratch_count = 2
    elementwise = True

    def __init__(
        self,
        learning_rate: float | Schedule = 0.001,
        decay: float = 0.0,
        epsilon: float = 1e-8,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        *,
        decoupled_weight_decay: bool = False,
        **options: Unpack[GradientOptions],
    ) -> None:
        hyperparameter_checks.epsilon(epsilon)
        hyperparameter_checks.beta(0, beta_1)
        hyperparameter_checks.beta(1, beta_2)
        super().__init__(
            learning_rate=learning_rate,
            decay=decay,
            decoupled_weight_decay=decoupled_weight_decay,
            hyperparameters={"epsilon": epsilon, "beta_1": beta_1, "beta_2": beta_2},
            options=options,
        )

    def update_rule(self, weights: np.ndarray, gradient: np.ndarray, update: Update) -> None:
        settings = update.settings
        beta_1, beta_2 = settings["beta_1"], settings["beta_2"]
        momentums, cache = update.state["momentums"], update.state["cache"]
        step_buffer, denominator = update.scratch
        step = update.step

        # weight_momentums = β₁ · weight_momentums + (1 - β₁) · g
        momentums *= beta_1
        np.multiply(gradient, 1 - beta_1, out=step_buffer)
        momentums += step_buffer
        # weight_cache = β₂ · weight_cache + (1 - β₂) · g²
        cache *= beta_2
        np.square(gradient, out=step_buffer)
        step_buffer *= 1 - beta_2
        cache += step_buffer
        # m̂ = weight_momentums / (1 - β₁ᵗ)
        np.divide(momentums, 1 - beta_1**step, out=step_buffer)

        # The length of the approximated simple moving average, now and in the limit
        bias_correction_2 = 1 - beta_2**step
        rho_infinity = 2 / (1 - beta_2) - 1
        rho = rho_infinity - 2 * step * beta_2**step / bias_correction_2
        if rho > RECTIFICATION_THRESHOLD:
            rectification = math.sqrt(
                (rho - 4)
                * (rho - 2)
                * rho_infinity
                / ((rho_infinity - 4) * (rho_infinity - 2) * rho)
            )
            # W += -lr · r · m̂ · √(1 - β₂ᵗ) / (√weight_cache + ε)
            np.sqrt(cache, out=denominator)
            denominator += settings["epsilon"]
            step_buffer /= denominator
            step_buffer *= -update.learning_rate * rectification * math.sqrt(bias_correction_2)
        else:
            # W += -lr · m̂
            step_buffer *= -update.learning_rate
        weights += step_buffer
