"""Optimizer_Lion against the paper's rule written a second time with torch tensors (float64).

PyTorch has no Lion. :class:`TorchLion` below is Algorithm 2 of Chen et al. (2023),
"Symbolic Discovery of Optimization Algorithms", written independently as a
``torch.optim.Optimizer``; the parity rows run it in lockstep with nnlite for 30 steps
(``torch_lockstep.py``) and require agreement within 1e-10.
"""

import numpy as np
import pytest
import torch

from nnlite import (
    Layer_Dense,
)
from nnlite.optimizers.lion import Optimizer_Lion
from tests.optimizers.torch_lockstep import PROBLEMS, Case, assert_lockstep


class TorchLion(torch.optim.Optimizer):
    """The paper's Algorithm 2, line by line:

    c = β₁·m + (1 - β₁)·g;  θ = θ - lr·(sign(c) + λ·θ);  m = β₂·m + (1 - β₂)·g
    """

    def __init__(self, params, lr=1e-4, betas=(0.9, 0.99), weight_decay=0.0, maximize=False):
        super().__init__(
            params, {"lr": lr, "betas": betas, "weight_decay": weight_decay, "maximize": maximize}
        )

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            beta_1, beta_2 = group["betas"]
            lr, weight_decay = group["lr"], group["weight_decay"]
            for theta in group["params"]:
                g = -theta.grad if group["maximize"] else theta.grad
                state = self.state[theta]
                if not state:
                    state["exp_avg"] = torch.zeros_like(theta)
                m = state["exp_avg"]
                c = beta_1 * m + (1 - beta_1) * g
                theta.copy_(theta - lr * weight_decay * theta - lr * torch.sign(c))
                m.copy_(beta_2 * m + (1 - beta_2) * g)


def inverse_time(decay):
    return lambda k: 1.0 / (1.0 + decay * k)


CASES = [
    Case("defaults", lambda: Optimizer_Lion(), lambda p: TorchLion(p.all)),
    Case(
        "lr 0.01",
        lambda: Optimizer_Lion(0.01),
        lambda p: TorchLion(p.all, lr=0.01),
        state=(("momentums", "exp_avg"),),
    ),
    Case(
        "betas (0.95, 0.98)",
        lambda: Optimizer_Lion(0.01, beta_1=0.95, beta_2=0.98),
        lambda p: TorchLion(p.all, lr=0.01, betas=(0.95, 0.98)),
        state=(("momentums", "exp_avg"),),
    ),
    Case(
        "weight_decay 0.5 (decoupled)",
        lambda: Optimizer_Lion(0.01, weight_decay=0.5),
        lambda p: TorchLion(p.all, lr=0.01, weight_decay=0.5),
    ),
    Case(
        "maximize",
        lambda: Optimizer_Lion(0.01, maximize=True),
        lambda p: TorchLion(p.all, lr=0.01, maximize=True),
    ),
    Case(
        "decay 0.1",
        lambda: Optimizer_Lion(0.01, decay=0.1, weight_decay=0.5),
        lambda p: TorchLion(p.all, lr=0.01, weight_decay=0.5),
        schedule=inverse_time(0.1),
    ),
    Case(
        "param group: no weight decay on biases",
        lambda: Optimizer_Lion(0.01, weight_decay=0.5),
        lambda p: TorchLion(
            [{"params": p.weights}, {"params": p.biases, "weight_decay": 0.0}],
            lr=0.01,
            weight_decay=0.5,
        ),
        configure=lambda o, layers: o.add_param_group(
            {"parameters": ["biases"], "weight_decay": 0.0}
        ),
    ),
]


@pytest.mark.parametrize("problem", PROBLEMS)
@pytest.mark.parametrize("case", CASES, ids=str)
def test_matches_the_papers_rule_written_with_torch(case, problem):
    assert_lockstep(case, problem)


def test_every_weight_moves_by_exactly_the_learning_rate():
    layer = Layer_Dense(3, 4, rng=np.random.default_rng(0))
    start = layer.weights.copy()
    layer.dweights = np.random.default_rng(1).standard_normal((3, 4))
    layer.dbiases = np.zeros((1, 4))
    Optimizer_Lion(0.01).update_params(layer)
    np.testing.assert_allclose(np.abs(layer.weights - start), 0.01, rtol=1e-12)
    # sign(0) = 0: a zero gradient with a zero momentum does not move the biases
    assert np.array_equal(layer.biases, np.zeros((1, 4)))


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"learning_rate": -1.0}, "Invalid learning rate: -1.0"),
        ({"beta_1": 1.0}, "Invalid beta parameter at index 0: 1.0"),
        ({"beta_2": -0.1}, "Invalid beta parameter at index 1: -0.1"),
        ({"weight_decay": -0.5}, "Invalid weight_decay value: -0.5"),
        ({"decay": -1.0}, "Invalid decay value: -1.0"),
    ],
)
def test_invalid_hyperparameters_raise(arguments, message):
    with pytest.raises(ValueError, match=message):
        Optimizer_Lion(**arguments)
