"""Activation_LeakyReLU: x for x > 0, alpha·x otherwise."""

from __future__ import annotations

import numpy as np

from nnlite.activations.base import Activation
from nnlite.validation import as_real_array, check_non_negative


class Activation_LeakyReLU(Activation):
    """Leaky ReLU: ``output = x`` where ``x > 0`` and ``alpha · x`` elsewhere.

    Backward: ``dinputs = dvalues`` where ``x > 0`` and ``alpha · dvalues`` elsewhere.
    ``alpha`` defaults to 0.01 (as ``torch.nn.LeakyReLU``).
    """

    def __init__(self, alpha: float = 0.01) -> None:
        self.alpha = check_non_negative("Activation_LeakyReLU", "alpha", alpha)

    def __repr__(self) -> str:
        return f"Activation_LeakyReLU(alpha={self.alpha})"

    backward_needs = "inputs"

    def forward(self, inputs: np.ndarray, training: bool = False) -> np.ndarray:
        inputs = as_real_array(self, "inputs", inputs)
        self.inputs = inputs
        self.output = np.where(inputs > 0, inputs, self.alpha * inputs)
        return self.output

    def backward(self, dvalues: np.ndarray) -> np.ndarray:
        dvalues = self._check_backward(dvalues)
        self.dinputs = np.where(self.inputs > 0, dvalues, self.alpha * dvalues)
        return self.dinputs
