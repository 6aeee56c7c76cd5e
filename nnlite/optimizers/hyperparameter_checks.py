"""Hyperparameter checks with PyTorch's messages (``Invalid learning rate: -1.0``).

Every optimizer's constructor checks its hyperparameters here, and the constructor is the one
place that decides what is valid: ``add_param_group``, ``param_groups[i][key] = value``,
``optimizer.beta_1 = 1.5`` and ``load_state_dict`` all check by building a throwaway optimizer
with the new values (``Optimizer._check_group_settings``).

A hyperparameter is a finite ``int`` or ``float`` (NumPy's included): not a bool, not a
``Fraction`` or ``Decimal`` (NumPy cannot compute with them in place), and never infinity or
NaN, which would turn every weight into NaN.
"""

from __future__ import annotations

import math

import numpy as np

REAL_TYPES = (int, float, np.integer, np.floating)


def _number(name: str, value: object) -> float:
    if isinstance(value, bool | np.bool_) or not isinstance(value, REAL_TYPES):
        raise TypeError(
            f"{name} must be a number (an int or a float), got {value!r:.60} "
            f"({type(value).__name__})"
        )
    if math.isinf(value):  # NaN is refused by each check's range, with PyTorch's message
        raise ValueError(f"Invalid {name} value: {value} (must be finite)")
    return value


def learning_rate(value: object, *, label: str = "learning_rate") -> None:
    if not _number(label, value) >= 0:
        what = "learning rate" if label == "learning_rate" else f"{label} value"
        raise ValueError(f"Invalid {what}: {value}")


def epsilon(value: object) -> None:
    if not _number("epsilon", value) >= 0:
        raise ValueError(f"Invalid epsilon value: {value}")


def non_negative(label: str, value: object) -> None:
    """``Invalid <label> value: v`` unless v >= 0 (weight_decay, momentum, lr_decay, ...)."""
    if not _number(label, value) >= 0:
        raise ValueError(f"Invalid {label} value: {value}")


def in_unit_interval(label: str, value: object, *, include_one: bool = False) -> None:
    """``Invalid <label> value: v`` unless 0 <= v < 1 (or <= 1 with ``include_one``)."""
    _number(label, value)
    if not (0 <= value <= 1 if include_one else 0 <= value < 1):
        raise ValueError(f"Invalid {label} value: {value}")


def beta(index: int, value: object) -> None:
    """``Invalid beta parameter at index i: v`` unless 0 <= v < 1."""
    _number(f"beta_{index + 1}", value)
    if not 0 <= value < 1:
        raise ValueError(f"Invalid beta parameter at index {index}: {value}")


def positive_or_none(label: str, value: object) -> None:
    """For clipping thresholds: ``None`` (off) or a number above 0."""
    if value is not None and not _number(label, value) > 0:
        raise ValueError(f"Invalid {label} value: {value} (must be above 0, or None for off)")
