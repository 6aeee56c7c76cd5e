"""Shared by the plot tests: the Agg backend, and rendering a figure to a PNG to look at it.

nnlite's plots build ``matplotlib.figure.Figure`` objects without pyplot, so no backend is
involved in drawing them; Agg is set here anyway, so that nothing in these tests can open a
window, and the previous setting is put back after each test for the other test modules.
"""

import matplotlib
import matplotlib.image
import numpy as np
import pytest

#: A blank or nearly blank image has a few colours; a plot with lines, text and fills many.
MIN_COLOURS = 20


@pytest.fixture(autouse=True)
def agg_backend():
    # The raw setting: reading rcParams["backend"] would resolve "auto" and import pyplot
    saved = dict.__getitem__(matplotlib.rcParams, "backend")
    matplotlib.use("Agg")
    yield
    if isinstance(saved, str):
        matplotlib.use(saved)
    else:
        dict.__setitem__(matplotlib.rcParams, "backend", saved)


def render_png(figure, tmp_path, name="figure.png"):
    """Save ``figure`` as a PNG, read it back, and check that it shows something."""
    path = tmp_path / name
    figure.savefig(path)
    image = matplotlib.image.imread(path)
    colours = np.unique(image.reshape(-1, image.shape[-1]), axis=0)
    assert len(colours) >= MIN_COLOURS, f"{name}: only {len(colours)} colours; is it blank?"
    assert image[..., :3].std() > 0.05, f"{name}: the pixels hardly vary; is it blank?"
    return image


@pytest.fixture
def rendered(tmp_path):
    """``rendered(figure)`` saves the figure to a PNG, checks it is not blank, returns it."""
    return lambda figure, name="figure.png": render_png(figure, tmp_path, name)
