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

#: Optimizers that train with the usual three hooks (L-BFGS needs a closure, SparseAdam an
#: embedding), by short name: "sgd" is Optimizer_SGD.
_SPECIAL = {"Optimizer", "Optimizer_LBFGS", "Optimizer_SparseAdam", "Optimizer_Muon"}


def optimizer_classes() -> dict[str, type[Optimizer]]:
    """Short name → class of every optimizer usable in a Model (``"adam"``: Optimizer_Adam)."""
    classes = {}
    for name in optimizer_module.__all__:
        if name in _SPECIAL:
            continue
        classes[name.removeprefix("Optimizer_").lower()] = getattr(optimizer_module, name)
    return classes


def optimizer_by_name(name: str, **hyperparameters: Any) -> Optimizer:
    """Build an optimizer from its short name; unknown names and settings raise clearly."""
    classes = optimizer_classes()
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
    rng: np.random.Generator | None = None,
) -> Model:
    """A finalized Model: Dense + ReLU per hidden size, then softmax + cross-entropy for
    ``task="classification"`` or a linear output + mean squared error for ``"regression"``."""
    if task not in ("classification", "regression"):
        raise ValueError(f"task must be 'classification' or 'regression', got {task!r}")
    model = Model()
    width = n_inputs
    for size in hidden:
        model.add(Layer_Dense(width, size, weight_regularizer_l2=weight_regularizer_l2, rng=rng))
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
    epochs: int = 500,
    batch_size: int | None = None,
    validation_data: tuple[np.ndarray, np.ndarray] | None = None,
    seed: int = 0,
    verbose: int = 0,
    callbacks: Sequence[Callback] = (),
) -> dict[str, History]:
    """Train the same network from the same start with each optimizer; name → History.

    Each run builds its weights from ``np.random.default_rng(seed)``, so every optimizer
    starts from identical weights and the comparison is fair. ``callbacks`` go to every run
    (such as :class:`Callback_ReportToSchedule`, which a reduce-on-plateau schedule needs);
    they must keep no state from one run to the next.
    """
    n_outputs = int(np.max(y)) + 1 if task == "classification" else y.shape[1]
    histories = {}
    for name, make_optimizer in optimizers.items():
        model = build_model(
            X.shape[1],
            n_outputs,
            hidden=hidden,
            task=task,
            optimizer=make_optimizer(),
            rng=np.random.default_rng(seed),
        )
        histories[name] = model.train(
            X,
            y,
            epochs=epochs,
            batch_size=batch_size,
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
