"""The torch.optim family over nnlite's rules, in order of increasing complexity.

Each class takes PyTorch 2.13's arguments, names and defaults, checks them with PyTorch's
messages, and says two things: which book-style optimizer runs its rule (``rule_class``) and
how a param group's PyTorch hyperparameters translate into that optimizer's
(``_rule_arguments``). The rule itself, the state on the layer and the checks of the numbers
against ``torch.optim`` live in ``nnlite/optimizers/`` (see each class's docstring there).

==============  ============================  ==================================================
nnlite.optim    runs                          PyTorch → book
==============  ============================  ==================================================
SGD             Optimizer_SGD                 momentum in PyTorch's form (``momentum_form="torch"``:
                                              ``b = μ·b + (1-τ)·g; W -= lr·b``)
Adagrad         Optimizer_Adagrad             ``eps`` → ``epsilon``
RMSprop         Optimizer_RMSprop             ``alpha`` → ``rho``
Adadelta        Optimizer_Adadelta            ``eps`` → ``epsilon``
Adam            Optimizer_Adam                ``betas`` → ``beta_1, beta_2``
AdamW           Optimizer_AdamW               decoupled decay, ``W ← W·(1 - lr·λ)``
Adamax          Optimizer_Adamax
NAdam           Optimizer_NAdam
RAdam           Optimizer_RAdam
ASGD            Optimizer_ASGD
Rprop           Optimizer_Rprop
SparseAdam      Optimizer_SparseAdam          (a ``Layer_Embedding(sparse=True)``'s gradient)
Adafactor       Optimizer_Adafactor           ``eps=(ε₁, ε₂)`` → ``epsilon_1, epsilon_2``
Muon            Optimizer_Muon                (2-D parameters only)
Lion            Optimizer_Lion                (not in torch.optim; lion-pytorch's arguments)
==============  ============================  ==================================================

L-BFGS, which re-evaluates the loss during its step, is in ``lbfgs.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from nnlite.optim.optimizer import Optimizer
from nnlite.optimizers import (
    Optimizer_Adadelta,
    Optimizer_Adafactor,
    Optimizer_Adagrad,
    Optimizer_Adam,
    Optimizer_Adamax,
    Optimizer_AdamW,
    Optimizer_ASGD,
    Optimizer_Lion,
    Optimizer_Muon,
    Optimizer_NAdam,
    Optimizer_RAdam,
    Optimizer_RMSprop,
    Optimizer_Rprop,
    Optimizer_SGD,
    Optimizer_SparseAdam,
)

# PyTorch's state names for the book's state arrays
STEP = ("step", "step")
ADAM_STATE = (STEP, ("exp_avg", "array:momentums"), ("exp_avg_sq", "array:cache"))


def _require(condition: bool, message: str) -> None:
    """PyTorch's argument checks: ``ValueError(message)`` unless ``condition``."""
    if not condition:
        raise ValueError(message)


def _check_learning_rate(lr: float) -> None:
    _require(0.0 <= lr, f"Invalid learning rate: {lr}")


def _check_betas(betas: tuple[float, float]) -> None:
    _require(0.0 <= betas[0] < 1.0, f"Invalid beta parameter at index 0: {betas[0]}")
    _require(0.0 <= betas[1] < 1.0, f"Invalid beta parameter at index 1: {betas[1]}")


