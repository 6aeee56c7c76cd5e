"""Convolution and pooling written the obvious way, one pixel at a time: the reference.

This is CS231n's ``layers.py`` next to its ``fast_layers.py``: the same rules as
``Layer_Conv2D``, ``Layer_MaxPool2D`` and ``Layer_AvgPool2D``, with a loop for every sum and no
strided views, so that each line can be read against the docstrings' formulas. The tests check
the fast layers against these functions (and both against PyTorch). They are slow: only for
small shapes.

Images are NCHW; ``padding`` is ``((top, bottom), (left, right))``.
"""

from __future__ import annotations

import numpy as np


def pad(x: np.ndarray, padding: tuple, value: float = 0.0) -> np.ndarray:
    (top, bottom), (left, right) = padding
    return np.pad(
        x, ((0, 0), (0, 0), (top, bottom), (left, right)), mode="constant", constant_values=value
    )


def output_size(size: int, padding: tuple[int, int], kernel: int, stride: int, dilation: int):
    return (size + sum(padding) - dilation * (kernel - 1) - 1) // stride + 1


def conv2d_forward(x, weights, biases, stride, padding, dilation):
    """``output[n, f, i, j] = b[f] + Σ_c Σ_p Σ_q w[f, c, p, q] · xp[n, c, i·sh + p·dh, ...]``."""
    n_samples, channels, height, width = x.shape
    n_filters, _, kh, kw = weights.shape
    (sh, sw), (dh, dw) = stride, dilation
    out_h = output_size(height, padding[0], kh, sh, dh)
    out_w = output_size(width, padding[1], kw, sw, dw)
    xp = pad(x, padding)
    output = np.zeros((n_samples, n_filters, out_h, out_w))
    for n in range(n_samples):
        for f in range(n_filters):
            for i in range(out_h):
                for j in range(out_w):
                    total = 0.0 if biases is None else biases[0, f]
                    for c in range(channels):
                        for p in range(kh):
                            for q in range(kw):
                                total += (
                                    weights[f, c, p, q] * xp[n, c, i * sh + p * dh, j * sw + q * dw]
                                )
                    output[n, f, i, j] = total
    return output


def conv2d_backward(x, weights, dvalues, stride, padding, dilation):
    """``dweights``, ``dbiases``, ``dinputs``: each product of the forward sum, differentiated."""
    n_samples, channels, height, width = x.shape
    n_filters, _, kh, kw = weights.shape
    (sh, sw), (dh, dw) = stride, dilation
    (top, _), (left, _) = padding
    _, _, out_h, out_w = dvalues.shape
    xp = pad(x, padding)
    dweights = np.zeros_like(weights)
    dbiases = np.zeros((1, n_filters))
    dpadded = np.zeros_like(xp)
    for n in range(n_samples):
        for f in range(n_filters):
            for i in range(out_h):
                for j in range(out_w):
                    gradient = dvalues[n, f, i, j]
                    dbiases[0, f] += gradient
                    for c in range(channels):
                        for p in range(kh):
                            for q in range(kw):
                                row, column = i * sh + p * dh, j * sw + q * dw
                                dweights[f, c, p, q] += gradient * xp[n, c, row, column]
                                dpadded[n, c, row, column] += gradient * weights[f, c, p, q]
    dinputs = dpadded[:, :, top : top + height, left : left + width]
    return dweights, dbiases, dinputs


def _pool_windows(x, pool_size, stride, padding, value):
    """Yield ``(n, c, i, j, rows, columns, window)`` for every window of the padded input."""
    n_samples, channels, height, width = x.shape
    (kh, kw), (sh, sw) = pool_size, stride
    out_h = output_size(height, padding[0], kh, sh, 1)
    out_w = output_size(width, padding[1], kw, sw, 1)
    xp = pad(x, padding, value)
    for n in range(n_samples):
        for c in range(channels):
            for i in range(out_h):
                for j in range(out_w):
                    rows = slice(i * sh, i * sh + kh)
                    columns = slice(j * sw, j * sw + kw)
                    yield n, c, i, j, rows, columns, xp[n, c, rows, columns]


def _pool_output_shape(x, pool_size, stride, padding):
    n_samples, channels, height, width = x.shape
    out_h = output_size(height, padding[0], pool_size[0], stride[0], 1)
    out_w = output_size(width, padding[1], pool_size[1], stride[1], 1)
    return n_samples, channels, out_h, out_w


def _unpad(dpadded, x, padding):
    (top, _), (left, _) = padding
    return dpadded[:, :, top : top + x.shape[2], left : left + x.shape[3]]


def max_pool2d_forward(x, pool_size, stride, padding):
    output = np.zeros(_pool_output_shape(x, pool_size, stride, padding))
    for n, c, i, j, _, _, window in _pool_windows(x, pool_size, stride, padding, -np.inf):
        output[n, c, i, j] = window.max()
    return output


def max_pool2d_backward(x, dvalues, pool_size, stride, padding):
    """Each gradient goes to the first maximum of its window, in row-major order."""
    dpadded = pad(np.zeros_like(x), padding)
    for n, c, i, j, rows, columns, window in _pool_windows(x, pool_size, stride, padding, -np.inf):
        p, q = np.unravel_index(np.argmax(window), window.shape)
        dpadded[n, c, rows.start + p, columns.start + q] += dvalues[n, c, i, j]
    return _unpad(dpadded, x, padding)


def avg_pool2d_forward(x, pool_size, stride, padding):
    output = np.zeros(_pool_output_shape(x, pool_size, stride, padding))
    for n, c, i, j, _, _, window in _pool_windows(x, pool_size, stride, padding, 0.0):
        total = 0.0
        for value in window.ravel():
            total += value
        output[n, c, i, j] = total / window.size
    return output


def avg_pool2d_backward(x, dvalues, pool_size, stride, padding):
    """Every pixel of a window (padding included) gets an equal share of its gradient."""
    dpadded = pad(np.zeros_like(x), padding)
    for n, c, i, j, rows, columns, window in _pool_windows(x, pool_size, stride, padding, 0.0):
        dpadded[n, c, rows, columns] += dvalues[n, c, i, j] / window.size
    return _unpad(dpadded, x, padding)
