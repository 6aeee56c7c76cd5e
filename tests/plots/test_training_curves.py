"""plot_history and plot_loss_curves draw exactly the History's figures."""

import numpy as np
import pytest

from nnlite import (
    Accuracy_Categorical,
    Activation_ReLU,
    Activation_Softmax,
    Layer_Dense,
    Loss_CategoricalCrossentropy,
    Model,
    Optimizer_Adam,
    Optimizer_SGD,
)
from nnlite.plots import plot_history, plot_loss_curves
from nnlite.training.history import History


def make_history(epochs=40, validation=True):
    history = History()
    for epoch in range(1, epochs + 1):
        figures = {"loss": 2.0 / epoch, "accuracy": 1 - 1 / (epoch + 1), "learning_rate": 0.1}
        if validation:
            figures |= {"val_loss": 2.5 / epoch, "val_accuracy": 0.9 - 1 / (epoch + 1)}
        history.record(epoch, figures)
    return history


def lines_by_label(ax):
    return {line.get_label(): line for line in ax.get_lines()}


def trained_history(optimizer, epochs=30):
    """A real History from Model.train on a small, fixed problem."""
    rng = np.random.default_rng(0)
    X = rng.standard_normal((60, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    model = Model()
    model.add(Layer_Dense(2, 16, rng=np.random.default_rng(1)))
    model.add(Activation_ReLU())
    model.add(Layer_Dense(16, 2, rng=np.random.default_rng(2)))
    model.add(Activation_Softmax())
    model.set(
        loss=Loss_CategoricalCrossentropy(), optimizer=optimizer, accuracy=Accuracy_Categorical()
    )
    model.finalize()
    return model.train(X, y, epochs=epochs, verbose=0, validation_data=(X[:20], y[:20]))


def test_history_panels_draw_the_recorded_values(rendered):
    history = trained_history(Optimizer_Adam(learning_rate=0.02))
    figure = plot_history(history, metrics=("loss", "accuracy", "learning_rate"))
    rendered(figure)
    loss_ax, accuracy_ax, rate_ax = figure.axes
    for ax, name in ((loss_ax, "loss"), (accuracy_ax, "accuracy")):
        lines = lines_by_label(ax)
        assert list(lines["training"].get_xdata()) == history.epoch
        assert list(lines["training"].get_ydata()) == history[name]
        assert list(lines["validation"].get_ydata()) == history[f"val_{name}"]
    (rate_line,) = rate_ax.get_lines()  # no validation learning rate
    assert list(rate_line.get_ydata()) == history["learning_rate"]
    assert [ax.get_title() for ax in figure.axes] == ["loss", "accuracy", "learning rate"]


def test_history_without_validation_draws_one_curve(rendered):
    history = make_history(validation=False)
    figure = plot_history(history)
    rendered(figure)
    for ax in figure.axes:
        assert [line.get_label() for line in ax.get_lines()] == ["training"]


def test_a_plain_dict_counts_epochs_from_one(rendered):
    figure = plot_history({"loss": [3.0, 2.0, 1.5], "val_loss": [3.5, 2.5, 2.0]}, metrics="loss")
    rendered(figure)
    lines = lines_by_label(figure.axes[0])
    assert list(lines["training"].get_xdata()) == [1, 2, 3]
    assert list(lines["validation"].get_ydata()) == [3.5, 2.5, 2.0]


def test_a_stopped_run_says_why_in_the_title():
    history = make_history(epochs=5)
    history.stop_reason = "early stopping: val_loss did not improve for 3 epochs"
    figure = plot_history(history)
    assert figure.get_suptitle() == (
        "stopped after epoch 5: early stopping: val_loss did not improve for 3 epochs"
    )


def test_loss_curves_one_line_per_run_with_a_legend(rendered):
    runs = {
        "SGD": trained_history(Optimizer_SGD(learning_rate=0.5)),
        "Adam": trained_history(Optimizer_Adam(learning_rate=0.02)),
    }
    figure = plot_loss_curves(runs)
    rendered(figure)
    (ax,) = figure.axes
    lines = lines_by_label(ax)
    assert set(lines) == {"SGD", "Adam"}
    for name, history in runs.items():
        assert list(lines[name].get_ydata()) == history["loss"]
    assert [text.get_text() for text in ax.get_legend().get_texts()] == ["SGD", "Adam"]


def test_loss_curves_of_another_metric_on_a_log_scale(rendered):
    runs = {"a": make_history(), "b": make_history(epochs=20)}
    figure = plot_loss_curves(runs, metric="val_loss", log_scale=True)
    rendered(figure)
    (ax,) = figure.axes
    assert ax.get_yscale() == "log"
    assert list(lines_by_label(ax)["b"].get_ydata()) == runs["b"]["val_loss"]


def regularized_history(epochs=5):
    """A History as Model.train records it with regularization and validation data."""
    history = History()
    for epoch in range(1, epochs + 1):
        data_loss, penalty = 1.0 / epoch, 0.1
        history.record(
            epoch,
            {
                "loss": data_loss + penalty,
                "data_loss": data_loss,
                "regularization_loss": penalty,
                "accuracy": 0.5,
                "val_loss": 1.2 / epoch,
                "val_accuracy": 0.4,
            },
        )
    return history


def test_the_data_loss_is_drawn_against_the_validation_loss(rendered):
    # val_loss has no penalty, so it is the data loss's counterpart, not the loss's
    history = regularized_history()
    figure = plot_history(history, metrics=("data_loss", "loss"))
    rendered(figure)
    data_ax, loss_ax = figure.axes
    data_lines, loss_lines = lines_by_label(data_ax), lines_by_label(loss_ax)
    assert list(data_lines["training"].get_ydata()) == history["data_loss"]
    assert list(data_lines["validation"].get_ydata()) == history["val_loss"]
    assert list(loss_lines["validation"].get_ydata()) == history["val_loss"]


def test_loss_curves_with_validation_draw_a_dashed_twin_per_run(rendered):
    runs = {"plain": make_history(), "regularized": regularized_history()}
    figure = plot_loss_curves(runs, validation=True)
    rendered(figure)
    (ax,) = figure.axes
    lines = lines_by_label(ax)
    assert list(lines) == ["plain", "plain (validation)", "regularized", "regularized (validation)"]
    for name, history in runs.items():
        solid, dashed = lines[name], lines[f"{name} (validation)"]
        assert list(solid.get_ydata()) == history["loss"]
        assert list(dashed.get_ydata()) == history["val_loss"]
        assert (solid.get_linestyle(), dashed.get_linestyle()) == ("-", "--")
        assert solid.get_color() == dashed.get_color()
    # The legend names each run once; the title says which line style is which
    assert [text.get_text() for text in ax.get_legend().get_texts()] == list(runs)
    assert ax.get_title() == "loss: training (solid) and validation (dashed)"
    figure = plot_loss_curves(
        {"regularized": regularized_history()}, metric="data_loss", validation=True
    )
    lines = lines_by_label(figure.axes[0])
    assert list(lines["regularized (validation)"].get_ydata()) == regularized_history()["val_loss"]


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda: plot_history(make_history(), metrics=("lost",)), ValueError, "no figure 'lost'"),
        (
            lambda: plot_history(make_history(validation=False), metrics=("val_loss",)),
            ValueError,
            "val_\\* figures need validation_data",
        ),
        (lambda: plot_history(History()), ValueError, "the history is empty"),
        (lambda: plot_history(make_history(), metrics=()), ValueError, "metrics is empty"),
        (lambda: plot_history([1.0, 0.5]), TypeError, "got list"),
        (lambda: plot_history({"loss": [1, 2], "accuracy": [1]}), ValueError, "different lengths"),
        (lambda: plot_loss_curves({}), ValueError, "non-empty dict"),
        (lambda: plot_loss_curves({"a": make_history()}, metric="acc"), ValueError, "run 'a'"),
        (
            lambda: plot_loss_curves({"b": make_history(validation=False)}, validation=True),
            ValueError,
            "run 'b'.*no figure 'val_loss'.*need validation_data",
        ),
    ],
)
def test_bad_arguments_are_named(call, error, message):
    with pytest.raises(error, match=message):
        call()
