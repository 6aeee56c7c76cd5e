"""Layer_Flatten: images (N, C, H, W) to rows (N, C·H·W), for the dense layers after them."""

from __future__ import annotations

import numpy as np

from nnlite.layers.base import Layer
from nnlite.validation import check_same_shape, require_forward


class Layer_Flatten(Layer):
    """Flatten each sample into one row, as PyTorch's ``x.flatten(1)`` (or ``x.view(N, -1)``).

    Forward: ``output = inputs.reshape(N, -1)``, so ``(N, C, H, W)`` becomes ``(N, C·H·W)`` in
    C order: all of channel 0 row by row, then channel 1, ... (the order PyTorch uses, so
    ``Layer_Dense`` weights taken from a PyTorch model line up).

    Backward: ``dinputs = dvalues.reshape(inputs.shape)``; flattening moves no number.
    """

    def __init__(self) -> None:
        self.inputs = None

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int]:
        """One sample's output shape: all its values in one row."""
        return (int(np.prod(input_shape)),)

    def forward(self, inputs: np.ndarray, training: bool = False) -> np.ndarray:
        array = inputs if isinstance(inputs, np.ndarray) else np.asarray(inputs)
        if array.ndim < 2:
            raise ValueError(
                f"{self!r}: inputs must have a batch axis and at least one more, e.g. "
                f"(n_samples, channels, height, width), got a {array.ndim}-D array of shape "
                f"{array.shape}"
            )
        # Remember input values (their shape is what backward needs)
        self.inputs = array
        self.output = array.reshape(len(array), -1)
        return self.output

    def backward(self, dvalues: np.ndarray) -> np.ndarray:
        require_forward(self, self)
        dvalues = check_same_shape(self, "dvalues", dvalues, self.output.shape)
        self.dinputs = dvalues.reshape(self.inputs.shape)
        return self.dinputs
