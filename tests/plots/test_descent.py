"""plot_descent_curves: f at each step of each path, against closed forms and torch.optim."""

import warnings

import numpy as np
import pytest
import torch

from nnlite import Optimizer_Adam, Optimizer_SGD
from nnlite.plots import FUNCTIONS, optimizer_trajectory, plot_descent_curves


def curves(figure):
    """The figure's curves by label (the diverged-run markers have no label of their own)."""
    (ax,) = figure.axes
    return {
        line.get_label(): line for line in ax.get_lines() if not line.get_label().startswith("_")
    }


def test_sgd_on_the_parabola_follows_the_closed_form(rendered):
    # x_k = 2·(1 - 8·lr)^k, so f(x_k) = (2·x_k)² = 16·(1 - 8·lr)^(2k)
    learning_rates = (0.01, 0.05, 0.2)
    figure = plot_descent_curves(
        {f"lr = {lr}": Optimizer_SGD(lr) for lr in learning_rates}, "parabola", steps=40
    )
    rendered(figure)
    lines = curves(figure)
    assert list(lines) == [f"lr = {lr}" for lr in learning_rates]
    for lr in learning_rates:
        line = lines[f"lr = {lr}"]
        np.testing.assert_array_equal(line.get_xdata(), np.arange(41))
        expected = 16.0 * (1 - 8 * lr) ** (2 * np.arange(41))
        np.testing.assert_allclose(line.get_ydata(), expected, rtol=1e-12, atol=1e-300)


def torch_losses(learning_rate, momentum, steps):
    """The article's loop: y = (2x)² from x = 2, loss recorded before each optimizer step."""
    x = torch.tensor([2.0], dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([x], lr=learning_rate, momentum=momentum)
    losses = []
    for _ in range(steps):
        y = torch.pow(2 * x, 2)
        y.backward()
        optimizer.step()
        optimizer.zero_grad()
        losses.append(y.item())
    return np.array(losses)


@pytest.mark.parametrize("learning_rate, momentum", [(0.01, 0.9), (0.1, 0.63), (0.03, 0.0)])
def test_the_articles_momentum_curves_match_torch(learning_rate, momentum):
    steps = 100
    figure = plot_descent_curves(
        {"run": Optimizer_SGD(learning_rate, momentum=momentum)}, "parabola", steps=steps
    )
    ours = curves(figure)["run"].get_ydata()[:steps]
    theirs = torch_losses(learning_rate, momentum, steps)
    difference = np.abs(ours - theirs)
    step = int(np.argmax(difference))
    assert difference[step] < 1e-10, f"step {step}: nnlite {ours[step]!r}, torch {theirs[step]!r}"


def test_a_diverging_run_ends_early_with_a_cross_and_says_so(rendered):
    steps = 50
    path = optimizer_trajectory(Optimizer_SGD(0.5), "rosenbrock", steps=steps)
    assert len(path) <= steps  # it diverges, as in test_trajectories
    # The last points are finite, but f overflows on them: the curve ends at the last finite f
    with np.errstate(over="ignore"):
        values = FUNCTIONS["rosenbrock"].value(path)
    finite = values[: int(np.argmin(np.isfinite(values)))]
    assert 1 < len(finite) < len(path)
    figure = plot_descent_curves(
        {"Adam": Optimizer_Adam(0.05), "too fast": Optimizer_SGD(0.5)}, "rosenbrock", steps=steps
    )
    rendered(figure)
    lines = curves(figure)
    label = f"too fast (diverged at step {len(finite)})"
    assert list(lines) == ["Adam", label]
    np.testing.assert_array_equal(lines[label].get_ydata(), finite)
    (ax,) = figure.axes
    crosses = [line for line in ax.get_lines() if line.get_marker() == "x"]
    assert len(crosses) == 1
    assert list(crosses[0].get_xdata()) == [len(finite) - 1]
    assert list(crosses[0].get_ydata()) == [finite[-1]]


def test_a_log_scale_and_the_optimizers_are_left_alone():
    optimizers = {"SGD": Optimizer_SGD(0.01, momentum=0.9), "Adam": Optimizer_Adam(0.1)}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # SGD overflows on Beale; no warning escapes
        figure = plot_descent_curves(optimizers, "beale", steps=10, log_scale=True)
    assert figure.axes[0].get_yscale() == "log"
    assert all(optimizer.iterations == 0 for optimizer in optimizers.values())
    assert "weight_momentums" not in vars(optimizers["SGD"])


@pytest.mark.parametrize(
    "optimizers, function, error, message",
    [
        ({}, "parabola", TypeError, "non-empty dict"),
        ({"a": Optimizer_SGD}, "parabola", TypeError, "'a' is .*not an optimizer object"),
        ({"a": Optimizer_SGD(0.1)}, "himmelblau", ValueError, "plot_descent_curves: function"),
    ],
)
def test_bad_arguments_are_named(optimizers, function, error, message):
    with pytest.raises(error, match=message):
        plot_descent_curves(optimizers, function, steps=5)
