"""Optimizer: PyTorch's optimizer object, over the rules of nnlite's book-style optimizers.

PyTorch's articles train like this::

    optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    for X, y in batches:
        optimizer.zero_grad()
        ...forward, loss, backward...
        optimizer.step()

and so can nnlite, with the same names, arguments, defaults and numbers. There is no second
implementation of any rule here: each class of ``nnlite.optim`` names a book-style optimizer
(``Adam`` → :class:`~nnlite.optimizers.adam.Optimizer_Adam`), translates PyTorch's
arguments into its hyperparameters (``eps`` → ``epsilon``, ``betas`` → ``beta_1, beta_2``),
and ``step()`` hands each parameter with a gradient to that optimizer's
``update_layer_parameters`` (the body of the book's ``update_params``): the same state on the
layer (``layer.weight_momentums``), the same gradient options, the same ``update_rule``.

What PyTorch's optimizer holds, and where it lives here:

* ``param_groups``: a list of plain dicts with PyTorch's keys (``"params"``, ``"lr"``,
  ``"betas"``, ...). Each step reads them, so ``param_groups[0]["lr"] = 0.01`` takes effect at
  the next step, as in PyTorch (this is what a learning-rate scheduler does).
* ``state``: per :class:`~nnlite.parameters.Parameter`, a dict-like view under PyTorch's names
  (``state[p]["exp_avg"]``) of the arrays the book's hooks keep on the layer
  (``layer.weight_momentums``): the same arrays, not copies. ``"step"`` is the parameter's
  step count.
* A new optimizer starts with no state, as in PyTorch: it clears what another optimizer of
  the same rule left on its parameters' layers (use ``state_dict()`` to carry it over).
* ``state_dict()`` / ``load_state_dict()``: PyTorch's layout, parameters numbered in group
  order, with NumPy arrays in place of tensors (copies, so a saved state_dict does not change
  as training goes on). Loading checks everything before changing anything.

A parameter whose gradient is ``None`` (after ``zero_grad()``, or never computed) is skipped,
as PyTorch does; so is one of a frozen layer (``requires_grad`` False).

``foreach``, ``capturable`` and ``differentiable`` are accepted where PyTorch has them and
change nothing: they choose PyTorch's kernels, CUDA-graph capture and autograd through the
step, none of which exists in nnlite; the numbers are the same. ``fused=True`` runs the book
optimizer's compiled rule where it has one (SGD, Adam, AdamW, Adagrad; needs numba).

Gradients, and PyTorch's ``zero_grad``: nnlite's ``backward`` *replaces* ``dweights``, as in
the book, so forgetting ``zero_grad()`` does no harm here, and the book's code, which never
calls it, keeps its numbers. PyTorch's ``backward`` *adds*; to get that, turn accumulation on
explicitly, ``optimizer.accumulate_gradients()`` (or ``with nnlite.accumulate_gradients(layers)``
around the loop): each ``backward`` then adds to the gradient until ``zero_grad()`` clears it.

The book's hooks work too (``pre_update_params``, ``update_params(layer)``,
``post_update_params``, ``current_learning_rate``), so ``Model.set(optimizer=...)`` trains
with an optimizer of this package.
"""

from __future__ import annotations

import copy
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from typing import Any

import numpy as np

from nnlite.optimizers.engine.state import OptimizerRecord, state_attribute
from nnlite.optimizers.optimizer import Optimizer as BookOptimizer
from nnlite.parameters import Parameter, describe

#: Group keys that are not hyperparameters
GROUP_BOOKKEEPING = ("params", "param_names", "initial_lr")


