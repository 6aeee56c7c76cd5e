"""The book's generated datasets are nnfs's own functions, re-exported unchanged."""

import nnfs.datasets

import nnlite
import nnlite.datasets


def test_the_nnfs_functions_themselves():
    assert nnlite.datasets.spiral_data is nnfs.datasets.spiral_data
    assert nnlite.datasets.vertical_data is nnfs.datasets.vertical_data
    assert nnlite.datasets.sine_data is nnfs.datasets.sine_data
    assert nnlite.spiral_data is nnfs.datasets.spiral_data
