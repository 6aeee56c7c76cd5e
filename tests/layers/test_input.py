"""Layer_Input hands its inputs on, the same array (as the book's Model expects)."""

import numpy as np

from nnlite import Layer_Input


def test_output_is_the_inputs_array_itself():
    inputs = np.arange(6.0).reshape(3, 2)
    layer = Layer_Input()
    assert layer.forward(inputs, training=True) is inputs
    assert layer.output is inputs
