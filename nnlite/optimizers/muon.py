"""Optimizer_Muon: momentum, orthogonalised by Newton–Schulz iterations, for weight matrices."""

from __future__ import annotations

import math
import numbers

import numpy as np

from nnlite.optimizers import hyperparameter_checks
from nnlite.optimizers.engine.plans import Update
from nnlite.optimizers.optimizer import Optimizer
from nnlite.parameters import describe, trainable_parameters
from nnlite.schedules.base import Schedule

ADJUST_LR_FUNCTIONS = (None, "original", "match_rms_adamw")


class Optimizer_Muon(Optimizer):
    """Muon: MomentUm Orthogonalized by Newton–Schulz.

    Update rule for a weights matrix W of shape (A, B) (g = dweights, lr = current_learning_rate,
    μ = momentum, λ = weight_decay)::

        weight_momentums = μ · weight_momentums + (1 - μ) · g
        M = μ · weight_momentums + (1 - μ) · g      (nesterov; else M = weight_momentums)
        O = NewtonSchulz(M)                         (M with its singular values pushed to ~1)
        W = W · (1 - lr · λ)                        (decoupled weight decay)
        W += -lr · s · O,    s = √max(1, A/B)  ('original', the default)
                             s = 0.2 · √max(A, B)  ('match_rms_adamw')

    The momentum is the matrix of a gradient direction; its few large singular values would
    dominate a plain step. Orthogonalising it (replacing M = U·Σ·Vᵀ by ≈ U·Vᵀ) gives every
    direction the same size. Newton–Schulz does this with matrix products only: after
    X = M / max(‖M‖, ε) (so every singular value is at most 1), each of ``ns_steps`` iterations
    applies the odd polynomial p(x) = a·x + b·x³ + c·x⁵ to the singular values::

        X = a · X + (b · (X·Xᵀ) + c · (X·Xᵀ)²) · X     (a, b, c) = ns_coefficients

    The default coefficients trade exactness for speed: the singular values end between about
    0.7 and 1.2, which is what the authors found to train best.

    Which parameters: Muon is for 2-D weight matrices. A 1-D parameter raises an error, as in
    PyTorch; a convolution kernel of shape (F, C, kh, kw) is treated as the matrix (F, C·kh·kw),
    as its authors do. A bias of ``Layer_Dense`` is stored as a (1, n) matrix, so it is accepted
    and treated as PyTorch treats a (1, n) tensor: orthogonalising a single row just normalises
    it, so the bias moves by about lr·g/‖g‖. The authors recommend AdamW for biases (and for
    embeddings and output layers); to follow that, give those layers their own
    :class:`~nnlite.optimizers.adam.Optimizer_AdamW` (one optimizer per layer).

    Precision: PyTorch runs the iterations in bfloat16 (8 significant bits) for speed on GPUs;
    nnlite runs them in the parameter's own dtype. The two differ by a few percent of the
    update (bfloat16 keeps 8 significant bits, and five iterations compound its rounding).
    PyTorch documents the momentum as ``μ·B + g``; its code (and this class) keep the average
    ``μ·B + (1 - μ)·g``, which is the same direction after the normalisation.

    Defaults (PyTorch's): ``learning_rate=0.001, weight_decay=0.1, momentum=0.95,
    nesterov=True, ns_coefficients=(3.4445, -4.775, 2.0315), epsilon=1e-7, ns_steps=5,
    adjust_lr_fn=None`` (= 'original').

    Papers: Jordan et al., "Muon: An optimizer for hidden layers in neural networks" (2024,
    kellerjordan.github.io/posts/muon); Liu et al., "Muon is Scalable for LLM Training" (2025,
    arXiv:2502.16982) for 'match_rms_adamw'.
    """

    state_names = ("momentums",)
    # The orthogonalised matrix X, the product (...)·X, and the two Gram matrices
    scratch_count = 4

    def __init__(
        self,
        learning_rate: float | Schedule = 0.001,
        decay: float = 0.0,
        *,
        weight_decay: float = 0.1,
        momentum: float = 0.95,
        nesterov: bool = True,
        ns_coefficients: tuple[float, float, float] = (3.4445, -4.775, 2.0315),
        epsilon: float = 1e-7,
        ns_steps: int = 5,
        adjust_lr_fn: str | None = None,
    ) -> None:
        initial = (
            learning_rate.initial_learning_rate
            if isinstance(learning_rate, Schedule)
            else learning_rate
        )
        # PyTorch's messages
        if not _number("learning_rate", initial) >= 0:
            raise ValueError(f"Learning rate should be >= 0 but is: {initial}")
        if not _number("momentum", momentum) >= 0:
            raise ValueError(f"momentum should be >= 0 but is: {momentum}")
        if not _number("weight_decay", weight_decay) >= 0:
            raise ValueError(f"weight decay should be >= 0 but is: {weight_decay}")
        if adjust_lr_fn not in ADJUST_LR_FUNCTIONS:
            raise ValueError(f"Adjust learning rate function {adjust_lr_fn} is not supported")
        if not isinstance(ns_coefficients, tuple | list) or len(ns_coefficients) != 3:
            raise ValueError("Coefficients must be a tuple of exactly 3 values")
        for coefficient in ns_coefficients:
            _number("ns_coefficients", coefficient)
        if isinstance(ns_steps, bool) or not isinstance(ns_steps, numbers.Integral):
            raise TypeError(f"ns_steps must be a whole number, got {ns_steps!r}")
        if ns_steps >= 100:
            raise ValueError("Number of steps must be less than 100 for computational efficiency")
        if ns_steps < 0:
            raise ValueError(f"Invalid ns_steps value: {ns_steps}")
        hyperparameter_checks.epsilon(epsilon)
        super().__init__(
            learning_rate=learning_rate,
            decay=decay,
            decoupled_weight_decay=True,
            options={"weight_decay": weight_decay},
            hyperparameters={
                "momentum": momentum,
                "nesterov": nesterov,
                "ns_coefficients": tuple(ns_coefficients),
                "epsilon": epsilon,
                "ns_steps": ns_steps,
                "adjust_lr_fn": adjust_lr_fn,
            },
        )

    def update_params(self, layer: object) -> None:
        # Check every parameter before any changes, so an error leaves the layer as it was
        for parameter in trainable_parameters(layer):
            value = getattr(layer, parameter.name, None)
            if isinstance(value, np.ndarray) and value.ndim < 2:
                raise ValueError(
                    f"Muon only supports 2D parameters whereas we found a parameter with size: "
                    f"{value.shape} ({describe(layer)}.{parameter.name}); train this layer "
                    f"with another optimizer, such as Optimizer_AdamW"
                )
        super().update_params(layer)

    def update_rule(self, weights: np.ndarray, gradient: np.ndarray, update: Update) -> None:
        # (The base class has already applied W = W · (1 - lr·λ).)
        settings = update.settings
        momentum = settings["momentum"]
        momentums = update.state["momentums"]
        direction, product, gram, gram_squared = update.scratch
        if weights.ndim > 2:
            # A convolution kernel (F, C, kh, kw) is the matrix (F, C·kh·kw), as the authors
            # treat it; the reshapes are views of the same arrays
            weights, gradient, momentums, direction, product, gram, gram_squared = (
                array.reshape(len(array), -1)
                for array in (weights, gradient, momentums, direction, product, gram, gram_squared)
            )

        # weight_momentums = μ · weight_momentums + (1 - μ) · g
        momentums *= momentum
        np.multiply(gradient, 1 - momentum, out=product)
        momentums += product
        if settings["nesterov"]:
            # Look ahead: M = μ · weight_momentums + (1 - μ) · g
            np.multiply(momentums, momentum, out=direction)
            direction += product
        else:
            np.copyto(direction, momentums)

        # O = NewtonSchulz(M), computed in place in `direction`
        newton_schulz(
            direction,
            settings["ns_coefficients"],
            settings["ns_steps"],
            settings["epsilon"],
            work=(product, gram, gram_squared),
        )

        # W += -lr · s · O
        rows, columns = weights.shape
        direction *= -update.learning_rate * _lr_scale(settings["adjust_lr_fn"], rows, columns)
        weights += direction


