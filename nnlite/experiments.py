"""Experiments a learner runs again and again: build a network, train it with an optimizer,
compare optimizers on the same data. The ``nnlite`` command and the notebooks use these.

::

    from nnlite import spiral_data
    from nnlite.experiments import compare_optimizers, optimizer_by_name

    X, y = spiral_data(samples=100, classes=3)
    histories = compare_optimizers(
        {"sgd": lambda: optimizer_by_name("sgd", learning_rate=1.0, momentum=0.9),
         "adam": lambda: optimizer_by_name("adam", learning_rate=0.05)},
        X, y, hidden=(64,), epochs=500)
    print(summary_table(histories))
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from nnlite import optimizers as optimizer_module
from nnlite.accuracy import Accuracy_Categorical, Accuracy_Regression
from nnlite.activations import Activation_Linear, Activation_ReLU, Activation_Softmax
from nnlite.layers import Layer_Dense
from nnlite.losses import Loss_CategoricalCrossentropy, Loss_MeanSquaredError
from nnlite.optimizers.optimizer import Optimizer
from nnlite.training.callback import Callback
from nnlite.training.history import History
from nnlite.training.model import Model

#: Optimizers that cannot train a Model with the three hooks, by short name, and why.
UNSUITED = {
    "lbfgs": "L-BFGS needs a closure that evaluates the loss several times per step "
    "(optimizer.step(closure, layers)), which Model.train does not call",
    "sparseadam": "SparseAdam updates the rows of a row-sparse gradient (Layer_Embedding with "
    "sparse=True); these networks' dense layers have dense gradients",
}


def optimizer_classes() -> dict[str, type[Optimizer]]:
    """Short name → class of every optimizer usable in a Model (``"adam"``: Optimizer_Adam).

    The short name is the class name without ``Optimizer_``, in lower case. The optimizers in
    :data:`UNSUITED` are left out, and so is everything in ``nnlite.optimizers`` that is not an
    optimizer class (such as ``update_threads``).
    """
    classes = {}
    for name in optimizer_module.__all__:
        member = getattr(optimizer_module, name)
        if not isinstance(member, type) or not issubclass(member, Optimizer):
            continue
        short = name.removeprefix("Optimizer_").lower()
        if member is Optimizer or short in UNSUITED:
            continue
        classes[short] = member
    return classes


def optimizer_by_name(name: str, **hyperparameters: Any) -> Optimizer:
    """Build an optimizer from its short name, in any case (``"adam"``, ``"Adam"``).

    Unknown names, the optimizers that cannot train a Model (:data:`UNSUITED`, with the
    reason) and unknown settings raise clearly.
    """
    classes = optimizer_classes()
    name = name.lower()
    if name in UNSUITED:
        raise ValueError(f"optimizer {name!r} cannot train a Model here: {UNSUITED[name]}")
    if name not in classes:
        raise ValueError(f"unknown optimizer {name!r}; choose one of {', '.join(sorted(classes))}")
    try:
        return classes[name](**hyperparameters)
    except TypeError as error:
        raise TypeError(f"{classes[name].__name__}: {error}") from None


def build_model(
    n_inputs: int,
    n_outputs: int,
    *,
    hidden: Sequence[int] = (64,),
    task: str = "classification",
    optimizer: Optimizer,
    weight_regularizer_l2: float = 0.0,
    bias_regularizer_l2: float = 0.0,
    weight_scale: float = 0.01,
    rng: np.random.Generator | None = None,
) -> Model:
    """A finalized Model: Dense + ReLU per hidden size, then softmax + cross-entropy for
    ``task="classification"`` or a linear output + mean squared error for ``"regression"``.

    The hidden layers take the L2 strengths (the book's chapter 14 puts 5e-4 on both) and the
    book's initializer with ``weight_scale`` (0.01; chapter 17's regression uses 0.1).
    """
    if task not in ("classification", "regression"):
        raise ValueError(f"task must be 'classification' or 'regression', got {task!r}")
    model = Model()
    width = n_inputs
    for size in hidden:
        model.add(
            Layer_Dense(
                width,
                size,
                weight_regularizer_l2=weight_regularizer_l2,
                bias_regularizer_l2=bias_regularizer_l2,
                weight_scale=weight_scale,
                rng=rng,
            )
        )
        model.add(Activation_ReLU())
        width = size
    if task == "classification":
        model.add(Layer_Dense(width, n_outputs, rng=rng))
        model.add(Activation_Softmax())
        model.set(
            loss=Loss_CategoricalCrossentropy(),
            optimizer=optimizer,
            accuracy=Accuracy_Categorical(),
        )
    else:
        model.add(Layer_Dense(width, n_outputs, weight_initializer="he", rng=rng))
        model.add(Activation_Linear())
        model.set(loss=Loss_MeanSquaredError(), optimizer=optimizer, accuracy=Accuracy_Regression())
    model.finalize()
    return model


def compare_optimizers(
    optimizers: Mapping[str, Callable[[], Optimizer]],
    X: np.ndarray,
    y: np.ndarray,
    *,
    hidden: Sequence[int] = (64,),
    task: str = "classification",
    weight_regularizer_l2: float = 0.0,
    bias_regularizer_l2: float = 0.0,
    weight_scale: float = 0.01,
    epochs: int = 500,
    batch_size: int | None = None,
    shuffle: bool = False,
    validation_data: tuple[np.ndarray, np.ndarray] | None = None,
    seed: int = 0,
    verbose: int = 0,
    callbacks: Sequence[Callback] = (),
) -> dict[str, History]:
    """Train the same network from the same start with each optimizer; name → History.

    Each run builds its weights from ``np.random.default_rng(seed)`` (the network as
    :func:`build_model` builds it) and, with ``shuffle=True``, goes on drawing its batches'
    order from that generator, so every optimizer starts from identical weights, sees the
    samples in the same order, and the comparison is fair. ``callbacks`` go to every run
    (such as :class:`Callback_ReportToSchedule`, which a reduce-on-plateau schedule needs);
    they must keep no state from one run to the next.
    """
    n_outputs = int(np.max(y)) + 1 if task == "classification" else y.shape[1]
    histories = {}
    for name, make_optimizer in optimizers.items():
        rng = np.random.default_rng(seed)
        model = build_model(
            X.shape[1],
            n_outputs,
            hidden=hidden,
            task=task,
            optimizer=make_optimizer(),
            weight_regularizer_l2=weight_regularizer_l2,
            bias_regularizer_l2=bias_regularizer_l2,
            weight_scale=weight_scale,
            rng=rng,
        )
        histories[name] = model.train(
            X,
            y,
            epochs=epochs,
            batch_size=batch_size,
            shuffle=shuffle,
            rng=rng if shuffle else None,
            validation_data=validation_data,
            print_every=max(1, epochs),
            verbose=verbose,
            callbacks=callbacks,
        )
    return histories


def summary_table(histories: Mapping[str, History]) -> str:
    """A text table of each run's final and best figures, best final loss first.

    Losses are shown with four decimals, or in scientific notation below 0.001 so that a
    loss of 0.00004 does not show as 0.0000.
    """
    rows = []
    for name, history in histories.items():
        loss = history["loss"]
        row = {
            "run": name,
            "final loss": format_loss(loss[-1]),
            "best loss": format_loss(min(loss)),
            "final acc": f"{history['accuracy'][-1]:.3f}",
        }
        if "val_loss" in history:
            row["val loss"] = format_loss(history["val_loss"][-1])
            row["val acc"] = f"{history['val_accuracy'][-1]:.3f}"
        rows.append((loss[-1], row))
    if not rows:
        return "(no runs)"
    return text_table([row for _, row in sorted(rows, key=lambda pair: pair[0])])


def format_loss(value: float) -> str:
    """``0.1234`` as ``"0.1234"``; below 0.001, ``0.0000412`` as ``"4.12e-05"``."""
    if value == 0 or not np.isfinite(value) or abs(value) >= 1e-3:
        return f"{value:.4f}"
    return f"{value:.2e}"


def text_table(rows: Sequence[Mapping[str, object]]) -> str:
    """Rows of ``{column: value}`` as an aligned text table with a header line.

    The columns are the first row's keys, in order; values are shown with ``str``::

        >>> print(text_table([{"quantity": "dweights", "max |ours - torch|": "0.0"}]))
        quantity  max |ours - torch|
        --------  ------------------
        dweights  0.0
    """
    if not rows:
        return "(no rows)"
    columns = list(rows[0])
    for index, row in enumerate(rows):
        if list(row) != columns:
            raise ValueError(
                f"text_table: row {index} has the columns {list(row)}, but the first row has "
                f"{columns}"
            )
    cells = [{column: str(row[column]) for column in columns} for row in rows]
    widths = {c: max(len(c), *(len(cell[c]) for cell in cells)) for c in columns}
    lines = [{c: c for c in columns}, {c: "-" * widths[c] for c in columns}, *cells]
    return "\n".join(
        "  ".join(line[c].ljust(widths[c]) for c in columns).rstrip() for line in lines
    )
