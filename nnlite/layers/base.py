"""What every layer and activation shares: the ``dinput`` spelling and a readable repr."""

from __future__ import annotations

from collections.abc import Iterator

from nnlite.aliases import Alias
from nnlite.parameters import Parameter, named_parameters_of, parameters_of
from nnlite.validation import check_bool


class Layer:
    """Base of layers and activations: ``forward(inputs, training)`` and ``backward(dvalues)``.

    ``forward`` stores ``self.output``; ``backward`` stores ``self.dinputs``, the gradient of
    the loss with respect to this layer's inputs, which the previous layer's ``backward`` takes.
    """

    dinput = Alias("dinputs")

    def parameters(self) -> Iterator[Parameter]:
        """The layer's parameters as handles, for ``nnlite.optim`` (PyTorch's
        ``module.parameters()``): ``Parameter.data`` is ``self.weights``, ``.grad`` is
        ``self.dweights``. None for a layer without parameters."""
        return parameters_of(self)

    def named_parameters(self, prefix: str = "") -> Iterator[tuple[str, Parameter]]:
        """``("weights", Parameter), ("biases", Parameter)``, as PyTorch's
        ``module.named_parameters()``."""
        return named_parameters_of(self, prefix)

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
