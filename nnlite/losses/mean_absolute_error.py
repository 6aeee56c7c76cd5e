"""Loss_MeanAbsoluteError: the mean of absolute differences, for regression."""

from __future__ import annotations

import numpy as np

from nnlite.losses.base import Loss
from nnlite.losses.labels import check_targets


class Loss_MeanAbsoluteError(Loss):
    """``L = mean_j |y_j - ŷ_j|`` per sample; backward ``sign(ŷ - y) / n_outputs / n_samples``.

    The book's chapter 17 writes the gradient as ``sign(y - ŷ)``, the wrong sign: the slope of
    ``|y - ŷ|`` with respect to ŷ is ``sign(ŷ - y)`` (finite differences and PyTorch's
    ``l1_loss`` agree). The book trains with mean squared error, so none of its printed numbers
    change.
    """

    def forward(self, y_pred: np.ndarray, y_true: np.ndarray) -> np.ndarray:
        y_true = check_targets(self, y_pred, y_true)
        sample_losses = np.mean(np.abs(y_true - y_pred), axis=-1)
        return sample_losses

    def backward(self, dvalues: np.ndarray, y_true: np.ndarray) -> np.ndarray:
        y_true = check_targets(self, dvalues, y_true)
        samples = len(dvalues)
        outputs = len(dvalues[0])
        self.dinputs = np.sign(dvalues - y_true) / outputs
        self.dinputs = self.dinputs / samples
        return self.dinputs
