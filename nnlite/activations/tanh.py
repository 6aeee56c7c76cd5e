"""Activation_Tanh: the hyperbolic tangent, squashing values into (-1, 1)."""

from __future__ import annotations

import numpy as np

from nnlite.activations.base import Activation
from nnlite.validation import as_real_array


class Activation_Tanh(Activation):
    """``output = tanh(x)``; backward: ``dinputs = dvalues · (1 - tanh(x)²)``."""

    def forward(self, inputs: np.ndarray, training: bool = False) -> np.ndarray:
        inputs = as_real_array(self, "inputs", inputs)
        self.inputs = inputs
        self.output = np.tanh(inputs)
        return self.output

    def backward(self, dvalues: np.ndarray) -> np.ndarray:
        dvalues = self._check_backward(dvalues)
        self.dinputs = dvalues * (1 - self.output**2)
        return self.dinputs
