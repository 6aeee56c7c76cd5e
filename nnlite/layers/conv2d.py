"""Layer_Conv2D: a 2-D convolution over images in NCHW order, as PyTorch's ``nn.Conv2d``."""

from __future__ import annotations

import numpy as np

from nnlite.aliases import Alias
from nnlite.layers.base import Layer
from nnlite.layers.trainable import (
    WEIGHT_INITIALIZERS,
    add_regularization_gradient,
    initial_weights,
    store_gradient,
)
from nnlite.layers.windows import (
    Padding,
    as_images,
    compact,
    copy_samples_last,
    output_size,
    pair,
    reuse,
    sliding_windows,
    symmetric_padding,
)
from nnlite.parameters import BIASES, WEIGHTS
from nnlite.validation import (
    check_non_negative,
    check_positive_int,
    check_same_shape,
    given_parameter,
    require_forward,
)


class Layer_Conv2D(Layer):
    """A 2-D convolution: ``n_filters`` small learned images slid over the input images.

    Inputs are ``(N, C, H, W)`` (NCHW, as PyTorch); ``weights`` has shape ``(F, C, kh, kw)``,
    as PyTorch stores them, and ``biases`` the book's row shape ``(1, F)``. The input is first
    padded with zeros (``padding``); then, for each sample ``n``, filter ``f`` and output pixel
    ``(i, j)``, with the stride ``(sh, sw)`` and the dilation ``(dh, dw)``::

        output[n, f, i, j] = biases[0, f] + Σ_c Σ_p Σ_q weights[f, c, p, q]
                                             · padded[n, c, i·sh + p·dh, j·sw + q·dw]

    (a cross-correlation, as in every deep-learning library). The output has
    ``Ho = (H + padding - dh·(kh - 1) - 1) // sh + 1`` rows, and ``Wo`` columns likewise.

    Backward, given ``dvalues`` (the gradient of the loss with respect to ``output``)::

        dweights[f, c, p, q] = Σ_n Σ_i Σ_j dvalues[n, f, i, j] · padded[n, c, i·sh + p·dh, ...]
                                             (+ λ₁·sign(W) + 2λ₂·W with regularization)
        dbiases[0, f]        = Σ_n Σ_i Σ_j dvalues[n, f, i, j]   (+ the same for the biases)
        dinputs              = every dvalues[n, f, i, j] · weights[f, c, p, q] added back onto
                               the input pixel it came from; the padding is then cut off

    How it runs fast (im2col, as CS231n's ``fast_layers.py``): the pixels of every window are
    copied, from a strided view (:func:`~nnlite.layers.windows.sliding_windows`), into the
    columns of a matrix ``cols`` with one row per ``(c, p, q)`` and one column per
    ``(i, j, n)``. The three sums above are then matrix products::

        output   = weights.reshape(F, C·kh·kw) · cols
        dweights = dvalues_rows · colsᵀ            (dvalues_rows: dvalues as (F, Ho·Wo·N))
        dcols    = weights.reshape(F, C·kh·kw)ᵀ · dvalues_rows

    and ``dinputs`` adds ``dcols`` back onto the input, one addition per kernel offset
    ``(p, q)``. The loop version, one pixel at a time, is in ``tests/layers/loop_reference.py``.

    ``output`` and ``dinputs`` have NCHW shapes and values, but are stored with the samples
    last in memory, the order the products come in (see ``_batch_last``); ReLU and the pooling
    layers keep that order, and the next convolution then needs no copy to get it.
    ``np.ascontiguousarray(layer.output)`` gives a C-ordered copy where one is needed.

    Parameters
    ----------
    n_input_channels, n_filters:
        Channels ``C`` of the inputs (1 for grey images, 3 for colour) and number of filters
        ``F``, which is the number of channels of the output.
    kernel_size:
        ``kh × kw`` of each filter: an int for a square, or a pair ``(kh, kw)``.
    stride:
        Steps between windows (default 1), an int or a pair.
    padding:
        Zeros added around each image (default 0): an int or a pair ``(rows, columns)`` for
        each side; ``"valid"`` is 0, and ``"same"`` pads so that the output has the input's
        size (stride 1 only; an odd total puts the extra row and column after, as PyTorch).
    dilation:
        Spacing between the pixels a filter sees (default 1, adjacent pixels).
    bias:
        With ``bias=False`` the layer has no ``biases`` and only ``weights`` is trainable.
    weight_regularizer_l1, weight_regularizer_l2, bias_regularizer_l1, bias_regularizer_l2:
        Strengths λ of the L1 (λ·Σ|w|) and L2 (λ·Σw²) penalties; 0 turns a penalty off.
    weight_initializer:
        ``"book"`` (default): ``weight_scale · randn``, as the book's dense layer;
        ``"he"``: normal with std √(2/fan_in); ``"glorot"``: uniform in
        ±√(6/(fan_in + fan_out)), with ``fan_in = C·kh·kw`` and ``fan_out = F·kh·kw``.
    weight_scale:
        The factor of the ``"book"`` initializer.
    rng:
        A ``np.random.Generator`` to draw the weights from; ``None`` draws from the global
        ``np.random`` stream, as the book's layers do.
    dtype:
        Cast the parameters to this dtype (for example ``np.float32``) after drawing them.
    name:
        A name for messages, summaries and checkpoints.

    Paper: LeCun et al., "Gradient-based learning applied to document recognition" (1998).
    """

    parameter_specs = (WEIGHTS, BIASES)
    weight = Alias("weights")
    bias = Alias("biases")
    dweight = Alias("dweights")
    dbias = Alias("dbiases")

    def __init__(
        self,
        n_input_channels: int,
        n_filters: int,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] | str = 0,
        *,
        dilation: int | tuple[int, int] = 1,
        bias: bool = True,
        weight_regularizer_l1: float = 0,
        weight_regularizer_l2: float = 0,
        bias_regularizer_l1: float = 0,
        bias_regularizer_l2: float = 0,
        weight_initializer: str = "book",
        weight_scale: float = 0.01,
        rng: np.random.Generator | None = None,
        dtype: np.dtype | type | str | None = None,
        name: str | None = None,
        weights: np.ndarray | None = None,
        biases: np.ndarray | None = None,
    ) -> None:
        where = f"Layer_Conv2D({n_input_channels!r}, {n_filters!r}, {kernel_size!r})"
        n_input_channels = check_positive_int(where, "n_input_channels", n_input_channels)
        n_filters = check_positive_int(where, "n_filters", n_filters)
        self.kernel_size = pair(where, "kernel_size", kernel_size)
        self.stride = pair(where, "stride", stride)
        self.dilation = pair(where, "dilation", dilation)
        self.padding = _padding(where, padding, self.kernel_size, self.stride, self.dilation)
        # As given (a list read back from a file is the pair it was)
        self.padding_argument = tuple(padding) if isinstance(padding, list) else padding
        for argument, value in (
            ("weight_regularizer_l1", weight_regularizer_l1),
            ("weight_regularizer_l2", weight_regularizer_l2),
            ("bias_regularizer_l1", bias_regularizer_l1),
            ("bias_regularizer_l2", bias_regularizer_l2),
        ):
            check_non_negative(where, argument, value)
        if not bias and (bias_regularizer_l1 or bias_regularizer_l2):
            raise ValueError(
                f"{where}: bias_regularizer_l1 and bias_regularizer_l2 need biases, but "
                f"bias=False; got {bias_regularizer_l1} and {bias_regularizer_l2}"
            )
        if weight_initializer not in WEIGHT_INITIALIZERS:
            raise ValueError(
                f"{where}: weight_initializer must be one of {WEIGHT_INITIALIZERS}, "
                f"got {weight_initializer!r}"
            )
        check_non_negative(where, "weight_scale", weight_scale)

        # Initialize the filters (one draw from the stream) and the biases, unless they are
        # given (loading a file: nothing is drawn, so a file cannot make us draw)
        kh, kw = self.kernel_size
        shape = (n_filters, n_input_channels, kh, kw)
        if weights is None:
            weights = initial_weights(
                shape,
                n_input_channels * kh * kw,
                n_filters * kh * kw,
                weight_initializer,
                weight_scale,
                rng,
            )
        else:
            weights = given_parameter(where, "weights", weights, shape)
        self.weights = weights if dtype is None else weights.astype(dtype)
        if bias:
            if biases is None:
                biases = np.zeros((1, n_filters), dtype=self.weights.dtype)
            else:
                biases = given_parameter(where, "biases", biases, (1, n_filters))
            self.biases = biases if dtype is None else biases.astype(dtype)
        else:
            self.parameter_specs = (WEIGHTS,)  # this layer's own list: no biases to train

        # Set regularization strength
        self.weight_regularizer_l1 = weight_regularizer_l1
        self.weight_regularizer_l2 = weight_regularizer_l2
        self.bias_regularizer_l1 = bias_regularizer_l1
        self.bias_regularizer_l2 = bias_regularizer_l2

        self.name = name
        self.trainable = True
        #: False when nothing reads ``dinputs`` (``Model`` sets it for its first layer)
        self.needs_dinputs = True
        self.inputs = None
        #: The windows' pixels as columns (im2col), kept for backward; reused by each forward
        self.cols = None
        self._products = None

    @property
    def n_filters(self) -> int:
        return self.weights.shape[0]

    @property
    def n_input_channels(self) -> int:
        return self.weights.shape[1]

    @property
    def has_biases(self) -> bool:
        return hasattr(self, "biases")

    def output_shape(self, input_shape: tuple[int, ...]) -> tuple[int, int, int]:
        """One sample's output shape ``(F, Ho, Wo)`` for one sample's input ``(C, H, W)``."""
        where = f"{self!r}.output_shape"
        height, width = output_size(
            where, "kernel_size", tuple(input_shape[-2:]), self.padding, self.kernel_size,
            self.stride, self.dilation,
        )  # fmt: skip
        return self.n_filters, height, width

    def __repr__(self) -> str:
        options = [f"{self.n_input_channels}, {self.n_filters}, {compact(self.kernel_size)}"]
        for argument, value in (("stride", self.stride), ("dilation", self.dilation)):
            if value != (1, 1):
                options.append(f"{argument}={compact(value)}")
        if self.padding_argument != 0:
            options.append(f"padding={self.padding_argument!r}")
        if not self.has_biases:
            options.append("bias=False")
        if self.name:
            options.append(f"name={self.name!r}")
        return f"Layer_Conv2D({', '.join(options)})"

    def forward(self, inputs: np.ndarray, training: bool = False) -> np.ndarray:
        inputs = as_images(self, "inputs", inputs, channels=self.n_input_channels)
        size = output_size(
            self,
            "kernel_size",
            inputs.shape[2:],
            self.padding,
            self.kernel_size,
            self.stride,
            self.dilation,
        )
        n_samples = len(inputs)
        # Remember input values
        self.inputs = inputs
        # im2col: the pixels of every window as the columns of cols, row (c, p, q) and column
        # (i, j, n). The images are first stored with the sample axis last (see _batch_last),
        # so that the copy moves long runs of adjacent numbers
        padded = _batch_last(inputs, self.padding)
        windows = sliding_windows(padded, self.kernel_size, self.stride, self.dilation, size)
        windows = windows.transpose(1, 4, 5, 2, 3, 0)  # (C, kh, kw, Ho, Wo, N)
        # (into the array of the last pass: see reuse)
        shape = (self.weights[0].size, size[0] * size[1] * n_samples)
        self.cols = reuse(self.cols, shape, inputs.dtype)
        np.copyto(self.cols.reshape(windows.shape), windows)
        # Each filter times every column: (F, C·kh·kw) · (C·kh·kw, Ho·Wo·N)
        filters = self.weights.reshape(self.n_filters, -1)
        shape = (self.n_filters, self.cols.shape[1])
        self._products = reuse(self._products, shape, np.result_type(filters, self.cols))
        products = np.dot(filters, self.cols, out=self._products)
        # Seen in NCHW order, but left in memory with the samples last (see _batch_last)
        products = products.reshape(self.n_filters, *size, n_samples).transpose(3, 0, 1, 2)
        # Add the biases (into a new array: the products' array is reused by the next pass)
        if self.has_biases:
            biases = self.biases.reshape(1, self.n_filters, 1, 1)
            self.output = np.add(products, biases)
        else:
            self.output = products.copy(order="K")
        return self.output

    def backward(self, dvalues: np.ndarray) -> np.ndarray | None:
        require_forward(self, self)
        dvalues = check_same_shape(self, "dvalues", dvalues, self.output.shape)
        # dvalues in the layout of the forward products: (F, Ho·Wo·N)
        dvalues_rows = np.ascontiguousarray(dvalues.transpose(1, 2, 3, 0))
        dvalues_rows = dvalues_rows.reshape(self.n_filters, -1)

        # Gradients on parameters
        # dweights = dvalues_rows · colsᵀ, computed as (cols · dvalues_rowsᵀ)ᵀ: BLAS reads the
        # large cols in its own order, which is about twice as fast
        dweights = np.dot(self.cols, dvalues_rows.T).T.reshape(self.weights.shape)
        # Gradients on regularization (only where the strength is above 0)
        add_regularization_gradient(
            dweights, self.weights, self.weight_regularizer_l1, self.weight_regularizer_l2
        )
        store_gradient(self, "dweights", dweights)
        if self.has_biases:
            dbiases = dvalues_rows.sum(axis=1).reshape(1, -1)
            add_regularization_gradient(
                dbiases, self.biases, self.bias_regularizer_l1, self.bias_regularizer_l2
            )
            store_gradient(self, "dbiases", dbiases)

        # Gradient on values (a Model's first layer skips it: nothing reads it there)
        self.dinputs = self._gradient_on_inputs(dvalues_rows) if self.needs_dinputs else None
        return self.dinputs

    def _gradient_on_inputs(self, dvalues_rows: np.ndarray) -> np.ndarray:
        """col2im: each column's gradient added back onto the pixels the column came from."""
        n_samples, channels, height, width = self.inputs.shape
        (top, bottom), (left, right) = self.padding
        _, _, out_height, out_width = self.output.shape
        kh, kw = self.kernel_size
        # The gradient of every column: (C·kh·kw, F) · (F, Ho·Wo·N)
        filters = self.weights.reshape(self.n_filters, -1)
        dcols = np.dot(filters.T, dvalues_rows)
        dcols = dcols.reshape(channels, kh, kw, out_height, out_width, n_samples)
        # The gradient of the padded images, sample axis last as in forward
        padded_shape = (channels, top + height + bottom, left + width + right, n_samples)
        dpadded = np.zeros(padded_shape, dtype=dcols.dtype).transpose(3, 0, 1, 2)
        dwindows = sliding_windows(
            dpadded,
            self.kernel_size,
            self.stride,
            self.dilation,
            (out_height, out_width),
            writeable=True,
        )
        for p in range(kh):
            for q in range(kw):
                # The pixels at offset (p, q) of every window get that offset's gradient
                dwindows[:, :, :, :, p, q] += dcols[:, p, q].transpose(3, 0, 1, 2)
        # Without the padding (NCHW, with the samples last in memory as the output)
        return dpadded[:, :, top : top + height, left : left + width]

    def get_parameters(self) -> tuple[np.ndarray, ...]:
        """The layer's ``(weights, biases)``, or ``(weights,)`` without biases (the arrays)."""
        return (self.weights, self.biases) if self.has_biases else (self.weights,)


