"""One table of optimizer cases, run on nnlite.optim and on torch.optim in lockstep (float64).

Each case is written ONCE, as a function of the optimizer module: ``make(optim, params)``
builds ``optim.Adam(params, lr=0.01)`` with ``optim`` either ``nnlite.optim`` or
``torch.optim``, since the two take the same arguments. ``params`` is the flat list of
parameters or a list of param-group dicts, the same on both sides: nnlite's
:class:`~nnlite.parameters.Parameter` handles of two ``Layer_Dense``, and torch tensors with
the same values (``tests/optimizers/torch_lockstep.py`` makes both, and their gradients).

Every step runs as PyTorch's articles do: ``zero_grad()``, the gradients, ``step()``. After
each step the weights, biases and *every* state entry torch keeps (``state[p]["exp_avg"]``,
``"step"``, ...) must agree within ``TOLERANCE``.

Variants (applied to every row, so that each optimizer is checked with each):

* ``"groups"``: two param groups, the second with its own learning rate; at step 8 the
  learning rates change through ``param_groups``; at step 15 nnlite's optimizer is rebuilt
  from its ``state_dict()`` (torch's keeps going), and must go on in lockstep;
* ``"add_param_group"``: the second layer joins at step 10 with its own learning rate.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType, SimpleNamespace

import numpy as np
import torch

import nnlite.optim
from tests.optimizers.torch_lockstep import (
    TorchParameters,
    _Problem,
    make_layers,
    torch_float64,
)

TOLERANCE = 1e-10
STEPS = 30
VARIANTS = ("plain", "groups", "add_param_group")
SECOND_GROUP_LR = 0.003


class NnliteParameters:
    """The layers' Parameter handles, grouped as :class:`TorchParameters` groups tensors."""

    def __init__(self, layers: list) -> None:
        self.by_layer = [list(layer.parameters()) for layer in layers]
        self.all = [param for pair in self.by_layer for param in pair]
        self.first, self.second = self.by_layer
        self.weights = [pair[0] for pair in self.by_layer]
        self.biases = [pair[1] for pair in self.by_layer]


@dataclass(frozen=True)
class Case:
    """One row: ``make(optim, params)`` builds the optimizer on either side."""

    name: str
    make: Callable[[ModuleType, object], object]

    def __str__(self) -> str:
        return self.name


# The table: every torch.optim optimizer that steps without a closure, and its options
# (fmt: off keeps one line per case)
# fmt: off
CASES = [
    Case("sgd", lambda o, p: o.SGD(p, lr=0.1)),
    Case("sgd momentum, nesterov, weight_decay", lambda o, p: o.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.01)),  # noqa: E501
    Case("sgd dampening, maximize", lambda o, p: o.SGD(p, lr=0.05, momentum=0.8, dampening=0.3, maximize=True)),  # noqa: E501
    Case("adagrad", lambda o, p: o.Adagrad(p, lr=0.1)),
    Case("adagrad lr_decay, initial accumulator, weight_decay", lambda o, p: o.Adagrad(p, lr=0.1, lr_decay=0.05, initial_accumulator_value=0.5, weight_decay=0.1)),  # noqa: E501
    Case("rmsprop", lambda o, p: o.RMSprop(p, lr=0.01)),
    Case("rmsprop centered, momentum, alpha", lambda o, p: o.RMSprop(p, lr=0.01, alpha=0.9, momentum=0.5, centered=True)),  # noqa: E501
    Case("adadelta", lambda o, p: o.Adadelta(p)),
    Case("adadelta rho, eps, weight_decay", lambda o, p: o.Adadelta(p, lr=0.5, rho=0.8, eps=1e-3, weight_decay=0.1)),  # noqa: E501
    Case("adam", lambda o, p: o.Adam(p, lr=0.01)),
    Case("adam amsgrad, weight_decay, betas", lambda o, p: o.Adam(p, lr=0.01, betas=(0.8, 0.99), amsgrad=True, weight_decay=0.1)),  # noqa: E501
    Case("adam decoupled_weight_decay, maximize", lambda o, p: o.Adam(p, lr=0.01, weight_decay=0.5, decoupled_weight_decay=True, maximize=True)),  # noqa: E501
    Case("adamw", lambda o, p: o.AdamW(p, lr=0.01)),
    Case("adamw amsgrad", lambda o, p: o.AdamW(p, lr=0.01, weight_decay=0.5, amsgrad=True)),
    Case("adamax", lambda o, p: o.Adamax(p)),
    Case("adamax betas, weight_decay", lambda o, p: o.Adamax(p, lr=0.05, betas=(0.8, 0.99), weight_decay=0.1)),  # noqa: E501
    Case("nadam", lambda o, p: o.NAdam(p)),
    Case("nadam momentum_decay, decoupled_weight_decay", lambda o, p: o.NAdam(p, lr=0.05, momentum_decay=0.1, weight_decay=0.5, decoupled_weight_decay=True)),  # noqa: E501
    Case("radam", lambda o, p: o.RAdam(p)),
    Case("radam betas (rectified from t = 6)", lambda o, p: o.RAdam(p, lr=0.05, betas=(0.8, 0.9), weight_decay=0.1)),  # noqa: E501
    Case("asgd averaging from t0 = 5", lambda o, p: o.ASGD(p, lr=0.1, lambd=0.01, alpha=0.5, t0=5)),  # noqa: E501
    Case("rprop", lambda o, p: o.Rprop(p)),
    Case("rprop etas, step_sizes, maximize", lambda o, p: o.Rprop(p, lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.2), maximize=True)),  # noqa: E501
    Case("adafactor", lambda o, p: o.Adafactor(p)),
    Case("adafactor lr, beta2_decay, eps, d, weight_decay", lambda o, p: o.Adafactor(p, lr=0.05, beta2_decay=-0.5, eps=(1e-8, 1e-2), d=0.9 + 0.2, weight_decay=0.1)),  # noqa: E501
    Case("muon", lambda o, p: o.Muon(p, lr=0.02)),
    Case("muon no nesterov, match_rms_adamw", lambda o, p: o.Muon(p, lr=0.02, nesterov=False, momentum=0.5, adjust_lr_fn="match_rms_adamw")),  # noqa: E501
]
# fmt: on


