"""new_figure: the blank figure every plot in nnlite starts from.

The plots build a :class:`matplotlib.figure.Figure` directly instead of asking
``matplotlib.pyplot`` for one. Such a figure belongs to no window and no backend: it draws the
same on a server with no display, in a test and in a notebook, pyplot's list of open figures
never grows, and nothing calls ``plt.show()``. What to do with the returned figure::

    figure = plot_history(history)
    figure.savefig("loss.png")      # a script, a server, the command line
    figure                          # a notebook cell: the figure shows itself
    plt.figure(figure); plt.show()  # a window, with matplotlib >= 3.10 (pyplot adopts it)
"""

from __future__ import annotations

import io

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from PIL import Image

PANEL_WIDTH = 5.0
PANEL_HEIGHT = 4.0
#: Colours in the PNG a notebook shows (see NotebookFigure).
NOTEBOOK_COLOURS = 256


class NotebookFigure(Figure):
    """A matplotlib Figure that shows itself as a PNG when it is a notebook cell's value.

    Jupyter knows how to show a Figure only once pyplot has set up its inline backend; a
    figure made without pyplot would otherwise show as ``<Figure size 500x400 ...>``.

    The notebook's PNG has a palette of 256 colours instead of full colour: a line plot has
    fewer colours than that (its antialiased edges aside), it looks the same, and the file is
    a third of the size, which keeps notebooks saved with their outputs small.
    ``figure.savefig`` still writes full colour.
    """

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        self.savefig(buffer, format="png")
        buffer.seek(0)
        with Image.open(buffer) as image:
            palette = image.convert("RGB").quantize(
                colors=NOTEBOOK_COLOURS,
                method=Image.Quantize.MEDIANCUT,
                dither=Image.Dither.NONE,
            )
        small = io.BytesIO()
        palette.save(small, format="png", optimize=True)
        return small.getvalue()


def new_figure(
    panels: int = 1, *, width: float = PANEL_WIDTH, height: float = PANEL_HEIGHT
) -> tuple[Figure, list[Axes]]:
    """A figure with ``panels`` axes side by side, each ``width`` x ``height`` inches."""
    figure = NotebookFigure(figsize=(width * panels, height), layout="constrained")
    axes = figure.subplots(1, panels, squeeze=False)[0]
    return figure, list(axes)
