"""Layer_Input: the first node of a Model, which hands the data to the first layer."""

from __future__ import annotations

import numpy as np

from nnlite.layers.base import Layer


class Layer_Input(Layer):
    """Passes its inputs on unchanged (``output`` is the inputs array itself, as in the book)."""

    def forward(self, inputs: np.ndarray, training: bool = False) -> np.ndarray:
        self.output = inputs
        return self.output
