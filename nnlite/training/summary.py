"""Model.summary: a table of the layers, their output shapes and parameter counts."""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from nnlite.parameters import ParameterSpec, declared_parameters


def summary_lines(model: Any, print_fn: Callable[[str], object] = print) -> None:
    """Print ``model``'s summary table, one line at a time, with ``print_fn``."""
    rows = [("#", "layer", "output shape", "parameters")]
    width = getattr(model.layers[0], "n_inputs", None) if model.layers else None
    trainable = frozen = 0
    for index, layer in enumerate(model.layers):
        specs = declared_parameters(layer)
        count = sum(np.size(getattr(layer, spec.name)) for spec in specs)
        if specs and getattr(layer, "trainable", True) is False:
            frozen += count
            shown = f"{count:,} (frozen)"
        else:
            trainable += count
            shown = f"{count:,}"
        width = _output_width(layer, specs, width)
        shape = f"(n_samples, {'?' if width is None else width})"
        rows.append((str(index), repr(layer), shape, shown))
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    print_fn(f"Model: {len(model.layers)} layers")
    for row in rows:
        print_fn(
            f"{row[0]:>{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:<{widths[2]}}  "
            f"{row[3]:>{widths[3]}}".rstrip()
        )
    print_fn(f"parameters: {trainable + frozen:,} (trainable: {trainable:,}, frozen: {frozen:,})")
    roles = [
        f"{role}: {type(value).__name__}"
        for role, value in (
            ("loss", model.loss),
            ("optimizer", model.optimizer),
            ("accuracy", model.accuracy),
        )
        if value is not None
    ]
    if roles:
        print_fn(", ".join(roles))


def _output_width(layer: object, specs: tuple[ParameterSpec, ...], width: int | None) -> int | None:
    """Output columns of ``layer``: its neurons if it has weights, else its input width."""
    if not specs:
        return width
    neurons = getattr(layer, "n_neurons", None)
    if isinstance(neurons, numbers.Integral):
        return int(neurons)
    weights = getattr(layer, specs[0].name, None)
    return weights.shape[1] if getattr(weights, "ndim", 0) == 2 else None
