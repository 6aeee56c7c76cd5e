"""The parameter protocol: how an optimizer, a Model and a file find a layer's parameters.

A layer with parameters lists them in ``parameter_specs``: each :class:`ParameterSpec` names
the attribute holding the array (``"weights"``), the attribute holding its gradient
(``"dweights"``) and the prefix of the optimizer state kept beside it on the layer
(``"weight"`` gives ``layer.weight_momentums``, ``layer.weight_cache``, ...). Any object with
such a tuple (on its class, or on itself, as a bias-free layer has) works with every
optimizer, ``Model`` and file format, not only :class:`~nnlite.Layer_Dense`.

Layers written by hand in the book's style (with ``weights``/``biases``, or the course notes'
``weight``/``bias``) are recognised without declaring anything.

This is the one place that says which parameters a layer has: :func:`declared_parameters`
(all of them, frozen or not: what files save and ``Model`` lists) and
:func:`trainable_parameters` (what an optimizer updates).

PyTorch's face: :class:`Parameter` is a handle on one parameter of a layer, as
``layer.parameters()``, ``model.parameters()`` and ``nnlite.optim`` see it: ``p.data`` is the
layer's array, ``p.grad`` its gradient, read from the layer each time (``backward`` replaces
``dweights``), never copied. :func:`parameters_of` and :func:`named_parameters_of` give them
for any layer, including book-style ones written by hand without ``Layer``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np


@dataclass(frozen=True)
class ParameterSpec:
    """Where one parameter of a layer lives: its array, its gradient and its optimizer state."""

    #: The layer attribute holding the array: ``"weights"``
    name: str
    #: The layer attribute holding its gradient: ``"dweights"``
    gradient: str
    #: The prefix of the optimizer state kept on the layer: ``"weight"`` → ``weight_momentums``
    state_prefix: str


WEIGHTS = ParameterSpec("weights", "dweights", "weight")
BIASES = ParameterSpec("biases", "dbiases", "bias")
_SINGULAR_WEIGHT = ParameterSpec("weight", "dweight", "weight")
_SINGULAR_BIAS = ParameterSpec("bias", "dbias", "bias")


def declared_parameters(layer: object) -> tuple[ParameterSpec, ...]:
    """The parameters ``layer`` has, frozen or not (files and ``Model`` need them all).

    A layer declares them in ``parameter_specs``, a tuple set on the class or, where an
    instance's parameters depend on its arguments (``Layer_Dense(..., bias=False)``), on the
    instance; otherwise the book's convention applies: a layer with ``weights`` (and
    ``biases`` if present) has parameters, as ``Model`` decides in the book, and so does one
    using the course notes' singular ``weight``/``bias``.
    """
    declared = getattr(layer, "parameter_specs", None)
    if isinstance(declared, tuple):
        return declared
    if hasattr(layer, "weights"):
        return (WEIGHTS, BIASES) if hasattr(layer, "biases") else (WEIGHTS,)
    if hasattr(layer, "weight"):
        return (_SINGULAR_WEIGHT, _SINGULAR_BIAS) if hasattr(layer, "bias") else (_SINGULAR_WEIGHT,)
    return ()


def trainable_parameters(layer: object) -> tuple[ParameterSpec, ...]:
    """The parameters an optimizer updates on ``layer``: none if it is frozen
    (``layer.trainable = False``), else its :func:`declared_parameters`."""
    if not is_trainable(layer):
        return ()
    return declared_parameters(layer)


def is_trainable(layer: object) -> bool:
    """``layer.trainable`` (True if it has none), which must be True or False: the one place
    that reads it, so a ``trainable = 0`` set on a layer written by hand is an error too."""
    trainable = getattr(layer, "trainable", True)
    if not isinstance(trainable, bool | np.bool_):
        raise TypeError(
            f"{describe(layer)}: trainable must be True or False, got {trainable!r:.60} "
            f"({type(trainable).__name__})"
        )
    return bool(trainable)


def describe(layer: object) -> str:
    """A short name for messages: the layer's ``name`` if it has one, else its repr."""
    name = getattr(layer, "name", None)
    return f"{type(layer).__name__} {name!r}" if name else repr(layer)


class Parameter:
    """One parameter of a layer, seen as PyTorch's optimizers see a tensor: a handle, no copy.

    * ``data``: the layer's array (``layer.weights``), read at each access;
    * ``grad``: its gradient (``layer.dweights``), read at each access, since ``backward``
      replaces it; setting it (``p.grad = None``, as ``zero_grad`` does) sets the layer's;
    * ``name`` (``"weights"``, or ``"dense1.weights"`` from a Model), ``shape``, ``dtype``;
    * ``requires_grad``: the layer's ``trainable`` (a layer is frozen as a whole).

    Two handles on the same attribute of the same layer are equal (and hash alike), so an
    optimizer can tell that a parameter was given twice.
    """

    __slots__ = ("layer", "name", "spec")

    def __init__(self, layer: object, spec: ParameterSpec, name: str | None = None) -> None:
        self.layer = layer
        self.spec = spec
        self.name = spec.name if name is None else name

    @property
    def data(self) -> Any:
        return getattr(self.layer, self.spec.name)

    @data.setter
    def data(self, value: Any) -> None:
        setattr(self.layer, self.spec.name, value)

    @property
    def grad(self) -> Any:
        return getattr(self.layer, self.spec.gradient, None)

    @grad.setter
    def grad(self, value: Any) -> None:
        setattr(self.layer, self.spec.gradient, value)

    @property
    def requires_grad(self) -> bool:
        return getattr(self.layer, "trainable", True) is not False

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        self.layer.trainable = bool(value)

    @property
    def shape(self) -> tuple[int, ...]:
        return self.data.shape

    @property
    def dtype(self) -> Any:
        return self.data.dtype

    def _key(self) -> tuple[int, str]:
        return (id(self.layer), self.spec.name)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Parameter):
            return NotImplemented
        return self.layer is other.layer and self.spec.name == other.spec.name

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"Parameter({self.name!r}, shape={tuple(self.shape)}, dtype={self.dtype})"


def named_parameters_of(layer: object, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
    """``(name, Parameter)`` for every parameter of ``layer``, frozen or not, in declared
    order; names are the attributes, after ``prefix + "."`` if a prefix is given."""
    for spec in declared_parameters(layer):
        name = f"{prefix}.{spec.name}" if prefix else spec.name
        yield name, Parameter(layer, spec, name)


def parameters_of(layer: object) -> Iterator[Parameter]:
    """Every parameter of ``layer`` as a :class:`Parameter` (PyTorch's ``module.parameters()``)."""
    for _, parameter in named_parameters_of(layer):
        yield parameter
