"""Activations: ReLU, Softmax, Sigmoid, Linear, Tanh and LeakyReLU."""

from nnlite.activations.base import Activation
from nnlite.activations.leaky_relu import Activation_LeakyReLU
from nnlite.activations.linear import Activation_Linear
from nnlite.activations.relu import Activation_ReLU, Activation_ReLu
from nnlite.activations.sigmoid import Activation_Sigmoid
from nnlite.activations.softmax import Activation_Softmax
from nnlite.activations.tanh import Activation_Tanh

__all__ = [
    "Activation",
    "Activation_LeakyReLU",
    "Activation_Linear",
    "Activation_ReLU",
    "Activation_ReLu",
    "Activation_Sigmoid",
    "Activation_Softmax",
    "Activation_Tanh",
]
