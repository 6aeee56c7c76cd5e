"""Run an nnlite optimizer and a torch.optim optimizer in lockstep, in float64, and compare.

Both sides start from the same two layers (``Layer_Dense(4, 5)`` and ``Layer_Dense(5, 3)``)
and take the same number of steps on one of two problems:

* ``"network"``: the two layers with tanh between them and softmax cross-entropy on fixed
  data; nnlite's backward passes against torch's autograd;
* ``"quadratic"``: the gradients are set directly, ``g = f(θ)`` with
  ``f(θ) = 0.8·(θ - target) + 0.3·sin(3θ)``, computed by the same NumPy function on both
  sides, so that only the optimizers' arithmetic can differ.

After every step the weights and biases (and any state named in the case) must agree to
``TOLERANCE``; the first quantity that does not is reported with ours and theirs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import torch

from nnlite import (
    Activation_Softmax_Loss_CategoricalCrossentropy,
    Activation_Tanh,
    Layer_Dense,
)
from nnlite.optimizers.optimizer import Optimizer

TOLERANCE = 1e-10
PROBLEMS = ("network", "quadratic")
PARAMETER_NAMES = ("weights", "biases")
STATE_PREFIXES = {"weights": "weight", "biases": "bias"}


class TorchParameters:
    """The torch twins of the layers' parameters, grouped the ways param groups need them."""

    def __init__(self, layers: list[Layer_Dense]) -> None:
        self.by_layer = [
            [torch.tensor(getattr(layer, name), requires_grad=True) for name in PARAMETER_NAMES]
            for layer in layers
        ]
        self.all = [tensor for pair in self.by_layer for tensor in pair]
        self.first, self.second = self.by_layer
        self.weights = [pair[0] for pair in self.by_layer]
        self.biases = [pair[1] for pair in self.by_layer]


@dataclass(frozen=True)
class Case:
    """One row of a parity table.

    ``ours`` builds the nnlite optimizer; ``theirs`` builds torch's from the parameters.
    Optional: ``schedule`` (a LambdaLR factor for torch, stepped after each step),
    ``configure(optimizer, layers)`` (e.g. ``add_param_group``), ``penalty(p)`` (a term added
    to torch's loss, e.g. the L1 penalty that ``l1_decay`` stands for), ``before_step(p)``
    (e.g. ``clip_grad_value_``), ``use_step`` (drive nnlite with ``optimizer.step(layers)``
    instead of the three hooks), ``state`` and ``scalars`` (pairs of our state suffix or scalar
    name and torch's ``optimizer.state`` key, compared as well).
    """

    name: str
    ours: Callable[[], Optimizer]
    theirs: Callable[[TorchParameters], torch.optim.Optimizer]
    schedule: Callable[[int], float] | None = None
    configure: Callable[[Optimizer, list[Layer_Dense]], None] | None = None
    penalty: Callable[[TorchParameters], torch.Tensor] | None = None
    before_step: Callable[[TorchParameters], object] | None = None
    use_step: bool = False
    state: tuple[tuple[str, str], ...] = ()
    scalars: tuple[tuple[str, str], ...] = ()
    steps: int = 30

    def __str__(self) -> str:
        return self.name


@contextmanager
def torch_float64() -> Iterator[None]:
    """float64 by default, as torch keeps scalar state (NAdam's μ product, ASGD's η and μ) in
    the default dtype; one thread, as these tensors are tiny and waiting threads cost time."""
    previous_dtype, previous_threads = torch.get_default_dtype(), torch.get_num_threads()
    torch.set_default_dtype(torch.float64)
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_default_dtype(previous_dtype)
        torch.set_num_threads(previous_threads)


def make_layers() -> list[Layer_Dense]:
    rng = np.random.default_rng(7)
    layers = [Layer_Dense(4, 5, rng=rng, name="first"), Layer_Dense(5, 3, rng=rng, name="second")]
    for layer in layers:
        layer.weights = 0.5 * rng.standard_normal(layer.weights.shape)
        layer.biases = 0.1 * rng.standard_normal(layer.biases.shape)
    return layers


def quadratic_gradient(value: np.ndarray, target: np.ndarray) -> np.ndarray:
    return 0.8 * (value - target) + 0.3 * np.sin(3 * value)


