"""ewa_weights and plot_ewa_weights: how much an exponentially weighted average remembers.

Momentum and Adam keep an exponentially weighted average (EWA) of the gradients::

    v_t = β·v_{t-1} + (1 - β)·θ_t

Unrolled, ``v_t = Σ_i (1 - β)·β^i·θ_{t-i}``: the value ``i`` steps back counts with the
weight ``(1 - β)·β^i``. The weights fall geometrically, and they sum to almost 1 (to
``1 - β^t`` after ``t`` steps, which is why Adam divides by it). ``1/(1 - β)`` is a rough
memory length: β = 0.9 averages about the last 10 values, β = 0.98 about the last 50.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from nnlite.plots.figure import new_figure
from nnlite.validation import check_positive_int

#: The betas of the article's figure (001 in the articles nnlite grew from).
ARTICLE_BETAS = (0.98, 0.95, 0.9, 0.8)


def ewa_weights(beta: float, steps: int) -> np.ndarray:
    """``(1 - β)·β^i`` for ``i = 0, ..., steps - 1``: the weight of the value ``i`` steps back."""
    beta = _check_beta("ewa_weights", beta)
    steps = check_positive_int("ewa_weights", "steps", steps)
    return (1 - beta) * beta ** np.arange(steps, dtype=np.float64)


def plot_ewa_weights(betas: Sequence[float] = ARTICLE_BETAS, steps: int = 100) -> Figure:
    """The weights ``(1 - β)·β^i`` against ``i`` (steps back), one curve per β.

    A larger β starts lower and falls slower: it remembers longer. Each label gives
    ``1/(1 - β)``, the rough number of recent values the average follows.
    """
    where = "plot_ewa_weights"
    betas = (betas,) if isinstance(betas, numbers.Real) else tuple(betas)
    if not betas:
        raise ValueError(f"{where}: betas is empty; give at least one, such as (0.9,)")
    steps = check_positive_int(where, "steps", steps)
    for beta in betas:
        _check_beta(where, beta)
    figure, (ax,) = new_figure(1, width=7.0, height=4.5)
    for index, beta in enumerate(betas):
        ax.plot(
            range(steps),
            ewa_weights(beta, steps),
            label=f"β = {beta} (memory ≈ {1 / (1 - beta):.3g} steps)",
            color=f"C{index % 10}",
        )
    ax.set_title("exponentially weighted average: weight = (1 - β)·β^i")
    ax.set_xlabel("i (steps back)")
    ax.set_ylabel("weight")
    ax.grid(True, alpha=0.3)
    ax.legend()
    return figure


def _check_beta(where: str, beta: object) -> float:
    if isinstance(beta, bool) or not isinstance(beta, numbers.Real):
        raise TypeError(f"{where}: each beta must be a number, got {beta!r}")
    if not 0.0 <= beta < 1.0:
        raise ValueError(f"{where}: beta must be in [0, 1), got {beta}")
    return float(beta)
