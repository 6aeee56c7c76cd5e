"""Optimizer_Adam and Optimizer_AdamW: momentum plus RMSprop, with bias correction."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Unpack

import numpy as np

from nnlite.optimizers import hyperparameter_checks
from nnlite.optimizers.engine.plans import Update
from nnlite.optimizers.gradient_options import GradientOptions
from nnlite.optimizers.optimizer import Optimizer
from nnlite.schedules.base import Schedule


class Optimizer_Adam(Optimizer):
    """Adaptive moment estimation.

    Update rule (g = dweights, lr = current_learning_rate, t = this parameter's step, 1, 2, ...)::

        weight_momentums = β₁ · weight_momentums + (1 - β₁) · g
        weight_cache     = β₂ · weight_cache + (1 - β₂) · g²
        m̂ = weight_momentums / (1 - β₁ᵗ)          (bias correction: the averages start at 0)
        v̂ = weight_cache / (1 - β₂ᵗ)
        W += -lr · m̂ / (√v̂ + ε)

    ε is added after the square root of the corrected cache, as in the book and PyTorch.
    ``amsgrad`` divides by the running maximum of the cache instead (``weight_max_cache``),
    so the step size never grows. ``decoupled_weight_decay`` applies ``weight_decay`` as
    ``W ← W · (1 - lr·λ)`` (AdamW) instead of adding ``λ·W`` to the gradient. ``fused=True``
    runs the same operations compiled, one pass over the arrays instead of 14 (with the
    optional numba, ``pip install "nnlite[fast]"``): the same bits, several times faster.

    Defaults (the book's): ``learning_rate=0.001, decay=0.0, epsilon=1e-7, beta_1=0.9,
    beta_2=0.999``; PyTorch's for the rest: ``amsgrad=False, weight_decay=0, fused=False``.
    PyTorch's own ε default is 1e-8.

    Papers: Kingma & Ba, "Adam: A Method for Stochastic Optimization" (ICLR 2015); Reddi et al.,
    "On the Convergence of Adam and Beyond" (ICLR 2018) for AMSGrad.
    """

    scratch_count = 2
    elementwise = True
    #: ``fused=True`` runs the same rule compiled (optimizers/engine/compiled.py)
    fused_rule = "adam"

    def __init__(
        self,
        learning_rate: float | Schedule = 0.001,
        decay: float = 0.0,
        epsilon: float = 1e-7,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        *,
        amsgrad: bool = False,
        decoupled_weight_decay: bool = False,
        fused: bool = False,
        **options: Unpack[GradientOptions],
    ) -> None:
        hyperparameter_checks.epsilon(epsilon)
        hyperparameter_checks.beta(0, beta_1)
        hyperparameter_checks.beta(1, beta_2)
        super().__init__(
            learning_rate=learning_rate,
            decay=decay,
            decoupled_weight_decay=decoupled_weight_decay,
            hyperparameters={
                "epsilon": epsilon,
                "beta_1": beta_1,
                "beta_2": beta_2,
                "amsgrad": amsgrad,
                "fused": fused,
            },
            options=options,
        )

    @property
    def state_names(self) -> tuple[str, ...]:
        """Every state array this optimizer may keep, over all its groups."""
        if any(group["amsgrad"] for group in self.param_groups):
            return ("momentums", "cache", "max_cache")
        return ("momentums", "cache")

    def state_names_for(self, settings: Mapping[str, Any]) -> tuple[str, ...]:
        if settings["amsgrad"]:
            return ("momentums", "cache", "max_cache")
        return ("momentums", "cache")

    def update_rule(self, weights: np.ndarray, gradient: np.ndarray, update: Update) -> None:
        settings = update.settings
        beta_1, beta_2 = settings["beta_1"], settings["beta_2"]
        momentums, cache = update.state["momentums"], update.state["cache"]
        step_buffer, denominator = update.scratch
        max_cache = update.state["max_cache"] if settings["amsgrad"] else None

        # Update momentum with the current gradient
        momentums *= beta_1
        np.multiply(gradient, 1 - beta_1, out=step_buffer)
        momentums += step_buffer
        # Corrected momentum
        np.divide(momentums, 1 - beta_1**update.step, out=step_buffer)
        # Update cache with the squared current gradient
        cache *= beta_2
        np.square(gradient, out=denominator)
        denominator *= 1 - beta_2
        cache += denominator
        if max_cache is not None:
            # Keep the largest cache seen so far and correct that one
            np.maximum(max_cache, cache, out=max_cache)
            cache = max_cache
        # Corrected cache
        np.divide(cache, 1 - beta_2**update.step, out=denominator)

        # W += -lr · m̂ / (√v̂ + ε)
        step_buffer *= -update.learning_rate
        np.sqrt(denominator, out=denominator)
        denominator += settings["epsilon"]
        step_buffer /= denominator
        weights += step_buffer


class Optimizer_AdamW(Optimizer_Adam):
    """Adam with decoupled weight decay.

    Update rule: first ``W ← W · (1 - lr · λ)`` with λ = weight_decay, then exactly
    :class:`Optimizer_Adam`'s step with no decay term in the gradient. Decoupling keeps the
    decay from being rescaled by the adaptive denominator, which is what L2-in-the-gradient
    suffers from in Adam.

    Defaults (PyTorch's): ``learning_rate=0.001, epsilon=1e-8, beta_1=0.9, beta_2=0.999,
    weight_decay=0.01, amsgrad=False, fused=False``.

    Paper: Loshchilov & Hutter, "Decoupled Weight Decay Regularization" (ICLR 2019).
    """

    def __init__(
        self,
        learning_rate: float | Schedule = 0.001,
        decay: float = 0.0,
        epsilon: float = 1e-8,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        *,
        weight_decay: float = 0.01,
        amsgrad: bool = False,
        fused: bool = False,
        **options: Unpack[GradientOptions],
    ) -> None:
        super().__init__(
            learning_rate, decay, epsilon, beta_1, beta_2,
            amsgrad=amsgrad, decoupled_weight_decay=True, fused=fused,
            weight_decay=weight_decay, **options,
        )  # fmt: skip
