"""Activation_ReLU: max(0, x)."""

from __future__ import annotations

import numpy as np

from nnlite.activations.base import Activation


class Activation_ReLU(Activation):
    """Rectified linear unit: ``output = max(0, x)``.

    Backward: the gradient passes where ``x > 0`` and is zero where ``x <= 0`` (the book's
    choice of subgradient at 0).
    """

    backward_needs = "inputs"

    def forward(self, inputs: np.ndarray, training: bool = False) -> np.ndarray:
        # Remember input values
        self.inputs = inputs
        self.output = np.maximum(0, inputs)
        return self.output

    def backward(self, dvalues: np.ndarray) -> np.ndarray:
        dvalues = self._check_backward(dvalues)
        # Copy, since we modify it, and zero the gradient where the inputs were not positive
        self.dinputs = dvalues.copy()
        self.dinputs[self.inputs <= 0] = 0
        return self.dinputs


# The course notes' spelling
Activation_ReLu = Activation_ReLU
