"""Where a NaN or infinite loss came from, said once per training run.

A diverging run (a learning rate too high) or a NaN in the data turns the loss into NaN, and
without a word every weight follows. ``Model.train`` warns the first time a step's loss is not
finite, naming the epoch and step and the first place it finds a non-finite number: the
batch's inputs or targets, a layer's parameters, or else the loss itself (it overflowed).
Nothing is computed unless the loss is already non-finite, so the book's runs are untouched.
"""

from __future__ import annotations

import warnings

import numpy as np

from nnlite.parameters import declared_parameters, describe


def nonfinite_loss_source(layers: list, batch_X: np.ndarray, batch_y: np.ndarray) -> str:
    """The first non-finite place among the batch and the layers' parameters, in words."""
    for name, values in (("inputs (X)", batch_X), ("targets (y)", batch_y)):
        values = np.asarray(values)
        if values.dtype.kind in "fc" and not np.isfinite(values).all():
            index = tuple(int(i) for i in np.argwhere(~np.isfinite(values))[0])
            return f"the batch's {name} hold {values[index]} at index {index}"
    for layer in layers:
        for spec in declared_parameters(layer):
            value = getattr(layer, spec.name, None)
            if isinstance(value, np.ndarray) and not np.isfinite(value).all():
                return (
                    f"{spec.name} of {describe(layer)} are not finite: the updates diverged; "
                    f"try a lower learning rate"
                )
    return "the data and parameters are finite, so the loss itself overflowed"


def warn_nonfinite_loss(
    loss: float, epoch: int, step: int, layers: list, batch_X: np.ndarray, batch_y: np.ndarray
) -> None:
    source = nonfinite_loss_source(layers, batch_X, batch_y)
    warnings.warn(
        f"Model.train: the loss is {loss} at epoch {epoch}, step {step}; {source}. Training "
        f"goes on (said once per run); Callback_TerminateOnNaN() stops it instead",
        RuntimeWarning,
        stacklevel=4,
    )
