"""Argument checks shared by every layer, loss and optimizer.

Each check raises an error that names *who* complained (``where``, e.g. ``"Layer_Dense(2, 64)"``),
the argument, what was expected and what was received, so a learner can fix the call without
reading nnlite's source. Checks never modify their arguments. ``where`` may be the layer
itself: its repr is then built only if an error is raised, not on every forward pass.
"""

from __future__ import annotations

import numbers

import numpy as np


def check_positive_int(where: object, name: str, value: object) -> int:
    """Return ``value`` as an int, or raise if it is not a whole number above zero."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{where}: {name} must be a positive whole number, got {value!r} "
            f"({type(value).__name__})"
        )
    if value <= 0:
        raise ValueError(f"{where}: {name} must be a positive whole number, got {value}")
    return int(value)


def check_non_negative(where: object, name: str, value: object) -> float:
    """Raise unless ``value`` is a finite real number >= 0 (regularizer strengths, rates)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{where}: {name} must be a number >= 0, got {value!r}")
    if not value >= 0:  # also rejects NaN
        raise ValueError(f"{where}: {name} must be >= 0, got {value}")
    if value == float("inf"):  # a penalty, scale or slope of infinity makes every number NaN
        raise ValueError(f"{where}: {name} must be finite, got {value}")
    return value


def check_bool(where: object, name: str, value: object) -> bool:
    """Return ``value`` as a bool, or raise if it is anything but ``True`` or ``False``.

    Strings, numbers and None are refused, not judged by truthiness: ``"no"`` and ``"false"``
    are true in Python, and ``trainable = 0`` would read as frozen in one place and not in
    another.
    """
    if not isinstance(value, bool | np.bool_):
        raise TypeError(
            f"{where}: {name} must be True or False, got {value!r:.60} ({type(value).__name__})"
        )
    return bool(value)


def check_floating_dtype(where: object, name: str, dtype: object) -> np.dtype:
    """Return ``np.dtype(dtype)``, or raise unless it is a real floating-point dtype.

    Weights of an integer dtype would round every update to zero, and complex ones would make
    every loss complex.
    """
    try:
        resolved = np.dtype(dtype)
    except TypeError:
        raise TypeError(f"{where}: {name} must be a NumPy dtype, got {dtype!r:.60}") from None
    if resolved.kind != "f":
        raise TypeError(
            f"{where}: {name} must be a floating-point dtype such as np.float32 or np.float64, "
            f"got {resolved}"
        )
    return resolved


def given_parameter(where: object, name: str, value: object, shape: tuple) -> np.ndarray:
    """A parameter given to a constructor instead of drawn (loading a file): a copy of
    ``value``, which must be a floating-point array of exactly ``shape``."""
    if not isinstance(value, np.ndarray):
        raise TypeError(f"{where}: {name} must be a NumPy array, got {type(value).__name__}")
    if value.shape != tuple(shape):
        raise ValueError(f"{where}: {name} must have shape {tuple(shape)}, got {value.shape}")
    check_floating_dtype(where, f"{name}.dtype", value.dtype)
    return np.array(value, copy=True)


def as_real_array(where: object, name: str, values: object) -> np.ndarray:
    """Return ``values`` as an array of real numbers (the same object if it is an ndarray),
    or raise naming what was received: lists become arrays, complex numbers, strings and
    Python objects are refused (a complex array would make every loss complex)."""
    array = values if isinstance(values, np.ndarray) else np.asarray(values)
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{where}: {name} must hold real numbers, got dtype {array.dtype}")
    return array


def as_2d_array(where: object, name: str, values: object, width: int | None = None) -> np.ndarray:
    """Return ``values`` as a 2-D array ``(n_samples, width)`` or raise with the shape received.

    An ndarray is returned as the same object (no copy), which the book's bit-exact code relies
    on; lists are converted with ``np.asarray``.
    """
    array = values if isinstance(values, np.ndarray) else np.asarray(values)
    if array.ndim != 2:
        hint = ""
        if array.ndim == 1:
            hint = (
                " A single sample needs to be a row: use x.reshape(1, -1); "
                "a single feature needs to be a column: use x.reshape(-1, 1)."
            )
        expected = f"(n_samples, {width})" if width is not None else "(n_samples, n_features)"
        raise ValueError(
            f"{where}: {name} must be a 2-D array of shape {expected}, "
            f"got a {array.ndim}-D array of shape {array.shape}.{hint}"
        )
    if width is not None and array.shape[1] != width:
        raise ValueError(
            f"{where}: {name} must have shape (n_samples, {width}), got shape {array.shape}. "
            f"The layer was built for {width} input features; check the previous layer's "
            f"number of neurons or the data's number of columns."
        )
    if array.dtype.kind not in "biuf":  # booleans, integers and real floats
        raise TypeError(f"{where}: {name} must hold real numbers, got dtype {array.dtype}")
    return array


def check_finite(where: object, name: str, values: np.ndarray) -> None:
    """Raise if ``values`` holds NaN or infinity, saying how many and where the first one is."""
    finite = np.isfinite(values)
    if not finite.all():
        bad = np.argwhere(~finite)
        first = tuple(int(i) for i in bad[0])
        raise ValueError(
            f"{where}: {name} contains {len(bad)} non-finite value(s) (NaN or inf); "
            f"the first is {values[first]} at index {first}"
        )


def check_same_shape(where: object, name: str, values: np.ndarray, expected: tuple) -> np.ndarray:
    """Raise unless ``values`` is an array of exactly ``expected`` shape (gradients, dvalues)."""
    array = values if isinstance(values, np.ndarray) else np.asarray(values)
    if array.shape != tuple(expected):
        raise ValueError(
            f"{where}: {name} must have the shape of this layer's output {tuple(expected)}, "
            f"got {array.shape}"
        )
    return array


def require_forward(where: object, obj: object, attribute: str = "inputs") -> None:
    """Raise if ``backward`` is called before ``forward`` stored what backward needs."""
    if getattr(obj, attribute, None) is None:
        raise RuntimeError(
            f"{where}: backward() was called before forward(); run forward(inputs) first so "
            f"the layer remembers its inputs"
        )
