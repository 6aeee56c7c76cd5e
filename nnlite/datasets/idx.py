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

The header is read first, and the size it declares must stay under ``MAX_EXPANSION`` times
the file's size (plus ``SLACK``); then exactly that many bytes are decompressed. A small
gzip file that would unpack to gigabytes (a gzip bomb) is refused without unpacking it.
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
#: Bytes of numbers an IDX file may declare per byte of its own size (Fashion-MNIST's images
#: unpack to 1.8 times their gzipped size), plus ``SLACK``
MAX_EXPANSION = 64
SLACK = 1 << 20


def load_idx(path: str | os.PathLike) -> np.ndarray:
    """The array stored in the IDX file at ``path`` (gzipped or not), in native byte order.

    Raises ``ValueError`` naming the file if it is not an IDX file, if its gzip stream is
    damaged, or if it holds more or fewer numbers than its header announces (a truncated
    file).
    """
    shown = repr(os.fspath(path))
    limit = MAX_EXPANSION * os.path.getsize(path) + SLACK
    with open(path, "rb") as raw:
        gzipped = raw.read(2) == GZIP_MAGIC
    opener = gzip.open if gzipped else open
    try:
        with opener(path, "rb") as file:
            start = file.read(4)
            if len(start) < 4 or start[:2] != b"\x00\x00" or start[2] not in IDX_TYPES:
                raise ValueError(
                    f"{shown} is not an IDX file (it should start with two zero bytes and a type "
                    f"byte among {[hex(code) for code in IDX_TYPES]}; it starts with {start!r})"
                )
            dtype = IDX_TYPES[start[2]]
            dimensions = start[3]
            sizes = file.read(4 * dimensions)
            if len(sizes) < 4 * dimensions:
                raise ValueError(
                    f"{shown} is truncated: its header announces {dimensions} dimensions"
                )
            shape = struct.unpack(f">{dimensions}I", sizes)
            expected = dtype.itemsize
            for size in shape:
                expected *= size
            if expected > limit:
                raise ValueError(
                    f"{shown} declares shape {shape} of {dtype.name} ({expected:,} bytes), more "
                    f"than a file of {os.path.getsize(path):,} bytes may unpack to; refusing "
                    f"to read it (a gzip bomb?)"
                )
            # One byte more than declared tells a file longer than its header says
            data = file.read(expected + 1)
    except (OSError, EOFError, zlib.error) as error:
        raise ValueError(f"{shown} is a damaged gzip file ({error})") from None
    found = len(data)
    if found != expected:
        state = "truncated" if found < expected else "longer than its header says"
        shown_found = f"{found:,}" if found <= expected else f"more than {expected:,}"
        raise ValueError(
            f"{shown} is {state}: shape {shape} of {dtype.name} needs {expected:,} bytes of "
            f"data, the file has {shown_found}"
        )
    array = np.frombuffer(data, dtype=dtype).reshape(shape)
    # A writable copy in the machine's byte order
    return array.astype(dtype.newbyteorder("="))
