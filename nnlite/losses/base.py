"""Loss: the mean of per-sample losses, plus the layers' regularization penalties."""

from __future__ import annotations

import numpy as np

from nnlite.aliases import Alias
from nnlite.validation import as_real_array


class Loss:
    """Base of the losses. A subclass defines ``forward(y_pred, y_true)`` returning one loss
    per sample and ``backward(dvalues, y_true)`` setting ``self.dinputs``.

    ``calculate`` returns the mean loss and also adds the batch to running totals, so that a
    whole epoch's loss can be read with ``calculate_accumulated`` (book chapter 19). The totals
    start at zero, so ``calculate`` works without calling ``new_pass()`` first.
    """

    dinput = Alias("dinputs")
    accumulated_sum = 0
    accumulated_count = 0
    trainable_layers: tuple | list = ()

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def remember_trainable_layers(self, trainable_layers: list) -> None:
        """Remember the layers whose penalties ``regularization_loss()`` adds (Model does this)."""
        self.trainable_layers = trainable_layers

    def regularization_loss(self, layer: object | None = None) -> float:
        """The L1 and L2 penalties: λ₁·Σ|w| + λ₂·Σw², and the same for the biases.

        With a ``layer`` (book chapters 14-17), that layer's penalty; without one (chapter 18
        on), the sum over the remembered trainable layers. Layers without regularizer
        attributes count as unregularized, and a layer without biases
        (``Layer_Dense(..., bias=False)``) has no bias penalty.
        """
        layers = self.trainable_layers if layer is None else (layer,)
        # 0 by default
        regularization_loss = 0
        for layer in layers:
            weight_l1 = getattr(layer, "weight_regularizer_l1", 0)
            weight_l2 = getattr(layer, "weight_regularizer_l2", 0)
            bias_l1 = getattr(layer, "bias_regularizer_l1", 0)
            bias_l2 = getattr(layer, "bias_regularizer_l2", 0)
            if not hasattr(layer, "biases"):
                bias_l1 = bias_l2 = 0
            # Each penalty is calculated only when its strength is above 0
            if weight_l1 > 0:
                regularization_loss += weight_l1 * np.sum(np.abs(layer.weights))
            if weight_l2 > 0:
                regularization_loss += weight_l2 * np.sum(layer.weights * layer.weights)
            if bias_l1 > 0:
                regularization_loss += bias_l1 * np.sum(np.abs(layer.biases))
            if bias_l2 > 0:
                regularization_loss += bias_l2 * np.sum(layer.biases * layer.biases)
        return regularization_loss

    def calculate(
        self, output: np.ndarray, y: np.ndarray, *, include_regularization: bool = False
    ) -> float | tuple[float, float]:
        """The mean loss of a batch (and the regularization loss, if asked for)."""
        output = as_real_array(self, "output", output)
        y = as_real_array(self, "y", y)
        if len(output) == 0:
            raise ValueError(
                f"{self!r}: the batch is empty (output of shape {output.shape}); a mean over "
                f"no samples is undefined. Check batch_size and the data's length"
            )
        # Calculate sample losses
        sample_losses = self.forward(output, y)
        # Calculate mean loss, from the sum the running totals need anyway
        total = sample_losses.sum()
        data_loss = mean_from_sum(sample_losses, total)
        # Add to the running totals of this pass
        self.accumulated_sum += total
        self.accumulated_count += len(sample_losses)
        if not include_regularization:
            return data_loss
        return data_loss, self.regularization_loss()

    def calculate_accumulated(
        self, *, include_regularization: bool = False
    ) -> float | tuple[float, float]:
        """The mean loss over every batch since ``new_pass()``."""
        if self.accumulated_count == 0:
            raise RuntimeError(
                f"{self!r}.calculate_accumulated: no batch was calculated since new_pass()"
            )
        data_loss = self.accumulated_sum / self.accumulated_count
        if not include_regularization:
            return data_loss
        return data_loss, self.regularization_loss()

    def new_pass(self) -> None:
        """Reset the running totals, at the start of an epoch or an evaluation."""
        self.accumulated_sum = 0
        self.accumulated_count = 0


def mean_per_sample(values: np.ndarray) -> np.ndarray:
    """Each sample's mean over all its values: every axis but the first.

    For ``(n_samples, n_outputs)`` this is the book's ``np.mean(values, axis=-1)`` (the same
    single axis, so the same numbers); for ``(n_samples, channels, height, width)`` it averages
    each sample's image.
    """
    return np.mean(values, axis=tuple(range(1, values.ndim)))


def mean_from_sum(values: np.ndarray, total: np.floating) -> np.floating:
    """``values.mean()`` given ``total = values.sum()``: NumPy's mean is that same sum divided
    by the count, so one reduction serves both (float16 accumulates in float32 in
    ``mean``, so it takes ``mean`` itself)."""
    if values.dtype not in (np.float32, np.float64) or values.size == 0:
        return values.mean()
    return values.dtype.type(total / values.size)
