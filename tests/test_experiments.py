"""The experiment helpers behind ``nnlite compare`` and the notebooks."""

import numpy as np
import pytest

from nnlite import Optimizer_Adam, Optimizer_SGD, sine_data, spiral_data
from nnlite.experiments import (
    build_model,
    compare_optimizers,
    optimizer_by_name,
    optimizer_classes,
    summary_table,
)


@pytest.fixture(scope="module")
def spiral():
    np.random.seed(0)
    return spiral_data(samples=50, classes=3)


def test_every_hook_based_optimizer_has_a_short_name():
    classes = optimizer_classes()
    assert classes["sgd"] is Optimizer_SGD and classes["adam"] is Optimizer_Adam
    assert {"adagrad", "rmsprop", "adamw", "nadam", "radam", "rprop"} <= set(classes)
    assert "lbfgs" not in classes  # it needs a closure, not the three hooks


def test_optimizer_by_name_passes_hyperparameters():
    optimizer = optimizer_by_name("sgd", learning_rate=0.5, momentum=0.9)
    assert (optimizer.learning_rate, optimizer.momentum) == (0.5, 0.9)


def test_unknown_names_and_settings_are_explained():
    with pytest.raises(ValueError, match="unknown optimizer 'adamm'; choose one of .*adam"):
        optimizer_by_name("adamm")
    with pytest.raises(TypeError, match="Optimizer_Adam: .*'lr'"):
        optimizer_by_name("adam", lr=0.1)


def test_compared_runs_start_from_the_same_weights(spiral):
    X, y = spiral
    histories = compare_optimizers(
        {
            "sgd": lambda: Optimizer_SGD(learning_rate=0.0),
            "adam": lambda: Optimizer_Adam(learning_rate=0.0),
        },
        X,
        y,
        epochs=3,
    )
    # With a zero learning rate nothing moves, so equal losses mean equal starting weights
    assert histories["sgd"]["loss"] == histories["adam"]["loss"]
    assert len(histories["adam"]["loss"]) == 3


def test_comparison_draws_nothing_from_the_global_stream(spiral):
    X, y = spiral
    np.random.seed(5)
    compare_optimizers({"adam": Optimizer_Adam}, X, y, epochs=2)
    assert np.random.randn() == np.random.RandomState(5).randn()


def test_regression_model_learns_the_sine():
    X, y = sine_data(samples=200)
    histories = compare_optimizers(
        {"adam": lambda: Optimizer_Adam(learning_rate=0.01)},
        X,
        y,
        hidden=(32, 32),
        task="regression",
        epochs=300,
    )
    loss = histories["adam"]["loss"]
    assert loss[-1] < 0.1 * loss[0]


def test_build_model_rejects_an_unknown_task():
    with pytest.raises(ValueError, match="task must be"):
        build_model(2, 3, task="clustering", optimizer=Optimizer_Adam())


def test_summary_table_puts_the_best_final_loss_first(spiral):
    X, y = spiral
    histories = compare_optimizers(
        {
            "still": lambda: Optimizer_SGD(learning_rate=0.0),
            "adam": lambda: Optimizer_Adam(learning_rate=0.05),
        },
        X,
        y,
        epochs=30,
        validation_data=(X, y),
    )
    lines = summary_table(histories).splitlines()
    assert lines[0].startswith("run    final loss  best loss  final acc")
    assert lines[0].endswith("val loss  val acc")
    assert lines[2].startswith("adam") and lines[3].startswith("still")
    assert f"{histories['adam']['loss'][-1]:.4f}" in lines[2]
