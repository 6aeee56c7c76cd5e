"""What every activation shares: remembering its inputs and checking backward's dvalues."""

from __future__ import annotations

import numpy as np

from nnlite.layers.base import Layer
from nnlite.validation import check_same_shape, require_forward


class Activation(Layer):
    """Base of the activations: element-wise functions with no parameters."""

    inputs = None

    def _check_backward(self, dvalues: np.ndarray) -> np.ndarray:
        """Raise if backward comes before forward or ``dvalues`` has the wrong shape."""
        require_forward(repr(self), self)
        return check_same_shape(repr(self), "dvalues", dvalues, np.shape(self.output))

    def predictions(self, outputs: np.ndarray) -> np.ndarray:
        """What the network predicts from this activation's outputs (the outputs themselves)."""
        return outputs
