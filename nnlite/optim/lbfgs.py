"""LBFGS: ``torch.optim.LBFGS`` over :class:`~nnlite.optimizers.lbfgs.Optimizer_LBFGS`.

L-BFGS treats all its parameters as one vector and re-evaluates the loss during its step, so
``step`` needs a closure, as in PyTorch::

    optimizer = nnlite.optim.LBFGS(model.parameters(), line_search_fn="strong_wolfe")

    def closure():
        optimizer.zero_grad()
        output = model.forward(X, training=True)
        loss = model.loss.calculate(output, y)
        model.backward(output, y)
        return loss

    optimizer.step(closure)

The book-style optimizer works on whole layers, so the parameters must be every trainable
parameter of their layers, in the layers' order (``model.parameters()`` or
``layer.parameters()`` give that). Its history (PyTorch's ``d``, ``old_dirs``, ...) is
``state[first parameter]``, as in PyTorch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

import numpy as np

from nnlite.optim.optimizer import Optimizer
from nnlite.optimizers.lbfgs import FlatParameters, LBFGSState, Optimizer_LBFGS
from nnlite.parameters import Parameter, trainable_parameters

#: PyTorch's state names → the attributes of LBFGSState
HISTORY = (
    ("func_evals", "function_evaluations"),
    ("n_iter", "iterations"),
    ("d", "direction"),
    ("t", "step_length"),
    ("old_dirs", "gradient_changes"),
    ("old_stps", "steps"),
    ("ro", "inverse_curvatures"),
    ("H_diag", "hessian_diagonal"),
    ("prev_flat_grad", "previous_gradient"),
    ("prev_loss", "previous_loss"),
)


class LBFGS(Optimizer):
    """``torch.optim.LBFGS``: limited-memory BFGS with an optional strong-Wolfe line search.
    Runs :class:`Optimizer_LBFGS` (see there for the rule); one param group only."""

    rule_class = Optimizer_LBFGS
    state_keys = tuple((name, "history") for name, _ in HISTORY)

    def __init__(
        self,
        params: Iterable[Any],
        lr: float = 1,
        max_iter: int = 20,
        max_eval: int | None = None,
        tolerance_grad: float = 1e-7,
        tolerance_change: float = 1e-9,
        history_size: int = 100,
        line_search_fn: str | None = None,
    ) -> None:
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if max_eval is None:
            max_eval = max_iter * 5 // 4
        defaults = dict(lr=lr, max_iter=max_iter, max_eval=max_eval,
                        tolerance_grad=tolerance_grad, tolerance_change=tolerance_change,
                        history_size=history_size, line_search_fn=line_search_fn)  # fmt: skip
        super().__init__(params, defaults)
        if len(self.param_groups) != 1:
            raise ValueError("LBFGS doesn't support per-parameter options (parameter groups)")

    def _start_without_state(self) -> None:
        """The history is the rule's own, new with it."""

    def _rule_arguments(self, group: Mapping[str, Any]) -> dict[str, Any]:
        return dict(learning_rate=group["lr"], max_iter=group["max_iter"],
                    max_eval=group["max_eval"], tolerance_grad=group["tolerance_grad"],
                    tolerance_change=group["tolerance_change"],
                    history_size=group["history_size"],
                    line_search_fn=group["line_search_fn"])  # fmt: skip

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """Up to ``max_iter`` iterations; returns the loss of the first ``closure()`` call."""
        if closure is None:
            raise TypeError("LBFGS.step() needs a closure that runs forward and backward")
        group = self.param_groups[0]
        # The group's hyperparameters, as PyTorch reads them at each step
        for name, value in self._rule_arguments(group).items():
            setattr(self.rule, name, value)
        self.rule.current_learning_rate = group["lr"]
        return self.rule.step(closure, self._whole_layers())

    def update_params(self, layer: object) -> None:
        raise TypeError(
            "LBFGS re-evaluates the loss during its step: call optimizer.step(closure), where "
            "closure() runs the forward and backward passes and returns the loss"
        )

    def _whole_layers(self) -> list[object]:
        """The layers of the parameters, checking that the parameters are all of theirs."""
        params = self.param_groups[0]["params"]
        layers = self._layers()
        expected = [
            Parameter(layer, spec) for layer in layers for spec in trainable_parameters(layer)
        ]
        if list(params) != expected:
            raise ValueError(
                "nnlite.optim.LBFGS optimizes whole layers: give it every trainable parameter of "
                "its layers, in order (model.parameters() or layer.parameters()); got "
                f"{[p.name for p in params]}"
            )
        return layers

    # ------------------------------------------------------------------ state: the history

    @property
    def state(self) -> dict[Parameter, dict[str, Any]]:
        """``{first parameter: PyTorch's history dict}`` (the history's own arrays), or ``{}``
        before the first step."""
        history = self.rule.state
        if history is None:
            return {}
        values = {name: getattr(history, attribute) for name, attribute in HISTORY}
        values["H_diag"] = np.float64(values["H_diag"])
        return {self.param_groups[0]["params"][0]: values}

    def state_dict(self) -> dict[str, Any]:
        saved = super().state_dict()
        saved["state"] = {}
        history = self.state
        if history:
            (values,) = history.values()
            saved["state"][0] = {
                name: [np.array(v, copy=True) for v in value]
                if isinstance(value, list)
                else (np.array(value, copy=True) if isinstance(value, np.ndarray) else value)
                for name, value in values.items()
            }
        return saved

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        groups = state_dict.get("param_groups")
        if not isinstance(groups, list) or len(groups) != 1:
            raise ValueError("loaded state dict has a different number of parameter groups")
        if len(groups[0]["params"]) != len(self.param_groups[0]["params"]):
            raise ValueError(
                "loaded state dict contains a parameter group that doesn't match the size of "
                "optimizer's group"
            )
        saved = dict(state_dict.get("state", {}))
        history = None
        if saved:
            (values,) = saved.values()
            history = _history(values, FlatParameters(self._whole_layers()))
        self.rule_class(**self._rule_arguments(groups[0]))  # the book's checks
        group = {key: value for key, value in groups[0].items() if key != "params"}
        self.param_groups[0].update(group)
        self.rule.state = history


def _history(values: Mapping[str, Any], flat: FlatParameters) -> LBFGSState:
    """An LBFGSState from PyTorch's names, checking the vectors' lengths."""
    missing = [name for name, _ in HISTORY if name not in values]
    if missing:
        raise ValueError(f"LBFGS.load_state_dict: the state has no {missing}")
    history = LBFGSState(layout=flat.layout, size=flat.size, dtype=flat.dtype)
    vectors = [values["d"], values["prev_flat_grad"], *values["old_dirs"], *values["old_stps"]]
    if any(np.shape(vector) != (flat.size,) for vector in vectors):
        raise ValueError(
            f"LBFGS.load_state_dict: the history's vectors must have {flat.size} elements "
            f"(all the parameters together)"
        )
    history.function_evaluations = int(values["func_evals"])
    history.iterations = int(values["n_iter"])
    history.step_length = float(values["t"])
    history.hessian_diagonal = float(values["H_diag"])
    previous_loss = values["prev_loss"]
    history.previous_loss = None if previous_loss is None else float(previous_loss)
    np.copyto(history.direction, values["d"])
    np.copyto(history.previous_gradient, values["prev_flat_grad"])
    history.gradient_changes = [np.array(y, dtype=flat.dtype) for y in values["old_dirs"]]
    history.steps = [np.array(s, dtype=flat.dtype) for s in values["old_stps"]]
    history.inverse_curvatures = [float(rho) for rho in values["ro"]]
    return history
