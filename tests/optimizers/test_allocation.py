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

from nnlite import (
    Layer_Dense,
    Optimizer_Adadelta,
    Optimizer_Adafactor,
    Optimizer_Adagrad,
    Optimizer_Adam,
    Optimizer_Adamax,
    Optimizer_AdamW,
    Optimizer_ASGD,
    Optimizer_Lion,
    Optimizer_Muon,
    Optimizer_NAdam,
    Optimizer_RAdam,
    Optimizer_RMSprop,
    Optimizer_Rprop,
    Optimizer_SGD,
)

WARM_UP_STEPS = 2
MEASURED_STEPS = 6  # steps 3 to 8

OPTIMIZERS = {
    "sgd": lambda: Optimizer_SGD(0.1),
    "sgd decay, momentum": lambda: Optimizer_SGD(0.1, decay=0.01, momentum=0.9),
    "sgd dampening": lambda: Optimizer_SGD(0.1, momentum=0.9, dampening=0.5),
    "sgd nesterov": lambda: Optimizer_SGD(0.1, momentum=0.9, nesterov=True),
    "sgd torch form, nesterov": lambda: Optimizer_SGD(
        0.1, momentum=0.9, nesterov=True, momentum_form="torch"
    ),
    "adagrad": lambda: Optimizer_Adagrad(0.1),
    "adagrad lr_decay, initial accumulator": lambda: Optimizer_Adagrad(
        0.1, lr_decay=0.01, initial_accumulator_value=0.1
    ),
    "rmsprop": lambda: Optimizer_RMSprop(0.01),
    "rmsprop centered": lambda: Optimizer_RMSprop(0.01, centered=True),
    "rmsprop momentum": lambda: Optimizer_RMSprop(0.01, momentum=0.9),
    "rmsprop centered, momentum": lambda: Optimizer_RMSprop(0.01, momentum=0.9, centered=True),
    "adam": lambda: Optimizer_Adam(0.01),
    "adam amsgrad": lambda: Optimizer_Adam(0.01, amsgrad=True),
    "adam decoupled": lambda: Optimizer_Adam(0.01, weight_decay=0.1, decoupled_weight_decay=True),
    "adamw": lambda: Optimizer_AdamW(0.01),
    "adadelta": lambda: Optimizer_Adadelta(),
    "adamax": lambda: Optimizer_Adamax(),
    "nadam": lambda: Optimizer_NAdam(),
    "nadam decoupled": lambda: Optimizer_NAdam(weight_decay=0.1, decoupled_weight_decay=True),
    "radam": lambda: Optimizer_RAdam(),
    "radam decoupled": lambda: Optimizer_RAdam(weight_decay=0.1, decoupled_weight_decay=True),
    "asgd averaging from t0 = 3": lambda: Optimizer_ASGD(0.01, t0=3),
    "rprop": lambda: Optimizer_Rprop(),
    "adafactor": lambda: Optimizer_Adafactor(),
    "adafactor weight_decay": lambda: Optimizer_Adafactor(weight_decay=0.1),
    "lion": lambda: Optimizer_Lion(0.01, weight_decay=0.1),
    "muon, tall weights": lambda: Optimizer_Muon(0.02),
    "muon, wide weights": lambda: Optimizer_Muon(0.02),
    # The base's gradient options, on top of a rule
    "weight_decay (coupled)": lambda: Optimizer_Adam(0.01, weight_decay=0.1),
    "l1_decay": lambda: Optimizer_SGD(0.1, momentum=0.9, l1_decay=0.01),
    "maximize": lambda: Optimizer_RMSprop(0.01, maximize=True),
    "clip_value": lambda: Optimizer_Adam(0.01, clip_value=0.5),
    "clip_norm": lambda: Optimizer_NAdam(clip_norm=1.0),
    "global_clip_norm": lambda: Optimizer_SGD(0.1, momentum=0.9, global_clip_norm=1.0),
    "every option": lambda: Optimizer_Adam(
        0.01,
        decay=0.01,
        weight_decay=0.1,
        l1_decay=0.01,
        maximize=True,
        clip_value=0.5,
        clip_norm=1.0,
        global_clip_norm=1.0,
    ),
    "rprop weight_decay, l1_decay, maximize": lambda: Optimizer_Rprop(
        weight_decay=0.1, l1_decay=0.01, maximize=True
    ),
}


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


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_an_update_allocates_no_parameter_sized_array(name):
    layer, rng = make_layer(name)
    optimizer = OPTIMIZERS[name]()
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
