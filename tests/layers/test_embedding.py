"""Layer_Embedding: lookups and row-sparse gradients, against torch.nn.Embedding(sparse=True)
in float64 and against central finite differences; validation of ids; accumulation.
"""

import numpy as np
import pytest
import torch

from nnlite.gradients import accumulate_gradients, gradient_norm, zero_grad
from nnlite.layers.embedding import Layer_Embedding, SparseRows
from nnlite.optimizers.adam import Optimizer_Adam
from nnlite.parameters import WEIGHTS, trainable_parameters

ID_SHAPES = [(7,), (5, 3), (1, 1), (0,)]


def lookup_case(seed, shape, num_embeddings=6, embedding_dim=4):
    rng = np.random.default_rng(seed)
    layer = Layer_Embedding(num_embeddings, embedding_dim, rng=rng)
    ids = rng.integers(0, num_embeddings, size=shape)
    dvalues = rng.standard_normal((*shape, embedding_dim))
    return layer, ids, dvalues


def torch_embedding(weights, ids, dvalues):
    embedding = torch.nn.Embedding(*weights.shape, sparse=True, dtype=torch.float64)
    with torch.no_grad():
        embedding.weight.copy_(torch.from_numpy(weights))
    output = embedding(torch.from_numpy(ids))
    (output * torch.from_numpy(dvalues)).sum().backward()
    gradient = embedding.weight.grad.coalesce()
    return output.detach().numpy(), gradient


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("shape", ID_SHAPES, ids=str)
def test_forward_and_sparse_gradient_match_torch(seed, shape):
    layer, ids, dvalues = lookup_case(seed, shape)
    output = layer.forward(ids)
    layer.backward(dvalues)
    their_output, their_gradient = torch_embedding(layer.weights, ids, dvalues)

    assert output.shape == (*shape, 4)
    np.testing.assert_array_equal(output, their_output)
    assert isinstance(layer.dweights, SparseRows)
    np.testing.assert_array_equal(layer.dweights.indices, their_gradient.indices()[0].numpy())
    np.testing.assert_allclose(
        layer.dweights.values, their_gradient.values().numpy(), rtol=0, atol=1e-12
    )
    np.testing.assert_allclose(
        layer.dweights.to_dense(), their_gradient.to_dense().numpy(), rtol=0, atol=1e-12
    )
    assert layer.dinputs is None


@pytest.mark.parametrize("shape", [(9,), (4, 5)], ids=str)
def test_dense_gradient_matches_torch(shape):
    layer, ids, dvalues = lookup_case(3, shape)
    layer.sparse = False
    layer.forward(ids)
    layer.backward(dvalues)
    _, their_gradient = torch_embedding(layer.weights, ids, dvalues)
    assert isinstance(layer.dweights, np.ndarray)
    np.testing.assert_allclose(
        layer.dweights, their_gradient.to_dense().numpy(), rtol=0, atol=1e-12
    )


def test_gradient_matches_central_finite_differences():
    # f = Σ output · R, so df/dweights is what backward(R) computes
    layer, ids, dvalues = lookup_case(4, (6, 3), num_embeddings=5, embedding_dim=3)
    ids[0, 0] = ids[1, 2] = 2  # a row looked up more than once
    layer.forward(ids)
    layer.backward(dvalues)
    analytic = np.asarray(layer.dweights)
    epsilon = 1e-6
    numeric = np.zeros_like(layer.weights)
    for index in np.ndindex(layer.weights.shape):
        original = layer.weights[index]
        layer.weights[index] = original + epsilon
        above = np.sum(layer.forward(ids) * dvalues)
        layer.weights[index] = original - epsilon
        below = np.sum(layer.forward(ids) * dvalues)
        layer.weights[index] = original
        numeric[index] = (above - below) / (2 * epsilon)
    np.testing.assert_allclose(analytic, numeric, rtol=1e-7, atol=1e-8)
    # Rows that were never looked up have exactly zero gradient
    unused = np.setdiff1d(np.arange(5), ids)
    assert not numeric[unused].any() and not analytic[unused].any()


def test_weights_are_standard_normal_from_the_given_rng_or_the_global_stream():
    layer = Layer_Embedding(5, 3, rng=np.random.default_rng(42))
    np.testing.assert_array_equal(layer.weights, np.random.default_rng(42).standard_normal((5, 3)))
    state = np.random.get_state()
    try:
        np.random.seed(7)
        layer = Layer_Embedding(5, 3)
        np.random.seed(7)
        np.testing.assert_array_equal(layer.weights, np.random.randn(5, 3))
    finally:
        np.random.set_state(state)


