"""PyTorch bridge: an nnlite Model as a ``torch.nn.Sequential``, and back.

For when a network outgrows nnlite (GPUs, distributed training, layers nnlite does not have)::

    sequential = to_torch(model)       # the same network, the same outputs
    model = from_torch(sequential)     # an nnlite Model, finalized, for the supported layers

and, to go on training on the other side, with the optimizer and its state::

    sequential, torch_optimizer = to_torch(model, optimizer)
    model, optimizer = from_torch(sequential, torch_optimizer)  # an nnlite.optim optimizer

(see ``optimizer_state.py`` for how the state is converted, and what cannot cross).

===============================  =============================================================
nnlite                           torch
===============================  =============================================================
``Layer_Dense(n_in, n_out)``     ``nn.Linear(n_in, n_out)``: ``weight = weightsᵀ``,
                                 ``bias = biases[0]``
``Activation_ReLU``              ``nn.ReLU()``
``Activation_Sigmoid``           ``nn.Sigmoid()``
``Activation_Tanh``              ``nn.Tanh()``
``Activation_LeakyReLU(alpha)``  ``nn.LeakyReLU(negative_slope=alpha)``
``Activation_Softmax``           ``nn.Softmax(dim=1)``
``Activation_Linear``            ``nn.Identity()``
``Layer_Dropout(rate)``          ``nn.Dropout(p=rate)``
===============================  =============================================================

Convolution, pooling, flatten and batch normalization: see ``image_layers.py``.

nnlite stores a dense layer's weights as ``(n_inputs, n_neurons)`` and computes
``inputs · weights + biases``; torch stores ``(out_features, in_features)`` and computes
``x · weightᵀ + bias``: hence the transpose. The arrays are copied, in their dtype (float64
stays float64; the biases take the weights' dtype). A frozen layer (``trainable = False``)
becomes parameters with ``requires_grad=False``, and back.

What does not carry over: the loss, the accuracy, the optimizer and its state (unless given
as the second argument), and the regularizers (torch puts an L2 penalty in the optimizer: the
book's ``λ·Σw²`` has the gradient ``2λ·w``, which is ``weight_decay=2λ`` in
``torch.optim.SGD``). Dropout draws its masks from torch's generator, so training steps with
dropout differ; in evaluation mode (``sequential.eval()``, like ``model.predict``) the outputs
are the same.

torch is imported inside the functions: nnlite itself does not need it.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import TYPE_CHECKING

import numpy as np

from nnlite.activations import (
    Activation_LeakyReLU,
    Activation_Linear,
    Activation_ReLU,
    Activation_Sigmoid,
    Activation_Softmax,
    Activation_Tanh,
)
from nnlite.layers import Layer_Dense, Layer_Dropout
from nnlite.torch_bridge import image_layers
from nnlite.torch_bridge.optimizer_state import nnlite_optimizer, torch_optimizer
from nnlite.training.model import Model

if TYPE_CHECKING:
    import torch

_SUPPORTED_NNLITE = (
    "Layer_Dense, Layer_Dropout, Activation_ReLU, Activation_Sigmoid, Activation_Tanh, "
    "Activation_LeakyReLU, Activation_Softmax, Activation_Linear, Layer_Conv2D, "
    "Layer_MaxPool2D, Layer_AvgPool2D, Layer_Flatten and Layer_BatchNormalization"
)
_SUPPORTED_TORCH = (
    "Linear, Dropout, ReLU, Sigmoid, Tanh, LeakyReLU, Softmax(dim=1), Identity, Conv2d, "
    "MaxPool2d, AvgPool2d, Flatten, BatchNorm1d/2d and nested Sequential"
)


def to_torch(
    model: Model, optimizer: object = None
) -> torch.nn.Sequential | tuple[torch.nn.Sequential, torch.optim.Optimizer]:
    """A ``torch.nn.Sequential`` computing what ``model`` computes, named as
    ``model.named_layers()`` (``sequential.dense_1``, ``sequential.relu_1``, ...).

    Like any new torch module it is in training mode; call ``.eval()`` for ``predict``'s
    outputs when the model has dropout.

    Given ``optimizer`` (the model's book-style optimizer, or an ``nnlite.optim`` one over its
    parameters), returns ``(sequential, torch_optimizer)``: the torch.optim optimizer of the
    same name over the module's parameters, with the same hyperparameters and state, so that
    training goes on in PyTorch as it would have in nnlite.
    """
    sequential = _module_for(model)
    if optimizer is None:
        return sequential
    return sequential, torch_optimizer(model, sequential, optimizer)


def _module_for(model: Model) -> torch.nn.Sequential:
    import torch
    from torch import nn

    if not isinstance(model, Model):
        raise TypeError(f"to_torch: expected an nnlite Model, got {type(model).__name__}")
    if not model.layers:
        raise ValueError("to_torch: the model has no layers")
    modules = {}
    images = False  # whether the values reaching the layer are images (N, C, H, W)
    for index, (name, layer) in enumerate(model.named_layers().items()):
        kind = type(layer)
        if kind in image_layers.IMAGE_LAYERS:
            module = image_layers.to_module(layer, images)
        elif kind is Layer_Dense:
            # torch keeps weight as (out, in): the transpose of nnlite's weights
            weight = torch.from_numpy(np.asarray(layer.weights).T.copy())
            # skip_init: no random initial values, which would be overwritten anyway
            linear = nn.utils.skip_init(
                nn.Linear,
                layer.n_inputs,
                layer.n_neurons,
                bias=layer.has_biases,  # Layer_Dense(..., bias=False) becomes bias=False
                dtype=weight.dtype,
            )
            with torch.no_grad():
                linear.weight.copy_(weight)
                if layer.has_biases:
                    linear.bias.copy_(torch.from_numpy(np.asarray(layer.biases)[0].copy()))
            linear.requires_grad_(getattr(layer, "trainable", True) is not False)
            module = linear
        elif kind is Layer_Dropout:
            module = nn.Dropout(p=layer.rate)
        elif kind is Activation_LeakyReLU:
            module = nn.LeakyReLU(negative_slope=layer.alpha)
        elif kind is Activation_Softmax:
            module = nn.Softmax(dim=1)
        elif kind in _SIMPLE_ACTIVATIONS:
            module = getattr(nn, _SIMPLE_ACTIVATIONS[kind])()
        else:
            raise TypeError(
                f"to_torch: layer {index} ({layer!r}) has no torch counterpart here; to_torch "
                f"converts {_SUPPORTED_NNLITE}"
            )
        modules[name] = module
        if kind in image_layers.MAKES_IMAGES or kind in (Layer_Dense, image_layers.Layer_Flatten):
            images = kind in image_layers.MAKES_IMAGES
    return nn.Sequential(OrderedDict(modules))


_SIMPLE_ACTIVATIONS = {
    Activation_ReLU: "ReLU",
    Activation_Sigmoid: "Sigmoid",
    Activation_Tanh: "Tanh",
    Activation_Linear: "Identity",
}


def from_torch(
    sequential: torch.nn.Sequential, torch_optimizer: object = None
) -> Model | tuple[Model, object]:
    """An nnlite Model (finalized, without loss or optimizer) computing what ``sequential``
    computes, for the modules listed in the module docstring.

    Set a loss, an optimizer and an accuracy, and finalize again, to train it. A ``Linear``
    without bias becomes a ``Layer_Dense(..., bias=False)``.

    Given ``torch_optimizer`` (a torch.optim optimizer over the module's parameters), returns
    ``(model, optimizer)``: the ``nnlite.optim`` optimizer of the same name over the model's
    parameters, holding its hyperparameters and state, which ``model.set(loss=...,
    optimizer=optimizer)`` trains with.
    """
    model = _model_for(sequential)
    if torch_optimizer is None:
        return model
    return model, nnlite_optimizer(model, sequential, torch_optimizer)


def _model_for(sequential: torch.nn.Sequential) -> Model:
    from torch import nn

    if not isinstance(sequential, nn.Sequential):
        raise TypeError(
            f"from_torch: expected a torch.nn.Sequential, got {type(sequential).__name__}"
        )
    model = Model()
    for name, module in _flattened(sequential, ""):
        model.add(_from_module(name, module))
    if not model.layers:
        raise ValueError("from_torch: the Sequential has no layers")
    model.finalize()
    return model


def _flattened(sequential: torch.nn.Sequential, prefix: str) -> list[tuple[str, object]]:
    """The modules of ``sequential`` in order, nested Sequentials opened, with dotted names."""
    from torch import nn

    modules = []
    for name, module in sequential.named_children():
        if isinstance(module, nn.Sequential):
            modules.extend(_flattened(module, f"{prefix}{name}."))
        else:
            modules.append((f"{prefix}{name}", module))
    return modules


def _from_module(name: str, module: object) -> object:
    import torch
    from torch import nn

    where = f"from_torch: module {name!r} ({module!r})"
    kind = type(module)
    if kind is nn.Linear:
        weight = module.weight.detach().cpu()
        if weight.dtype not in (torch.float16, torch.float32, torch.float64):
            raise TypeError(
                f"{where} has dtype {weight.dtype}; convert the network with .float() or "
                f".double() first"
            )
        layer = Layer_Dense(
            module.in_features,
            module.out_features,
            bias=module.bias is not None,  # nn.Linear(bias=False) becomes bias=False
            rng=np.random.default_rng(0),
        )
        layer.weights = weight.numpy().T.copy()
        if module.bias is not None:
            layer.biases = module.bias.detach().cpu().numpy().reshape(1, -1).copy()
        layer.trainable = bool(module.weight.requires_grad)
        return layer
    if kind is nn.Dropout:
        try:
            return Layer_Dropout(module.p)
        except ValueError as error:
            raise ValueError(f"{where}: {error}") from None
    if kind is nn.LeakyReLU:
        return Activation_LeakyReLU(alpha=module.negative_slope)
    if kind is nn.Softmax:
        # None: torch picks dim 1 for 2-D inputs
        if module.dim not in (1, -1, None):
            raise ValueError(
                f"{where}: nnlite's softmax runs over the classes (dim=1); got dim={module.dim}"
            )
        return Activation_Softmax()
    for activation, torch_name in _SIMPLE_ACTIVATIONS.items():
        if kind is getattr(nn, torch_name):
            return activation()
    layer = image_layers.from_module(module, where)
    if layer is not None:
        return layer
    raise TypeError(f"{where} has no nnlite counterpart; from_torch converts {_SUPPORTED_TORCH}")
