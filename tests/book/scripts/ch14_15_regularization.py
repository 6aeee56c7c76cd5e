# The book's chapters 14 and 15: L2 regularization (and dropout in chapter 15), then a
# validation pass on fresh spiral data. Run as: python ch14_15_regularization.py CHAPTER EPOCHS
import sys

import nnfs
import numpy as np
from nnfs.datasets import spiral_data

from nnlite import *  # noqa: F403

nnfs.init()
chapter, epochs = int(sys.argv[1]), int(sys.argv[2])

X, y = spiral_data(samples=1000 if chapter == 15 else 100, classes=3)
dense1 = Layer_Dense(2, 64, weight_regularizer_l2=5e-4, bias_regularizer_l2=5e-4)  # noqa: F405
activation1 = Activation_ReLU()  # noqa: F405
dropout1 = Layer_Dropout(0.1) if chapter == 15 else None  # noqa: F405
dense2 = Layer_Dense(64, 3)  # noqa: F405
loss_activation = Activation_Softmax_Loss_CategoricalCrossentropy()  # noqa: F405
if chapter == 15:
    optimizer = Optimizer_Adam(learning_rate=0.05, decay=5e-5)  # noqa: F405
else:
    optimizer = Optimizer_Adam(learning_rate=0.02, decay=5e-7)  # noqa: F405

for epoch in range(epochs):
    dense1.forward(X)
    activation1.forward(dense1.output)
    if dropout1 is not None:
        dropout1.forward(activation1.output)
        dense2.forward(dropout1.output)
    else:
        dense2.forward(activation1.output)
    data_loss = loss_activation.forward(dense2.output, y)
    regularization_loss = loss_activation.loss.regularization_loss(
        dense1
    ) + loss_activation.loss.regularization_loss(dense2)
    loss = data_loss + regularization_loss

    predictions = np.argmax(loss_activation.output, axis=1)
    if len(y.shape) == 2:
        y = np.argmax(y, axis=1)
    accuracy = np.mean(predictions == y)

    if not epoch % 100:
        print(
            f"epoch: {epoch}, "
            + f"acc: {accuracy:.3f}, "
            + f"loss: {loss:.3f} ("
            + f"data_loss: {data_loss:.3f}, "
            + f"reg_loss: {regularization_loss:.3f}), "
            + f"lr: {optimizer.current_learning_rate}"
        )

    loss_activation.backward(loss_activation.output, y)
    dense2.backward(loss_activation.dinputs)
    if dropout1 is not None:
        dropout1.backward(dense2.dinputs)
        activation1.backward(dropout1.dinputs)
    else:
        activation1.backward(dense2.dinputs)
    dense1.backward(activation1.dinputs)

    optimizer.pre_update_params()
    optimizer.update_params(dense1)
    optimizer.update_params(dense2)
    optimizer.post_update_params()

# Validate the model on data made after training (its draws depend on training's)
X_test, y_test = spiral_data(samples=100, classes=3)
dense1.forward(X_test)
activation1.forward(dense1.output)
dense2.forward(activation1.output)
loss = loss_activation.forward(dense2.output, y_test)
predictions = np.argmax(loss_activation.output, axis=1)
if len(y_test.shape) == 2:
    y_test = np.argmax(y_test, axis=1)
accuracy = np.mean(predictions == y_test)
print(f"validation, acc: {accuracy:.3f}, loss: {loss:.3f}")
