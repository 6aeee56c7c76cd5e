"""Loss_CategoricalCrossentropy: -log of the probability given to the correct class."""

from __future__ import annotations

import numpy as np

from nnlite.losses.base import Loss
from nnlite.losses.labels import check_class_labels

CLIP = 1e-7


class Loss_CategoricalCrossentropy(Loss):
    """Categorical cross-entropy: ``L = -log(ŷ[correct class])`` per sample.

    ``y_true`` is either class indices (shape ``(n,)``) or one-hot rows (shape ``(n, k)``).
    Predictions are clipped to ``[1e-7, 1 - 1e-7]`` so that ``log(0)`` never happens, on both
    sides so the mean is not dragged towards any value.

    Backward: ``dinputs = -y_onehot / ŷ / n``. A predicted probability below 1e-7 is treated as
    1e-7 there too (the book divides by it and gets -inf).
    """

    def forward(self, y_pred: np.ndarray, y_true: np.ndarray) -> np.ndarray:
        y_true = check_class_labels(self, y_pred, y_true)
        samples = len(y_pred)
        if len(y_true.shape) == 1:
            # Class indices: pick each sample's probability of its class, then clip both sides
            # to avoid log(0) without dragging the mean (clipping only the picked values gives
            # the book's numbers, as clipping acts on each value alone)
            correct_confidences = np.clip(y_pred[np.arange(samples), y_true], CLIP, 1 - CLIP)
        else:
            # One-hot rows: clip, then the mask keeps the correct class only
            y_pred_clipped = np.clip(y_pred, CLIP, 1 - CLIP)
            correct_confidences = np.sum(y_pred_clipped * y_true, axis=1)
        negative_log_likelihoods = -np.log(correct_confidences)
        return negative_log_likelihoods

    def backward(self, dvalues: np.ndarray, y_true: np.ndarray) -> np.ndarray:
        y_true = check_class_labels(self, dvalues, y_true)
        samples = len(dvalues)
        labels = len(dvalues[0])
        # Class indices become one-hot rows
        if len(y_true.shape) == 1:
            y_true = np.eye(labels, dtype=dvalues.dtype)[y_true]
        # Gradient, then normalized by the number of samples
        self.dinputs = -y_true / np.maximum(dvalues, CLIP)
        self.dinputs = self.dinputs / samples
        return self.dinputs
