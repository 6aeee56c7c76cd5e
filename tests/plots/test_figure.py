"""NotebookFigure: the PNG a notebook shows is the saved figure, in 256 colours."""

import io

import matplotlib.image
import matplotlib.patches
import numpy as np
from PIL import Image

from nnlite import Optimizer_Adam, Optimizer_SGD
from nnlite.plots import plot_trajectories
from nnlite.plots.figure import NOTEBOOK_COLOURS, new_figure


def decoded(png):
    with Image.open(io.BytesIO(png)) as image:
        return image.mode, np.asarray(image.convert("RGB"), dtype=np.float64) / 255


def saved(figure):
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    buffer.seek(0)
    return matplotlib.image.imread(buffer)[..., :3]


def test_the_notebook_png_looks_like_the_saved_figure_and_is_smaller():
    # Contour lines with many antialiased shades: the hardest case for a palette
    figure = plot_trajectories(
        {"SGD": Optimizer_SGD(0.001, momentum=0.9), "Adam": Optimizer_Adam(0.05)},
        "rosenbrock",
        steps=200,
    )
    full = saved(figure)
    png = figure._repr_png_()
    mode, shown = decoded(png)
    assert png.startswith(b"\x89PNG")
    assert mode == "P"
    assert shown.shape == full.shape
    difference = np.abs(shown - full)
    assert difference.mean() < 0.005, f"mean colour error {difference.mean():.4f}"
    assert len(np.unique(shown.reshape(-1, 3), axis=0)) <= NOTEBOOK_COLOURS
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    assert len(png) < len(buffer.getvalue()) / 2


def test_a_plot_with_few_colours_keeps_them_exactly():
    figure, (ax,) = new_figure(1, width=2.0, height=2.0)
    ax.axis("off")
    ax.add_patch(matplotlib.patches.Rectangle((0, 0), 0.5, 1, color="red", antialiased=False))
    _, shown = decoded(figure._repr_png_())
    np.testing.assert_array_equal(shown, saved(figure))
