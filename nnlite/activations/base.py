"""What every activation shares: remembering its inputs and checking backward's dvalues."""

from __future__ import annotations

import numpy as np

from nnlite.layers.base import Layer
from nnlite.validation import check_same_shape, require_forward


class Activation(Layer):
    """Base of the activations: element-wise functions with no parameters."""

    inputs = None
    output = None
    #: What backward reads, set by forward. The book's chapter 9 sets a softmax's ``output`` by
    #: hand and calls backward directly, so only this attribute is required.
    backward_needs = "output"

    def _check_backward(self, dvalues: np.ndarray) -> np.ndarray:
        """Raise if backward comes before forward or ``dvalues`` has the wrong shape."""
        require_forward(self, self, self.backward_needs)
        needed = getattr(self, self.backward_needs)
        return check_same_shape(self, "dvalues", dvalues, np.shape(needed))

    def predictions(self, outputs: np.ndarray) -> np.ndarray:
        """What the network predicts from this activation's outputs (the outputs themselves)."""
        return outputs
