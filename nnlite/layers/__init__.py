"""Layers: dense, dropout, batch normalization, input, embedding, and for images convolution,
pooling and flatten."""

from nnlite.layers.base import Layer
from nnlite.layers.batch_normalization import Layer_BatchNormalization
from nnlite.layers.conv2d import Layer_Conv2D
from nnlite.layers.dense import Layer_Dense
from nnlite.layers.dropout import Layer_Dropout
from nnlite.layers.embedding import Layer_Embedding, SparseRows
from nnlite.layers.flatten import Layer_Flatten
from nnlite.layers.input import Layer_Input
from nnlite.layers.pooling import Layer_AvgPool2D, Layer_MaxPool2D

__all__ = [
    "Layer",
    "Layer_AvgPool2D",
    "Layer_Conv2D",
    "Layer_BatchNormalization",
    "Layer_Dense",
    "Layer_Dropout",
    "Layer_Embedding",
    "Layer_Flatten",
    "Layer_Input",
    "Layer_MaxPool2D",
    "SparseRows",
]
