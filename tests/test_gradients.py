"""Clearing, accumulating and clipping the gradients of several layers, against PyTorch."""

import numpy as np
import pytest
import torch

from nnlite import (
    Layer_Dense,
    accumulate_gradients,
    clip_gradients_by_global_norm,
    clip_gradients_by_value,
    gradient_norm,
    zero_grad,
)


def layers_with_gradients(seed=0):
    rng = np.random.default_rng(seed)
    layers = [Layer_Dense(3, 4, rng=rng), Layer_Dense(4, 2, rng=rng)]
    for layer in layers:
        layer.dweights = rng.normal(size=layer.weights.shape) * 3
        layer.dbiases = rng.normal(size=layer.biases.shape) * 3
    return layers


def as_torch_parameters(layers):
    parameters = []
    for layer in layers:
        for array, gradient in ((layer.weights, layer.dweights), (layer.biases, layer.dbiases)):
            parameter = torch.tensor(array, requires_grad=True)
            parameter.grad = torch.tensor(gradient)
            parameters.append(parameter)
    return parameters


def gradients(layers):
    return [g for layer in layers for g in (layer.dweights, layer.dbiases)]


def test_accumulated_micro_batches_equal_torchs_accumulated_grad():
    rng = np.random.default_rng(1)
    X, dvalues = rng.normal(size=(10, 3)), rng.normal(size=(10, 4))
    layer = Layer_Dense(3, 4, weight_regularizer_l2=0.1, rng=rng)
    zero_grad([layer])
    with accumulate_gradients([layer]):
        for rows in (slice(0, 6), slice(6, 10)):
            layer.forward(X[rows])
            layer.backward(dvalues[rows])

    weights = torch.tensor(layer.weights, requires_grad=True)
    biases = torch.tensor(layer.biases, requires_grad=True)
    for rows in (slice(0, 6), slice(6, 10)):
        output = torch.tensor(X[rows]) @ weights + biases
        penalty = 0.1 * (weights * weights).sum()  # the L2 term, once per backward
        ((output * torch.tensor(dvalues[rows])).sum() + penalty).backward()
    np.testing.assert_allclose(layer.dweights, weights.grad.numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(layer.dbiases, biases.grad.numpy(), rtol=0, atol=1e-12)


def test_without_accumulation_backward_replaces_the_gradients_as_in_the_book():
    rng = np.random.default_rng(2)
    layer = Layer_Dense(3, 4, rng=rng)
    for _ in range(2):
        layer.forward(np.ones((2, 3)))
        layer.backward(np.ones((2, 4)))
    np.testing.assert_array_equal(layer.dbiases, np.full((1, 4), 2.0))


def test_zero_grad_clears_in_place_and_creates_missing_gradients():
    layers = layers_with_gradients()
    kept = layers[0].dweights
    fresh = Layer_Dense(2, 2)
    zero_grad([*layers, fresh])
    assert layers[0].dweights is kept
    assert all(not g.any() for g in gradients(layers))
    assert fresh.dweights.shape == (2, 2) and not fresh.dbiases.any()


@pytest.mark.parametrize("max_norm", [0.5, 2.0, 1e3])
def test_global_norm_clipping_equals_torchs_clip_grad_norm(max_norm):
    layers = layers_with_gradients()
    parameters = as_torch_parameters(layers)
    their_norm = torch.nn.utils.clip_grad_norm_(parameters, max_norm)
    our_norm = clip_gradients_by_global_norm(layers, max_norm)
    assert our_norm == pytest.approx(float(their_norm), rel=1e-14)
    for ours, theirs in zip(gradients(layers), parameters, strict=True):
        np.testing.assert_allclose(ours, theirs.grad.numpy(), rtol=0, atol=1e-14)


def test_value_clipping_equals_torchs_clip_grad_value():
    layers = layers_with_gradients()
    parameters = as_torch_parameters(layers)
    torch.nn.utils.clip_grad_value_(parameters, 1.5)
    clip_gradients_by_value(layers, 1.5)
    for ours, theirs in zip(gradients(layers), parameters, strict=True):
        np.testing.assert_array_equal(ours, theirs.grad.numpy())


def test_gradient_norm_is_the_norm_of_all_gradients_together():
    layers = layers_with_gradients()
    everything = np.concatenate([g.ravel() for g in gradients(layers)])
    assert gradient_norm(layers) == pytest.approx(np.linalg.norm(everything), rel=1e-14)
