"""Layer_Dropout: randomly switch off a fraction of the neurons while training."""

from __future__ import annotations

import numbers

import numpy as np

from nnlite.layers.base import Layer
from nnlite.validation import check_same_shape, require_forward


class Layer_Dropout(Layer):
    """Inverted dropout (book chapter 15).

    While training, each value is kept with probability ``keep = 1 - rate`` and the kept values
    are divided by ``keep``, so that the expected sum is unchanged and inference needs no
    rescaling::

        mask   = Bernoulli(keep) / keep
        output = inputs · mask,   dinputs = dvalues · mask

    At inference (``training=False``) the layer passes its inputs through unchanged.

    Parameters
    ----------
    rate:
        The fraction of neurons to *drop*, in [0, 1). ``rate`` keeps that meaning as an
        attribute; the book's class stored the keep probability under this name, which nnlite
        calls ``keep_probability``.
    rng:
        A ``np.random.Generator`` for the masks; ``None`` draws from the global ``np.random``
        stream, as the book does.

    ``forward(inputs)`` without ``training`` drops, as in the book's chapters 15-17 loops.

    The mask is float64 (as in the book), so float32 inputs give a float64 output; the book's
    printed numbers depend on this.
    """

    def __init__(self, rate: float, *, rng: np.random.Generator | None = None) -> None:
        if isinstance(rate, bool) or not isinstance(rate, numbers.Real):
            raise TypeError(f"Layer_Dropout: rate must be a number in [0, 1), got {rate!r}")
        if not 0 <= rate < 1:
            raise ValueError(
                f"Layer_Dropout: rate is the fraction of neurons to drop and must be in [0, 1), "
                f"got {rate}"
            )
        self.rate = rate
        # Store the keep probability: for a dropout of 0.1 we keep 0.9
        self.keep_probability = 1 - rate
        self.rng = rng
        self.inputs = None
        self.binary_mask = None

    def __repr__(self) -> str:
        return f"Layer_Dropout({self.rate})"

    def forward(self, inputs: np.ndarray, training: bool = True) -> np.ndarray:
        self.inputs = inputs
        self.training = training
        if not training:
            # Inference: nothing is dropped
            self.output = inputs.copy()
            return self.output
        # Generate and save the scaled mask (one draw, as in the book)
        keep = self.keep_probability
        if self.rng is None:
            mask = np.random.binomial(1, keep, size=inputs.shape)
        else:
            mask = self.rng.binomial(1, keep, size=inputs.shape)
        self.binary_mask = mask / keep
        # Apply the mask to the output values
        self.output = inputs * self.binary_mask
        return self.output

    def backward(self, dvalues: np.ndarray) -> np.ndarray:
        require_forward(self, self)
        dvalues = check_same_shape(self, "dvalues", dvalues, np.shape(self.inputs))
        if not self.training:
            # The inference forward was the identity, so is its gradient
            self.dinputs = dvalues.copy()
            return self.dinputs
        # Gradient on values
        self.dinputs = dvalues * self.binary_mask
        return self.dinputs
