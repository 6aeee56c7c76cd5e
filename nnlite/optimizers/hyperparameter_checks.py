"""Hyperparameter checks with PyTorch's messages (``Invalid learning rate: -1.0``)."""

from __future__ import annotations

import numbers


def _number(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r} ({type(value).__name__})")
    return value


def learning_rate(value: object) -> None:
    if not _number("learning_rate", value) >= 0:
        raise ValueError(f"Invalid learning rate: {value}")


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
