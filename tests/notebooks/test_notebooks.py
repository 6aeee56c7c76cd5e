"""Every course notebook runs top to bottom in a real kernel, its committed outputs come from
its committed code (see notebooks/execute.py), and it prints again what was committed
(compared as tests/notebooks/printed_text.py explains)."""

import importlib.util
from pathlib import Path

import nbformat
import pytest

from tests.notebooks.printed_text import mismatches

pytestmark = pytest.mark.slow  # about two minutes: every notebook runs in a fresh kernel

RUNNER_PATH = Path(__file__).parents[2] / "notebooks" / "execute.py"
spec = importlib.util.spec_from_file_location("notebook_runner", RUNNER_PATH)
runner = importlib.util.module_from_spec(spec)
spec.loader.exec_module(runner)

NOTEBOOKS = runner.notebooks()


def test_the_course_has_its_notebooks():
    assert len(NOTEBOOKS) >= 1


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.name)
def test_notebook_runs_and_its_saved_outputs_match_its_code(path):
    committed = nbformat.read(path, as_version=4)
    stamp = committed.metadata.get("nnlite", {}).get("source_digest")
    assert stamp == runner.source_digest(committed), (
        f"{path.name}: the saved outputs were not produced by the current code; "
        f"run `python notebooks/execute.py {path.name}` and commit the notebook"
    )
    code_cells = [cell for cell in committed.cells if cell.cell_type == "code"]
    assert [cell.execution_count for cell in code_cells] == list(range(1, len(code_cells) + 1))

    executed = runner.execute(path)  # raises CellExecutionError on any error
    errors = [
        output
        for cell in executed.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if output.output_type == "error"
    ]
    assert not errors
    differences = mismatches(path.name, committed, executed)
    assert not differences, (
        "a notebook printed something else than what is committed; if the change is meant, run "
        f"`python notebooks/execute.py {path.name}` and commit the notebook\n\n"
        + "\n\n".join(differences)
    )
    images = [
        output
        for cell in executed.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if "image/png" in output.get("data", {})
    ]
    assert images, f"{path.name} should end with a figure that shows its lesson"
