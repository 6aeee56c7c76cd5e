"""Loss_MeanSquaredError: the mean of squared differences, for regression."""

from __future__ import annotations

import numpy as np

from nnlite.losses.base import Loss, mean_per_sample
from nnlite.losses.labels import check_targets


class Loss_MeanSquaredError(Loss):
    """``L = mean_j (y_j - ŷ_j)²`` per sample; backward ``-2(y - ŷ) / n_outputs / n_samples``.

    Predictions are ``(n_samples, n_outputs)``, or of more dimensions ``(n_samples, ...)``
    (images, say): j then runs over all of a sample's values, and n_outputs counts them.
    """

    def forward(self, y_pred: np.ndarray, y_true: np.ndarray) -> np.ndarray:
        y_true = check_targets(self, y_pred, y_true)
        sample_losses = mean_per_sample((y_true - y_pred) ** 2)
        return sample_losses

    def backward(self, dvalues: np.ndarray, y_true: np.ndarray) -> np.ndarray:
        y_true = check_targets(self, dvalues, y_true)
        samples = len(dvalues)
        # Values per sample: the book's len(dvalues[0]) for 2-D, every pixel of an image
        outputs = dvalues[0].size
        self.dinputs = -2 * (y_true - dvalues) / outputs
        self.dinputs = self.dinputs / samples
        return self.dinputs
