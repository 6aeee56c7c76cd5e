"""Optimizer_SparseAdam: Adam on the rows of a row-sparse gradient (an embedding's)."""

from __future__ import annotations

import math
from typing import Unpack

import numpy as np

from nnlite.layers.embedding import SparseRows
from nnlite.optimizers import hyperparameter_checks
from nnlite.optimizers.engine.plans import Update, UpdatePlan
from nnlite.optimizers.gradient_options import GradientOptions
from nnlite.optimizers.optimizer import Optimizer
from nnlite.parameters import ParameterSpec
from nnlite.schedules.base import Schedule


class Optimizer_SparseAdam(Optimizer):
    """Adam restricted to the rows that have a gradient.

    Update rule, for the rows r listed in the gradient (g = dweights.values, the summed
    gradient of each row; lr = current_learning_rate; t = the number of updates so far)::

        weight_momentums[r] = weight_momentums[r] + (1 - β₁) · (g - weight_momentums[r])
        weight_cache[r]     = weight_cache[r] + (1 - β₂) · (g² - weight_cache[r])
        W[r] += -lr · √(1 - β₂ᵗ) / (1 - β₁ᵗ) · weight_momentums[r] / (√weight_cache[r] + ε)

    Every other row keeps its weights *and* its moments: a word absent from a batch neither
    moves nor decays its averages, which is what makes this cheap for large vocabularies (and
    what makes it differ from Adam on a dense gradient with zero rows, which would decay them).

    The first two lines are Adam's ``m = β₁·m + (1 - β₁)·g`` written as PyTorch writes it. The
    last folds both bias corrections into the step size, so ε is added to the *uncorrected*
    √weight_cache (Adam adds it to √v̂); this is PyTorch's SparseAdam to the last digit. t counts
    every update of the layer, including those in which a row was absent.

    The gradient must be a :class:`~nnlite.layers.embedding.SparseRows`, as
    ``Layer_Embedding`` (``sparse=True``) produces; a dense gradient raises an error (use
    :class:`~nnlite.optimizers.adam.Optimizer_Adam` for those). There is no weight decay.

    Defaults (PyTorch's): ``learning_rate=0.001, epsilon=1e-8, beta_1=0.9, beta_2=0.999,
    maximize=False``; ``decay=0.0`` is the book's learning-rate decay (the arguments come in
    the order of :class:`~nnlite.optimizers.adam.Optimizer_Adam`'s).

    Paper: Kingma & Ba, "Adam: A Method for Stochastic Optimization" (ICLR 2015); the sparse
    (masked) variant is PyTorch's ``torch.optim.SparseAdam``.

    Memory: the moments are table-sized and made once; each update then works on arrays the
    size of the looked-up rows only (made afresh each step, since their number varies), never
    on a table-sized temporary. (The base class also makes its two table-sized work arrays
    for gradient options on the first step; SparseAdam leaves them unused.)
    """

    state_names = ("momentums", "cache")
    gradient_options = ("maximize",)

    def __init__(
        self,
        learning_rate: float | Schedule = 0.001,
        decay: float = 0.0,
        epsilon: float = 1e-8,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        **options: Unpack[GradientOptions],
    ) -> None:
        # PyTorch's SparseAdam wants both the learning rate and ε strictly above 0
        initial = (
            learning_rate.initial_learning_rate
            if isinstance(learning_rate, Schedule)
            else learning_rate
        )
        hyperparameter_checks.learning_rate(initial)
        if initial == 0:
            raise ValueError(f"Invalid learning rate: {initial}")
        hyperparameter_checks.epsilon(epsilon)
        if epsilon == 0:
            raise ValueError(f"Invalid epsilon value: {epsilon}")
        hyperparameter_checks.beta(0, beta_1)
        hyperparameter_checks.beta(1, beta_2)
        super().__init__(
            learning_rate=learning_rate,
            decay=decay,
            hyperparameters={"epsilon": epsilon, "beta_1": beta_1, "beta_2": beta_2},
            options=options,
        )

    def update_rule(self, weights: np.ndarray, gradient: SparseRows, update: Update) -> None:
        settings = update.settings
        beta_1, beta_2 = settings["beta_1"], settings["beta_2"]
        rows = gradient.indices
        if len(rows) == 0:
            return  # nothing was looked up: nothing changes (the step still counts)
        momentums, cache = update.state["momentums"], update.state["cache"]

        # Momentum of the looked-up rows: m += (1 - β₁)·(g - m)
        row_momentums = momentums[rows]
        change = np.subtract(gradient.values, row_momentums)
        change *= 1 - beta_1
        row_momentums += change
        momentums[rows] = row_momentums

        # Cache of the looked-up rows: v += (1 - β₂)·(g² - v)
        row_cache = cache[rows]
        np.square(gradient.values, out=change)
        change -= row_cache
        change *= 1 - beta_2
        row_cache += change
        cache[rows] = row_cache

        # W[r] += -lr·√(1 - β₂ᵗ)/(1 - β₁ᵗ) · m / (√v + ε)
        step_size = (
            update.learning_rate * math.sqrt(1 - beta_2**update.step) / (1 - beta_1**update.step)
        )
        denominator = np.sqrt(row_cache, out=row_cache)
        denominator += settings["epsilon"]
        np.divide(row_momentums, denominator, out=change)
        change *= -step_size
        weights[rows] += change

    # ------------------------------------------------------------------ sparse gradients

    def _weights_and_gradient(
        self, layer: object, parameter: ParameterSpec, where: object
    ) -> tuple[np.ndarray, SparseRows]:
        """The base class's checks, for a row-sparse gradient instead of an array."""
        value = getattr(layer, parameter.name)
        gradient = getattr(layer, parameter.gradient, None)
        if gradient is None:
            raise RuntimeError(
                f"{where}: {parameter.gradient} is missing; call backward() before updating"
            )
        if isinstance(gradient, np.ndarray):
            raise RuntimeError(
                f"{where}: SparseAdam does not support dense gradients, please consider Adam "
                f"instead ({parameter.gradient} is a dense array of shape {gradient.shape}; "
                f"Layer_Embedding(..., sparse=True) gives a row-sparse one)"
            )
        if not isinstance(gradient, SparseRows):
            raise TypeError(
                f"{where}: {parameter.gradient} must be SparseRows, got {type(gradient).__name__}"
            )
        if not isinstance(value, np.ndarray) or value.ndim != 2:
            raise TypeError(
                f"{where}: {parameter.name} must be a 2-D NumPy array (a table of rows), got "
                f"{type(value).__name__} of shape {getattr(value, 'shape', None)}"
            )
        if gradient.shape != value.shape:
            raise ValueError(
                f"{where}: {parameter.gradient} stands for shape {gradient.shape} but "
                f"{parameter.name} has shape {value.shape}"
            )
        return value, gradient

    def _apply_gradient_options(
        self, weights: np.ndarray, gradient: SparseRows, plan: UpdatePlan
    ) -> SparseRows:
        """``maximize`` negates the rows' gradients; nothing else applies to SparseAdam."""
        if not plan.settings["maximize"]:
            return gradient
        return SparseRows(gradient.indices, np.negative(gradient.values), gradient.shape)
