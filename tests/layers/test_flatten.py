"""Layer_Flatten: PyTorch's flatten(1) order forward, the shape back backward."""

import numpy as np
import pytest
import torch

from nnlite import Layer_Flatten
from nnlite.gradcheck import check_gradients


def test_forward_is_pytorchs_flatten_and_backward_restores_the_shape():
    rng = np.random.default_rng(0)
    inputs = rng.standard_normal((3, 2, 4, 5))
    layer = Layer_Flatten()
    output = layer.forward(inputs)
    np.testing.assert_array_equal(output, torch.tensor(inputs).flatten(1).numpy())
    dvalues = rng.standard_normal((3, 40))
    layer.backward(dvalues)
    assert layer.dinputs.shape == inputs.shape
    # Backward is forward's inverse: flattening the gradient gives dvalues back
    np.testing.assert_array_equal(layer.dinputs.reshape(3, -1), dvalues)
    np.testing.assert_array_equal(layer.dinputs[1, 1, 2], dvalues[1, 30:35])


def test_gradients_match_finite_differences():
    inputs = np.random.default_rng(1).standard_normal((2, 3, 2, 2))
    report = check_gradients(Layer_Flatten(), inputs)
    assert set(report.errors) == {"dinputs"}
    assert report.passed, str(report)


@pytest.mark.parametrize("inputs", [np.float64(1.0), np.ones(4)], ids=["0-D", "1-D"])
def test_inputs_without_a_batch_axis_are_explained(inputs):
    with pytest.raises(ValueError, match=r"Layer_Flatten\(\): inputs must have a batch axis"):
        Layer_Flatten().forward(inputs)


def test_bad_dvalues_are_explained():
    layer = Layer_Flatten()
    with pytest.raises(RuntimeError, match="before forward"):
        layer.backward(np.ones((2, 4)))
    layer.forward(np.ones((2, 1, 2, 2)))
    with pytest.raises(ValueError, match=r"dvalues.*\(2, 4\), got \(2, 5\)"):
        layer.backward(np.ones((2, 5)))
