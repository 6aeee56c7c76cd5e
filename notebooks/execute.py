"""Run the course notebooks top to bottom in a real Jupyter kernel.

    python notebooks/execute.py              # run every notebook and save it with its outputs
    python notebooks/execute.py 03_*.ipynb   # only some

The notebooks are committed with their outputs, so that a learner browsing the repository
sees every plot. Each saved notebook carries, in its metadata, a digest of its code cells
(``nnlite.source_digest``). The tests execute every notebook afresh and check that the digest
matches the code, so committed outputs always come from the committed code: after editing a
notebook, run this script and commit the result.
"""

from __future__ import annotations

import hashlib
import os
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
CELL_TIMEOUT_SECONDS = 120
#: The kernel's BLAS uses one thread: the notebooks' matrices are small, and on a busy
#: two-core machine threaded BLAS made their products about twelve times slower.
KERNEL_ENVIRONMENT = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}


def notebooks(patterns: list[str] | None = None) -> list[Path]:
    """The course notebooks, in order (their names start with their number)."""
    patterns = patterns or ["[0-9][0-9]_*.ipynb"]
    return sorted({path for pattern in patterns for path in HERE.glob(pattern)})


def source_digest(notebook: nbformat.NotebookNode) -> str:
    """SHA-256 of the code cells' sources, in order."""
    digest = hashlib.sha256()
    for cell in notebook.cells:
        if cell.cell_type == "code":
            digest.update(cell.source.encode())
            digest.update(b"\0")
    return digest.hexdigest()


def execute(path: Path) -> nbformat.NotebookNode:
    """Run a notebook in a fresh kernel, from its own folder; raises on the first error."""
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=CELL_TIMEOUT_SECONDS,
        kernel_name="python3",
        coalesce_streams=True,
        resources={"metadata": {"path": str(path.parent)}},
    )
    # The kernel imports the nnlite of this repository, whichever nnlite is installed
    python_path = os.pathsep.join(filter(None, [str(HERE.parent), os.environ.get("PYTHONPATH")]))
    client.execute(env={**os.environ, **KERNEL_ENVIRONMENT, "PYTHONPATH": python_path})
    notebook.metadata["nnlite"] = {"source_digest": source_digest(notebook)}
    return notebook


def main(arguments: list[str]) -> int:
    for path in notebooks(arguments):
        started = time.perf_counter()
        notebook = execute(path)
        nbformat.write(notebook, path)
        print(f"{path.name}: ran in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
