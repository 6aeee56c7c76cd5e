"""Layers: dense, dropout, batch normalization, input and embedding."""

from nnlite.layers.base import Layer
from nnlite.layers.batch_normalization import Layer_BatchNormalization
from nnlite.layers.dense import Layer_Dense
from nnlite.layers.dropout import Layer_Dropout
from nnlite.layers.embedding import Layer_Embedding, SparseRows
from nnlite.layers.input import Layer_Input

__all__ = [
    "Layer",
    "Layer_BatchNormalization",
    "Layer_Dense",
    "Layer_Dropout",
    "Layer_Embedding",
    "Layer_Input",
    "SparseRows",
]
