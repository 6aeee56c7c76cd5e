"""Working with the gradients of several layers: clearing, accumulating and clipping them.

PyTorch adds each ``backward()`` into ``.grad`` and asks you to clear it with ``zero_grad``;
the book's layers *replace* ``dweights`` on every backward. nnlite keeps the book's behaviour
and offers accumulation on request::

    zero_grad(layers)                    # dweights = 0, dbiases = 0
    with accumulate_gradients(layers):   # backward() now adds to dweights/dbiases
        for batch in micro_batches:
            ...forward and backward...
    optimizer.step(layers)               # one update from the summed gradients
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

import numpy as np

from nnlite.parameters import trainable_parameters


def zero_grad(layers: Iterable[object]) -> None:
    """Set every gradient of ``layers`` to zero, in place (creating zero arrays if missing)."""
    for layer in layers:
        for parameter in trainable_parameters(layer):
            gradient = getattr(layer, parameter.gradient, None)
            value = getattr(layer, parameter.name)
            if getattr(gradient, "is_sparse", False):
                gradient.values.fill(0)  # an embedding's row-sparse gradient stays sparse
            elif isinstance(gradient, np.ndarray) and gradient.shape == value.shape:
                gradient.fill(0)
            else:
                setattr(layer, parameter.gradient, np.zeros_like(value))


@contextmanager
def accumulate_gradients(layers: Iterable[object]) -> Iterator[None]:
    """Within the block, each ``backward()`` of ``layers`` adds to the gradients it finds."""
    layers = list(layers)
    for layer in layers:
        layer.accumulate_gradients = True
    try:
        yield
    finally:
        for layer in layers:
            layer.accumulate_gradients = False


def gradient_norm(layers: Iterable[object]) -> float:
    """The L2 norm of all gradients of ``layers`` taken together (missing ones count as 0)."""
    total = 0.0
    for layer in layers:
        for parameter in trainable_parameters(layer):
            gradient = getattr(layer, parameter.gradient, None)
            if getattr(gradient, "is_sparse", False):
                gradient = gradient.values  # an embedding's looked-up rows
            if gradient is not None:
                total += float(np.vdot(gradient, gradient))
    return math.sqrt(total)


def clip_gradients_by_global_norm(layers: Iterable[object], max_norm: float) -> float:
    """Scale all gradients together so their joint norm is at most ``max_norm``.

    As ``torch.nn.utils.clip_grad_norm_``: the factor is ``max_norm / (norm + 1e-6)`` when
    below 1. Returns the norm before clipping.
    """
    layers = list(layers)
    norm = gradient_norm(layers)
    scale = max_norm / (norm + 1e-6)
    if scale < 1.0:
        for layer in layers:
            for parameter in trainable_parameters(layer):
                getattr(layer, parameter.gradient).__imul__(scale)
    return norm


def clip_gradients_by_value(layers: Iterable[object], clip_value: float) -> None:
    """Clamp every gradient element into ``[-clip_value, clip_value]``, in place."""
    for layer in layers:
        for parameter in trainable_parameters(layer):
            gradient = getattr(layer, parameter.gradient)
            if getattr(gradient, "is_sparse", False):
                gradient = gradient.values  # clip the rows an embedding looked up
            np.clip(gradient, -clip_value, clip_value, out=gradient)
