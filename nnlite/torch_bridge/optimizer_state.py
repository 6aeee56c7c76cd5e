"""An optimizer's state, across the PyTorch bridge: nnlite → torch.optim and back.

``to_torch(model, optimizer)`` and ``from_torch(module, torch_optimizer)`` (``networks.py``)
call these. The optimizer's hyperparameters become the other side's (PyTorch's names on both,
since ``nnlite.optim`` takes PyTorch's arguments), and its state is converted entry by entry:

* an array shaped like its parameter follows the parameter: nnlite's dense weights are the
  transpose of torch's (``exp_avg`` of the weights is transposed too), and nnlite's biases,
  ``(1, n)``, are torch's ``(n,)``;
* a count or a scalar (``step``, NAdam's ``mu_product``, ASGD's ``eta``) becomes a 0-d tensor,
  in the scalar dtype torch uses (float64 when the default dtype is float64, else float32);
* Adafactor's factored moments swap with the transpose (nnlite's row average of the weights
  is torch's column average); a bias, 1-D in torch, keeps one unfactored ``variance``, which
  is nnlite's column average of its single row;
* L-BFGS's history vectors hold every parameter in one vector; their elements are reordered
  as the parameters are transposed.

A book-style optimizer (``Optimizer_Adam`` ...) crosses as the ``nnlite.optim`` optimizer with
the same hyperparameters, which sees the same state on the layers. What torch.optim has no
counterpart for is refused with a message: the book's ``decay`` and schedules (use a
``torch.optim.lr_scheduler``), ``l1_decay``, clipping, and Lion, Muon (PyTorch's runs in
bfloat16, on torch's orientation of the matrix) and SparseAdam (embeddings do not cross the
bridge). The book's param groups (``add_param_group({"layers": [...], ...})``) become
PyTorch's: group 0, then one group per added group that selects a parameter.

torch is imported inside the functions: nnlite itself does not need it.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np

import nnlite.optim as optim
from nnlite.layers import Layer_Dense
from nnlite.optimizers import (
    Optimizer,
    Optimizer_Adadelta,
    Optimizer_Adafactor,
    Optimizer_Adagrad,
    Optimizer_Adam,
    Optimizer_Adamax,
    Optimizer_AdamW,
    Optimizer_ASGD,
    Optimizer_LBFGS,
    Optimizer_NAdam,
    Optimizer_RAdam,
    Optimizer_RMSprop,
    Optimizer_Rprop,
    Optimizer_SGD,
    param_groups,
)
from nnlite.parameters import Parameter

if TYPE_CHECKING:
    import torch

# ---------------------------------------------------------------------- book-style → nnlite.optim


def _betas(book: Any) -> tuple[float, float]:
    return (book.beta_1, book.beta_2)


#: For each book-style class, the nnlite.optim class and its arguments from the book's
#: hyperparameters
FACES: dict[type, tuple[type, Callable[[Any], dict[str, Any]]]] = {
    Optimizer_SGD: (optim.SGD, lambda b: dict(
        lr=b.learning_rate, momentum=b.momentum, dampening=b.dampening,
        weight_decay=b.weight_decay, nesterov=b.nesterov, maximize=b.maximize)),
    Optimizer_Adagrad: (optim.Adagrad, lambda b: dict(
        lr=b.learning_rate, lr_decay=b.lr_decay, weight_decay=b.weight_decay,
        initial_accumulator_value=b.initial_accumulator_value, eps=b.epsilon,
        maximize=b.maximize)),
    Optimizer_RMSprop: (optim.RMSprop, lambda b: dict(
        lr=b.learning_rate, alpha=b.rho, eps=b.epsilon, weight_decay=b.weight_decay,
        momentum=b.momentum, centered=b.centered, maximize=b.maximize)),
    Optimizer_Adadelta: (optim.Adadelta, lambda b: dict(
        lr=b.learning_rate, rho=b.rho, eps=b.epsilon, weight_decay=b.weight_decay,
        maximize=b.maximize)),
    Optimizer_Adam: (optim.Adam, lambda b: dict(
        lr=b.learning_rate, betas=_betas(b), eps=b.epsilon, weight_decay=b.weight_decay,
        amsgrad=b.amsgrad, decoupled_weight_decay=b.decoupled_weight_decay,
        maximize=b.maximize)),
    Optimizer_AdamW: (optim.AdamW, lambda b: dict(
        lr=b.learning_rate, betas=_betas(b), eps=b.epsilon, weight_decay=b.weight_decay,
        amsgrad=b.amsgrad, maximize=b.maximize)),
    Optimizer_Adamax: (optim.Adamax, lambda b: dict(
        lr=b.learning_rate, betas=_betas(b), eps=b.epsilon, weight_decay=b.weight_decay,
        maximize=b.maximize)),
    Optimizer_NAdam: (optim.NAdam, lambda b: dict(
        lr=b.learning_rate, betas=_betas(b), eps=b.epsilon, weight_decay=b.weight_decay,
        momentum_decay=b.momentum_decay, decoupled_weight_decay=b.decoupled_weight_decay,
        maximize=b.maximize)),
    Optimizer_RAdam: (optim.RAdam, lambda b: dict(
        lr=b.learning_rate, betas=_betas(b), eps=b.epsilon, weight_decay=b.weight_decay,
        decoupled_weight_decay=b.decoupled_weight_decay, maximize=b.maximize)),
    Optimizer_ASGD: (optim.ASGD, lambda b: dict(
        lr=b.learning_rate, lambd=b.lambd, alpha=b.alpha, t0=b.t0,
        weight_decay=b.weight_decay, maximize=b.maximize)),
    Optimizer_Rprop: (optim.Rprop, lambda b: dict(
        lr=b.learning_rate, etas=b.etas, step_sizes=b.step_sizes, maximize=b.maximize)),
    Optimizer_Adafactor: (optim.Adafactor, lambda b: dict(
        lr=b.learning_rate, beta2_decay=b.beta2_decay, eps=(b.epsilon_1, b.epsilon_2),
        d=b.d, weight_decay=b.weight_decay, maximize=b.maximize)),
    Optimizer_LBFGS: (optim.LBFGS, lambda b: dict(
        lr=b.learning_rate, max_iter=b.max_iter, max_eval=b.max_eval,
        tolerance_grad=b.tolerance_grad, tolerance_change=b.tolerance_change,
        history_size=b.history_size, line_search_fn=b.line_search_fn)),
}  # fmt: skip


def pytorch_face(book: Optimizer, parameters: list[Parameter]) -> optim.Optimizer:
    """The ``nnlite.optim`` optimizer with ``book``'s hyperparameters over ``parameters``; it
    sees the book optimizer's state, which is on the layers (L-BFGS's is handed over)."""
    name = type(book).__name__
    if type(book) not in FACES:
        raise TypeError(f"to_torch: {name} has no torch.optim counterpart")
    if book.decay or book.schedule is not None:
        raise ValueError(
            f"to_torch: {name} decays its learning rate (decay or a schedule), which "
            f"torch.optim keeps in a scheduler; convert it without, and attach a "
            f"torch.optim.lr_scheduler (LambdaLR(opt, lambda k: 1 / (1 + decay·(k + steps))))"
        )
    groups = _book_groups(book, parameters)
    for holder, _ in groups:
        unsupported = [
            option
            for option in ("l1_decay", "clip_value", "clip_norm", "global_clip_norm")
            if getattr(holder, option, None)
        ]
        if isinstance(holder, Optimizer_Rprop) and holder.weight_decay:
            unsupported.append("weight_decay")
        if unsupported:
            raise ValueError(
                f"to_torch: {name} uses {unsupported}, which torch.optim does not have"
            )
    face_class, arguments = FACES[type(book)]
    # A new nnlite.optim optimizer clears the state it finds on the layers; this one must see
    # the book optimizer's, so the layers' records step aside while it is made
    layers = {id(param.layer): param.layer for param in parameters}.values()
    records = {id(layer): layer.__dict__.pop("optimizer_state", None) for layer in layers}
    try:
        torch_groups = [{"params": params, **arguments(holder)} for holder, params in groups]
        face = face_class(torch_groups, **arguments(book))
    finally:
        for layer in layers:
            if records[id(layer)] is not None:
                layer.optimizer_state = records[id(layer)]
    if isinstance(book, Optimizer_LBFGS):
        face.rule.state = book.state
    return face


def _book_groups(book: Optimizer, parameters: list[Parameter]) -> list[tuple[Any, list]]:
    """The book's param groups as PyTorch's: ``(an optimizer with the group's
    hyperparameters, its parameters)``, group 0 first, then the added groups that select
    some parameter (a parameter belongs to the last added group that selects it)."""
    chosen: dict[int, list[Parameter]] = {}
    for param in parameters:
        group = param_groups.group_of(book.added_groups, param.layer, param.spec)
        index = -1
        if group is not None:
            index = next(i for i, added in enumerate(book.added_groups) if added is group)
        chosen.setdefault(index, []).append(param)
    groups = []
    for index in sorted(chosen):
        if index == -1:
            groups.append((book, chosen[index]))
            continue
        settings = {
            key: value
            for key, value in book.added_groups[index].items()
            if key not in param_groups.GROUP_SELECTORS
        }
        groups.append((_with_settings(book, settings), chosen[index]))
    return groups


def _with_settings(book: Optimizer, settings: dict[str, Any]) -> Optimizer:
    """A book optimizer of ``book``'s class with ``settings`` over ``book``'s own values."""
    arguments = {}
    for name, parameter in inspect.signature(type(book).__init__).parameters.items():
        if name == "self" or parameter.kind in (parameter.VAR_POSITIONAL, parameter.VAR_KEYWORD):
            continue
        if name in settings:
            arguments[name] = settings[name]
        elif hasattr(book, name):
            arguments[name] = getattr(book, name)
    return type(book)(**arguments)


# ---------------------------------------------------------------------- the parameters' pairs


def parameter_pairs(model: Any, module: torch.nn.Module) -> list[tuple[Parameter, Any]]:
    """nnlite's Parameter and torch's parameter of each layer, in the model's order.

    ``to_torch`` makes one module per layer and ``from_torch`` one layer per module, in the
    same order, so the layers pair with the modules that are not containers.
    """
    from torch import nn

    modules = [m for m in module.modules() if not isinstance(m, nn.Sequential)]
    if len(modules) != len(model.layers):
        raise ValueError(
            f"the model has {len(model.layers)} layers but the module {len(modules)} modules; "
            f"make one with to_torch(model) or the other with from_torch(module)"
        )
    pairs = []
    for layer, counterpart in zip(model.layers, modules, strict=True):
        tensors = {"weights": getattr(counterpart, "weight", None)}
        tensors["biases"] = getattr(counterpart, "bias", None)
        for param in layer.parameters() if hasattr(layer, "parameters") else ():
            if tensors.get(param.spec.name) is not None:
                pairs.append((param, tensors[param.spec.name]))
    return pairs


def _transposed(param: Parameter) -> bool:
    """A dense layer's weights are the transpose of torch's ``Linear.weight``; a convolution's
    kernel has torch's layout, and rows of one (biases, batch-norm γ and β) are torch's
    vectors."""
    return type(param.layer) is Layer_Dense and param.spec.name == "weights"


def _to_torch_array(param: Parameter, array: np.ndarray) -> np.ndarray:
    """An array shaped like ``param`` in torch's layout."""
    array = np.asarray(array)
    if _transposed(param):
        return array.T.copy()
    return array.reshape(-1).copy() if array.ndim == 2 else array.copy()


