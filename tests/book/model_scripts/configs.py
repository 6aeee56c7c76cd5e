"""The set-ups the model scripts share, built under nnfs.init() in the book's order.

``build(name)`` seeds numpy through ``nnfs.init()``, then makes the training data, the layers
(without the output softmax) and the validation data, so the global random stream gives every
script the same numbers. The validation data is drawn before training, so dropout's draws
during training cannot change it.

* ``chapter10``: the book's chapter 10 network, 2-64-3 with ReLU, Adam(0.05, decay=5e-7).
* ``regularized``: chapters 14-15: L2 5e-4 on the first layer's weights and biases,
  Dropout(0.1) after the ReLU, Adam(0.05, decay=5e-5).
"""

import nnfs
from nnfs.datasets import spiral_data

from nnlite import Activation_ReLU, Layer_Dense, Layer_Dropout, Optimizer_Adam

CONFIGS = ("chapter10", "regularized")


def build(name):
    if name not in CONFIGS:
        raise SystemExit(f"unknown configuration {name!r}; choose from {CONFIGS}")
    nnfs.init()
    X, y = spiral_data(samples=100, classes=3)
    if name == "chapter10":
        layers = [Layer_Dense(2, 64), Activation_ReLU(), Layer_Dense(64, 3)]
        optimizer = Optimizer_Adam(learning_rate=0.05, decay=5e-7)
    else:
        layers = [
            Layer_Dense(2, 64, weight_regularizer_l2=5e-4, bias_regularizer_l2=5e-4),
            Activation_ReLU(),
            Layer_Dropout(0.1),
            Layer_Dense(64, 3),
        ]
        optimizer = Optimizer_Adam(learning_rate=0.05, decay=5e-5)
    X_val, y_val = spiral_data(samples=100, classes=3)
    return X, y, X_val, y_val, layers, optimizer
