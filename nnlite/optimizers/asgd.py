"""Optimizer_ASGD: SGD that also keeps the running average of the weights it visits."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Unpack

import numpy as np

from nnlite.optimizers import hyperparameter_checks
from nnlite.optimizers.engine.plans import Update
from nnlite.optimizers.engine.state import OptimizerRecord, state_attribute
from nnlite.optimizers.gradient_options import GradientOptions
from nnlite.optimizers.optimizer import Optimizer
from nnlite.parameters import describe, trainable_parameters
from nnlite.schedules.base import Schedule


class Optimizer_ASGD(Optimizer):
    """Averaged stochastic gradient descent.

    Update rule (g = dweights, lr = current_learning_rate, t = this parameter's step, 1, 2, ...,
    λ = lambd; η and μ start at lr and 1)::

        W = W · (1 - λ · η) - η · g
        weight_average = W                                  while μ = 1 (t ≤ t0 + 1)
        weight_average += μ · (W - weight_average)          afterwards
        then, for the next step:
            η = lr / (1 + λ · lr · t)^α
            μ = 1 / max(1, t - t0)

    The step size η decays as a power of t, and from step t0 on ``weight_average`` is the
    plain mean of the weights visited since then (Polyak-Ruppert averaging): for a noisy
    convex problem the average converges faster than the last iterate. The weights themselves
    follow plain SGD; the average lives beside them on the layer as ``layer.weight_average``
    and ``layer.bias_average``, and is never written into them unless you ask::

        with optimizer.averaged_weights([dense1, dense2]):
            ...forward passes to evaluate the averaged model...
        optimizer.apply_averaged_weights([dense1, dense2])   # keep the average for good

    With the default ``t0=1e6`` no averaging happens for a million steps (the average just
    equals the weights); set ``t0`` to the step count after which to start averaging. η and μ
    are kept per parameter (``layer.optimizer_state.extras``).

    Defaults (PyTorch's): ``learning_rate=0.01, decay=0.0, lambd=0.0001, alpha=0.75,
    t0=1000000.0, weight_decay=0``.

    Papers: Polyak & Juditsky, "Acceleration of Stochastic Approximation by Averaging" (SIAM J.
    Control and Optimization, 1992); Bottou, "Stochastic Gradient Descent Tricks" (2012), whose
    η schedule this is.

    ``decay`` is the book's learning-rate decay, ``lr = learning_rate · 1/(1 + decay · t)``;
    ``weight_decay`` (L2, g ← g + λ·W), ``l1_decay``, ``maximize`` and the clipping options are
    described in :class:`~nnlite.optimizers.optimizer.Optimizer`.
    """

    state_names = ("average",)
    scratch_count = 1

    def __init__(
        self,
        learning_rate: float | Schedule = 0.01,
        decay: float = 0.0,
        *,
        lambd: float = 1e-4,
        alpha: float = 0.75,
        t0: float = 1e6,
        **options: Unpack[GradientOptions],
    ) -> None:
        hyperparameter_checks.non_negative("lambd", lambd)
        hyperparameter_checks.non_negative("alpha", alpha)
        hyperparameter_checks.non_negative("t0", t0)
        super().__init__(
            learning_rate=learning_rate,
            decay=decay,
            hyperparameters={"lambd": lambd, "alpha": alpha, "t0": t0},
            options=options,
        )

    def update_rule(self, weights: np.ndarray, gradient: np.ndarray, update: Update) -> None:
        settings = update.settings
        lambd = settings["lambd"]
        learning_rate = update.learning_rate
        average = update.state["average"]
        (step_buffer,) = update.scratch
        scalars = update.scalars
        if update.step == 1:
            scalars["eta"] = learning_rate
            scalars["mu"] = 1.0
        eta, mu = scalars["eta"], scalars["mu"]

        # W = W · (1 - λ · η) - η · g
        weights *= 1 - lambd * eta
        np.multiply(gradient, -eta, out=step_buffer)
        weights += step_buffer
        # The running average of the weights
        if mu != 1:
            # weight_average += μ · (W - weight_average)
            np.subtract(weights, average, out=step_buffer)
            step_buffer *= mu
            average += step_buffer
        else:
            np.copyto(average, weights)
        # η and μ for the next step
        alpha = settings["alpha"]
        scalars["eta"] = learning_rate / (1 + lambd * learning_rate * update.step) ** alpha
        scalars["mu"] = 1 / max(1, update.step - settings["t0"])

    # ------------------------------------------------------------------ using the average

    @contextmanager
    def averaged_weights(self, layers: Iterable[object]) -> Iterator[None]:
        """Within the ``with`` block the layers hold their averaged parameters; after it, their
        own again (copied in place, so other references to the arrays see the change)."""
        pairs = self._parameters_and_averages(layers, "averaged_weights")
        own = [value.copy() for value, _ in pairs]
        for value, average in pairs:
            np.copyto(value, average)
        try:
            yield
        finally:
            for (value, _), saved in zip(pairs, own, strict=True):
                np.copyto(value, saved)

    def apply_averaged_weights(self, layers: Iterable[object]) -> None:
        """Copy the averaged parameters into the layers for good, e.g. at the end of training."""
        for value, average in self._parameters_and_averages(layers, "apply_averaged_weights"):
            np.copyto(value, average)

    def _parameters_and_averages(
        self, layers: Iterable[object], method: str
    ) -> list[tuple[np.ndarray, np.ndarray]]:
        """(parameter, its average) for every trainable parameter, all checked first."""
        kind = type(self).__name__
        pairs = []
        for layer in layers:
            where = f"{kind}.{method}({describe(layer)})"
            record = getattr(layer, "optimizer_state", None)
            for parameter in trainable_parameters(layer):
                name = state_attribute(parameter, "average")
                value = getattr(layer, parameter.name)
                average = getattr(layer, name, None)
                if not (isinstance(record, OptimizerRecord) and record.kind == kind) or not (
                    isinstance(average, np.ndarray)
                ):
                    raise RuntimeError(
                        f"{where}: the layer has no {name} from {kind} yet; the average exists "
                        f"once this optimizer has updated the layer at least once"
                    )
                if average.shape != value.shape:
                    raise ValueError(
                        f"{where}: {name} has shape {average.shape} but {parameter.name} has "
                        f"shape {value.shape}; were the weights replaced after training?"
                    )
                pairs.append((value, average))
        return pairs
