"""Optimizer_Adafactor: Adam's second moment in factored form, with relative step sizes."""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Sequence
from typing import Any, Unpack

import numpy as np

from nnlite.optimizers.engine.plans import Update
from nnlite.optimizers.gradient_options import GradientOptions
from nnlite.optimizers.optimizer import Optimizer
from nnlite.parameters import ParameterSpec
from nnlite.schedules.base import Schedule


class Optimizer_Adafactor(Optimizer):
    """Adafactor: per-row and per-column averages of g² instead of one per weight.

    Update rule for a weights matrix W of shape (n, m) (g = dweights, lr = current_learning_rate,
    t = this parameter's step, 1, 2, ..., λ = weight_decay)::

        β̂₂ = 1 - t^beta2_decay                   (1 - t^-0.8: 0 at t = 1, then towards 1)
        ρ  = min(lr, 1/√t)                        (the relative step size)
        α  = max(ε₂, RMS(W)) · ρ                  (steps scale with the weights themselves)
        W  = W · (1 - lr · λ)                     (decoupled weight decay)
        row_variance    = β̂₂ · row_variance + (1 - β̂₂) · mean of g² in each row      (n, 1)
        column_variance = β̂₂ · column_variance + (1 - β̂₂) · mean of g² in each column (1, m)
        V̂  = row_variance · column_variance / max(mean(row_variance), ε₁)
        U  = g / √max(V̂, ε₁²)
        W += -α · U / max(1, RMS(U) / d)

    V̂ (n, m) is rebuilt each step from an (n, 1) column and a (1, m) row: the state costs
    n + m numbers instead of Adam's 2·n·m. Arrays with more than two axes are factored over
    the last two; vectors (1-D parameters) keep a full ``variance`` the size of g. A bias of
    ``Layer_Dense`` is a (1, m) matrix and is factored like one, as PyTorch factors a (1, m)
    tensor (its row factor is a single number, so V̂ equals the column factor).

    There is no first moment (β₁ = 0), and no learning-rate tuning is needed in the paper's
    setting: ρ decays as 1/√t once below lr. Because α is relative to RMS(W), a parameter that
    starts at zero (the book's biases) moves by only ε₂·ρ per step until it has grown: start
    such parameters small but non-zero, or expect them to learn slowly. RMS(x) = √(mean of x²).
    ε₁ = ``None`` means the machine epsilon of the parameter's dtype; ε₁ is placed as in
    PyTorch, which differs from the paper (the paper adds ε₁ to g² before averaging).

    Defaults (PyTorch's): ``learning_rate=0.01, beta2_decay=-0.8, epsilon_1=None,
    epsilon_2=0.001, d=1.0, weight_decay=0.0, maximize=False``. PyTorch passes ε₁ and ε₂ as one
    tuple ``eps=(None, 1e-3)``; ``d`` is the update-clipping threshold. ``decay=0.0`` is the book's
    learning-rate decay; ``l1_decay``, ``maximize`` and the clipping options are described in
    :class:`~nnlite.optimizers.optimizer.Optimizer`.

    Paper: Shazeer & Stern, "Adafactor: Adaptive Learning Rates with Sublinear Memory Cost"
    (ICML 2018).

    The factored state is not shaped like the parameter, so it lives in the layer's
    ``optimizer_state.extras[parameter name]`` (``row_variance`` and ``column_variance``, or
    ``variance``), not in ``layer.weight_*`` attributes. Each update allocates arrays the size
    of one row and one column (the means of g²), never one the size of the parameter.
    """

    scratch_count = 1

    def __init__(
        self,
        learning_rate: float | Schedule = 0.01,
        decay: float = 0.0,
        *,
        beta2_decay: float = -0.8,
        epsilon_1: float | None = None,
        epsilon_2: float = 1e-3,
        d: float = 1.0,
        weight_decay: float = 0.0,
        **options: Unpack[GradientOptions],
    ) -> None:
        initial = (
            learning_rate.initial_learning_rate
            if isinstance(learning_rate, Schedule)
            else learning_rate
        )
        # PyTorch's messages
        if not _number("learning_rate", initial) >= 0:
            raise ValueError(f"Learning rate should be >= 0 but is: {initial}")
        if not _number("beta2_decay", beta2_decay) <= 0:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if epsilon_1 is not None and not _number("epsilon_1", epsilon_1) >= 0:
            raise ValueError(f"epsilon1 should be >= 0 but is: {epsilon_1}")
        if not _number("epsilon_2", epsilon_2) >= 0:
            raise ValueError(f"epsilon2 should be >= 0 but is: {epsilon_2}")
        if not _number("d", d) >= 1:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not _number("weight_decay", weight_decay) >= 0:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        super().__init__(
            learning_rate=learning_rate,
            decay=decay,
            decoupled_weight_decay=True,
            hyperparameters={
                "beta2_decay": beta2_decay,
                "epsilon_1": epsilon_1,
                "epsilon_2": epsilon_2,
                "d": d,
            },
            options={"weight_decay": weight_decay, **options},
        )
        self._rms_before_decay: dict[str, float] = {}

    def update_layer_parameters(
        self, layer: object, chosen: Sequence[tuple[ParameterSpec, dict[str, Any], float]]
    ) -> None:
        # α uses RMS(W) from *before* the weight decay, which the base class applies just
        # before update_rule: measure it here first.
        self._rms_before_decay = {
            parameter.name: _rms(value)
            for parameter, _, _ in chosen
            if isinstance(value := getattr(layer, parameter.name, None), np.ndarray)
        }
        super().update_layer_parameters(layer, chosen)

    def update_rule(self, weights: np.ndarray, gradient: np.ndarray, update: Update) -> None:
        settings = update.settings
        name = update.parameter.name
        (step_buffer,) = update.scratch
        state = _factored_state(update.scalars, weights, update.step, name)
        t = update.step - state["steps_before"]
        epsilon_1 = settings["epsilon_1"]
        if epsilon_1 is None:
            epsilon_1 = float(np.finfo(weights.dtype).eps)

        # The schedule of this step: β̂₂ through its complement 1 - β̂₂ = t^beta2_decay
        new_weight = t ** settings["beta2_decay"]
        relative_step = min(update.learning_rate, 1 / t**0.5)
        step_size = max(settings["epsilon_2"], self._rms_before_decay[name]) * relative_step

        # V̂, the estimate of the mean of g², built in step_buffer
        np.square(gradient, out=step_buffer)
        if weights.ndim > 1:
            row_variance, column_variance = state["row_variance"], state["column_variance"]
            # Means of g² per row and per column (arrays of one column and one row)
            row_mean = np.mean(step_buffer, axis=-1, keepdims=True)
            column_mean = np.mean(step_buffer, axis=-2, keepdims=True)
            # variance = β̂₂·variance + (1 - β̂₂)·mean, as variance += (1 - β̂₂)·(mean - variance)
            _move_towards(row_variance, row_mean, new_weight)
            _move_towards(column_variance, column_mean, new_weight)
            # V̂ = row · column / max(mean of the rows, ε₁)
            np.matmul(row_variance, column_variance, out=step_buffer)
            step_buffer /= np.maximum(np.mean(row_variance, axis=-2, keepdims=True), epsilon_1)
        else:
            variance = state["variance"]
            _move_towards(variance, step_buffer, new_weight)
            np.copyto(step_buffer, variance)

        # U = g / √max(V̂, ε₁²)
        np.maximum(step_buffer, epsilon_1 * epsilon_1, out=step_buffer)
        np.sqrt(step_buffer, out=step_buffer)
        np.divide(gradient, step_buffer, out=step_buffer)
        # W += -α · U / max(1, RMS(U)/d)
        clipping = max(1.0, _norm(step_buffer) / (math.sqrt(step_buffer.size) * settings["d"]))
        step_buffer *= -step_size / clipping
        weights += step_buffer