def _from_torch_array(param: Parameter, array: np.ndarray) -> np.ndarray:
    array = np.asarray(array)
    if _transposed(param):
        return array.T.copy()
    return array.reshape(1, -1).copy() if array.ndim == 1 else array.copy()


def _scalar_dtype() -> Any:
    import torch

    return torch.float64 if torch.get_default_dtype() == torch.float64 else torch.float32


def _plain(value: Any) -> Any:
    """A torch group value as a Python number (tensors, and tuples of them)."""
    import torch

    if isinstance(value, torch.Tensor):
        return value.item()
    if isinstance(value, tuple):
        return tuple(_plain(item) for item in value)
    return value


# ---------------------------------------------------------------------- nnlite → torch


def torch_optimizer(model: Any, module: Any, optimizer: Any) -> torch.optim.Optimizer:
    """The torch.optim optimizer over ``module``'s parameters with ``optimizer``'s
    hyperparameters and state."""
    import torch

    pairs = parameter_pairs(model, module)
    book_momentum = isinstance(optimizer, Optimizer_SGD) and optimizer.momentum_form == "book"
    if isinstance(optimizer, Optimizer):
        optimizer = pytorch_face(optimizer, [param for param, _ in pairs])
    if not isinstance(optimizer, optim.Optimizer):
        raise TypeError(f"to_torch: expected an nnlite optimizer, got {type(optimizer).__name__}")
    if isinstance(optimizer, optim.Lion | optim.Muon | optim.SparseAdam):
        raise TypeError(
            f"to_torch: nnlite.optim.{type(optimizer).__name__} does not cross to torch.optim "
            f"(see nnlite/torch_bridge/optimizer_state.py)"
        )
    tensor_of = dict(pairs)
    saved = optimizer.state_dict()
    numbered = [param for group in optimizer.param_groups for param in group["params"]]
    groups = []
    for group in optimizer.param_groups:
        missing = [param.name for param in group["params"] if param not in tensor_of]
        if missing:
            raise ValueError(f"to_torch: the optimizer has parameters {missing} not in the model")
        torch_group = {key: value for key, value in group.items() if key != "params"}
        torch_group["params"] = [tensor_of[param] for param in group["params"]]
        groups.append(torch_group)
    torch_class = getattr(torch.optim, type(optimizer).__name__)
    accepted = inspect.signature(torch_class).parameters
    defaults = {key: value for key, value in optimizer.defaults.items() if key in accepted}
    theirs = torch_class(groups, **defaults)

    state = {}
    for number, values in saved["state"].items():
        param = numbered[number]
        if isinstance(optimizer, optim.LBFGS):
            state[number] = _lbfgs_to_torch(values, [p for p, _ in pairs if p in tensor_of])
        else:
            state[number] = {
                key: _state_to_torch(param, key, value, values) for key, value in values.items()
            }
            if book_momentum and "momentum_buffer" in values:
                # The book's velocity holds -lr·b (the learning rate inside): b = -v / lr
                lr = next(g["lr"] for g in saved["param_groups"] if number in g["params"])
                state[number]["momentum_buffer"] = state[number]["momentum_buffer"] / -lr
    if isinstance(optimizer, optim.Adafactor):
        state = {number: _adafactor_to_torch(numbered[number], values, saved["state"][number])
                 for number, values in state.items()}  # fmt: skip
    theirs.load_state_dict({"state": state, "param_groups": saved["param_groups"]})
    return theirs


