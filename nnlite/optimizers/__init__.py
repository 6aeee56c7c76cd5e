"""Optimizers on the book's hooks, each verified step by step against torch.optim."""

from nnlite.optimizers.adagrad import Optimizer_Adagrad
from nnlite.optimizers.adam import Optimizer_Adam, Optimizer_AdamW
from nnlite.optimizers.base import Optimizer
from nnlite.optimizers.rmsprop import Optimizer_RMSprop
from nnlite.optimizers.sgd import Optimizer_SGD

__all__ = [
    "Optimizer",
    "Optimizer_Adagrad",
    "Optimizer_Adam",
    "Optimizer_AdamW",
    "Optimizer_RMSprop",
    "Optimizer_SGD",
]
