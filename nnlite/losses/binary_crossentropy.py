"""Loss_BinaryCrossentropy: cross-entropy of independent yes/no outputs."""

from __future__ import annotations

import numpy as np

from nnlite.losses.base import Loss, mean_per_sample
from nnlite.losses.labels import check_targets

CLIP = 1e-7


class Loss_BinaryCrossentropy(Loss):
    """Binary cross-entropy, averaged over each sample's outputs::

        L = -mean_j( y_j·log(ŷ_j) + (1 - y_j)·log(1 - ŷ_j) )

    Backward: ``dinputs = -(y/ŷ - (1 - y)/(1 - ŷ)) / n_outputs / n_samples``.
    ``ŷ`` is clipped to ``[1e-7, 1 - 1e-7]`` in both passes. ``y_true`` must have the
    predictions' shape: reshape labels with ``y.reshape(-1, 1)`` for a single output.
    Predictions of more dimensions ``(n_samples, ...)`` (a mask per pixel, say) average each
    sample's values, and n_outputs counts them.
    """

    def forward(self, y_pred: np.ndarray, y_true: np.ndarray) -> np.ndarray:
        y_true = check_targets(self, y_pred, y_true)
        y_pred_clipped = np.clip(y_pred, CLIP, 1 - CLIP)
        sample_losses = -(
            y_true * np.log(y_pred_clipped) + (1 - y_true) * np.log(1 - y_pred_clipped)
        )
        sample_losses = mean_per_sample(sample_losses)
        return sample_losses

    def backward(self, dvalues: np.ndarray, y_true: np.ndarray) -> np.ndarray:
        y_true = check_targets(self, dvalues, y_true)
        samples = len(dvalues)
        # Values per sample: the book's len(dvalues[0]) for 2-D, every pixel of an image
        outputs = dvalues[0].size
        clipped_dvalues = np.clip(dvalues, CLIP, 1 - CLIP)
        self.dinputs = -(y_true / clipped_dvalues - (1 - y_true) / (1 - clipped_dvalues)) / outputs
        self.dinputs = self.dinputs / samples
        return self.dinputs
