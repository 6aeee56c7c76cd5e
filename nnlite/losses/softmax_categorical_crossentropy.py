"""Softmax and categorical cross-entropy in one object, for a simple and fast gradient."""

from __future__ import annotations

import numpy as np

from nnlite.activations.softmax import Activation_Softmax
from nnlite.aliases import Alias
from nnlite.losses.categorical_crossentropy import Loss_CategoricalCrossentropy
from nnlite.losses.labels import check_class_labels


class Activation_Softmax_Loss_CategoricalCrossentropy:
    """Softmax followed by categorical cross-entropy (book chapter 9).

    Chained, their gradient with respect to the scores simplifies to ``(ŷ - y_onehot) / n``,
    with no Jacobian and no division by a probability.

    Two uses, as in the book:

    * chapters 9-17: ``loss = softmax_loss.forward(scores, y)`` runs the softmax, sets
      ``.output`` and returns the mean loss; ``.activation`` and ``.loss`` are the two parts
      (``softmax_loss.loss.regularization_loss(layer)`` works);
    * chapter 18 on: ``Model`` runs the two parts itself and calls only ``backward``.
    """

    dinput = Alias("dinputs")

    def __init__(self) -> None:
        self.activation = Activation_Softmax()
        self.loss = Loss_CategoricalCrossentropy()

    def __repr__(self) -> str:
        return "Activation_Softmax_Loss_CategoricalCrossentropy()"

    def forward(self, inputs: np.ndarray, y_true: np.ndarray) -> float:
        # Output layer's activation function
        self.activation.forward(inputs)
        self.output = self.activation.output
        # Calculate and return the loss value
        return self.loss.calculate(self.output, y_true)

    def backward(self, dvalues: np.ndarray, y_true: np.ndarray) -> np.ndarray:
        y_true = check_class_labels(self, dvalues, y_true)
        samples = len(dvalues)
        # One-hot rows become class indices
        if len(y_true.shape) == 2:
            y_true = np.argmax(y_true, axis=1)
        # Copy so we can safely modify, subtract 1 at the correct class, normalize
        self.dinputs = dvalues.copy()
        self.dinputs[np.arange(samples), y_true] -= 1
        self.dinputs /= samples
        return self.dinputs
