"""plot_descent_curves: the value of a test function at each step of each optimizer's path.

The learning-rate figure of the optimizer articles: start gradient descent on ``y = (2x)²``
from ``x = 2`` with several learning rates, and draw the "loss" ``f(x_k)`` against the step
``k``, one curve per learning rate, all on one axes::

    plot_descent_curves(
        {f"lr = {lr:.3g}": Optimizer_SGD(lr) for lr in np.linspace(0.01, 0.2, 10)},
        "parabola", steps=100,
    )

Where :func:`~nnlite.plots.plot_trajectories` shows *where* each optimizer walks (one panel
each), this shows *how fast* the function falls, so many runs compare on one figure.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure

from nnlite.plots.figure import new_figure
from nnlite.plots.landscapes import Function
from nnlite.plots.trajectories import check_optimizers, function_named, optimizer_trajectory

#: Runs this short get a marker on every step, so that each step shows as a dot.
MARKED_STEPS = 30


def plot_descent_curves(
    optimizers: Mapping[str, object],
    function: Function | str = "parabola",
    start: Sequence[float] | None = None,
    steps: int = 100,
    *,
    log_scale: bool = False,
) -> Figure:
    """``f(point)`` against the step, one curve per optimizer, for ``steps`` steps.

    ``optimizers`` maps a label to an optimizer object; each walks as a copy from ``start``
    (default ``function.start``), exactly as in :func:`~nnlite.plots.optimizer_trajectory`,
    so the optimizers you pass are not changed. Step 0 is the start. A run that diverges
    (a coordinate overflows) ends early with an ``x``, and its label says at which step.

    ``log_scale`` draws the values on a logarithmic axis, where a diverging run and a
    converging one stay readable on the same figure; a value of exactly 0 (a step that lands
    on the minimum) falls off the bottom of such an axis.
    """
    where = "plot_descent_curves"
    function = function_named(where, function)
    check_optimizers(where, optimizers)
    figure, (ax,) = new_figure(1, width=7.0, height=4.5)
    for index, (label, optimizer) in enumerate(optimizers.items()):
        values = _values_along(function, optimizer, start, steps)
        marker = "o" if steps <= MARKED_STEPS else None
        color = f"C{index % 10}"
        diverged = len(values) <= steps
        if diverged:
            label = f"{label} (diverged at step {len(values)})"
        ax.plot(range(len(values)), values, color=color, marker=marker, markersize=3, label=label)
        if diverged:
            ax.plot(len(values) - 1, values[-1], marker="x", markersize=9, color=color)
    if log_scale:
        ax.set_yscale("log")
    ax.set_title(f"{function.formula}: value at each step")
    ax.set_xlabel("step")
    ax.set_ylabel("f (the loss)")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize="small")
    return figure


def _values_along(
    function: Function, optimizer: object, start: Sequence[float] | None, steps: int
) -> np.ndarray:
    """f at each point of the optimizer's path, up to the last finite value."""
    path = optimizer_trajectory(copy.deepcopy(optimizer), function, start, steps)
    # A diverging path's last points are finite but their values may overflow: end before
    with np.errstate(over="ignore", invalid="ignore"):
        values = function.value(path)
    finite = np.isfinite(values)
    return values if finite.all() else values[: int(np.argmin(finite))]
