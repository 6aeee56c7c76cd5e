"""Windows over images: what convolution and pooling share.

Images are in NCHW order, as PyTorch stores them: ``(n_samples, channels, height, width)``.
A layer with a ``kh × kw`` window, a stride ``(sh, sw)`` and a dilation ``(dh, dw)`` looks, for
the output pixel ``(i, j)``, at the input pixels::

    (i·sh + p·dh,  j·sw + q·dw)      for p < kh and q < kw

of the padded input. Its output has ``Ho × Wo`` pixels, where (PyTorch's formula)::

    Ho = (padded height - dh·(kh - 1) - 1) // sh + 1

:func:`sliding_windows` gives every window at once as a strided *view* of shape
``(N, C, Ho, Wo, kh, kw)``: no pixel is copied, the view only steps through the same memory
with other strides. Fixing the last two indices to ``(p, q)`` gives the pixels each window sees
at that offset, an ``(N, C, Ho, Wo)`` array; this is how the layers add gradients back onto
their inputs (one addition per offset, so ``kh·kw`` additions, not one per pixel).
"""

from __future__ import annotations

import numbers

import numpy as np
from numpy.lib.stride_tricks import as_strided

#: ((top, bottom), (left, right)): the rows and columns added around each image
Padding = tuple[tuple[int, int], tuple[int, int]]


def pair(where: object, name: str, value: object, *, minimum: int = 1) -> tuple[int, int]:
    """``value`` (an int or a pair of ints, each at least ``minimum``) as a pair of ints."""
    values = tuple(value) if isinstance(value, (tuple, list)) else (value, value)
    expected = "a whole number" if minimum == 0 else "a positive whole number"
    expected = f"{expected}{' >= 0' if minimum == 0 else ''} or a pair (height, width) of them"
    if len(values) != 2:
        raise ValueError(f"{where}: {name} must be {expected}, got {value!r}")
    for item in values:
        if isinstance(item, bool) or not isinstance(item, numbers.Integral):
            raise TypeError(
                f"{where}: {name} must be {expected}, got {value!r} ({type(item).__name__})"
            )
        if item < minimum:
            raise ValueError(f"{where}: {name} must be {expected}, got {value!r}")
    return int(values[0]), int(values[1])


def compact(values: tuple[int, int]) -> int | tuple[int, int]:
    """A pair as it is usually written: ``3`` for ``(3, 3)``, else the pair (for reprs)."""
    return values[0] if values[0] == values[1] else values


def symmetric_padding(where: object, value: object) -> Padding:
    """The padding of an int or ``(height, width)`` pair: that many rows (columns) each side."""
    rows, columns = pair(where, "padding", value, minimum=0)
    return (rows, rows), (columns, columns)


def as_images(where: object, name: str, values: object, channels: int | None = None) -> np.ndarray:
    """Return ``values`` as a 4-D NCHW array, or raise with the shape received (no copy)."""
    array = values if isinstance(values, np.ndarray) else np.asarray(values)
    expected = f"(n_samples, {channels if channels else 'channels'}, height, width)"
    if array.ndim != 4:
        hint = ""
        if array.ndim == 3:
            hint = " A single image needs a batch axis: use x[np.newaxis]."
        elif array.ndim == 2:
            hint = (
                " A batch of flattened images needs its shape back, e.g. "
                "x.reshape(-1, 1, 28, 28) for 28 × 28 grey images."
            )
        raise ValueError(
            f"{where}: {name} must be a 4-D array of shape {expected} (NCHW, as PyTorch), "
            f"got a {array.ndim}-D array of shape {array.shape}.{hint}"
        )
    if channels is not None and array.shape[1] != channels:
        raise ValueError(
            f"{where}: {name} must have {channels} channel(s) on axis 1, shape {expected}, got "
            f"shape {array.shape} with {array.shape[1]}. Check the previous layer's number of "
            f"filters; images stored channels last (NHWC) need x.transpose(0, 3, 1, 2)."
        )
    if array.dtype.kind not in "biuf":  # booleans, integers and real floats
        raise TypeError(f"{where}: {name} must hold real numbers, got dtype {array.dtype}")
    return array


