"""Layer_BatchNormalization: normalize each feature (or channel) over the batch, then scale and
shift it."""

from __future__ import annotations

import numbers

import numpy as np

from nnlite.layers.base import Layer
from nnlite.parameters import BIASES, WEIGHTS
from nnlite.validation import check_positive_int, check_same_shape, require_forward


class Layer_BatchNormalization(Layer):
    """Batch normalization (Ioffe & Szegedy, 2015), as ``torch.nn.BatchNorm1d``/``BatchNorm2d``.

    Forward, for each feature of ``(n_samples, n_features)`` inputs, or each channel of
    ``(n_samples, n_channels, height, width)`` inputs, over the m values it has in the batch
    (m = n_samples, or n_samples · height · width)::

        mean     = Σ x / m
        variance = Σ (x - mean)² / m                    (biased: divided by m)
        x̂        = (x - mean) / √(variance + ε)
        output   = γ · x̂ + β                            (γ = weights, β = biases)

    While training (``forward(inputs, training=True)``, the default) the batch's own mean and
    variance are used, and the running statistics follow them as PyTorch's do::

        running_mean = (1 - momentum) · running_mean + momentum · mean
        running_var  = (1 - momentum) · running_var  + momentum · variance · m / (m - 1)

    (the running variance is the unbiased one). At inference (``training=False``) the running
    statistics take the place of the batch's, so each sample's output depends on it alone.

    Backward, given ``dvalues``, with sums and means over the same m values::

        dweights = Σ dvalues · x̂            dbiases = Σ dvalues
        dx̂       = dvalues · γ
        dinputs  = (dx̂ - mean(dx̂) - x̂ · mean(dx̂ · x̂)) / √(variance + ε)     (training)
        dinputs  = dx̂ / √(running_var + ε)                                    (inference)

    In training, every input moves the mean and the variance, hence the two correction terms;
    at inference the layer is a fixed affine map per feature.

    Parameters
    ----------
    n_features:
        The number of features (columns of 2-D inputs) or channels (axis 1 of 4-D inputs).
    momentum:
        The weight of each new batch in the running statistics, in [0, 1] (PyTorch's default
        0.1; note that Keras's ``momentum=0.99`` is the weight of the *old* value).
    epsilon:
        Added to the variance before the square root, > 0 (PyTorch's default 1e-5).
    affine:
        ``True`` (default): learn the scale γ and shift β. ``False``: ``output = x̂``, and the
        layer has no trainable parameters.
    dtype:
        Cast γ, β and the running statistics to this dtype (for example ``np.float32``).
    name:
        A name for messages, summaries and checkpoints.

    Attributes
    ----------
    weights, biases:
        γ (initially ones) and β (initially zeros), rows of shape ``(1, n_features)`` like
        ``Layer_Dense``'s biases; every optimizer trains them (they are declared in
        ``parameters``). Absent with ``affine=False``.
    running_mean, running_var:
        The running statistics, also rows ``(1, n_features)``, starting at zeros and ones. They
        are not trained, but saved with the parameters: ``buffers`` names them, as PyTorch's
        buffers. (PyTorch keeps all four as vectors ``(n_features,)``.)

    Training with a single value per feature (one sample of 2-D inputs) is an error, as in
    PyTorch: its variance is 0 and its normalized value is always 0.

    Paper: S. Ioffe and C. Szegedy, "Batch Normalization: Accelerating Deep Network Training by
    Reducing Internal Covariate Shift", ICML 2015 (arXiv:1502.03167).
    """

    parameter_specs = (WEIGHTS, BIASES)
    #: Arrays that are state but not trained: checkpoints save them beside the parameters
    buffers = ("running_mean", "running_var")

    def __init__(
        self,
        n_features: int,
        momentum: float = 0.1,
        epsilon: float = 1e-5,
        *,
        affine: bool = True,
        dtype: np.dtype | type | str | None = None,
        name: str | None = None,
    ) -> None:
        where = f"Layer_BatchNormalization({n_features!r})"
        n_features = check_positive_int(where, "n_features", n_features)
        if isinstance(momentum, bool) or not isinstance(momentum, numbers.Real):
            raise TypeError(f"{where}: momentum must be a number in [0, 1], got {momentum!r}")
        if not 0 <= momentum <= 1:
            raise ValueError(
                f"{where}: momentum is the weight of each new batch in the running statistics "
                f"and must be in [0, 1], got {momentum}"
            )
        if isinstance(epsilon, bool) or not isinstance(epsilon, numbers.Real):
            raise TypeError(f"{where}: epsilon must be a number > 0, got {epsilon!r}")
        if not epsilon > 0:  # also rejects NaN
            raise ValueError(f"{where}: epsilon must be > 0, got {epsilon}")
        if not isinstance(affine, bool):
            raise TypeError(f"{where}: affine must be True or False, got {affine!r}")

        self.n_features = n_features
        self.momentum = momentum
        self.epsilon = epsilon
        self.affine = affine
        # The scale γ starts at 1 and the shift β at 0: at first the layer only normalizes
        if affine:
            self.weights = np.ones((1, n_features), dtype=dtype)
            self.biases = np.zeros((1, n_features), dtype=dtype)
        else:
            self.parameter_specs = ()  # nothing to train
        # Running statistics, as PyTorch starts them
        self.running_mean = np.zeros((1, n_features), dtype=dtype)
        self.running_var = np.ones((1, n_features), dtype=dtype)

        self.name = name
        self.trainable = True
        #: False when nothing reads ``dinputs`` (``Model`` sets it for its first layer)
        self.needs_dinputs = True
        self.inputs = None

    def __repr__(self) -> str:
        options = ""
        if self.momentum != 0.1:
            options += f", momentum={self.momentum}"
        if self.epsilon != 1e-5:
            options += f", epsilon={self.epsilon}"
        if not self.affine:
            options += ", affine=False"
        if self.name:
            options += f", name={self.name!r}"
        return f"Layer_BatchNormalization({self.n_features}{options})"

    def forward(self, inputs: np.ndarray, training: bool = True) -> np.ndarray:
        inputs = self._check_inputs(inputs, training)
        # Remember what backward needs
        self.inputs = inputs
        self.training = training
        axes = _statistics_axes(inputs)
        if training:
            # Mean and (biased) variance of each feature over the batch
            mean = inputs.mean(axis=axes, keepdims=True)
            centered = inputs - mean
            variance = np.mean(centered * centered, axis=axes, keepdims=True)
            self._update_running_statistics(mean, variance, inputs.size // self.n_features)
        else:
            # Inference: the running statistics, shaped to broadcast along the feature axis
            centered = inputs - self._per_feature(self.running_mean, inputs)
            variance = self._per_feature(self.running_var, inputs)
        # Normalize: zero mean and unit variance per feature
        self.inverse_std = 1 / np.sqrt(variance + self.epsilon)
        self.normalized = centered * self.inverse_std
        if not self.affine:
            self.output = self.normalized
            return self.output
        # Scale and shift
        output = self.normalized * self._per_feature(self.weights, inputs)
        output += self._per_feature(self.biases, inputs)
        self.output = output
        return self.output

    def backward(self, dvalues: np.ndarray) -> np.ndarray:
        require_forward(self, self)
        dvalues = check_same_shape(self, "dvalues", dvalues, self.inputs.shape)
        axes = _statistics_axes(dvalues)
        previous = self._gradients_to_add_to()

        # Gradients on the scale γ and the shift β (one per feature)
        if self.affine:
            self.dweights = np.sum(dvalues * self.normalized, axis=axes).reshape(1, -1)
            self.dbiases = np.sum(dvalues, axis=axes).reshape(1, -1)
            if previous is not None:
                # Inside accumulate_gradients(): add to the gradients of earlier passes
                earlier_dweights, earlier_dbiases = previous
                earlier_dweights += self.dweights
                earlier_dbiases += self.dbiases
                self.dweights, self.dbiases = earlier_dweights, earlier_dbiases

        # Gradient on values (a Model's first layer skips it: nothing reads it there)
        if not self.needs_dinputs:
            self.dinputs = None
            return self.dinputs
        # Gradient on the normalized values
        if self.affine:
            dnormalized = dvalues * self._per_feature(self.weights, dvalues)
        else:
            dnormalized = dvalues
        if not self.training:
            # Inference: a fixed scaling per feature
            self.dinputs = dnormalized * self.inverse_std
            return self.dinputs
        # Training: the mean and the variance depend on every input too
        mean_dnormalized = dnormalized.mean(axis=axes, keepdims=True)
        mean_product = np.mean(dnormalized * self.normalized, axis=axes, keepdims=True)
        dinputs = dnormalized - mean_dnormalized
        dinputs -= self.normalized * mean_product
        dinputs *= self.inverse_std
        self.dinputs = dinputs
        return self.dinputs

    def _update_running_statistics(self, mean: np.ndarray, variance: np.ndarray, m: int) -> None:
        """running = (1 - momentum) · running + momentum · batch, with the unbiased variance."""
        momentum = self.momentum
        self.running_mean *= 1 - momentum
        self.running_mean += momentum * mean.reshape(1, -1)
        self.running_var *= 1 - momentum
        self.running_var += momentum * (variance.reshape(1, -1) * (m / (m - 1)))

    def _per_feature(self, row: np.ndarray, inputs: np.ndarray) -> np.ndarray:
        """A ``(1, n_features)`` row, as ``(1, n_channels, 1, 1)`` for 4-D inputs (a view)."""
        return row if inputs.ndim == 2 else row.reshape(1, -1, 1, 1)

    def _gradients_to_add_to(self) -> tuple[np.ndarray, np.ndarray] | None:
        """The earlier ``(dweights, dbiases)`` when accumulating gradients, else None."""
        if not (self.affine and getattr(self, "accumulate_gradients", False)):
            return None
        dweights = getattr(self, "dweights", None)
        dbiases = getattr(self, "dbiases", None)
        shape = self.weights.shape
        if not all(isinstance(d, np.ndarray) and d.shape == shape for d in (dweights, dbiases)):
            return None
        return dweights, dbiases

    def _check_inputs(self, inputs: object, training: bool) -> np.ndarray:
        """Raise unless the inputs are ``(n, n_features)`` or ``(n, n_features, h, w)`` real
        numbers with, while training, more than one value per feature."""
        array = inputs if isinstance(inputs, np.ndarray) else np.asarray(inputs)
        features = self.n_features
        expected = f"(n_samples, {features}) or (n_samples, {features}, height, width)"
        if array.ndim not in (2, 4):
            raise ValueError(
                f"{self!r}: inputs must be a 2-D array of shape (n_samples, {features}) or a "
                f"4-D array of shape (n_samples, {features}, height, width), got a "
                f"{array.ndim}-D array of shape {array.shape}"
            )
        if array.shape[1] != features:
            raise ValueError(
                f"{self!r}: inputs must have shape {expected}, got shape {array.shape}: the "
                f"layer was built for {features} features (channels) on axis 1; check the "
                f"previous layer's number of outputs"
            )
        if array.dtype.kind not in "biuf":  # booleans, integers and real floats
            raise TypeError(f"{self!r}: inputs must hold real numbers, got dtype {array.dtype}")
        if training and array.size // features <= 1:
            raise ValueError(
                f"{self!r}: Expected more than 1 value per channel when training, got inputs of "
                f"shape {array.shape}; a single value has variance 0. Train on batches of "
                f"more than one sample, or call forward(inputs, training=False) to use the "
                f"running statistics"
            )
        return array


def _statistics_axes(values: np.ndarray) -> tuple[int, ...]:
    """The axes a feature's statistics run over: the samples, and height and width if 4-D."""
    return (0,) if values.ndim == 2 else (0, 2, 3)
