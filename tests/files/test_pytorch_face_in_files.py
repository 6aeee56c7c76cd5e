"""A model trained with an nnlite.optim optimizer (PyTorch's face) saves, loads and resumes."""

import numpy as np
import pytest

import nnlite.optim as optim
from nnlite import (
    Accuracy_Categorical,
    Activation_ReLU,
    Activation_Softmax,
    Layer_Dense,
    Loss_CategoricalCrossentropy,
    Model,
    load_checkpoint,
    save_checkpoint,
)

RNG = np.random.default_rng(1)
X, Y = RNG.standard_normal((12, 2)), RNG.integers(0, 3, 12)


def model_with(make_optimizer, seed=0):
    rng = np.random.default_rng(seed)
    model = Model()
    for layer in (Layer_Dense(2, 4, rng=rng), Activation_ReLU(), Layer_Dense(4, 3, rng=rng)):
        model.add(layer)
    model.add(Activation_Softmax())
    model.set(
        loss=Loss_CategoricalCrossentropy(),
        optimizer=make_optimizer(model),
        accuracy=Accuracy_Categorical(),
    )
    model.finalize()
    return model


def two_groups(model):
    return optim.Adam(
        [
            {"params": model.layers[0].parameters()},
            {"params": model.layers[2].parameters(), "lr": 0.001},
        ],
        lr=0.01,
        betas=(0.8, 0.9),
        amsgrad=True,
    )


def sgd(model):
    return optim.SGD(model.parameters(), lr=0.1, momentum=0.9, nesterov=True)


def same_bits(first, second):
    return all(
        a.data.tobytes() == b.data.tobytes()
        for a, b in zip(first.parameters(), second.parameters(), strict=True)
    )


@pytest.mark.parametrize("make_optimizer", [two_groups, sgd], ids=["adam groups", "sgd"])
def test_model_load_restores_the_optimizer_and_training_goes_on_with_the_same_bits(
    tmp_path, make_optimizer
):
    model = model_with(make_optimizer)
    model.train(X, Y, epochs=3, verbose=0)
    model.save(tmp_path / "model.npz")
    loaded = Model.load(tmp_path / "model.npz")
    assert type(loaded.optimizer) is type(model.optimizer)
    assert loaded.optimizer.param_groups[-1]["lr"] == model.optimizer.param_groups[-1]["lr"]
    assert loaded.optimizer.defaults == model.optimizer.defaults
    model.train(X, Y, epochs=6, initial_epoch=3, verbose=0)
    loaded.train(X, Y, epochs=6, initial_epoch=3, verbose=0)
    assert same_bits(model, loaded)


def test_a_checkpoint_loads_into_a_model_built_in_code(tmp_path):
    model = model_with(two_groups)
    model.train(X, Y, epochs=3, verbose=0)
    save_checkpoint(tmp_path / "run.npz", model, epoch=3)
    other = model_with(two_groups, seed=5)
    load_checkpoint(tmp_path / "run.npz", other)
    model.train(X, Y, epochs=5, initial_epoch=3, verbose=0)
    other.train(X, Y, epochs=5, initial_epoch=3, verbose=0)
    assert same_bits(model, other)


def test_groups_that_hold_other_parameters_are_refused_and_nothing_changes(tmp_path):
    model = model_with(two_groups)
    model.train(X, Y, epochs=2, verbose=0)
    save_checkpoint(tmp_path / "run.npz", model, epoch=2)
    other = model_with(lambda m: optim.Adam(m.parameters(), lr=0.01), seed=5)
    before = [p.data.copy() for p in other.parameters()]
    with pytest.raises(ValueError, match="its groups hold the parameters"):
        load_checkpoint(tmp_path / "run.npz", other)
    assert all((p.data == b).all() for p, b in zip(other.parameters(), before, strict=True))
