"""Optimizer paths on the test functions: closed forms, torch lockstep, and the figure."""

import warnings

import numpy as np
import pytest
import torch

from nnlite import (
    Optimizer_Adagrad,
    Optimizer_Adam,
    Optimizer_RMSprop,
    Optimizer_SGD,
)
from nnlite.plots import (
    FUNCTIONS,
    Function,
    Function_Parabola,
    Function_Rosenbrock,
    Layer_Point,
    optimizer_trajectory,
    plot_trajectories,
)

TOLERANCE = 1e-10


class Function_Sphere3D(Function):
    """x² + y² + z²: a function of three coordinates, which the plot cannot draw."""

    minimum = (0.0, 0.0, 0.0)
    start = (1.0, 1.0, 1.0)

    def value(self, points):
        return np.sum(np.square(points), axis=-1)

    def gradient(self, points):
        return 2 * np.asarray(points)


optim = torch.optim
# Short names for the lockstep table
SGD, Adam, RMSprop, Adagrad = Optimizer_SGD, Optimizer_Adam, Optimizer_RMSprop, Optimizer_Adagrad


@pytest.mark.parametrize("learning_rate", [0.01, 0.03, 0.1, 0.125, 0.2, 0.3])
def test_sgd_on_the_parabola_follows_the_closed_form(learning_rate):
    # x ← x - lr·8x = (1 - 8·lr)·x, so x_k = 2·(1 - 8·lr)^k from the articles' x₀ = 2
    path = optimizer_trajectory(Optimizer_SGD(learning_rate), "parabola", steps=40)
    expected = 2.0 * (1 - 8 * learning_rate) ** np.arange(41)
    np.testing.assert_allclose(path[:, 0], expected, rtol=1e-12, atol=1e-300)


