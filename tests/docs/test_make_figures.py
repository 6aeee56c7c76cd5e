"""docs/make_figures.py draws README's figure with the code of `nnlite compare`, and README's
caption names the command that draws it."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from matplotlib.image import imread

ROOT = Path(__file__).parents[2]
SCRIPT_PATH = ROOT / "docs" / "make_figures.py"
spec = importlib.util.spec_from_file_location("make_figures", SCRIPT_PATH)
make_figures = importlib.util.module_from_spec(spec)
spec.loader.exec_module(make_figures)


def test_readme_shows_the_figure_under_the_command_that_draws_it():
    readme = (ROOT / "README.md").read_text()
    figure = make_figures.COMPARE_FIGURE.relative_to(ROOT).as_posix()
    assert f"]({figure})" in readme
    caption = readme[readme.index(f"]({figure})") :].split("\n\n", 2)[1]
    assert caption.startswith(f"*`nnlite {' '.join(make_figures.COMPARE_COMMAND)}`"), caption


@pytest.mark.slow  # a subprocess
def test_the_script_draws_what_the_command_line_draws(tmp_path):
    """Short runs, so that the test is quick: the same pixels from the script and from the
    `nnlite` command run in a process of its own."""
    command = ["compare", "--epochs", "5"]
    drawn = make_figures.draw_compare_figure(tmp_path / "script.png", command)
    subprocess.run(
        [sys.executable, "-m", "nnlite", *command, "--output", str(tmp_path / "cli")],
        check=True,
        capture_output=True,
        cwd=ROOT,
    )
    by_script = imread(drawn)
    by_cli = imread(tmp_path / "cli" / make_figures.COMPARE_OUTPUT)
    assert by_script.shape == by_cli.shape
    np.testing.assert_array_equal(by_script, by_cli)
    assert by_script.std() > 0  # a drawing, not a blank image


def test_the_committed_figure_has_the_size_the_command_draws(tmp_path):
    drawn = make_figures.draw_compare_figure(tmp_path / "short.png", ["compare", "--epochs", "2"])
    assert imread(make_figures.COMPARE_FIGURE).shape == imread(drawn).shape