class _Problem:
    """The data, and the gradients of each side at the current parameters."""

    def __init__(self, kind: str, layers: list[Layer_Dense]) -> None:
        rng = np.random.default_rng(11)
        self.kind = kind
        self.inputs = rng.standard_normal((16, 4))
        self.labels = rng.integers(0, 3, size=16)
        self.targets = [
            [rng.standard_normal(getattr(layer, name).shape) for name in PARAMETER_NAMES]
            for layer in layers
        ]
        self.tanh = Activation_Tanh()
        self.softmax_loss = Activation_Softmax_Loss_CategoricalCrossentropy()

    def our_gradients(self, layers: list[Layer_Dense]) -> None:
        if self.kind == "quadratic":
            for layer, targets in zip(layers, self.targets, strict=True):
                layer.dweights = quadratic_gradient(layer.weights, targets[0])
                layer.dbiases = quadratic_gradient(layer.biases, targets[1])
            return
        first, second = layers
        first.forward(self.inputs)
        self.tanh.forward(first.output)
        second.forward(self.tanh.output)
        self.softmax_loss.forward(second.output, self.labels)
        self.softmax_loss.backward(self.softmax_loss.output, self.labels)
        second.backward(self.softmax_loss.dinputs)
        self.tanh.backward(second.dinputs)
        first.backward(self.tanh.dinputs)

    def their_gradients(self, parameters: TorchParameters, case: Case) -> None:
        for tensor in parameters.all:
            tensor.grad = None
        if self.kind == "quadratic":
            if case.penalty is not None:
                case.penalty(parameters).backward()
            for pair, targets in zip(parameters.by_layer, self.targets, strict=True):
                for tensor, target in zip(pair, targets, strict=True):
                    gradient = torch.from_numpy(quadratic_gradient(tensor.detach().numpy(), target))
                    tensor.grad = gradient if tensor.grad is None else tensor.grad + gradient
            return
        (weights_1, biases_1), (weights_2, biases_2) = parameters.by_layer
        hidden = torch.tanh(torch.from_numpy(self.inputs) @ weights_1 + biases_1)
        scores = hidden @ weights_2 + biases_2
        loss = torch.nn.functional.cross_entropy(scores, torch.from_numpy(self.labels))
        if case.penalty is not None:
            loss = loss + case.penalty(parameters)
        loss.backward()


def assert_lockstep(case: Case, problem: str) -> None:
    """Run ``case`` on ``problem`` and fail at the first quantity that disagrees."""
    with torch_float64():
        layers = make_layers()
        start = [layer.weights.copy() for layer in layers]
        parameters = TorchParameters(layers)
        ours = case.ours()
        if case.configure is not None:
            case.configure(ours, layers)
        theirs = case.theirs(parameters)
        scheduler = (
            torch.optim.lr_scheduler.LambdaLR(theirs, case.schedule) if case.schedule else None
        )
        data = _Problem(problem, layers)
        for step in range(1, case.steps + 1):
            data.our_gradients(layers)
            if case.use_step:
                ours.step(layers)
            else:
                ours.pre_update_params()
                for layer in layers:
                    ours.update_params(layer)
                ours.post_update_params()

            data.their_gradients(parameters, case)
            if case.before_step is not None:
                case.before_step(parameters)
            theirs.step()
            if scheduler is not None:
                scheduler.step()

            _compare(case, problem, step, layers, parameters, theirs)
        moved = max(
            float(np.max(np.abs(layer.weights - first)))
            for layer, first in zip(layers, start, strict=True)
        )
        assert moved > 1e-4, f"{case} [{problem}]: the weights hardly moved ({moved:.2e})"


def _compare(
    case: Case,
    problem: str,
    step: int,
    layers: list[Layer_Dense],
    parameters: TorchParameters,
    theirs: torch.optim.Optimizer,
) -> None:
    for layer, pair in zip(layers, parameters.by_layer, strict=True):
        for name, tensor in zip(PARAMETER_NAMES, pair, strict=True):
            quantities = [(name, getattr(layer, name), tensor.detach().numpy())]
            for suffix, key in case.state:
                attribute = f"{STATE_PREFIXES[name]}_{suffix}"
                quantities.append(
                    (attribute, getattr(layer, attribute), theirs.state[tensor][key].numpy())
                )
            for key, torch_key in case.scalars:
                ours_scalar = layer.optimizer_state.extras[name][key]
                theirs_scalar = float(theirs.state[tensor][torch_key])
                quantities.append((f"{name} {key}", np.array(ours_scalar), theirs_scalar))
            for label, ours_value, theirs_value in quantities:
                difference = float(np.max(np.abs(ours_value - theirs_value)))
                assert difference < TOLERANCE, (
                    f"{case} [{problem}] step {step}: {layer.name}.{label} differs from torch "
                    f"by {difference:.3g}\nours:\n{ours_value}\ntheirs:\n{theirs_value}"
                )