def grouped(variant: str, parameters: NnliteParameters | TorchParameters) -> list:
    """The ``params`` argument of a variant: all parameters, two groups, or the first layer."""
    if variant == "plain":
        return parameters.all
    if variant == "groups":
        return [{"params": parameters.first}, {"params": parameters.second, "lr": SECOND_GROUP_LR}]
    return list(parameters.first)


def muon_in_float64():
    """torch's Muon runs Newton–Schulz in bfloat16; compare with its float64 form."""
    from unittest import mock

    import torch.optim._muon as torch_muon

    from tests.optimizers.test_muon import torch_newton_schulz_float64

    return mock.patch.object(torch_muon, "_zeropower_via_newtonschulz", torch_newton_schulz_float64)


def run_lockstep(case: Case, problem: str, variant: str) -> None:
    """Run ``case`` in ``variant`` on ``problem``; fail at the first quantity that disagrees."""
    with torch_float64(), muon_in_float64():
        layers = make_layers()
        start = [layer.weights.copy() for layer in layers]
        theirs_parameters = TorchParameters(layers)
        ours_parameters = NnliteParameters(layers)
        ours = case.make(nnlite.optim, grouped(variant, ours_parameters))
        theirs = case.make(torch.optim, grouped(variant, theirs_parameters))
        data = _Problem(problem, layers)
        no_penalty = SimpleNamespace(penalty=None)
        for step in range(1, STEPS + 1):
            if variant == "groups" and step == 8:
                for optimizer in (ours, theirs):
                    for group in optimizer.param_groups:
                        group["lr"] *= 0.5
            if variant == "groups" and step == 15:
                saved = ours.state_dict()
                ours = case.make(nnlite.optim, grouped(variant, ours_parameters))
                ours.load_state_dict(saved)
            if variant == "add_param_group" and step == 10:
                ours.add_param_group({"params": ours_parameters.second, "lr": SECOND_GROUP_LR})
                theirs.add_param_group({"params": theirs_parameters.second, "lr": SECOND_GROUP_LR})

            ours.zero_grad()
            data.our_gradients(layers)
            ours.step()
            theirs.zero_grad()
            data.their_gradients(theirs_parameters, no_penalty)
            theirs.step()
            compare(f"{case} [{problem}, {variant}] step {step}", ours, theirs,
                    ours_parameters, theirs_parameters)  # fmt: skip
        moved = max(
            float(np.max(np.abs(layer.weights - first)))
            for layer, first in zip(layers, start, strict=True)
        )
        assert moved > 1e-4, f"{case} [{problem}]: the weights hardly moved ({moved:.2e})"


def compare(where, ours, theirs, ours_parameters, theirs_parameters) -> None:
    """The parameters and every state entry torch keeps, within TOLERANCE."""
    for mine, tensor in zip(ours_parameters.all, theirs_parameters.all, strict=True):
        quantities = [(mine.name, mine.data, tensor.detach().numpy())]
        their_state = theirs.state.get(tensor, {})
        our_state = ours.state[mine]
        assert set(our_state) == set(their_state), (
            f"{where}: {mine.name} has state {sorted(our_state)}, torch {sorted(their_state)}"
        )
        for key, value in their_state.items():
            theirs_value = value.detach().numpy() if torch.is_tensor(value) else value
            label = f"{mine.name} state {key!r}"
            quantities.append((label, np.asarray(our_state[key]), theirs_value))
        for label, ours_value, theirs_value in quantities:
            difference = float(np.max(np.abs(ours_value - theirs_value)))
            assert difference < TOLERANCE, (
                f"{where}: {label} differs from torch by {difference:.3g}\n"
                f"ours:\n{ours_value}\ntheirs:\n{theirs_value}"
            )


def run_with_resume(case: Case, problem: str, resume_at: int | None) -> list[np.ndarray]:
    """nnlite alone, two param groups: 30 steps, rebuilt from ``state_dict()`` before step
    ``resume_at`` (or never); the parameters at the end."""
    with torch_float64(), muon_in_float64():
        layers = make_layers()
        parameters = NnliteParameters(layers)
        ours = case.make(nnlite.optim, grouped("groups", parameters))
        data = _Problem(problem, layers)
        for step in range(1, STEPS + 1):
            if step == resume_at:
                saved = ours.state_dict()
                ours = case.make(nnlite.optim, grouped("groups", parameters))
                ours.load_state_dict(saved)
            ours.zero_grad()
            data.our_gradients(layers)
            ours.step()
        return [param.data.copy() for param in parameters.all]
