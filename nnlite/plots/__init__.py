"""Plots of training and of optimizers, each returning a matplotlib Figure.

Every function builds its own :class:`matplotlib.figure.Figure` without pyplot, so it works
headless (servers, tests, the command line) and never opens a window or calls
``plt.show()``. Save the figure with ``figure.savefig("name.png")``; in a notebook it shows
itself when it is the cell's value.

* training: :func:`plot_history`, :func:`plot_loss_curves`, :func:`plot_decision_boundary`
* learning rates: :func:`plot_schedule`
* optimizers: :func:`plot_trajectories` and :func:`plot_descent_curves` (on the test
  functions of ``landscapes``), :func:`plot_ewa_weights`
"""

from nnlite.plots.decision_boundary import plot_decision_boundary
from nnlite.plots.descent import plot_descent_curves
from nnlite.plots.ewa import ewa_weights, plot_ewa_weights
from nnlite.plots.landscapes import (
    FUNCTIONS,
    Function,
    Function_Beale,
    Function_Parabola,
    Function_Rosenbrock,
)
from nnlite.plots.schedule import plot_schedule
from nnlite.plots.training_curves import plot_history, plot_loss_curves
from nnlite.plots.trajectories import Layer_Point, optimizer_trajectory, plot_trajectories

__all__ = [
    "FUNCTIONS",
    "Function",
    "Function_Beale",
    "Function_Parabola",
    "Function_Rosenbrock",
    "Layer_Point",
    "ewa_weights",
    "optimizer_trajectory",
    "plot_decision_boundary",
    "plot_descent_curves",
    "plot_ewa_weights",
    "plot_history",
    "plot_loss_curves",
    "plot_schedule",
    "plot_trajectories",
]
