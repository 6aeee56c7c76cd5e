"""Checks of the arguments of ``Model.train``, ``evaluate`` and ``predict``.

Each raises an error naming the method and the argument, with the value received.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np

from nnlite.training.callback import Callback

PRINT_STYLES = ("auto", "chapter18", "chapter19")
VERBOSITY = (0, 1, 2)


def check_count(where: str, name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"{where}: {name} must be a whole number >= 1, got {value!r}")
    return int(value)


def check_initial_epoch(initial_epoch: object, epochs: int) -> int:
    if (
        isinstance(initial_epoch, bool)
        or not isinstance(initial_epoch, numbers.Integral)
        or not 0 <= initial_epoch <= epochs
    ):
        raise ValueError(
            f"Model.train: initial_epoch is the number of epochs already trained, a whole number "
            f"from 0 to epochs ({epochs}), got {initial_epoch!r}"
        )
    return int(initial_epoch)


def count_steps(where: str, samples: int, batch_size: int | None) -> int:
    """Steps per pass: 1 without batches, else ceil(samples / batch_size) as the book counts."""
    if samples == 0:
        raise ValueError(f"{where}: the data has no samples")
    if batch_size is None:
        return 1
    batch_size = check_count(where, "batch_size", batch_size)
    steps = samples // batch_size
    # A last, smaller batch takes the remaining samples
    if steps * batch_size < samples:
        steps += 1
    return steps


def check_data(where: str, X: object, y: object) -> tuple[np.ndarray, np.ndarray]:
    X = X if isinstance(X, np.ndarray) else np.asarray(X)
    y = y if isinstance(y, np.ndarray) else np.asarray(y)
    if X.ndim == 0 or y.ndim == 0 or len(X) != len(y):
        raise ValueError(
            f"{where}: X and y must hold the same number of samples, got X of shape {X.shape} "
            f"and y of shape {y.shape}"
        )
    return X, y


def check_validation_data(validation_data: object) -> tuple[np.ndarray, np.ndarray]:
    if not isinstance(validation_data, tuple | list) or len(validation_data) != 2:
        raise TypeError(
            f"Model.train: validation_data must be a pair (X_val, y_val), got "
            f"{type(validation_data).__name__}"
        )
    return check_data("Model.train (validation_data)", *validation_data)


def resolve_style(print_style: str, batch_size: int | None) -> str:
    if print_style not in PRINT_STYLES:
        raise ValueError(
            f"Model.train: print_style must be one of {PRINT_STYLES}, got {print_style!r}"
        )
    if print_style == "auto":
        return "chapter18" if batch_size is None else "chapter19"
    return print_style


def check_verbose(where: str, verbose: object) -> None:
    if isinstance(verbose, bool) or verbose not in VERBOSITY:
        raise ValueError(
            f"{where}: verbose must be 0 (silent), 1 (the book's lines) or 2 (a progress bar), "
            f"got {verbose!r}"
        )


def check_callbacks(callbacks: Sequence[Callback]) -> list[Callback]:
    callbacks = list(callbacks)
    for callback in callbacks:
        if not isinstance(callback, Callback):
            shown = (
                callback.__name__ + " (a class)" if isinstance(callback, type) else repr(callback)
            )
            raise TypeError(
                f"Model.train: callbacks must be Callback objects such as "
                f"Callback_EarlyStopping(), got {shown}"
            )
    return callbacks
