"""Activation_ReLU: max(0, x)."""

from __future__ import annotations

import numpy as np

from nnlite.activations.base import Activation
from nnlite.validation import as_real_array


class Activation_ReLU(Activation):
    """Rectified linear unit: ``output = max(0, x)``.

    Backward: the gradient passes where ``x > 0`` and is zero where ``x <= 0`` (the book's
    choice of subgradient at 0). An infinite or NaN gradient where ``x <= 0`` gives NaN
    rather than the book's 0 (training has diverged by then anyway).
    """

    backward_needs = "inputs"

    def forward(self, inputs: np.ndarray, training: bool = False) -> np.ndarray:
        inputs = as_real_array(self, "inputs", inputs)
        # Remember input values
        self.inputs = inputs
        values = np.asarray(inputs)
        if values.dtype.kind == "f" and values.ndim > 0:
            self.output = _maximum_with_zero(values)
        else:
            self.output = np.maximum(0, values)
        return self.output

    def backward(self, dvalues: np.ndarray) -> np.ndarray:
        dvalues = self._check_backward(dvalues)
        # The gradient passes where the input was positive and is 0 elsewhere. The book
        # writes `dinputs[inputs <= 0] = 0`; multiplying by the 0/1 mask gives the same
        # numbers several times faster, as it needs no branch per element
        passes = self.inputs <= 0
        np.logical_not(passes, out=passes)  # "not x <= 0" keeps NaN inputs' gradient, as the book
        self.dinputs = dvalues * passes
        # A negative gradient times 0 is -0.0; adding 0.0 makes it the book's 0.0
        self.dinputs += 0.0
        return self.dinputs


def _maximum_with_zero(values: np.ndarray) -> np.ndarray:
    """``np.maximum(0, values)`` for floating-point ``values``. Against an array of zeros
    NumPy runs its vectorized loop, about three times faster than against the number 0, with
    the same numbers (-0.0, NaN, infinities and subnormals included)."""
    output = np.zeros_like(values)
    return np.maximum(output, values, out=output)


# The course notes' spelling
Activation_ReLu = Activation_ReLU
