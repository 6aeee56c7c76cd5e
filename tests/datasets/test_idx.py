"""load_idx reads every IDX type, gzipped or not, and names what is wrong with a bad file."""

import gzip

import numpy as np
import pytest

from nnlite.datasets import load_idx

# The type codes of the IDX format (LeCun's MNIST page) and a native dtype for each
TYPES = [(0x08, np.uint8), (0x09, np.int8), (0x0B, np.int16), (0x0C, np.int32)]
TYPES += [(0x0D, np.float32), (0x0E, np.float64)]


@pytest.mark.parametrize("type_code, dtype", TYPES, ids=[f"0x{code:02X}" for code, _ in TYPES])
@pytest.mark.parametrize("compressed", [False, True], ids=["plain", "gzip"])
def test_every_type_reads_back(tmp_path, builders, type_code, dtype, compressed):
    rng = np.random.default_rng(type_code)
    array = (rng.standard_normal((3, 4, 5)) * 100).astype(dtype)
    data = builders.idx_bytes(array, type_code)
    path = tmp_path / "array.idx"
    path.write_bytes(gzip.compress(data) if compressed else data)
    loaded = load_idx(path)
    np.testing.assert_array_equal(loaded, array)
    assert loaded.dtype == np.dtype(dtype) and loaded.dtype.isnative
    assert loaded.flags.writeable


def test_one_and_four_dimensions(tmp_path, builders):
    labels = np.arange(10, dtype=np.uint8)
    (tmp_path / "labels").write_bytes(builders.idx_bytes(labels, 0x08))
    np.testing.assert_array_equal(load_idx(tmp_path / "labels"), labels)
    cube = np.arange(2 * 3 * 1 * 2, dtype=np.int32).reshape(2, 3, 1, 2)
    (tmp_path / "cube").write_bytes(builders.idx_bytes(cube, 0x0C))
    np.testing.assert_array_equal(load_idx(tmp_path / "cube"), cube)


def test_the_header_as_the_format_describes_it(tmp_path):
    # Written byte by byte: 0, 0, type 0x08, 2 dimensions, sizes 2 and 3, then 6 bytes
    data = bytes([0, 0, 0x08, 2, 0, 0, 0, 2, 0, 0, 0, 3, 1, 2, 3, 4, 5, 6])
    (tmp_path / "a").write_bytes(data)
    np.testing.assert_array_equal(load_idx(tmp_path / "a"), [[1, 2, 3], [4, 5, 6]])


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "is not an IDX file"),
        (b"PK\x03\x04rest", "is not an IDX file"),
        (bytes([0, 0, 0x07, 1, 0, 0, 0, 1, 9]), "is not an IDX file"),
        (bytes([0, 0, 0x08, 2, 0, 0, 0, 2]), "truncated: its header announces 2 dimensions"),
        (bytes([0, 0, 0x08, 1, 0, 0, 0, 4, 1, 2]), r"truncated: shape \(4,\) of uint8 needs 4"),
        (bytes([0, 0, 0x08, 1, 0, 0, 0, 1, 1, 2]), "longer than its header says"),
        (gzip.compress(bytes([0, 0, 0x08, 1, 0, 0, 0, 1, 7]))[:-5], "damaged gzip file"),
    ],
)
def test_bad_files_are_named_and_explained(tmp_path, content, message):
    path = tmp_path / "bad.idx"
    path.write_bytes(content)
    with pytest.raises(ValueError, match=message) as raised:
        load_idx(path)
    assert "bad.idx" in str(raised.value)
