"""Checks on predictions and targets shared by the losses."""

from __future__ import annotations

import numpy as np

from nnlite.validation import check_same_shape


def check_predictions(where: object, y_pred: np.ndarray) -> np.ndarray:
    """Raise unless the predictions are a 2-D array ``(n_samples, n_outputs)``."""
    if not isinstance(y_pred, np.ndarray) or y_pred.ndim != 2:
        raise ValueError(
            f"{where}: predictions must be a 2-D array (n_samples, n_outputs), got "
            f"{_describe(y_pred)}"
        )
    return y_pred


def check_sample_predictions(where: object, y_pred: np.ndarray) -> np.ndarray:
    """Raise unless the predictions are an array ``(n_samples, ...)`` of 2 or more dimensions:
    ``(n_samples, n_outputs)``, or an image per sample ``(n_samples, channels, height, width)``.
    """
    if not isinstance(y_pred, np.ndarray) or y_pred.ndim < 2:
        hint = ""
        if isinstance(y_pred, np.ndarray) and y_pred.ndim == 1:
            hint = "; for one output per sample, use a column: y_pred.reshape(-1, 1)"
        raise ValueError(
            f"{where}: predictions must be a 2-D array (n_samples, n_outputs) or an array of "
            f"more dimensions (n_samples, ...), got {_describe(y_pred)}{hint}"
        )
    return y_pred


def check_class_labels(where: object, y_pred: np.ndarray, y_true: np.ndarray) -> np.ndarray:
    """Raise unless ``y_true`` holds class indices (1-D) or one-hot rows (2-D) for ``y_pred``.

    Class indices must be whole numbers in ``[0, n_classes)``, one per sample.
    """
    check_predictions(where, y_pred)
    y_true = y_true if isinstance(y_true, np.ndarray) else np.asarray(y_true)
    samples, classes = y_pred.shape
    if y_true.ndim == 1:
        if y_true.dtype.kind not in "iu":  # signed or unsigned integers
            raise TypeError(
                f"{where}: class labels must be integers, got dtype {y_true.dtype}; "
                f"use y.astype(int) if they are whole numbers stored as floats"
            )
        if len(y_true) != samples:
            raise ValueError(
                f"{where}: got {samples} predictions but {len(y_true)} labels "
                f"(y_true shape {y_true.shape})"
            )
        if samples and (y_true.min() < 0 or y_true.max() >= classes):
            raise ValueError(
                f"{where}: class labels must be in [0, {classes}) for {classes} outputs, got "
                f"labels from {y_true.min()} to {y_true.max()}"
            )
    elif y_true.ndim == 2:
        check_same_shape(where, "one-hot y_true", y_true, y_pred.shape)
    else:
        raise ValueError(
            f"{where}: y_true must be class indices (shape ({samples},)) or one-hot rows "
            f"(shape {y_pred.shape}), got shape {y_true.shape}"
        )
    return y_true


def check_targets(where: object, y_pred: np.ndarray, y_true: np.ndarray) -> np.ndarray:
    """Raise unless ``y_true`` has exactly the predictions' shape (binary and regression losses),
    ``(n_samples, ...)`` with 2 or more dimensions.

    A 1-D ``y_true`` against ``(n, 1)`` predictions would broadcast to an ``(n, n)`` matrix and
    give a wrong loss without any error, so it is refused with the fix.
    """
    check_sample_predictions(where, y_pred)
    y_true = y_true if isinstance(y_true, np.ndarray) else np.asarray(y_true)
    if y_true.shape != y_pred.shape:
        hint = ""
        if y_true.ndim == 1 and y_pred.shape == (len(y_true), 1):
            hint = "; reshape the targets with y.reshape(-1, 1)"
        raise ValueError(
            f"{where}: y_true must have the predictions' shape {y_pred.shape}, "
            f"got {y_true.shape}{hint}"
        )
    return y_true


def _describe(values: object) -> str:
    if isinstance(values, np.ndarray):
        return f"a {values.ndim}-D array of shape {values.shape}"
    return f"{type(values).__name__}"
