"""Optimizer_LBFGS: a quasi-Newton method that re-evaluates the loss during its step.

Unlike the other optimizers, L-BFGS needs to call the network several times per step (to try
step lengths and to measure how the gradient changes), so it is used with a *closure*::

    def closure():
        loss = loss_function.calculate(model_forward(X), y)
        ...backward through every layer...
        return loss

    optimizer = Optimizer_LBFGS(line_search_fn="strong_wolfe")
    for epoch in range(20):
        loss = optimizer.step(closure, [dense1, dense2])

It treats all parameters of all layers as one long vector θ, as PyTorch's ``torch.optim.LBFGS``
does, and reproduces it step for step (same iterations, same line search, same tolerances).
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from nnlite.layer_names import named_layers
from nnlite.optimizers.line_search import max_abs, safe_divide, strong_wolfe
from nnlite.optimizers.optimizer import Optimizer
from nnlite.parameters import ParameterSpec, describe, trainable_parameters
from nnlite.schedules.base import Schedule

LINE_SEARCH_FUNCTIONS = (None, "strong_wolfe")


class Optimizer_LBFGS(Optimizer):
    """Limited-memory BFGS: steps along an estimate of (Hessian)⁻¹ · gradient.

    Update rule, on θ = all parameters as one vector and g = the gradient of the loss there
    (one ``step`` runs up to ``max_iter`` of these iterations)::

        s = θ_new - θ_old,   y = g_new - g_old        (kept for the last history_size steps)
        H₀ = (sᵀy / yᵀy) · I                          (the newest pair sets the scale)
        d = -H · g                                    (two-loop recursion, no matrix stored)
        θ += t · d                                    (t = lr, or found by a line search)

    BFGS builds an approximation H of the inverse Hessian from how the gradient changed
    between steps; the limited-memory version never forms H, only the last ``history_size``
    pairs (s, y), and applies H to g with two passes over them (Nocedal & Wright, Algorithm
    7.4). The very first step, with no history, is steepest descent with
    t = min(1, 1/Σ|g|) · lr.

    Step length t: ``line_search_fn=None`` takes t = lr; ``"strong_wolfe"`` searches for a t
    that lowers the loss enough and flattens the slope along d (the strong Wolfe conditions,
    c₁ = 1e-4, c₂ = 0.9), by bracketing and cubic interpolation (Nocedal & Wright, Algorithms
    3.5 and 3.6).

    A step stops early when the largest |gradient| is at most ``tolerance_grad``, or when the
    change in θ (max |t·d|) or in the loss falls below ``tolerance_change``; it calls the
    closure at most ``max_eval`` times. ``step`` returns the loss of its *first* closure call,
    as PyTorch's does.

    Defaults (PyTorch's): ``learning_rate=1, max_iter=20, max_eval=None`` (max_iter·5//4),
    ``tolerance_grad=1e-7, tolerance_change=1e-9, history_size=100, line_search_fn=None``.

    Papers: Liu & Nocedal, "On the limited memory BFGS method for large scale optimization"
    (Mathematical Programming, 1989); Nocedal & Wright, *Numerical Optimization* (2006),
    chapters 3 and 7. PyTorch's implementation is a port of Mark Schmidt's minFunc.

    State and memory: the state belongs to all layers together, so it is kept on the optimizer
    (``optimizer.state``, an :class:`LBFGSState`), not on the layers. It holds up to
    ``history_size`` pairs of vectors the size of all parameters together (plus one spare
    pair), made as the history fills up; once it is full, the oldest pair's arrays are reused
    for the newest. The other vectors (gradient, direction, ...) are made once. Without a line
    search a step then allocates nothing the size of the parameters; the strong-Wolfe search
    makes one gradient vector per closure call, as PyTorch's does.

    There are no param groups (one set of hyperparameters for θ as a whole), and none of the
    gradient options of the other optimizers (weight decay, clipping, maximize): the line search
    must see the same loss as the gradient.
    """

    def __init__(
        self,
        learning_rate: float | Schedule = 1.0,
        *,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        history_size: int = 100,
        line_search_fn: str | None = None,
    ) -> None:
        _positive_int("max_iter", max_iter)
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        _positive_int("max_eval", max_eval)
        _positive_int("history_size", history_size)
        for label, value in (
            ("tolerance_grad", tolerance_grad),
            ("tolerance_change", tolerance_change),
        ):
            if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value >= 0:
                raise ValueError(f"Invalid {label} value: {value}")
        if line_search_fn not in LINE_SEARCH_FUNCTIONS:
            raise ValueError(f"only 'strong_wolfe' is supported, got {line_search_fn!r}")
        super().__init__(
            learning_rate=learning_rate,
            hyperparameters={
                "max_iter": max_iter,
                "max_eval": max_eval,
                "tolerance_grad": tolerance_grad,
                "tolerance_change": tolerance_change,
                "history_size": history_size,
                "line_search_fn": line_search_fn,
            },
        )
        # Only these are hyperparameters of L-BFGS (none of the base class's gradient options)
        self.hyperparameter_names = (
            "learning_rate",
            "max_iter",
            "max_eval",
            "tolerance_grad",
            "tolerance_change",
            "history_size",
            "line_search_fn",
        )
        self.state: LBFGSState | None = None

    # ------------------------------------------------------------------ what L-BFGS refuses

    def add_param_group(self, group: Mapping[str, Any]) -> None:
        raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")

    def update_params(self, layer: object) -> None:
        raise TypeError(
            "Optimizer_LBFGS cannot update one layer at a time: it re-evaluates the loss during "
            "its step. Use optimizer.step(closure, layers), where closure() runs the forward "
            "and backward passes and returns the loss"
        )

    # ------------------------------------------------------------------ checkpoints

    def state_dict(self, layers: Mapping[str, object] | Iterable[object]) -> dict[str, Any]:
        """The base class's checkpoint plus the L-BFGS history (under ``"lbfgs"``)."""
        state = super().state_dict(layers)
        if self.state is None:
            return state
        names = {id(layer): name for name, layer in named_layers(layers, "state_dict").items()}
        history = self.state
        layout = []
        for layer_id, parameter_name, shape, dtype in history.layout:
            if layer_id not in names:
                raise ValueError(
                    "Optimizer_LBFGS.state_dict: the layers given must include every layer of "
                    "the last step (its history covers all their parameters)"
                )
            layout.append([names[layer_id], parameter_name, list(shape), str(dtype)])
        state["lbfgs"] = {
            "layout": layout,
            "function_evaluations": history.function_evaluations,
            "iterations": history.iterations,
            "step_length": history.step_length,
            "hessian_diagonal": history.hessian_diagonal,
            "previous_loss": history.previous_loss,
            "direction": history.direction.copy(),
            "previous_gradient": history.previous_gradient.copy(),
            "steps": [step.copy() for step in history.steps],
            "gradient_changes": [change.copy() for change in history.gradient_changes],
            "inverse_curvatures": list(history.inverse_curvatures),
        }
        return state

    def load_state_dict(
        self, state: Mapping[str, Any], layers: Mapping[str, object] | Iterable[object]
    ) -> None:
        """Restore a ``state_dict``, including the history, checking it against ``layers``."""
        named = named_layers(layers, "Optimizer_LBFGS.load_state_dict")
        saved = state.get("lbfgs")
        history = None if saved is None else _history_from(saved, named)
        super().load_state_dict(state, layers)
        self.state = history

    # ------------------------------------------------------------------ the step

    def step(self, closure: Callable[[], float], layers: Iterable[object]) -> float:  # type: ignore[override]
        """Run up to ``max_iter`` L-BFGS iterations; return the loss of the first closure call.

        ``closure()`` must run the forward pass and the backward pass of every layer in
        ``layers`` (so their gradients are fresh) and return the loss.
        """
        if not callable(closure):
            raise TypeError(
                "Optimizer_LBFGS.step(closure, layers): closure must be a function that runs "
                f"the forward and backward passes and returns the loss, got {closure!r}"
            )
        flat = FlatParameters(layers)
        if self.state is None or self.state.layout != flat.layout:
            if self.state is not None:
                warnings.warn(
                    "Optimizer_LBFGS.step: the layers or their parameter shapes changed since "
                    "the last step; the L-BFGS history starts afresh",
                    UserWarning,
                    stacklevel=2,
                )
            self.state = LBFGSState(layout=flat.layout, size=flat.size, dtype=flat.dtype)
        self.state.history_size = self.history_size
        self.pre_update_params()
        try:
            return self._iterate(closure, flat, self.state)
        finally:
            self.post_update_params()

    def _iterate(
        self, closure: Callable[[], float], flat: FlatParameters, state: LBFGSState
    ) -> float:
        learning_rate = self.current_learning_rate
        max_iter, max_eval = self.max_iter, self.max_eval
        tolerance_grad, tolerance_change = self.tolerance_grad, self.tolerance_change

        # Evaluate the loss and gradient at the starting point
        first_loss = closure()
        loss = float(first_loss)
        evaluations = 1
        state.function_evaluations += 1
        gradient = flat.gather_gradient(out=state.gradient)
        if max_abs(gradient) <= tolerance_grad:
            return first_loss  # already optimal

        direction = state.direction

        def loss_and_gradient_at(t: float) -> tuple[float, np.ndarray]:
            # For the line search: evaluate at θ₀ + t·d (θ₀ is in state.start), then restore θ₀
            flat.add(t, direction, work=state.work)
            value = float(closure())
            new_gradient = flat.gather_gradient(out=np.empty(flat.size, dtype=flat.dtype))
            flat.set_values(state.start)
            return value, new_gradient

        iteration = 0
        while iteration < max_iter:
            iteration += 1
            state.iterations += 1

            # ---- direction d = -H·g
            if state.iterations == 1:
                np.negative(gradient, out=direction)
                state.clear_history()
                state.hessian_diagonal = 1.0
            else:
                state.remember(gradient, direction, state.step_length)
                state.two_loop_recursion(gradient, out=direction)
            np.copyto(state.previous_gradient, gradient)
            state.previous_loss = loss

            # ---- step length: the first ever step is scaled by 1/Σ|g| (the gradient's size)
            if state.iterations == 1:
                np.abs(gradient, out=state.work)
                step_length = min(1.0, safe_divide(1.0, float(state.work.sum()))) * learning_rate
            else:
                step_length = learning_rate
            state.step_length = step_length

            # Directional derivative gᵀd: stop if d no longer goes downhill
            slope = float(np.dot(gradient, direction))
            if slope > -tolerance_change:
                break

            evaluations_here = 0
            if self.line_search_fn == "strong_wolfe":
                flat.gather_values(out=state.start)
                loss, gradient, step_length, evaluations_here = strong_wolfe(
                    loss_and_gradient_at,
                    step_length,
                    direction,
                    loss,
                    gradient,
                    slope,
                    tolerance_change=tolerance_change,
                    max_evaluations=max_eval - evaluations,
                )
                flat.add(step_length, direction, work=state.work)
                optimal = max_abs(gradient) <= tolerance_grad
            else:
                # No line search: a fixed step θ += lr·d
                flat.add(step_length, direction, work=state.work)
                optimal = False
                if iteration != max_iter:
                    # Re-evaluate (skipped on the last iteration: the next step starts with it)
                    loss = float(closure())
                    gradient = flat.gather_gradient(out=state.gradient)
                    optimal = max_abs(gradient) <= tolerance_grad
                    evaluations_here = 1
            state.step_length = step_length
            evaluations += evaluations_here
            state.function_evaluations += evaluations_here

            # ---- stopping conditions
            if iteration == max_iter or evaluations >= max_eval or optimal:
                break
            # Lack of progress: the step max|t·d| or the change of the loss is tiny
            if abs(step_length) * max_abs(direction) <= tolerance_change:
                break
            if abs(loss - state.previous_loss) < tolerance_change:
                break
        return first_loss


@dataclass
class LBFGSState:
    """What L-BFGS carries from one step to the next (PyTorch's names in brackets).

    ``steps`` and ``gradient_changes`` are the history pairs s and y, oldest first, and
    ``inverse_curvatures`` their ρ = 1/(yᵀs).
    """

    layout: tuple = field(repr=False)
    size: int
    dtype: np.dtype
    function_evaluations: int = 0  # [func_evals]
    iterations: int = 0  # [n_iter]
    step_length: float = 0.0  # [t]
    hessian_diagonal: float = 1.0  # [H_diag], the scale of H₀
    previous_loss: float | None = None  # [prev_loss]
    steps: list[np.ndarray] = field(default_factory=list, repr=False)  # [old_stps], s
    gradient_changes: list[np.ndarray] = field(default_factory=list, repr=False)  # [old_dirs], y
    inverse_curvatures: list[float] = field(default_factory=list, repr=False)  # [ro], ρ
    history_size: int = 100

    def __post_init__(self) -> None:
        self.gradient = np.zeros(self.size, dtype=self.dtype)  # [flat_grad]
        self.previous_gradient = np.zeros(self.size, dtype=self.dtype)  # [prev_flat_grad]
        self.direction = np.zeros(self.size, dtype=self.dtype)  # [d]
        self.start = np.zeros(self.size, dtype=self.dtype)  # θ₀ of a line search
        self.work = np.zeros(self.size, dtype=self.dtype)
        # The next pair (s, y) is computed here; arrays of dropped pairs come back here
        self._spare: list[np.ndarray] = []

    def clear_history(self) -> None:
        self.steps.clear()
        self.gradient_changes.clear()
        self.inverse_curvatures.clear()

    def remember(self, gradient: np.ndarray, direction: np.ndarray, step_length: float) -> None:
        """Add the pair s = t·d, y = g - g_prev if it has positive curvature yᵀs > 1e-10."""
        while len(self._spare) < 2:
            self._spare.append(np.empty(self.size, dtype=self.dtype))
        change, step = self._spare[0], self._spare[1]
        np.subtract(gradient, self.previous_gradient, out=change)
        np.multiply(direction, step_length, out=step)
        curvature = float(np.dot(change, step))
        if curvature <= 1e-10:
            return  # skip the pair: it would make H lose positive definiteness
        del self._spare[:2]
        while len(self.steps) >= self.history_size:
            # Forget the oldest pair, and reuse its arrays next time
            self._spare += [self.gradient_changes.pop(0), self.steps.pop(0)]
            self.inverse_curvatures.pop(0)
        self.gradient_changes.append(change)
        self.steps.append(step)
        self.inverse_curvatures.append(1.0 / curvature)
        # Scale of the initial inverse Hessian H₀ = (sᵀy / yᵀy)·I
        self.hessian_diagonal = curvature / float(np.dot(change, change))

    def two_loop_recursion(self, gradient: np.ndarray, *, out: np.ndarray) -> np.ndarray:
        """``out = -H·g`` from the history (Nocedal & Wright, Algorithm 7.4)."""
        direction, work = out, self.work
        alphas = [0.0] * len(self.steps)
        # First loop, newest to oldest: q = -g; αᵢ = ρᵢ·sᵢᵀq; q -= αᵢ·yᵢ
        np.negative(gradient, out=direction)
        for i in reversed(range(len(self.steps))):
            alphas[i] = float(np.dot(self.steps[i], direction)) * self.inverse_curvatures[i]
            np.multiply(self.gradient_changes[i], alphas[i], out=work)
            direction -= work
        # r = H₀·q
        direction *= self.hessian_diagonal
        # Second loop, oldest to newest: βᵢ = ρᵢ·yᵢᵀr; r += (αᵢ - βᵢ)·sᵢ
        for i in range(len(self.steps)):
            beta = float(np.dot(self.gradient_changes[i], direction)) * self.inverse_curvatures[i]
            np.multiply(self.steps[i], alphas[i] - beta, out=work)
            direction += work
        return direction


class FlatParameters:
    """All trainable parameters of some layers, seen as one vector θ (and their gradients)."""

    def __init__(self, layers: Iterable[object]) -> None:
        self.entries: list[tuple[object, ParameterSpec, np.ndarray]] = []
        for layer in layers:
            for parameter in trainable_parameters(layer):
                value = getattr(layer, parameter.name)
                if not isinstance(value, np.ndarray):
                    raise TypeError(
                        f"Optimizer_LBFGS: {describe(layer)}.{parameter.name} must be a NumPy "
                        f"array, got {type(value).__name__}"
                    )
                self.entries.append((layer, parameter, value))
        if not self.entries:
            raise ValueError("optimizer got an empty parameter list (no trainable layers given)")
        self.layout = tuple(
            (id(layer), parameter.name, value.shape, value.dtype)
            for layer, parameter, value in self.entries
        )
        self.size = sum(value.size for _, _, value in self.entries)
        self.dtype = np.result_type(*(value.dtype for _, _, value in self.entries))

    def _pieces(self, vector: np.ndarray):
        """Each parameter with the slice of ``vector`` that belongs to it, in its shape."""
        offset = 0
        for layer, parameter, value in self.entries:
            yield layer, parameter, value, vector[offset : offset + value.size].reshape(value.shape)
            offset += value.size

    def gather_gradient(self, *, out: np.ndarray) -> np.ndarray:
        """Copy every layer's gradient into ``out`` (the flat g)."""
        for layer, parameter, value, piece in self._pieces(out):
            gradient = getattr(layer, parameter.gradient, None)
            if not isinstance(gradient, np.ndarray) or gradient.shape != value.shape:
                raise RuntimeError(
                    f"Optimizer_LBFGS: after closure(), {describe(layer)}.{parameter.gradient} "
                    f"must be an array of shape {value.shape}, got "
                    f"{getattr(gradient, 'shape', gradient)!r}; the closure must run the "
                    f"backward pass of every layer"
                )
            np.copyto(piece, gradient)
        return out

    def gather_values(self, *, out: np.ndarray) -> np.ndarray:
        for _, _, value, piece in self._pieces(out):
            np.copyto(piece, value)
        return out

    def set_values(self, vector: np.ndarray) -> None:
        for _, _, value, piece in self._pieces(vector):
            np.copyto(value, piece)

    def add(self, step_length: float, direction: np.ndarray, *, work: np.ndarray) -> None:
        """θ += step_length · direction, in place in every layer's arrays."""
        np.multiply(direction, step_length, out=work)
        for _, _, value, piece in self._pieces(work):
            value += piece


def _history_from(saved: Mapping[str, Any], named: dict[str, object]) -> LBFGSState:
    """An :class:`LBFGSState` from a checkpoint, after checking it fits the layers."""
    where = "Optimizer_LBFGS.load_state_dict"
    order = list(dict.fromkeys(entry[0] for entry in saved["layout"]))
    missing = [name for name in order if name not in named]
    if missing:
        raise ValueError(f"{where}: the checkpoint's history covers layers {missing}, not given")
    flat = FlatParameters(named[name] for name in order)
    expected = [
        [name, parameter.name, list(value.shape), str(value.dtype)]
        for name in order
        for layer, parameter, value in flat.entries
        if layer is named[name]
    ]
    if [list(entry) for entry in saved["layout"]] != expected:
        raise ValueError(
            f"{where}: the checkpoint's history is for parameters {saved['layout']}, but the "
            f"layers have {expected}"
        )
    history = LBFGSState(layout=flat.layout, size=flat.size, dtype=flat.dtype)
    vectors = [saved["direction"], saved["previous_gradient"], *saved["steps"]]
    vectors += saved["gradient_changes"]
    if any(np.shape(vector) != (flat.size,) for vector in vectors):
        raise ValueError(f"{where}: the checkpoint's vectors are not of length {flat.size}")
    history.function_evaluations = int(saved["function_evaluations"])
    history.iterations = int(saved["iterations"])
    history.step_length = saved["step_length"]
    history.hessian_diagonal = saved["hessian_diagonal"]
    history.previous_loss = saved["previous_loss"]
    np.copyto(history.direction, saved["direction"])
    np.copyto(history.previous_gradient, saved["previous_gradient"])
    history.steps = [np.array(step, dtype=flat.dtype) for step in saved["steps"]]
    history.gradient_changes = [
        np.array(change, dtype=flat.dtype) for change in saved["gradient_changes"]
    ]
    history.inverse_curvatures = list(saved["inverse_curvatures"])
    return history


def _positive_int(label: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 1:
        raise ValueError(f"Invalid {label} value: {value} (must be a whole number >= 1)")
