"""Accuracy_Categorical and Accuracy_Regression, and their running totals (book chapters 18-19).

The expected values are the book's comparisons computed directly on the whole data.
"""

import numpy as np
import pytest

from nnlite import Accuracy_Categorical, Accuracy_Regression

RNG = np.random.default_rng(4)
LABELS = RNG.integers(0, 3, size=12)
PREDICTED_CLASSES = np.where(RNG.uniform(size=12) < 0.6, LABELS, (LABELS + 1) % 3)
EXPECTED = np.mean(PREDICTED_CLASSES == LABELS)


def test_categorical_with_class_indices():
    assert Accuracy_Categorical().calculate(PREDICTED_CLASSES, LABELS) == EXPECTED


def test_categorical_with_one_hot_targets():
    one_hot = np.eye(3)[LABELS]
    assert Accuracy_Categorical().calculate(PREDICTED_CLASSES, one_hot) == EXPECTED


def test_binary_compares_each_output_as_it_is():
    targets = np.array([[0], [1], [1], [0], [1]])
    predictions = np.array([[0], [1], [0], [0], [0]])
    accuracy = Accuracy_Categorical(binary=True).calculate(predictions, targets)
    assert accuracy == 3 / 5


def test_binary_predictions_against_1d_targets_is_refused_with_both_shapes():
    predictions = np.array([[0], [1], [0]])
    with pytest.raises(ValueError, match=r"Accuracy_Categorical.*\(3, 1\).*\(3,\)"):
        Accuracy_Categorical(binary=True).calculate(predictions, np.array([0, 1, 1]))


def test_regression_precision_is_std_over_250_and_kept_unless_reinit():
    y = RNG.normal(size=(50, 1))
    accuracy = Accuracy_Regression()
    accuracy.init(y)
    assert accuracy.precision == np.std(y) / 250
    accuracy.init(2 * y)
    assert accuracy.precision == np.std(y) / 250
    accuracy.init(2 * y, reinit=True)
    assert accuracy.precision == np.std(2 * y) / 250


def test_regression_counts_predictions_within_the_precision():
    y = RNG.normal(size=(40, 1))
    accuracy = Accuracy_Regression()
    accuracy.init(y)
    precision = np.std(y) / 250
    offsets = np.where(np.arange(40) % 4 == 0, 2 * precision, precision / 2).reshape(-1, 1)
    assert accuracy.calculate(y + offsets, y) == 0.75


def test_regression_without_init_takes_the_precision_from_the_first_targets():
    y = np.array([[0.0], [1.0], [2.0]])
    accuracy = Accuracy_Regression()
    accuracy.calculate(y, y)
    assert accuracy.precision == np.std(y) / 250


def test_regression_with_a_chosen_precision():
    accuracy = Accuracy_Regression(precision=0.5)
    accuracy.init(np.arange(10.0))
    assert accuracy.precision == 0.5
    assert accuracy.calculate(np.array([0.0, 0.4, 0.6]), np.zeros(3)) == 2 / 3


def test_calculate_works_without_new_pass():
    accuracy = Accuracy_Categorical()
    assert accuracy.calculate(PREDICTED_CLASSES, LABELS) == EXPECTED
    assert accuracy.calculate_accumulated() == EXPECTED


def test_accumulation_across_batches_and_new_pass():
    accuracy = Accuracy_Categorical()
    accuracy.calculate(PREDICTED_CLASSES[:2], LABELS[:2] + 1)
    accuracy.new_pass()
    for batch in (slice(0, 5), slice(5, 9), slice(9, 12)):
        accuracy.calculate(PREDICTED_CLASSES[batch], LABELS[batch])
    assert accuracy.calculate_accumulated() == EXPECTED
    accuracy.new_pass()
    with pytest.raises(RuntimeError, match=r"Accuracy_Categorical.*no batch"):
        accuracy.calculate_accumulated()
