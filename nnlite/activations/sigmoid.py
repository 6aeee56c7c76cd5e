"""Activation_Sigmoid: 1 / (1 + exp(-x)), for binary outputs."""

from __future__ import annotations

import numpy as np

from nnlite.activations.base import Activation
from nnlite.validation import as_real_array


class Activation_Sigmoid(Activation):
    """Logistic sigmoid: ``σ(x) = 1 / (1 + exp(-x))``, squashing each value into (0, 1).

    Backward: ``dinputs = dvalues · σ(x) · (1 - σ(x))``.

    For very negative x, ``exp(-x)`` overflows to infinity and σ correctly becomes 0; nnlite
    silences numpy's overflow warning there and keeps the book's formula (and numbers).
    """

    def forward(self, inputs: np.ndarray, training: bool = False) -> np.ndarray:
        inputs = as_real_array(self, "inputs", inputs)
        self.inputs = inputs
        with np.errstate(over="ignore"):
            self.output = 1 / (1 + np.exp(-inputs))
        return self.output

    def backward(self, dvalues: np.ndarray) -> np.ndarray:
        dvalues = self._check_backward(dvalues)
        self.dinputs = dvalues * (1 - self.output) * self.output
        return self.dinputs

    def predictions(self, outputs: np.ndarray) -> np.ndarray:
        """1 where the probability is above 0.5, else 0."""
        return (outputs > 0.5) * 1
