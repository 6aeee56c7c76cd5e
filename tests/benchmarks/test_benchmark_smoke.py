"""The benchmark script runs end to end (``--quick``) and reports every implementation.

Only completion and the table's rows are checked: benchmarks are never timed tests, so no
assertion here depends on how fast anything ran. The script runs in a subprocess, as a user
runs it, and ``--quick`` never rewrites benchmarks/README.md.
"""

import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # runs the benchmarks in a subprocess

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "run.py"

TRAINING_ROWS = [
    "nnlite",
    "nnlite, fused=True with numba",  # numba is in the test extra
    "naive book-style NumPy",
    "torch Adam, default (for-loop on CPU)",
    "torch Adam, foreach=True",
    "torch Adam, fused=True",
    "floor: the products alone, np.dot",
    "floor: the products alone, torch.mm",
]
LENET_ROWS = ["nnlite", "torch, nn.Conv2d + SGD", "straightforward NumPy im2col"]
UPDATE_ROWS = [
    "nnlite, fused=True with numba",
    "torch Adam, fused=True",
    "torch SGD, default (for-loop on CPU)",
    "torch SGD, fused=True",
    "torch RMSprop, foreach=True",
    "memory copy: np.copyto of the weights (1 thread)",
    "memory copy: torch copy_ of the weights (all threads)",
    "floor: 7 array passes at the faster copy's bandwidth",
    "floor: 5 array passes at the faster copy's bandwidth",
]


def table_rows(section: str) -> list[str]:
    """The first cell of every row of the markdown tables in ``section``."""
    return [line.split("|")[1].strip() for line in section.splitlines() if line.startswith("| ")]


def test_quick_run_prints_every_implementation_in_every_table():
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    # Sections start with "### title"; the update tables of (c) are "#### Adam" inside one
    parts = re.split(r"^### ", result.stdout, flags=re.MULTILINE)[1:]
    sections = {part.split("\n", 1)[0]: part for part in parts}
    titles = list(sections)
    for prefix in ("(a) spiral", "(b) MLP", "(c) optimizer update", "(d) peak memory", "(e) LeNet"):
        assert any(title.startswith(prefix) for title in titles), (prefix, titles)

    for prefix in ("(a)", "(b)"):
        section = next(sections[title] for title in titles if title.startswith(prefix))
        assert table_rows(section)[1:] == TRAINING_ROWS, result.stdout
    updates = next(sections[title] for title in titles if title.startswith("(c)"))
    for row in UPDATE_ROWS:
        assert row in table_rows(updates), (row, updates)
    assert table_rows(updates).count("nnlite") == 3  # Adam, SGD with momentum, RMSprop
    assert table_rows(updates).count("nnlite, fused=True with numba") == 2  # Adam and SGD
    memory = next(sections[title] for title in titles if title.startswith("(d)"))
    assert table_rows(memory)[1:] == TRAINING_ROWS[:6], memory
    lenet = next(sections[title] for title in titles if title.startswith("(e) LeNet"))
    assert table_rows(lenet)[1:] == LENET_ROWS, lenet
    assert "Target of issue 11, nnlite ≤ 1.0 × PyTorch" in lenet
    assert "Targets of issue 6" in result.stdout
    assert "(c) Adam: nnlite fused ≤ torch foreach=True" in result.stdout
    assert "OPENBLAS_CORETYPE" in result.stdout
