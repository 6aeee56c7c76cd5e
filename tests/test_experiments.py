"""The experiment helpers behind ``nnlite compare`` and the notebooks."""

import numpy as np
import pytest
import torch

from nnlite import (
    Optimizer_Adam,
    Optimizer_AdamW,
    Optimizer_SGD,
    Schedule_ReduceOnPlateau,
    sine_data,
    spiral_data,
)
from nnlite.experiments import (
    build_model,
    compare_optimizers,
    format_loss,
    optimizer_by_name,
    optimizer_classes,
    summary_table,
    text_table,
)
from nnlite.optimizers.optimizer import Optimizer
from nnlite.training.callbacks import Callback_ReportToSchedule


@pytest.fixture(scope="module")
def spiral():
    np.random.seed(0)
    return spiral_data(samples=50, classes=3)


def test_every_hook_based_optimizer_has_a_short_name():
    classes = optimizer_classes()
    assert classes["sgd"] is Optimizer_SGD and classes["adam"] is Optimizer_Adam
    assert {"adagrad", "rmsprop", "adamw", "nadam", "radam", "rprop", "muon"} <= set(classes)
    assert "lbfgs" not in classes  # it needs a closure, not the three hooks
    # nnlite.optimizers also exports functions (update_threads): only optimizers are listed
    assert all(isinstance(c, type) and issubclass(c, Optimizer) for c in classes.values())
    assert not {"set_update_threads", "update_threads", "optimizer"} & set(classes)


def test_names_are_read_in_any_case_and_unsuited_optimizers_say_why():
    assert type(optimizer_by_name("AdamW")) is Optimizer_AdamW
    with pytest.raises(ValueError, match="'sparseadam' cannot train a Model here: SparseAdam"):
        optimizer_by_name("SparseAdam")
    with pytest.raises(ValueError, match="'lbfgs' cannot train a Model here: L-BFGS needs a"):
        optimizer_by_name("lbfgs")


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


def test_shuffled_runs_see_the_same_order_and_learn_from_mixed_batches(spiral):
    X, y = spiral  # sorted by class: batches in this order hold one class each
    runs = {
        "adam": lambda: Optimizer_Adam(learning_rate=0.02),
        "again": lambda: Optimizer_Adam(learning_rate=0.02),
    }
    common = {"epochs": 100, "batch_size": 15, "hidden": (32,), "validation_data": (X, y)}
    np.random.seed(5)
    shuffled = compare_optimizers(runs, X, y, shuffle=True, **common)
    assert np.random.randn() == np.random.RandomState(5).randn()  # the seed's generator shuffles
    ordered = compare_optimizers(runs, X, y, **common)
    assert shuffled["adam"]["loss"] == shuffled["again"]["loss"]
    # measured: 0.567 shuffled, 0.440 in order
    assert shuffled["adam"]["val_accuracy"][-1] > ordered["adam"]["val_accuracy"][-1] + 0.1


def test_build_model_puts_the_regularization_and_scale_on_the_hidden_layers():
    model = build_model(
        2,
        3,
        hidden=(8, 8),
        optimizer=Optimizer_Adam(),
        weight_regularizer_l2=5e-4,
        bias_regularizer_l2=1e-4,
        weight_scale=0.1,
        rng=np.random.default_rng(0),
    )
    hidden = model.trainable_layers[:2]
    assert [(layer.weight_regularizer_l2, layer.bias_regularizer_l2) for layer in hidden] == [
        (5e-4, 1e-4),
        (5e-4, 1e-4),
    ]
    expected = 0.1 * np.random.default_rng(0).standard_normal((2, 8))
    np.testing.assert_array_equal(hidden[0].weights, expected)
    assert model.trainable_layers[2].weight_regularizer_l2 == 0


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


def test_summary_table_shows_tiny_losses_in_scientific_notation():
    assert format_loss(0.12345) == "0.1235"
    assert format_loss(0.0000412) == "4.12e-05"
    assert format_loss(0.0) == "0.0000"


def test_text_table_aligns_the_columns_of_its_rows():
    table = text_table([{"name": "dweights", "max diff": 0.0}, {"name": "b", "max diff": 1e-17}])
    assert table.splitlines() == [
        "name      max diff",
        "--------  --------",
        "dweights  0.0",
        "b         1e-17",
    ]


def test_text_table_refuses_rows_with_different_columns():
    with pytest.raises(ValueError, match="row 1 has the columns \\['b'\\]"):
        text_table([{"a": 1}, {"b": 2}])


def test_the_callback_cuts_the_rate_as_torch_reduce_lr_on_plateau_does(spiral):
    X, y = spiral
    schedule = Schedule_ReduceOnPlateau(0.5, factor=0.5, patience=3)
    model = build_model(2, 3, hidden=(8,), optimizer=Optimizer_SGD(learning_rate=schedule))
    history = model.train(X, y, epochs=40, verbose=0, callbacks=[Callback_ReportToSchedule("loss")])
    parameter = torch.nn.Parameter(torch.zeros(1, dtype=torch.float64))
    optimizer = torch.optim.SGD([parameter], lr=0.5)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=3)
    theirs = []
    for loss in history["loss"]:
        theirs.append(optimizer.param_groups[0]["lr"])  # the rate this epoch trained with
        scheduler.step(loss)
    assert len(set(theirs)) >= 3, "the run should cut the rate at least twice"
    assert history["learning_rate"] == theirs, (history["learning_rate"], theirs)


def test_the_callback_names_a_missing_figure(spiral):
    X, y = spiral
    model = build_model(2, 3, hidden=(8,), optimizer=Optimizer_SGD(learning_rate=0.1))
    with pytest.raises(ValueError, match="monitor='val_loss' .*pass validation_data"):
        model.train(X, y, epochs=1, verbose=0, callbacks=[Callback_ReportToSchedule("val_loss")])
