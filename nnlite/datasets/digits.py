"""load_digits: handwritten digits, a small real dataset that ships with nnlite.

1,797 pictures of the digits 0-9, each 8x8 pixels with values 0...16: the test set of the UCI
"Optical Recognition of Handwritten Digits" data (E. Alpaydin and C. Kaynak, 1998; UCI Machine
Learning Repository, https://doi.org/10.24432/C50P49, licensed CC BY 4.0), the same copy
scikit-learn bundles. Small enough to train on in seconds, real enough that a network's
accuracy means something::

    X, y, X_test, y_test = load_digits()     # (1438, 64), (1438,), (359, 64), (359,)

The pictures are stored beside this module, in ``digits.npz`` (45 kB: ``images``, uint8
(1797, 8, 8), and ``labels``, uint8 (1797,)). Its SHA-256 checksum, :data:`DIGITS_SHA256`, is
checked every time the file is read; ``datasets/README.md`` in the repository says where the
data comes from and how the file was made.
"""

from __future__ import annotations

import numbers
from pathlib import Path

import numpy as np

from nnlite.datasets.download import file_digest

#: The largest pixel value of the digits (their pixels are counts of 0...16).
MAX_PIXEL = 16
#: The shipped file, package data of nnlite.
DIGITS_PATH = Path(__file__).with_name("digits.npz")
#: The SHA-256 checksum of ``digits.npz`` (also written in ``datasets/README.md``).
DIGITS_SHA256 = "b2dab7b501728c22e9119ad76740b2e17c77a231e42d1e592380d90886f1a05e"


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
    images, labels = read_digits()
    pixels = images.reshape(len(images), -1)
    if scale:
        pixels = (pixels.astype(np.float32) - MAX_PIXEL / 2) / (MAX_PIXEL / 2)
    order = np.random.default_rng(seed).permutation(len(labels))
    test, train = np.split(order, [round(test_fraction * len(labels))])
    return pixels[train], labels[train], pixels[test], labels[test]


def read_digits(path: str | Path = DIGITS_PATH) -> tuple[np.ndarray, np.ndarray]:
    """``images, labels``: all 1,797 digits as stored, uint8 (1797, 8, 8) and (1797,).

    The file's SHA-256 must be :data:`DIGITS_SHA256`; a damaged or replaced file raises
    ``OSError`` before any of it is used.
    """
    digest = file_digest(path, "sha256")
    if digest != DIGITS_SHA256:
        raise OSError(
            f"load_digits: {path} is damaged or not nnlite's digits file: its SHA-256 is "
            f"{digest}, expected {DIGITS_SHA256}; reinstall nnlite (or, in a clone of the "
            f"repository, `git checkout -- {Path(path).name}` in nnlite/datasets/)"
        )
    with np.load(path, allow_pickle=False) as arrays:
        return arrays["images"], arrays["labels"]
