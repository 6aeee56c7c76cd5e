"""load_digits: the shipped digits are scikit-learn's, checked, split and scaled, and learnable."""

import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import sklearn.datasets

from nnlite import (
    Accuracy_Categorical,
    Activation_ReLU,
    Activation_Softmax,
    Layer_Dense,
    Loss_CategoricalCrossentropy,
    Model,
    Optimizer_Adam,
)
from nnlite.datasets import load_digits
from nnlite.datasets.digits import DIGITS_PATH, DIGITS_SHA256, read_digits
from nnlite.datasets.download import file_digest


def test_split_and_scaling():
    pixels, labels = sklearn.datasets.load_digits(return_X_y=True)
    X, y, X_test, y_test = load_digits()
    assert X.shape == (1438, 64) and X_test.shape == (359, 64)
    assert X.dtype == np.float32 and y.dtype == np.uint8
    order = np.random.default_rng(0).permutation(1797)
    test, train = order[:359], order[359:]
    # (pixel - 8) / 8 maps 0...16 onto -1...1
    np.testing.assert_array_equal(X, ((pixels[train] - 8) / 8).astype(np.float32))
    np.testing.assert_array_equal(X_test, ((pixels[test] - 8) / 8).astype(np.float32))
    np.testing.assert_array_equal(y, labels[train])
    np.testing.assert_array_equal(y_test, labels[test])
    assert X.min() == -1.0 and X.max() == 1.0


def test_unscaled_pixels_and_other_splits():
    X, _, X_test, _ = load_digits(scale=False, test_fraction=0.5, seed=3)
    assert X.dtype == np.uint8 and X.max() == 16
    assert len(X_test) == round(0.5 * 1797)
    again = load_digits(scale=False, test_fraction=0.5, seed=3)[0]
    np.testing.assert_array_equal(X, again)
    assert not np.array_equal(load_digits(seed=1)[1], load_digits(seed=2)[1])


def test_the_global_random_stream_is_not_touched():
    np.random.seed(5)
    expected = np.random.rand()
    np.random.seed(5)
    load_digits()
    assert np.random.rand() == expected


@pytest.mark.parametrize(
    "fraction, error, message",
    [
        (0, ValueError, "test_fraction must be between 0 and 1, got 0"),
        (1, ValueError, "between 0 and 1, got 1"),
        (-0.1, ValueError, "between 0 and 1, got -0.1"),
        (1.5, ValueError, "between 0 and 1, got 1.5"),
        (True, TypeError, "test_fraction must be a number, got True"),
        ("0.2", TypeError, "test_fraction must be a number, got '0.2'"),
    ],
)
def test_test_fraction_is_checked(fraction, error, message):
    with pytest.raises(error, match=message):
        load_digits(test_fraction=fraction)


def test_the_shipped_file_holds_scikit_learns_digits():
    images, labels = read_digits()
    pixels, expected_labels = sklearn.datasets.load_digits(return_X_y=True)
    assert images.shape == (1797, 8, 8) and images.dtype == np.uint8
    assert labels.shape == (1797,) and labels.dtype == np.uint8
    np.testing.assert_array_equal(images.reshape(1797, 64), pixels)
    np.testing.assert_array_equal(labels, expected_labels)


def test_the_checksum_in_the_code_and_in_datasets_readme_is_the_files():
    assert file_digest(DIGITS_PATH) == DIGITS_SHA256
    readme = (Path(__file__).parents[2] / "datasets" / "README.md").read_text()
    assert f"`{DIGITS_SHA256}`" in readme


def test_a_damaged_file_is_refused_with_its_checksum(tmp_path):
    damaged = tmp_path / "digits.npz"
    content = bytearray(DIGITS_PATH.read_bytes())
    content[1000] ^= 1  # one bit flipped
    damaged.write_bytes(bytes(content))
    digest = file_digest(damaged)
    message = f"is damaged or not nnlite.s digits file: its SHA-256 is {digest}"
    with pytest.raises(OSError, match=message):
        read_digits(damaged)


@pytest.mark.slow  # a subprocess
def test_scikit_learn_is_not_needed():
    script = textwrap.dedent(
        """
        import sys
        sys.modules["sklearn"] = None  # as if scikit-learn were not installed
        from nnlite.datasets import load_digits
        print(load_digits()[0].shape)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "(1438, 64)"


def test_a_model_learns_the_digits():
    """64-64-10, ReLU, softmax, cross-entropy and Adam: at least 95% on the test set."""
    X, y, X_test, y_test = load_digits()
    rng = np.random.default_rng(0)
    model = Model()
    model.add(Layer_Dense(64, 64, rng=rng))
    model.add(Activation_ReLU())
    model.add(Layer_Dense(64, 10, rng=rng))
    model.add(Activation_Softmax())
    model.set(
        loss=Loss_CategoricalCrossentropy(),
        optimizer=Optimizer_Adam(learning_rate=0.005),
        accuracy=Accuracy_Categorical(),
    )
    model.finalize()
    history = model.train(X, y, epochs=15, batch_size=32, shuffle=True, rng=rng, verbose=0)
    loss, accuracy = model.evaluate(X_test, y_test, verbose=0)
    assert accuracy >= 0.95, f"test accuracy {accuracy:.3f} (loss {loss:.3f})"
    assert history["loss"][-1] < history["loss"][0]
