"""Loss_MeanAbsoluteError: the mean of absolute differences, for regression."""

from __future__ import annotations

import numpy as np

from nnlite.losses.base import Loss, mean_per_sample
from nnlite.losses.labels import check_targets


class Loss_MeanAbsoluteError(Loss):
    """``L = mean_j |y_j - ŷ_j|`` per sample; backward ``sign(ŷ - y) / n_outputs / n_samples``.

    The book's chapter 17 writes the gradient as ``sign(y - ŷ)``, the wrong sign: the slope of
    ``|y - ŷ|`` with respect to ŷ is ``sign(ŷ - y)`` (finite differences and PyTorch's
    ``l1_loss`` agree). The book trains with mean squared error, so none of its printed numbers
    change.

    Predictions are ``(n_samples, n_outputs)``, or of more dimensions ``(n_samples, ...)``
    (images, say): j then runs over all of a sample's values, and n_outputs counts them.
    """

    def forward(self, y_pred: np.ndarray, y_true: np.ndarray) -> np.ndarray:
        y_true = check_targets(self, y_pred, y_true)
        sample_losses = mean_per_sample(np.abs(y_true - y_pred))
        return sample_losses

    def backward(self, dvalues: np.ndarray, y_true: np.ndarray) -> np.ndarray:
        y_true = check_targets(self, dvalues, y_true)
        samples = len(dvalues)
        # Values per sample: the book's len(dvalues[0]) for 2-D, every pixel of an image
        outputs = dvalues[0].size
        self.dinputs = np.sign(dvalues - y_true) / outputs
        self.dinputs = self.dinputs / samples
        return self.dinputs
