"""optimizer_trajectory and plot_trajectories: optimizers walking down a test function.

An nnlite optimizer updates any object that holds a parameter the way a layer does (see
``nnlite/parameters.py``). :class:`Layer_Point` is the smallest such object: its ``weights``
are the coordinates of a point and its ``dweights`` the function's gradient there. One step
is the book's training step with the function in place of the network and its loss::

    point.dweights[:] = function.gradient(point.weights)   # the "backward pass"
    optimizer.pre_update_params()
    optimizer.update_params(point)
    optimizer.post_update_params()

so the path drawn is exactly the path the optimizer takes on a real layer's weights.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import LogNorm
from matplotlib.figure import Figure

from nnlite.parameters import WEIGHTS
from nnlite.plots.figure import new_figure
from nnlite.plots.landscapes import FUNCTIONS, Function
from nnlite.validation import check_positive_int

#: Points per axis of the grid the contour lines (or the curve) are computed on.
GRID_POINTS = 300
#: Contour lines drawn on a 2-D function.
CONTOUR_LEVELS = 25


class Layer_Point:
    """A point that an optimizer moves: a "layer" whose only parameter is its position.

    ``weights`` holds the coordinates (shape ``(d,)``) and ``dweights`` the gradient there;
    the optimizer keeps its state beside them (``weight_momentums``, ``weight_cache``, ...)
    exactly as on a :class:`~nnlite.Layer_Dense`.
    """

    parameter_specs = (WEIGHTS,)

    def __init__(self, start: Sequence[float]) -> None:
        self.weights = np.array(start, dtype=np.float64)  # a copy: the caller's stays as it is
        if self.weights.ndim != 1 or self.weights.size == 0:
            raise ValueError(
                f"Layer_Point: start must be a list of coordinates such as [-1.2, 1.0], got "
                f"{start!r}"
            )
        self.dweights = np.zeros_like(self.weights)
        self.trainable = True

    def __repr__(self) -> str:
        return f"Layer_Point({self.weights.tolist()})"


def optimizer_trajectory(
    optimizer: object,
    function: Function | str,
    start: Sequence[float] | None = None,
    steps: int = 100,
) -> np.ndarray:
    """The points ``optimizer`` visits on ``function`` in ``steps`` steps from ``start``.

    Returns an array of shape ``(steps + 1, d)``: the start, then the point after each step.
    If the optimizer diverges (a coordinate overflows to inf or NaN), the path stops at the
    last finite point, so it is shorter. ``start`` defaults to ``function.start``. The
    optimizer is used as it is (its ``iterations`` count on); pass a fresh one per path.
    """
    where = "optimizer_trajectory"
    function = function_named(where, function)
    point = Layer_Point(function.start if start is None else start)
    if point.weights.shape != (function.dimensions,):
        raise ValueError(
            f"{where}: {function!r} takes points with {function.dimensions} coordinate(s), "
            f"got start={list(point.weights)}"
        )
    steps = check_positive_int(where, "steps", steps)
    path = [point.weights.copy()]
    # A diverging optimizer overflows on purpose here; the check below ends the path
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(steps):
            point.dweights[:] = function.gradient(point.weights)
            optimizer.pre_update_params()
            optimizer.update_params(point)
            optimizer.post_update_params()
            if not np.all(np.isfinite(point.weights)):
                break
            path.append(point.weights.copy())
    return np.array(path)


def plot_trajectories(
    optimizers: Mapping[str, object],
    function: Function | str = "rosenbrock",
    start: Sequence[float] | None = None,
    steps: int = 100,
) -> Figure:
    """One panel per optimizer, side by side, each with its path on ``function``.

    ``optimizers`` maps a label to an optimizer object, for example::

        plot_trajectories(
            {"SGD": Optimizer_SGD(0.001), "SGD + momentum": Optimizer_SGD(0.001, momentum=0.9),
             "Adam": Optimizer_Adam(0.1)},
            "rosenbrock", steps=300,
        )

    ``function`` is a :class:`~nnlite.plots.landscapes.Function` or one of the names
    ``"parabola"`` (y = (2x)², drawn as the curve with the points visited on it),
    ``"rosenbrock"`` and ``"beale"`` (drawn as contour lines with the path across them).
    The optimizers you pass are not changed: each walks as a copy. A panel's title gives
    the final value, or the step at which the optimizer diverged.
    """
    where = "plot_trajectories"
    function = function_named(where, function)
    if function.dimensions not in (1, 2):
        raise ValueError(
            f"{where}: can draw functions of 1 or 2 coordinates, {function!r} has "
            f"{function.dimensions}; use optimizer_trajectory for its path"
        )
    check_optimizers(where, optimizers)
    paths = {
        label: optimizer_trajectory(copy.deepcopy(optimizer), function, start, steps)
        for label, optimizer in optimizers.items()
    }
    figure, axes = new_figure(len(paths), width=4.5, height=4.2)
    draw = _draw_curve if function.dimensions == 1 else _draw_contours
    for index, (ax, (label, path)) in enumerate(zip(axes, paths.items(), strict=True)):
        draw(ax, function)
        _draw_path(ax, function, path, color=f"C{index % 10}")
        ax.set_title(f"{label}\n{_outcome(function, path, steps)}", fontsize="medium")
        ax.legend(loc="upper right", fontsize="small")
    figure.suptitle(function.formula)
    return figure


def function_named(where: str, function: Function | str) -> Function:
    """``function`` itself, or the test function of that name (``"rosenbrock"``, ...)."""
    if isinstance(function, Function):
        return function
    if isinstance(function, str) and function in FUNCTIONS:
        return FUNCTIONS[function]
    raise ValueError(
        f"{where}: function must be a Function or one of {sorted(FUNCTIONS)}, got {function!r}"
    )


def check_optimizers(where: str, optimizers: object) -> None:
    """Raise unless ``optimizers`` is a non-empty dict of optimizer objects."""
    if not isinstance(optimizers, Mapping) or not optimizers:
        raise TypeError(
            f"{where}: optimizers must be a non-empty dict {{label: optimizer}}, got {optimizers!r}"
        )
    for label, optimizer in optimizers.items():
        if isinstance(optimizer, type) or not callable(getattr(optimizer, "update_params", None)):
            raise TypeError(
                f"{where}: {label!r} is {optimizer!r}, not an optimizer object such as "
                f"Optimizer_SGD(0.01)"
            )


def _draw_curve(ax: Axes, function: Function) -> None:
    """A 1-D function: its curve over the plot window."""
    ((low, high),) = function.bounds
    xs = np.linspace(low, high, GRID_POINTS)
    curve = function.value(xs[:, np.newaxis])
    ax.plot(xs, curve, color="0.6", label=function.formula)
    # The window stays on the curve: a diverging path leaves it (its title says so)
    pad = 0.05 * (curve.max() - curve.min())
    ax.set_xlim(low, high)
    ax.set_ylim(curve.min() - pad, curve.max() + pad)
    ax.set_xlabel("x")
    ax.set_ylabel("y")


def _draw_contours(ax: Axes, function: Function) -> None:
    """A 2-D function: contour lines, spaced logarithmically when its values are >= 0."""
    (x_low, x_high), (y_low, y_high) = function.bounds
    grid_x, grid_y = np.meshgrid(
        np.linspace(x_low, x_high, GRID_POINTS), np.linspace(y_low, y_high, GRID_POINTS)
    )
    values = function.value(np.stack([grid_x, grid_y], axis=-1))
    low, high = float(values.min()), float(values.max())
    if low >= 0 and high > 0:
        low = max(low, high * 1e-6)
        ax.contour(
            grid_x,
            grid_y,
            values,
            levels=np.geomspace(low, high, CONTOUR_LEVELS),
            norm=LogNorm(low, high),
            cmap="viridis",
            linewidths=0.7,
        )
    else:
        ax.contour(grid_x, grid_y, values, levels=CONTOUR_LEVELS, cmap="viridis", linewidths=0.7)
    minimum_x, minimum_y = function.minimum
    ax.plot(minimum_x, minimum_y, marker="*", markersize=14, color="red", label="minimum")
    ax.set_xlim(x_low, x_high)
    ax.set_ylim(y_low, y_high)
    ax.set_xlabel("x")
    ax.set_ylabel("y")


def _draw_path(ax: Axes, function: Function, path: np.ndarray, *, color: str) -> None:
    if function.dimensions == 1:
        xs, ys = path[:, 0], function.value(path)
    else:
        xs, ys = path[:, 0], path[:, 1]
    ax.plot(xs, ys, "-o", color=color, markersize=2.5, linewidth=1.2, label="path")
    ax.plot(xs[:1], ys[:1], marker="s", color="black", linestyle="", label="start")


def _outcome(function: Function, path: np.ndarray, steps: int) -> str:
    if len(path) <= steps:
        return f"diverged at step {len(path)}"
    return f"f = {function.value(path[-1]):.3g} after {steps} steps"
