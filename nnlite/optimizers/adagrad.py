"""Optimizer_Adagrad: per-weight learning rates from the sum of squared gradients."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Unpack

import numpy as np

from nnlite.optimizers import hyperparameter_checks
from nnlite.optimizers.engine.plans import Update
from nnlite.optimizers.gradient_options import GradientOptions
from nnlite.optimizers.optimizer import Optimizer
from nnlite.schedules.base import Schedule


class Optimizer_Adagrad(Optimizer):
    """Adaptive gradient.

    Update rule (g = dweights, lr = current_learning_rate, ε = epsilon)::

        weight_cache += g²
        W += -lr · g / (√weight_cache + ε)

    Weights that received large gradients take smaller steps. The cache only grows, so the
    steps shrink over time. PyTorch's extras: ``lr_decay`` divides the rate by
    ``1 + (t - 1)·lr_decay`` at the t-th step of each parameter, and
    ``initial_accumulator_value`` starts the cache above zero.

    ``fused=True`` runs the same operations compiled, in one pass over the arrays (with the
    optional numba, ``pip install "nnlite[fast]"``): the same bits, faster.

    Defaults (the book's): ``learning_rate=1.0, decay=0.0, epsilon=1e-7``; PyTorch's for the
    rest: ``lr_decay=0, initial_accumulator_value=0, weight_decay=0, fused=False``. PyTorch's
    own defaults are ``lr=0.01, eps=1e-10``.

    Paper: Duchi, Hazan & Singer, "Adaptive Subgradient Methods for Online Learning and
    Stochastic Optimization" (JMLR 2011).
    """

    state_names = ("cache",)
    in_place_states = ("cache",)
    scratch_count = 2
    elementwise = True
    #: ``fused=True`` runs the same rule compiled (optimizers/engine/compiled.py)
    fused_rule = "adagrad"

    def __init__(
        self,
        learning_rate: float | Schedule = 1.0,
        decay: float = 0.0,
        epsilon: float = 1e-7,
        *,
        lr_decay: float = 0.0,
        initial_accumulator_value: float = 0.0,
        fused: bool = False,
        **options: Unpack[GradientOptions],
    ) -> None:
        hyperparameter_checks.epsilon(epsilon)
        hyperparameter_checks.non_negative("lr_decay", lr_decay)
        hyperparameter_checks.non_negative("initial_accumulator_value", initial_accumulator_value)
        super().__init__(
            learning_rate=learning_rate,
            decay=decay,
            hyperparameters={
                "epsilon": epsilon,
                "lr_decay": lr_decay,
                "initial_accumulator_value": initial_accumulator_value,
                "fused": fused,
            },
            options=options,
        )

    def initial_state(self, group: Mapping[str, Any]) -> dict[str, float]:
        return {"cache": group["initial_accumulator_value"]}

    def update_rule(self, weights: np.ndarray, gradient: np.ndarray, update: Update) -> None:
        settings = update.settings
        cache = update.state["cache"]
        step_buffer, denominator = update.scratch
        learning_rate = update.learning_rate
        if settings["lr_decay"]:
            learning_rate = learning_rate / (1 + (update.step - 1) * settings["lr_decay"])
        # Update cache with squared current gradients
        np.square(gradient, out=step_buffer)
        cache += step_buffer
        # W += -lr · g / (√cache + ε)
        np.multiply(gradient, -learning_rate, out=step_buffer)
        np.sqrt(cache, out=denominator)
        denominator += settings["epsilon"]
        step_buffer /= denominator
        weights += step_buffer
