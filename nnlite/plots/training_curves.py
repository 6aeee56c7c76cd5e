"""plot_history and plot_loss_curves: the figures of training runs, epoch by epoch.

``Model.train`` returns a :class:`~nnlite.History` (a figure's name -> one value per epoch);
these two functions draw it::

    history = model.train(X, y, epochs=100, validation_data=(X_test, y_test))
    plot_history(history).savefig("history.png")            # loss and accuracy, with validation
    plot_loss_curves({"SGD": sgd_run, "Adam": adam_run})     # several runs on one figure
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from nnlite.plots.figure import new_figure
from nnlite.training.history import History

#: How each figure ``Model.train`` records is called on an axis.
LABELS = {
    "loss": "loss",
    "data_loss": "data loss",
    "regularization_loss": "regularization loss",
    "accuracy": "accuracy",
    "learning_rate": "learning rate",
    "val_loss": "validation loss",
    "val_accuracy": "validation accuracy",
}

#: Runs this short get a marker on every epoch, so that even one epoch shows as a dot.
MARKED_EPOCHS = 30

#: The validation figure drawn beside a training figure, where it is not ``"val_" + name``:
#: the validation loss has no regularization term, so it is a data loss.
VALIDATION_OF = {"data_loss": "val_loss"}


def plot_history(
    history: History | Mapping[str, Sequence[float]],
    *,
    metrics: Sequence[str] = ("loss", "accuracy"),
) -> Figure:
    """One panel per figure named in ``metrics``, drawn against the epoch.

    A panel draws ``history[name]`` (labelled "training") and, when the run had validation
    data, ``history["val_" + name]`` (labelled "validation") on the same axes, so that
    overfitting shows as the two curves parting. ``metrics=("loss", "accuracy",
    "learning_rate")`` adds the learning rate the optimizer used each epoch.

    With regularization the training ``loss`` includes the penalty and the validation loss
    does not; ``metrics=("data_loss", ...)`` compares like with like: the training data loss
    against ``val_loss``.

    ``history`` is what ``Model.train`` returned, or a plain dict such as Keras's
    ``history.history`` (its epochs are then counted 1, 2, ...).
    """
    where = "plot_history"
    epochs, series = _epochs_and_series(where, history)
    metrics = (metrics,) if isinstance(metrics, str) else tuple(metrics)
    if not metrics:
        raise ValueError(f"{where}: metrics is empty; name at least one figure, such as 'loss'")
    for name in metrics:
        _require_figure(where, series, name)
    figure, axes = new_figure(len(metrics))
    for ax, name in zip(axes, metrics, strict=True):
        _draw(ax, epochs, series[name], label="training", color="C0")
        validation = validation_name(name)
        if validation in series:
            _draw(ax, epochs, series[validation], label="validation", color="C1")
            ax.legend()
        _label(ax, LABELS.get(name, name))
    reason = getattr(history, "stop_reason", None)
    if reason:
        figure.suptitle(f"stopped after epoch {epochs[-1]}: {reason.splitlines()[0]}")
    return figure


def plot_loss_curves(
    histories: Mapping[str, History | Mapping[str, Sequence[float]]],
    *,
    metric: str = "loss",
    log_scale: bool = False,
    validation: bool = False,
) -> Figure:
    """Several runs on one axes, one curve per run, labelled by its name in ``histories``.

    The experiment of every optimizer article: train the same network with each optimizer
    and compare how fast the loss falls::

        runs = {name: build_model(optimizer).train(X, y, epochs=500, verbose=0)
                for name, optimizer in optimizers.items()}
        plot_loss_curves(runs, log_scale=True)

    ``metric`` chooses the figure (``"val_loss"``, ``"accuracy"``, ...); ``log_scale``
    draws it on a logarithmic axis, where losses that differ by orders of magnitude stay
    readable.

    ``validation=True`` adds each run's validation figure (``"val_" + metric``, or
    ``val_loss`` for ``metric="data_loss"``) as a dashed curve in the run's colour, labelled
    ``"<run> (validation)"`` (the legend lists each run once): training against validation
    for several runs on one figure, where overfitting shows as a solid and a dashed curve of
    one colour parting.
    """
    where = "plot_loss_curves"
    if not isinstance(histories, Mapping) or not histories:
        raise ValueError(
            f"{where}: histories must be a non-empty dict {{run name: History}}, got {histories!r}"
        )
    figure, (ax,) = new_figure(1, width=7.0, height=4.5)
    legend_lines = []  # one entry per run: its colour names it, the line style tells the rest
    for index, (name, history) in enumerate(histories.items()):
        epochs, series = _epochs_and_series(f"{where} (run {name!r})", history)
        _require_figure(f"{where} (run {name!r})", series, metric)
        _draw(ax, epochs, series[metric], label=str(name), color=f"C{index % 10}")
        legend_lines.append(ax.get_lines()[-1])
        if validation:
            validation_metric = validation_name(metric)
            _require_figure(f"{where} (run {name!r})", series, validation_metric)
            _draw(
                ax,
                epochs,
                series[validation_metric],
                label=f"{name} (validation)",
                color=f"C{index % 10}",
                linestyle="--",
            )
    if log_scale:
        ax.set_yscale("log")
    ax.legend(handles=legend_lines)
    _label(ax, LABELS.get(metric, metric))
    if validation:
        ax.set_title(f"{ax.get_title()}: training (solid) and validation (dashed)")
    return figure


def _epochs_and_series(
    where: str, history: object
) -> tuple[list[int], Mapping[str, Sequence[float]]]:
    """The epoch numbers and the figures by name, from a History or a plain dict."""
    if isinstance(history, History):
        epochs, series = list(history.epoch), history.history
    elif isinstance(history, Mapping):
        series = history
        lengths = {name: len(values) for name, values in series.items()}
        if len(set(lengths.values())) > 1:
            raise ValueError(f"{where}: the figures have different lengths: {lengths}")
        epochs = list(range(1, next(iter(lengths.values()), 0) + 1))
    else:
        raise TypeError(
            f"{where}: expected the History that Model.train returns (or a dict of lists), "
            f"got {type(history).__name__}"
        )
    if not epochs:
        raise ValueError(f"{where}: the history is empty; no epoch was recorded")
    return epochs, series


def _require_figure(where: str, series: Mapping[str, Sequence[float]], name: str) -> None:
    if name not in series:
        hint = " (val_* figures need validation_data in train)" if name.startswith("val_") else ""
        raise ValueError(
            f"{where}: the history has no figure {name!r}; it has {sorted(series)}{hint}"
        )


def validation_name(name: str) -> str:
    """The validation figure that belongs with the training figure ``name``."""
    return VALIDATION_OF.get(name, f"val_{name}")


def _draw(
    ax: Axes,
    epochs: list[int],
    values: Sequence[float],
    *,
    label: str,
    color: str,
    linestyle: str = "-",
) -> None:
    marker = "o" if len(epochs) <= MARKED_EPOCHS else None
    ax.plot(
        epochs,
        list(values),
        label=label,
        color=color,
        linestyle=linestyle,
        marker=marker,
        markersize=3,
    )


def _label(ax: Axes, name: str) -> None:
    ax.set_title(name)
    ax.set_xlabel("epoch")
    ax.set_ylabel(name)
    ax.grid(True, alpha=0.3)
