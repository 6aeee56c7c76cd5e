"""Accuracy: the fraction of predictions that count as correct."""

from __future__ import annotations

import numbers

import numpy as np

from nnlite.validation import as_real_array, check_bool


class Accuracy:
    """Base: ``calculate`` returns the mean of ``compare(predictions, y)`` and also adds the
    batch to running totals for ``calculate_accumulated`` (book chapter 19). The totals start
    at zero, so ``calculate`` works without calling ``new_pass()`` first."""

    accumulated_sum = 0
    accumulated_count = 0

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def init(self, y: np.ndarray, reinit: bool = False) -> None:
        """Prepare for targets ``y`` (only the regression accuracy needs this)."""

    def compare(self, predictions: np.ndarray, y: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def calculate(self, predictions: np.ndarray, y: np.ndarray) -> float:
        predictions = as_real_array(self, "predictions", predictions)
        y = as_real_array(self, "y", y)
        if len(predictions) == 0:
            raise ValueError(f"{self!r}: the batch is empty (no predictions); nothing to count")
        comparisons = self.compare(predictions, y)
        accuracy = np.mean(comparisons)
        self.accumulated_sum += np.sum(comparisons)
        self.accumulated_count += len(comparisons)
        return accuracy

    def calculate_accumulated(self) -> float:
        if self.accumulated_count == 0:
            raise RuntimeError(
                f"{self!r}.calculate_accumulated: no batch was calculated since new_pass()"
            )
        return self.accumulated_sum / self.accumulated_count

    def new_pass(self) -> None:
        self.accumulated_sum = 0
        self.accumulated_count = 0


class Accuracy_Categorical(Accuracy):
    """Predicted class equals the true class; one-hot targets are turned into class indices.

    With ``binary=True`` (sigmoid outputs) the targets are compared as they are.
    """

    def __init__(self, *, binary: bool = False) -> None:
        self.binary = check_bool("Accuracy_Categorical", "binary", binary)

    def __repr__(self) -> str:
        return f"Accuracy_Categorical(binary={self.binary})"

    def compare(self, predictions: np.ndarray, y: np.ndarray) -> np.ndarray:
        predictions = as_real_array(self, "predictions", predictions)
        y = as_real_array(self, "y", y)
        if not self.binary:
            # Class indices as a column, (n, 1), are the indices themselves; wider
            # targets are one-hot rows
            if y.ndim == 2:
                y = y[:, 0] if y.shape[1] == 1 else np.argmax(y, axis=1)
            if predictions.ndim == 2 and predictions.shape[1] == 1:
                predictions = predictions[:, 0]
        return predictions == same_shape(self, predictions, y)


class Accuracy_Regression(Accuracy):
    """A prediction counts as correct when it is within ``precision`` of the target.

    ``precision`` is ``std(y) / 250`` by default, set by ``init(y)`` (book chapter 17); pass
    ``precision=`` to choose it yourself.
    """

    def __init__(self, *, precision: float | None = None) -> None:
        if precision is not None and (
            isinstance(precision, bool)
            or not isinstance(precision, numbers.Real)
            or not 0 < precision < float("inf")
        ):
            raise ValueError(
                f"Accuracy_Regression: precision must be a finite number above 0, or None to "
                f"compute it from the targets, got {precision!r:.60}"
            )
        self.precision = precision

    def __repr__(self) -> str:
        return f"Accuracy_Regression(precision={self.precision})"

    def init(self, y: np.ndarray, reinit: bool = False) -> None:
        if self.precision is None or reinit:
            self.precision = np.std(y) / 250

    def compare(self, predictions: np.ndarray, y: np.ndarray) -> np.ndarray:
        predictions = as_real_array(self, "predictions", predictions)
        y = same_shape(self, predictions, as_real_array(self, "y", y))
        if self.precision is None:
            self.init(y)
        return np.absolute(predictions - y) < self.precision


def same_shape(where: object, predictions: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``y``, which must have the shape of ``predictions``: NumPy would broadcast a column
    ``(n, 1)`` against a vector ``(n,)`` to ``(n, n)`` and count n² comparisons."""
    if y.shape != predictions.shape:
        hint = ""
        if y.size == predictions.size and len(y) == len(predictions):
            hint = f"; reshape the targets with y.reshape{predictions.shape}"
        raise ValueError(
            f"{where!r}: predictions of shape {predictions.shape} cannot be compared with "
            f"targets of shape {y.shape}{hint}"
        )
    return y
