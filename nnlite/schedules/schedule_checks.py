"""Argument checks for the schedules, with PyTorch's messages where PyTorch has one.

Each check names the schedule and the argument, says what was expected and shows the value
received. A wrong *type* (a string for a number) raises ``TypeError``; a number out of range
raises ``ValueError``.
"""

from __future__ import annotations

import math
import numbers


def number(where: str, name: str, value: object) -> float:
    """Return ``value`` if it is a real number (not a bool), or raise ``TypeError``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{where}: {name} must be a number, got {value!r} ({type(value).__name__})")
    return value


def learning_rate(where: str, name: str, value: object) -> float:
    """A learning rate: a finite number >= 0 (``Invalid learning rate: -1.0``, as PyTorch)."""
    number(where, name, value)
    if not (value >= 0 and math.isfinite(value)):
        raise ValueError(f"Invalid learning rate: {value} ({where}: {name})")
    return value


def non_negative(where: str, name: str, value: object) -> float:
    """A finite number >= 0 (gamma, decay, eta_min, ...)."""
    number(where, name, value)
    if not (value >= 0 and math.isfinite(value)):
        raise ValueError(f"{where}: {name} must be a finite number >= 0, got {value}")
    return value


def whole(where: str, name: str, value: object, *, minimum: int) -> int:
    """A whole number (not a bool) at least ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(
            f"{where}: {name} must be a whole number, got {value!r} ({type(value).__name__})"
        )
    if value < minimum:
        expected = "a positive whole number" if minimum == 1 else f"a whole number >= {minimum}"
        raise ValueError(f"{where}: {name} must be {expected}, got {value}")
    return int(value)


def choice(where: str, name: str, value: object, options: tuple[str, ...]) -> str:
    """One of the strings in ``options``."""
    if value not in options:
        raise ValueError(f"{where}: {name} must be one of {list(options)}, got {value!r}")
    return value


def step(schedule: object, value: object) -> int:
    """The step a schedule is asked about: the number of updates already made, 0, 1, 2, ..."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
        raise ValueError(
            f"{type(schedule).__name__}: step must be the number of updates already made "
            f"(a whole number >= 0), got {value!r}"
        )
    return int(value)
