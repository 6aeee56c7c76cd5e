"""The gradient options every optimizer shares, against PyTorch, and their declaration."""

from __future__ import annotations

import inspect

import numpy as np
import pytest
import torch

from nnlite import Layer_Dense, Optimizer_Adam, Optimizer_AdamW, Optimizer_Rprop, Optimizer_SGD
from nnlite.optimizers import gradient_options


def test_l1_decay_adds_nothing_where_a_weight_is_zero_as_torch_sign():
    layer = Layer_Dense(3, 4, rng=np.random.default_rng(0), dtype=np.float64)
    layer.weights[0, :] = 0.0  # torch.sign(0) = 0: no L1 push on these
    rng = np.random.default_rng(1)
    layer.dweights = rng.standard_normal(layer.weights.shape)
    layer.dbiases = rng.standard_normal(layer.biases.shape)
    expected = torch.tensor(layer.weights)
    gradient = torch.tensor(layer.dweights)
    expected -= 0.1 * (gradient + 0.01 * torch.sign(expected))

    Optimizer_SGD(learning_rate=0.1, l1_decay=0.01).step([layer])

    np.testing.assert_array_equal(layer.weights, expected.numpy())


def test_the_shared_options_are_declared_once_and_shown_in_every_signature():
    for cls in (Optimizer_Adam, Optimizer_SGD):
        parameters = inspect.signature(cls).parameters
        for name, (default, _) in gradient_options.OPTIONS.items():
            assert parameters[name].default == default
            assert parameters[name].kind is inspect.Parameter.KEYWORD_ONLY
        assert "clip_norm=None" in cls.__doc__
    # AdamW's own default for weight_decay stays its own
    assert inspect.signature(Optimizer_AdamW).parameters["weight_decay"].default == 0.01
    # Rprop takes only the options that can change its steps
    assert "clip_value" not in inspect.signature(Optimizer_Rprop).parameters


@pytest.mark.parametrize("misspelled", ["weight_decya", "clipnorm"])
def test_a_misspelled_option_is_refused_with_the_class_name(misspelled):
    with pytest.raises(TypeError, match="Optimizer_Adam.. got an unexpected keyword argument"):
        Optimizer_Adam(**{misspelled: 0.1})


def test_book_sgd_momentum_must_be_below_one():
    with pytest.raises(ValueError, match="Invalid momentum value: 1.5"):
        Optimizer_SGD(momentum=1.5)
    with pytest.raises(ValueError, match="Invalid momentum value: 1.0"):
        Optimizer_SGD(momentum=1.0)
