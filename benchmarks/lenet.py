"""Workload (e): one training step of article 004's LeNet, batch 64, as three implementations.

The network: ``Conv2D 1→6 5×5, ReLU, max-pool 2, Conv2D 6→16 5×5, ReLU, max-pool 2, Flatten,
Dense 400→120, ReLU, Dense 120→84, ReLU, Dense 84→10``, on random 1×32×32 images; the loss is
the mean squared error against a random target, the update plain SGD (learning rate 0.01). A
step is the forward pass, the loss, the backward pass and the update. Every implementation
starts from the same images, targets and initial weights:

* **nnlite**: its layers in the book's loop (``forward`` of each layer, ``loss.backward``,
  ``backward`` of each layer in reverse, ``pre_update_params`` / ``update_params`` /
  ``post_update_params``); the first layer skips ``dinputs``, as ``Model`` does.
* **PyTorch on the CPU**: the article's ``Net`` (``nn.Conv2d``, ``max_pool2d``, ``nn.Linear``),
  ``mse_loss``, ``backward()`` and ``torch.optim.SGD``.
* **straightforward NumPy im2col**: the convolution most NumPy tutorials write (CS231n's
  ``im2col_indices``): the columns gathered with fancy-index arrays, the gradient put back
  with ``np.add.at``, max-pooling by im2col and ``argmax``; the book-style dense layers, ReLU
  and SGD of ``naive_book.py``.

torch is imported only by the builder that needs it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import naive_book
import numpy as np

import nnlite

Step = Callable[[], object]

LEARNING_RATE = 0.01
#: (kind, arguments) of each layer, in order
ARCHITECTURE = (
    ("conv", (1, 6, 5)),
    ("relu", ()),
    ("maxpool", (2,)),
    ("conv", (6, 16, 5)),
    ("relu", ()),
    ("maxpool", (2,)),
    ("flatten", ()),
    ("dense", (400, 120)),
    ("relu", ()),
    ("dense", (120, 84)),
    ("relu", ()),
    ("dense", (84, 10)),
)


@dataclass
class LeNetProblem:
    """The arrays every implementation starts from; conv weights ``(F, C, kh, kw)``, dense
    weights ``(n_inputs, n_neurons)`` (the book's), biases ``(1, n)``."""

    batch: int
    inputs: np.ndarray
    targets: np.ndarray
    weights: list[np.ndarray]
    biases: list[np.ndarray]


def make_problem(batch: int, dtype: np.dtype, seed: int = 0) -> LeNetProblem:
    """Random images and targets; PyTorch's default initialization, U(±1/√fan_in)."""
    rng = np.random.default_rng(seed)
    weights, biases = [], []
    for kind, arguments in ARCHITECTURE:
        if kind == "conv":
            channels, filters, size = arguments
            shape, fan_in = (filters, channels, size, size), channels * size * size
        elif kind == "dense":
            shape, fan_in = arguments, arguments[0]
        else:
            continue
        bound = 1 / np.sqrt(fan_in)
        weights.append(rng.uniform(-bound, bound, size=shape).astype(dtype))
        biases.append(rng.uniform(-bound, bound, size=(1, shape[0 if kind == "conv" else 1])))
    biases = [b.astype(dtype) for b in biases]
    inputs = rng.standard_normal((batch, 1, 32, 32)).astype(dtype)
    targets = rng.standard_normal((batch, 10)).astype(dtype)
    return LeNetProblem(batch, inputs, targets, weights, biases)


# ---------------------------------------------------------------------- nnlite


def nnlite_network(problem: LeNetProblem) -> list:
    """nnlite's layers, with the problem's initial weights."""
    layers = []
    parameters = iter(zip(problem.weights, problem.biases, strict=True))
    for kind, arguments in ARCHITECTURE:
        if kind in ("conv", "dense"):
            layer = (nnlite.Layer_Conv2D if kind == "conv" else nnlite.Layer_Dense)(*arguments)
            weights, biases = next(parameters)
            layer.weights, layer.biases = weights.copy(), biases.copy()
        else:
            layer = {
                "relu": nnlite.Activation_ReLU,
                "maxpool": nnlite.Layer_MaxPool2D,
                "flatten": nnlite.Layer_Flatten,
            }[kind](*arguments)
        layers.append(layer)
    layers[0].needs_dinputs = False  # as Model does: nothing reads the images' gradient
    return layers


def nnlite_step(problem: LeNetProblem) -> Step:
    """The book's loop over nnlite's layers."""
    layers = nnlite_network(problem)
    trainable = [layer for layer in layers if hasattr(layer, "weights")]
    loss_function = nnlite.Loss_MeanSquaredError()
    optimizer = nnlite.Optimizer_SGD(learning_rate=LEARNING_RATE)
    inputs, targets = problem.inputs, problem.targets

    def step() -> float:
        values = inputs
        for layer in layers:
            layer.forward(values, training=True)
            values = layer.output
        loss = loss_function.calculate(values, targets)
        loss_function.backward(values, targets)
        dvalues = loss_function.dinputs
        for layer in reversed(layers):
            layer.backward(dvalues)
            dvalues = layer.dinputs
        optimizer.pre_update_params()
        for layer in trainable:
            optimizer.update_params(layer)
        optimizer.post_update_params()
        return loss

    return step


# ---------------------------------------------------------------------- PyTorch


def torch_step(problem: LeNetProblem) -> Step:
    """The article's ``Net``, ``mse_loss``, ``backward()`` and ``torch.optim.SGD``."""
    import torch
    from torch.nn import functional

    dtype = torch.float32 if problem.inputs.dtype == np.float32 else torch.float64
    modules = []
    parameters = iter(zip(problem.weights, problem.biases, strict=True))
    for kind, arguments in ARCHITECTURE:
        if kind not in ("conv", "dense"):
            continue
        if kind == "conv":
            module = torch.nn.Conv2d(*arguments, dtype=dtype)
        else:
            module = torch.nn.Linear(*arguments, dtype=dtype)
        weights, biases = next(parameters)
        with torch.no_grad():
            module.weight.copy_(torch.from_numpy(weights if kind == "conv" else weights.T.copy()))
            module.bias.copy_(torch.from_numpy(biases[0].copy()))
        modules.append(module)
    conv1, conv2, fc1, fc2, fc3 = modules
    optimizer = torch.optim.SGD(
        [p for module in modules for p in module.parameters()], lr=LEARNING_RATE
    )
    inputs = torch.from_numpy(problem.inputs)
    targets = torch.from_numpy(problem.targets)

    def step() -> object:
        optimizer.zero_grad()
        x = functional.max_pool2d(functional.relu(conv1(inputs)), 2)
        x = functional.max_pool2d(functional.relu(conv2(x)), 2)
        x = x.flatten(1)
        x = fc3(functional.relu(fc2(functional.relu(fc1(x)))))
        loss = functional.mse_loss(x, targets)
        loss.backward()
        optimizer.step()
        return loss.detach()

    return step


# ---------------------------------------------------------------------- NumPy im2col


def im2col_indices(shape: tuple, size: int, stride: int) -> tuple[np.ndarray, ...]:
    """Index arrays ``(k, i, j)`` with ``x[:, k, i, j]`` of shape ``(N, C·size², Ho·Wo)``."""
    _, channels, height, width = shape
    out_height = (height - size) // stride + 1
    out_width = (width - size) // stride + 1
    i0 = np.tile(np.repeat(np.arange(size), size), channels)
    i1 = stride * np.repeat(np.arange(out_height), out_width)
    j0 = np.tile(np.arange(size), size * channels)
    j1 = stride * np.tile(np.arange(out_width), out_height)
    i = i0.reshape(-1, 1) + i1.reshape(1, -1)
    j = j0.reshape(-1, 1) + j1.reshape(1, -1)
    k = np.repeat(np.arange(channels), size * size).reshape(-1, 1)
    return k, i, j


def im2col(x: np.ndarray, size: int, stride: int) -> np.ndarray:
    """``(C·size², N·Ho·Wo)``: one column per window."""
    k, i, j = im2col_indices(x.shape, size, stride)
    cols = x[:, k, i, j]
    return cols.transpose(1, 2, 0).reshape(size * size * x.shape[1], -1)


def col2im(cols: np.ndarray, shape: tuple, size: int, stride: int) -> np.ndarray:
    """Add every column back onto the pixels of its window."""
    n_samples, channels = shape[:2]
    x = np.zeros(shape, dtype=cols.dtype)
    k, i, j = im2col_indices(shape, size, stride)
    cols = cols.reshape(channels * size * size, -1, n_samples).transpose(2, 0, 1)
    np.add.at(x, (slice(None), k, i, j), cols)
    return x


class Conv_Im2col:
    """Convolution, stride 1, no padding: ``output = W · im2col(x) + b``."""

    def __init__(self, weights: np.ndarray, biases: np.ndarray) -> None:
        self.weights, self.biases = weights, biases

    def forward(self, inputs: np.ndarray) -> None:
        self.inputs = inputs
        n_filters, _, size, _ = self.weights.shape
        out_height = inputs.shape[2] - size + 1
        out_width = inputs.shape[3] - size + 1
        self.cols = im2col(inputs, size, 1)
        output = self.weights.reshape(n_filters, -1) @ self.cols + self.biases.reshape(-1, 1)
        output = output.reshape(n_filters, out_height, out_width, len(inputs))
        self.output = output.transpose(3, 0, 1, 2)

    def backward(self, dvalues: np.ndarray) -> None:
        n_filters, _, size, _ = self.weights.shape
        self.dbiases = dvalues.sum(axis=(0, 2, 3)).reshape(1, -1)
        dvalues = dvalues.transpose(1, 2, 3, 0).reshape(n_filters, -1)
        self.dweights = (dvalues @ self.cols.T).reshape(self.weights.shape)
        dcols = self.weights.reshape(n_filters, -1).T @ dvalues
        self.dinputs = col2im(dcols, self.inputs.shape, size, 1)


class MaxPool_Im2col:
    """Max-pooling of 2 × 2 windows by im2col and argmax over each column."""

    def forward(self, inputs: np.ndarray) -> None:
        self.inputs = inputs
        n_samples, channels, height, width = inputs.shape
        images = inputs.reshape(n_samples * channels, 1, height, width)
        self.cols = im2col(images, 2, 2)
        self.argmax = np.argmax(self.cols, axis=0)
        output = self.cols[self.argmax, np.arange(self.argmax.size)]
        output = output.reshape(height // 2, width // 2, n_samples, channels)
        self.output = output.transpose(2, 3, 0, 1)

    def backward(self, dvalues: np.ndarray) -> None:
        n_samples, channels, height, width = self.inputs.shape
        dcols = np.zeros_like(self.cols)
        dcols[self.argmax, np.arange(self.argmax.size)] = dvalues.transpose(2, 3, 0, 1).ravel()
        dinputs = col2im(dcols, (n_samples * channels, 1, height, width), 2, 2)
        self.dinputs = dinputs.reshape(self.inputs.shape)


class Flatten:
    def forward(self, inputs: np.ndarray) -> None:
        self.inputs = inputs
        self.output = inputs.reshape(len(inputs), -1)

    def backward(self, dvalues: np.ndarray) -> None:
        self.dinputs = dvalues.reshape(self.inputs.shape)


def numpy_im2col_step(problem: LeNetProblem) -> Step:
    layers = []
    parameters = iter(zip(problem.weights, problem.biases, strict=True))
    for kind, arguments in ARCHITECTURE:
        if kind == "conv":
            weights, biases = next(parameters)
            layers.append(Conv_Im2col(weights.copy(), biases.copy()))
        elif kind == "dense":
            layer = naive_book.Layer_Dense(*arguments)
            weights, biases = next(parameters)
            layer.weights, layer.biases = weights.copy(), biases.copy()
            layers.append(layer)
        else:
            make = {"relu": naive_book.Activation_ReLU, "maxpool": MaxPool_Im2col}
            layers.append(make.get(kind, Flatten)())
    trainable = [layer for layer in layers if hasattr(layer, "weights")]
    optimizer = naive_book.Optimizer_SGD(learning_rate=LEARNING_RATE)
    inputs, targets = problem.inputs, problem.targets

    def step() -> np.floating:
        values = inputs
        for layer in layers:
            layer.forward(values)
            values = layer.output
        # Mean squared error and its gradient
        loss = np.mean((targets - values) ** 2)
        dvalues = -2 * (targets - values) / values.size
        for layer in reversed(layers):
            layer.backward(dvalues)
            dvalues = layer.dinputs
        optimizer.pre_update_params()
        for layer in trainable:
            optimizer.update_params(layer)
        optimizer.post_update_params()
        return loss

    return step


#: The PyTorch row, the one the target compares with
TORCH = "torch, nn.Conv2d + SGD"

IMPLEMENTATIONS: dict[str, Callable[[LeNetProblem], Step]] = {
    "nnlite": nnlite_step,
    TORCH: torch_step,
    "straightforward NumPy im2col": numpy_im2col_step,
}
