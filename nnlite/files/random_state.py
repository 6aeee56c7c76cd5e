"""Random state: the position of a random stream, as plain data a checkpoint can hold.

Training draws random numbers for dropout masks and shuffling, either from the global
``np.random`` stream (the book's way) or from ``np.random.Generator`` objects. Resuming a run
to the same bits needs each stream to continue where it stopped, so a checkpoint saves:

* the global stream: ``np.random.get_state(legacy=False)``, a dict holding the Mersenne
  Twister's 624 keys, its position and a cached Gaussian;
* each generator: ``generator.bit_generator.state``, a dict such as
  ``{"bit_generator": "PCG64", "state": {"state": ..., "inc": ...}, ...}``.

Both are dicts of numbers, strings and arrays, so they are written without pickle. A generator
is rebuilt only from NumPy's own bit generators, chosen by name from :data:`BIT_GENERATORS`.

A state read from a file is checked completely by :func:`check_state` before NumPy sees it:
NumPy trusts a state it is given, and an MT19937 position of 700 or a Philox buffer position
of 9 makes the next draw read outside its arrays (a crash of Python, or worse). Every key,
every integer's range and every array's dtype and shape must be NumPy's own; anything else
is a ValueError naming the file and the place, and nothing is changed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

BIT_GENERATORS = {
    "PCG64": np.random.PCG64,
    "PCG64DXSM": np.random.PCG64DXSM,
    "MT19937": np.random.MT19937,
    "Philox": np.random.Philox,
    "SFC64": np.random.SFC64,
}


def generator_state(generator: np.random.Generator) -> dict[str, Any]:
    """Where ``generator`` stands: its bit generator's state (a copy)."""
    name = type(generator.bit_generator).__name__
    if name not in BIT_GENERATORS:
        raise TypeError(
            f"a np.random.Generator on {name} cannot be saved; nnlite saves generators on "
            f"{sorted(BIT_GENERATORS)}"
        )
    return generator.bit_generator.state


def rebuild_generator(state: object, path: str, where: str) -> np.random.Generator:
    """A new ``np.random.Generator`` standing where ``state`` says."""
    name = state.get("bit_generator") if isinstance(state, dict) else None
    if not isinstance(name, str) or name not in BIT_GENERATORS:
        raise ValueError(
            f"{path!r}: {where} should be the state of one of NumPy's bit generators "
            f"{sorted(BIT_GENERATORS)}, found bit_generator {name!r}"
        )
    check_state(state, path, where)
    bit_generator = BIT_GENERATORS[name]()
    try:
        bit_generator.state = state
    except (TypeError, ValueError, KeyError, OverflowError) as error:
        raise ValueError(f"{path!r}: {where} is not a valid {name} state ({error})") from None
    return np.random.Generator(bit_generator)


def global_state() -> dict[str, Any]:
    """Where the global ``np.random`` stream stands."""
    return np.random.get_state(legacy=False)


def restore_global_state(state: object, path: str, where: str) -> None:
    """Move the global ``np.random`` stream to ``state`` (checked first)."""
    check_global_state(state, path, where)
    np.random.set_state(state)


def check_global_state(state: object, path: str, where: str) -> None:
    """Raise a ValueError unless ``state`` is a valid state of the global stream."""
    if not isinstance(state, dict) or state.get("bit_generator") != "MT19937":
        raise ValueError(
            f"{path!r}: {where} should be the state of the global np.random stream (MT19937), "
            f"found {state!r:.80}"
        )
    check_state(state, path, where, global_stream=True)
    check = np.random.RandomState()
    try:
        check.set_state(state)
    except (TypeError, ValueError, KeyError, OverflowError) as error:
        raise ValueError(f"{path!r}: {where} is not a valid MT19937 state ({error})") from None


# ---------------------------------------------------------------------- checking a state

