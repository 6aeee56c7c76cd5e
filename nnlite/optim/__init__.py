"""PyTorch's optimizer API over nnlite's rules: ``nnlite.optim.SGD(model.parameters(), lr=0.1)``.

The same classes, arguments, defaults and methods as ``torch.optim`` (``zero_grad``, ``step``,
``param_groups``, ``state``, ``state_dict``, ``add_param_group``), and ``lr_scheduler`` with
PyTorch's schedulers. Every update runs the rule of the matching book-style optimizer in
``nnlite.optimizers`` (``nnlite.optim.Adam`` runs ``Optimizer_Adam``'s), so the book's hooks
and this face give the same numbers, and both give torch.optim's.
"""

from nnlite.optim import lr_scheduler
from nnlite.optim.lbfgs import LBFGS
from nnlite.optim.optimizer import Optimizer
from nnlite.optim.optimizers import (
    ASGD,
    SGD,
    Adadelta,
    Adafactor,
    Adagrad,
    Adam,
    Adamax,
    AdamW,
    Lion,
    Muon,
    NAdam,
    RAdam,
    RMSprop,
    Rprop,
    SparseAdam,
)

__all__ = [
    "ASGD",
    "LBFGS",
    "SGD",
    "Adadelta",
    "Adafactor",
    "Adagrad",
    "Adam",
    "AdamW",
    "Adamax",
    "Lion",
    "Muon",
    "NAdam",
    "Optimizer",
    "RAdam",
    "RMSprop",
    "Rprop",
    "SparseAdam",
    "lr_scheduler",
]
