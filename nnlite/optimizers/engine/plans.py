"""A parameter's update, prepared once and then run as a whole, in blocks, or compiled.

``Optimizer.update_params`` asks :func:`prepare` for each parameter before it changes
anything, then :func:`run` for each. What a rule receives besides the parameter and its
gradient is an :class:`Update`:

* ``state``: the parameter's state arrays by the names the rule gives them
  (``update.state["momentums"]`` is ``layer.weight_momentums`` for the weights);
* ``scratch``: work arrays of the parameter's shape, made once, so that the rule allocates
  nothing after the first step;
* ``learning_rate``, ``step`` (this parameter's step count: 1, 2, ...), ``settings`` (the
  hyperparameters of the parameter's group) and ``scalars`` (numbers a rule keeps between steps,
  such as NAdam's running product).

Preparing (finding or making the state arrays, choosing dtypes and work arrays) costs more than
an update of a small parameter, so the result, an :class:`UpdatePlan`, is kept on the layer's
record and reused while it still fits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from nnlite.optimizers.engine import compiled
from nnlite.optimizers.engine.blocks import (
    BLOCK_SIZE,
    BlockedUpdate,
    can_block,
    pieces_for,
    update_threads,
)
from nnlite.optimizers.engine.state import (
    OptimizerRecord,
    record_for,
    state_arrays,
    state_attribute,
)
from nnlite.parameters import ParameterSpec

#: A rule: ``rule(weights, gradient, update)`` changes ``weights`` in place
Rule = Callable[[np.ndarray, np.ndarray, "Update"], None]


@dataclass
class Update:
    """What an optimizer's ``update_rule`` gets besides the weights and their gradient."""

    learning_rate: float
    step: int
    state: dict[str, np.ndarray]
    scratch: list[np.ndarray]
    scalars: dict[str, Any]
    settings: Mapping[str, Any]
    parameter: ParameterSpec


@dataclass
class UpdatePlan:
    """One parameter's update, prepared once (state arrays, dtypes, work arrays) and reused
    while the parameter, its gradient's dtype, the settings and the state arrays are the same
    (and, for one cut into blocks, the arrays are C-contiguous and the thread count is the
    same): checking that is much cheaper than preparing everything again at every step."""

    settings: dict[str, Any]
    shape: tuple[int, ...]
    weights_dtype: np.dtype
    gradient_dtype: np.dtype
    attributes: tuple[tuple[str, np.ndarray], ...]
    #: Two work arrays for the gradient options (maximize, clipping, L1/L2), or None
    gradient_buffers: tuple[np.ndarray, np.ndarray] | None
    update: Update
    #: The layer's record, which counts this parameter's steps
    record: OptimizerRecord
    #: The rule to run: the optimizer's ``update_rule``, or with ``fused=True`` the compiled
    #: one where the arrays allow it (see :func:`rule_for`)
    rule: Rule
    #: For a large parameter of an element-wise rule: the update cut into blocks (blocks.py)
    blocked: BlockedUpdate | None = None

    def fits(
        self, layer: object, weights: np.ndarray, gradient: np.ndarray, settings: dict[str, Any]
    ) -> bool:
        if (
            weights.shape != self.shape
            or weights.dtype != self.weights_dtype
            or gradient.dtype != self.gradient_dtype
            or (settings is not self.settings and settings != self.settings)
        ):
            return False
        for name, array in self.attributes:
            if getattr(layer, name, None) is not array:
                return False
        return self.blocked is None or (
            weights.flags.c_contiguous
            and gradient.flags.c_contiguous
            and self.blocked.threads == update_threads()
        )


def prepare_layer(
    optimizer: Any,
    layer: object,
    chosen: list[tuple[ParameterSpec, dict[str, Any], np.ndarray, np.ndarray]],
    *,
    needs_gradient_buffers: list[bool],
    where: object,
) -> list[UpdatePlan]:
    """The plans of a layer's updates, one per ``(parameter, settings, weights, gradient)``,
    made before any parameter changes (the layer's record of this optimizer first)."""
    record = record_for(layer, type(optimizer).__name__, where, owner=optimizer)
    return [
        prepare(
            optimizer,
            layer,
            record,
            parameter,
            weights,
            gradient,
            settings,
            needs_gradient_buffers=needs,
            where=where,
        )  # fmt: skip
        for (parameter, settings, weights, gradient), needs in zip(
            chosen, needs_gradient_buffers, strict=True
        )
    ]