_UINT128 = 2**128
_UINT32 = 2**32
#: Per bit generator: the keys of ``state["state"]`` and what each must be: an integer range
#: ``(low, high)`` (high excluded) or an array ``(dtype, shape)``
_INNER = {
    "MT19937": {"key": (np.uint32, (624,)), "pos": (0, 625)},
    "PCG64": {"state": (0, _UINT128), "inc": (0, _UINT128)},
    "PCG64DXSM": {"state": (0, _UINT128), "inc": (0, _UINT128)},
    "Philox": {"counter": (np.uint64, (4,)), "key": (np.uint64, (2,))},
    "SFC64": {"state": (np.uint64, (4,))},
}
#: The keys beside ``bit_generator`` and ``state``, by bit generator
_BUFFERED = {"has_uint32": (0, 2), "uinteger": (0, _UINT32)}
_OUTER = {
    "MT19937": {},
    "PCG64": _BUFFERED,
    "PCG64DXSM": _BUFFERED,
    "Philox": {**_BUFFERED, "buffer": (np.uint64, (4,)), "buffer_pos": (0, 5)},
    "SFC64": _BUFFERED,
}


def check_state(state: object, path: str, where: str, *, global_stream: bool = False) -> None:
    """Raise a ValueError unless ``state`` is exactly a state NumPy itself could have made.

    The one place that decides whether a random state read from a file may reach NumPy:
    the bit generator's name, the exact keys, every integer in its range (MT19937's ``pos``
    in [0, 624], PCG64's state and increment in [0, 2¹²⁸), Philox's ``buffer_pos`` in
    [0, 4], ...) and every array's dtype and shape. ``global_stream``: the global
    ``np.random`` state, which adds ``has_gauss`` and ``gauss``.
    """

    def fail(what: str) -> ValueError:
        return ValueError(f"{path!r}: {where} is not a valid random state: {what}")

    if not isinstance(state, dict):
        raise fail(f"it should be a dict, found {type(state).__name__}")
    name = state.get("bit_generator")
    if not isinstance(name, str) or name not in _INNER:
        raise fail(f"bit_generator should be one of {sorted(_INNER)}, found {name!r:.60}")
    outer = dict(_OUTER[name])
    if global_stream:
        outer = {"has_gauss": (0, 2), "gauss": float}
    _check_keys(state, {"bit_generator", "state", *outer}, "", fail)
    inner = state["state"]
    if not isinstance(inner, dict):
        raise fail(f"state should be a dict, found {type(inner).__name__}")
    _check_keys(inner, set(_INNER[name]), "state.", fail)
    for key, rule in _INNER[name].items():
        _check_value(inner[key], rule, f"state.{key}", fail)
    for key, rule in outer.items():
        _check_value(state[key], rule, key, fail)


def _check_keys(mapping: dict, expected: set, prefix: str, fail: Any) -> None:
    if set(mapping) != expected:
        raise fail(
            f"its {prefix or 'top-level '}keys should be {sorted(expected)}, found "
            f"{sorted(map(str, mapping))!r:.120}"
        )


def _check_value(value: object, rule: object, key: str, fail: Any) -> None:
    if rule is float:
        if isinstance(value, bool) or not isinstance(value, float | int | np.floating):
            raise fail(f"{key} should be a number, found {value!r:.60}")
        if not np.isfinite(value):
            raise fail(f"{key} should be finite, found {value!r}")
        return
    low, high = rule
    if isinstance(low, type):  # an array: (dtype, shape)
        if not isinstance(value, np.ndarray) or value.dtype != low or value.shape != high:
            found = (
                f"dtype {value.dtype} and shape {value.shape}"
                if isinstance(value, np.ndarray)
                else f"{value!r:.60}"
            )
            raise fail(f"{key} should be a {np.dtype(low)} array of shape {high}, found {found}")
        return
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise fail(f"{key} should be a whole number, found {value!r:.60}")
    if not low <= int(value) < high:
        raise fail(f"{key} should be in [{low}, {high - 1}], found {value}")
