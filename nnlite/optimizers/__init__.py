"""Optimizers on the book's hooks, each verified step by step against torch.optim."""

from nnlite.optimizers.adadelta import Optimizer_Adadelta
from nnlite.optimizers.adafactor import Optimizer_Adafactor
from nnlite.optimizers.adagrad import Optimizer_Adagrad
from nnlite.optimizers.adam import Optimizer_Adam, Optimizer_AdamW
from nnlite.optimizers.adamax import Optimizer_Adamax
from nnlite.optimizers.asgd import Optimizer_ASGD
from nnlite.optimizers.engine.blocks import set_update_threads, update_threads
from nnlite.optimizers.lbfgs import Optimizer_LBFGS
from nnlite.optimizers.lion import Optimizer_Lion
from nnlite.optimizers.muon import Optimizer_Muon
from nnlite.optimizers.nadam import Optimizer_NAdam
from nnlite.optimizers.optimizer import Optimizer
from nnlite.optimizers.radam import Optimizer_RAdam
from nnlite.optimizers.rmsprop import Optimizer_RMSprop
from nnlite.optimizers.rprop import Optimizer_Rprop
from nnlite.optimizers.sgd import Optimizer_SGD
from nnlite.optimizers.sparse_adam import Optimizer_SparseAdam

__all__ = [
    "Optimizer",
    "Optimizer_ASGD",
    "Optimizer_Adadelta",
    "Optimizer_Adafactor",
    "Optimizer_Adagrad",
    "Optimizer_Adam",
    "Optimizer_AdamW",
    "Optimizer_Adamax",
    "Optimizer_LBFGS",
    "Optimizer_Lion",
    "Optimizer_Muon",
    "Optimizer_NAdam",
    "Optimizer_RAdam",
    "Optimizer_RMSprop",
    "Optimizer_Rprop",
    "Optimizer_SGD",
    "Optimizer_SparseAdam",
    "set_update_threads",
    "update_threads",
]
