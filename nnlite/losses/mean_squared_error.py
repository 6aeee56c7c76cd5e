"""Loss_MeanSquaredError: the mean of squared differences, for regression."""

from __future__ import annotations

import numpy as np

from nnlite.losses.base import Loss
from nnlite.losses.labels import check_targets


class Loss_MeanSquaredError(Loss):
    """``L = mean_j (y_j - ŷ_j)²`` per sample; backward ``-2(y - ŷ) / n_outputs / n_samples``."""

    def forward(self, y_pred: np.ndarray, y_true: np.ndarray) -> np.ndarray:
        y_true = check_targets(self, y_pred, y_true)
        sample_losses = np.mean((y_true - y_pred) ** 2, axis=-1)
        return sample_losses

    def backward(self, dvalues: np.ndarray, y_true: np.ndarray) -> np.ndarray:
        y_true = check_targets(self, dvalues, y_true)
        samples = len(dvalues)
        outputs = len(dvalues[0])
        self.dinputs = -2 * (y_true - dvalues) / outputs
        self.dinputs = self.dinputs / samples
        return self.dinputs
