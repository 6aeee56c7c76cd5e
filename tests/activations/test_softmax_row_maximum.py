"""row_maximum, the softmax's fast row maximum, equals NumPy's ``max(axis=1, keepdims=True)``."""

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from nnlite.activations.softmax import FEW_COLUMNS, row_maximum

SPECIAL = [np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-45, -3.5, 2.0]


@given(
    hnp.arrays(
        dtype=st.sampled_from([np.float32, np.float64]),
        shape=hnp.array_shapes(min_dims=2, max_dims=2, min_side=0, max_side=FEW_COLUMNS + 3),
        elements=st.sampled_from(SPECIAL) | st.floats(-1e3, 1e3, width=32),
    )
)
def test_row_maximum_equals_numpys_reduction(values):
    if values.shape[1] == 0:
        with pytest.raises(ValueError):
            row_maximum(values)
        return
    expected = values.max(axis=1, keepdims=True)
    got = row_maximum(values)
    assert got.dtype == expected.dtype and got.shape == expected.shape
    # Same values, NaN where NumPy has NaN; a zero's sign may differ (max(0.0, -0.0) is
    # either), and exp(x - ±0) is the same, so the softmax is unchanged
    np.testing.assert_array_equal(got, expected)


@pytest.mark.parametrize("columns", [1, 3, FEW_COLUMNS, FEW_COLUMNS + 1, 100])
def test_softmax_output_is_unchanged_bit_for_bit(columns):
    from nnlite import Activation_Softmax

    scores = np.random.default_rng(columns).standard_normal((257, columns)).astype(np.float32)
    exp_values = np.exp(scores - scores.max(axis=1, keepdims=True))
    expected = exp_values / exp_values.sum(axis=1, keepdims=True)
    softmax = Activation_Softmax()
    softmax.forward(scores)
    assert softmax.output.tobytes() == expected.tobytes()


def test_integer_scores_keep_their_dtype():
    values = np.array([[1, 5, 3], [7, -2, 0]])
    got = row_maximum(values)
    assert got.dtype == values.dtype
    np.testing.assert_array_equal(got, [[5], [7]])
