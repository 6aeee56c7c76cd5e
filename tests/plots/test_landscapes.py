"""The test functions: gradients against central differences and torch autograd, minima."""

import numpy as np
import pytest
import torch

from nnlite.plots import (
    FUNCTIONS,
    Function_Beale,
    Function_Parabola,
    Function_Rosenbrock,
)

FUNCTION_CASES = [Function_Parabola(), Function_Rosenbrock(), Function_Rosenbrock(a=2, b=5)]
FUNCTION_CASES += [Function_Beale()]


def torch_value(function, point):
    """The same formulas, written again in torch (float64)."""
    if isinstance(function, Function_Parabola):
        return (2 * point[0]) ** 2
    x, y = point
    if isinstance(function, Function_Rosenbrock):
        return (function.a - x) ** 2 + function.b * (y - x**2) ** 2
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


def sample_points(function, count=20, seed=0):
    rng = np.random.default_rng(seed)
    low, high = np.array(function.bounds).T
    return rng.uniform(low, high, size=(count, function.dimensions))


@pytest.mark.parametrize("function", FUNCTION_CASES, ids=repr)
def test_gradient_matches_central_differences(function):
    step = 1e-6
    for point in sample_points(function):
        numeric = np.empty_like(point)
        for axis in range(function.dimensions):
            shift = np.zeros_like(point)
            shift[axis] = step
            numeric[axis] = (function.value(point + shift) - function.value(point - shift)) / (
                2 * step
            )
        analytic = function.gradient(point)
        scale = max(1.0, np.abs(analytic).max())
        assert np.abs(analytic - numeric).max() / scale < 1e-6, (
            f"{function!r} at {point}: ours {analytic}, central differences {numeric}"
        )


@pytest.mark.parametrize("function", FUNCTION_CASES, ids=repr)
def test_value_and_gradient_match_torch_autograd(function):
    for point in sample_points(function, seed=1):
        tensor = torch.tensor(point, dtype=torch.float64, requires_grad=True)
        value = torch_value(function, tensor)
        value.backward()
        assert function.value(point) == pytest.approx(value.item(), rel=1e-14, abs=1e-14)
        np.testing.assert_allclose(function.gradient(point), tensor.grad.numpy(), rtol=1e-12)


@pytest.mark.parametrize("function", FUNCTION_CASES, ids=repr)
def test_the_minimum_is_zero_with_zero_gradient(function):
    assert function.value(np.array(function.minimum)) == 0.0
    np.testing.assert_array_equal(function.gradient(np.array(function.minimum)), 0.0)


def test_the_published_minima():
    # Rosenbrock (1960): (1, 1); Beale (1958): (3, 0.5); the articles' parabola: 0
    assert Function_Rosenbrock().minimum == (1.0, 1.0)
    assert Function_Rosenbrock(a=2, b=5).minimum == (2.0, 4.0)
    assert Function_Beale().minimum == (3.0, 0.5)
    assert Function_Parabola().minimum == (0.0,)
    assert Function_Parabola().start == (2.0,)  # the articles' x₀


def test_arrays_of_points_give_one_value_per_point():
    grid = np.stack(np.meshgrid(np.linspace(-2, 2, 7), np.linspace(-1, 3, 5)), axis=-1)
    rosenbrock = Function_Rosenbrock()
    assert rosenbrock.value(grid).shape == (5, 7)
    assert rosenbrock.gradient(grid).shape == (5, 7, 2)
    assert rosenbrock.value(grid)[2, 3] == rosenbrock.value(grid[2, 3])


def test_the_functions_by_name():
    assert sorted(FUNCTIONS) == ["beale", "parabola", "rosenbrock"]
    assert all(function.name == name for name, function in FUNCTIONS.items())


def test_points_of_the_wrong_size_are_refused():
    with pytest.raises(ValueError, match=r"2 coordinate\(s\) in the last axis, got .* \(3,\)"):
        Function_Beale().value(np.zeros(3))
    with pytest.raises(ValueError, match=r"1 coordinate\(s\)"):
        Function_Parabola().gradient(np.zeros(2))
