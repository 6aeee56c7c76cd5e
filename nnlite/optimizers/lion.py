"""Optimizer_Lion: the sign of an interpolated momentum (EvoLved Sign Momentum)."""

from __future__ import annotations

from typing import Unpack

import numpy as np

from nnlite.optimizers import hyperparameter_checks
from nnlite.optimizers.engine.plans import Update
from nnlite.optimizers.gradient_options import GradientOptions
from nnlite.optimizers.optimizer import Optimizer
from nnlite.schedules.base import Schedule


class Optimizer_Lion(Optimizer):
    """Lion: every weight moves by exactly ±lr, in the direction of a momentum's sign.

    Update rule (g = dweights, lr = current_learning_rate, λ = weight_decay)::

        c = β₁ · weight_momentums + (1 - β₁) · g          (the direction, not stored)
        W = W · (1 - lr · λ)                              (decoupled weight decay)
        W += -lr · sign(c)
        weight_momentums = β₂ · weight_momentums + (1 - β₂) · g

    Two averages with different betas: the step looks at a short-memory mix (β₁) of the stored
    momentum and the new gradient, while the stored momentum itself keeps a longer memory (β₂).
    Because sign() throws the magnitude away, every update has the same size, lr per weight;
    the paper recommends a learning rate 3-10 times smaller than AdamW's and a weight decay
    3-10 times larger, so that lr·λ stays about the same. It keeps one array per parameter
    (Adam keeps two). sign(0) is 0: a weight with a zero direction does not move.

    Defaults (the paper's): ``learning_rate=1e-4, beta_1=0.9, beta_2=0.99, weight_decay=0.0``;
    ``decay=0.0`` is the book's learning-rate decay, ``lr = learning_rate · 1/(1 + decay · t)``;
    ``l1_decay``, ``maximize`` and the clipping options are described in
    :class:`~nnlite.optimizers.optimizer.Optimizer`.
    PyTorch has no Lion; it is checked against the paper's rule written with torch tensors.

    Paper: Chen et al., "Symbolic Discovery of Optimization Algorithms" (NeurIPS 2023),
    Algorithm 2.
    """

    state_names = ("momentums",)
    scratch_count = 2
    elementwise = True

    def __init__(
        self,
        learning_rate: float | Schedule = 1e-4,
        decay: float = 0.0,
        beta_1: float = 0.9,
        beta_2: float = 0.99,
        **options: Unpack[GradientOptions],
    ) -> None:
        hyperparameter_checks.beta(0, beta_1)
        hyperparameter_checks.beta(1, beta_2)
        super().__init__(
            learning_rate=learning_rate,
            decay=decay,
            decoupled_weight_decay=True,
            hyperparameters={"beta_1": beta_1, "beta_2": beta_2},
            options=options,
        )

    def update_rule(self, weights: np.ndarray, gradient: np.ndarray, update: Update) -> None:
        # (The base class has already applied W = W · (1 - lr·λ).)
        settings = update.settings
        beta_1, beta_2 = settings["beta_1"], settings["beta_2"]
        momentums = update.state["momentums"]
        direction, term = update.scratch

        # c = β₁ · weight_momentums + (1 - β₁) · g
        np.multiply(momentums, beta_1, out=direction)
        np.multiply(gradient, 1 - beta_1, out=term)
        direction += term
        # W += -lr · sign(c)
        np.sign(direction, out=direction)
        direction *= -update.learning_rate
        weights += direction
        # weight_momentums = β₂ · weight_momentums + (1 - β₂) · g
        momentums *= beta_2
        np.multiply(gradient, 1 - beta_2, out=term)
        momentums += term
