"""Optimizer state files: an ``nnlite.optim`` optimizer's ``state_dict()``, without pickle.

PyTorch users write ``torch.save(optimizer.state_dict(), path)``, a pickle. nnlite writes the
same dict as an ``.npz`` archive (format ``nnlite-optimizer``, version 1) with the machinery
of ``array_files.py``: the structure as JSON in the entry ``description``, every array and
NumPy scalar in an entry of its own, written atomically, read with ``allow_pickle=False``::

    save_optimizer_state("adam.npz", optimizer)
    load_optimizer_state("adam.npz", optimizer)   # an optimizer of the same class and groups

The description is ``{"optimizer": "Adam", "state_dict": {"state": {"0": {...}, ...},
"param_groups": [...]}}`` (JSON keys are strings: the parameter numbers are written as
``"0"``, ``"1"``, ... and read back as numbers; tuples such as ``betas`` come back as
tuples). Loading checks the class, then hands the dict to ``optimizer.load_state_dict``,
which checks every group and array before it changes anything.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from nnlite.files import array_files
from nnlite.optim.optimizer import Optimizer

FORMAT = "nnlite-optimizer"
VERSION = 1
DESCRIPTION = "description"


def save_optimizer_state(path: str | os.PathLike, optimizer: Optimizer) -> None:
    """Write ``optimizer.state_dict()`` to ``path`` (an ``.npz`` file, atomically)."""
    _check_optimizer("save_optimizer_state", optimizer)
    tree = {"optimizer": type(optimizer).__name__, "state_dict": state_tree(optimizer)}
    try:
        text, arrays = array_files.pack(tree)
    except TypeError as error:
        raise TypeError(f"save_optimizer_state: {error}") from None
    array_files.write_atomically(
        path,
        {
            "nnlite_format": np.array(FORMAT),
            "nnlite_version": np.array(VERSION),
            DESCRIPTION: np.array(text),
            **arrays,
        },
    )


def load_optimizer_state(path: str | os.PathLike, optimizer: Optimizer) -> None:
    """Read a file of :func:`save_optimizer_state` into ``optimizer`` (same class and
    groups), or change nothing and say why."""
    _check_optimizer("load_optimizer_state", optimizer)
    path = os.fspath(path)
    _, arrays = array_files.read_arrays(
        path,
        formats={FORMAT: VERSION},
        reader="load_optimizer_state",
        if_pickle="If it is a torch.save() file, load it with torch and pass its dict to "
        "optimizer.load_state_dict (as NumPy arrays).",
    )
    text = arrays.pop(DESCRIPTION, None)
    if text is None or text.shape != () or text.dtype.kind != "U":
        raise ValueError(f"{path!r} has no {DESCRIPTION!r} entry (a JSON string)")
    tree = array_files.unpack(str(text), arrays, path=path, entry=DESCRIPTION)
    saved_by = tree.get("optimizer")
    if saved_by != type(optimizer).__name__:
        raise ValueError(
            f"{path!r} holds the state of {saved_by}, not of {type(optimizer).__name__}; its "
            f"state would mean something else here"
        )
    optimizer.load_state_dict(state_dict_from_tree(tree.get("state_dict"), optimizer, path))


def state_tree(optimizer: Optimizer) -> dict[str, Any]:
    """``optimizer.state_dict()`` as a tree a file can hold (string keys, params apart)."""
    state_dict = optimizer.state_dict()
    return {
        "state": {str(number): values for number, values in state_dict["state"].items()},
        "param_groups": [_without_params(group) for group in state_dict["param_groups"]],
        "params": [group["params"] for group in state_dict["param_groups"]],
    }


def state_dict_from_tree(saved: Any, optimizer: Optimizer, path: str) -> dict[str, Any]:
    """The ``state_dict`` of a tree made by :func:`state_tree`, for ``optimizer``'s class."""
    if not isinstance(saved, dict) or not {"state", "param_groups", "params"} <= set(saved):
        raise ValueError(f"{path!r}: the description has no state_dict with state and groups")
    groups = []
    for group, params in zip(saved["param_groups"], saved["params"], strict=False):
        restored = {key: _as_tuple_like(optimizer, key, value) for key, value in group.items()}
        restored["params"] = params
        groups.append(restored)
    if len(saved["params"]) != len(saved["param_groups"]):
        raise ValueError(f"{path!r}: the groups and their parameter lists do not match")
    try:
        state = {int(number): values for number, values in saved["state"].items()}
    except ValueError:
        raise ValueError(f"{path!r}: the state is not keyed by parameter numbers") from None
    return {"state": state, "param_groups": groups}


def _check_optimizer(where: str, optimizer: object) -> None:
    if not isinstance(optimizer, Optimizer):
        raise TypeError(
            f"{where}: expected an nnlite.optim optimizer (PyTorch's face), got "
            f"{type(optimizer).__name__}; a book-style optimizer's state is saved with the "
            f"model by save_checkpoint(path, model, ...)"
        )


def _without_params(group: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in group.items() if key != "params"}


def _as_tuple_like(optimizer: Optimizer, key: str, value: Any) -> Any:
    """JSON writes tuples as lists: give back a tuple where the optimizer keeps one."""
    if isinstance(value, list) and isinstance(optimizer.defaults.get(key), tuple):
        return tuple(value)
    return value
