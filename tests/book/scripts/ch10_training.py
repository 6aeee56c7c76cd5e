# The book's chapter 10 training loop, with its class definitions replaced by nnlite.
# Run as: python ch10_training.py "<optimizer expression>"
import sys

import nnfs
import numpy as np
from nnfs.datasets import spiral_data

from nnlite import *  # noqa: F403

nnfs.init()

X, y = spiral_data(samples=100, classes=3)
dense1 = Layer_Dense(2, 64)  # noqa: F405
activation1 = Activation_ReLU()  # noqa: F405
dense2 = Layer_Dense(64, 3)  # noqa: F405
loss_activation = Activation_Softmax_Loss_CategoricalCrossentropy()  # noqa: F405
optimizer = eval(sys.argv[1])

for epoch in range(10001):
    dense1.forward(X)
    activation1.forward(dense1.output)
    dense2.forward(activation1.output)
    loss = loss_activation.forward(dense2.output, y)

    predictions = np.argmax(loss_activation.output, axis=1)
    if len(y.shape) == 2:
        y = np.argmax(y, axis=1)
    accuracy = np.mean(predictions == y)

    if not epoch % 100:
        print(
            f"epoch: {epoch}, "
            + f"acc: {accuracy:.3f}, "
            + f"loss: {loss:.3f}, "
            + f"lr: {optimizer.current_learning_rate}"
        )

    loss_activation.backward(loss_activation.output, y)
    dense2.backward(loss_activation.dinputs)
    activation1.backward(dense2.dinputs)
    dense1.backward(activation1.dinputs)

    optimizer.pre_update_params()
    optimizer.update_params(dense1)
    optimizer.update_params(dense2)
    optimizer.post_update_params()
