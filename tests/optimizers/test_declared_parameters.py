"""Every optimizer trains what a layer declares: BatchNormalization's γ and β, and the weights
alone of a Layer_Dense(bias=False).

Reference: the same optimizer on a plain Layer_Dense holding the same arrays and gradients.
The rules act on each parameter by itself, so the updates must agree bit for bit.
"""

import numpy as np
import pytest

import nnlite.optimizers
from nnlite import Layer_BatchNormalization, Layer_Dense

# LBFGS needs step(closure, layers) and SparseAdam an embedding's sparse gradient: both have
# their own tests (test_lbfgs.py, test_sparse_adam.py)
NEEDS_SPECIAL_CALLS = {"Optimizer", "Optimizer_LBFGS", "Optimizer_SparseAdam"}
OPTIMIZERS = [
    name
    for name in nnlite.optimizers.__all__
    if name.startswith("Optimizer") and name not in NEEDS_SPECIAL_CALLS
]
STEPS = 3


def step(optimizer, layers):
    optimizer.pre_update_params()
    for layer in layers:
        optimizer.update_params(layer)
    optimizer.post_update_params()


def test_the_table_covers_every_optimizer():
    every = {name for name in nnlite.optimizers.__all__ if name.startswith("Optimizer")}
    assert set(OPTIMIZERS) | NEEDS_SPECIAL_CALLS == every
    assert NEEDS_SPECIAL_CALLS <= every  # no stale name in the list of skipped ones


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_every_optimizer_trains_batch_normalization_and_a_bias_free_dense_layer(name):
    rng = np.random.default_rng(0)
    dense = Layer_Dense(3, 4, bias=False, rng=rng)
    normalization = Layer_BatchNormalization(4)
    # The references: plain dense layers with the same arrays (a (1, 4) weights row for γ)
    dense_reference = Layer_Dense(3, 4, rng=rng)
    dense_reference.weights = dense.weights.copy()
    normalization_reference = Layer_Dense(1, 4, rng=rng)
    normalization_reference.weights = normalization.weights.copy()
    normalization_reference.biases = normalization.biases.copy()
    initial = (dense.weights.copy(), normalization.weights.copy(), normalization.biases.copy())

    optimizer = getattr(nnlite.optimizers, name)()
    reference_optimizer = getattr(nnlite.optimizers, name)()
    for _ in range(STEPS):
        inputs = rng.standard_normal((8, 3))
        normalization.forward(dense.forward(inputs))
        normalization.backward(rng.standard_normal((8, 4)))
        dense.backward(normalization.dinputs)
        dense_reference.dweights = dense.dweights.copy()
        dense_reference.dbiases = np.zeros((1, 4))
        normalization_reference.dweights = normalization.dweights.copy()
        normalization_reference.dbiases = normalization.dbiases.copy()
        step(optimizer, [dense, normalization])
        step(reference_optimizer, [dense_reference, normalization_reference])

    # Every parameter moved, exactly as the reference's
    for moved, start in zip(
        (dense.weights, normalization.weights, normalization.biases), initial, strict=True
    ):
        assert not np.array_equal(moved, start)
    assert dense.weights.tobytes() == dense_reference.weights.tobytes()
    assert normalization.weights.tobytes() == normalization_reference.weights.tobytes()
    assert normalization.biases.tobytes() == normalization_reference.biases.tobytes()
    assert not hasattr(dense, "biases")


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_batch_normalization_without_affine_has_nothing_to_train(name):
    normalization = Layer_BatchNormalization(2, affine=False)
    normalization.forward(np.random.default_rng(1).standard_normal((5, 2)))
    normalization.backward(np.ones((5, 2)))
    before = vars(normalization).copy()
    optimizer = getattr(nnlite.optimizers, name)()
    optimizer.step([normalization])  # step() passes over layers without parameters
    with pytest.raises(TypeError, match=r"Layer_BatchNormalization\(2, affine=False\) has no "):
        optimizer.update_params(normalization)
    assert vars(normalization).keys() == before.keys()
