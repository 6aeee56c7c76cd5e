"""load_digits: scikit-learn's handwritten digits, a small real dataset that needs no network.

1,797 pictures of the digits 0-9, each 8x8 pixels with values 0...16 (the UCI "Optical
Recognition of Handwritten Digits" test set, bundled with scikit-learn). Small enough to
train on in seconds, real enough that a network's accuracy means something::

    X, y, X_test, y_test = load_digits()     # (1438, 64), (1438,), (359, 64), (359,)

scikit-learn is an optional extra of nnlite: ``pip install "nnlite[digits]"``.
"""

from __future__ import annotations

import numbers

import numpy as np

#: The largest pixel value of the digits (their pixels are counts of 0...16).
MAX_PIXEL = 16


def load_digits(
    *, test_fraction: float = 0.2, seed: int = 0, scale: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``X, y, X_test, y_test``: the digits, split at random into training and test data.

    **Split:** the samples are shuffled by ``np.random.default_rng(seed).permutation`` and
    the first ``round(test_fraction · 1797)`` become the test set (359 with the defaults).
    The same ``seed`` always gives the same split, and the global ``np.random`` stream (the
    book's) is not touched.

    **Scaling,** like the book's for Fashion-MNIST: ``(pixel - 8) / 8`` as float32 maps the
    pixels 0...16 to -1...1; ``scale=False`` keeps them as uint8 0...16. Each row is one
    picture's 64 pixels (``.reshape(-1, 8, 8)`` gives the pictures). The labels are uint8.
    """
    if isinstance(test_fraction, bool) or not isinstance(test_fraction, numbers.Real):
        raise TypeError(f"load_digits: test_fraction must be a number, got {test_fraction!r}")
    if not 0 < test_fraction < 1:
        raise ValueError(f"load_digits: test_fraction must be between 0 and 1, got {test_fraction}")
    try:
        from sklearn.datasets import load_digits as sklearn_load_digits
    except ImportError as error:
        raise ImportError(
            "load_digits needs scikit-learn, an optional extra of nnlite: "
            'pip install "nnlite[digits]"'
        ) from error
    pixels, labels = sklearn_load_digits(return_X_y=True)
    pixels = pixels.astype(np.uint8)  # whole numbers 0...16, stored by scikit-learn as floats
    labels = labels.astype(np.uint8)
    if scale:
        pixels = (pixels.astype(np.float32) - MAX_PIXEL / 2) / (MAX_PIXEL / 2)
    order = np.random.default_rng(seed).permutation(len(labels))
    test, train = np.split(order, [round(test_fraction * len(labels))])
    return pixels[train], labels[train], pixels[test], labels[test]
