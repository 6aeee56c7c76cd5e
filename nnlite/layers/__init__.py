"""Layers: dense, dropout and input."""

from nnlite.layers.base import Layer
from nnlite.layers.dense import Layer_Dense
from nnlite.layers.dropout import Layer_Dropout
from nnlite.layers.input import Layer_Input

__all__ = ["Layer", "Layer_Dense", "Layer_Dropout", "Layer_Input"]
