"""Chapter 10 of the book, run on nnlite under nnfs.init(), prints the book's numbers.

The expected lines were printed by the book's own classes (Sentdex/nnfs_book) in this
environment (CPython 3.11, numpy 1.26-2.4, x86-64), as recorded in the project's reference
``shared/reference/nnfs_book_api.md`` section 6. The script runs in a subprocess because
``nnfs.init()`` patches numpy for the whole process.
"""

import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # runs the book's scripts in subprocesses

SCRIPT = Path(__file__).parent / "scripts" / "ch10_training.py"

BOOK_FINAL_LINES = [
    (
        "Optimizer_SGD(decay=1e-3, momentum=0.9)",
        "epoch: 10000, acc: 0.957, loss: 0.121, lr: 0.09091735612328393",
    ),
    (
        "Optimizer_Adagrad(decay=1e-4)",
        "epoch: 10000, acc: 0.840, loss: 0.385, lr: 0.5000250012500626",
    ),
    (
        "Optimizer_RMSprop(learning_rate=0.02, decay=1e-5, rho=0.999)",
        "epoch: 10000, acc: 0.900, loss: 0.238, lr: 0.018181983472577025",
    ),
    (
        "Optimizer_Adam(learning_rate=0.05, decay=5e-7)",
        "epoch: 10000, acc: 0.967, loss: 0.074, lr: 0.04975126853296942",
    ),
]


@pytest.mark.parametrize(("optimizer", "final_line"), BOOK_FINAL_LINES)
def test_chapter10_final_line_matches_the_book(optimizer, final_line):
    result = subprocess.run(
        [sys.executable, str(SCRIPT), optimizer], capture_output=True, text=True, check=True
    )
    lines = result.stdout.splitlines()
    assert len(lines) == 101
    assert lines[0].startswith("epoch: 0, acc: ")
    assert lines[-1] == final_line
