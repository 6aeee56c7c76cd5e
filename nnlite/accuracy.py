"""Accuracy: the fraction of predictions that count as correct."""

from __future__ import annotations

import numpy as np


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
        self.binary = binary

    def __repr__(self) -> str:
        return f"Accuracy_Categorical(binary={self.binary})"

    def compare(self, predictions: np.ndarray, y: np.ndarray) -> np.ndarray:
        if not self.binary and len(y.shape) == 2:
            y = np.argmax(y, axis=1)
        if np.shape(predictions) != np.shape(y):
            raise ValueError(
                f"{self!r}: predictions of shape {np.shape(predictions)} cannot be compared "
                f"with targets of shape {np.shape(y)}"
            )
        return predictions == y


class Accuracy_Regression(Accuracy):
    """A prediction counts as correct when it is within ``precision`` of the target.

    ``precision`` is ``std(y) / 250`` by default, set by ``init(y)`` (book chapter 17); pass
    ``precision=`` to choose it yourself.
    """

    def __init__(self, *, precision: float | None = None) -> None:
        self.precision = precision

    def __repr__(self) -> str:
        return f"Accuracy_Regression(precision={self.precision})"

    def init(self, y: np.ndarray, reinit: bool = False) -> None:
        if self.precision is None or reinit:
            self.precision = np.std(y) / 250

    def compare(self, predictions: np.ndarray, y: np.ndarray) -> np.ndarray:
        if self.precision is None:
            self.init(y)
        return np.absolute(predictions - y) < self.precision