def _check_common(lr: float, eps: float, weight_decay: float) -> None:
    _check_learning_rate(lr)
    _require(0.0 <= eps, f"Invalid epsilon value: {eps}")
    _require(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")


class SGD(Optimizer):
    """``torch.optim.SGD``: ``b = μ·b + (1 - τ)·g``, ``W -= lr·b`` (``lr·(g + μ·b)`` with
    Nesterov), L2 ``weight_decay`` added to g first. Runs :class:`Optimizer_SGD` with
    ``momentum_form="torch"``. Unlike PyTorch, ``momentum`` must be below 1 (a momentum of 1
    or more never forgets a gradient, and the steps grow without bound)."""

    rule_class = Optimizer_SGD
    state_keys = (("momentum_buffer", "array:momentums"),)

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        _check_learning_rate(lr)
        _require(0.0 <= momentum < 1.0, f"Invalid momentum value: {momentum}")
        _require(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        _require(
            not nesterov or (momentum > 0 and dampening == 0),
            "Nesterov momentum requires a momentum and zero dampening",
        )
        defaults = dict(lr=lr, momentum=momentum, dampening=dampening,
                        weight_decay=weight_decay, nesterov=nesterov, maximize=maximize,
                        foreach=foreach, differentiable=differentiable, fused=fused)  # fmt: skip
        super().__init__(params, defaults)

    def _rule_arguments(self, group: Mapping[str, Any]) -> dict[str, Any]:
        return dict(learning_rate=group["lr"], momentum=group["momentum"],
                    dampening=group["dampening"], nesterov=group["nesterov"],
                    momentum_form="torch", weight_decay=group["weight_decay"],
                    maximize=group["maximize"], fused=bool(group["fused"]))  # fmt: skip


class Adagrad(Optimizer):
    """``torch.optim.Adagrad``: ``sum += g²``, ``W -= lr_t · g / (√sum + ε)`` with
    ``lr_t = lr / (1 + (t - 1)·lr_decay)``. Runs :class:`Optimizer_Adagrad`."""

    rule_class = Optimizer_Adagrad
    state_keys = (STEP, ("sum", "array:cache"))

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        _check_learning_rate(lr)
        _require(0.0 <= lr_decay, f"Invalid lr_decay value: {lr_decay}")
        _require(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        _require(
            0.0 <= initial_accumulator_value,
            f"Invalid initial_accumulator_value value: {initial_accumulator_value}",
        )
        _require(0.0 <= eps, f"Invalid epsilon value: {eps}")
        defaults = dict(lr=lr, lr_decay=lr_decay, eps=eps, weight_decay=weight_decay,
                        initial_accumulator_value=initial_accumulator_value, foreach=foreach,
                        maximize=maximize, differentiable=differentiable, fused=fused)  # fmt: skip
        super().__init__(params, defaults)

    def _rule_arguments(self, group: Mapping[str, Any]) -> dict[str, Any]:
        return dict(learning_rate=group["lr"], epsilon=group["eps"], lr_decay=group["lr_decay"],
                    initial_accumulator_value=group["initial_accumulator_value"],
                    weight_decay=group["weight_decay"], maximize=group["maximize"],
                    fused=bool(group["fused"]))  # fmt: skip


class RMSprop(Optimizer):
    """``torch.optim.RMSprop``: ``square_avg = α·square_avg + (1 - α)·g²``,
    ``W -= lr · g / (√square_avg + ε)``; ``centered`` and ``momentum`` as PyTorch. PyTorch's
    ``alpha`` is the book's ``rho``. Runs :class:`Optimizer_RMSprop`."""

    rule_class = Optimizer_RMSprop
    state_keys = (
        STEP,
        ("square_avg", "array:cache"),
        ("momentum_buffer", "array:momentums"),
        ("grad_avg", "array:gradient_average"),
    )

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check_learning_rate(lr)
        _require(0.0 <= eps, f"Invalid epsilon value: {eps}")
        _require(0.0 <= momentum, f"Invalid momentum value: {momentum}")
        _require(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        _require(0.0 <= alpha, f"Invalid alpha value: {alpha}")
        defaults = dict(lr=lr, momentum=momentum, alpha=alpha, eps=eps, centered=centered,
                        weight_decay=weight_decay, capturable=capturable, foreach=foreach,
                        maximize=maximize, differentiable=differentiable)  # fmt: skip
        super().__init__(params, defaults)

    def _rule_arguments(self, group: Mapping[str, Any]) -> dict[str, Any]:
        return dict(learning_rate=group["lr"], epsilon=group["eps"], rho=group["alpha"],
                    momentum=group["momentum"], centered=group["centered"],
                    weight_decay=group["weight_decay"], maximize=group["maximize"])  # fmt: skip


class Adadelta(Optimizer):
    """``torch.optim.Adadelta``: a step of ``√(acc_delta + ε)/√(square_avg + ε) · g``, scaled
    by ``lr``. Runs :class:`Optimizer_Adadelta`."""

    rule_class = Optimizer_Adadelta
    state_keys = (STEP, ("square_avg", "array:cache"), ("acc_delta", "array:delta_cache"))

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1.0,
        rho: float = 0.9,
        eps: float = 1e-6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        capturable: bool = False,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check_learning_rate(lr)
        _require(0.0 <= rho <= 1.0, f"Invalid rho value: {rho}")
        _require(0.0 <= eps, f"Invalid epsilon value: {eps}")
        _require(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, rho=rho, eps=eps, weight_decay=weight_decay, maximize=maximize,
                        capturable=capturable, foreach=foreach,
                        differentiable=differentiable)  # fmt: skip
        super().__init__(params, defaults)

    def _rule_arguments(self, group: Mapping[str, Any]) -> dict[str, Any]:
        return dict(learning_rate=group["lr"], epsilon=group["eps"], rho=group["rho"],
                    weight_decay=group["weight_decay"], maximize=group["maximize"])  # fmt: skip


class Adam(Optimizer):
    """``torch.optim.Adam``: momentum plus RMSprop with bias correction; ``amsgrad``,
    coupled or ``decoupled_weight_decay`` as PyTorch. Runs :class:`Optimizer_Adam`
    (``betas`` → ``beta_1, beta_2``; ``eps`` → ``epsilon``, PyTorch's default 1e-8)."""

    rule_class = Optimizer_Adam
    state_keys = (*ADAM_STATE, ("max_exp_avg_sq", "array:max_cache"))

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
        decoupled_weight_decay: bool = False,
    ) -> None:
        _check_common(lr, eps, weight_decay)
        _check_betas(betas)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, amsgrad=amsgrad,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        differentiable=differentiable, fused=fused,
                        decoupled_weight_decay=decoupled_weight_decay)  # fmt: skip
        super().__init__(params, defaults)

    def _rule_arguments(self, group: Mapping[str, Any]) -> dict[str, Any]:
        beta_1, beta_2 = group["betas"]
        return dict(learning_rate=group["lr"], epsilon=group["eps"], beta_1=beta_1,
                    beta_2=beta_2, amsgrad=group["amsgrad"], weight_decay=group["weight_decay"],
                    decoupled_weight_decay=group["decoupled_weight_decay"],
                    maximize=group["maximize"], fused=bool(group["fused"]))  # fmt: skip


class AdamW(Adam):
    """``torch.optim.AdamW``: Adam with decoupled weight decay, ``W ← W·(1 - lr·λ)`` before
    the step, ``weight_decay=0.01``. Runs :class:`Optimizer_AdamW`, which always decouples (the
    group's ``decoupled_weight_decay`` key is PyTorch's bookkeeping, always True here)."""

    rule_class = Optimizer_AdamW

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach: bool | None = None,
        capturable: bool = False,
        differentiable: bool = False,
        fused: bool | None = None,
    ) -> None:
        super().__init__(
            params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach, maximize=maximize,
            capturable=capturable, differentiable=differentiable, fused=fused,
            decoupled_weight_decay=True,
        )  # fmt: skip

    def _rule_arguments(self, group: Mapping[str, Any]) -> dict[str, Any]:
        beta_1, beta_2 = group["betas"]
        return dict(learning_rate=group["lr"], epsilon=group["eps"], beta_1=beta_1,
                    beta_2=beta_2, amsgrad=group["amsgrad"], weight_decay=group["weight_decay"],
                    maximize=group["maximize"], fused=bool(group["fused"]))  # fmt: skip


class Adamax(Optimizer):
    """``torch.optim.Adamax``: Adam with the infinity norm ``exp_inf = max(β₂·exp_inf, |g|+ε)``.
    Runs :class:`Optimizer_Adamax`."""

    rule_class = Optimizer_Adamax
    state_keys = (STEP, ("exp_avg", "array:momentums"), ("exp_inf", "array:infinity_norm"))

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        foreach: bool | None = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        _check_common(lr, eps, weight_decay)
        _check_betas(betas)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay, foreach=foreach,
                        maximize=maximize, differentiable=differentiable,
                        capturable=capturable)  # fmt: skip
        super().__init__(params, defaults)

    def _rule_arguments(self, group: Mapping[str, Any]) -> dict[str, Any]:
        beta_1, beta_2 = group["betas"]
        return dict(learning_rate=group["lr"], epsilon=group["eps"], beta_1=beta_1,
                    beta_2=beta_2, weight_decay=group["weight_decay"],
                    maximize=group["maximize"])  # fmt: skip


