"""Optimizer_NAdam: Adam with Nesterov momentum."""

from __future__ import annotations

from typing import Unpack

import numpy as np

from nnlite.optimizers import hyperparameter_checks
from nnlite.optimizers.engine.plans import Update
from nnlite.optimizers.gradient_options import GradientOptions
from nnlite.optimizers.optimizer import Optimizer
from nnlite.schedules.base import Schedule


class Optimizer_NAdam(Optimizer):
    """Nesterov-accelerated adaptive moment estimation.

    Update rule (g = dweights, lr = current_learning_rate, t = this parameter's step, 1, 2, ...,
    ψ = momentum_decay)::

        μₜ = β₁ · (1 - ½ · 0.96^(t·ψ))            (the momentum schedule)
        mu_product = μ₁ · μ₂ · ... · μₜ
        weight_momentums = β₁ · weight_momentums + (1 - β₁) · g
        weight_cache     = β₂ · weight_cache + (1 - β₂) · g²
        d = √(weight_cache / (1 - β₂ᵗ)) + ε
        W += -lr · (1 - μₜ) / (1 - mu_product) · g / d
             -lr · μₜ₊₁ / (1 - mu_product · μₜ₊₁) · weight_momentums / d

    Nesterov momentum looks one step ahead: the second term already uses next step's
    momentum coefficient μₜ₊₁, and the first adds the current gradient's own share. The
    momentum schedule warms μ up from about β₁/2 towards β₁; ``mu_product`` is kept per
    parameter (``layer.optimizer_state.extras``) so that a checkpoint can resume it.
    ``decoupled_weight_decay`` applies ``weight_decay`` as ``W ← W · (1 - lr·λ)`` (NAdamW)
    instead of adding ``λ·W`` to the gradient.

    Defaults (PyTorch's): ``learning_rate=0.002, decay=0.0, epsilon=1e-8, beta_1=0.9,
    beta_2=0.999, momentum_decay=0.004, weight_decay=0, decoupled_weight_decay=False``.

    Paper: Dozat, "Incorporating Nesterov Momentum into Adam" (ICLR 2016 workshop).

    ``decay`` is the book's learning-rate decay, ``lr = learning_rate · 1/(1 + decay · t)``;
    ``weight_decay``, ``l1_decay``, ``maximize`` and the clipping options are described in
    :class:`~nnlite.optimizers.optimizer.Optimizer`.
    """

    state_names = ("momentums", "cache")
    scratch_count = 2

    def __init__(
        self,
        learning_rate: float | Schedule = 0.002,
        decay: float = 0.0,
        epsilon: float = 1e-8,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        *,
        momentum_decay: float = 0.004,
        decoupled_weight_decay: bool = False,
        **options: Unpack[GradientOptions],
    ) -> None:
        hyperparameter_checks.epsilon(epsilon)
        hyperparameter_checks.beta(0, beta_1)
        hyperparameter_checks.beta(1, beta_2)
        hyperparameter_checks.non_negative("momentum_decay", momentum_decay)
        super().__init__(
            learning_rate=learning_rate,
            decay=decay,
            decoupled_weight_decay=decoupled_weight_decay,
            hyperparameters={
                "epsilon": epsilon,
                "beta_1": beta_1,
                "beta_2": beta_2,
                "momentum_decay": momentum_decay,
            },
            options=options,
        )

    def update_rule(self, weights: np.ndarray, gradient: np.ndarray, update: Update) -> None:
        settings = update.settings
        beta_1, beta_2 = settings["beta_1"], settings["beta_2"]
        momentum_decay = settings["momentum_decay"]
        momentums, cache = update.state["momentums"], update.state["cache"]
        step_buffer, denominator = update.scratch
        step = update.step
        learning_rate = update.learning_rate

        # The momentum schedule μₜ, μₜ₊₁ and the running product μ₁ · ... · μₜ
        mu = beta_1 * (1.0 - 0.5 * 0.96 ** (step * momentum_decay))
        mu_next = beta_1 * (1.0 - 0.5 * 0.96 ** ((step + 1) * momentum_decay))
        if step == 1:
            update.scalars["mu_product"] = 1.0
        mu_product = update.scalars["mu_product"] * mu
        update.scalars["mu_product"] = mu_product

        # weight_momentums = β₁ · weight_momentums + (1 - β₁) · g
        momentums *= beta_1
        np.multiply(gradient, 1 - beta_1, out=step_buffer)
        momentums += step_buffer
        # weight_cache = β₂ · weight_cache + (1 - β₂) · g²
        cache *= beta_2
        np.square(gradient, out=step_buffer)
        step_buffer *= 1 - beta_2
        cache += step_buffer
        # d = √(weight_cache / (1 - β₂ᵗ)) + ε
        np.divide(cache, 1 - beta_2**step, out=denominator)
        np.sqrt(denominator, out=denominator)
        denominator += settings["epsilon"]

        # W += -lr · (1 - μₜ) / (1 - mu_product) · g / d
        np.divide(gradient, denominator, out=step_buffer)
        step_buffer *= -learning_rate * (1.0 - mu) / (1.0 - mu_product)
        weights += step_buffer
        # W += -lr · μₜ₊₁ / (1 - mu_product · μₜ₊₁) · weight_momentums / d
        np.divide(momentums, denominator, out=step_buffer)
        step_buffer *= -learning_rate * mu_next / (1.0 - mu_product * mu_next)
        weights += step_buffer