def newton_schulz(
    matrix: np.ndarray,
    coefficients: tuple[float, float, float],
    steps: int,
    epsilon: float,
    *,
    work: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> np.ndarray:
    """Orthogonalise ``matrix`` in place: ≈ U·Vᵀ of its SVD U·Σ·Vᵀ (PyTorch's iteration).

    ``work`` holds three arrays of the matrix's shape for the intermediate products (made here
    if not given). A tall matrix (more rows than columns) is handled through its Gram matrix
    XᵀX instead of XXᵀ, which keeps every product at the size of the smaller side.
    """
    a, b, c = coefficients
    rows, columns = matrix.shape
    side = min(rows, columns)
    product, gram_space, gram_squared_space = work or tuple(np.empty_like(matrix) for _ in "abc")
    # Views of the first side × side numbers of the work arrays (side² <= rows · columns)
    gram = gram_space.reshape(-1)[: side * side].reshape(side, side)
    gram_squared = gram_squared_space.reshape(-1)[: side * side].reshape(side, side)
    tall = rows > columns

    # Scale so that every singular value is at most 1: X = M / max(‖M‖, ε)
    matrix /= max(math.sqrt(float(np.vdot(matrix, matrix))), epsilon)
    for _ in range(steps):
        # gram = X·Xᵀ (or Xᵀ·X for a tall X)
        if tall:
            np.matmul(matrix.T, matrix, out=gram)
        else:
            np.matmul(matrix, matrix.T, out=gram)
        # gram = b · gram + c · gram²
        np.matmul(gram, gram, out=gram_squared)
        gram_squared *= c
        gram *= b
        gram += gram_squared
        # X = a · X + gram · X (or X · gram for a tall X)
        if tall:
            np.matmul(matrix, gram, out=product)
        else:
            np.matmul(gram, matrix, out=product)
        matrix *= a
        matrix += product
    return matrix


def _lr_scale(adjust_lr_fn: str | None, rows: int, columns: int) -> float:
    """The factor s that gives updates of every matrix shape a comparable size."""
    if adjust_lr_fn == "match_rms_adamw":
        # Moonshot: an update RMS like AdamW's, so AdamW's lr and weight decay carry over
        return 0.2 * math.sqrt(max(rows, columns))
    # Keller Jordan's original: √max(1, A/B)
    return math.sqrt(max(1, rows / columns))


def _number(name: str, value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {value!r} ({type(value).__name__})")
    return value
