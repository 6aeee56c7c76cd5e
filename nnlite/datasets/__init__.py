"""Datasets: the book's generated data, Fashion-MNIST, and the handwritten digits.

* ``spiral_data(samples, classes)``, ``vertical_data(samples, classes)`` and
  ``sine_data(samples)``, from the ``nnfs`` package. The first two draw from the global
  ``np.random`` stream (seeded by ``nnfs.init()``), so the book's numbers are reproduced.
* Fashion-MNIST as the book uses it (chapter 19): :func:`download_fashion_mnist` and
  :func:`load_fashion_mnist_images` for the book's PNG archive,
  :func:`download_fashion_mnist_idx` and :func:`load_fashion_mnist_idx` for the original
  IDX files, :func:`load_idx` for any IDX file, :data:`fashion_mnist_labels` for the names.
* :func:`load_digits`: 1,797 handwritten digits of 8x8 pixels, shipped with nnlite.
"""

from nnfs.datasets import sine_data, spiral_data, vertical_data

from nnlite.datasets.archive import extract_zip
from nnlite.datasets.digits import load_digits
from nnlite.datasets.download import DownloadError, download_file
from nnlite.datasets.fashion_mnist import (
    download_fashion_mnist,
    download_fashion_mnist_idx,
    fashion_mnist_labels,
    load_fashion_mnist_idx,
    load_fashion_mnist_images,
)
from nnlite.datasets.idx import load_idx

__all__ = [
    "DownloadError",
    "download_fashion_mnist",
    "download_fashion_mnist_idx",
    "download_file",
    "extract_zip",
    "fashion_mnist_labels",
    "load_digits",
    "load_fashion_mnist_idx",
    "load_fashion_mnist_images",
    "load_idx",
    "sine_data",
    "spiral_data",
    "vertical_data",
]
