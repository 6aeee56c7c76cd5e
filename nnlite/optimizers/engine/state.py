"""Optimizer state kept on each layer, beside the parameters it belongs to.

The arrays use the book's names: an optimizer whose rule keeps ``momentums`` and ``cache``
stores ``layer.weight_momentums``, ``layer.weight_cache``, ``layer.bias_momentums`` and
``layer.bias_cache``. A small :class:`OptimizerRecord` at ``layer.optimizer_state`` remembers
which optimizer kind made them, the step count of each parameter and scratch buffers, so that

* switching a layer to another kind of optimizer starts it afresh, with a warning, instead of
  crashing or silently reusing another optimizer's arrays (as the book's ``hasattr`` test does);
* replacing ``layer.weights`` with an array of another shape or dtype recreates the state;
* updates run in place in preallocated buffers and allocate nothing after the first step.
"""

from __future__ import annotations

import warnings
import weakref
from dataclasses import dataclass, field

import numpy as np

from nnlite.parameters import ParameterSpec


@dataclass
class OptimizerRecord:
    """What an optimizer remembers about one layer (stored as ``layer.optimizer_state``)."""

    kind: str
    steps: dict[str, int] = field(default_factory=dict)
    extras: dict[str, object] = field(default_factory=dict)
    scratch: dict[str, list[np.ndarray]] = field(default_factory=dict, repr=False)
    #: The layer attributes holding this optimizer's state (``weight_momentums``, ...)
    state_attributes: list[str] = field(default_factory=list)
    #: Each parameter's prepared update (see ``Optimizer._plan``), reused while it fits
    plans: dict[str, object] = field(default_factory=dict, repr=False)
    #: The optimizer object that updated this layer last (a weak reference) and every one
    #: that ever did, so that two optimizers of one kind taking turns are noticed
    owner: weakref.ref | None = field(default=None, repr=False, compare=False)
    owners: weakref.WeakSet = field(default_factory=weakref.WeakSet, repr=False, compare=False)

    def __getstate__(self) -> dict[str, object]:
        # Weak references cannot be pickled; who updated the layer is not state to keep
        return {key: value for key, value in self.__dict__.items() if key not in _OWNERS}

    def __setstate__(self, state: dict[str, object]) -> None:
        self.__dict__.update(state, owner=None, owners=weakref.WeakSet())


_OWNERS = ("owner", "owners")


def state_attribute(parameter: ParameterSpec, suffix: str) -> str:
    """The layer attribute of a state array: ``weight`` + ``momentums`` → ``weight_momentums``."""
    return f"{parameter.state_prefix}_{suffix}"


def record_for(
    layer: object, kind: str, where: object, *, owner: object | None = None
) -> OptimizerRecord:
    """The layer's record for optimizer ``kind``, replacing another kind's state with a warning.

    ``owner``: the optimizer object updating the layer. A new optimizer of the same kind
    continues the state (as after rebuilding one); but two taking turns on one layer would
    silently share its state, each moving the other's moments, so that is warned about.
    """
    record = getattr(layer, "optimizer_state", None)
    if isinstance(record, OptimizerRecord) and record.kind == kind:
        previous = record.owner() if record.owner is not None else None
        if owner is not None and previous is not owner:
            if previous is not None and owner in record.owners:
                warnings.warn(
                    f"{where}: this layer is also updated by another {kind} object; the two "
                    f"share its state ({', '.join(record.state_attributes) or 'none'}) and "
                    f"its step counts, so each moves the other's. Use one optimizer per "
                    f"layer (param groups give layers their own settings)",
                    UserWarning,
                    stacklevel=4,
                )
            record.owner = weakref.ref(owner)
            record.owners.add(owner)
        return record
    if isinstance(record, OptimizerRecord):
        warnings.warn(
            f"{where}: this layer was trained by {record.kind}, whose state "
            f"({', '.join(record.state_attributes) or 'none'}) means something else to {kind}; "
            f"it is discarded and {kind} starts with fresh state",
            UserWarning,
            stacklevel=4,
        )
        for name in record.state_attributes:
            if hasattr(layer, name):
                delattr(layer, name)
    record = OptimizerRecord(kind=kind)
    if owner is not None:
        record.owner = weakref.ref(owner)
        record.owners.add(owner)
    layer.optimizer_state = record
    return record


def state_arrays(
    layer: object,
    record: OptimizerRecord,
    parameter: ParameterSpec,
    value: np.ndarray,
    suffixes: tuple[str, ...],
    initial_values: dict[str, float],
    dtypes: dict[str, np.dtype],
    where: object,
) -> dict[str, np.ndarray]:
    """The state arrays of one parameter by suffix, created as needed.

    ``dtypes`` gives each array's dtype: the dtype NumPy's arithmetic would give it, so that
    float64 gradients of float32 weights (the book's dropout chapters) keep float64 state, as
    the book's ``m = β₁·m + (1 - β₁)·g`` does. An array of a narrower dtype is widened (values
    kept). One whose shape no longer matches the parameter (the user assigned a new
    ``layer.weights``) is recreated, with a warning, and the parameter's step count restarts.
    """
    arrays = {}
    for suffix in suffixes:
        name = state_attribute(parameter, suffix)
        dtype = dtypes[suffix]
        array = getattr(layer, name, None)
        if name not in record.state_attributes or not isinstance(array, np.ndarray):
            array = _fresh(value.shape, dtype, initial_values.get(suffix, 0.0))
            setattr(layer, name, array)
            if name not in record.state_attributes:
                record.state_attributes.append(name)
        elif array.shape != value.shape:
            warnings.warn(
                f"{where}: {name} has shape {array.shape} but {parameter.name} now has shape "
                f"{value.shape}; the state of {parameter.name} starts afresh",
                UserWarning,
                stacklevel=4,
            )
            array = _fresh(value.shape, dtype, initial_values.get(suffix, 0.0))
            setattr(layer, name, array)
            record.steps[parameter.name] = 0
            record.extras.pop(parameter.name, None)
        elif array.dtype != dtype and np.result_type(array.dtype, dtype) != array.dtype:
            array = array.astype(np.result_type(array.dtype, dtype))
            setattr(layer, name, array)
        arrays[suffix] = array
    return arrays


def _fresh(shape: tuple, dtype: np.dtype, initial: float) -> np.ndarray:
    # Zeros, like the book's np.zeros_like(layer.weights) (float32 under nnfs.init())
    array = np.zeros(shape, dtype=dtype)
    if initial:
        array.fill(initial)
    return array