class NAdam(Optimizer):
    """``torch.optim.NAdam``: Adam with Nesterov momentum and a momentum schedule
    ``μ_t = β₁·(1 - ½·0.96^(t·momentum_decay))``. Runs :class:`Optimizer_NAdam`."""

    rule_class = Optimizer_NAdam
    state_keys = (STEP, ("mu_product", "scalar:mu_product"), *ADAM_STATE[1:])

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 2e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum_decay: float = 4e-3,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check_common(lr, eps, weight_decay)
        _check_betas(betas)
        _require(0.0 <= momentum_decay, f"Invalid momentum_decay value: {momentum_decay}")
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        momentum_decay=momentum_decay,
                        decoupled_weight_decay=decoupled_weight_decay, maximize=maximize,
                        foreach=foreach, capturable=capturable,
                        differentiable=differentiable)  # fmt: skip
        super().__init__(params, defaults)

    def _rule_arguments(self, group: Mapping[str, Any]) -> dict[str, Any]:
        beta_1, beta_2 = group["betas"]
        return dict(learning_rate=group["lr"], epsilon=group["eps"], beta_1=beta_1,
                    beta_2=beta_2, momentum_decay=group["momentum_decay"],
                    weight_decay=group["weight_decay"],
                    decoupled_weight_decay=group["decoupled_weight_decay"],
                    maximize=group["maximize"])  # fmt: skip


