"""Shared pieces of the security suite: small real files to tamper with, and a snapshot that
proves a refused load changed nothing (the fixtures are in conftest.py).

Every case of issue 13 is a test in this folder; a refused load must raise ``ValueError``
(or ``TypeError`` for a wrong argument in code), never another exception, and leave the
model, its optimizer and the global random stream exactly as they were.
"""

import copy
import json
import zipfile

import numpy as np

from nnlite import (
    Accuracy_Categorical,
    Activation_ReLU,
    Activation_Softmax,
    Layer_Dense,
    Layer_Dropout,
    Loss_CategoricalCrossentropy,
    Optimizer_Adam,
)
from nnlite.training.model import Model


def blobs(seed=0, samples=30):
    """Three Gaussian blobs in 2-D, labels 0..2."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, size=samples)
    X = rng.normal(size=(samples, 2)) + np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 3.0]])[y]
    return X, y


def classifier(seed=1, *, optimizer=None, dropout_rng=True):
    """2-8-3 softmax classifier with a dropout layer on its own generator."""
    rng = np.random.default_rng(seed)
    model = Model()
    model.add(Layer_Dense(2, 8, rng=rng))
    model.add(Activation_ReLU())
    model.add(Layer_Dropout(0.2, rng=np.random.default_rng(seed) if dropout_rng else None))
    model.add(Layer_Dense(8, 3, rng=rng))
    model.add(Activation_Softmax())
    model.set(
        loss=Loss_CategoricalCrossentropy(),
        optimizer=optimizer or Optimizer_Adam(learning_rate=0.01, decay=1e-3),
        accuracy=Accuracy_Categorical(),
    )
    model.finalize()
    return model


def trained(seed=1, **options):
    model = classifier(seed, **options)
    model.train(*blobs(), epochs=2, verbose=0)
    return model


def entries(path):
    """The arrays of an .npz file (read with NumPy, as an attacker's tool would)."""
    with np.load(path, allow_pickle=False) as archive:
        return dict(archive)


def write_entries(path, arrays):
    np.savez(path, **arrays)


def edit_description(path, change):
    """Rewrite the JSON entry of an nnlite file with ``change(tree)``."""
    arrays = entries(path)
    tree = json.loads(str(arrays["description"]))
    change(tree)
    arrays["description"] = np.array(json.dumps(tree))
    write_entries(path, arrays)


def write_raw_zip(path, members):
    """A zip of ``{name: bytes}`` members (any bytes at all, headers included)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)


def raw_members(path):
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def snapshot(model):
    """Everything a load could change: every layer's and the optimizer's attributes (deep
    copies) and the global random stream."""
    layers = [copy.deepcopy(vars(layer)) for layer in model.layers]
    optimizer = model.optimizer
    state = {k: v for k, v in vars(optimizer).items() if k != "_cached_settings"}
    return layers, copy.deepcopy(state), np.random.get_state(legacy=False)


def assert_same(before, after):
    """Two snapshots are equal to the bit (arrays compared by bytes, dtype and shape)."""

    def same(a, b):
        if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
            return (
                isinstance(a, np.ndarray)
                and isinstance(b, np.ndarray)
                and a.dtype == b.dtype
                and a.shape == b.shape
                and a.tobytes() == b.tobytes()
            )
        if isinstance(a, dict) and isinstance(b, dict):
            return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
        if isinstance(a, list | tuple) and isinstance(b, list | tuple):
            return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
        if isinstance(a, np.random.Generator) and isinstance(b, np.random.Generator):
            return same(a.bit_generator.state, b.bit_generator.state)
        if type(a).__name__ == "OptimizerRecord":
            return same(a.steps, b.steps) and same(a.extras, b.extras)
        if hasattr(a, "__dict__") and type(a) is type(b) and not callable(a):
            return True  # layers referenced from groups: compared where they live
        return a == b or (a != a and b != b)

    assert same(before, after)
