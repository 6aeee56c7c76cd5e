# The book's chapter 9 pass: one forward and backward through a 2-3-3 network, printing the
# gradients, and the separate softmax + cross-entropy backward next to the combined one.
# Each array is printed as the book prints it and, to compare every bit, as a SHA-256 digest.
import hashlib

import nnfs
import numpy as np
from nnfs.datasets import spiral_data

from nnlite import *  # noqa: F403

nnfs.init()


def show(name, array):
    print(name, array.dtype, array.shape, hashlib.sha256(array.tobytes()).hexdigest())
    print(array)


X, y = spiral_data(samples=100, classes=3)
dense1 = Layer_Dense(2, 3)  # noqa: F405
activation1 = Activation_ReLU()  # noqa: F405
dense2 = Layer_Dense(3, 3)  # noqa: F405
loss_activation = Activation_Softmax_Loss_CategoricalCrossentropy()  # noqa: F405

dense1.forward(X)
activation1.forward(dense1.output)
dense2.forward(activation1.output)
loss = loss_activation.forward(dense2.output, y)
print(loss_activation.output[:5])
print("loss:", loss)
predictions = np.argmax(loss_activation.output, axis=1)
print("acc:", np.mean(predictions == y))

loss_activation.backward(loss_activation.output, y)
dense2.backward(loss_activation.dinputs)
activation1.backward(dense2.dinputs)
dense1.backward(activation1.dinputs)
show("dense1.dweights", dense1.dweights)
show("dense1.dbiases", dense1.dbiases)
show("dense2.dweights", dense2.dweights)
show("dense2.dbiases", dense2.dbiases)

# The same gradient through the separate softmax and loss backward passes
softmax_outputs = np.array([[0.7, 0.1, 0.2], [0.1, 0.5, 0.4], [0.02, 0.9, 0.08]])
class_targets = np.array([0, 1, 1])
softmax_loss = Activation_Softmax_Loss_CategoricalCrossentropy()  # noqa: F405
softmax_loss.backward(softmax_outputs, class_targets)
activation = Activation_Softmax()  # noqa: F405
activation.output = softmax_outputs
loss_function = Loss_CategoricalCrossentropy()  # noqa: F405
loss_function.backward(softmax_outputs, class_targets)
activation.backward(loss_function.dinputs)
show("Gradients: combined loss and activation:", softmax_loss.dinputs)
show("Gradients: separate loss and activation:", activation.dinputs)