def _state_to_torch(param: Parameter, key: str, value: Any, values: dict) -> Any:
    import torch

    if isinstance(value, np.ndarray) and value.shape == tuple(param.shape):
        return torch.from_numpy(_to_torch_array(param, value))
    if isinstance(value, np.ndarray) and value.ndim > 0:
        return torch.from_numpy(np.array(value, copy=True))  # Adafactor's: see below
    return torch.tensor(float(value), dtype=_scalar_dtype())


def _adafactor_to_torch(param: Parameter, values: dict, ours: dict) -> dict:
    """Adafactor's factored moments in torch's orientation."""
    import torch

    converted = {key: value for key, value in values.items() if key == "step"}
    if "row_var" not in ours:
        return values
    if _transposed(param):
        # torch's weight is nnlite's transposed: its rows are nnlite's columns
        converted["row_var"] = torch.from_numpy(np.array(ours["col_var"]).T.copy())
        converted["col_var"] = torch.from_numpy(np.array(ours["row_var"]).T.copy())
    elif np.ndim(param.data) > 2:
        # A kernel has torch's layout: its factors are torch's
        return values
    else:
        # A (1, n) bias is a vector in torch: the column average of its one row
        converted["variance"] = torch.from_numpy(np.array(ours["col_var"]).reshape(-1).copy())
    return converted


