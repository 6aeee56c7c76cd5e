"""Loss.regularization_loss: the L1/L2 penalties, for one layer (chapters 14-17) or all layers.

References: the penalty formulas written out independently here, and torch (the penalty that
tests/torch_gold.py adds to its scalar).
"""

import numpy as np
import pytest

from nnlite import (
    Activation_ReLU,
    Activation_Softmax_Loss_CategoricalCrossentropy,
    Layer_Dense,
    Layer_Dropout,
    Loss_CategoricalCrossentropy,
    Loss_MeanSquaredError,
)
from tests.torch_gold import torch_dense

STRENGTHS = {
    "none": {},
    "weight L1": {"weight_regularizer_l1": 0.3},
    "weight L2": {"weight_regularizer_l2": 5e-4},
    "bias L1": {"bias_regularizer_l1": 0.01},
    "bias L2": {"bias_regularizer_l2": 0.2},
    "all four": {
        "weight_regularizer_l1": 1e-3,
        "weight_regularizer_l2": 5e-4,
        "bias_regularizer_l1": 2e-3,
        "bias_regularizer_l2": 5e-4,
    },
}


def regularized_layer(seed, strengths, n_inputs=4, n_neurons=3):
    rng = np.random.default_rng(seed)
    layer = Layer_Dense(n_inputs, n_neurons, **strengths, rng=rng)
    layer.biases = rng.standard_normal((1, n_neurons))
    return layer


def penalty(layer, strengths):
    """λ₁·Σ|w| + λ₂·Σw² for the weights, and the same for the biases."""
    w, b = layer.weights, layer.biases
    return (
        strengths.get("weight_regularizer_l1", 0) * np.abs(w).sum()
        + strengths.get("weight_regularizer_l2", 0) * (w**2).sum()
        + strengths.get("bias_regularizer_l1", 0) * np.abs(b).sum()
        + strengths.get("bias_regularizer_l2", 0) * (b**2).sum()
    )


@pytest.mark.parametrize("strengths", STRENGTHS.values(), ids=STRENGTHS.keys())
def test_one_layer_penalty_is_the_l1_l2_formula_and_torch(strengths):
    layer = regularized_layer(1, strengths)
    ours = Loss_CategoricalCrossentropy().regularization_loss(layer)
    zeros = np.zeros((1, layer.n_neurons))
    theirs = torch_dense(np.zeros((1, 4)), layer.weights, layer.biases, zeros, **strengths)
    np.testing.assert_allclose(ours, penalty(layer, strengths), rtol=1e-14, atol=0)
    np.testing.assert_allclose(ours, theirs["penalty"], rtol=1e-12, atol=0)


def test_remembered_layers_add_up_and_unregularized_layers_count_zero():
    layers = [
        regularized_layer(2, STRENGTHS["all four"]),
        Activation_ReLU(),
        Layer_Dropout(0.1),
        regularized_layer(3, STRENGTHS["weight L2"], n_inputs=3, n_neurons=2),
        regularized_layer(4, STRENGTHS["none"], n_inputs=2, n_neurons=2),
    ]
    trainable = [layer for layer in layers if hasattr(layer, "weights")]
    loss = Loss_MeanSquaredError()
    loss.remember_trainable_layers(trainable)
    expected = penalty(layers[0], STRENGTHS["all four"]) + penalty(
        layers[3], STRENGTHS["weight L2"]
    )
    np.testing.assert_allclose(loss.regularization_loss(), expected, rtol=1e-14, atol=0)
    assert loss.regularization_loss(layers[4]) == 0


def test_before_remembering_layers_the_total_penalty_is_zero():
    assert Loss_MeanSquaredError().regularization_loss() == 0


def test_calculate_with_regularization_returns_data_and_regularization_loss():
    layer = regularized_layer(5, STRENGTHS["all four"])
    loss = Loss_MeanSquaredError()
    loss.remember_trainable_layers([layer])
    predictions, targets = np.zeros((2, 3)), np.ones((2, 3))
    data_loss, regularization_loss = loss.calculate(
        predictions, targets, include_regularization=True
    )
    assert data_loss == 1.0
    np.testing.assert_allclose(regularization_loss, penalty(layer, STRENGTHS["all four"]))


def test_chapter_14_pattern_through_the_combined_objects_loss():
    layer = regularized_layer(6, STRENGTHS["weight L2"])
    softmax_loss = Activation_Softmax_Loss_CategoricalCrossentropy()
    np.testing.assert_allclose(
        softmax_loss.loss.regularization_loss(layer), penalty(layer, STRENGTHS["weight L2"])
    )


def test_a_layer_without_biases_has_no_bias_penalty():
    """Layer_Dense(..., bias=False) refuses bias strengths; one set afterwards (or a hand-written
    layer with strengths but no biases) must not reach for the missing ``biases``."""
    rng = np.random.default_rng(8)
    layer = Layer_Dense(4, 3, weight_regularizer_l2=0.5, bias=False, rng=rng)
    layer.bias_regularizer_l1 = layer.bias_regularizer_l2 = 0.25
    expected = 0.5 * np.sum(layer.weights**2)
    assert Loss_MeanSquaredError().regularization_loss(layer) == expected
    loss = Loss_MeanSquaredError()
    loss.remember_trainable_layers([layer, regularized_layer(1, STRENGTHS["all four"])])
    assert loss.regularization_loss() > expected