def test_the_only_trainable_parameter_is_weights():
    layer = Layer_Embedding(4, 2, rng=np.random.default_rng(0))
    assert trainable_parameters(layer) == (WEIGHTS,)
    assert not hasattr(layer, "biases")


@pytest.mark.parametrize(
    ("ids", "error", "message"),
    [
        (np.array([0.0, 1.0]), TypeError, "integer ids, got dtype float64"),
        (np.array([True, False]), TypeError, "integer ids, got dtype bool"),
        (np.array([0, 6]), IndexError, r"id 6 is out of range; ids must be in \[0, 6\)"),
        (np.array([-1, 2]), IndexError, "id -1 is out of range"),
        (np.zeros((2, 2, 2), dtype=int), ValueError, r"shape \(n,\) or \(n, k\)"),
        (np.int64(3), ValueError, r"got a 0-D array"),
        ([["a"]], TypeError, "integer ids"),
    ],
)
def test_invalid_ids_raise_errors_that_name_the_layer(ids, error, message):
    layer = Layer_Embedding(6, 2, rng=np.random.default_rng(0))
    with pytest.raises(error, match=message) as raised:
        layer.forward(ids)
    assert "Layer_Embedding(6, 2)" in str(raised.value)


def test_a_list_of_ids_works():
    layer = Layer_Embedding(6, 2, rng=np.random.default_rng(0))
    np.testing.assert_array_equal(layer.forward([[1, 2], [3, 1]]), layer.weights[[[1, 2], [3, 1]]])


@pytest.mark.parametrize(
    ("arguments", "error"),
    [((0, 3), ValueError), ((3, -1), ValueError), ((2.5, 3), TypeError), ((True, 3), TypeError)],
)
def test_invalid_sizes_raise(arguments, error):
    with pytest.raises(error, match="Layer_Embedding"):
        Layer_Embedding(*arguments)


def test_backward_checks_its_input():
    layer = Layer_Embedding(6, 2, rng=np.random.default_rng(0))
    with pytest.raises(RuntimeError, match="before forward"):
        layer.backward(np.ones((3, 2)))
    layer.forward(np.array([1, 2, 3]))
    with pytest.raises(ValueError, match=r"\(3, 2\), got \(3, 3\)"):
        layer.backward(np.ones((3, 3)))


def test_a_dense_optimizer_refuses_a_sparse_gradient():
    layer, ids, dvalues = lookup_case(0, (4,))
    layer.forward(ids)
    layer.backward(dvalues)
    before = layer.weights.copy()
    with pytest.raises(RuntimeError, match="does not support sparse gradients, .*SparseAdam"):
        Optimizer_Adam().update_params(layer)
    np.testing.assert_array_equal(layer.weights, before)


def test_a_dense_embedding_trains_with_a_dense_optimizer():
    layer, ids, dvalues = lookup_case(0, (4,))
    layer.sparse = False
    layer.forward(ids)
    layer.backward(dvalues)
    before = layer.weights.copy()
    Optimizer_Adam(0.1).update_params(layer)
    assert not np.array_equal(layer.weights, before)


def test_accumulated_gradients_are_the_sum_and_stay_sparse():
    layer, ids, dvalues = lookup_case(5, (4, 2))
    other_ids = np.array([[0, 5], [5, 5], [1, 0], [2, 3]])
    expected = np.zeros_like(layer.weights)
    np.add.at(expected, ids.reshape(-1), dvalues.reshape(-1, 4))
    np.add.at(expected, other_ids.reshape(-1), dvalues.reshape(-1, 4))

    zero_grad([layer])  # leaves a dense zero array, as for any layer
    with accumulate_gradients([layer]):
        for batch in (ids, other_ids):
            layer.forward(batch)
            layer.backward(dvalues)
    assert isinstance(layer.dweights, SparseRows)
    np.testing.assert_allclose(np.asarray(layer.dweights), expected, rtol=0, atol=1e-12)
    # Outside the block, backward replaces the gradient again
    layer.forward(ids)
    layer.backward(dvalues)
    assert set(layer.dweights.indices) == set(ids.reshape(-1))


def test_sparse_rows_work_with_gradient_norm_and_scaling():
    layer, ids, dvalues = lookup_case(6, (5,))
    layer.forward(ids)
    layer.backward(dvalues)
    dense = layer.dweights.to_dense()
    assert gradient_norm([layer]) == pytest.approx(np.linalg.norm(dense), rel=1e-12)
    layer.dweights *= 0.5
    np.testing.assert_allclose(layer.dweights.to_dense(), 0.5 * dense)
