"""LeNet, one gradient step by hand and then 20 SGD steps, with nnlite's book-style objects.

The flow of the article "Updating the network's weights with the gradients" (a PyTorch
tutorial, article 004 of the project's reading list), written with nnlite:

* the network: ``Conv2D 1→6 5×5, ReLU, max-pool 2, Conv2D 6→16 5×5, ReLU, max-pool 2,
  Flatten, Dense 400→120, ReLU, Dense 120→84, ReLU, Dense 84→10``, on one 1×1×32×32 image;
* the loss: mean squared error against a random target;
* one update written by hand, ``p -= learning_rate · gradient`` for every parameter, printing
  conv1's biases and their gradient before backward, after backward and after the update;
* then 20 steps of ``Optimizer_SGD(learning_rate=0.01)``, printing the loss of each step.

The weights start as PyTorch's defaults draw them (uniform in ±1/√fan_in, biases too), so that
the biases are not zero and the printed numbers have the article's size.
``tests/layers/test_lenet_article.py`` runs the same flow in PyTorch (float64, the same initial
weights) and checks that every weight agrees to 1e-10.

    python examples/lenet_article.py
"""

from __future__ import annotations

import numpy as np

from nnlite import (
    Activation_ReLU,
    Layer_Conv2D,
    Layer_Dense,
    Layer_Flatten,
    Layer_MaxPool2D,
    Loss_MeanSquaredError,
    Optimizer_SGD,
)

HAND_LEARNING_RATE = 0.1  # the article's hand-written update
SGD_LEARNING_RATE = 0.01
SGD_STEPS = 20


def build_lenet(rng: np.random.Generator) -> list:
    """The article's ``Net``, as a list of layers in the order the data flows through them."""
    layers = [
        Layer_Conv2D(1, 6, 5, rng=rng, name="conv1"),
        Activation_ReLU(),
        Layer_MaxPool2D(2),
        Layer_Conv2D(6, 16, 5, rng=rng, name="conv2"),
        Activation_ReLU(),
        Layer_MaxPool2D(2),
        Layer_Flatten(),
        Layer_Dense(16 * 5 * 5, 120, rng=rng, name="fc1"),
        Activation_ReLU(),
        Layer_Dense(120, 84, rng=rng, name="fc2"),
        Activation_ReLU(),
        Layer_Dense(84, 10, rng=rng, name="fc3"),
    ]
    # The input image needs no gradient, so the first layer skips dinputs (as Model does)
    layers[0].needs_dinputs = False
    for layer in trainable(layers):
        # PyTorch's default initialization of nn.Conv2d and nn.Linear: U(-1/√fan_in, 1/√fan_in)
        # for the weights (kaiming_uniform_ with a=√5 comes to this) and for the biases
        fan_in = layer.weights.size // layer.biases.size
        bound = 1 / np.sqrt(fan_in)
        layer.weights = rng.uniform(-bound, bound, size=layer.weights.shape)
        layer.biases = rng.uniform(-bound, bound, size=layer.biases.shape)
    return layers


def trainable(layers: list) -> list:
    return [layer for layer in layers if hasattr(layer, "weights")]


def forward(layers: list, inputs: np.ndarray) -> np.ndarray:
    for layer in layers:
        layer.forward(inputs, training=True)
        inputs = layer.output
    return inputs


def backward(layers: list, dvalues: np.ndarray) -> None:
    for layer in reversed(layers):
        layer.backward(dvalues)
        dvalues = layer.dinputs


def loss_and_gradients(layers: list, loss_function, inputs, target) -> float:
    """Forward, the loss, and backward: every layer's ``dweights`` and ``dbiases`` are set."""
    output = forward(layers, inputs)
    loss = loss_function.calculate(output, target)
    loss_function.backward(output, target)
    backward(layers, loss_function.dinputs)
    return float(loss)


def article_problem(seed: int = 0) -> tuple[list, np.ndarray, np.ndarray]:
    """The network, one random 1×1×32×32 image and a random target of 10 values."""
    rng = np.random.default_rng(seed)
    layers = build_lenet(rng)
    inputs = rng.standard_normal((1, 1, 32, 32))
    target = rng.standard_normal((1, 10))
    return layers, inputs, target


def main() -> None:
    layers, inputs, target = article_problem()
    conv1 = layers[0]
    loss_function = Loss_MeanSquaredError()

    np.set_printoptions(precision=4, suppress=True)
    print("conv1.biases before backward")
    print(conv1.biases)
    print(getattr(conv1, "dbiases", None))
    loss = loss_and_gradients(layers, loss_function, inputs, target)
    print(f"\nloss {loss:.6f}")
    print("conv1.biases after backward")
    print(conv1.biases)
    print(conv1.dbiases)

    # The hand-written update: p -= learning_rate · gradient, for every parameter
    for layer in trainable(layers):
        layer.weights -= HAND_LEARNING_RATE * layer.dweights
        layer.biases -= HAND_LEARNING_RATE * layer.dbiases
    print("\nconv1.biases after backward and the update")
    print(conv1.biases)
    print(conv1.dbiases)

    # The same with an optimizer, for 20 steps
    print(f"\n{SGD_STEPS} steps of Optimizer_SGD(learning_rate={SGD_LEARNING_RATE})")
    optimizer = Optimizer_SGD(learning_rate=SGD_LEARNING_RATE)
    for step in range(1, SGD_STEPS + 1):
        loss = loss_and_gradients(layers, loss_function, inputs, target)
        optimizer.pre_update_params()
        for layer in trainable(layers):
            optimizer.update_params(layer)
        optimizer.post_update_params()
        print(f"step {step:2d}, loss {loss:.6f}")
    print("conv1.biases after the 20 steps")
    print(conv1.biases)


if __name__ == "__main__":
    main()
