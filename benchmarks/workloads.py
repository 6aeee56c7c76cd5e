"""The benchmark's workloads, each built once per implementation as a ``step()`` callable.

Every implementation of a workload starts from the same arrays (data, initial weights,
gradients), so they all do the same arithmetic and only the code around it differs.

* (a) and (b), a training step: forward, loss, backward and an Adam update; the book's loop
  for nnlite and the book-style baseline, ``nn.Linear`` + ``cross_entropy`` for PyTorch. The
  floor is the matrix products a step cannot avoid, and nothing else.
* (c), an optimizer update alone on one ``(1000, 10000)`` weight array and its ``(1, 10000)``
  biases, from a fixed gradient. The floor is one pass over the bytes the update must read
  and write, at the memory bandwidth a plain copy reaches (``np.copyto`` with one thread,
  torch's ``copy_`` with all of them).

torch is imported only by the builders that need it, so the NumPy rows run without it.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

import naive_book
import numpy as np

import nnlite

Step = Callable[[], object]

#: numba (nnlite's optional "fast" extra) is what Optimizer_Adam(fused=True) needs
HAVE_NUMBA = importlib.util.find_spec("numba") is not None

# ---------------------------------------------------------------------- (a), (b): training


@dataclass(frozen=True)
class Network:
    """A multilayer perceptron trained with full-batch Adam: ReLU between the dense layers,
    softmax with categorical cross-entropy at the end."""

    label: str
    sizes: tuple[int, ...]
    samples: int
    learning_rate: float
    data: str


SPIRAL = Network(
    label="(a) spiral, 2-64-3, 300 samples, full batch, Adam",
    sizes=(2, 64, 3),
    samples=300,
    learning_rate=0.05,
    data="nnfs `spiral_data(samples=100, classes=3)`",
)
FASHION = Network(
    label="(b) MLP 784-128-128-10, batch 128, Adam",
    sizes=(784, 128, 128, 10),
    samples=128,
    learning_rate=0.001,
    data="random N(0, 1) inputs and uniform labels of Fashion-MNIST's shape (not the dataset)",
)


def quick_version(network: Network) -> Network:
    """A smaller batch, for the smoke run."""
    samples = min(network.samples, 30)
    return Network(
        label=f"{network.label} [--quick: {samples} samples]",
        sizes=network.sizes,
        samples=samples,
        learning_rate=network.learning_rate,
        data=network.data,
    )


@dataclass
class Problem:
    """The arrays every implementation of a network starts from."""

    network: Network
    inputs: np.ndarray
    labels: np.ndarray
    weights: list[np.ndarray]
    biases: list[np.ndarray]


def make_problem(network: Network, dtype: np.dtype, seed: int = 0) -> Problem:
    """The data and initial parameters (the book's 0.01·randn weights, zero biases)."""
    rng = np.random.default_rng(seed)
    classes = network.sizes[-1]
    if network.sizes[0] == 2:
        np.random.seed(seed)  # spiral_data draws from the global stream
        inputs, labels = nnlite.spiral_data(samples=network.samples // classes, classes=classes)
    else:
        inputs = rng.standard_normal((network.samples, network.sizes[0]))
        labels = rng.integers(0, classes, size=network.samples)
    pairs = zip(network.sizes[:-1], network.sizes[1:], strict=True)
    weights = [(0.01 * rng.standard_normal(shape)).astype(dtype) for shape in pairs]
    biases = [np.zeros((1, n_neurons), dtype=dtype) for n_neurons in network.sizes[1:]]
    return Problem(network, inputs.astype(dtype), labels.astype(np.int64), weights, biases)


def book_loop_step(
    module: object,
    problem: Problem,
    *,
    first_dinputs: bool = True,
    optimizer_options: dict | None = None,
) -> Step:
    """The book's training step with the classes of ``module`` (nnlite or the book-style
    baseline): forward, loss, backward, then the three optimizer hooks.

    ``first_dinputs=False`` tells the first layer not to compute ``dinputs``, the gradient
    with respect to the data, which nothing reads (nnlite's ``needs_dinputs``);
    ``optimizer_options`` go to ``Optimizer_Adam`` (nnlite's ``fused=True``).
    """
    dense_layers = []
    for weights, biases in zip(problem.weights, problem.biases, strict=True):
        layer = module.Layer_Dense(*weights.shape)
        layer.weights, layer.biases = weights.copy(), biases.copy()
        dense_layers.append(layer)
    if not first_dinputs:
        dense_layers[0].needs_dinputs = False
    activations = [module.Activation_ReLU() for _ in dense_layers[:-1]]
    loss_activation = module.Activation_Softmax_Loss_CategoricalCrossentropy()
    optimizer = module.Optimizer_Adam(
        learning_rate=problem.network.learning_rate, **(optimizer_options or {})
    )
    inputs, labels = problem.inputs, problem.labels
    hidden = list(zip(dense_layers[:-1], activations, strict=True))

    def step() -> float:
        # Forward: dense, ReLU, ..., dense, then softmax and the loss
        values = inputs
        for dense, activation in hidden:
            dense.forward(values)
            activation.forward(dense.output)
            values = activation.output
        dense_layers[-1].forward(values)
        loss = loss_activation.forward(dense_layers[-1].output, labels)
        # Backward, from the loss to the first layer
        loss_activation.backward(loss_activation.output, labels)
        dense_layers[-1].backward(loss_activation.dinputs)
        dvalues = dense_layers[-1].dinputs
        for dense, activation in reversed(hidden):
            activation.backward(dvalues)
            dense.backward(activation.dinputs)
            dvalues = dense.dinputs
        # Update every layer
        optimizer.pre_update_params()
        for dense in dense_layers:
            optimizer.update_params(dense)
        optimizer.post_update_params()
        return loss

    return step


def nnlite_training_step(problem: Problem) -> Step:
    # As nnlite's Model does for its first layer, and as torch does for inputs that do not
    # require a gradient: the data's gradient is not computed
    return book_loop_step(nnlite, problem, first_dinputs=False)


def nnlite_fused_training_step(problem: Problem) -> Step:
    # The same, with Adam's rule compiled by the optional numba (the same numbers)
    return book_loop_step(nnlite, problem, first_dinputs=False, optimizer_options={"fused": True})


def naive_training_step(problem: Problem) -> Step:
    return book_loop_step(naive_book, problem)


def torch_training_step(problem: Problem, variant: str) -> Step:
    """PyTorch's idiomatic step: ``nn.Linear`` layers, ``relu``, ``cross_entropy`` (softmax and
    the loss in one), ``backward()`` and ``Adam``. ``variant``: ``"default"`` (what
    ``Adam(params)`` picks; on the CPU that is the for-loop implementation), ``"foreach"`` or
    ``"fused"``."""
    import torch

    dtype = torch.float32 if problem.inputs.dtype == np.float32 else torch.float64
    layers = []
    for weights, biases in zip(problem.weights, problem.biases, strict=True):
        layer = torch.nn.Linear(*weights.shape, dtype=dtype)
        with torch.no_grad():
            layer.weight.copy_(torch.from_numpy(weights.T.copy()))
            layer.bias.copy_(torch.from_numpy(biases[0].copy()))
        layers.append(layer)
    parameters = [p for layer in layers for p in layer.parameters()]
    optimizer = torch.optim.Adam(
        parameters, lr=problem.network.learning_rate, eps=1e-7, **_torch_variant(variant)
    )
    inputs = torch.from_numpy(problem.inputs)
    labels = torch.from_numpy(problem.labels)
    cross_entropy = torch.nn.functional.cross_entropy

    def step() -> object:
        optimizer.zero_grad()
        values = inputs
        for layer in layers[:-1]:
            values = torch.relu(layer(values))
        loss = cross_entropy(layers[-1](values), labels)
        loss.backward()
        optimizer.step()
        return loss

    return step


def _torch_variant(variant: str) -> dict[str, bool]:
    return {"default": {}, "foreach": {"foreach": True}, "fused": {"fused": True}}[variant]


#: The row of nnlite's fused=True optimizers, present when numba (the "fast" extra) is installed
NNLITE_FUSED = "nnlite, fused=True with numba"

TRAINING_IMPLEMENTATIONS: dict[str, Callable[[Problem], Step]] = {
    "nnlite": nnlite_training_step,
    **({NNLITE_FUSED: nnlite_fused_training_step} if HAVE_NUMBA else {}),
    "naive book-style NumPy": naive_training_step,
    "torch Adam, default (for-loop on CPU)": partial(torch_training_step, variant="default"),
    "torch Adam, foreach=True": partial(torch_training_step, variant="foreach"),
    "torch Adam, fused=True": partial(torch_training_step, variant="fused"),
}


def training_products(problem: Problem) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The matrix products a training step must compute, as ``(a, b, out)`` triples.

    Forward ``inputs · W`` per layer; backward ``inputsᵀ · dvalues`` per layer and
    ``dvalues · Wᵀ`` for every layer but the first (no one needs the data's gradient).
    """
    dtype = problem.inputs.dtype
    samples = problem.network.samples
    products = []
    layer_inputs = [problem.inputs]
    for weights in problem.weights:
        output = np.dot(layer_inputs[-1], weights)
        products.append((layer_inputs[-1], weights, output))
        layer_inputs.append(np.maximum(output, 0))
    for index, weights in reversed(list(enumerate(problem.weights))):
        dvalues = np.full((samples, weights.shape[1]), 1e-3, dtype=dtype)
        products.append((layer_inputs[index].T, dvalues, np.empty_like(weights)))
        if index > 0:
            products.append((dvalues, weights.T, np.empty((samples, weights.shape[0]), dtype)))
    return products


def training_flops(problem: Problem) -> int:
    """Floating-point operations of the products above (2·m·k·n each)."""
    return sum(2 * a.shape[0] * a.shape[1] * b.shape[1] for a, b, _ in training_products(problem))


def numpy_floor_step(problem: Problem) -> Step:
    """Only the products, with ``np.dot`` into preallocated outputs."""
    products = training_products(problem)

    def step() -> None:
        for a, b, out in products:
            np.dot(a, b, out=out)

    return step


def torch_floor_step(problem: Problem) -> Step:
    """Only the products, with ``torch.mm`` into preallocated outputs (torch's BLAS)."""
    import torch

    products = [
        tuple(torch.from_numpy(array) for array in triple) for triple in training_products(problem)
    ]

    def step() -> None:
        for a, b, out in products:
            torch.mm(a, b, out=out)

    return step


TRAINING_FLOORS: dict[str, Callable[[Problem], Step]] = {
    "floor: the products alone, np.dot": numpy_floor_step,
    "floor: the products alone, torch.mm": torch_floor_step,
}

# ---------------------------------------------------------------------- (c): updates


@dataclass(frozen=True)
class UpdateRule:
    """An optimizer with the settings used for (c) in every implementation."""

    name: str
    nnlite_factory: Callable[[], object]
    naive_factory: Callable[[], object]
    torch_name: str
    torch_settings: dict
    #: Parameter-sized arrays the update must read plus those it must write.
    arrays_touched: int
    has_fused: bool
    #: nnlite's fused=True version of the optimizer, if it has one
    nnlite_fused_factory: Callable[[], object] | None = None


UPDATE_RULES = (
    UpdateRule(
        name="Adam",
        nnlite_factory=lambda: nnlite.Optimizer_Adam(learning_rate=0.001),
        naive_factory=lambda: naive_book.Optimizer_Adam(learning_rate=0.001),
        torch_name="Adam",
        torch_settings={"lr": 0.001, "eps": 1e-7},
        arrays_touched=7,  # read W, g, m, v; write W, m, v
        has_fused=True,
        nnlite_fused_factory=lambda: nnlite.Optimizer_Adam(learning_rate=0.001, fused=True),
    ),
    UpdateRule(
        name="SGD, momentum 0.9",
        nnlite_factory=lambda: nnlite.Optimizer_SGD(learning_rate=0.01, momentum=0.9),
        naive_factory=lambda: naive_book.Optimizer_SGD(learning_rate=0.01, momentum=0.9),
        torch_name="SGD",
        torch_settings={"lr": 0.01, "momentum": 0.9},
        arrays_touched=5,  # read W, g, momentums; write W, momentums
        has_fused=True,
        nnlite_fused_factory=lambda: nnlite.Optimizer_SGD(
            learning_rate=0.01, momentum=0.9, fused=True
        ),
    ),
    UpdateRule(
        name="RMSprop, rho 0.9",
        nnlite_factory=lambda: nnlite.Optimizer_RMSprop(learning_rate=0.001, rho=0.9),
        naive_factory=lambda: naive_book.Optimizer_RMSprop(learning_rate=0.001, rho=0.9),
        torch_name="RMSprop",
        torch_settings={"lr": 0.001, "alpha": 0.9, "eps": 1e-7},
        arrays_touched=5,  # read W, g, cache; write W, cache
        has_fused=False,  # torch.optim.RMSprop has no fused implementation
    ),
)


@dataclass
class UpdateProblem:
    """One weight array and its biases with fixed gradients: ``n_inputs · n_neurons`` weights."""

    weights: np.ndarray
    biases: np.ndarray
    dweights: np.ndarray
    dbiases: np.ndarray

    @property
    def parameter_count(self) -> int:
        return self.weights.size + self.biases.size

    @property
    def itemsize(self) -> int:
        return self.weights.itemsize


def make_update_problem(
    n_inputs: int, n_neurons: int, dtype: np.dtype, seed: int = 0
) -> UpdateProblem:
    rng = np.random.default_rng(seed)
    return UpdateProblem(
        weights=(0.01 * rng.standard_normal((n_inputs, n_neurons))).astype(dtype),
        biases=np.zeros((1, n_neurons), dtype=dtype),
        dweights=(1e-3 * rng.standard_normal((n_inputs, n_neurons))).astype(dtype),
        dbiases=(1e-3 * rng.standard_normal((1, n_neurons))).astype(dtype),
    )


def _layer_with_gradients(module: object, problem: UpdateProblem) -> object:
    layer = module.Layer_Dense(1, 1)  # the real class; its arrays are replaced below
    layer.weights, layer.biases = problem.weights.copy(), problem.biases.copy()
    layer.dweights, layer.dbiases = problem.dweights, problem.dbiases
    return layer


def book_update_step(
    module: object, rule: UpdateRule, problem: UpdateProblem, *, fused: bool = False
) -> Step:
    """The three hooks of the book's optimizers on one layer, as a training step calls them
    (``fused``: nnlite's compiled version of the rule)."""
    if fused:
        factory = rule.nnlite_fused_factory
    else:
        factory = rule.nnlite_factory if module is nnlite else rule.naive_factory
    optimizer = factory()
    layer = _layer_with_gradients(module, problem)

    def step() -> None:
        optimizer.pre_update_params()
        optimizer.update_params(layer)
        optimizer.post_update_params()

    return step


def torch_update_step(rule: UpdateRule, problem: UpdateProblem, variant: str) -> Step:
    """``optimizer.step()`` of ``torch.optim`` on the same arrays, gradients already set."""
    import torch

    parameters = []
    for value, gradient in (
        (problem.weights, problem.dweights),
        (problem.biases, problem.dbiases),
    ):
        parameter = torch.nn.Parameter(torch.from_numpy(value.copy()))
        parameter.grad = torch.from_numpy(gradient.copy())
        parameters.append(parameter)
    optimizer_class = getattr(torch.optim, rule.torch_name)
    optimizer = optimizer_class(parameters, **rule.torch_settings, **_torch_variant(variant))
    return optimizer.step


def numpy_copy_step(problem: UpdateProblem) -> Step:
    """One ``np.copyto`` of the weights (one thread): reads one array and writes one."""
    source = problem.weights.copy()
    destination = np.empty_like(source)

    def step() -> None:
        np.copyto(destination, source)

    return step


def torch_copy_step(problem: UpdateProblem) -> Step:
    """The same copy with torch's ``copy_``, which splits it over torch's threads."""
    import torch

    source = torch.from_numpy(problem.weights.copy())
    destination = torch.empty_like(source)

    def step() -> None:
        destination.copy_(source)

    return step