def _flat_order(params: list[Parameter]) -> np.ndarray:
    """Where each element of torch's flat vector sits in nnlite's (L-BFGS's history)."""
    pieces, offset = [], 0
    for param in params:
        size = int(np.prod(param.shape))
        indices = np.arange(offset, offset + size).reshape(param.shape)
        pieces.append(_to_torch_array(param, indices).reshape(-1))
        offset += size
    return np.concatenate(pieces)


def _lbfgs_to_torch(values: dict, params: list[Parameter]) -> dict:
    import torch

    order = _flat_order(params)

    def vector(array: np.ndarray) -> torch.Tensor:
        return torch.from_numpy(np.asarray(array)[order].copy())

    return {
        "func_evals": int(values["func_evals"]),
        "n_iter": int(values["n_iter"]),
        "d": vector(values["d"]),
        "t": float(values["t"]),
        "old_dirs": [vector(y) for y in values["old_dirs"]],
        "old_stps": [vector(s) for s in values["old_stps"]],
        "ro": [torch.tensor(float(rho), dtype=torch.float64) for rho in values["ro"]],
        "H_diag": torch.tensor(float(values["H_diag"]), dtype=torch.float64),
        "prev_flat_grad": vector(values["prev_flat_grad"]),
        "prev_loss": values["prev_loss"],
    }


