# The book's manual training loop (chapters 10-15) on nnlite's classes.
# Run as: python manual_loop.py <configuration> <epochs>
# It prints the chapter 14 line for epochs 0..<epochs> (each before that epoch's update),
# then, at the last epoch and instead of its update, the validation line.
import sys

import numpy as np
from configs import build

from nnlite import Activation_Softmax_Loss_CategoricalCrossentropy

X, y, X_val, y_val, layers, optimizer = build(sys.argv[1])
epochs = int(sys.argv[2])
loss_activation = Activation_Softmax_Loss_CategoricalCrossentropy()
trainable = [layer for layer in layers if hasattr(layer, "weights")]

for epoch in range(epochs + 1):
    # Forward pass (Dropout drops: its forward defaults to training, as in chapter 15)
    inputs = X
    for layer in layers:
        layer.forward(inputs)
        inputs = layer.output
    data_loss = loss_activation.forward(inputs, y)
    regularization_loss = 0
    for layer in trainable:
        regularization_loss = regularization_loss + loss_activation.loss.regularization_loss(layer)
    loss = data_loss + regularization_loss

    predictions = np.argmax(loss_activation.output, axis=1)
    accuracy = np.mean(predictions == y)

    print(
        f"epoch: {epoch}, "
        + f"acc: {accuracy:.3f}, "
        + f"loss: {loss:.3f} ("
        + f"data_loss: {data_loss:.3f}, "
        + f"reg_loss: {regularization_loss:.3f}), "
        + f"lr: {optimizer.current_learning_rate}"
    )

    if epoch == epochs:
        # Validate the weights after `epochs` updates, without dropout
        inputs = X_val
        for layer in layers:
            layer.forward(inputs, training=False)
            inputs = layer.output
        validation_loss = loss_activation.forward(inputs, y_val)
        predictions = np.argmax(loss_activation.output, axis=1)
        validation_accuracy = np.mean(predictions == y_val)
        print(f"validation, acc: {validation_accuracy:.3f}, loss: {validation_loss:.3f}")
        break

    # Backward pass
    loss_activation.backward(loss_activation.output, y)
    dvalues = loss_activation.dinputs
    for layer in reversed(layers):
        layer.backward(dvalues)
        dvalues = layer.dinputs

    # Update the parameters
    optimizer.pre_update_params()
    for layer in trainable:
        optimizer.update_params(layer)
    optimizer.post_update_params()
