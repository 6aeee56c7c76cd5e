"""Draw README.md's figure with nnlite's own command line.

    python docs/make_figures.py

README.md shows ``docs/compare_optimizers.png`` under the caption "`nnlite compare --epochs
1000`". This script runs exactly that command, through the same code as the ``nnlite``
console script (:func:`nnlite.cli.main`), into a temporary folder, and copies the figure the
command wrote (``loss_curves.png``) to ``docs/compare_optimizers.png``. So the figure is what
a reader who types the caption's command gets, and changing what the command draws changes the
figure the next time this script runs. ``tests/docs/test_make_figures.py`` checks that.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from nnlite import cli

DOCS = Path(__file__).resolve().parent
#: README's figure, and the command (after ``nnlite``) that its caption gives.
COMPARE_FIGURE = DOCS / "compare_optimizers.png"
COMPARE_COMMAND = ["compare", "--epochs", "1000"]
#: The file ``nnlite compare`` writes into its ``--output`` folder.
COMPARE_OUTPUT = "loss_curves.png"


def draw_compare_figure(
    destination: Path = COMPARE_FIGURE, command: list[str] = COMPARE_COMMAND
) -> Path:
    """Run ``nnlite COMMAND --output TEMPORARY`` and copy the figure it draws to ``destination``."""
    with tempfile.TemporaryDirectory() as folder:
        status = cli.main([*command, "--output", folder])
        if status != 0:
            raise RuntimeError(f"`nnlite {' '.join(command)}` failed with status {status}")
        shutil.copyfile(Path(folder) / COMPARE_OUTPUT, destination)
    return destination


def main() -> int:
    print(f"wrote {draw_compare_figure()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