def _norm(array: np.ndarray) -> float:
    """The Euclidean norm ‖x‖ = √(sum of x²), without a temporary array."""
    return math.sqrt(float(np.vdot(array, array)))


def _rms(array: np.ndarray) -> float:
    """Root mean square, √(mean of x²) = ‖x‖/√n."""
    return _norm(array) / math.sqrt(array.size) if array.size else 0.0


def _number(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r} ({type(value).__name__})")
    return value


def _move_towards(average: np.ndarray, target: np.ndarray, weight: float) -> None:
    """``average += weight · (target - average)`` in place, as PyTorch's ``lerp_``.

    ``target`` serves as work space and is left changed.
    """
    if weight < 0.5:
        np.subtract(target, average, out=target)
        target *= weight
        average += target
    else:
        # PyTorch's second form, exact at weight = 1: target - (target - average)·(1 - weight)
        np.subtract(target, average, out=average)
        average *= 1 - weight
        np.subtract(target, average, out=average)


def _factored_state(extras: dict, value: np.ndarray, step: int, name: str) -> dict:
    """Adafactor's arrays for one parameter, made on its first step (or if its shape changed).

    ``extras`` holds ``row_variance`` (shape (..., n, 1)) and ``column_variance`` (1, m), or
    ``variance`` for a vector, and ``steps_before``: the steps this parameter had taken
    before its state was made (0, unless its shape changed during training).
    """
    if value.ndim > 1:
        shapes = {
            "row_variance": (*value.shape[:-1], 1),
            "column_variance": (*value.shape[:-2], 1, value.shape[-1]),
        }
    else:
        shapes = {"variance": value.shape}
    arrays = [extras.get(key) for key in shapes]
    if all(
        isinstance(array, np.ndarray) and array.shape == shape and array.dtype == value.dtype
        for array, shape in zip(arrays, shapes.values(), strict=True)
    ):
        return extras
    if any(array is not None for array in arrays):
        warnings.warn(
            f"Optimizer_Adafactor: {name} now has shape {value.shape} and dtype {value.dtype}, "
            f"which its state does not fit; its state starts afresh",
            UserWarning,
            stacklevel=4,
        )
    extras.clear()
    for key, shape in shapes.items():
        extras[key] = np.zeros(shape, dtype=value.dtype)
    extras["steps_before"] = step - 1
    return extras
