"""Activation_Tanh: the hyperbolic tangent, squashing values into (-1, 1)."""

from __future__ import annotations

import numpy as np

from nnlite.activations.base import Activation


class Activation_Tanh(Activation):
    """``output = tanh(x)``; backward: ``dinputs = dvalues · (1 - tanh(x)²)``."""

    def forward(self, inputs: np.ndarray, training: bool = False) -> np.ndarray:
        self.inputs = inputs
        self.output = np.tanh(inputs)
        return self.output

    def backward(self, dvalues: np.ndarray) -> np.ndarray:
        dvalues = self._check_backward(dvalues)
        self.dinputs = dvalues * (1 - self.output**2)
        return self.dinputs
