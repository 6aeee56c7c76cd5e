"""After its first steps, an optimizer update allocates no parameter-sized temporary.

``tracemalloc`` sees NumPy's data buffers, so the peak of traced memory during one
``optimizer.step([layer])`` bounds every temporary array the update made. The layer's weights
are 256 x 256 float64 (512 KiB); the peak must stay below a quarter of that (128 KiB), which
leaves room for small Python objects and NumPy's fixed-size casting buffers (about 9 KiB, used
by Rprop's comparisons written into float arrays) but not for a temporary copy of the weights.
Each optimizer is measured at several steps after two warm-up steps, so that branches taken
later (RAdam's rectification from t = 6, ASGD's averaging after t0) are measured too.
"""

import tracemalloc

import numpy as np
import pytest

from nnlite import Layer_Dense, Optimizer_SGD
from tests.optimizers.configurations import CONFIGURATIONS

WARM_UP_STEPS = 2
MEASURED_STEPS = 6  # steps 3 to 8


#: Muon orthogonalizes a matrix through its smaller side, so it is measured both ways
LAYER_SHAPES = {"muon, tall weights": (256, 192), "muon, wide weights": (192, 256)}


def make_layer(name=None):
    rng = np.random.default_rng(0)
    layer = Layer_Dense(*LAYER_SHAPES.get(name, (256, 256)), rng=rng)
    return layer, rng


def set_gradients(layer, rng):
    # New gradients each step (flipping signs too, for Rprop), made outside the measurement
    layer.dweights = rng.standard_normal(layer.weights.shape)
    layer.dbiases = rng.standard_normal(layer.biases.shape)


def peak_of_one_step(optimizer, layer):
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        optimizer.step([layer])
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("name", list(CONFIGURATIONS))
def test_an_update_allocates_no_parameter_sized_array(name):
    layer, rng = make_layer(name)
    optimizer = CONFIGURATIONS[name]()
    limit = layer.weights.nbytes // 4
    for _ in range(WARM_UP_STEPS):
        set_gradients(layer, rng)
        optimizer.step([layer])
    for step in range(WARM_UP_STEPS + 1, WARM_UP_STEPS + MEASURED_STEPS + 1):
        set_gradients(layer, rng)
        before = layer.weights.copy()
        peak = peak_of_one_step(optimizer, layer)
        assert peak < limit, (
            f"{name}: step {step} allocated up to {peak} bytes; one weights array is "
            f"{layer.weights.nbytes} bytes, the limit {limit}"
        )
        assert not np.array_equal(layer.weights, before)  # the step did update


def test_the_measurement_sees_a_parameter_sized_temporary():
    """The check can fail: an update written with a temporary is caught."""

    class Optimizer_WastefulSGD(Optimizer_SGD):
        def update_rule(self, weights, gradient, update):
            weights += -update.learning_rate * gradient  # allocates a temporary array

    layer, rng = make_layer()
    optimizer = Optimizer_WastefulSGD(0.1)
    set_gradients(layer, rng)
    optimizer.step([layer])
    set_gradients(layer, rng)
    assert peak_of_one_step(optimizer, layer) >= layer.weights.nbytes
