"""The book's datasets, from the ``nnfs`` package: spiral, vertical and sine data.

``spiral_data(samples, classes)`` and ``vertical_data(samples, classes)`` draw from the global
``np.random`` stream (seeded by ``nnfs.init()``), so the book's numbers are reproduced.
"""

from nnfs.datasets import sine_data, spiral_data, vertical_data

__all__ = ["sine_data", "spiral_data", "vertical_data"]
