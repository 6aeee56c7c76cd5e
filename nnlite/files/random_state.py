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
    if name not in BIT_GENERATORS:
        raise ValueError(
            f"{path!r}: {where} should be the state of one of NumPy's bit generators "
            f"{sorted(BIT_GENERATORS)}, found bit_generator {name!r}"
        )
    bit_generator = BIT_GENERATORS[name]()
    try:
        bit_generator.state = state
    except (TypeError, ValueError, KeyError) as error:
        raise ValueError(f"{path!r}: {where} is not a valid {name} state ({error})") from None
    return np.random.Generator(bit_generator)


def global_state() -> dict[str, Any]:
    """Where the global ``np.random`` stream stands."""
    return np.random.get_state(legacy=False)


def restore_global_state(state: object, path: str, where: str) -> None:
    """Move the global ``np.random`` stream to ``state`` (checked first)."""
    if not isinstance(state, dict) or state.get("bit_generator") != "MT19937":
        raise ValueError(
            f"{path!r}: {where} should be the state of the global np.random stream (MT19937), "
            f"found {state!r:.80}"
        )
    check = np.random.RandomState()
    try:
        check.set_state(state)
    except (TypeError, ValueError, KeyError) as error:
        raise ValueError(f"{path!r}: {where} is not a valid MT19937 state ({error})") from None
    np.random.set_state(state)
