"""Array files: NumPy ``.npz`` archives that are safe to open and never half-written.

Every file nnlite writes (parameters, models, checkpoints) is an ``.npz`` archive, a zip of
``.npy`` arrays, and is read with ``allow_pickle=False``: opening one can never run code. Two
entries say what the file is: ``nnlite_format`` (a string such as ``"nnlite-model"``) and
``nnlite_version`` (a whole number).

Structure and settings travel as JSON in a string entry. JSON has no arrays, so :func:`pack`
stores each NumPy array in an entry of its own, named after its place in the JSON, and writes
a reference in its place::

    {"weights": {"__array__": "model.layers.0.parameters.weights"}}   # an ndarray
    {"precision": {"__scalar__": "model.accuracy.arguments.precision"}} # a NumPy scalar
    {"rng": {"__generator__": 0}}   # a np.random.Generator: its state is generators[0]

so that dtypes and every bit survive. :func:`unpack` reverses this and checks each reference.

Writing goes to a temporary file in the destination's directory, flushed to disk and then
renamed over the destination (``os.replace``, atomic): a reader, or a crash, sees the old file
or the new one, never a part of one.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import tempfile
import zipfile
from collections.abc import Callable, Mapping
from typing import Any, BinaryIO

import numpy as np

from nnlite.files import random_state

ARRAY = "__array__"
SCALAR = "__scalar__"
GENERATOR = "__generator__"
MARKERS = (ARRAY, SCALAR, GENERATOR)


def looks_like_pickle(path: str) -> bool:
    """True if the file starts as a pickle (protocol 2 or later) does: ``0x80``, protocol."""
    with open(path, "rb") as file:
        start = file.read(2)
    return len(start) == 2 and start[0] == 0x80 and 2 <= start[1] <= 5


# ---------------------------------------------------------------------- writing


def write_atomically(path: str | os.PathLike, arrays: Mapping[str, np.ndarray]) -> None:
    """Write ``arrays`` as an .npz file: to a temporary file beside ``path``, then rename it."""
    replace_atomically(path, lambda file: np.savez(file, allow_pickle=False, **arrays))


def replace_atomically(path: str | os.PathLike, write: Callable[[BinaryIO], object]) -> None:
    """Call ``write(file)`` on a temporary file beside ``path``, then rename it to ``path``.

    Any file format: ``write`` gets the open binary file. If ``write`` raises (or the
    process is interrupted), the temporary file is removed and ``path`` is left as it was.
    """
    path = os.fspath(path)
    directory = os.path.dirname(os.path.abspath(path))
    mode = stat.S_IMODE(os.stat(path).st_mode) if os.path.exists(path) else 0o644
    descriptor, temporary = tempfile.mkstemp(dir=directory, prefix=".nnlite-", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as file:
            write(file)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temporary, mode)
        # The rename is atomic: readers see the old file or the new one, never a partial one
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    _sync_directory(directory)


def _sync_directory(directory: str) -> None:
    """Flush the rename itself to disk (POSIX); a no-op where directories cannot be opened."""
    with contextlib.suppress(OSError, AttributeError):
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)


# ---------------------------------------------------------------------- reading


def read_arrays(
    path: str | os.PathLike,
    *,
    formats: Mapping[str, int],
    reader: str,
    if_pickle: str,
    if_other_format: Callable[[str], str | None] = lambda found: None,
) -> tuple[str, dict[str, np.ndarray]]:
    """The format and the arrays of an nnlite file, refusing pickles and anything else.

    ``formats`` maps the formats ``reader`` accepts to the version it reads; ``if_pickle``
    is appended to the message for a pickle (how to open it anyway, if there is a way);
    ``if_other_format(found)`` gives advice for an nnlite file of another format.
    Returns ``(format, arrays)`` without the two marker entries.
    """
    path = os.fspath(path)
    accepted = " or ".join(repr(name) for name in formats)
    how = f"{reader} reads {accepted} files"
    with open(path, "rb") as file:
        start = file.read(6)
    if looks_like_pickle(path):
        raise ValueError(
            f"{path!r} is a pickle (the format of the book's save and save_parameters), not an "
            f"nnlite file; nnlite never unpickles on its own, since opening a pickle can run any "
            f"code it contains. {if_pickle}"
        )
    if start.startswith(b"\x93NUMPY"):
        raise ValueError(f"{path!r} is a single NumPy array (.npy), not an nnlite file; {how}")
    if not start.startswith(b"PK"):
        raise ValueError(f"{path!r} is not an nnlite file (not a NumPy .npz archive); {how}")
    try:
        with np.load(path, allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
    except ValueError as error:
        if "allow_pickle" in str(error):
            raise ValueError(
                f"{path!r} holds Python objects (pickled data); nnlite never unpickles, since "
                f"opening a pickle can run any code it contains"
            ) from None
        raise ValueError(f"{path!r} is damaged or truncated ({error}); save it again") from None
    except (OSError, EOFError, zipfile.BadZipFile) as error:
        raise ValueError(
            f"{path!r} is damaged or truncated ({type(error).__name__}: {error}); save it again"
        ) from None

    marker = arrays.pop("nnlite_format", None)
    if marker is None or marker.shape != () or marker.dtype.kind != "U":
        raise ValueError(
            f"{path!r} is a NumPy .npz archive but not an nnlite file (it has no "
            f"'nnlite_format' entry; its entries are {sorted(arrays)}); {how}"
        )
    found = str(marker)
    if found not in formats:
        advice = if_other_format(found) or ""
        raise ValueError(
            f"{path!r}: entry 'nnlite_format' is {found!r}, but {how}. {advice}".rstrip()
        )
    version = arrays.pop("nnlite_version", None)
    expected = formats[found]
    if version is None or version.shape != () or version.dtype.kind not in "iu":
        raise ValueError(
            f"{path!r}: entry 'nnlite_version' should be the whole number {expected}, "
            f"found {version!r}"
        )
    if int(version) != expected:
        raise ValueError(
            f"{path!r}: entry 'nnlite_version' is {int(version)}, but this nnlite reads "
            f"version {expected} of {found!r} files"
        )
    return found, arrays


# ---------------------------------------------------------------------- JSON with arrays


def pack(tree: Mapping[str, Any]) -> tuple[str, dict[str, np.ndarray]]:
    """``tree`` as a JSON string plus the arrays it refers to (see the module docstring).

    Values may be None, bools, numbers, strings, lists, tuples (written as lists), dicts with
    string keys, NumPy arrays and scalars, and ``np.random.Generator`` objects; one generator
    used in two places is stored once and comes back as one object.
    """
    arrays: dict[str, np.ndarray] = {}
    generators: list[np.random.Generator] = []

    def store(array: np.ndarray, where: str) -> str:
        name = where
        suffix = 2
        while name in arrays:
            name = f"{where}#{suffix}"
            suffix += 1
        arrays[name] = array
        return name

    def encode(value: Any, where: str) -> Any:
        if isinstance(value, np.ndarray):
            if value.dtype.hasobject:
                raise TypeError(
                    f"{where} holds Python objects (dtype object); only numeric arrays can be "
                    f"written without pickle"
                )
            return {ARRAY: store(value, where)}
        if isinstance(value, np.generic):
            return {SCALAR: store(np.asarray(value), where)}
        if isinstance(value, np.random.Generator):
            index = next((i for i, g in enumerate(generators) if g is value), None)
            if index is None:
                generators.append(value)
                index = len(generators) - 1
            return {GENERATOR: index}
        if value is None or isinstance(value, bool | str):
            return value
        if isinstance(value, int):
            return int(value)
        if isinstance(value, float):
            return float(value)
        if isinstance(value, Mapping):
            encoded = {}
            for key, item in value.items():
                if not isinstance(key, str):
                    raise TypeError(f"{where} has the key {key!r}; keys must be strings")
                if key in MARKERS:
                    raise TypeError(f"{where} uses the reserved key {key!r}")
                encoded[key] = encode(item, f"{where}.{key}")
            return encoded
        if isinstance(value, list | tuple):
            return [encode(item, f"{where}.{index}") for index, item in enumerate(value)]
        raise TypeError(
            f"{where} is a {type(value).__name__} ({value!r}), which cannot be written without "
            f"pickle; use numbers, strings, lists, dicts and NumPy arrays"
        )

    encoded = {key: encode(value, key) for key, value in tree.items()}
    encoded["generators"] = [
        encode(random_state.generator_state(generator), f"generators.{index}")
        for index, generator in enumerate(generators)
    ]
    return json.dumps(encoded, allow_nan=True), arrays


def unpack(text: str, arrays: dict[str, np.ndarray], *, path: str, entry: str) -> dict[str, Any]:
    """The tree :func:`pack` wrote, with arrays, scalars and generators in place.

    Every reference must name an entry of the right kind, and every array entry must be
    referred to; anything else raises a ValueError naming ``path`` and the place in the JSON.
    """
    try:
        tree = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValueError(f"{path!r}: entry {entry!r} is not valid JSON ({error})") from None
    if not isinstance(tree, dict):
        raise ValueError(f"{path!r}: entry {entry!r} should hold a JSON object")
    used: set[str] = set()

    def array_entry(name: object, where: str) -> np.ndarray:
        if not isinstance(name, str) or name not in arrays:
            raise ValueError(f"{path!r}: {where} refers to the entry {name!r}, which is missing")
        used.add(name)
        return arrays[name]

    generator_states = tree.pop("generators", [])
    if not isinstance(generator_states, list):
        raise ValueError(f"{path!r}: 'generators' in entry {entry!r} should be a list")
    generators: dict[int, np.random.Generator] = {}

    def generator(index: object, where: str) -> np.random.Generator:
        if isinstance(index, bool) or not isinstance(index, int):
            raise ValueError(f"{path!r}: {where} should be a generator number, found {index!r}")
        if not 0 <= index < len(generator_states):
            raise ValueError(
                f"{path!r}: {where} refers to generator {index}, but the file has "
                f"{len(generator_states)}"
            )
        if index not in generators:
            state = decode(generator_states[index], f"generators.{index}")
            generators[index] = random_state.rebuild_generator(state, path, f"generators.{index}")
        return generators[index]

    def decode(value: Any, where: str) -> Any:
        if isinstance(value, dict):
            if len(value) == 1 and ARRAY in value:
                return array_entry(value[ARRAY], where)
            if len(value) == 1 and SCALAR in value:
                scalar = array_entry(value[SCALAR], where)
                if scalar.shape != ():
                    raise ValueError(
                        f"{path!r}: {where} should be a single number, found an array of shape "
                        f"{scalar.shape}"
                    )
                return scalar[()]
            if len(value) == 1 and GENERATOR in value:
                return generator(value[GENERATOR], where)
            return {key: decode(item, f"{where}.{key}") for key, item in value.items()}
        if isinstance(value, list):
            return [decode(item, f"{where}.{index}") for index, item in enumerate(value)]
        return value

    decoded = {key: decode(value, key) for key, value in tree.items()}
    unused = sorted(set(arrays) - used)
    if unused:
        raise ValueError(f"{path!r} has entries that entry {entry!r} does not mention: {unused}")
    return decoded
