"""Files of convolutional networks: a model, its parameters and a checkpoint, round trips."""

import numpy as np
import pytest

from nnlite import (
    Accuracy_Categorical,
    Activation_ReLU,
    Activation_Softmax,
    Layer_AvgPool2D,
    Layer_BatchNormalization,
    Layer_Conv2D,
    Layer_Dense,
    Layer_Flatten,
    Layer_MaxPool2D,
    Loss_CategoricalCrossentropy,
    Model,
    Optimizer_Adam,
    load_checkpoint,
    save_checkpoint,
)


def network(seed=0):
    rng = np.random.default_rng(seed)
    model = Model()
    for layer in [
        Layer_Conv2D(1, 4, 3, padding="same", rng=rng),
        Layer_BatchNormalization(4),
        Activation_ReLU(),
        Layer_MaxPool2D(2),
        Layer_Conv2D(4, 6, 2, padding=(1, 0), bias=False, rng=rng),
        Activation_ReLU(),
        Layer_AvgPool2D(2, stride=1),
        Layer_Flatten(),
        Layer_Dense(6 * 4 * 2, 3, rng=rng),
        Layer_BatchNormalization(3, affine=False),
        Activation_Softmax(),
    ]:
        model.add(layer)
    model.set(
        loss=Loss_CategoricalCrossentropy(),
        optimizer=Optimizer_Adam(0.01),
        accuracy=Accuracy_Categorical(),
    )
    model.finalize()
    return model


def data():
    rng = np.random.default_rng(1)
    return rng.standard_normal((20, 1, 8, 8)), rng.integers(0, 3, 20)


def train(model, epochs, initial_epoch=0):
    X, y = data()
    model.train(
        X, y, epochs=epochs, batch_size=5, verbose=0, initial_epoch=initial_epoch,
        shuffle=True, rng=np.random.default_rng(2),
    )  # fmt: skip


def test_a_saved_model_loads_with_its_running_statistics(tmp_path):
    model = network()
    train(model, 3)
    model.save(tmp_path / "cnn.npz")
    loaded = Model.load(tmp_path / "cnn.npz")
    X, _ = data()
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))
    for ours, theirs in zip(loaded.layers, model.layers, strict=True):
        assert repr(ours) == repr(theirs)
    np.testing.assert_array_equal(loaded.layers[9].running_mean, model.layers[9].running_mean)


def test_parameters_round_trip_into_a_network_built_in_code(tmp_path):
    model = network()
    train(model, 2)
    model.save_parameters(tmp_path / "parameters.npz")
    other = network(seed=5)
    other.load_parameters(tmp_path / "parameters.npz")
    X, _ = data()
    np.testing.assert_array_equal(other.predict(X), model.predict(X))


def test_resuming_from_a_checkpoint_gives_the_bits_of_one_run(tmp_path):
    straight = network()
    train(straight, 4)
    first = network()
    train(first, 2)
    save_checkpoint(tmp_path / "run.npz", first, epoch=2)
    resumed = load_checkpoint(tmp_path / "run.npz").model
    # The shuffling generator starts again, so both runs shuffle alike only from a fresh one:
    # compare the weights after the same two further epochs, each from its own generator
    again = network()
    train(again, 2)
    train(again, 4, initial_epoch=2)
    train(resumed, 4, initial_epoch=2)
    for ours, theirs in zip(resumed.layers, again.layers, strict=True):
        for name in ("weights", "biases", "running_mean", "running_var"):
            if hasattr(theirs, name):
                assert getattr(ours, name).tobytes() == getattr(theirs, name).tobytes()


def test_a_file_with_other_settings_is_refused_when_loaded_into_code(tmp_path):
    model = network()
    save_checkpoint(tmp_path / "run.npz", model, epoch=0)
    other = network()
    other.layers[4] = Layer_Conv2D(4, 6, 2, padding=(1, 1), bias=False)
    other.finalize()
    with pytest.raises(ValueError, match="padding is"):
        load_checkpoint(tmp_path / "run.npz", other)
