"""What every layer and activation shares: the ``dinput`` spelling and a readable repr."""

from __future__ import annotations

from nnlite.aliases import Alias
from nnlite.validation import check_bool


class Layer:
    """Base of layers and activations: ``forward(inputs, training)`` and ``backward(dvalues)``.

    ``forward`` stores ``self.output``; ``backward`` stores ``self.dinputs``, the gradient of
    the loss with respect to this layer's inputs, which the previous layer's ``backward`` takes.
    """

    dinput = Alias("dinputs")

    @property
    def trainable(self) -> bool:
        """False freezes the layer: optimizers skip it (its gradients still flow through)."""
        return self.__dict__.get("_trainable", True)

    @trainable.setter
    def trainable(self, value: bool) -> None:
        # Checked: `layer.trainable = 0` must not leave a layer half frozen
        self._trainable = check_bool(self, "trainable", value)

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"
