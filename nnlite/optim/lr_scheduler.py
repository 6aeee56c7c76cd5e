"""PyTorch's learning-rate schedulers, over nnlite's schedules (``nnlite/schedules/``).

As in PyTorch, a scheduler wraps an optimizer of ``nnlite.optim`` and is stepped after each
``optimizer.step()`` (or each epoch)::

    scheduler = lr_scheduler.StepLR(optimizer, step_size=30, gamma=0.1)
    for epoch in range(100):
        train(...)
        scheduler.step()
    scheduler.get_last_lr()

Each scheduler makes one nnlite schedule per param group, starting from that group's
``initial_lr``, and at its k-th ``step()`` writes ``schedule(k)`` into ``group["lr"]`` (and,
for one-cycle and cyclic schedules, the momentum or ``betas[0]``). The nnlite schedules give
PyTorch's sequences (``tests/schedules/test_torch_parity.py``); the formulas are in their
docstrings. ``epoch`` arguments of ``step`` (deprecated in PyTorch) are not supported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from nnlite.optim.optimizer import Optimizer
from nnlite.schedules import (
    Schedule,
    Schedule_Chained,
    Schedule_ConstantWarmup,
    Schedule_CosineAnnealing,
    Schedule_CosineWarmRestarts,
    Schedule_Cyclic,
    Schedule_ExponentialDecay,
    Schedule_Lambda,
    Schedule_LinearWarmup,
    Schedule_MultiStepDecay,
    Schedule_OneCycle,
    Schedule_PolynomialDecay,
    Schedule_ReduceOnPlateau,
    Schedule_Sequential,
    Schedule_StepDecay,
)


class LRScheduler:
    """Base of the schedulers: ``step()``, ``get_last_lr()``, ``state_dict()``."""

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        self.optimizer = optimizer
        groups = optimizer.param_groups
        if last_epoch == -1:
            for group in groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for index, group in enumerate(groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"param 'initial_lr' is not specified in param_groups[{index}] when "
                        f"resuming scheduler with last_epoch >= 0."
                    )
        self.base_lrs = [group["initial_lr"] for group in groups]
        self.last_epoch = last_epoch
        self.schedules = [
            self._schedule(index, base_lr) for index, base_lr in enumerate(self.base_lrs)
        ]
        self.step()

    def _schedule(self, index: int, base_lr: float) -> Schedule:
        """The nnlite schedule of group ``index``, starting from ``base_lr``."""
        raise NotImplementedError

    def get_last_lr(self) -> list[float]:
        """The learning rates the last ``step()`` set, one per group."""
        return self._last_lr

    def step(self) -> None:
        """Advance one step: set every group's learning rate (and cycled momentum)."""
        self.last_epoch += 1
        for group, schedule in zip(self.optimizer.param_groups, self.schedules, strict=True):
            group["lr"] = schedule(self.last_epoch)
            _set_momentum(group, schedule.momentum(self.last_epoch))
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def state_dict(self) -> dict[str, Any]:
        """The step count, the base rates and the schedules' own state (no functions)."""
        return {
            "last_epoch": self.last_epoch,
            "base_lrs": list(self.base_lrs),
            "_last_lr": list(self._last_lr),
            "schedules": [schedule.state_dict() for schedule in self.schedules],
        }

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore what ``state_dict`` saved (checked before anything changes)."""
        states = state_dict.get("schedules", [])
        if len(states) != len(self.schedules):
            raise ValueError(
                f"{type(self).__name__}.load_state_dict: the state has {len(states)} "
                f"schedules, this scheduler {len(self.schedules)}"
            )
        for schedule, state in zip(self.schedules, states, strict=True):
            schedule.load_state_dict(state)
        self.last_epoch = int(state_dict["last_epoch"])
        self.base_lrs = list(state_dict["base_lrs"])
        self._last_lr = list(state_dict["_last_lr"])


def _set_momentum(group: dict[str, Any], momentum: float | None) -> None:
    """Write a cycled momentum where the optimizer keeps it: ``momentum`` or ``betas[0]``."""
    if momentum is None:
        return
    if "betas" in group:
        group["betas"] = (momentum, *group["betas"][1:])
    else:
        group["momentum"] = momentum


def _per_group(name: str, value: Any, count: int) -> list[Any]:
    """PyTorch's ``float | list[float]`` arguments: one value per group."""
    if isinstance(value, list | tuple):
        if len(value) != count:
            raise ValueError(f"expected {count} values for {name}, got {len(value)}")
        return list(value)
    return [value] * count