class RAdam(Optimizer):
    """``torch.optim.RAdam``: Adam whose adaptive step is switched on, and rectified, once the
    variance of the adaptive rate is tractable. Runs :class:`Optimizer_RAdam`."""

    rule_class = Optimizer_RAdam
    state_keys = ADAM_STATE

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        decoupled_weight_decay: bool = False,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check_common(lr, eps, weight_decay)
        _check_betas(betas)
        defaults = dict(lr=lr, betas=betas, eps=eps, weight_decay=weight_decay,
                        maximize=maximize, foreach=foreach, capturable=capturable,
                        decoupled_weight_decay=decoupled_weight_decay,
                        differentiable=differentiable)  # fmt: skip
        super().__init__(params, defaults)

    def _rule_arguments(self, group: Mapping[str, Any]) -> dict[str, Any]:
        beta_1, beta_2 = group["betas"]
        return dict(learning_rate=group["lr"], epsilon=group["eps"], beta_1=beta_1,
                    beta_2=beta_2, weight_decay=group["weight_decay"],
                    decoupled_weight_decay=group["decoupled_weight_decay"],
                    maximize=group["maximize"])  # fmt: skip


class ASGD(Optimizer):
    """``torch.optim.ASGD``: SGD with a decaying rate ``η`` and the averaged iterate ``ax``
    from step ``t0`` on. Runs :class:`Optimizer_ASGD`."""

    rule_class = Optimizer_ASGD
    state_keys = (STEP, ("eta", "scalar:eta"), ("mu", "scalar:mu"), ("ax", "array:average"))

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        lambd: float = 1e-4,
        alpha: float = 0.75,
        t0: float = 1e6,
        weight_decay: float = 0,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
        capturable: bool = False,
    ) -> None:
        _check_learning_rate(lr)
        _require(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, lambd=lambd, alpha=alpha, t0=t0, weight_decay=weight_decay,
                        foreach=foreach, maximize=maximize, differentiable=differentiable,
                        capturable=capturable)  # fmt: skip
        super().__init__(params, defaults)

    def _rule_arguments(self, group: Mapping[str, Any]) -> dict[str, Any]:
        return dict(learning_rate=group["lr"], lambd=group["lambd"], alpha=group["alpha"],
                    t0=group["t0"], weight_decay=group["weight_decay"],
                    maximize=group["maximize"])  # fmt: skip


