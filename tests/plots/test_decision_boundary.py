"""plot_decision_boundary colours each grid point with the class the classifier predicts."""

import numpy as np
import pytest

from nnlite import Activation_Sigmoid, Activation_Softmax, Layer_Dense, Model
from nnlite.plots import plot_decision_boundary


def points(count=60, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(count, 2))
    return X, (X[:, 0] > 0).astype(int)


def pixel_centres(image, axis):
    """The x (axis 0) or y (axis 1) coordinate of each column / row centre of the image."""
    low, high = image.get_extent()[2 * axis : 2 * axis + 2]
    count = image.get_array().shape[1 - axis]
    return low + (np.arange(count) + 0.5) * (high - low) / count


def test_a_function_regions_and_data_are_drawn(rendered):
    X, y = points()
    figure = plot_decision_boundary(lambda p: (p[:, 0] > 0).astype(int), X, y, resolution=50)
    rendered(figure)
    (ax,) = figure.axes
    (image,) = ax.get_images()
    xs, ys = pixel_centres(image, 0), pixel_centres(image, 1)
    # Each pixel holds the class predicted at its centre
    expected = np.broadcast_to((xs > 0).astype(int), (len(ys), len(xs)))
    np.testing.assert_array_equal(image.get_array(), expected)
    # The data: one scatter per class, at the points of that class
    offsets = [collection.get_offsets() for collection in ax.collections]
    np.testing.assert_array_equal(offsets[0], X[y == 0])
    np.testing.assert_array_equal(offsets[1], X[y == 1])
    assert "accuracy on these points: 1.000" in ax.get_title()


def test_a_softmax_model_uses_its_predictions(rendered):
    X, _ = points(count=80, seed=1)
    model = Model()
    dense = Layer_Dense(2, 3)
    dense.weights = np.array([[2.0, -1.0, 0.0], [0.0, 1.5, -2.0]])
    dense.biases = np.array([[0.1, 0.0, -0.2]])
    model.add(dense)
    model.add(Activation_Softmax())
    model.finalize()
    y = np.argmax(X @ dense.weights + dense.biases, axis=1)
    figure = plot_decision_boundary(model, X, y, resolution=40)
    rendered(figure)
    (image,) = figure.axes[0].get_images()
    grid_x, grid_y = np.meshgrid(pixel_centres(image, 0), pixel_centres(image, 1))
    grid = np.column_stack([grid_x.ravel(), grid_y.ravel()])
    classes = np.argmax(grid @ dense.weights + dense.biases, axis=1).reshape(40, 40)
    np.testing.assert_array_equal(image.get_array(), classes)
    assert "accuracy on these points: 1.000" in figure.axes[0].get_title()


def test_a_sigmoid_model_and_one_hot_labels():
    X, y = points(count=30, seed=2)
    model = Model()
    dense = Layer_Dense(2, 1)
    dense.weights = np.array([[5.0], [0.0]])
    model.add(dense)
    model.add(Activation_Sigmoid())
    model.finalize()
    figure = plot_decision_boundary(model, X, np.eye(2)[y], resolution=20)
    (image,) = figure.axes[0].get_images()
    expected = np.broadcast_to((pixel_centres(image, 0) > 0).astype(int), (20, 20))
    np.testing.assert_array_equal(image.get_array(), expected)


def test_wrong_predictions_lower_the_accuracy_in_the_title():
    X, y = points(count=40, seed=3)
    figure = plot_decision_boundary(lambda p: np.zeros(len(p), dtype=int), X, y)
    assert f"accuracy on these points: {np.mean(y == 0):.3f}" in figure.axes[0].get_title()


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda X, y: plot_decision_boundary(object(), X, y), TypeError, "expected a Model"),
        (lambda X, y: plot_decision_boundary(Model(), X, y), RuntimeError, "finalize"),
        (
            lambda X, y: plot_decision_boundary(len, X[:, :1], y),
            ValueError,
            r"shape \(n_samples, 2\), got shape \(60, 1\)",
        ),
        (
            lambda X, y: plot_decision_boundary(lambda p: p[:, 0] > 0, X, y[:10]),
            ValueError,
            r"y must hold one class per point, shape \(60,\)",
        ),
        (
            lambda X, y: plot_decision_boundary(lambda p: np.zeros(3), X, y),
            ValueError,
            "the predictions must hold one class per point",
        ),
        (
            lambda X, y: plot_decision_boundary(lambda p: p[:, 0] * 100, X, y),
            ValueError,
            "is this a regression model",
        ),
    ],
)
def test_bad_arguments_are_named(call, error, message):
    X, y = points()
    with pytest.raises(error, match=message):
        call(X, y)
