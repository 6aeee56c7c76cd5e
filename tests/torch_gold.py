"""The same computations written a second time, in PyTorch float64: the gold for parity tests.

Each ``torch_*`` function takes NumPy arrays, runs the computation with torch autograd and
returns NumPy arrays under the names nnlite uses (numpy-ml's ``tests/nn_torch_models.py``
style): ``output``, ``loss``, ``penalty``, ``dweights``, ``dbiases``, ``dinputs``. For a layer
or activation the gradients are those of ``Σ output · dvalues`` (plus the regularization
penalty), so that ``dinputs`` is what nnlite's ``backward(dvalues)`` must return. For a loss
they are those of the mean loss. :func:`assert_matches_torch` compares every name both sides
have and, on the first disagreement, prints ours and theirs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import torch

PARITY_TOLERANCE = 1e-12


def _tensor(values: np.ndarray, *, requires_grad: bool = False) -> torch.Tensor:
    return torch.tensor(np.asarray(values, dtype=np.float64), requires_grad=requires_grad)


def _numpy(tensor: torch.Tensor) -> np.ndarray:
    return tensor.detach().numpy().copy()


def torch_dense(
    inputs: np.ndarray,
    weights: np.ndarray,
    biases: np.ndarray,
    dvalues: np.ndarray,
    *,
    weight_regularizer_l1: float = 0,
    weight_regularizer_l2: float = 0,
    bias_regularizer_l1: float = 0,
    bias_regularizer_l2: float = 0,
) -> dict[str, np.ndarray]:
    """A dense layer ``x·W + b``; its L1/L2 penalties are added to the scalar, as a loss would."""
    x = _tensor(inputs, requires_grad=True)
    w = _tensor(weights, requires_grad=True)
    b = _tensor(biases, requires_grad=True)
    output = x @ w + b
    penalty = (
        weight_regularizer_l1 * w.abs().sum()
        + weight_regularizer_l2 * (w * w).sum()
        + bias_regularizer_l1 * b.abs().sum()
        + bias_regularizer_l2 * (b * b).sum()
    )
    ((output * _tensor(dvalues)).sum() + penalty).backward()
    return {
        "output": _numpy(output),
        "penalty": np.float64(penalty.item()),
        "dweights": _numpy(w.grad),
        "dbiases": _numpy(b.grad),
        "dinputs": _numpy(x.grad),
    }


def torch_linear_without_bias(
    inputs: np.ndarray,
    weights: np.ndarray,
    dvalues: np.ndarray,
    *,
    weight_regularizer_l1: float = 0,
    weight_regularizer_l2: float = 0,
) -> dict[str, np.ndarray]:
    """``nn.Linear(n_inputs, n_neurons, bias=False)``: torch keeps ``weight`` as weightsᵀ."""
    n_inputs, n_neurons = np.shape(weights)
    linear = torch.nn.Linear(n_inputs, n_neurons, bias=False, dtype=torch.float64)
    with torch.no_grad():
        linear.weight.copy_(_tensor(weights).T)
    x = _tensor(inputs, requires_grad=True)
    output = linear(x)
    w = linear.weight
    penalty = weight_regularizer_l1 * w.abs().sum() + weight_regularizer_l2 * (w * w).sum()
    ((output * _tensor(dvalues)).sum() + penalty).backward()
    return {
        "output": _numpy(output),
        "penalty": np.float64(penalty.item()),
        "dweights": _numpy(linear.weight.grad.T),
        "dinputs": _numpy(x.grad),
    }


def torch_batch_normalization(
    inputs: np.ndarray,
    dvalues: np.ndarray,
    *,
    weights: np.ndarray | None,
    biases: np.ndarray | None,
    training: bool,
    earlier_batches: Sequence[np.ndarray] = (),
    momentum: float = 0.1,
    epsilon: float = 1e-5,
) -> dict[str, np.ndarray]:
    """``nn.BatchNorm1d`` (2-D inputs) or ``nn.BatchNorm2d`` (4-D), affine when ``weights``
    (γ) and ``biases`` (β) are given as ``(1, n_features)`` rows.

    The module first runs in training mode on ``earlier_batches`` (moving its running
    statistics), then on ``inputs`` in the mode ``training`` says. The running statistics are
    returned as nnlite's ``(1, n_features)`` rows, after the last forward pass.
    """
    features = np.shape(inputs)[1]
    kind = torch.nn.BatchNorm1d if np.ndim(inputs) == 2 else torch.nn.BatchNorm2d
    affine = weights is not None
    module = kind(features, eps=epsilon, momentum=momentum, affine=affine, dtype=torch.float64)
    if affine:
        with torch.no_grad():
            module.weight.copy_(_tensor(weights).reshape(-1))
            module.bias.copy_(_tensor(biases).reshape(-1))
    module.train()
    with torch.no_grad():
        for batch in earlier_batches:
            module(_tensor(batch))
    module.train(training)
    x = _tensor(inputs, requires_grad=True)
    output = module(x)
    (output * _tensor(dvalues)).sum().backward()
    gold = {
        "output": _numpy(output),
        "dinputs": _numpy(x.grad),
        "running_mean": _numpy(module.running_mean).reshape(1, -1),
        "running_var": _numpy(module.running_var).reshape(1, -1),
    }
    if affine:
        gold["dweights"] = _numpy(module.weight.grad).reshape(1, -1)
        gold["dbiases"] = _numpy(module.bias.grad).reshape(1, -1)
    return gold


def torch_dropout(inputs: np.ndarray, mask: np.ndarray, dvalues: np.ndarray) -> dict:
    """Dropout with a given scaled ``mask`` (0 or 1/keep, as ``Layer_Dropout.binary_mask``).

    ``torch.nn.functional.dropout`` draws its own mask, so the same mask is applied by hand.
    """
    x = _tensor(inputs, requires_grad=True)
    output = x * _tensor(mask)
    (output * _tensor(dvalues)).sum().backward()
    return {"output": _numpy(output), "dinputs": _numpy(x.grad)}


def torch_activation(
    function: Callable[[torch.Tensor], torch.Tensor], inputs: np.ndarray, dvalues: np.ndarray
) -> dict[str, np.ndarray]:
    """``function`` applied to ``inputs``, and the gradient of ``Σ output · dvalues``."""
    x = _tensor(inputs, requires_grad=True)
    output = function(x)
    (output * _tensor(dvalues)).sum().backward()
    return {"output": _numpy(output), "dinputs": _numpy(x.grad)}


def torch_loss(
    sample_losses: Callable[[torch.Tensor, torch.Tensor], torch.Tensor],
    y_pred: np.ndarray,
    y_true: np.ndarray,
) -> dict[str, np.ndarray]:
    """Per-sample losses (``output``), their mean (``loss``) and its gradient (``dinputs``)."""
    predictions = _tensor(y_pred, requires_grad=True)
    targets = torch.tensor(np.asarray(y_true))
    if targets.is_floating_point():
        targets = targets.to(torch.float64)
    output = sample_losses(predictions, targets)
    loss = output.mean()
    loss.backward()
    return {
        "output": _numpy(output),
        "loss": np.float64(loss.item()),
        "dinputs": _numpy(predictions.grad),
    }


def torch_softmax_cross_entropy(logits: np.ndarray, labels: np.ndarray) -> dict[str, np.ndarray]:
    """``torch.nn.functional.cross_entropy`` on the logits (class indices or one-hot rows)."""
    scores = _tensor(logits, requires_grad=True)
    targets = torch.tensor(np.asarray(labels))
    if targets.ndim == 2:
        targets = targets.argmax(dim=1)
    loss = torch.nn.functional.cross_entropy(scores, targets.long())
    loss.backward()
    return {
        "output": _numpy(torch.softmax(scores, dim=1)),
        "loss": np.float64(loss.item()),
        "dinputs": _numpy(scores.grad),
    }


def assert_matches_torch(
    ours: dict[str, object], theirs: dict[str, object], tolerance: float = PARITY_TOLERANCE
) -> None:
    """Assert that every quantity both sides name agrees to ``tolerance``.

    The comparison is ``|ours - theirs| <= tolerance · max(1, |theirs|)``: absolute for values
    up to 1, relative above. The first disagreeing quantity is printed with both arrays.
    """
    shared = [name for name in theirs if name in ours]
    assert shared, f"nothing to compare: ours has {list(ours)}, torch has {list(theirs)}"
    for name in shared:
        mine = np.asarray(ours[name], dtype=np.float64)
        gold = np.asarray(theirs[name], dtype=np.float64)
        assert mine.shape == gold.shape, (
            f"{name}: ours has shape {mine.shape}, torch's has shape {gold.shape}"
        )
        difference = np.abs(mine - gold)
        allowed = tolerance * np.maximum(1.0, np.abs(gold))
        if not np.all(difference <= allowed):
            flat = np.argmax(difference - allowed)
            worst = tuple(int(i) for i in np.unravel_index(flat, difference.shape))
            raise AssertionError(
                f"{name} differs from torch (tolerance {tolerance:g}): at {worst} ours is "
                f"{mine[worst]!r}, torch's is {gold[worst]!r} (max difference "
                f"{difference.max():.3e})\nours:\n{mine}\ntorch:\n{gold}"
            )


def torch_conv2d(
    inputs: np.ndarray,
    weights: np.ndarray,
    biases: np.ndarray | None,
    dvalues: np.ndarray,
    *,
    stride: int | tuple[int, int] = 1,
    padding: int | tuple[int, int] | str = 0,
    dilation: int | tuple[int, int] = 1,
    weight_regularizer_l1: float = 0,
    weight_regularizer_l2: float = 0,
    bias_regularizer_l1: float = 0,
    bias_regularizer_l2: float = 0,
) -> dict[str, np.ndarray]:
    """``torch.nn.functional.conv2d`` with weights ``(F, C, kh, kw)`` and biases ``(1, F)``
    (``None``: no biases); penalties as in :func:`torch_dense`."""
    x = _tensor(inputs, requires_grad=True)
    w = _tensor(weights, requires_grad=True)
    b = None if biases is None else _tensor(biases, requires_grad=True)
    output = torch.nn.functional.conv2d(
        x, w, None if b is None else b[0], stride=stride, padding=padding, dilation=dilation
    )
    penalty = weight_regularizer_l1 * w.abs().sum() + weight_regularizer_l2 * (w * w).sum()
    if b is not None:
        penalty = (
            penalty + bias_regularizer_l1 * b.abs().sum() + bias_regularizer_l2 * (b * b).sum()
        )
    ((output * _tensor(dvalues)).sum() + penalty).backward()
    gold = {"output": _numpy(output), "dweights": _numpy(w.grad), "dinputs": _numpy(x.grad)}
    if b is not None:
        gold["dbiases"] = _numpy(b.grad)
    return gold


def torch_pool2d(
    kind: str,
    inputs: np.ndarray,
    dvalues: np.ndarray,
    pool_size: int | tuple[int, int],
    stride: int | tuple[int, int] | None = None,
    padding: int | tuple[int, int] = 0,
) -> dict[str, np.ndarray]:
    """``max_pool2d`` (``kind="max"``) or ``avg_pool2d`` (``"avg"``, count_include_pad=True)."""
    pool = {"max": torch.nn.functional.max_pool2d, "avg": torch.nn.functional.avg_pool2d}[kind]
    x = _tensor(inputs, requires_grad=True)
    output = pool(x, pool_size, stride, padding)
    (output * _tensor(dvalues)).sum().backward()
    return {"output": _numpy(output), "dinputs": _numpy(x.grad)}