class Optimizer:
    """Base of ``nnlite.optim``'s optimizers; see the module docstring."""

    #: The book-style optimizer whose rule and state this one uses
    rule_class: type[BookOptimizer]
    #: PyTorch's state names, in PyTorch's order: ``(torch name, where)`` with ``where`` one
    #: of ``"step"``, ``"array:<suffix>"`` (``layer.weight_<suffix>``) or ``"scalar:<name>"``
    #: (a number the rule keeps, such as NAdam's ``mu_product``)
    state_keys: tuple[tuple[str, str], ...] = ()
    #: Scalars the rule needs that PyTorch does not keep, with the value they take on load
    scalar_defaults: Mapping[str, Any] = {}

    def __init__(self, params: Iterable[Any], defaults: dict[str, Any]) -> None:
        if isinstance(params, Parameter | np.ndarray):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or "
                f"dicts, but got {_typename(params)}"
            )
        self.defaults = defaults
        self.param_groups: list[dict[str, Any]] = []
        groups = list(params)
        if len(groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)
        # The book-style optimizer that runs the rule (its own hyperparameters are unused:
        # each parameter gets its group's, translated by _rule_arguments)
        self.rule = self.rule_class(**self._rule_arguments(self.param_groups[0]))
        self._settings: dict[int, tuple[tuple, dict[str, Any]]] = {}
        self._start_without_state()

    # ------------------------------------------------------------------ what a subclass says

    def _rule_arguments(self, group: Mapping[str, Any]) -> dict[str, Any]:
        """The book-style optimizer's constructor arguments for this group's hyperparameters."""
        raise NotImplementedError

    # ------------------------------------------------------------------ param groups

    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with hyperparameters of its own (PyTorch's rules: the
        defaults fill what the group leaves out; a parameter may be in one group only)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Parameter):
            param_group["params"] = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the "
                "ordering of tensors in sets will change between runs. Please use a list instead."
            )
        else:
            param_group["params"] = list(params)

        tensors, names = [], []
        for param in param_group["params"]:
            if isinstance(param, tuple):
                names.append(param[0])
                tensors.append(param[1])
            else:
                tensors.append(param)
        param_group["params"] = tensors
        if names:
            if len(names) != len(tensors):
                raise ValueError(
                    "all optimizer params should be with/without names. Some param names are "
                    "missing"
                )
            param_group["param_names"] = names

        for param in param_group["params"]:
            if not isinstance(param, Parameter):
                raise TypeError(
                    "optimizer can only optimize Tensors, but one of the params is "
                    f"{_typename(param)} (nnlite: pass layer.parameters() or model.parameters())"
                )
        self._check_group(param_group)
        for name, default in self.defaults.items():
            param_group.setdefault(name, default)

        params = param_group["params"]
        if len(params) != len(set(params)):
            warnings.warn(
                "optimizer contains a parameter group with duplicate parameters; in future, "
                "this will cause an error; see github.com/pytorch/pytorch/issues/40967 for more "
                "information",
                stacklevel=3,
            )
        seen: set[Parameter] = set()
        for group in self.param_groups:
            seen.update(group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                which = "with names" if "param_names" in param_group else "without names"
                raise ValueError(
                    "all optimizer param groups should be with/without names. "
                    f"cannot add param group {which} to the optimizer"
                )
        if not seen.isdisjoint(params):
            raise ValueError("some parameters appear in more than one parameter group")
        self.param_groups.append(param_group)

    def _start_without_state(self) -> None:
        """A new optimizer starts with no state, as in PyTorch: clear the state another
        optimizer of this rule left on the layers (``load_state_dict`` carries state over)."""
        state = self.state
        for param in self._parameters():
            state.clear_parameter(param)

    def _check_group(self, param_group: Mapping[str, Any]) -> None:
        """Extra checks of a group's parameters (Muon's 2-D, L-BFGS's one group)."""

    # ------------------------------------------------------------------ a step

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Clear every parameter's gradient: ``None`` (the default, as PyTorch), or zeros."""
        for group in self.param_groups:
            for param in group["params"]:
                gradient = param.grad
                if gradient is None:
                    continue
                if set_to_none:
                    param.grad = None
                elif getattr(gradient, "is_sparse", False):
                    gradient.values.fill(0)
                else:
                    gradient.fill(0)

    def step(self, closure: Callable[[], Any] | None = None) -> Any:
        """One update of every parameter that has a gradient; returns ``closure()``'s loss.

        ``closure``, if given, runs first (forward and backward, returning the loss), as in
        PyTorch. Every parameter is checked before any changes.
        """
        loss = None
        if closure is not None:
            loss = closure()
        self._update(None)
        return loss

    def accumulate_gradients(self, enabled: bool = True) -> None:
        """PyTorch's gradient behaviour: from now on each ``backward()`` of these parameters'
        layers *adds* to their gradients, until ``zero_grad()`` clears them (``enabled=False``
        goes back to the book's: each ``backward()`` replaces them)."""
        for layer in self._layers():
            layer.accumulate_gradients = bool(enabled)

    def _update(self, only: object | None) -> None:
        """Update the parameters with gradients (of layer ``only``, if given), layer by layer,
        through the book optimizer's ``update_layer_parameters``."""
        by_layer: dict[int, tuple[object, list]] = {}
        for index, group in enumerate(self.param_groups):
            settings = self._settings_for(index, group)
            for param in group["params"]:
                if only is not None and param.layer is not only:
                    continue
                if not param.requires_grad or param.grad is None:
                    continue
                chosen = by_layer.setdefault(id(param.layer), (param.layer, []))[1]
                chosen.append((param.spec, settings, group["lr"]))
        # Check every parameter first, so that an error leaves every layer as it was
        for layer, chosen in by_layer.values():
            for spec, _, _ in chosen:
                self.rule._weights_and_gradient(layer, spec, _StepCall(self, layer))
        for layer, chosen in by_layer.values():
            self.rule.update_layer_parameters(layer, chosen)

    def _settings_for(self, index: int, group: Mapping[str, Any]) -> dict[str, Any]:
        """The book-style hyperparameters of a group, remade only when the group changes (the
        same dict while it does not, so that the prepared updates are reused)."""
        arguments = self._rule_arguments(group)
        key = tuple((name, type(value), _hashable(value)) for name, value in arguments.items())
        cached = self._settings.get(index)
        if cached is None or cached[0] != key:
            # Made by the book-style class, so its checks (and messages) apply to the group
            settings = dict(self.rule_class(**arguments)._default_settings())
            cached = (key, settings)
            self._settings[index] = cached
        return cached[1]

    def _parameters(self) -> list[Parameter]:
        return [param for group in self.param_groups for param in group["params"]]

    def _layers(self) -> list[object]:
        layers: dict[int, object] = {}
        for param in self._parameters():
            layers.setdefault(id(param.layer), param.layer)
        return list(layers.values())

    # ------------------------------------------------------------------ the book's hooks

    @property
    def current_learning_rate(self) -> float:
        """The learning rate of the first group (what ``Model`` reports)."""
        return self.param_groups[0]["lr"]

    def pre_update_params(self) -> None:
        """Nothing: the learning rate is the group's ``"lr"`` (a scheduler sets it)."""

    def update_params(self, layer: object) -> None:
        """Update ``layer``'s parameters that are in this optimizer's groups (the book's hook,
        so that ``Model`` can train with this optimizer)."""
        self._update(layer)

    def post_update_params(self) -> None:
        """Nothing: each parameter counts its own steps (``state[p]["step"]``)."""

    # ------------------------------------------------------------------ state

    @property
    def state(self) -> _State:
        """Per parameter, its state under PyTorch's names: the arrays on the layer itself."""
        return _State(self)

    def state_dict(self) -> dict[str, Any]:
        """PyTorch's layout: ``{"state": {0: {"step": ..., "exp_avg": ...}, ...},
        "param_groups": [{"lr": ..., ..., "params": [0, 1]}, ...]}``, parameters numbered in
        group order; arrays and numbers are copies."""
        numbers: dict[Parameter, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {key: copy.deepcopy(value) for key, value in group.items() if key != "params"}
            packed["params"] = [
                numbers.setdefault(param, len(numbers)) for param in group["params"]
            ]
            groups.append(packed)
        state = {}
        for param, number in numbers.items():
            values = self.state.get(param)
            if values:
                state[number] = {key: _copied(value) for key, value in values.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore a ``state_dict`` (this optimizer's, or a PyTorch one's with NumPy arrays),
        checking the groups, and every array's shape, before anything changes."""
        for key in ("state", "param_groups"):
            if key not in state_dict:
                raise ValueError(f"{type(self).__name__}.load_state_dict: no {key!r} entry")
        saved_groups = copy.deepcopy(list(state_dict["param_groups"]))
        if len(saved_groups) != len(self.param_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        if any(
            len(saved["params"]) != len(group["params"])
            for saved, group in zip(saved_groups, self.param_groups, strict=True)
        ):
            raise ValueError(
                "loaded state dict contains a parameter group that doesn't match the size of "
                "optimizer's group"
            )
        by_number = {
            number: param
            for saved, group in zip(saved_groups, self.param_groups, strict=True)
            for number, param in zip(saved["params"], group["params"], strict=True)
        }
        known = {name for name, _ in self.state_keys}
        checked = {}
        for number, values in state_dict["state"].items():
            param = by_number.get(int(number))
            if param is None:
                raise ValueError(
                    f"{type(self).__name__}.load_state_dict: state for parameter {number}, "
                    f"which no group lists"
                )
            unknown = sorted(set(values) - known)
            if unknown:
                raise ValueError(
                    f"{type(self).__name__}.load_state_dict: parameter {number} "
                    f"({param.name}) has state {unknown}; {type(self).__name__} keeps "
                    f"{sorted(known)}"
                )
            checked[param] = {key: _checked_value(self, param, key, value, number)
                              for key, value in values.items()}  # fmt: skip
        for saved in saved_groups:
            for key in self.defaults:
                if key not in saved:
                    raise ValueError(
                        f"{type(self).__name__}.load_state_dict: a parameter group has no {key!r}"
                    )
        # Check the groups' hyperparameters with the book-style class's checks
        for saved in saved_groups:
            self.rule_class(**self._rule_arguments(saved))

        # Everything fits: restore
        for saved, group in zip(saved_groups, self.param_groups, strict=True):
            saved["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
        self.param_groups = saved_groups
        self._settings = {}
        state = self.state
        for param in self._parameters():
            state.clear_parameter(param)
        for param, values in checked.items():
            state[param].update(values)

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for index, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {index}")
            for key in sorted(group):
                if key != "params":
                    lines.append(f"    {key}: {group[key]}")
        lines.append(")")
        return "\n".join(lines)


class _State(Mapping):
    """``optimizer.state``: the parameters that have state, each with a :class:`_ParameterState`.

    Like PyTorch's ``defaultdict(dict)``, ``state[p]`` of a parameter without state is an empty
    (writable) view.
    """

    def __init__(self, optimizer: Optimizer) -> None:
        self.optimizer = optimizer

    def __getitem__(self, param: Parameter) -> _ParameterState:
        if not isinstance(param, Parameter):
            raise KeyError(param)
        return _ParameterState(self.optimizer, param)

    def __iter__(self) -> Iterator[Parameter]:
        return (param for param in self.optimizer._parameters() if len(self[param]))

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def clear_parameter(self, param: Parameter) -> None:
        """Forget the parameter's state (its arrays on the layer, its step count)."""
        record = _record(self.optimizer, param, create=False)
        if record is None:
            return
        for _, where in self.optimizer.state_keys:
            if where.startswith("array:"):
                attribute = state_attribute(param.spec, where[len("array:") :])
                if attribute in record.state_attributes and hasattr(param.layer, attribute):
                    delattr(param.layer, attribute)
        record.steps.pop(param.spec.name, None)
        record.extras.pop(param.spec.name, None)
        record.plans.pop(param.spec.name, None)

    def __repr__(self) -> str:
        return repr({param: dict(values) for param, values in self.items()})


class _ParameterState(MutableMapping):
    """``optimizer.state[p]``: PyTorch's names for the state of ``p`` kept by the book's rule
    (``"exp_avg"`` is ``layer.weight_momentums`` itself). Writing sets the layer's."""

    def __init__(self, optimizer: Optimizer, param: Parameter) -> None:
        self.optimizer = optimizer
        self.param = param

    def _where(self, key: str) -> str:
        for name, where in self.optimizer.state_keys:
            if name == key:
                return where
        raise KeyError(key)

    def __getitem__(self, key: str) -> Any:
        where = self._where(key)
        record = _record(self.optimizer, self.param, create=False)
        name = self.param.spec.name
        if record is not None:
            if where == "step" and record.steps.get(name, 0) > 0:
                return np.float64(record.steps[name])
            if where.startswith("array:"):
                attribute = state_attribute(self.param.spec, where[len("array:") :])
                value = getattr(self.param.layer, attribute, None)
                if attribute in record.state_attributes and isinstance(value, np.ndarray):
                    return value
            if where.startswith("scalar:"):
                scalars = record.extras.get(name, {})
                if where[len("scalar:") :] in scalars:
                    return scalars[where[len("scalar:") :]]
        raise KeyError(key)

    def __setitem__(self, key: str, value: Any) -> None:
        where = self._where(key)
        record = _record(self.optimizer, self.param, create=True)
        name = self.param.spec.name
        if where == "step":
            record.steps[name] = int(value)
        elif where.startswith("array:"):
            attribute = state_attribute(self.param.spec, where[len("array:") :])
            setattr(self.param.layer, attribute, np.array(value, copy=True))
            if attribute not in record.state_attributes:
                record.state_attributes.append(attribute)
        else:
            scalars = record.extras.setdefault(name, {})
            scalars[where[len("scalar:") :]] = _copied(value)
            for default_name, default in self.optimizer.scalar_defaults.items():
                scalars.setdefault(default_name, default)
        if where != "step" and record.steps.get(name, 0) == 0:
            # PyTorch's SGD keeps no step count; a momentum buffer means steps were taken
            record.steps[name] = 1
        record.plans.pop(name, None)

    def __delitem__(self, key: str) -> None:
        raise TypeError("remove a parameter's state with optimizer.load_state_dict instead")

    def __iter__(self) -> Iterator[str]:
        for name, _ in self.optimizer.state_keys:
            try:
                self[name]
            except KeyError:
                continue
            yield name

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def __repr__(self) -> str:
        return repr(dict(self))


def _record(optimizer: Optimizer, param: Parameter, *, create: bool) -> OptimizerRecord | None:
    """The layer's record of the rule's kind (made if ``create``; another kind's is replaced,
    with the book's warning)."""
    kind = optimizer.rule_class.__name__
    record = getattr(param.layer, "optimizer_state", None)
    if isinstance(record, OptimizerRecord) and record.kind == kind:
        return record
    if not create:
        return None
    fresh = OptimizerRecord(kind=kind)
    if isinstance(record, OptimizerRecord):
        warnings.warn(
            f"{type(optimizer).__name__}: {describe(param.layer)} was trained by {record.kind}, "
            f"whose state is discarded",
            UserWarning,
            stacklevel=4,
        )
        for name in record.state_attributes:
            if hasattr(param.layer, name):
                delattr(param.layer, name)
    param.layer.optimizer_state = fresh
    return fresh


def _checked_value(
    optimizer: Optimizer, param: Parameter, key: str, value: Any, number: Any
) -> Any:
    """A loaded state value, checked against the parameter (arrays of its shape)."""
    where = dict(optimizer.state_keys)[key]
    if where.startswith("array:"):
        array = np.asarray(value)
        if array.shape != param.shape:
            raise ValueError(
                f"{type(optimizer).__name__}.load_state_dict: state {key!r} of parameter "
                f"{number} ({param.name}) has shape {array.shape}, but the parameter has shape "
                f"{param.shape}"
            )
        return array
    return value


def _copied(value: Any) -> Any:
    if isinstance(value, np.ndarray):
        return np.array(value, copy=True)
    return copy.deepcopy(value)


def _hashable(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_hashable(item) for item in value)
    if isinstance(value, tuple):
        return tuple(_hashable(item) for item in value)
    return value


def _typename(value: object) -> str:
    kind = type(value)
    return kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__}.{kind.__name__}"


class _StepCall:
    """``Adam.step: Layer_Dense 'dense1'``, formatted only when printed."""

    __slots__ = ("layer", "optimizer")

    def __init__(self, optimizer: Optimizer, layer: object) -> None:
        self.optimizer = optimizer
        self.layer = layer

    def __str__(self) -> str:
        return f"{type(self.optimizer).__name__}.step ({describe(self.layer)})"