class Rprop(Optimizer):
    """``torch.optim.Rprop``: each weight steps by its own size, grown by ``etas[1]`` while the
    gradient keeps its sign and shrunk by ``etas[0]`` when it flips. Runs
    :class:`Optimizer_Rprop`."""

    rule_class = Optimizer_Rprop
    state_keys = (STEP, ("prev", "array:previous_gradients"), ("step_size", "array:step_sizes"))

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        etas: tuple[float, float] = (0.5, 1.2),
        step_sizes: tuple[float, float] = (1e-6, 50),
        *,
        capturable: bool = False,
        foreach: bool | None = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        _check_learning_rate(lr)
        _require(0.0 < etas[0] < 1.0 < etas[1], f"Invalid eta values: {etas[0]}, {etas[1]}")
        defaults = dict(lr=lr, etas=etas, step_sizes=step_sizes, foreach=foreach,
                        maximize=maximize, differentiable=differentiable,
                        capturable=capturable)  # fmt: skip
        super().__init__(params, defaults)

    def _rule_arguments(self, group: Mapping[str, Any]) -> dict[str, Any]:
        return dict(learning_rate=group["lr"], etas=tuple(group["etas"]),
                    step_sizes=tuple(group["step_sizes"]), maximize=group["maximize"])  # fmt: skip


class SparseAdam(Optimizer):
    """``torch.optim.SparseAdam``: Adam on the rows a ``Layer_Embedding(sparse=True)`` looked
    up. Runs :class:`Optimizer_SparseAdam`."""

    rule_class = Optimizer_SparseAdam
    state_keys = ADAM_STATE

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        maximize: bool = False,
    ) -> None:
        _require(0.0 < lr, f"Invalid learning rate: {lr}")
        _require(0.0 < eps, f"Invalid epsilon value: {eps}")
        _check_betas(betas)
        super().__init__(params, dict(lr=lr, betas=betas, eps=eps, maximize=maximize))

    def _rule_arguments(self, group: Mapping[str, Any]) -> dict[str, Any]:
        beta_1, beta_2 = group["betas"]
        return dict(learning_rate=group["lr"], epsilon=group["eps"], beta_1=beta_1,
                    beta_2=beta_2, maximize=group["maximize"])  # fmt: skip


class Adafactor(Optimizer):
    """``torch.optim.Adafactor``: factored second moments (a row and a column average for a
    matrix) and a relative step size. Runs :class:`Optimizer_Adafactor`; PyTorch's
    ``eps=(ε₁, ε₂)`` is its ``epsilon_1, epsilon_2``."""

    rule_class = Optimizer_Adafactor
    state_keys = (
        STEP,
        ("row_var", "scalar:row_variance"),
        ("col_var", "scalar:column_variance"),
        ("variance", "scalar:variance"),
    )
    scalar_defaults = {"steps_before": 0}

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-2,
        beta2_decay: float = -0.8,
        eps: tuple[float | None, float] = (None, 1e-3),
        d: float = 1.0,
        weight_decay: float = 0.0,
        *,
        foreach: bool | None = None,
        maximize: bool = False,
    ) -> None:
        _require(0.0 <= lr, f"Learning rate should be >= 0 but is: {lr}")
        _require(0.0 >= beta2_decay, f"beta2_decay should be <= 0 but is: {beta2_decay}")
        _require(eps[0] is None or 0.0 <= eps[0], f"epsilon1 should be >= 0 but is: {eps[0]}")
        _require(0.0 <= eps[1], f"epsilon2 should be >= 0 but is: {eps[1]}")
        _require(1.0 <= d, f"Clipping threshold d should be >= 1 but is: {d}")
        _require(0.0 <= weight_decay, f"weight_decay should be >= 0 but is: {weight_decay}")
        defaults = dict(lr=lr, beta2_decay=beta2_decay, eps=eps, d=d,
                        weight_decay=weight_decay, foreach=foreach, maximize=maximize)  # fmt: skip
        super().__init__(params, defaults)

    def _rule_arguments(self, group: Mapping[str, Any]) -> dict[str, Any]:
        epsilon_1, epsilon_2 = group["eps"]
        return dict(learning_rate=group["lr"], beta2_decay=group["beta2_decay"],
                    epsilon_1=epsilon_1, epsilon_2=epsilon_2, d=group["d"],
                    weight_decay=group["weight_decay"], maximize=group["maximize"])  # fmt: skip


