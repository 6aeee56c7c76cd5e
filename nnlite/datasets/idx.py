"""load_idx: read an IDX file, the format of the original MNIST and Fashion-MNIST files.

An IDX file is a small header and then the numbers of one array, big-endian::

    bytes 0-1   zero
    byte  2     the type of the numbers (0x08 unsigned byte, 0x09 signed byte, 0x0B int16,
                0x0C int32, 0x0D float32, 0x0E float64)
    byte  3     the number of dimensions, d
    then        d sizes, each a big-endian unsigned 32-bit integer
    then        the numbers, row after row (C order)

``train-images-idx3-ubyte`` is ``(60000, 28, 28)`` unsigned bytes, ``train-labels-idx1-ubyte``
``(60000,)``. The files are usually distributed gzipped (``.gz``); ``load_idx`` reads both.
LeCun et al., "Gradient-based learning applied to document recognition" (1998) and
http://yann.lecun.com/exdb/mnist/ describe the format.
"""

from __future__ import annotations

import gzip
import os
import struct
import zlib

import numpy as np

#: The type byte -> the NumPy type of the numbers as stored (big-endian).
IDX_TYPES = {
    0x08: np.dtype("u1"),
    0x09: np.dtype("i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
GZIP_MAGIC = b"\x1f\x8b"


def load_idx(path: str | os.PathLike) -> np.ndarray:
    """The array stored in the IDX file at ``path`` (gzipped or not), in native byte order.

    Raises ``ValueError`` naming the file if it is not an IDX file, if its gzip stream is
    damaged, or if it holds more or fewer numbers than its header announces (a truncated
    file).
    """
    shown = repr(os.fspath(path))
    data = _read_bytes(path, shown)
    if len(data) < 4 or data[:2] != b"\x00\x00" or data[2] not in IDX_TYPES:
        raise ValueError(
            f"{shown} is not an IDX file (it should start with two zero bytes and a type byte "
            f"among {[hex(code) for code in IDX_TYPES]}; it starts with {data[:4]!r})"
        )
    dtype = IDX_TYPES[data[2]]
    dimensions = data[3]
    header = 4 + 4 * dimensions
    if len(data) < header:
        raise ValueError(f"{shown} is truncated: its header announces {dimensions} dimensions")
    shape = struct.unpack(f">{dimensions}I", data[4:header])
    expected = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    found = len(data) - header
    if found != expected:
        state = "truncated" if found < expected else "longer than its header says"
        raise ValueError(
            f"{shown} is {state}: shape {shape} of {dtype.name} needs {expected:,} bytes of "
            f"data, the file has {found:,}"
        )
    array = np.frombuffer(data, dtype=dtype, offset=header).reshape(shape)
    # A writable copy in the machine's byte order
    return array.astype(dtype.newbyteorder("="))


def _read_bytes(path: str | os.PathLike, shown: str) -> bytes:
    with open(path, "rb") as file:
        data = file.read()
    if not data.startswith(GZIP_MAGIC):
        return data
    try:
        return gzip.decompress(data)
    except (OSError, EOFError, zlib.error) as error:
        raise ValueError(f"{shown} is a damaged gzip file ({error})") from None
