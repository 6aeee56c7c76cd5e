"""nnlite: the book's neural-network classes, verified, tested and fast.

``from nnlite import *`` gives everything a chapter script of *Neural Networks from Scratch in
Python* defines itself: layers, activations, losses, accuracies, optimizers and the datasets.
"""

from nnlite.accuracy import Accuracy, Accuracy_Categorical, Accuracy_Regression
from nnlite.activations import (
    Activation,
    Activation_LeakyReLU,
    Activation_Linear,
    Activation_ReLU,
    Activation_ReLu,
    Activation_Sigmoid,
    Activation_Softmax,
    Activation_Tanh,
)
from nnlite.datasets import sine_data, spiral_data, vertical_data
from nnlite.files.book_pickle import load_book_parameters
from nnlite.files.optimizer_files import load_optimizer_state, save_optimizer_state
from nnlite.gradcheck import check_gradients
from nnlite.gradients import (
    accumulate_gradients,
    clip_gradients_by_global_norm,
    clip_gradients_by_value,
    gradient_norm,
    zero_grad,
)
from nnlite.layers import (
    Layer,
    Layer_AvgPool2D,
    Layer_BatchNormalization,
    Layer_Conv2D,
    Layer_Dense,
    Layer_Dropout,
    Layer_Embedding,
    Layer_Flatten,
    Layer_Input,
    Layer_MaxPool2D,
    SparseRows,
)
from nnlite.losses import (
    Activation_Softmax_Loss_CategoricalCrossentropy,
    Loss,
    Loss_BinaryCrossentropy,
    Loss_CategoricalCrossentropy,
    Loss_MeanAbsoluteError,
    Loss_MeanSquaredError,
)
from nnlite.optimizers import *  # noqa: F403  (every optimizer, listed in its __all__)
from nnlite.optimizers import __all__ as _optimizers
from nnlite.schedules import *  # noqa: F403  (every schedule, listed in its __all__)
from nnlite.schedules import __all__ as _schedules
from nnlite.torch_bridge import from_torch, to_torch
from nnlite.training.book_models import load_book_model
from nnlite.training.callback import Callback
from nnlite.training.callbacks import (
    Callback_Checkpoint,
    Callback_EarlyStopping,
    Callback_ReportToSchedule,
    Callback_TerminateOnNaN,
)
from nnlite.training.checkpoints import Checkpoint, load_checkpoint, save_checkpoint
from nnlite.training.history import History
from nnlite.training.model import Evaluation, Model

__version__ = "0.1.0"

__all__ = [
    "Accuracy",
    "Accuracy_Categorical",
    "Accuracy_Regression",
    "Activation",
    "Activation_LeakyReLU",
    "Activation_Linear",
    "Activation_ReLU",
    "Activation_ReLu",
    "Activation_Sigmoid",
    "Activation_Softmax",
    "Activation_Softmax_Loss_CategoricalCrossentropy",
    "Activation_Tanh",
    "Callback",
    "Callback_Checkpoint",
    "Callback_EarlyStopping",
    "Callback_ReportToSchedule",
    "Callback_TerminateOnNaN",
    "Checkpoint",
    "Evaluation",
    "History",
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
    "Loss",
    "Loss_BinaryCrossentropy",
    "Loss_CategoricalCrossentropy",
    "Loss_MeanAbsoluteError",
    "Loss_MeanSquaredError",
    "Model",
    "SparseRows",
    "accumulate_gradients",
    "check_gradients",
    "clip_gradients_by_global_norm",
    "clip_gradients_by_value",
    "from_torch",
    "load_book_model",
    "load_book_parameters",
    "load_checkpoint",
    "load_optimizer_state",
    "save_checkpoint",
    "save_optimizer_state",
    "to_torch",
    "gradient_norm",
    "sine_data",
    "spiral_data",
    "vertical_data",
    "zero_grad",
    *_optimizers,
    *_schedules,
]
