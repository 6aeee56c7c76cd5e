"""The strong-Wolfe line search of Optimizer_LBFGS: how far to go along a direction.

A step length t is accepted when the loss has fallen enough (sufficient decrease,
f(x + t·d) <= f(x) + c₁·t·∇f(x)·d) and the slope has flattened enough (curvature,
|∇f(x + t·d)·d| <= c₂·|∇f(x)·d|). The search brackets such a t and zooms in on it with cubic
interpolation, as PyTorch's ``_strong_wolfe`` does, step for step.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np


def strong_wolfe(
    loss_and_gradient_at: Callable[[float], tuple[float, np.ndarray]],
    t: float,
    d: np.ndarray,
    loss: float,
    gradient: np.ndarray,
    slope: float,
    *,
    c1: float = 1e-4,
    c2: float = 0.9,
    tolerance_change: float = 1e-9,
    max_evaluations: int = 25,
) -> tuple[float, np.ndarray, float, int]:
    """Find a step length t along d that satisfies the strong Wolfe conditions.

    With φ(t) = loss(θ + t·d) and φ'(t) its slope gᵀd, the conditions are::

        φ(t) <= φ(0) + c₁·t·φ'(0)          (sufficient decrease, Armijo)
        |φ'(t)| <= c₂·|φ'(0)|               (the slope has flattened: curvature)

    Phase 1 (Nocedal & Wright, Algorithm 3.5) grows t until an interval [t_low, t_high] is
    known to contain such a point; phase 2, "zoom" (Algorithm 3.6), shrinks the interval by
    cubic interpolation until a point satisfies both. A port of PyTorch's ``_strong_wolfe``
    (itself from minFunc); returns (φ(t), gradient at t, t, number of evaluations).
    """
    d_norm = max_abs(d)
    # Evaluate the loss and gradient at the initial step
    new_loss, new_gradient = loss_and_gradient_at(t)
    evaluations = 1
    new_slope = float(np.dot(new_gradient, d))

    # ---- Phase 1: bracket an interval containing a point satisfying the Wolfe criteria
    t_prev, loss_prev, gradient_prev, slope_prev = 0.0, loss, gradient, slope
    done = False
    iteration = 0
    while iteration < max_evaluations:
        if new_loss > loss + c1 * t * slope or (iteration > 1 and new_loss >= loss_prev):
            # Not enough decrease (or worse than the last point): the minimum lies between
            bracket = [t_prev, t]
            bracket_loss = [loss_prev, new_loss]
            bracket_gradient = [gradient_prev, new_gradient]
            bracket_slope = [slope_prev, new_slope]
            break
        if abs(new_slope) <= -c2 * slope:
            # Both conditions hold at t
            bracket, bracket_loss, bracket_gradient = [t], [new_loss], [new_gradient]
            done = True
            break
        if new_slope >= 0:
            # The slope turned uphill: a minimum lies between the last two points
            bracket = [t_prev, t]
            bracket_loss = [loss_prev, new_loss]
            bracket_gradient = [gradient_prev, new_gradient]
            bracket_slope = [slope_prev, new_slope]
            break
        # Still going downhill steeply: extrapolate, at least 1% beyond t and at most 10·t
        min_step = t + 0.01 * (t - t_prev)
        max_step = t * 10
        previous = t
        t = cubic_interpolate(
            t_prev, loss_prev, slope_prev, t, new_loss, new_slope, bounds=(min_step, max_step)
        )
        t_prev = previous
        loss_prev, gradient_prev, slope_prev = new_loss, new_gradient, new_slope
        new_loss, new_gradient = loss_and_gradient_at(t)
        evaluations += 1
        new_slope = float(np.dot(new_gradient, d))
        iteration += 1

    if iteration == max_evaluations:
        # Out of evaluations: fall back to the interval [0, t]
        bracket = [0.0, t]
        bracket_loss = [loss, new_loss]
        bracket_gradient = [gradient, new_gradient]

    # ---- Phase 2 (zoom): shrink the bracket until a point satisfies the conditions
    insufficient_progress = False
    # low: the end with the lower loss; high: the other
    low, high = (0, 1) if bracket_loss[0] <= bracket_loss[-1] else (1, 0)
    while not done and iteration < max_evaluations:
        if abs(bracket[1] - bracket[0]) * d_norm < tolerance_change:
            break  # the interval is too small to matter

        # Try the minimum of the cubic through both ends
        t = cubic_interpolate(
            bracket[0],
            bracket_loss[0],
            bracket_slope[0],
            bracket[1],
            bracket_loss[1],
            bracket_slope[1],
        )
        # If t is too close to an end (within 10% of the interval), and this happened last
        # time too or t is outside, move it to 10% inside from the nearer end
        margin = 0.1 * (max(bracket) - min(bracket))
        if min(max(bracket) - t, t - min(bracket)) < margin:
            if insufficient_progress or t >= max(bracket) or t <= min(bracket):
                if abs(t - max(bracket)) < abs(t - min(bracket)):
                    t = max(bracket) - margin
                else:
                    t = min(bracket) + margin
                insufficient_progress = False
            else:
                insufficient_progress = True
        else:
            insufficient_progress = False

        new_loss, new_gradient = loss_and_gradient_at(t)
        evaluations += 1
        new_slope = float(np.dot(new_gradient, d))
        iteration += 1

        if new_loss > loss + c1 * t * slope or new_loss >= bracket_loss[low]:
            # Not enough decrease, or no better than the low end: t becomes the high end
            bracket[high], bracket_loss[high] = t, new_loss
            bracket_gradient[high], bracket_slope[high] = new_gradient, new_slope
            low, high = (0, 1) if bracket_loss[0] <= bracket_loss[1] else (1, 0)
        else:
            if abs(new_slope) <= -c2 * slope:
                done = True  # both conditions hold
            elif new_slope * (bracket[high] - bracket[low]) >= 0:
                # The minimum is on the other side of t: the old low end becomes the high end
                bracket[high], bracket_loss[high] = bracket[low], bracket_loss[low]
                bracket_gradient[high] = bracket_gradient[low]
                bracket_slope[high] = bracket_slope[low]
            # t becomes the low end
            bracket[low], bracket_loss[low] = t, new_loss
            bracket_gradient[low], bracket_slope[low] = new_gradient, new_slope

    return bracket_loss[low], bracket_gradient[low], bracket[low], evaluations


def cubic_interpolate(
    x1: float,
    f1: float,
    g1: float,
    x2: float,
    f2: float,
    g2: float,
    bounds: tuple[float, float] | None = None,
) -> float:
    """The minimiser of the cubic with values f and slopes g at x1 and x2, kept within bounds.

    Nocedal & Wright, equation (3.59); the midpoint of the bounds if the cubic has no minimum.
    """
    low, high = bounds if bounds is not None else (min(x1, x2), max(x1, x2))
    d1 = g1 + g2 - 3 * safe_divide(f1 - f2, x1 - x2)
    d2_square = d1**2 - g1 * g2
    if not d2_square >= 0:  # (also when it is NaN)
        return (low + high) / 2.0
    d2 = math.sqrt(d2_square)
    if x1 <= x2:
        minimum = x2 - (x2 - x1) * safe_divide(g2 + d2 - d1, g2 - g1 + 2 * d2)
    else:
        minimum = x1 - (x1 - x2) * safe_divide(g1 + d2 - d1, g1 - g2 + 2 * d2)
    return min(max(minimum, low), high)


def safe_divide(numerator: float, denominator: float) -> float:
    """numerator / denominator, giving ±inf or NaN for a zero denominator (as IEEE arithmetic
    and PyTorch's tensors do) instead of raising ZeroDivisionError."""
    if denominator != 0:
        return numerator / denominator
    if numerator == 0 or math.isnan(numerator):
        return math.nan
    return math.copysign(math.inf, numerator) * math.copysign(1.0, denominator)


def max_abs(vector: np.ndarray) -> float:
    """max |vᵢ| without a temporary array."""
    return max(float(vector.max()), -float(vector.min()))
