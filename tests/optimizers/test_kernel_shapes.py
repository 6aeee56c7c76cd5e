"""Every optimizer on a convolution kernel (F, C, kh, kw), not only on matrices.

An element-wise rule does to a kernel what it does to the same numbers laid out as a matrix,
to the bit; Muon treats a kernel as the matrix of its flattened filters (test_muon.py), and
Adafactor factors over the last two axes (test_adafactor.py compares a 3-D parameter with
torch).
"""

import numpy as np
import pytest

from nnlite import Layer_Conv2D
from nnlite.optimizers.engine import plans
from tests.optimizers.configurations import CONFIGURATIONS

ELEMENT_WISE = {
    name: make for name, make in CONFIGURATIONS.items() if plans._rule_is_elementwise(make())
}


class Layer_Matrix:
    """The same numbers as a kernel's, as one matrix and one row of biases."""

    def __init__(self, kernel):
        self.weights = kernel.weights.reshape(len(kernel.weights), -1).copy()
        self.biases = kernel.biases.copy()


@pytest.mark.parametrize("name", list(ELEMENT_WISE))
def test_an_element_wise_rule_updates_a_kernel_as_the_same_numbers_in_a_matrix(name):
    rng = np.random.default_rng(3)
    kernel = Layer_Conv2D(3, 4, (2, 3), rng=rng, dtype=np.float64)
    kernel.biases = rng.standard_normal(kernel.biases.shape)
    matrix = Layer_Matrix(kernel)
    ours, reference = ELEMENT_WISE[name](), ELEMENT_WISE[name]()
    for _ in range(4):
        kernel.dweights = rng.standard_normal(kernel.weights.shape)
        kernel.dbiases = rng.standard_normal(kernel.biases.shape)
        matrix.dweights = kernel.dweights.reshape(matrix.weights.shape).copy()
        matrix.dbiases = kernel.dbiases.copy()
        ours.step([kernel])
        reference.step([matrix])
    assert kernel.weights.reshape(matrix.weights.shape).tobytes() == matrix.weights.tobytes()
    assert kernel.biases.tobytes() == matrix.biases.tobytes()
