"""Callbacks: early stopping, checkpoints, stopping on NaN, and the order of the hooks."""

import numpy as np
import pytest

from nnlite import (
    Accuracy_Categorical,
    Activation_ReLU,
    Activation_Softmax,
    Layer_Dense,
    Loss_CategoricalCrossentropy,
    Optimizer_Adam,
    Optimizer_SGD,
)
from nnlite.training.callbacks import (
    Callback,
    Callback_Checkpoint,
    Callback_EarlyStopping,
    Callback_TerminateOnNaN,
)
from nnlite.training.checkpoints import load_checkpoint
from nnlite.training.model import Model


def blobs(rng, samples=60):
    y = rng.integers(0, 3, size=samples)
    X = rng.normal(size=(samples, 2)) + np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 3.0]])[y]
    return X, y


def classifier(seed=1, learning_rate=0.5):
    rng = np.random.default_rng(seed)
    model = Model()
    model.add(Layer_Dense(2, 16, rng=rng))
    model.add(Activation_ReLU())
    model.add(Layer_Dense(16, 3, rng=rng))
    model.add(Activation_Softmax())
    model.set(
        loss=Loss_CategoricalCrossentropy(),
        optimizer=Optimizer_Adam(learning_rate=learning_rate),
        accuracy=Accuracy_Categorical(),
    )
    model.finalize()
    return model


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    return blobs(rng), blobs(rng, samples=30)


def copies(model):
    return [tuple(array.copy() for array in arrays) for arrays in model.get_parameters()]


def assert_same_parameters(ours, theirs):
    for our_arrays, their_arrays in zip(ours, theirs, strict=True):
        for a, b in zip(our_arrays, their_arrays, strict=True):
            np.testing.assert_array_equal(a, b)


class Recorder(Callback):
    """Remembers every hook call and a copy of the parameters after each epoch."""

    def __init__(self):
        self.calls = []
        self.parameters = {}

    def on_train_begin(self, model):
        self.calls.append("train_begin")

    def on_step_end(self, model, epoch, step, logs):
        self.calls.append(f"step_end {epoch}.{step}")

    def on_epoch_end(self, model, epoch, logs):
        self.calls.append(f"epoch_end {epoch}")
        self.parameters[epoch] = copies(model)

    def on_train_end(self, model, history):
        self.calls.append("train_end")


def test_hooks_run_in_order(data):
    (X, y), _ = data
    recorder = Recorder()
    classifier().train(X, y, epochs=2, batch_size=30, verbose=0, callbacks=[recorder])
    assert recorder.calls == [
        "train_begin",
        "step_end 1.0",
        "step_end 1.1",
        "epoch_end 1",
        "step_end 2.0",
        "step_end 2.1",
        "epoch_end 2",
        "train_end",
    ]


# ---------------------------------------------------------------------- early stopping


def test_early_stopping_counts_epochs_without_improvement():
    model = classifier()
    stopping = Callback_EarlyStopping(monitor="val_loss", patience=2, min_delta=0.01)
    stopping.on_train_begin(model)
    # 0.995 is better than 1.0 but not by more than min_delta
    for epoch, value in enumerate([1.0, 0.9, 0.895, 0.8, 0.85, 0.795], start=1):
        stopping.on_epoch_end(model, epoch, {"val_loss": value})
        assert model.stop_training == (epoch == 6)
    assert (stopping.best, stopping.best_epoch, stopping.stopped_epoch) == (0.8, 4, 6)
    assert model.stop_reason == (
        "Callback_EarlyStopping: val_loss did not improve by more than 0.01 for 2 epoch(s); "
        "stopped after epoch 6, best epoch 4 (val_loss: 0.800)"
    )


def test_early_stopping_maximizes_accuracies_and_patience_zero_stops_at_once():
    model = classifier()
    stopping = Callback_EarlyStopping(monitor="val_accuracy")
    assert stopping.mode == "max"
    stopping.on_train_begin(model)
    stopping.on_epoch_end(model, 1, {"val_accuracy": 0.5})
    stopping.on_epoch_end(model, 2, {"val_accuracy": 0.6})
    assert not model.stop_training
    stopping.on_epoch_end(model, 3, {"val_accuracy": 0.6})
    assert model.stop_training and stopping.best_epoch == 2


def test_early_stopping_stops_training_and_restores_the_best_weights(data, capsys):
    (X, y), validation = data
    recorder = Recorder()
    stopping = Callback_EarlyStopping(patience=3, restore_best_weights=True)
    model = classifier()
    history = model.train(
        X, y, epochs=200, validation_data=validation, callbacks=[recorder, stopping], verbose=0
    )
    assert len(history) < 200
    assert stopping.stopped_epoch == history.epoch[-1]
    best = int(np.argmin(history["val_loss"])) + 1
    assert stopping.best_epoch == best and stopping.restored_epoch == best
    assert history.epoch[-1] == best + 3
    assert_same_parameters(copies(model), recorder.parameters[best])
    assert history.stop_reason.endswith(f"the weights of epoch {best} are restored")
    assert capsys.readouterr().out == ""  # verbose=0


def test_the_stop_reason_is_printed(data, capsys):
    (X, y), validation = data
    stopping = Callback_EarlyStopping(patience=3)
    history = classifier().train(
        X, y, epochs=200, print_every=1000, validation_data=validation, callbacks=[stopping]
    )
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == history.stop_reason
    assert lines[1].startswith("validation, acc: ")  # chapter 18 style: once, at the end
    assert len(lines) == 2


