"""Optimizer_SparseAdam against torch.optim.SparseAdam on an embedding, float64, 40 steps.

Both sides start from the same table and see the same random batches of ids (repeats
included) and the same upstream gradients; nnlite's ``Layer_Embedding`` and
``torch.nn.Embedding(sparse=True)`` each compute their own row-sparse gradient. After every
step the weights and both moments must agree within 1e-10.
"""

import copy
import tracemalloc
from dataclasses import dataclass, field

import numpy as np
import pytest
import torch

from nnlite.activations.relu import Activation_ReLU
from nnlite.layers.dense import Layer_Dense
from nnlite.layers.embedding import Layer_Embedding
from nnlite.losses.softmax_categorical_crossentropy import (
    Activation_Softmax_Loss_CategoricalCrossentropy,
)
from nnlite.optimizers.adam import Optimizer_Adam
from nnlite.optimizers.sparse_adam import Optimizer_SparseAdam

TOLERANCE = 1e-10
STEPS = 40


@dataclass(frozen=True)
class Case:
    name: str
    ours: dict = field(default_factory=dict)
    theirs: dict = field(default_factory=dict)
    ids_shape: tuple = (6, 3)
    decay: float = 0.0  # the book's decay; torch gets LambdaLR(1 / (1 + decay·k))

    def __str__(self):
        return self.name


CASES = [
    Case("defaults"),
    Case("lr 0.05", {"learning_rate": 0.05}, {"lr": 0.05}),
    Case(
        "betas (0.5, 0.9), epsilon 1e-3",
        {"learning_rate": 0.05, "beta_1": 0.5, "beta_2": 0.9, "epsilon": 1e-3},
        {"lr": 0.05, "betas": (0.5, 0.9), "eps": 1e-3},
    ),
    Case("maximize", {"learning_rate": 0.05, "maximize": True}, {"lr": 0.05, "maximize": True}),
    Case("one id per sample", {"learning_rate": 0.05}, {"lr": 0.05}, ids_shape=(8,)),
    Case("decay 0.1", {"learning_rate": 0.05, "decay": 0.1}, {"lr": 0.05}, decay=0.1),
]


@pytest.mark.parametrize("case", CASES, ids=str)
def test_matches_torch_sparse_adam_on_an_embedding(case):
    rng = np.random.default_rng(0)
    layer = Layer_Embedding(20, 4, rng=rng, name="words")
    embedding = torch.nn.Embedding(20, 4, sparse=True, dtype=torch.float64)
    with torch.no_grad():
        embedding.weight.copy_(torch.from_numpy(layer.weights))
    ours = Optimizer_SparseAdam(**case.ours)
    theirs = torch.optim.SparseAdam(embedding.parameters(), **case.theirs)
    decay = case.decay
    scheduler = torch.optim.lr_scheduler.LambdaLR(theirs, lambda k: 1.0 / (1.0 + decay * k))
    start = layer.weights.copy()
    for step in range(1, STEPS + 1):
        ids = rng.integers(0, 20, size=case.ids_shape)
        targets = rng.standard_normal((*case.ids_shape, 4))
        # Loss Σ (output - target)² on both sides
        layer.backward(2 * (layer.forward(ids) - targets))
        ours.step([layer])
        theirs.zero_grad()
        ((embedding(torch.from_numpy(ids)) - torch.from_numpy(targets)) ** 2).sum().backward()
        theirs.step()
        scheduler.step()

        state = theirs.state[embedding.weight]
        for label, our_value, their_value in [
            ("weights", layer.weights, embedding.weight.detach()),
            ("weight_momentums", layer.weight_momentums, state["exp_avg"]),
            ("weight_cache", layer.weight_cache, state["exp_avg_sq"]),
        ]:
            their_value = their_value.numpy()
            difference = float(np.max(np.abs(our_value - their_value)))
            assert difference < TOLERANCE, (
                f"{case} step {step}: {label} differs from torch by {difference:.3g}\n"
                f"ours:\n{our_value}\ntheirs:\n{their_value}"
            )
    assert np.max(np.abs(layer.weights - start)) > 1e-3


def test_rows_not_looked_up_keep_their_weights_and_moments():
    rng = np.random.default_rng(1)
    layer = Layer_Embedding(10, 3, rng=rng)
    optimizer = Optimizer_SparseAdam(0.1)
    layer.forward(np.array([0, 1, 2, 3]))
    layer.backward(rng.standard_normal((4, 3)))
    optimizer.step([layer])
    weights, momentums = layer.weights.copy(), layer.weight_momentums.copy()
    cache = layer.weight_cache.copy()

    layer.forward(np.array([2, 2, 7]))
    layer.backward(rng.standard_normal((3, 3)))
    optimizer.step([layer])
    unchanged = [0, 1, 3, 4, 5, 6, 8, 9]
    for name, before in [
        ("weights", weights),
        ("weight_momentums", momentums),
        ("weight_cache", cache),
    ]:
        after = getattr(layer, name)
        np.testing.assert_array_equal(after[unchanged], before[unchanged], err_msg=name)
        assert not np.array_equal(after[[2, 7]], before[[2, 7]]), name