# ---------------------------------------------------------------------- torch → nnlite


def nnlite_optimizer(model: Any, module: Any, theirs: Any) -> optim.Optimizer:
    """The ``nnlite.optim`` optimizer over ``model``'s parameters with the hyperparameters
    and state of ``theirs``, a torch.optim optimizer over ``module``'s."""
    name = type(theirs).__name__
    face_class = getattr(optim, name, None)
    if face_class is None or name in ("Muon", "SparseAdam", "Lion", "Optimizer"):
        raise TypeError(f"from_torch: torch.optim.{name} does not cross to nnlite.optim")
    pairs = parameter_pairs(model, module)
    ours_of = {id(tensor): param for param, tensor in pairs}
    groups = []
    for group in theirs.param_groups:
        missing = [tuple(t.shape) for t in group["params"] if id(t) not in ours_of]
        if missing:
            raise ValueError(
                f"from_torch: the optimizer has parameters of shapes {missing} that are not "
                f"the module's parameters"
            )
        ours_group = {key: _plain(value) for key, value in group.items() if key != "params"}
        ours_group["params"] = [ours_of[id(tensor)] for tensor in group["params"]]
        groups.append(ours_group)
    accepted = inspect.signature(face_class).parameters
    defaults = {k: _plain(v) for k, v in theirs.defaults.items() if k in accepted and k != "params"}
    ours = face_class(groups, **defaults)

    saved = theirs.state_dict()
    numbered = [param for group in ours.param_groups for param in group["params"]]
    state = {}
    for number, values in saved["state"].items():
        param = numbered[number]
        if isinstance(ours, optim.LBFGS):
            state[number] = _lbfgs_from_torch(values, numbered)
        elif isinstance(ours, optim.Adafactor):
            state[number] = _adafactor_from_torch(param, values)
        else:
            state[number] = {key: _state_from_torch(param, value) for key, value in values.items()}
    param_groups = [
        {key: _plain(value) for key, value in group.items()} for group in saved["param_groups"]
    ]
    ours.load_state_dict({"state": state, "param_groups": param_groups})
    return ours


def _state_from_torch(param: Parameter, value: Any) -> Any:
    import torch

    if isinstance(value, torch.Tensor) and value.ndim > 0:
        return _from_torch_array(param, value.detach().cpu().numpy())
    return np.float64(_plain(value))


def _adafactor_from_torch(param: Parameter, values: dict) -> dict:
    converted: dict[str, Any] = {"step": np.float64(_plain(values["step"]))}
    if "row_var" in values and not _transposed(param):
        converted["row_var"] = values["row_var"].detach().cpu().numpy().copy()
        converted["col_var"] = values["col_var"].detach().cpu().numpy().copy()
    elif "row_var" in values:
        converted["row_var"] = values["col_var"].detach().cpu().numpy().T.copy()
        converted["col_var"] = values["row_var"].detach().cpu().numpy().T.copy()
    elif "variance" in values:
        variance = values["variance"].detach().cpu().numpy()
        if param.spec.name == "weights":
            raise ValueError("from_torch: Adafactor kept an unfactored variance for a matrix")
        # nnlite factors a (1, n) bias: its one row's average and its columns
        converted["col_var"] = variance.reshape(1, -1).copy()
        converted["row_var"] = np.full((1, 1), variance.mean(), dtype=variance.dtype)
    return converted


def _lbfgs_from_torch(values: dict, params: list[Parameter]) -> dict:
    order = _flat_order(params)

    def vector(tensor: Any) -> np.ndarray:
        flat = np.empty(order.size, dtype=np.float64)
        flat[order] = tensor.detach().cpu().numpy()
        return flat

    return {
        "func_evals": int(values["func_evals"]),
        "n_iter": int(values["n_iter"]),
        "d": vector(values["d"]),
        "t": float(_plain(values["t"])),
        "old_dirs": [vector(y) for y in values["old_dirs"]],
        "old_stps": [vector(s) for s in values["old_stps"]],
        "ro": [float(_plain(rho)) for rho in values["ro"]],
        "H_diag": float(_plain(values["H_diag"])),
        "prev_flat_grad": vector(values["prev_flat_grad"]),
        "prev_loss": None if values.get("prev_loss") is None else float(values["prev_loss"]),
    }