class LambdaLR(LRScheduler):
    """``lr = initial_lr · lr_lambda(step)`` (a function, or one per group)."""

    def __init__(
        self,
        optimizer: Optimizer,
        lr_lambda: Callable[[int], float] | list[Callable[[int], float]],
        last_epoch: int = -1,
    ) -> None:
        count = len(optimizer.param_groups)
        if isinstance(lr_lambda, list | tuple) and len(lr_lambda) != count:
            raise ValueError(f"Expected {count} lr_lambdas, but got {len(lr_lambda)}")
        self.lr_lambdas = _per_group("lr_lambda", lr_lambda, count)
        super().__init__(optimizer, last_epoch)

    def _schedule(self, index: int, base_lr: float) -> Schedule:
        return Schedule_Lambda(base_lr, lr_lambda=self.lr_lambdas[index])


class StepLR(LRScheduler):
    """``lr = initial_lr · gamma^⌊step / step_size⌋``."""

    def __init__(
        self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1
    ) -> None:
        self.step_size, self.gamma = step_size, gamma
        super().__init__(optimizer, last_epoch)

    def _schedule(self, index: int, base_lr: float) -> Schedule:
        return Schedule_StepDecay(base_lr, step_size=self.step_size, gamma=self.gamma)


class MultiStepLR(LRScheduler):
    """``lr = initial_lr · gamma^(milestones passed)``."""

    def __init__(
        self,
        optimizer: Optimizer,
        milestones: Iterable[int],
        gamma: float = 0.1,
        last_epoch: int = -1,
    ) -> None:
        self.milestones, self.gamma = list(milestones), gamma
        super().__init__(optimizer, last_epoch)

    def _schedule(self, index: int, base_lr: float) -> Schedule:
        return Schedule_MultiStepDecay(base_lr, milestones=self.milestones, gamma=self.gamma)


class ExponentialLR(LRScheduler):
    """``lr = initial_lr · gamma^step``."""

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = gamma
        super().__init__(optimizer, last_epoch)

    def _schedule(self, index: int, base_lr: float) -> Schedule:
        return Schedule_ExponentialDecay(base_lr, gamma=self.gamma)


class CosineAnnealingLR(LRScheduler):
    """Half a cosine from ``initial_lr`` down to ``eta_min`` over ``T_max`` steps."""

    def __init__(
        self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1
    ) -> None:
        self.T_max, self.eta_min = T_max, eta_min
        super().__init__(optimizer, last_epoch)

    def _schedule(self, index: int, base_lr: float) -> Schedule:
        return Schedule_CosineAnnealing(base_lr, T_max=self.T_max, eta_min=self.eta_min)


class CosineAnnealingWarmRestarts(LRScheduler):
    """Cosine annealing that restarts after ``T_0`` steps, each period ``T_mult`` times longer."""

    def __init__(
        self,
        optimizer: Optimizer,
        T_0: int,
        T_mult: int = 1,
        eta_min: float = 0.0,
        last_epoch: int = -1,
    ) -> None:
        self.T_0, self.T_mult, self.eta_min = T_0, T_mult, eta_min
        super().__init__(optimizer, last_epoch)

    def _schedule(self, index: int, base_lr: float) -> Schedule:
        return Schedule_CosineWarmRestarts(
            base_lr, T_0=self.T_0, T_mult=self.T_mult, eta_min=self.eta_min
        )