def test_an_empty_batch_changes_nothing_but_counts_the_step():
    layer = Layer_Embedding(5, 2, rng=np.random.default_rng(0))
    optimizer = Optimizer_SparseAdam()
    layer.forward(np.array([], dtype=int))
    layer.backward(np.zeros((0, 2)))
    before = layer.weights.copy()
    optimizer.step([layer])
    np.testing.assert_array_equal(layer.weights, before)
    assert layer.optimizer_state.steps["weights"] == 1  # as torch, whose step also counts


def test_a_dense_gradient_raises_torchs_error():
    layer = Layer_Embedding(5, 2, sparse=False, rng=np.random.default_rng(0))
    layer.forward(np.array([1, 2]))
    layer.backward(np.ones((2, 2)))
    with pytest.raises(RuntimeError, match="SparseAdam does not support dense gradients"):
        Optimizer_SparseAdam().update_params(layer)


def test_a_layer_without_a_gradient_raises():
    layer = Layer_Embedding(5, 2, rng=np.random.default_rng(0))
    with pytest.raises(RuntimeError, match="dweights is missing"):
        Optimizer_SparseAdam().update_params(layer)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"learning_rate": -1.0}, "Invalid learning rate: -1.0"),
        ({"learning_rate": 0.0}, "Invalid learning rate: 0.0"),
        ({"epsilon": 0.0}, "Invalid epsilon value: 0.0"),
        ({"epsilon": -1.0}, "Invalid epsilon value: -1.0"),
        ({"beta_1": 1.0}, "Invalid beta parameter at index 0: 1.0"),
        ({"beta_2": 1.5}, "Invalid beta parameter at index 1: 1.5"),
        ({"decay": -1.0}, "Invalid decay value: -1.0"),
    ],
)
def test_invalid_hyperparameters_raise_torchs_messages(arguments, message):
    with pytest.raises(ValueError, match=message):
        Optimizer_SparseAdam(**arguments)


def test_reduces_the_loss_of_an_embedding_classifier():
    # 50 ids, each with its own class: embedding (SparseAdam) → dense (Adam) → softmax
    rng = np.random.default_rng(2)
    labels = rng.integers(0, 3, size=50)
    embedding = Layer_Embedding(50, 8, rng=rng)
    relu = Activation_ReLU()
    dense = Layer_Dense(8, 3, rng=rng, weight_initializer="he")
    loss_activation = Activation_Softmax_Loss_CategoricalCrossentropy()
    sparse_adam, adam = Optimizer_SparseAdam(0.05), Optimizer_Adam(0.05)
    losses = []
    for _ in range(200):
        ids = rng.integers(0, 50, size=16)
        relu.forward(embedding.forward(ids))
        dense.forward(relu.output)
        losses.append(loss_activation.forward(dense.output, labels[ids]))
        loss_activation.backward(loss_activation.output, labels[ids])
        dense.backward(loss_activation.dinputs)
        relu.backward(dense.dinputs)
        embedding.backward(relu.dinputs)
        sparse_adam.step([embedding])
        adam.step([dense])
    assert np.mean(losses[-20:]) < 0.5 * np.mean(losses[:20]), (losses[:20], losses[-20:])


def test_an_update_allocates_only_arrays_the_size_of_the_looked_up_rows():
    rng = np.random.default_rng(0)
    layer = Layer_Embedding(4000, 16, rng=rng)  # a 512 KiB table
    optimizer = Optimizer_SparseAdam()
    for step in range(6):
        ids = rng.integers(0, 4000, size=32)  # at most 32 rows: 4 KiB per rows-sized array
        layer.forward(ids)
        layer.backward(rng.standard_normal((32, 16)))
        tracemalloc.start()
        try:
            tracemalloc.reset_peak()
            optimizer.step([layer])
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
        if step >= 1:
            assert peak < layer.weights.nbytes // 16, (step, peak, layer.weights.nbytes)


def test_stopping_saving_loading_and_going_on_gives_the_same_weights():
    def train(optimizer, layer, seed, steps):
        rng = np.random.default_rng(seed)
        for _ in range(steps):
            ids = rng.integers(0, 20, size=(6, 3))
            layer.backward(layer.forward(ids) - rng.standard_normal((6, 3, 4)))
            optimizer.step([layer])

    uninterrupted = Layer_Embedding(20, 4, rng=np.random.default_rng(0), name="words")
    first = Optimizer_SparseAdam(0.05)
    train(first, uninterrupted, 1, 5)
    train(first, uninterrupted, 2, 5)

    stopped = Layer_Embedding(20, 4, rng=np.random.default_rng(0), name="words")
    before = Optimizer_SparseAdam(0.05)
    train(before, stopped, 1, 5)
    checkpoint = copy.deepcopy(before.state_dict([stopped]))  # as if written to disk
    resumed = Layer_Embedding(20, 4, rng=np.random.default_rng(9), name="words")
    resumed.weights = stopped.weights.copy()
    after = Optimizer_SparseAdam(0.05)
    after.load_state_dict(checkpoint, [resumed])
    train(after, resumed, 2, 5)
    np.testing.assert_array_equal(resumed.weights, uninterrupted.weights)
