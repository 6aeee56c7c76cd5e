"""What every layer and activation shares: the ``dinput`` spelling and a readable repr."""

from __future__ import annotations

from nnlite.aliases import Alias


class Layer:
    """Base of layers and activations: ``forward(inputs, training)`` and ``backward(dvalues)``.

    ``forward`` stores ``self.output``; ``backward`` stores ``self.dinputs``, the gradient of
    the loss with respect to this layer's inputs, which the previous layer's ``backward`` takes.
    """

    dinput = Alias("dinputs")

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"
