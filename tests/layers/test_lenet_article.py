"""Article 004's LeNet flow (examples/lenet_article.py) against the same flow in PyTorch.

The network of ``examples/lenet_article.py``, built by its ``build_lenet``, takes one
hand-written update (``p -= 0.1 · gradient``) and then 20 steps of
``Optimizer_SGD(learning_rate=0.01)``; the article's ``Net`` in PyTorch float64, from the same
initial weights, takes the same steps (``f.data.sub_(f.grad.data * 0.1)``, then
``torch.optim.SGD``). Every loss, gradient and weight must agree to 1e-10.
"""

import numpy as np
import torch
from torch.nn import functional

from examples.lenet_article import (
    HAND_LEARNING_RATE,
    SGD_LEARNING_RATE,
    SGD_STEPS,
    article_problem,
    loss_and_gradients,
    main,
    trainable,
)
from nnlite import Layer_Conv2D, Loss_MeanSquaredError, Optimizer_SGD

TOLERANCE = 1e-10


class Net(torch.nn.Module):
    """The article's network, in float64."""

    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(1, 6, 5, dtype=torch.float64)
        self.conv2 = torch.nn.Conv2d(6, 16, 5, dtype=torch.float64)
        self.fc1 = torch.nn.Linear(16 * 5 * 5, 120, dtype=torch.float64)
        self.fc2 = torch.nn.Linear(120, 84, dtype=torch.float64)
        self.fc3 = torch.nn.Linear(84, 10, dtype=torch.float64)

    def forward(self, x):
        x = functional.max_pool2d(functional.relu(self.conv1(x)), (2, 2))
        x = functional.max_pool2d(functional.relu(self.conv2(x)), 2)
        x = x.view(-1, 16 * 5 * 5)
        x = functional.relu(self.fc1(x))
        x = functional.relu(self.fc2(x))
        return self.fc3(x)


def torch_copy(layers):
    """``Net`` with nnlite's weights: a conv's as they are, a dense layer's transposed."""
    net = Net()
    modules = [net.conv1, net.conv2, net.fc1, net.fc2, net.fc3]
    with torch.no_grad():
        for module, layer in zip(modules, trainable(layers), strict=True):
            weights = layer.weights if isinstance(layer, Layer_Conv2D) else layer.weights.T
            module.weight.copy_(torch.from_numpy(weights))
            module.bias.copy_(torch.from_numpy(layer.biases[0]))
    return net, modules


def assert_same(layers, modules, what, gradients=False):
    for layer, module in zip(trainable(layers), modules, strict=True):
        pairs = [("weights", module.weight), ("biases", module.bias)]
        if gradients:
            pairs = [("dweights", module.weight.grad), ("dbiases", module.bias.grad)]
        for name, tensor in pairs:
            ours = getattr(layer, name)
            theirs = tensor.detach().numpy()
            if ours.ndim == 2 and ours.shape[0] != 1:  # a dense layer's (n_inputs, n_neurons)
                theirs = theirs.T
            difference = np.abs(ours - theirs.reshape(ours.shape)).max()
            assert difference <= TOLERANCE, f"{what}: {layer.name}.{name} differs by {difference}"


def test_the_hand_update_and_20_sgd_steps_match_pytorch():
    layers, inputs, target = article_problem()
    net, modules = torch_copy(layers)
    x, y = torch.from_numpy(inputs), torch.from_numpy(target)
    criterion = torch.nn.MSELoss()
    loss_function = Loss_MeanSquaredError()
    assert_same(layers, modules, "initial weights")

    # One step by hand
    ours = loss_and_gradients(layers, loss_function, inputs, target)
    net.zero_grad()
    loss = criterion(net(x), y)
    loss.backward()
    assert abs(ours - loss.item()) <= TOLERANCE
    assert_same(layers, modules, "gradients of the first step", gradients=True)
    conv1 = layers[0]
    biases_before = conv1.biases.copy()
    for layer in trainable(layers):
        layer.weights -= HAND_LEARNING_RATE * layer.dweights
        layer.biases -= HAND_LEARNING_RATE * layer.dbiases
    for f in net.parameters():
        f.data.sub_(f.grad.data * HAND_LEARNING_RATE)
    assert_same(layers, modules, "after the hand-written update")
    assert np.any(conv1.biases != biases_before)

    # 20 steps of SGD
    optimizer = Optimizer_SGD(learning_rate=SGD_LEARNING_RATE)
    torch_optimizer = torch.optim.SGD(net.parameters(), lr=SGD_LEARNING_RATE)
    losses = []
    for step in range(SGD_STEPS):
        ours = loss_and_gradients(layers, loss_function, inputs, target)
        losses.append(ours)
        optimizer.pre_update_params()
        for layer in trainable(layers):
            optimizer.update_params(layer)
        optimizer.post_update_params()
        torch_optimizer.zero_grad()
        loss = criterion(net(x), y)
        loss.backward()
        torch_optimizer.step()
        assert abs(ours - loss.item()) <= TOLERANCE, step
    assert_same(layers, modules, f"after {SGD_STEPS} SGD steps")
    assert losses[-1] < losses[0]  # and it trains


def test_the_example_prints_the_articles_lines(capsys):
    main()
    printed = capsys.readouterr().out
    assert printed.startswith("conv1.biases before backward\n")
    assert "conv1.biases after backward and the update" in printed
    assert printed.count("loss ") == 1 + SGD_STEPS
