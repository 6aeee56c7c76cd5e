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
    memory_order,
    output_size,
    pad_images,
    pair,
    reuse,
    sliding_windows,
    symmetric_padding,
    unpad_images,
    zeros_like_layout,
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
        # As given (a list read back from a file is the pair it was)
        self.padding_argument = tuple(padding) if isinstance(padding, list) else padding
        self.inputs = None
        self._cols = None

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, int, int]:
        """One sample's output shape ``(C, Ho, Wo)`` for one sample's input ``(C, H, W)``."""
        height, width = output_size(
            f"{self!r}.output_shape", "pool_size", tuple(input_shape[-2:]), self.padding,
            self.pool_size, self.stride,
        )  # fmt: skip
        return input_shape[0], height, width

    def __repr__(self) -> str:
        options = [str(compact(self.pool_size))]
        if self.stride != self.pool_size:
            options.append(f"stride={compact(self.stride)}")
        if self.padding_argument != 0:
            options.append(f"padding={self.padding_argument!r}")
        return f"{type(self).__name__}({', '.join(options)})"

    def _gather(self, inputs: np.ndarray) -> np.ndarray:
        """Check ``inputs``; return ``cols`` of shape ``(kh·kw, N·C·Ho·Wo)``, row ``(p, q)``
        holding the pixel at that offset of every window, and remember the shapes.

        The columns follow the order the inputs lie in memory (``self.order``): NCHW for
        C-ordered inputs, CHWN for a convolution's output, which is stored samples last, so
        that the copy reads long runs of adjacent numbers either way."""
        inputs = as_images(self, "inputs", inputs)
        size = output_size(
            self, "pool_size", inputs.shape[2:], self.padding, self.pool_size, self.stride
        )
        self.inputs = inputs
        self.output_shape = (*inputs.shape[:2], *size)
        padded = pad_images(inputs, self.padding, self.padding_value)
        self.padded_shape = padded.shape
        self.order = memory_order(padded)
        windows = sliding_windows(padded, self.pool_size, self.stride, _NO_DILATION, size)
        windows = windows.transpose(4, 5, *self.order)
        # Into the array of the last pass (see reuse); only forward reads it
        shape = (self.pool_size[0] * self.pool_size[1], int(np.prod(self.output_shape)))
        self._cols = reuse(self._cols, shape, padded.dtype)
        np.copyto(self._cols.reshape(windows.shape), windows)
        return self._cols

    def _as_output(self, values: np.ndarray) -> np.ndarray:
        """One value per column of ``cols`` as the NCHW output (laid out as the inputs)."""
        stored = values.reshape([self.output_shape[axis] for axis in self.order])
        return stored.transpose(np.argsort(self.order))

    def _zero_gradient(self, dtype: np.dtype) -> tuple[np.ndarray, np.ndarray]:
        """Zeros for the padded inputs' gradient, laid out as the inputs (see
        :func:`~nnlite.layers.windows.zeros_like_layout`)."""
        return zeros_like_layout(self.padded_shape, self.order, dtype)

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
        self.output = self._as_output(maxima)
        return self.output

    def backward(self, dvalues: np.ndarray) -> np.ndarray:
        dvalues = self._check_dvalues(dvalues)
        stored, dpadded = self._zero_gradient(dvalues.dtype)
        # Where in memory each window's maximum is: its first pixel plus the offset
        steps = tuple(int(stride) // dpadded.itemsize for stride in dpadded.strides)
        positions = self._window_starts(steps) + np.take(self._offset_steps(steps), self.argmax)
        # Add each gradient onto its maximum's pixel; np.add.at adds twice where two
        # overlapping windows chose the same pixel (a plain assignment would keep only one)
        dvalues_columns = dvalues.transpose(self.order).reshape(-1)
        np.add.at(stored.reshape(-1), positions, dvalues_columns)
        self.dinputs = unpad_images(dpadded, self.padding)
        return self.dinputs

    def _window_starts(self, steps: tuple[int, ...]) -> np.ndarray:
        """Where each window's top-left pixel is in memory, in the order of the columns;
        ``steps`` are the padded gradient's strides in numbers (not bytes). The same for
        every batch of the same shape, so kept from the last pass."""
        key = (self.output_shape, steps, self.order, self.stride)
        if getattr(self, "_starts_key", None) != key:
            self._starts = self._compute_window_starts(steps)
            self._starts_key = key
        return self._starts

    def _compute_window_starts(self, steps: tuple[int, ...]) -> np.ndarray:
        n_stride, c_stride, row_stride, column_stride = steps
        n_samples, channels, out_height, out_width = self.output_shape
        starts = (
            np.arange(n_samples).reshape(-1, 1, 1, 1) * n_stride
            + np.arange(channels).reshape(1, -1, 1, 1) * c_stride
            + np.arange(out_height).reshape(1, 1, -1, 1) * (self.stride[0] * row_stride)
            + np.arange(out_width).reshape(1, 1, 1, -1) * (self.stride[1] * column_stride)
        )
        return starts.transpose(self.order).reshape(-1)

    def _offset_steps(self, steps: tuple[int, ...]) -> np.ndarray:
        """How far in memory offset ``(p, q)`` is from a window's top-left pixel."""
        kh, kw = self.pool_size
        row_stride, column_stride = steps[2:]
        offsets = np.arange(kh).reshape(-1, 1) * row_stride + np.arange(kw) * column_stride
        return offsets.reshape(-1)


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
        self.output = self._as_output(cols.sum(axis=0) / len(cols))
        return self.output

    def backward(self, dvalues: np.ndarray) -> np.ndarray:
        dvalues = self._check_dvalues(dvalues)
        kh, kw = self.pool_size
        # Each pixel of a window has the same share of the window's gradient
        share = dvalues / (kh * kw)
        _, dpadded = self._zero_gradient(share.dtype)
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
    # The smallest integers that hold every offset: a quarter of the memory traffic of intp
    dtype = np.int8 if len(cols) <= np.iinfo(np.int8).max else np.intp
    offsets = np.full(maxima.shape, len(cols) - 1, dtype=dtype)
    # From the last offset to the first, so that the first maximum is the one that stays
    for offset in range(len(cols) - 2, -1, -1):
        is_max = cols[offset] == maxima
        # offsets = offset where is_max, unchanged elsewhere
        offsets -= is_max * (offsets - offset)
    return offsets
