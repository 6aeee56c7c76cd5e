"""Losses: categorical and binary cross-entropy, mean squared and mean absolute error."""

from nnlite.losses.base import Loss
from nnlite.losses.binary_crossentropy import Loss_BinaryCrossentropy
from nnlite.losses.categorical_crossentropy import Loss_CategoricalCrossentropy
from nnlite.losses.mean_absolute_error import Loss_MeanAbsoluteError
from nnlite.losses.mean_squared_error import Loss_MeanSquaredError
from nnlite.losses.softmax_categorical_crossentropy import (
    Activation_Softmax_Loss_CategoricalCrossentropy,
)

__all__ = [
    "Activation_Softmax_Loss_CategoricalCrossentropy",
    "Loss",
    "Loss_BinaryCrossentropy",
    "Loss_CategoricalCrossentropy",
    "Loss_MeanAbsoluteError",
    "Loss_MeanSquaredError",
]
