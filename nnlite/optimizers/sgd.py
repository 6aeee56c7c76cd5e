"""Optimizer_SGD: stochastic gradient descent, with decay and momentum as in the book."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Unpack

import numpy as np

from nnlite.optimizers import hyperparameter_checks
from nnlite.optimizers.engine.plans import Update
from nnlite.optimizers.gradient_options import GradientOptions
from nnlite.optimizers.optimizer import Optimizer
from nnlite.schedules.base import Schedule
from nnlite.validation import check_bool

MOMENTUM_FORMS = ("book", "torch")


class Optimizer_SGD(Optimizer):
    """Stochastic gradient descent.

    Update rule (W the weights, g = dweights, lr = current_learning_rate, μ = momentum)::

        without momentum:   W += -lr · g
        with momentum:      weight_momentums = μ · weight_momentums - lr · g
                            W += weight_momentums

    This is the book's (and Keras's) momentum, with the learning rate inside the velocity.
    PyTorch keeps it outside (``b = μ·b + g;  W -= lr·b``); the two are the same while the
    learning rate is constant and differ once it decays, because the book's velocity keeps
    old gradients at their old, larger rate. ``momentum_form="torch"`` uses PyTorch's.

    Dampening τ scales the gradient added to the velocity from the second step on
    (``- (1 - τ)·lr·g``); Nesterov momentum steps with ``μ·weight_momentums - lr·g`` instead,
    looking ahead along the velocity.

    ``fused=True`` runs the same operations compiled, in one pass over the arrays (with the
    optional numba, ``pip install "nnlite[fast]"``): the same bits, faster.

    Defaults (the book's): ``learning_rate=1.0, decay=0.0, momentum=0.0``; PyTorch's for the
    rest: ``dampening=0, nesterov=False, weight_decay=0, fused=False``.

    Papers: Robbins & Monro, "A Stochastic Approximation Method" (1951); Polyak, "Some methods
    of speeding up the convergence of iteration methods" (1964); Sutskever et al., "On the
    importance of initialization and momentum in deep learning" (2013) for Nesterov momentum.

    ``decay`` is the book's learning-rate decay, ``lr = learning_rate · 1/(1 + decay · t)``;
    ``weight_decay`` (L2, g ← g + λ·W), ``l1_decay``, ``maximize`` and the clipping options are
    described in :class:`~nnlite.optimizers.optimizer.Optimizer`.
    """

    scratch_count = 1
    elementwise = True
    #: ``fused=True`` runs the same rule compiled (optimizers/engine/compiled.py)
    fused_rule = "sgd"

    def __init__(
        self,
        learning_rate: float | Schedule = 1.0,
        decay: float = 0.0,
        momentum: float = 0.0,
        *,
        dampening: float = 0.0,
        nesterov: bool = False,
        momentum_form: str = "book",
        fused: bool = False,
        **options: Unpack[GradientOptions],
    ) -> None:
        # In [0, 1): PyTorch accepts any momentum >= 0, but from 1 on the steps grow forever
        hyperparameter_checks.in_unit_interval("momentum", momentum)
        hyperparameter_checks.in_unit_interval("dampening", dampening, include_one=True)
        nesterov = check_bool("Optimizer_SGD()", "nesterov", nesterov)
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        if momentum_form not in MOMENTUM_FORMS:
            raise ValueError(
                f"Invalid momentum_form value: {momentum_form!r} (use 'book' or 'torch')"
            )
        super().__init__(
            learning_rate=learning_rate,
            decay=decay,
            hyperparameters={
                "momentum": momentum,
                "dampening": dampening,
                "nesterov": nesterov,
                "momentum_form": momentum_form,
                "fused": fused,
            },
            options=options,
        )

    @property
    def state_names(self) -> tuple[str, ...]:
        """Every state array this optimizer may keep, over all its groups."""
        uses_momentum = any(group["momentum"] for group in self.param_groups)
        return ("momentums",) if uses_momentum else ()

    def state_names_for(self, settings: Mapping[str, Any]) -> tuple[str, ...]:
        return ("momentums",) if settings["momentum"] else ()

    def update_rule(self, weights: np.ndarray, gradient: np.ndarray, update: Update) -> None:
        settings = update.settings
        momentum = settings["momentum"]
        learning_rate = update.learning_rate
        (step_buffer,) = update.scratch
        velocity = update.state.get("momentums")
        # Dampening applies from the second step on (the first velocity is the gradient itself)
        dampening = settings["dampening"] if update.step > 1 else 0.0

        if not momentum:
            # Vanilla SGD: W += -lr · g
            np.multiply(gradient, -learning_rate, out=step_buffer)
            weights += step_buffer
            return

        if settings["momentum_form"] == "torch":
            # PyTorch: b = μ·b + (1 - τ)·g;  W -= lr · (g + μ·b if nesterov else b)
            velocity *= momentum
            np.multiply(gradient, 1 - dampening, out=step_buffer)
            velocity += step_buffer
            if settings["nesterov"]:
                np.multiply(velocity, momentum, out=step_buffer)
                step_buffer += gradient
            else:
                np.copyto(step_buffer, velocity)
            step_buffer *= -learning_rate
            weights += step_buffer
            return

        # The book: weight_momentums = μ · weight_momentums - lr · g
        np.multiply(gradient, learning_rate, out=step_buffer)
        if dampening:
            step_buffer *= 1 - dampening
        velocity *= momentum
        velocity -= step_buffer
        if settings["nesterov"]:
            # Look ahead: W += μ · weight_momentums - lr · g
            np.multiply(gradient, -learning_rate, out=step_buffer)
            weights += step_buffer
            np.multiply(velocity, momentum, out=step_buffer)
            weights += step_buffer
        else:
            # W += weight_momentums
            weights += velocity
