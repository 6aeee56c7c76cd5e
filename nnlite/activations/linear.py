"""Activation_Linear: the identity, for regression outputs."""

from __future__ import annotations

import numpy as np

from nnlite.activations.base import Activation
from nnlite.validation import as_real_array


class Activation_Linear(Activation):
    """Identity: ``output = x`` and ``dinputs = dvalues`` (a copy)."""

    def forward(self, inputs: np.ndarray, training: bool = False) -> np.ndarray:
        inputs = as_real_array(self, "inputs", inputs)
        self.inputs = inputs
        self.output = inputs
        return self.output

    def backward(self, dvalues: np.ndarray) -> np.ndarray:
        dvalues = self._check_backward(dvalues)
        self.dinputs = dvalues.copy()
        return self.dinputs
