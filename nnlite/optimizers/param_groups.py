"""Param groups: some layers or parameters with hyperparameters of their own.

As PyTorch's ``param_groups``: group 0 holds the optimizer's own hyperparameters, and each
group added with ``optimizer.add_param_group({...})`` selects layers (``"layers"``) and
parameter names (``"parameters"``) and overrides group 0 for the keys it gives::

    optimizer.add_param_group({"layers": [dense2], "learning_rate": 1e-4})
    optimizer.add_param_group({"parameters": ["biases"], "weight_decay": 0.0})

The last added group that selects a parameter applies to it.
"""

from __future__ import annotations

from collections.abc import Iterator, MutableMapping
from typing import Any

from nnlite.parameters import ParameterSpec

GROUP_SELECTORS = ("layers", "parameters")


def group_of(groups: list[dict[str, Any]], layer: object, parameter: ParameterSpec) -> dict | None:
    """The last added group that selects this parameter of ``layer``, if any."""
    for group in reversed(groups):
        layers = group.get("layers")
        names = group.get("parameters")
        if layers is not None and not any(layer is chosen for chosen in layers):
            continue
        if names is not None and parameter.name not in names:
            continue
        return group
    return None


def settings_for(
    optimizer: Any, layer: object, parameter: ParameterSpec, defaults: dict[str, Any]
) -> tuple[dict[str, Any], float]:
    """The hyperparameters of one parameter and its learning rate at this step."""
    groups = optimizer.added_groups
    group = group_of(groups, layer, parameter) if groups else None
    if group is None:
        return defaults, optimizer.current_learning_rate
    settings = {**defaults, **group}
    if "learning_rate" in group:
        # A group's own rate follows the same decay or schedule as the optimizer's
        return settings, group["learning_rate"] * optimizer.learning_rate_factor
    return settings, optimizer.current_learning_rate


class DefaultGroup(MutableMapping):
    """Group 0: a dict view of the optimizer's own hyperparameter attributes."""

    def __init__(self, optimizer: Any) -> None:
        self.optimizer = optimizer

    def __getitem__(self, key: str) -> Any:
        if key not in self.optimizer.hyperparameter_names:
            raise KeyError(key)
        return getattr(self.optimizer, key)

    def __setitem__(self, key: str, value: Any) -> None:
        if key not in self.optimizer.hyperparameter_names:
            raise KeyError(f"{type(self.optimizer).__name__} has no hyperparameter {key!r}")
        setattr(self.optimizer, key, value)
        if key == "learning_rate" and not self.optimizer.decay and self.optimizer.schedule is None:
            self.optimizer.current_learning_rate = value

    def __delitem__(self, key: str) -> None:
        raise TypeError("hyperparameters of group 0 cannot be removed")

    def __iter__(self) -> Iterator[str]:
        return iter(self.optimizer.hyperparameter_names)

    def __len__(self) -> int:
        return len(self.optimizer.hyperparameter_names)

    def __repr__(self) -> str:
        return repr(dict(self))


class MergedGroup(MutableMapping):
    """An explicit group: its own settings over group 0's; writing sets its own."""

    def __init__(self, own: dict[str, Any], defaults: DefaultGroup) -> None:
        self.own = own
        self.defaults = defaults

    def __getitem__(self, key: str) -> Any:
        if key in self.own:
            return self.own[key]
        return self.defaults[key]

    def __setitem__(self, key: str, value: Any) -> None:
        if key not in self.defaults and key not in GROUP_SELECTORS:
            raise KeyError(f"no hyperparameter {key!r}")
        if key not in GROUP_SELECTORS:
            # Checked by the constructor's own checks, as add_param_group does
            self.defaults.optimizer._check_group_settings({**self.own, key: value})
        self.own[key] = value

    def __delitem__(self, key: str) -> None:
        del self.own[key]

    def __iter__(self) -> Iterator[str]:
        yield from (key for key in GROUP_SELECTORS if key in self.own)
        yield from self.defaults

    def __len__(self) -> int:
        return len(list(iter(self)))

    def __repr__(self) -> str:
        return repr(dict(self))
