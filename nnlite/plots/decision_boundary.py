"""plot_decision_boundary: which class a 2-D classifier gives each point of the plane.

The plane around the data is cut into a grid of ``resolution`` x ``resolution`` points; the
classifier predicts a class for each, and each class gets a colour. The data is drawn on
top in the same colours, so the points on the wrong side of a boundary stand out::

    model.train(X, y, epochs=10000, verbose=0)
    plot_decision_boundary(model, X, y).savefig("regions.png")
    plot_decision_boundary(lambda points: (points[:, 0] > 0) * 1, X, y)   # any function
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from matplotlib import colormaps
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure

from nnlite.plots.figure import new_figure
from nnlite.validation import check_positive_int

#: How far the plotted plane reaches past the data, as a fraction of the data's range.
MARGIN = 0.1
#: How opaque the coloured regions are (the data points are drawn opaque on top).
REGION_ALPHA = 0.35


def plot_decision_boundary(
    model_or_predict_fn: object,
    X: np.ndarray,
    y: np.ndarray,
    *,
    resolution: int = 200,
    title: str | None = None,
) -> Figure:
    """The decision regions of a classifier of 2-D points, with the data ``X, y`` on top.

    ``model_or_predict_fn`` is a finalized :class:`~nnlite.Model` (its classes are
    ``model.output_layer_activation.predictions(model.predict(points))``, as in the book) or
    a function from an ``(n, 2)`` array of points to their classes: an array of ``n`` labels,
    ``(n, 1)`` labels (a sigmoid model's), or ``(n, k)`` scores whose largest entry is the
    class. ``y`` holds class labels, ``(n, 1)`` labels or one-hot rows.

    The image's pixel ``[row, column]`` is the class predicted at ``x = xs[column]``,
    ``y = ys[row]``, with ``xs`` and ``ys`` spaced evenly over the data's range plus a 10%
    margin. The title gives the accuracy on the data points.
    """
    where = "plot_decision_boundary"
    predict = _predict_function(where, model_or_predict_fn)
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[1] != 2 or len(X) == 0:
        raise ValueError(
            f"{where}: X must hold 2-D points, shape (n_samples, 2), got shape {X.shape}"
        )
    labels = _as_labels(where, "y", np.asarray(y), len(X))
    resolution = check_positive_int(where, "resolution", resolution)

    xs, ys = (_axis_points(X[:, column], resolution) for column in range(2))
    grid_x, grid_y = np.meshgrid(xs, ys)
    grid = np.column_stack([grid_x.ravel(), grid_y.ravel()])
    regions = _as_labels(where, "the predictions", predict(grid), len(grid))
    predicted = _as_labels(where, "the predictions", predict(X), len(X))

    classes = np.union1d(labels, regions)
    if len(classes) > 20:
        raise ValueError(
            f"{where}: found {len(classes)} different classes; a decision-region plot tells "
            f"at most 20 apart (is this a regression model?)"
        )
    palette = colormaps["tab10" if len(classes) <= 10 else "tab20"].colors[: len(classes)]
    colours = ListedColormap(palette)
    norm = BoundaryNorm(np.arange(len(classes) + 1) - 0.5, len(classes))

    figure, (ax,) = new_figure(1, width=6.0, height=5.0)
    ax.imshow(
        np.searchsorted(classes, regions).reshape(resolution, resolution),
        origin="lower",
        extent=_pixel_edges(xs) + _pixel_edges(ys),
        cmap=colours,
        norm=norm,
        alpha=REGION_ALPHA,
        interpolation="nearest",
        aspect="auto",
    )
    for index, label in enumerate(classes):
        chosen = labels == label
        if chosen.any():
            ax.scatter(
                X[chosen, 0],
                X[chosen, 1],
                color=palette[index],
                edgecolors="black",
                linewidths=0.4,
                s=18,
                label=f"class {label}",
            )
    accuracy = np.mean(predicted == labels)
    ax.set_title(
        f"{title or 'decision regions'} (accuracy on these points: {accuracy:.3f})",
        fontsize="medium",
    )
    ax.set_xlabel("x₁")
    ax.set_ylabel("x₂")
    ax.legend(loc="upper right", fontsize="small")
    return figure


def _predict_function(where: str, model_or_predict_fn: object) -> Callable[[np.ndarray], object]:
    """A function from points to classes, for a Model or for a function given as it is."""
    model = model_or_predict_fn
    if callable(getattr(model, "predict", None)) and hasattr(model, "output_layer_activation"):
        if model.output_layer_activation is None:
            raise RuntimeError(f"{where}: call model.finalize() before plotting the model")

        def predict(points: np.ndarray) -> np.ndarray:
            outputs = model.predict(points)
            predictions = getattr(model.output_layer_activation, "predictions", None)
            return outputs if predictions is None else predictions(outputs)

        return predict
    if callable(model):
        return model
    raise TypeError(
        f"{where}: expected a Model or a function from points to classes, got "
        f"{type(model).__name__}"
    )


def _as_labels(where: str, name: str, values: object, count: int) -> np.ndarray:
    """``count`` class labels from labels, ``(count, 1)`` labels or ``(count, k)`` rows."""
    values = np.asarray(values)
    if values.ndim == 2 and values.shape[1] == 1:
        values = values[:, 0]
    elif values.ndim == 2 and values.shape[1] > 1:
        values = np.argmax(values, axis=1)  # one-hot rows or class scores
    if values.shape != (count,):
        raise ValueError(
            f"{where}: {name} must hold one class per point, shape ({count},), ({count}, 1) "
            f"or ({count}, n_classes), got shape {values.shape}"
        )
    return values


def _axis_points(values: np.ndarray, resolution: int) -> np.ndarray:
    """``resolution`` evenly spaced points over the values' range and a margin each side."""
    low, high = float(np.min(values)), float(np.max(values))
    pad = MARGIN * (high - low) if high > low else 1.0
    return np.linspace(low - pad, high + pad, resolution)


def _pixel_edges(points: np.ndarray) -> tuple[float, float]:
    """The outer edges of pixels centred on evenly spaced ``points``."""
    half = (points[-1] - points[0]) / (2 * (len(points) - 1)) if len(points) > 1 else 0.5
    return (float(points[0] - half), float(points[-1] + half))