def torch_path(make_optimizer, function, start, steps):
    """The points torch.optim visits on the same function (written in torch, float64)."""
    point = torch.tensor(start, dtype=torch.float64, requires_grad=True)
    optimizer = make_optimizer([point])
    path = [point.detach().clone().numpy()]
    for _ in range(steps):
        optimizer.zero_grad()
        if isinstance(function, Function_Parabola):
            value = (2 * point[0]) ** 2
        elif isinstance(function, Function_Rosenbrock):
            value = (1 - point[0]) ** 2 + 100 * (point[1] - point[0] ** 2) ** 2
        else:  # Beale
            x, y = point
            value = (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2
            value = value + (2.625 - x + x * y**3) ** 2
        value.backward()
        optimizer.step()
        path.append(point.detach().clone().numpy())
    return np.array(path)


def case(function, ours, theirs, steps=100):
    """One row: the same start, ``steps`` steps in lockstep."""
    return pytest.param(function, ours, theirs, steps, id=f"{function}-{type(ours()).__name__}")


LOCKSTEP = [
    case("parabola", lambda: SGD(0.01, momentum=0.9), lambda p: optim.SGD(p, 0.01, 0.9)),
    case("parabola", lambda: SGD(0.1, momentum=0.63), lambda p: optim.SGD(p, 0.1, 0.63), 50),
    case("rosenbrock", lambda: SGD(0.001), lambda p: optim.SGD(p, lr=0.001)),
    case("rosenbrock", lambda: SGD(0.001, momentum=0.9), lambda p: optim.SGD(p, 0.001, 0.9)),
    case("rosenbrock", lambda: Adam(0.05), lambda p: optim.Adam(p, lr=0.05, eps=1e-7)),
    case("beale", lambda: Adam(0.01), lambda p: optim.Adam(p, lr=0.01, eps=1e-7)),
    case("beale", lambda: RMSprop(0.01), lambda p: optim.RMSprop(p, 0.01, alpha=0.9, eps=1e-7)),
    case("beale", lambda: Adagrad(0.5), lambda p: optim.Adagrad(p, lr=0.5, eps=1e-7)),
]


@pytest.mark.parametrize("name, ours, theirs, steps", LOCKSTEP)
def test_paths_match_torch_optim(name, ours, theirs, steps):
    function = FUNCTIONS[name]
    mine = optimizer_trajectory(ours(), function, steps=steps)
    reference = torch_path(theirs, function, function.start, steps)
    assert mine.shape == reference.shape == (steps + 1, function.dimensions)
    difference = np.abs(mine - reference).max(axis=1)
    if difference.max() >= TOLERANCE:
        step = int(np.argmax(difference >= TOLERANCE))
        raise AssertionError(
            f"{name}: step {step}: nnlite {mine[step]}, torch {reference[step]} "
            f"(difference {difference[step]:.3g})"
        )


def test_the_point_is_updated_as_a_layer_is():
    point = Layer_Point([-1.2, 1.0])
    optimizer = Optimizer_Adam(0.1)
    point.dweights[:] = Function_Rosenbrock().gradient(point.weights)
    optimizer.step([point])
    assert point.weight_momentums.shape == (2,)  # the state lives on the point
    assert repr(Layer_Point([1, 2])) == "Layer_Point([1.0, 2.0])"


def test_a_diverging_optimizer_stops_at_the_last_finite_point():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no overflow warning escapes
        path = optimizer_trajectory(Optimizer_SGD(0.5), "rosenbrock", steps=50)
    assert 1 < len(path) < 51
    assert np.all(np.isfinite(path))


def test_a_start_is_copied_and_checked():
    start = np.array([2.0])
    optimizer_trajectory(Optimizer_SGD(0.01), "parabola", start, steps=3)
    assert start[0] == 2.0
    with pytest.raises(ValueError, match=r"takes points with 2 coordinate\(s\), got start="):
        optimizer_trajectory(Optimizer_SGD(0.01), "beale", [1.0], steps=3)
    with pytest.raises(ValueError, match="start must be a list of coordinates"):
        Layer_Point(1.0)


def test_the_figure_draws_each_path_and_leaves_the_optimizers_alone(rendered):
    optimizers = {
        "SGD": Optimizer_SGD(0.001),
        "momentum": Optimizer_SGD(0.001, momentum=0.9),
        "Adam": Optimizer_Adam(0.05),
    }
    figure = plot_trajectories(optimizers, "rosenbrock", steps=60)
    rendered(figure)
    assert [ax.get_title().splitlines()[0] for ax in figure.axes] == list(optimizers)
    fresh = {
        "SGD": Optimizer_SGD(0.001),
        "momentum": Optimizer_SGD(0.001, momentum=0.9),
        "Adam": Optimizer_Adam(0.05),
    }
    for ax, (label, optimizer) in zip(figure.axes, fresh.items(), strict=True):
        path = optimizer_trajectory(optimizer, "rosenbrock", steps=60)
        (line,) = [line for line in ax.get_lines() if line.get_label() == "path"]
        np.testing.assert_array_equal(line.get_xdata(), path[:, 0], err_msg=label)
        np.testing.assert_array_equal(line.get_ydata(), path[:, 1], err_msg=label)
        assert ax.get_title().endswith(
            f"f = {FUNCTIONS['rosenbrock'].value(path[-1]):.3g} after 60 steps"
        )
    assert all(optimizer.iterations == 0 for optimizer in optimizers.values())


def test_the_parabola_path_lies_on_the_curve(rendered):
    figure = plot_trajectories(
        {"lr 0.01": Optimizer_SGD(0.01), "lr 0.3": Optimizer_SGD(0.3)}, "parabola", steps=20
    )
    rendered(figure)
    for ax, learning_rate in zip(figure.axes, (0.01, 0.3), strict=True):
        (line,) = [line for line in ax.get_lines() if line.get_label() == "path"]
        xs = 2.0 * (1 - 8 * learning_rate) ** np.arange(21)
        np.testing.assert_allclose(line.get_xdata(), xs, rtol=1e-12)
        np.testing.assert_allclose(line.get_ydata(), (2 * xs) ** 2, rtol=1e-12)


def test_beale_and_a_diverging_panel(rendered):
    figure = plot_trajectories(
        {"Adam": Optimizer_Adam(0.05), "SGD too fast": Optimizer_SGD(0.5)}, "beale", steps=50
    )
    rendered(figure)
    assert figure.axes[1].get_title().splitlines()[1].startswith("diverged at step")


@pytest.mark.parametrize(
    "optimizers, function, error, message",
    [
        ({}, "beale", TypeError, "non-empty dict"),
        ([Optimizer_SGD(0.1)], "beale", TypeError, "non-empty dict"),
        ({"a": Optimizer_SGD}, "beale", TypeError, "'a' is .*not an optimizer object"),
        ({"a": 0.1}, "beale", TypeError, "not an optimizer object"),
        ({"a": Optimizer_SGD(0.1)}, "himmelblau", ValueError, "one of \\['beale', 'parabola'"),
        ({"a": Optimizer_SGD(0.1)}, "3-D", ValueError, "can draw functions of 1 or 2 coordinates"),
    ],
)
def test_bad_arguments_are_named(optimizers, function, error, message):
    if function == "3-D":
        function = Function_Sphere3D()
    with pytest.raises(error, match=message):
        plot_trajectories(optimizers, function, steps=5)


def test_a_function_of_three_coordinates_still_has_a_path():
    path = optimizer_trajectory(Optimizer_SGD(0.25), Function_Sphere3D(), steps=3)
    # x ← x - 0.25·2x = x / 2
    np.testing.assert_array_equal(path, [[1.0] * 3, [0.5] * 3, [0.25] * 3, [0.125] * 3])
