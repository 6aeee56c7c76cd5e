"""Layer_MaxPool2D and Layer_AvgPool2D: the largest or the mean value of each window.

Both slide a ``kh × kw`` window over each channel of NCHW images, as PyTorch's
``max_pool2d`` and ``avg_pool2d``, and have no parameters. The pixels of every window are
first copied, from a strided view (:func:`~nnlite.layers.windows.sliding_windows`), into the
rows of ``cols``: row ``(p, q)`` holds the pixel at offset ``(p, q)`` of every window, so that
the max or mean over a window is a reduction over the rows of one contiguous array. The loop
version, one window at a time, is in ``tests/layers/loop_reference.py``.
"""

from __future__ import annotations

import numpy as np

from nnlite.layers.base import Layer
from nnlite.layers.windows import (
    as_images,
    compact,
    output_size,
    pad_images,
    pair,
    reuse,
    sliding_windows,
    symmetric_padding,
    unpad_images,
)
from nnlite.validation import check_same_shape, require_forward

_NO_DILATION = (1, 1)


class _Pooling2D(Layer):
    """What both poolings share: the window, its checks and the gathering of its pixels."""

    #: The value of the padding: -inf for max-pooling (never the maximum), 0 for averaging
    padding_value = 0.0

    def __init__(
        self,
        pool_size: int | tuple[int, int] = 2,
        stride: int | tuple[int, int] | None = None,
        padding: int | tuple[int, int] = 0,
    ) -> None:
        where = f"{type(self).__name__}({pool_size!r})"
        self.pool_size = pair(where, "pool_size", pool_size)
        self.stride = self.pool_size if stride is None else pair(where, "stride", stride)
        self.padding = symmetric_padding(where, padding)
        half = tuple(size // 2 for size in self.pool_size)
        if any(pad > limit for (pad, _), limit in zip(self.padding, half, strict=True)):
            raise ValueError(
                f"{where}: padding must be at most half the window, {half} for pool_size="
                f"{self.pool_size} (as in PyTorch; a window of padding alone would have no "
                f"pixel to pool), got padding={padding!r}"
            )
        self.padding_argument = padding
        self.inputs = None
        self._cols = None

    def __repr__(self) -> str:
        options = [str(compact(self.pool_size))]
        if self.stride != self.pool_size:
            options.append(f"stride={compact(self.stride)}")
        if self.padding_argument != 0:
            options.append(f"padding={self.padding_argument!r}")
        return f"{type(self).__name__}({', '.join(options)})"

    def _gather(self, inputs: np.ndarray) -> np.ndarray:
        """Check ``inputs``; return ``cols`` of shape ``(kh·kw, N·C·Ho·Wo)``, row ``(p, q)``
        holding the pixel at that offset of every window, and remember the shapes."""
        inputs = as_images(self, "inputs", inputs)
        size = output_size(
            self, "pool_size", inputs.shape[2:], self.padding, self.pool_size, self.stride
        )
        self.inputs = inputs
        self.output_shape = (*inputs.shape[:2], *size)
        padded = pad_images(inputs, self.padding, self.padding_value)
        self.padded_shape = padded.shape
        windows = sliding_windows(padded, self.pool_size, self.stride, _NO_DILATION, size)
        windows = windows.transpose(4, 5, 0, 1, 2, 3)
        # Into the array of the last pass (see reuse); only forward reads it
        shape = (self.pool_size[0] * self.pool_size[1], windows[0, 0].size)
        self._cols = reuse(self._cols, shape, padded.dtype)
        np.copyto(self._cols.reshape(windows.shape), windows)
        return self._cols

    def _check_dvalues(self, dvalues: np.ndarray) -> np.ndarray:
        require_forward(self, self)
        return check_same_shape(self, "dvalues", dvalues, self.output_shape)


class Layer_MaxPool2D(_Pooling2D):
    """Max-pooling: each output pixel is the largest input pixel of its window.

    Forward, for each sample ``n``, channel ``c`` and output pixel ``(i, j)``, with the input
    padded with -inf::

        output[n, c, i, j] = max over p < kh, q < kw of padded[n, c, i·sh + p, j·sw + q]

    Backward: each ``dvalues[n, c, i, j]`` goes to the one pixel that was the maximum, the
    others of the window get nothing from it (overlapping windows add up). When several
    pixels tie for the maximum, the first in the window, in row-major order, gets it, as in
    PyTorch. A window holding NaN outputs NaN.

    Parameters
    ----------
    pool_size:
        The window ``kh × kw``, an int for a square or a pair (default 2).
    stride:
        Steps between windows; ``None`` (default) makes it the window's size, so the windows
        tile the image. A smaller stride (3 with stride 2) makes them overlap.
    padding:
        Rows and columns of -inf added on each side (default 0), at most half the window.
    """

    padding_value = -np.inf

    def forward(self, inputs: np.ndarray, training: bool = False) -> np.ndarray:
        cols = self._gather(inputs)
        # The largest pixel of each window, and at which offset of the window it is
        maxima = cols.max(axis=0)
        self.argmax = _first_offset_of(maxima, cols)
        self.output = maxima.reshape(self.output_shape)
        return self.output

    def backward(self, dvalues: np.ndarray) -> np.ndarray:
        dvalues = self._check_dvalues(dvalues)
        dpadded = np.zeros(self.padded_shape, dtype=dvalues.dtype)
        # Where in dpadded each window's maximum is: its first pixel plus the offset
        positions = self._window_starts() + self._offset_steps()[self.argmax]
        # Add each gradient onto its maximum's pixel; np.add.at adds twice where two
        # overlapping windows chose the same pixel (a plain assignment would keep only one)
        np.add.at(dpadded.reshape(-1), positions, dvalues.reshape(-1))
        self.dinputs = unpad_images(dpadded, self.padding)
        return self.dinputs

    def _window_starts(self) -> np.ndarray:
        """The flat index in the padded input of every window's top-left pixel."""
        n_samples, channels, out_height, out_width = self.output_shape
        _, _, height, width = self.padded_shape
        image = np.arange(n_samples * channels).reshape(-1, 1, 1) * (height * width)
        row = np.arange(out_height).reshape(1, -1, 1) * (self.stride[0] * width)
        column = np.arange(out_width).reshape(1, 1, -1) * self.stride[1]
        return (image + row + column).reshape(-1)

    def _offset_steps(self) -> np.ndarray:
        """How far, in the flat padded input, offset ``(p, q)`` is from a window's start."""
        kh, kw = self.pool_size
        width = self.padded_shape[3]
        return (np.arange(kh).reshape(-1, 1) * width + np.arange(kw)).reshape(-1)


class Layer_AvgPool2D(_Pooling2D):
    """Average pooling: each output pixel is the mean of its window.

    Forward, with the input padded with zeros (which count in the mean, PyTorch's
    ``count_include_pad=True``)::

        output[n, c, i, j] = Σ over p < kh, q < kw of padded[n, c, i·sh + p, j·sw + q] / (kh·kw)

    Backward: every pixel of a window gets ``dvalues[n, c, i, j] / (kh·kw)`` (overlapping
    windows add up), and the padding's share is dropped.

    Parameters
    ----------
    pool_size:
        The window ``kh × kw``, an int for a square or a pair (default 2).
    stride:
        Steps between windows; ``None`` (default) makes it the window's size.
    padding:
        Rows and columns of zeros added on each side (default 0), at most half the window.
    """

    def forward(self, inputs: np.ndarray, training: bool = False) -> np.ndarray:
        cols = self._gather(inputs)
        # The sum over the window, in row-major order, then divided by its size (as PyTorch)
        self.output = (cols.sum(axis=0) / len(cols)).reshape(self.output_shape)
        return self.output

    def backward(self, dvalues: np.ndarray) -> np.ndarray:
        dvalues = self._check_dvalues(dvalues)
        kh, kw = self.pool_size
        # Each pixel of a window has the same share of the window's gradient
        share = dvalues / (kh * kw)
        dpadded = np.zeros(self.padded_shape, dtype=share.dtype)
        dwindows = sliding_windows(
            dpadded,
            self.pool_size,
            self.stride,
            _NO_DILATION,
            self.output_shape[2:],
            writeable=True,
        )
        for p in range(kh):
            for q in range(kw):
                dwindows[:, :, :, :, p, q] += share
        self.dinputs = unpad_images(dpadded, self.padding)
        return self.dinputs


def _first_offset_of(maxima: np.ndarray, cols: np.ndarray) -> np.ndarray:
    """For each column, the first row (window offset) holding ``maxima``: what argmax over
    axis 0 gives, computed with whole-row operations (argmax over a short axis of 4 is slow)."""
    offsets = np.full(maxima.shape, len(cols) - 1, dtype=np.intp)
    # From the last offset to the first, so that the first maximum is the one that stays
    for offset in range(len(cols) - 2, -1, -1):
        is_max = cols[offset] == maxima
        # offsets = offset where is_max, unchanged elsewhere
        offsets -= is_max * (offsets - offset)
    return offsets