def _padding(
    where: str,
    padding: object,
    kernel: tuple[int, int],
    stride: tuple[int, int],
    dilation: tuple[int, int],
) -> Padding:
    """``((top, bottom), (left, right))`` from an int, a pair, ``"valid"`` or ``"same"``."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0), (0, 0)
        if padding != "same":
            raise ValueError(
                f"{where}: padding must be a whole number >= 0, a pair of them, 'valid' or "
                f"'same', got {padding!r}"
            )
        if stride != (1, 1):
            raise ValueError(
                f"{where}: padding='same' needs stride 1 (as in PyTorch), got stride={stride}; "
                f"with a larger stride the output cannot have the input's size. Give the "
                f"padding as a number instead."
            )
        # The total the window reaches beyond one pixel; an odd total puts the extra after
        totals = [d * (k - 1) for d, k in zip(dilation, kernel, strict=True)]
        return tuple((total // 2, total - total // 2) for total in totals)
    return symmetric_padding(where, padding)


def _batch_last(inputs: np.ndarray, padding: Padding) -> np.ndarray:
    """The padded images, stored in memory as ``(C, Hp, Wp, N)`` and returned as an NCHW view.

    With the samples last, the pixel at one place of one window is followed in memory by the
    same pixel of the next sample, and (for stride 1) by the next window's: im2col's copy and
    col2im's additions then move runs of ``Wo·N`` numbers instead of ``Wo``, several times
    faster in NumPy. The layer's output and ``dinputs`` keep this layout (their shape and
    values are NCHW; only their strides differ from a C-ordered array), and NumPy's
    element-wise operations keep it too, so the next convolution finds its inputs already
    stored this way and copies nothing here.
    """
    n_samples, channels, height, width = inputs.shape
    (top, bottom), (left, right) = padding
    no_padding = top == bottom == left == right == 0
    if no_padding and inputs.transpose(1, 2, 3, 0).flags.c_contiguous:
        return inputs  # stored so already (the output of a convolution, ReLU or pooling)
    shape = (channels, top + height + bottom, left + width + right, n_samples)
    # (every number is written below when there is no padding; else the padding stays 0)
    padded = np.empty(shape, inputs.dtype) if no_padding else np.zeros(shape, inputs.dtype)
    copy_samples_last(padded[:, top : top + height, left : left + width, :], inputs)
    return padded.transpose(3, 0, 1, 2)
