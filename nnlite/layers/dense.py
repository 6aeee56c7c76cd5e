"""Layer_Dense: a fully connected layer, ``output = inputs · weights + biases``."""

from __future__ import annotations

import numpy as np

from nnlite.aliases import Alias
from nnlite.layers.base import Layer
from nnlite.layers.trainable import (
    WEIGHT_INITIALIZERS,
    add_regularization_gradient,
    initial_weights,
)
from nnlite.parameters import BIASES, WEIGHTS
from nnlite.validation import (
    as_2d_array,
    check_bool,
    check_finite,
    check_floating_dtype,
    check_non_negative,
    check_positive_int,
    check_same_shape,
    given_parameter,
    require_forward,
)


class Layer_Dense(Layer):
    """A dense (fully connected) layer, as in the book.

    Forward: ``output = inputs · weights + biases``, with ``weights`` of shape
    ``(n_inputs, n_neurons)`` and ``biases`` of shape ``(1, n_neurons)`` (no biases, and no
    ``dbiases``, with ``bias=False``).

    Backward, given ``dvalues`` (the gradient of the loss with respect to ``output``)::

        dweights = inputsᵀ · dvalues          (+ λ₁·sign(W) + 2λ₂·W with regularization)
        dbiases  = column sums of dvalues    (+ the same terms for the biases)
        dinputs  = dvalues · weightsᵀ

    Parameters
    ----------
    n_inputs, n_neurons:
        Number of input features and of neurons (outputs).
    weight_regularizer_l1, weight_regularizer_l2, bias_regularizer_l1, bias_regularizer_l2:
        Strengths λ of the L1 (λ·Σ|w|) and L2 (λ·Σw²) penalties; 0 turns a penalty off.
    bias:
        ``False`` builds the layer without biases (``output = inputs · weights``), as
        ``torch.nn.Linear(..., bias=False)``: useful before a batch normalization, whose β
        takes their place. The layer then has no ``biases`` attribute and declares only its
        weights, and the weights are drawn exactly as with biases.
    weight_initializer:
        ``"book"`` (default): ``weight_scale · randn``, the book's ``0.01 * np.random.randn``;
        ``"he"``: normal with std √(2/n_inputs), for ReLU networks;
        ``"glorot"``: uniform in ±√(6/(n_inputs + n_neurons)), for tanh/sigmoid networks.
    weight_scale:
        The factor of the ``"book"`` initializer. Chapter 17's regression uses 0.1.
    rng:
        A ``np.random.Generator`` to draw the weights from. ``None`` draws from the global
        ``np.random`` stream, exactly as the book does, so ``nnfs.init()`` reproduces its numbers.
    dtype:
        Cast the parameters to this dtype (for example ``np.float32``) after drawing them.
    name:
        A name for messages, summaries and checkpoints.
    check_finite:
        Raise on NaN or inf in the inputs (off by default: it costs a pass over the inputs).
    weights, biases:
        Arrays of shape ``(n_inputs, n_neurons)`` and ``(1, n_neurons)`` to start from (copied)
        instead of drawing the weights: what loading a file does, so that nothing is drawn.
    """

    parameter_specs = (WEIGHTS, BIASES)
    weight = Alias("weights")
    bias = Alias("biases")
    dweight = Alias("dweights")
    dbias = Alias("dbiases")

    def __init__(
        self,
        n_inputs: int,
        n_neurons: int,
        weight_regularizer_l1: float = 0,
        weight_regularizer_l2: float = 0,
        bias_regularizer_l1: float = 0,
        bias_regularizer_l2: float = 0,
        *,
        bias: bool = True,
        weight_initializer: str = "book",
        weight_scale: float = 0.01,
        rng: np.random.Generator | None = None,
        dtype: np.dtype | type | str | None = None,
        name: str | None = None,
        check_finite: bool = False,
        weights: np.ndarray | None = None,
        biases: np.ndarray | None = None,
    ) -> None:
        where = f"Layer_Dense({n_inputs!r}, {n_neurons!r})"
        n_inputs = check_positive_int(where, "n_inputs", n_inputs)
        n_neurons = check_positive_int(where, "n_neurons", n_neurons)
        for argument, value in (
            ("weight_regularizer_l1", weight_regularizer_l1),
            ("weight_regularizer_l2", weight_regularizer_l2),
            ("bias_regularizer_l1", bias_regularizer_l1),
            ("bias_regularizer_l2", bias_regularizer_l2),
        ):
            check_non_negative(where, argument, value)
        if weight_initializer not in WEIGHT_INITIALIZERS:
            raise ValueError(
                f"{where}: weight_initializer must be one of {WEIGHT_INITIALIZERS}, "
                f"got {weight_initializer!r}"
            )
        check_non_negative(where, "weight_scale", weight_scale)
        bias = check_bool(where, "bias", bias)
        check_finite = check_bool(where, "check_finite", check_finite)
        if dtype is not None:
            dtype = check_floating_dtype(where, "dtype", dtype)
        if biases is not None and not bias:
            raise ValueError(f"{where}: biases were given, but bias=False builds no biases")
        if not bias and (bias_regularizer_l1 or bias_regularizer_l2):
            raise ValueError(
                f"{where}: bias=False leaves no biases to regularize, but got "
                f"bias_regularizer_l1={bias_regularizer_l1} and "
                f"bias_regularizer_l2={bias_regularizer_l2}; set them to 0 or use bias=True"
            )

        # Initialize weights and biases (one draw from the stream, as in the book), unless
        # they are given (loading a file: nothing is drawn, so a file cannot make us draw)
        if weights is None:
            weights = initial_weights(
                (n_inputs, n_neurons), n_inputs, n_neurons, weight_initializer, weight_scale, rng
            )
        else:
            weights = given_parameter(where, "weights", weights, (n_inputs, n_neurons))
        self.weights = weights if dtype is None else weights.astype(dtype)
        if bias:
            if biases is None:
                biases = np.zeros((1, n_neurons))
            else:
                biases = given_parameter(where, "biases", biases, (1, n_neurons))
            self.biases = biases if dtype is None else biases.astype(dtype)
        else:
            # Only the weights are trained (and saved)
            self.parameter_specs = (WEIGHTS,)

        # Set regularization strength
        self.weight_regularizer_l1 = weight_regularizer_l1
        self.weight_regularizer_l2 = weight_regularizer_l2
        self.bias_regularizer_l1 = bias_regularizer_l1
        self.bias_regularizer_l2 = bias_regularizer_l2

        self.name = name
        self.check_finite = check_finite
        self.trainable = True
        #: False when nothing reads ``dinputs`` (``Model`` sets it for its first layer)
        self.needs_dinputs = True
        self.inputs = None

    @property
    def n_inputs(self) -> int:
        return self.weights.shape[0]

    @property
    def n_neurons(self) -> int:
        return self.weights.shape[1]

    @property
    def has_biases(self) -> bool:
        """False for a layer built with ``bias=False``."""
        return hasattr(self, "biases")

    def __repr__(self) -> str:
        bias = "" if self.has_biases else ", bias=False"
        name = f", name={self.name!r}" if self.name else ""
        return f"Layer_Dense({self.n_inputs}, {self.n_neurons}{bias}{name})"

    def forward(self, inputs: np.ndarray, training: bool = False) -> np.ndarray:
        inputs = as_2d_array(self, "inputs", inputs, width=self.n_inputs)
        if self.check_finite:
            check_finite(self, "inputs", inputs)
        # Remember input values
        self.inputs = inputs
        # Calculate output values from inputs, weights and biases
        output = np.dot(inputs, self.weights)
        has_biases = self.has_biases  # False for bias=False: the product is the output
        if has_biases and output.dtype == self.biases.dtype:
            output += self.biases  # the same sums, without a second output-sized array
        elif has_biases:
            output = output + self.biases  # NumPy's promotion decides the dtype, as the book
        self.output = output
        return self.output

    def backward(self, dvalues: np.ndarray) -> np.ndarray:
        require_forward(self, self)
        expected = (len(self.inputs), self.n_neurons)
        dvalues = check_same_shape(self, "dvalues", dvalues, expected)
        has_biases = self.has_biases
        previous = (self.dweights, getattr(self, "dbiases", None)) if self._accumulating() else None

        # Gradients on parameters
        self.dweights = np.dot(self.inputs.T, dvalues)
        if has_biases:
            self.dbiases = dvalues.sum(axis=0, keepdims=True)

        # Gradients on regularization (only where the strength is above 0)
        add_regularization_gradient(
            self.dweights, self.weights, self.weight_regularizer_l1, self.weight_regularizer_l2
        )
        if has_biases:
            add_regularization_gradient(
                self.dbiases, self.biases, self.bias_regularizer_l1, self.bias_regularizer_l2
            )

        if previous is not None:
            # Inside accumulate_gradients(): add to the gradients of earlier passes
            earlier_dweights, earlier_dbiases = previous
            earlier_dweights += self.dweights
            self.dweights = earlier_dweights
            if has_biases:
                earlier_dbiases += self.dbiases
                self.dbiases = earlier_dbiases

        # Gradient on values (a Model's first layer skips it: nothing reads it there)
        self.dinputs = np.dot(dvalues, self.weights.T) if self.needs_dinputs else None
        return self.dinputs

    def _accumulating(self) -> bool:
        if not getattr(self, "accumulate_gradients", False):
            return False
        dweights = getattr(self, "dweights", None)
        if not (isinstance(dweights, np.ndarray) and dweights.shape == self.weights.shape):
            return False
        if not self.has_biases:
            return True
        dbiases = getattr(self, "dbiases", None)
        return isinstance(dbiases, np.ndarray) and dbiases.shape == self.biases.shape

    def get_parameters(self) -> tuple[np.ndarray, ...]:
        """The layer's ``(weights, biases)``: the arrays themselves, not copies (as the book).
        A layer built with ``bias=False`` returns ``(weights,)``."""
        if not self.has_biases:
            return (self.weights,)
        return self.weights, self.biases

    def set_parameters(self, weights: np.ndarray, biases: np.ndarray | None = None) -> None:
        """Replace the weights and biases, checking that their shapes fit together.

        A layer built with ``bias=False`` takes the weights alone."""
        weights = np.asarray(weights)
        if not self.has_biases:
            if biases is not None or weights.ndim != 2:
                raise ValueError(
                    f"{self!r}.set_parameters: this layer has no biases (bias=False) and takes "
                    f"only weights of shape (n_inputs, n_neurons), got weights of shape "
                    f"{weights.shape} and biases {np.shape(biases) if biases is not None else None}"
                )
            self.weights = weights
            return
        biases = np.asarray(biases)
        if weights.ndim != 2 or biases.shape != (1, weights.shape[1]):
            raise ValueError(
                f"{self!r}.set_parameters: expected weights of shape (n_inputs, n_neurons) and "
                f"biases of shape (1, n_neurons), got {weights.shape} and {biases.shape}"
            )
        self.weights = weights
        self.biases = biases
