"""The gradient options: what an optimizer may do to a gradient before its rule sees it.

Every optimizer takes them (where the math allows), applied in this order::

    maximize          g ← -g                      (climb instead of descend)
    global_clip_norm  g ← g · min(1, c / ‖all gradients‖)   (optimizer.step only)
    clip_value        g ← clip(g, -c, c)
    clip_norm         g ← g · min(1, c / ‖g‖)
    weight_decay      g ← g + λ·W                 (coupled L2; decoupled: W ← W·(1 - lr·λ))
    l1_decay          g ← g + λ₁·sign(W)         (sign(0) = 0, as torch.sign)

The layer's own gradient array is never changed: the result goes into a work array.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import Any, TypedDict

import numpy as np

from nnlite.gradients import gradient_norm


def changes_gradient(settings: Mapping[str, Any], global_scale: float | None) -> bool:
    """Whether an option (maximize, clipping, coupled decay, L1) changes the gradient."""
    coupled_decay = settings["weight_decay"] and not settings["decoupled_weight_decay"]
    return bool(
        settings["maximize"]
        or settings["clip_value"]
        or settings["clip_norm"]
        or coupled_decay
        or settings["l1_decay"]
        or (global_scale is not None and global_scale != 1.0)
    )


def apply(
    weights: np.ndarray,
    gradient: np.ndarray,
    settings: Mapping[str, Any],
    global_scale: float | None,
    buffers: tuple[np.ndarray, np.ndarray],
) -> np.ndarray:
    """The gradient after the options in ``settings``, in ``buffers[0]``."""
    buffer, term = buffers
    clip_value = settings["clip_value"]
    clip_norm = settings["clip_norm"]
    weight_decay = 0.0 if settings["decoupled_weight_decay"] else settings["weight_decay"]
    l1_decay = settings["l1_decay"]
    np.copyto(buffer, gradient)
    if settings["maximize"]:
        np.negative(buffer, out=buffer)
    if global_scale is not None and global_scale != 1.0:
        np.multiply(buffer, global_scale, out=buffer)
    if clip_value:
        np.clip(buffer, -clip_value, clip_value, out=buffer)
    if clip_norm:
        norm = math.sqrt(float(np.vdot(buffer, buffer)))
        scale = clip_norm / (norm + 1e-6)
        if scale < 1.0:
            np.multiply(buffer, scale, out=buffer)
    if weight_decay:
        # Coupled weight decay, an L2 penalty: g ← g + λ·W
        np.multiply(weights, weight_decay, out=term)
        buffer += term
    if l1_decay:
        # L1 penalty: g ← g + λ₁·sign(W), with sign(0) = 0 as torch.sign (the book's
        # layer-level weight_regularizer_l1 adds +λ at 0 instead)
        np.sign(weights, out=term)
        term *= l1_decay
        buffer += term
    return buffer


def global_clip_scale(layers: Iterable[object], max_norm: float) -> float:
    """The factor ``min(1, max_norm / ‖all gradients‖)`` of ``global_clip_norm``."""
    return min(max_norm / (gradient_norm(layers) + 1e-6), 1.0)


# ---------------------------------------------------------------------- as constructor arguments


class GradientOptions(TypedDict, total=False):
    """The keyword arguments every optimizer takes for the options above (``**options``)."""

    weight_decay: float
    l1_decay: float
    maximize: bool
    clip_value: float | None
    clip_norm: float | None
    global_clip_norm: float | None


#: Each option's default and what it does, documented here once for every optimizer
OPTIONS: dict[str, tuple[object, str]] = {
    "weight_decay": (0.0, "λ of an L2 penalty added to the gradient, g ← g + λ·W"),
    "l1_decay": (0.0, "λ₁ of an L1 penalty added to the gradient, g ← g + λ₁·sign(W)"),
    "maximize": (False, "climb the objective instead of descending it (g ← -g)"),
    "clip_value": (None, "clip each gradient element into [-c, c]; None: off"),
    "clip_norm": (None, "rescale each parameter's gradient to a norm of at most c; None: off"),
    "global_clip_norm": (
        None,
        "rescale all gradients together to a joint norm of at most c (optimizer.step only)",
    ),
}


def documented(names: tuple[str, ...], explicit: set[str]) -> str:
    """The docstring section listing the shared options ``names`` (those not in ``explicit``,
    which the optimizer documents itself)."""
    lines = ["", "    Options every optimizer shares (keyword only; see gradient_options.py)::", ""]
    for name in names:
        if name not in explicit:
            default, meaning = OPTIONS[name]
            lines.append(f"        {name}={default!r}: {meaning}")
    return "\n".join(lines) + "\n"
