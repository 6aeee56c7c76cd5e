"""What a notebook prints, and whether a new run of it prints what was committed.

The notebook test re-runs every course notebook and compares, cell by cell, the text each
cell prints now with the text committed: its stdout and stderr streams and the ``text/plain``
of each result (for a figure, ``<Figure size 640x480 with 1 Axes>``: the figure is drawn
again, but its pixels are not compared). A lesson's numbers are compared exactly, as text,
so that a change to nnlite that alters them fails. There are three exceptions, each for
output that differs from run to run for reasons that are not the lesson's:

* **Progress bars are left out:** nnlite's text bar (``training 45/45 [======] 100% ...``)
  and tqdm's, which draws instead when tqdm is installed (a Jupyter widget, or a text line
  with ``it/s`` or ``s/it``). Which bar appears depends on what is installed, and tqdm's
  shows the speed of the machine.
* **In a line that gives a time** (``ran in 1.3 s``, ``12 ms per step``) every number is
  masked.
* **Rounding noise:** numbers written in e-notation whose size is below 1e-14 but not zero,
  such as the differences between nnlite and PyTorch in notebook 09, match any other such
  number. Their digits depend on the order in which each library sums (and so on its build
  and on the processor), not on the lesson. Zero (bit-for-bit equality, a lesson of its own
  in notebooks 05 and 08) and anything of 1e-14 or more are compared as every other number
  is, so a gradient that drifts from PyTorch's fails.
"""

from __future__ import annotations

import re

import nbformat

#: The widget tqdm draws in Jupyter.
WIDGET = "application/vnd.jupyter.widget-view+json"
#: nnlite's text progress bar (nnlite/progress.py) and tqdm's text bar.
PROGRESS_BAR = re.compile(r"\d+/\d+ \[[=>.]*\] +\d+%|[\d?]it/s|\ds/it")
#: A time: a number followed by a unit of seconds.
TIME = re.compile(r"\d\s?(?:s|ms|µs|us|sec|seconds)\b")
NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")
E_NOTATION = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)[eE][-+]?\d+")
#: Below this size a number in e-notation, unless it is zero, is float64 rounding noise.
ROUNDING_NOISE = 1e-14


def cell_texts(notebook: nbformat.NotebookNode) -> list[tuple[int, str]]:
    """``(cell index, text)`` for every code cell: what it prints, as a reader sees it."""
    texts = []
    for index, cell in enumerate(notebook.cells):
        if cell.cell_type != "code":
            continue
        parts = []
        for output in cell.outputs:
            if output.output_type == "stream":
                label = "" if output.name == "stdout" else f"[{output.name}] "
                parts += [label + line for line in _shown_lines(output.text)]
            elif output.output_type in ("execute_result", "display_data"):
                if WIDGET in output.data:
                    continue  # tqdm's progress bar
                parts += _shown_lines(output.data.get("text/plain", ""))
            elif output.output_type == "error":
                parts.append(f"[error] {output.ename}: {output.evalue}")
        texts.append((index, "\n".join(parts)))
    return texts


def _shown_lines(text: str) -> list[str]:
    """The lines as a terminal shows them: what follows a line's last carriage return."""
    return [line.rsplit("\r", 1)[-1].rstrip() for line in text.removesuffix("\n").split("\n")]


def normalized(text: str) -> str:
    """The text with the three exceptions applied (see the module's docstring)."""
    lines = []
    for line in text.split("\n"):
        if PROGRESS_BAR.search(line):
            continue
        if TIME.search(line):
            line = NUMBER.sub("#", line)
        else:
            line = E_NOTATION.sub(_noise_masked, line)
        lines.append(line)
    return "\n".join(lines)


def _noise_masked(match: re.Match) -> str:
    size = abs(float(match.group()))
    return "(rounding noise)" if 0 < size < ROUNDING_NOISE else match.group()


def mismatches(
    name: str, committed: nbformat.NotebookNode, executed: nbformat.NotebookNode
) -> list[str]:
    """One message per code cell whose new text differs from the committed text."""
    messages = []
    new_texts = dict(cell_texts(executed))
    for index, old_text in cell_texts(committed):
        new_text = new_texts[index]
        if normalized(old_text) != normalized(new_text):
            first_line = committed.cells[index].source.split("\n", 1)[0]
            count = committed.cells[index].execution_count
            messages.append(
                f"{name}, cell {index} (In [{count}]: {first_line})\n"
                f"--- committed:\n{old_text}\n--- re-run:\n{new_text}"
            )
    return messages
