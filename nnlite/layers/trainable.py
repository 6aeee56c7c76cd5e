"""What the trainable layers share: their initial weights and the gradients of their penalties.

:class:`~nnlite.layers.dense.Layer_Dense` and :class:`~nnlite.layers.conv2d.Layer_Conv2D` draw
their weights and add their L1/L2 regularization gradients the same way; both live here so the
two layers cannot drift apart.
"""

from __future__ import annotations

import numpy as np

WEIGHT_INITIALIZERS = ("book", "he", "glorot")


def initial_weights(
    shape: tuple[int, ...],
    fan_in: int,
    fan_out: int,
    initializer: str,
    weight_scale: float,
    rng: np.random.Generator | None,
) -> np.ndarray:
    """Draw the initial weights; with ``rng=None`` from the global stream, as the book does.

    ``"book"``: ``weight_scale · randn``; ``"he"``: normal with std √(2/fan_in);
    ``"glorot"``: uniform in ±√(6/(fan_in + fan_out)). A dense layer's fans are its numbers
    of inputs and neurons; a convolution's are ``C·kh·kw`` and ``F·kh·kw`` (PyTorch's).
    """
    if initializer == "glorot":
        limit = np.sqrt(6.0 / (fan_in + fan_out))
        source = np.random if rng is None else rng
        return source.uniform(-limit, limit, size=shape)
    # The book's draw: look np.random.randn up at call time so nnfs.init()'s float32 applies
    normal = np.random.randn(*shape) if rng is None else rng.standard_normal(shape)
    if initializer == "he":
        return np.sqrt(2.0 / fan_in) * normal
    return weight_scale * normal


def add_regularization_gradient(
    gradient: np.ndarray, values: np.ndarray, l1: float, l2: float
) -> None:
    """Add the gradients of the penalties ``l1·Σ|v| + l2·Σv²`` to ``gradient``, in place.

    As the book's ``Layer_Dense.backward``, each term only where its strength is above 0.
    """
    # L1: the subgradient of |v| is +1 for v >= 0 and -1 for v < 0
    if l1 > 0:
        dL1 = np.ones_like(values)
        dL1[values < 0] = -1
        gradient += l1 * dL1
    # L2: the gradient of λ·v² is 2λ·v
    if l2 > 0:
        gradient += 2 * l2 * values


def store_gradient(layer: object, name: str, gradient: np.ndarray) -> None:
    """Set ``layer.<name> = gradient``; inside :func:`~nnlite.gradients.accumulate_gradients`,
    add it to the gradient of the earlier passes instead (in place, as PyTorch's ``.grad``)."""
    earlier = getattr(layer, name, None)
    if (
        getattr(layer, "accumulate_gradients", False)
        and isinstance(earlier, np.ndarray)
        and earlier.shape == gradient.shape
    ):
        earlier += gradient
    else:
        setattr(layer, name, gradient)
