"""The trainable-parameter protocol: how an optimizer finds what to update on a layer.

A trainable layer lists its parameters in ``parameters``: each :class:`Parameter` names the
attribute holding the array (``"weights"``), the attribute holding its gradient
(``"dweights"``) and the prefix of the optimizer state kept beside it on the layer
(``"weight"`` gives ``layer.weight_momentums``, ``layer.weight_cache``, ...). Any object with
such a tuple works with every optimizer, not only :class:`~nnlite.Layer_Dense`.

Layers written by hand in the book's style (with ``weights``/``biases``, or the course notes'
``weight``/``bias``) are recognised without declaring anything.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Parameter:
    """One trainable array of a layer and where its gradient and optimizer state live."""

    name: str
    gradient: str
    state_prefix: str


WEIGHTS = Parameter("weights", "dweights", "weight")
BIASES = Parameter("biases", "dbiases", "bias")
_SINGULAR_WEIGHT = Parameter("weight", "dweight", "weight")
_SINGULAR_BIAS = Parameter("bias", "dbias", "bias")


def declared_parameters(layer: object) -> tuple[Parameter, ...]:
    """The parameters ``layer`` has, frozen or not (checkpoints need them all).

    A layer declares them in ``layer.parameters``, its class's tuple or its own (a
    ``Layer_Conv2D(..., bias=False)`` declares only its weights); otherwise the book's
    convention applies: a layer with ``weights`` (and ``biases`` if present) is trainable, as
    ``Model`` decides in the book, and so is one using the course notes' singular
    ``weight``/``bias``.
    """
    declared = getattr(layer, "parameters", None)
    if isinstance(declared, tuple) and all(isinstance(p, Parameter) for p in declared):
        return declared
    if hasattr(layer, "weights"):
        return (WEIGHTS, BIASES) if hasattr(layer, "biases") else (WEIGHTS,)
    if hasattr(layer, "weight"):
        return (_SINGULAR_WEIGHT, _SINGULAR_BIAS) if hasattr(layer, "bias") else (_SINGULAR_WEIGHT,)
    return ()


def trainable_parameters(layer: object) -> tuple[Parameter, ...]:
    """The parameters an optimizer updates on ``layer``: none if it is frozen
    (``layer.trainable = False``), else its :func:`declared_parameters`."""
    if getattr(layer, "trainable", True) is False:
        return ()
    return declared_parameters(layer)


def describe(layer: object) -> str:
    """A short name for messages: the layer's ``name`` if it has one, else its repr."""
    name = getattr(layer, "name", None)
    return f"{type(layer).__name__} {name!r}" if name else repr(layer)
