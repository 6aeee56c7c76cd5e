"""Test functions for optimizers: landscapes with a known minimum to watch an optimizer walk.

* :class:`Function_Parabola`, ``y = (2x)²``: the articles' learning-rate experiment. Its
  gradient is ``8x``, so plain gradient descent multiplies x by ``1 - 8·lr`` each step: it
  converges for ``lr < 0.25``, fastest at ``lr = 0.125`` (one step), and diverges above.
* :class:`Function_Rosenbrock`, ``(a - x)² + b·(y - x²)²``: a long, curved, flat-bottomed
  valley; easy to find, slow to follow to the minimum ``(a, a²)``.
* :class:`Function_Beale`: flat plateaus and steep walls, minimum at ``(3, 0.5)``.

Each works on arrays of points: ``value(points)`` takes the coordinates in the last axis
(shape ``(..., d)``) and gives one value per point; ``gradient(points)`` gives the
gradient in the same shape. ``start`` is a customary starting point and ``bounds`` the
window (one ``(low, high)`` per coordinate) a plot shows.
"""

from __future__ import annotations

import numpy as np


class Function:
    """A function to minimize and its gradient; see the module docstring."""

    name: str
    formula: str
    minimum: tuple[float, ...]
    start: tuple[float, ...]
    bounds: tuple[tuple[float, float], ...]

    @property
    def dimensions(self) -> int:
        """How many coordinates a point has."""
        return len(self.minimum)

    def value(self, points: np.ndarray) -> np.ndarray:
        """The function at each point (coordinates in the last axis)."""
        raise NotImplementedError

    def gradient(self, points: np.ndarray) -> np.ndarray:
        """The gradient at each point, shaped as ``points``."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Function_Parabola(Function):
    """``y = (2x)² = 4x²``, with ``dy/dx = 8x``: the articles' one-dimensional experiment."""

    name = "parabola"
    formula = "y = (2x)²"
    minimum = (0.0,)
    start = (2.0,)  # the articles' x₀
    bounds = ((-3.0, 3.0),)

    def value(self, points: np.ndarray) -> np.ndarray:
        (x,) = _coordinates(points, 1)
        return (2 * x) ** 2

    def gradient(self, points: np.ndarray) -> np.ndarray:
        (x,) = _coordinates(points, 1)
        return (8 * x)[..., np.newaxis]


class Function_Rosenbrock(Function):
    """``f(x, y) = (a - x)² + b·(y - x²)²``, minimum 0 at ``(a, a²)``; ``a=1, b=100``.

    Gradient::

        ∂f/∂x = -2·(a - x) - 4·b·x·(y - x²)
        ∂f/∂y = 2·b·(y - x²)

    Rosenbrock, "An automatic method for finding the greatest or least value of a function"
    (1960); ``start = (-1.2, 1)`` is his starting point.
    """

    name = "rosenbrock"
    start = (-1.2, 1.0)
    bounds = ((-2.0, 2.0), (-1.0, 3.0))

    def __init__(self, a: float = 1.0, b: float = 100.0) -> None:
        self.a = float(a)
        self.b = float(b)
        self.minimum = (self.a, self.a**2)
        self.formula = f"({self.a:g} - x)² + {self.b:g}·(y - x²)²"

    def value(self, points: np.ndarray) -> np.ndarray:
        x, y = _coordinates(points, 2)
        return (self.a - x) ** 2 + self.b * (y - x**2) ** 2

    def gradient(self, points: np.ndarray) -> np.ndarray:
        x, y = _coordinates(points, 2)
        valley = y - x**2
        return np.stack([-2 * (self.a - x) - 4 * self.b * x * valley, 2 * self.b * valley], -1)

    def __repr__(self) -> str:
        return f"Function_Rosenbrock(a={self.a:g}, b={self.b:g})"


class Function_Beale(Function):
    """``f(x, y) = (1.5 - x + xy)² + (2.25 - x + xy²)² + (2.625 - x + xy³)²``.

    Minimum 0 at ``(3, 0.5)``. With ``tₖ`` the k-th bracket (``t₁ = 1.5 - x + xy``, ...)::

        ∂f/∂x = 2·t₁·(y - 1) + 2·t₂·(y² - 1) + 2·t₃·(y³ - 1)
        ∂f/∂y = 2·t₁·x + 2·t₂·2xy + 2·t₃·3xy²

    Beale, "On an iterative method for finding a local minimum of a function of more than
    one variable" (1958).
    """

    name = "beale"
    formula = "(1.5 - x + xy)² + (2.25 - x + xy²)² + (2.625 - x + xy³)²"
    minimum = (3.0, 0.5)
    start = (1.0, 1.5)
    bounds = ((-4.5, 4.5), (-4.5, 4.5))

    def value(self, points: np.ndarray) -> np.ndarray:
        t1, t2, t3 = self._brackets(*_coordinates(points, 2))
        return t1**2 + t2**2 + t3**2

    def gradient(self, points: np.ndarray) -> np.ndarray:
        x, y = _coordinates(points, 2)
        t1, t2, t3 = self._brackets(x, y)
        d_x = 2 * t1 * (y - 1) + 2 * t2 * (y**2 - 1) + 2 * t3 * (y**3 - 1)
        d_y = 2 * t1 * x + 2 * t2 * 2 * x * y + 2 * t3 * 3 * x * y**2
        return np.stack([d_x, d_y], -1)

    @staticmethod
    def _brackets(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return 1.5 - x + x * y, 2.25 - x + x * y**2, 2.625 - x + x * y**3


#: The functions by name, as ``plot_trajectories(..., function="rosenbrock")`` accepts them.
FUNCTIONS = {
    function.name: function
    for function in (Function_Parabola(), Function_Rosenbrock(), Function_Beale())
}


def _coordinates(points: np.ndarray, dimensions: int) -> tuple[np.ndarray, ...]:
    """The coordinates of ``points`` (in its last axis), each as an array of floats."""
    points = np.asarray(points, dtype=np.float64)
    if points.shape[-1:] != (dimensions,):
        raise ValueError(
            f"expected points with {dimensions} coordinate(s) in the last axis, got an array "
            f"of shape {points.shape}"
        )
    return tuple(points[..., axis] for axis in range(dimensions))
