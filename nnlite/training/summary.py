"""Model.summary: a table of the layers, their output shapes and parameter counts."""

from __future__ import annotations

import numbers
from collections.abc import Callable
from typing import Any

import numpy as np

from nnlite.parameters import ParameterSpec, declared_parameters


def summary_lines(
    model: Any,
    print_fn: Callable[[str], object] = print,
    input_shape: tuple[int, ...] | None = None,
) -> None:
    """Print ``model``'s summary table, one line at a time, with ``print_fn``.

    A layer's output shape comes from its ``output_shape(input_shape)`` method where it has
    one (convolution, pooling, flatten) and the shape of one sample is known, from its number
    of neurons (a dense layer), or is its input's (activations, dropout, normalization).
    ``input_shape`` is one sample's shape, ``(1, 32, 32)`` for a grey 32×32 image; a first
    dense layer's inputs give it otherwise.
    """
    rows = [("#", "layer", "output shape", "parameters")]
    shape = _first_input_shape(model.layers, input_shape)
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
        shape = _output_shape(layer, specs, shape)
        shown_shape = "?" if shape is None else ", ".join(str(size) for size in shape)
        rows.append((str(index), repr(layer), f"(n_samples, {shown_shape})", shown))
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


def _first_input_shape(layers: list, input_shape: tuple[int, ...] | None) -> tuple[int, ...] | None:
    if input_shape is not None:
        return tuple(int(size) for size in input_shape)
    inputs = getattr(layers[0], "n_inputs", None) if layers else None
    return (int(inputs),) if isinstance(inputs, numbers.Integral) else None


def _output_shape(
    layer: object, specs: tuple[ParameterSpec, ...], shape: tuple[int, ...] | None
) -> tuple[int, ...] | None:
    """One sample's output shape of ``layer`` given its input's (None: unknown)."""
    if callable(getattr(layer, "output_shape", None)):
        return None if shape is None else tuple(layer.output_shape(shape))
    neurons = getattr(layer, "n_neurons", None)
    if isinstance(neurons, numbers.Integral):
        return (int(neurons),)
    if specs and not hasattr(layer, "running_mean"):
        # A hand-written dense layer: its weights are (inputs, neurons)
        weights = getattr(layer, specs[0].name, None)
        return (weights.shape[1],) if getattr(weights, "ndim", 0) == 2 else None
    return shape
