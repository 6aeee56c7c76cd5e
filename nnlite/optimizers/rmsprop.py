"""Optimizer_RMSprop: Adagrad with a decaying average of squared gradients."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Unpack

import numpy as np

from nnlite.optimizers import hyperparameter_checks
from nnlite.optimizers.engine.plans import Update
from nnlite.optimizers.gradient_options import GradientOptions
from nnlite.optimizers.optimizer import Optimizer
from nnlite.schedules.base import Schedule


class Optimizer_RMSprop(Optimizer):
    """Root mean square propagation.

    Update rule (g = dweights, lr = current_learning_rate, ρ = rho, ε = epsilon)::

        weight_cache = ρ · weight_cache + (1 - ρ) · g²
        W += -lr · g / (√weight_cache + ε)

    The cache is a moving average, so unlike Adagrad the steps do not shrink forever.
    PyTorch's extras: ``centered`` subtracts the squared moving average of g from the cache
    (an estimate of the variance), and ``momentum`` μ accumulates the steps, with the learning
    rate outside: ``weight_momentums = μ · weight_momentums + g / (√cache + ε)``,
    ``W -= lr · weight_momentums``.

    Defaults (the book's, which are Keras's): ``learning_rate=0.001, decay=0.0,
    epsilon=1e-7, rho=0.9``; PyTorch's for the rest: ``momentum=0, centered=False,
    weight_decay=0``. PyTorch calls ρ ``alpha`` (default 0.99); course notes call it ``beta``,
    which is accepted too.

    Source: Tieleman & Hinton, Lecture 6.5 of "Neural Networks for Machine Learning" (2012);
    centered form: Graves, "Generating Sequences With Recurrent Neural Networks" (2013).
    """

    scratch_count = 2
    elementwise = True

    def __init__(
        self,
        learning_rate: float | Schedule = 0.001,
        decay: float = 0.0,
        epsilon: float = 1e-7,
        rho: float = 0.9,
        *,
        beta: float | None = None,
        momentum: float = 0.0,
        centered: bool = False,
        **options: Unpack[GradientOptions],
    ) -> None:
        if beta is not None:
            if rho != 0.9 and rho != beta:
                raise ValueError(f"rho={rho} and beta={beta} name the same setting; give one")
            rho = beta
        hyperparameter_checks.epsilon(epsilon)
        hyperparameter_checks.in_unit_interval("rho", rho, include_one=True)
        hyperparameter_checks.non_negative("momentum", momentum)
        super().__init__(
            learning_rate=learning_rate,
            decay=decay,
            hyperparameters={
                "epsilon": epsilon,
                "rho": rho,
                "momentum": momentum,
                "centered": centered,
            },
            options=options,
        )

    @property
    def beta(self) -> float:
        """The course notes' name for ``rho``."""
        return self.rho

    @property
    def state_names(self) -> tuple[str, ...]:
        """Every state array this optimizer may keep, over all its groups."""
        suffixes = ["cache"]
        groups = self.param_groups
        if any(group["centered"] for group in groups):
            suffixes.append("gradient_average")
        if any(group["momentum"] for group in groups):
            suffixes.append("momentums")
        return tuple(suffixes)

    def state_names_for(self, settings: Mapping[str, Any]) -> tuple[str, ...]:
        suffixes = ("cache",)
        if settings["centered"]:
            suffixes += ("gradient_average",)
        if settings["momentum"]:
            suffixes += ("momentums",)
        return suffixes

    def update_rule(self, weights: np.ndarray, gradient: np.ndarray, update: Update) -> None:
        settings = update.settings
        rho = settings["rho"]
        cache = update.state["cache"]
        step_buffer, denominator = update.scratch

        # cache = ρ · cache + (1 - ρ) · g²
        cache *= rho
        np.square(gradient, out=step_buffer)
        step_buffer *= 1 - rho
        cache += step_buffer

        if settings["centered"]:
            # Subtract the squared moving average of the gradient: ṽ = cache - ḡ²
            average = update.state["gradient_average"]
            average *= rho
            np.multiply(gradient, 1 - rho, out=step_buffer)
            average += step_buffer
            np.square(average, out=denominator)
            np.subtract(cache, denominator, out=denominator)
            np.sqrt(denominator, out=denominator)
        else:
            np.sqrt(cache, out=denominator)
        denominator += settings["epsilon"]

        if settings["momentum"]:
            # weight_momentums = μ · weight_momentums + g / (√ṽ + ε);  W -= lr · weight_momentums
            velocity = update.state["momentums"]
            velocity *= settings["momentum"]
            np.divide(gradient, denominator, out=step_buffer)
            velocity += step_buffer
            np.multiply(velocity, -update.learning_rate, out=step_buffer)
            weights += step_buffer
            return

        # W += -lr · g / (√cache + ε)
        np.multiply(gradient, -update.learning_rate, out=step_buffer)
        step_buffer /= denominator
        weights += step_buffer
