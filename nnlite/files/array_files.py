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
import zlib
from collections.abc import Callable, Mapping
from typing import Any, BinaryIO

import numpy as np
from numpy.lib import format as npy_format

from nnlite.files import random_state

ARRAY = "__array__"
SCALAR = "__scalar__"
GENERATOR = "__generator__"
MARKERS = (ARRAY, SCALAR, GENERATOR)
#: The deepest nesting a description may have (nnlite's own are under 10 levels deep)
MAX_DEPTH = 64


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
    if not os.path.isdir(directory):
        raise FileNotFoundError(
            f"cannot save {path!r}: the directory {directory!r} does not exist; create it "
            f"first (os.makedirs({directory!r}, exist_ok=True))"
        )
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
    arrays = read_members(path)
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


#: A file may declare at most this many bytes of arrays per byte of its own size, plus
#: :data:`SLACK`. nnlite writes uncompressed archives (about 1 byte per byte); 16 leaves room
#: for ``np.savez_compressed`` files while a 16 KB file can never ask for 74 GiB.
MAX_EXPANSION = 16
SLACK = 1 << 20
#: The dtypes an array entry may have: booleans, numbers and strings (never objects,
#: structured records or zero-width types)
ENTRY_KINDS = "biufcUS"


def read_members(path: str) -> dict[str, np.ndarray]:
    """Every ``.npy`` member of the archive at ``path``, each header read and checked first.

    The one place that reads an array from a file. Before any data is decompressed or any
    memory is set aside, the zip's directory and then each member's ``.npy`` header are
    checked: the sizes all members declare together must fit in ``MAX_EXPANSION`` times the
    file's size (plus ``SLACK``), and each header's shape and dtype must account for exactly
    the bytes the member holds. So a file can never make nnlite allocate much more than its
    own size, and never unpickles. Any problem is a ValueError naming the file and the entry.
    """
    budget = MAX_EXPANSION * os.path.getsize(path) + SLACK
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
            declared = sum(member.file_size for member in members)
            if declared > budget:
                raise ValueError(
                    f"{path!r} declares {declared} bytes of arrays, more than nnlite opens from "
                    f"a file of {os.path.getsize(path)} bytes ({MAX_EXPANSION} times its size "
                    f"plus {SLACK}); it is damaged or built to exhaust memory"
                )
            arrays: dict[str, np.ndarray] = {}
            for member in members:
                name = member.filename.removesuffix(".npy")
                if name == member.filename or name in arrays:
                    problem = "a duplicate" if name in arrays else "not an .npy array"
                    raise ValueError(f"{path!r}: entry {member.filename!r} is {problem}")
                with archive.open(member) as stream:
                    arrays[name] = _read_member(stream, member.file_size, path, name)
    except ValueError as error:
        if str(error).startswith(repr(path)):
            raise
        raise ValueError(f"{path!r} is damaged or truncated ({error}); save it again") from None
    except (
        OSError,
        EOFError,
        zipfile.BadZipFile,
        zlib.error,
        NotImplementedError,
        RuntimeError,
        OverflowError,
        SyntaxError,
    ) as error:
        raise ValueError(
            f"{path!r} is damaged or truncated ({type(error).__name__}: {error}); save it again"
        ) from None
    return arrays


def _read_member(stream: Any, size: int, path: str, name: str) -> np.ndarray:
    """One ``.npy`` member: its header, checked against ``size``, then exactly its data."""
    version = npy_format.read_magic(stream)
    read_header = {
        (1, 0): npy_format.read_array_header_1_0,
        (2, 0): npy_format.read_array_header_2_0,
    }.get(version)
    if read_header is None:  # 3.0 is for structured dtypes, which nnlite never writes
        raise ValueError(f"{path!r}: entry {name!r} has the .npy version {version}")
    try:
        shape, fortran_order, dtype = read_header(stream)
    except Exception as error:  # NumPy's parser of the header's text raises many kinds
        raise ValueError(
            f"{path!r}: entry {name!r} has a damaged .npy header ({type(error).__name__}: {error})"
        ) from None
    if dtype.hasobject:
        raise ValueError(
            f"{path!r} holds Python objects (pickled data) in entry {name!r}; nnlite never "
            f"unpickles, since opening a pickle can run any code it contains"
        )
    if dtype.kind not in ENTRY_KINDS or dtype.itemsize == 0 or dtype.fields is not None:
        raise ValueError(
            f"{path!r}: entry {name!r} has the dtype {dtype}, which nnlite never writes"
        )
    count = 1
    for length in shape:
        count *= length
    data_bytes = size - stream.tell()
    if count * dtype.itemsize != data_bytes:
        raise ValueError(
            f"{path!r}: entry {name!r} declares shape {shape} of {dtype} "
            f"({count * dtype.itemsize} bytes) but holds {data_bytes} bytes of data"
        )
    buffer = bytearray(data_bytes)
    if stream.readinto(buffer) != data_bytes:
        raise ValueError(f"{path!r}: entry {name!r} is truncated")
    array = np.frombuffer(buffer, dtype=dtype)
    return array.reshape(shape[::-1]).transpose() if fortran_order else array.reshape(shape)


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
    except RecursionError:
        raise ValueError(
            f"{path!r}: entry {entry!r} is nested deeper than Python can read; nnlite writes "
            f"at most {MAX_DEPTH} levels"
        ) from None
    if not isinstance(tree, dict):
        raise ValueError(f"{path!r}: entry {entry!r} should hold a JSON object")
    used: set[str] = set()

    def array_entry(name: object, where: str) -> np.ndarray:
        if not isinstance(name, str) or name not in arrays:
            raise ValueError(f"{path!r}: {where} refers to the entry {name!r}, which is missing")
        if name in used:
            # Two places sharing one array would alias (weights and a cache, say)
            raise ValueError(f"{path!r}: {where} refers to the entry {name!r} a second time")
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

    def decode(value: Any, where: str, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise ValueError(
                f"{path!r}: entry {entry!r} is nested more than {MAX_DEPTH} levels deep at "
                f"{where[:80]}...; nnlite never writes such a file"
            )
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
            return {key: decode(item, f"{where}.{key}", depth + 1) for key, item in value.items()}
        if isinstance(value, list):
            return [decode(item, f"{where}.{index}", depth + 1) for index, item in enumerate(value)]
        return value

    decoded = {key: decode(value, key) for key, value in tree.items()}
    unused = sorted(set(arrays) - used)
    if unused:
        raise ValueError(f"{path!r} has entries that entry {entry!r} does not mention: {unused}")
    return decoded