def test_early_stopping_needs_its_figure():
    model = classifier()
    stopping = Callback_EarlyStopping()
    stopping.on_train_begin(model)
    with pytest.raises(ValueError, match=r"monitor='val_loss' is not among .*validation_data"):
        stopping.on_epoch_end(model, 1, {"loss": 1.0})


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"patience": -1}, "patience must be a whole number >= 0, got -1"),
        ({"mode": "lowest"}, "mode must be one of"),
        ({"min_delta": -0.1}, "min_delta must be >= 0, got -0.1"),
    ],
)
def test_early_stopping_rejects_bad_arguments(arguments, message):
    with pytest.raises(ValueError, match=message):
        Callback_EarlyStopping(**arguments)


# ---------------------------------------------------------------------- NaN


@pytest.mark.parametrize(("nan_row", "step"), [(5, 0), (25, 2)])
def test_terminate_on_nan_names_the_epoch_and_step(data, capsys, nan_row, step):
    (X, y), _ = data
    X = X.copy()
    X[nan_row] = np.nan
    history = classifier().train(
        X, y, epochs=10, batch_size=10, callbacks=[Callback_TerminateOnNaN()], print_every=100
    )
    expected = (
        f"Callback_TerminateOnNaN: the loss is nan at epoch 1, step {step}; training stopped "
        f"(try a lower learning rate, and check the data for NaN or inf)"
    )
    assert history.stop_reason == expected
    assert history.epoch == [1]
    assert np.isnan(history["loss"][0])
    lines = capsys.readouterr().out.splitlines()
    # The stopped step is printed as a last step, then the epoch summary, then the reason
    assert lines[-3].startswith(f"step: {step}, acc: ")
    assert "loss: nan (data_loss: nan, reg_loss: 0.000), lr: 0.5" in lines[-3]
    assert lines[-2].startswith("training, acc: ") and "loss: nan" in lines[-2]
    assert lines[-1] == expected


def test_terminate_on_nan_stops_a_diverging_run(data):
    (X, y), _ = data
    model = classifier()
    model.set(optimizer=Optimizer_SGD(learning_rate=1e200))  # the weights overflow
    with np.errstate(over="ignore", invalid="ignore"):
        history = model.train(X, y, epochs=50, verbose=0, callbacks=[Callback_TerminateOnNaN()])
    assert history.epoch == [1, 2]
    assert history.stop_reason.startswith("Callback_TerminateOnNaN: the loss is nan at epoch 2")
    assert np.isfinite(history["loss"][0]) and np.isnan(history["loss"][1])


# ---------------------------------------------------------------------- checkpoints


def test_checkpoint_saves_parameters_that_load_back(data, tmp_path):
    (X, y), _ = data
    recorder = Recorder()
    checkpoint = Callback_Checkpoint(tmp_path / "epoch{epoch}.npz", every=3)
    model = classifier()
    model.train(X, y, epochs=7, verbose=0, callbacks=[recorder, checkpoint])
    assert checkpoint.saved == [(epoch, str(tmp_path / f"epoch{epoch}.npz")) for epoch in (3, 6, 7)]
    for epoch, path in checkpoint.saved:
        fresh = classifier(seed=99)
        fresh.load_parameters(path)
        assert_same_parameters(copies(fresh), recorder.parameters[epoch])


def test_checkpoint_best_only_with_a_custom_save(data, tmp_path):
    (X, y), validation = data
    written = []
    checkpoint = Callback_Checkpoint(
        tmp_path / "best-{val_loss:.3f}.npz",
        save=lambda model, path: written.append(path),
        save_best_only=True,
    )
    history = classifier().train(
        X, y, epochs=15, verbose=0, validation_data=validation, callbacks=[checkpoint]
    )
    best_so_far = np.minimum.accumulate(history["val_loss"])
    improved = [1] + [e + 1 for e in range(1, 15) if best_so_far[e] < best_so_far[e - 1]]
    assert [epoch for epoch, _ in checkpoint.saved] == improved
    assert written == [
        str(tmp_path / f"best-{history['val_loss'][e - 1]:.3f}.npz") for e in improved
    ]


def test_checkpoint_checks_its_directory_before_training(data, tmp_path):
    (X, y), _ = data
    model = classifier()
    before = copies(model)
    checkpoint = Callback_Checkpoint(tmp_path / "missing" / "model.npz")
    with pytest.raises(FileNotFoundError, match="does not exist; create it first"):
        model.train(X, y, epochs=3, verbose=0, callbacks=[checkpoint])
    assert_same_parameters(copies(model), before)


def test_a_full_checkpoint_resumes_to_the_uninterrupted_weights(data, tmp_path):
    (X, y), _ = data
    straight = classifier()
    straight.train(
        X, y, epochs=8, batch_size=16, shuffle=True, rng=np.random.default_rng(4), verbose=0
    )

    rng = np.random.default_rng(4)
    saver = Callback_Checkpoint(tmp_path / "epoch{epoch}.npz", full_checkpoint=True, rng=rng)
    classifier().train(
        X, y, epochs=5, batch_size=16, shuffle=True, rng=rng, verbose=0, callbacks=[saver]
    )
    checkpoint = load_checkpoint(tmp_path / "epoch3.npz")
    checkpoint.model.train(
        X,
        y,
        epochs=8,
        initial_epoch=checkpoint.epoch,
        batch_size=16,
        shuffle=True,
        rng=checkpoint.rng,
        verbose=0,
    )
    assert_same_parameters(copies(checkpoint.model), copies(straight))


def test_a_full_checkpoint_refuses_a_custom_save_as_well(tmp_path):
    with pytest.raises(ValueError, match="either save= or full_checkpoint=True"):
        Callback_Checkpoint(tmp_path / "x.npz", save=print, full_checkpoint=True)