class LinearLR(LRScheduler):
    """The factor goes linearly from ``start_factor`` to ``end_factor`` in ``total_iters``."""

    def __init__(
        self,
        optimizer: Optimizer,
        start_factor: float = 1.0 / 3,
        end_factor: float = 1.0,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        self.start_factor, self.end_factor = start_factor, end_factor
        self.total_iters = total_iters
        super().__init__(optimizer, last_epoch)

    def _schedule(self, index: int, base_lr: float) -> Schedule:
        return Schedule_LinearWarmup(
            base_lr,
            start_factor=self.start_factor,
            end_factor=self.end_factor,
            total_iters=self.total_iters,
        )


class ConstantLR(LRScheduler):
    """``lr = initial_lr · factor`` for ``total_iters`` steps, then ``initial_lr``."""

    def __init__(
        self,
        optimizer: Optimizer,
        factor: float = 1.0 / 3,
        total_iters: int = 5,
        last_epoch: int = -1,
    ) -> None:
        self.factor, self.total_iters = factor, total_iters
        super().__init__(optimizer, last_epoch)

    def _schedule(self, index: int, base_lr: float) -> Schedule:
        return Schedule_ConstantWarmup(base_lr, factor=self.factor, total_iters=self.total_iters)


class PolynomialLR(LRScheduler):
    """``lr = initial_lr · (1 - step/total_iters)^power``, then 0."""

    def __init__(
        self,
        optimizer: Optimizer,
        total_iters: int = 5,
        power: float = 1.0,
        last_epoch: int = -1,
    ) -> None:
        self.total_iters, self.power = total_iters, power
        super().__init__(optimizer, last_epoch)

    def _schedule(self, index: int, base_lr: float) -> Schedule:
        return Schedule_PolynomialDecay(base_lr, total_iters=self.total_iters, power=self.power)


def _check_cycled_momentum(optimizer: Optimizer, cycle_momentum: bool) -> None:
    if (
        cycle_momentum
        and "momentum" not in optimizer.defaults
        and "betas" not in (optimizer.defaults)
    ):
        raise ValueError(
            "optimizer must support momentum or beta1 with `cycle_momentum` option enabled"
        )


class OneCycleLR(LRScheduler):
    """The 1cycle policy: up to ``max_lr``, then far below the start; the momentum cycles the
    other way. Sets each group's ``initial_lr`` to ``max_lr / div_factor``, as PyTorch."""

    def __init__(
        self,
        optimizer: Optimizer,
        max_lr: float | list[float],
        total_steps: int | None = None,
        epochs: int | None = None,
        steps_per_epoch: int | None = None,
        pct_start: float = 0.3,
        anneal_strategy: str = "cos",
        cycle_momentum: bool = True,
        base_momentum: float | list[float] = 0.85,
        max_momentum: float | list[float] = 0.95,
        div_factor: float = 25.0,
        final_div_factor: float = 1e4,
        three_phase: bool = False,
        last_epoch: int = -1,
    ) -> None:
        _check_cycled_momentum(optimizer, cycle_momentum)
        count = len(optimizer.param_groups)
        self.max_lrs = _per_group("max_lr", max_lr, count)
        self.base_momentums = _per_group("base_momentum", base_momentum, count)
        self.max_momentums = _per_group("max_momentum", max_momentum, count)
        self.arguments = dict(total_steps=total_steps, epochs=epochs,
                              steps_per_epoch=steps_per_epoch, pct_start=pct_start,
                              anneal_strategy=anneal_strategy, cycle_momentum=cycle_momentum,
                              div_factor=div_factor, final_div_factor=final_div_factor,
                              three_phase=three_phase)  # fmt: skip
        if last_epoch == -1:
            for group, top in zip(optimizer.param_groups, self.max_lrs, strict=True):
                group["initial_lr"] = top / div_factor
                group["max_lr"] = top
                group["min_lr"] = group["initial_lr"] / final_div_factor
        super().__init__(optimizer, last_epoch)

    def _schedule(self, index: int, base_lr: float) -> Schedule:
        return Schedule_OneCycle(
            self.max_lrs[index],
            base_momentum=self.base_momentums[index],
            max_momentum=self.max_momentums[index],
            **self.arguments,
        )


class CyclicLR(LRScheduler):
    """Triangle waves between ``base_lr`` and ``max_lr``; the momentum cycles the other way."""

    def __init__(
        self,
        optimizer: Optimizer,
        base_lr: float | list[float],
        max_lr: float | list[float],
        step_size_up: int = 2000,
        step_size_down: int | None = None,
        mode: str = "triangular",
        gamma: float = 1.0,
        scale_fn: Callable[[float], float] | None = None,
        scale_mode: str = "cycle",
        cycle_momentum: bool = True,
        base_momentum: float = 0.8,
        max_momentum: float = 0.9,
        last_epoch: int = -1,
    ) -> None:
        _check_cycled_momentum(optimizer, cycle_momentum)
        count = len(optimizer.param_groups)
        base_lrs = _per_group("base_lr", base_lr, count)
        self.max_lrs = _per_group("max_lr", max_lr, count)
        self.base_momentums = _per_group("base_momentum", base_momentum, count)
        self.max_momentums = _per_group("max_momentum", max_momentum, count)
        self.arguments = dict(step_size_up=step_size_up, step_size_down=step_size_down,
                              mode=mode, gamma=gamma, scale_fn=scale_fn, scale_mode=scale_mode,
                              cycle_momentum=cycle_momentum)  # fmt: skip
        if last_epoch == -1:
            for group, lr in zip(optimizer.param_groups, base_lrs, strict=True):
                group["initial_lr"] = lr
                group["lr"] = lr
        super().__init__(optimizer, last_epoch)

    def _schedule(self, index: int, base_lr: float) -> Schedule:
        return Schedule_Cyclic(
            base_lr,
            self.max_lrs[index],
            base_momentum=self.base_momentums[index],
            max_momentum=self.max_momentums[index],
            **self.arguments,
        )


class SequentialLR(LRScheduler):
    """The schedulers one after another, handing over at ``milestones``."""

    def __init__(
        self,
        optimizer: Optimizer,
        schedulers: list[LRScheduler],
        milestones: list[int],
        last_epoch: int = -1,
    ) -> None:
        if len(schedulers) < 1:
            raise ValueError(
                f"{type(self).__name__} expects at least one scheduler, but got no scheduler."
            )
        for index, scheduler in enumerate(schedulers):
            if scheduler.optimizer is not optimizer:
                raise ValueError(
                    f"{type(self).__name__} expects all schedulers to belong to the same "
                    f"optimizer, but got scheduler {type(scheduler).__name__} at index {index} "
                    f"that is different from the optimizer passed in."
                )
            if isinstance(scheduler, ReduceLROnPlateau):
                raise ValueError(
                    f"{type(self).__name__} does not support `ReduceLROnPlateau` scheduler as "
                    f"it requires additional kwargs to be specified when calling `step`, but "
                    f"got one at index {index} in the given schedulers sequence."
                )
        self._schedulers = list(schedulers)
        self.milestones = list(milestones)
        super().__init__(optimizer, last_epoch)

    def _schedule(self, index: int, base_lr: float) -> Schedule:
        return Schedule_Sequential(
            [scheduler.schedules[index] for scheduler in self._schedulers],
            milestones=self.milestones,
        )


class ChainedScheduler(LRScheduler):
    """The schedulers' factors multiplied, every step."""

    def __init__(
        self, schedulers: Sequence[LRScheduler], optimizer: Optimizer | None = None
    ) -> None:
        if len(schedulers) < 1:
            raise ValueError(
                f"{type(self).__name__} expects at least one scheduler to be chained, but got "
                f"no scheduler."
            )
        optimizer = optimizer or schedulers[0].optimizer
        for index, scheduler in enumerate(schedulers):
            if scheduler.optimizer is not optimizer:
                raise ValueError(
                    f"{type(self).__name__} expects all schedulers to belong to the same "
                    f"optimizer, but got scheduler {type(scheduler).__name__} at index {index} "
                    f"that is different from the optimizer passed in."
                )
        self._schedulers = list(schedulers)
        super().__init__(optimizer)

    def _schedule(self, index: int, base_lr: float) -> Schedule:
        return Schedule_Chained([scheduler.schedules[index] for scheduler in self._schedulers])


class ReduceLROnPlateau(LRScheduler):
    """Cut the learning rate by ``factor`` when the metric given to ``step(metrics)`` stops
    improving for ``patience`` steps."""

    def __init__(
        self,
        optimizer: Optimizer,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr: list[float] | float = 0,
        eps: float = 1e-8,
    ) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        count = len(optimizer.param_groups)
        if isinstance(min_lr, list | tuple) and len(min_lr) != count:
            raise ValueError(f"expected {count} min_lrs, got {len(min_lr)}")
        self.min_lrs = _per_group("min_lr", min_lr, count)
        self.optimizer = optimizer
        self.schedules = [
            Schedule_ReduceOnPlateau(
                group["lr"], mode=mode, factor=factor, patience=patience, threshold=threshold,
                threshold_mode=threshold_mode, cooldown=cooldown, min_lr=min_lr, eps=eps,
            )
            for group, min_lr in zip(optimizer.param_groups, self.min_lrs, strict=True)
        ]  # fmt: skip
        self.base_lrs = [group["lr"] for group in optimizer.param_groups]
        self.last_epoch = 0
        self._last_lr = list(self.base_lrs)

    def step(self, metrics: float) -> None:  # type: ignore[override]
        """Count ``metrics`` (a validation loss, say) and cut the rates if they stalled."""
        self.last_epoch += 1
        for group, schedule in zip(self.optimizer.param_groups, self.schedules, strict=True):
            schedule.report(metrics)
            group["lr"] = schedule(self.last_epoch)
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]