def prepare(
    optimizer: Any,
    layer: object,
    record: OptimizerRecord,
    parameter: ParameterSpec,
    weights: np.ndarray,
    gradient: np.ndarray,
    settings: dict[str, Any],
    *,
    needs_gradient_buffers: bool,
    where: object,
) -> UpdatePlan:
    """The plan of one parameter's update: the kept one if it still fits, else a new one."""
    plan = record.plans.get(parameter.name)
    if (
        plan is not None
        and plan.fits(layer, weights, gradient, settings)
        and (plan.gradient_buffers is not None or not needs_gradient_buffers)
    ):
        return plan
    if settings.get("fused"):
        compiled.require(f"{type(optimizer).__name__}(fused=True)")
    names = optimizer.state_names_for(settings)
    # float32 weights with float64 gradients compute in float64, as NumPy (the book) does
    compute_dtype = np.result_type(weights.dtype, gradient.dtype)
    dtypes = {
        name: weights.dtype if name in optimizer.in_place_states else compute_dtype
        for name in names
    }
    state = state_arrays(
        layer, record, parameter, weights, names, optimizer.initial_state(settings), dtypes, where
    )
    if state:
        compute_dtype = np.result_type(compute_dtype, *state.values())
    blocked = _rule_is_elementwise(optimizer) and can_block([weights, gradient, *state.values()])
    # Work arrays of the parameter's shape, or of one block's for each thread
    count = optimizer.scratch_count
    scratch = work_arrays(
        record, parameter.name, (0,) if blocked else weights.shape, compute_dtype, count
    )
    block_work = [
        work_arrays(record, f"{parameter.name}:block{thread}", (BLOCK_SIZE,), compute_dtype, count)
        for thread in range(pieces_for(weights.size) if blocked else 0)
    ]
    gradient_buffers = None
    if needs_gradient_buffers:
        gradient_buffers = tuple(
            work_arrays(record, f"{parameter.name}:gradient", weights.shape, compute_dtype, 2)
        )
    update = Update(
        learning_rate=0.0,
        step=0,
        state=state,
        scratch=scratch,
        scalars=record.extras.setdefault(parameter.name, {}),
        settings=settings,
        parameter=parameter,
    )
    plan = UpdatePlan(
        settings=settings,
        shape=weights.shape,
        weights_dtype=weights.dtype,
        gradient_dtype=gradient.dtype,
        attributes=tuple(
            (state_attribute(parameter, name), array) for name, array in state.items()
        ),
        gradient_buffers=gradient_buffers,
        update=update,
        record=record,
        rule=rule_for(optimizer, settings),
        blocked=BlockedUpdate.prepare(update, weights.size, block_work) if blocked else None,
    )
    record.plans[parameter.name] = plan
    return plan


def rule_for(optimizer: Any, settings: Mapping[str, Any]) -> Rule:
    """``optimizer.update_rule``; with ``fused=True``, the same rule compiled (compiled.py),
    which falls back to ``update_rule`` for arrays it does not take."""
    fused_rule = getattr(optimizer, "fused_rule", None)
    if not (settings.get("fused") and fused_rule):
        return optimizer.update_rule

    def compiled_rule(weights: np.ndarray, gradient: np.ndarray, update: Update) -> None:
        if not compiled.run(fused_rule, weights, gradient, update):
            optimizer.update_rule(weights, gradient, update)

    return compiled_rule


def run(plan: UpdatePlan, weights: np.ndarray, gradient: np.ndarray, learning_rate: float) -> None:
    """Count the parameter's step and run the plan's rule on it: block by block on threads
    if the parameter is large and the rule element-wise, else on the whole arrays at once.
    The numbers are the same either way."""
    name = plan.update.parameter.name
    step = plan.record.steps.get(name, 0) + 1
    plan.record.steps[name] = step
    if plan.blocked is not None:
        plan.blocked.run(plan.rule, weights, gradient, learning_rate, step, plan.settings)
        return
    update = plan.update
    update.learning_rate, update.step = learning_rate, step
    plan.rule(weights, gradient, update)


def _rule_is_elementwise(optimizer: Any) -> bool:
    """``elementwise`` as declared by the class that defines ``update_rule``: a subclass with
    a rule of its own (which may take a norm over the whole array) is not cut into blocks
    unless it says so itself."""
    for cls in type(optimizer).__mro__:
        if "update_rule" in vars(cls):
            return bool(vars(cls).get("elementwise", False))
    return False


def work_arrays(
    record: OptimizerRecord, key: str, shape: tuple, dtype: np.dtype, count: int
) -> list[np.ndarray]:
    """``count`` work arrays of the given shape and dtype, made once and then reused."""
    if count == 0:
        return []
    buffers = record.scratch.get(key)
    if (
        buffers is None
        or len(buffers) < count
        or buffers[0].shape != shape
        or buffers[0].dtype != dtype
    ):
        buffers = [np.empty(shape, dtype=dtype) for _ in range(count)]
        record.scratch[key] = buffers
    return buffers
