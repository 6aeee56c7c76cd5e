"""The PyTorch bridge for image layers: convolution, pooling, flatten and batch normalization.

===================================================  ============================================
nnlite                                               torch
===================================================  ============================================
``Layer_Conv2D(C, F, k, stride, padding, dilation)``  ``nn.Conv2d(C, F, k, stride, padding,
                                                     dilation)``: the same ``weight`` layout
                                                     ``(F, C, kh, kw)``; ``bias = biases[0]``
``Layer_MaxPool2D(k, stride, padding)``              ``nn.MaxPool2d(k, stride, padding)``
``Layer_AvgPool2D(k, stride, padding)``              ``nn.AvgPool2d(k, stride, padding)``
``Layer_Flatten()``                                  ``nn.Flatten()``
``Layer_BatchNormalization(F, momentum, epsilon)``   ``nn.BatchNorm2d`` after images (a
                                                     convolution or pooling before it), else
                                                     ``nn.BatchNorm1d``: ``weight = weights[0]``,
                                                     ``bias = biases[0]``, the running statistics
===================================================  ============================================

``networks.py`` converts the rest and calls these for the image layers. torch is
imported inside the functions: nnlite itself does not need it.
"""

from __future__ import annotations

import numpy as np

from nnlite.layers import (
    Layer_AvgPool2D,
    Layer_BatchNormalization,
    Layer_Conv2D,
    Layer_Flatten,
    Layer_MaxPool2D,
)

#: The nnlite classes this module converts
IMAGE_LAYERS = (
    Layer_Conv2D,
    Layer_MaxPool2D,
    Layer_AvgPool2D,
    Layer_Flatten,
    Layer_BatchNormalization,
)
#: After these, the values are images (N, C, H, W); after Flatten or a dense layer, rows
MAKES_IMAGES = (Layer_Conv2D, Layer_MaxPool2D, Layer_AvgPool2D)


def to_module(layer: object, images: bool) -> object:
    """The torch module computing what ``layer`` computes; ``images``: whether its inputs are
    images (it decides BatchNorm2d over BatchNorm1d)."""
    import torch
    from torch import nn

    if isinstance(layer, Layer_Conv2D):
        weight = torch.from_numpy(np.array(layer.weights, copy=True))
        padding = layer.padding_argument
        if not isinstance(padding, str):
            (top, _), (left, _) = layer.padding
            padding = (top, left)
        conv = nn.utils.skip_init(
            nn.Conv2d,
            layer.n_input_channels,
            layer.n_filters,
            layer.kernel_size,
            stride=layer.stride,
            padding=padding,
            dilation=layer.dilation,
            bias=layer.has_biases,
            dtype=weight.dtype,
        )
        with torch.no_grad():
            conv.weight.copy_(weight)
            if layer.has_biases:
                conv.bias.copy_(torch.from_numpy(np.array(layer.biases[0], copy=True)))
        conv.requires_grad_(getattr(layer, "trainable", True) is not False)
        return conv
    if isinstance(layer, Layer_MaxPool2D | Layer_AvgPool2D):
        (top, _), (left, _) = layer.padding
        torch_class = nn.MaxPool2d if isinstance(layer, Layer_MaxPool2D) else nn.AvgPool2d
        return torch_class(layer.pool_size, stride=layer.stride, padding=(top, left))
    if isinstance(layer, Layer_Flatten):
        return nn.Flatten()
    if isinstance(layer, Layer_BatchNormalization):
        torch_class = nn.BatchNorm2d if images else nn.BatchNorm1d
        dtype = torch.from_numpy(np.asarray(layer.running_mean)).dtype
        norm = torch_class(
            layer.n_features,
            eps=layer.epsilon,
            momentum=layer.momentum,
            affine=layer.affine,
            dtype=dtype,
        )
        with torch.no_grad():
            norm.running_mean.copy_(torch.from_numpy(np.array(layer.running_mean[0])))
            norm.running_var.copy_(torch.from_numpy(np.array(layer.running_var[0])))
            if layer.affine:
                norm.weight.copy_(torch.from_numpy(np.array(layer.weights[0])))
                norm.bias.copy_(torch.from_numpy(np.array(layer.biases[0])))
                norm.requires_grad_(getattr(layer, "trainable", True) is not False)
        return norm
    raise TypeError(f"{layer!r} is not an image layer")


def from_module(module: object, where: str) -> object | None:
    """The nnlite layer computing what ``module`` computes, or None if it is none of the
    image modules; a setting nnlite does not have raises a ValueError naming it."""
    from torch import nn

    if type(module) is nn.Conv2d:
        _refuse(
            where,
            groups=module.groups != 1,
            padding_mode=module.padding_mode != "zeros",
        )
        layer = Layer_Conv2D(
            module.in_channels,
            module.out_channels,
            module.kernel_size,
            stride=module.stride,
            padding=module.padding,
            dilation=module.dilation,
            bias=module.bias is not None,
            rng=np.random.default_rng(0),
        )
        layer.weights = _array(module.weight, where)
        if module.bias is not None:
            layer.biases = _array(module.bias, where).reshape(1, -1)
        layer.trainable = bool(module.weight.requires_grad)
        return layer
    if type(module) in (nn.MaxPool2d, nn.AvgPool2d):
        if type(module) is nn.MaxPool2d:
            _refuse(
                where,
                dilation=module.dilation not in (1, (1, 1)),
                ceil_mode=module.ceil_mode,
                return_indices=module.return_indices,
            )
            return Layer_MaxPool2D(module.kernel_size, module.stride, module.padding)
        _refuse(
            where,
            ceil_mode=module.ceil_mode,
            count_include_pad=not module.count_include_pad,
            divisor_override=module.divisor_override is not None,
        )
        return Layer_AvgPool2D(module.kernel_size, module.stride, module.padding)
    if type(module) is nn.Flatten:
        _refuse(where, start_dim=module.start_dim != 1, end_dim=module.end_dim != -1)
        return Layer_Flatten()
    if type(module) in (nn.BatchNorm1d, nn.BatchNorm2d):
        _refuse(
            where,
            track_running_stats=not module.track_running_stats,
            momentum=module.momentum is None,
        )
        layer = Layer_BatchNormalization(
            module.num_features,
            momentum=module.momentum,
            epsilon=module.eps,
            affine=module.affine,
        )
        layer.running_mean = _array(module.running_mean, where).reshape(1, -1)
        layer.running_var = _array(module.running_var, where).reshape(1, -1)
        if module.affine:
            layer.weights = _array(module.weight, where).reshape(1, -1)
            layer.biases = _array(module.bias, where).reshape(1, -1)
            layer.trainable = bool(module.weight.requires_grad)
        return layer
    return None


def _array(tensor: object, where: str) -> np.ndarray:
    import torch

    values = tensor.detach().cpu()
    if values.dtype not in (torch.float16, torch.float32, torch.float64):
        raise TypeError(
            f"{where} has dtype {values.dtype}; convert the network with .float() or "
            f".double() first"
        )
    return values.numpy().copy()


def _refuse(where: str, **settings: bool) -> None:
    """Raise, naming the first setting (given as ``name=is_unsupported``) nnlite lacks."""
    for name, unsupported in settings.items():
        if unsupported:
            raise ValueError(f"{where}: nnlite has no counterpart of its {name} setting")