def output_size(
    where: object,
    argument: str,
    image_size: tuple[int, int],
    padding: Padding,
    kernel: tuple[int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int] = (1, 1),
) -> tuple[int, int]:
    """``(Ho, Wo)``; raise if the window (named ``argument``) is larger than the padded image."""
    size = []
    for axis in range(2):
        padded = image_size[axis] + sum(padding[axis])
        span = dilation[axis] * (kernel[axis] - 1) + 1
        if span > padded:
            spans = ""
            if span > kernel[axis]:
                spans = f" (spanning {span} pixels with dilation {dilation})"
            raise ValueError(
                f"{where}: the window {argument}={kernel}{spans} must fit in the padded input, "
                f"got images of {image_size[0]} × {image_size[1]} pixels, "
                f"{image_size[0] + sum(padding[0])} × {image_size[1] + sum(padding[1])} with "
                f"padding {padding} (as (top, bottom), (left, right)). Use a smaller window or "
                f"more padding, or check that the images have the size the network expects."
            )
        size.append((padded - span) // stride[axis] + 1)
    return size[0], size[1]


def pad_images(images: np.ndarray, padding: Padding, value: float = 0) -> np.ndarray:
    """``images`` with ``value`` around each one (the array itself when the padding is 0)."""
    (top, bottom), (left, right) = padding
    if top == bottom == left == right == 0:
        return images
    n, c, height, width = images.shape
    padded = np.full((n, c, top + height + bottom, left + width + right), value, images.dtype)
    padded[:, :, top : top + height, left : left + width] = images
    return padded


def unpad_images(padded: np.ndarray, padding: Padding) -> np.ndarray:
    """The inner part of ``padded``, without the padding (a new C-ordered array when cut)."""
    (top, bottom), (left, right) = padding
    if top == bottom == left == right == 0:
        return padded
    height, width = padded.shape[2] - bottom, padded.shape[3] - right
    return np.ascontiguousarray(padded[:, :, top:height, left:width])


def sliding_windows(
    images: np.ndarray,
    kernel: tuple[int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
    size: tuple[int, int],
    *,
    writeable: bool = False,
) -> np.ndarray:
    """Every window of ``images`` as a view of shape ``(N, C, Ho, Wo, kh, kw)``.

    ``view[n, c, i, j, p, q] = images[n, c, i·sh + p·dh, j·sw + q·dw]``. With
    ``writeable=True``, ``view[..., p, q] += values`` adds into ``images`` (for a fixed
    offset no two windows share a pixel, so nothing is added twice into one place).
    """
    n_stride, c_stride, row_stride, column_stride = images.strides
    return as_strided(
        images,
        shape=(*images.shape[:2], *size, *kernel),
        strides=(
            n_stride,
            c_stride,
            row_stride * stride[0],
            column_stride * stride[1],
            row_stride * dilation[0],
            column_stride * dilation[1],
        ),
        writeable=writeable,
    )


def memory_order(array: np.ndarray) -> tuple[int, ...]:
    """The axes of ``array`` from the largest stride to the smallest: the order its numbers
    lie in memory. ``(0, 1, 2, 3)`` for a C-ordered NCHW array, ``(1, 2, 3, 0)`` for one stored
    with the samples last, as :class:`~nnlite.layers.conv2d.Layer_Conv2D` returns its output.
    """
    return tuple(sorted(range(array.ndim), key=lambda axis: -abs(array.strides[axis])))


def zeros_like_layout(shape: tuple[int, ...], order: tuple[int, ...], dtype: np.dtype):
    """Zeros of ``shape`` stored in memory in ``order`` (see :func:`memory_order`): returns
    the array in that order (C-contiguous, for flat indexing) and the view of it in
    ``shape``'s axis order."""
    stored = np.zeros(tuple(shape[axis] for axis in order), dtype=dtype)
    return stored, stored.transpose(np.argsort(order))


def reuse(array: np.ndarray | None, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """``array`` if it has this shape and dtype, else a new empty one: a work array kept on a
    layer from one pass to the next. Allocating a new array of a few MB in every step costs
    the operating system's zeroing of its pages, about as long as filling it."""
    if array is not None and array.shape == shape and array.dtype == dtype:
        return array
    return np.empty(shape, dtype=dtype)


def copy_samples_last(destination: np.ndarray, images: np.ndarray) -> None:
    """``destination[c, h, w, n] = images[n, c, h, w]``: NCHW ``images`` copied into an array
    of shape ``(C, H, W, N)``, the samples last (see ``Layer_Conv2D``).

    Read straight from C-ordered images, this copy steps from one sample to the next by a
    whole image; when that is a multiple of 4 KiB (a 32 × 32 image of float32), every such
    read falls in the same set of the CPU's cache, and the copy is several times slower.
    The images are then first copied into rows one cache line longer than an image.
    """
    if images.size and images.flags.c_contiguous and images[0].nbytes % 4096 == 0:
        n_samples = len(images)
        row = images[0].size + 64 // images.itemsize
        staged = np.empty((n_samples, row), dtype=images.dtype)[:, : images[0].size]
        np.copyto(staged, images.reshape(n_samples, -1))
        images = staged.reshape(images.shape)
    np.copyto(destination, images.transpose(1, 2, 3, 0))