class Muon(Optimizer):
    """``torch.optim.Muon``: momentum orthogonalised by Newton–Schulz iterations, for 2-D
    parameters. Runs :class:`Optimizer_Muon` (its iterations in the parameter's dtype, where
    PyTorch's run in bfloat16; see there)."""

    rule_class = Optimizer_Muon
    state_keys = (("momentum_buffer", "array:momentums"),)

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-3,
        weight_decay: float = 0.1,
        momentum: float = 0.95,
        nesterov: bool = True,
        ns_coefficients: tuple[float, float, float] = (3.4445, -4.775, 2.0315),
        eps: float = 1e-7,
        ns_steps: int = 5,
        adjust_lr_fn: str | None = None,
    ) -> None:
        _require(0.0 <= lr, f"Learning rate should be >= 0 but is: {lr}")
        _require(0.0 <= momentum, f"momentum should be >= 0 but is: {momentum}")
        _require(0.0 <= weight_decay, f"weight decay should be >= 0 but is: {weight_decay}")
        _require(
            adjust_lr_fn in (None, "original", "match_rms_adamw"),
            f"Adjust learning rate function {adjust_lr_fn} is not supported",
        )
        defaults = dict(lr=lr, weight_decay=weight_decay, momentum=momentum, nesterov=nesterov,
                        ns_coefficients=ns_coefficients, eps=eps, ns_steps=ns_steps,
                        adjust_lr_fn=adjust_lr_fn)  # fmt: skip
        super().__init__(params, defaults)

    def _check_group(self, param_group: Mapping[str, Any]) -> None:
        for param in param_group["params"]:
            if np.ndim(param.data) != 2:
                raise ValueError(
                    f"Muon only supports 2D parameters whereas we found a parameter with size: "
                    f"{param.shape}"
                )

    def _rule_arguments(self, group: Mapping[str, Any]) -> dict[str, Any]:
        return dict(learning_rate=group["lr"], weight_decay=group["weight_decay"],
                    momentum=group["momentum"], nesterov=group["nesterov"],
                    ns_coefficients=tuple(group["ns_coefficients"]), epsilon=group["eps"],
                    ns_steps=group["ns_steps"], adjust_lr_fn=group["adjust_lr_fn"])  # fmt: skip


class Lion(Optimizer):
    """Lion (not in ``torch.optim``; the arguments of ``lion-pytorch``'s ``Lion``):
    ``W -= lr · sign(β₁·m + (1 - β₁)·g)``, then ``m = β₂·m + (1 - β₂)·g``, with decoupled
    ``weight_decay``. Runs :class:`Optimizer_Lion`."""

    rule_class = Optimizer_Lion
    state_keys = (STEP, ("exp_avg", "array:momentums"))

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1e-4,
        betas: tuple[float, float] = (0.9, 0.99),
        weight_decay: float = 0.0,
        *,
        maximize: bool = False,
    ) -> None:
        _check_learning_rate(lr)
        _check_betas(betas)
        _require(0.0 <= weight_decay, f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(lr=lr, betas=betas, weight_decay=weight_decay, maximize=maximize)
        super().__init__(params, defaults)

    def _rule_arguments(self, group: Mapping[str, Any]) -> dict[str, Any]:
        beta_1, beta_2 = group["betas"]
        return dict(learning_rate=group["lr"], beta_1=beta_1, beta_2=beta_2,
                    weight_decay=group["weight_decay"], maximize=group["maximize"])  # fmt: skip
