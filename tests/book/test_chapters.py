"""Book chapters 9, 14 and 15 run on nnlite print exactly what the book's classes print.

The golden files were printed by the book's own classes (see golden/README.md); the scripts
run in a subprocess because ``nnfs.init()`` patches numpy for the whole process.
"""

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # runs the book's scripts in subprocesses

HERE = Path(__file__).parent

CHAPTERS = [
    ("ch09_backward_pass.py", [], "ch09_backward_pass.txt"),
    ("ch14_15_regularization.py", ["14", "10001"], "ch14_regularization_10001.txt"),
    ("ch14_15_regularization.py", ["15", "2001"], "ch15_dropout_2001.txt"),
]


@pytest.mark.parametrize(("script", "arguments", "golden"), CHAPTERS)
def test_chapter_prints_what_the_books_classes_print(script, arguments, golden):
    result = subprocess.run(
        [sys.executable, str(HERE / "scripts" / script), *arguments],
        capture_output=True,
        text=True,
        check=True,
    )
    expected = (HERE / "golden" / golden).read_text().splitlines()
    printed = result.stdout.splitlines()
    for number, (ours, book) in enumerate(zip(printed, expected, strict=False), start=1):
        assert ours == book, f"line {number} differs:\n nnlite: {ours}\n book:   {book}"
    assert len(printed) == len(expected)
