"""Atomic writes: a file is the old one or the complete new one, never a part."""

import os

import pytest

from nnlite.files.array_files import replace_atomically


def test_replace_atomically_writes_any_format(tmp_path):
    path = tmp_path / "notes.txt"
    replace_atomically(path, lambda file: file.write(b"first"))
    replace_atomically(path, lambda file: file.write(b"second"))
    assert path.read_bytes() == b"second"
    assert os.listdir(tmp_path) == ["notes.txt"]


def test_an_interrupted_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_bytes(b"old")

    def interrupted(file):
        file.write(b"half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        replace_atomically(path, interrupted)
    assert path.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["notes.txt"]
