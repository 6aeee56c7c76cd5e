"""``fused=True`` (the compiled rules, optimizers/engine/compiled.py) gives the NumPy bits.

The NumPy rule is checked against torch.optim in test_torch_parity.py; these tests check that
the compiled loop equals it exactly, including on values that expose any reordering or fused
multiply-add (gradients over ten orders of magnitude), on NaN and infinities, with amsgrad,
with the gradient options that run before the rule, and on the blocked path's threads.
numba is in the test extra, so CI always runs them.
"""

import numpy as np
import pytest

from nnlite import (
    Layer_Dense,
    Optimizer_Adagrad,
    Optimizer_Adam,
    Optimizer_AdamW,
    Optimizer_SGD,
    Schedule_Lambda,
)
from nnlite.optimizers.engine import blocks, compiled

CONFIGURATIONS = {
    "adam": (Optimizer_Adam, {"learning_rate": 0.01}),
    "adam, book defaults": (Optimizer_Adam, {}),
    "amsgrad": (Optimizer_Adam, {"learning_rate": 0.01, "amsgrad": True}),
    "adam, coupled weight decay and clipping": (
        Optimizer_Adam,
        {"learning_rate": 0.01, "weight_decay": 0.1, "clip_value": 5.0, "maximize": True},
    ),
    "adam, decoupled weight decay": (
        Optimizer_Adam,
        {"learning_rate": 0.01, "weight_decay": 0.1, "decoupled_weight_decay": True},
    ),
    "adamw": (Optimizer_AdamW, {}),
    "sgd": (Optimizer_SGD, {"learning_rate": 0.1}),
    "sgd, book momentum and decay": (
        Optimizer_SGD,
        {"learning_rate": 0.1, "momentum": 0.9, "decay": 0.01},
    ),
    "sgd, book momentum, dampening": (
        Optimizer_SGD,
        {"learning_rate": 0.1, "momentum": 0.9, "dampening": 0.3},
    ),
    "sgd, book nesterov": (
        Optimizer_SGD,
        {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True},
    ),
    "sgd, torch form, dampening": (
        Optimizer_SGD,
        {"learning_rate": 0.1, "momentum": 0.9, "dampening": 0.3, "momentum_form": "torch"},
    ),
    "sgd, torch form, nesterov": (
        Optimizer_SGD,
        {"learning_rate": 0.1, "momentum": 0.9, "nesterov": True, "momentum_form": "torch"},
    ),
    "adagrad": (Optimizer_Adagrad, {"learning_rate": 0.1}),
    "adagrad, lr_decay and initial accumulator": (
        Optimizer_Adagrad,
        {"learning_rate": 0.1, "lr_decay": 0.01, "initial_accumulator_value": 0.1},
    ),
}


def gradients(rng, shape, dtype):
    """Normal values scaled by 10⁻⁵ to 10⁵: rounding differences would show at once."""
    scale = 10.0 ** rng.integers(-5, 6, size=shape)
    return (rng.standard_normal(shape) * scale).astype(dtype)


def train(options, dtype, shape=(37, 29), steps=6, optimizer_class=Optimizer_Adam):
    rng = np.random.default_rng(11)
    layer = Layer_Dense(*shape, rng=rng, dtype=dtype)
    optimizer = optimizer_class(**options)
    for _ in range(steps):
        layer.dweights = gradients(rng, layer.weights.shape, dtype)
        layer.dbiases = gradients(rng, layer.biases.shape, dtype)
        optimizer.step([layer])
    names = ["weights", "biases", *layer.optimizer_state.state_attributes]
    return {name: getattr(layer, name).copy() for name in names}


def assert_same_bits(fused, plain):
    assert fused.keys() == plain.keys()
    for name in plain:
        assert fused[name].dtype == plain[name].dtype, name
        assert fused[name].tobytes() == plain[name].tobytes(), name


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", list(CONFIGURATIONS))
def test_fused_gives_the_numpy_rules_bits(name, dtype):
    optimizer_class, options = CONFIGURATIONS[name]
    fused = train({**options, "fused": True}, dtype, optimizer_class=optimizer_class)
    plain = train(options, dtype, optimizer_class=optimizer_class)
    assert_same_bits(fused, plain)


@pytest.mark.parametrize(
    "optimizer_class, loop",
    [(Optimizer_Adam, "adam"), (Optimizer_SGD, "sgd"), (Optimizer_Adagrad, "adagrad")],
)
def test_the_compiled_loop_really_runs(optimizer_class, loop, monkeypatch):
    """A fused optimizer goes through its compiled loop (and a plain one does not)."""
    calls = []
    original = getattr(compiled, loop)
    monkeypatch.setattr(compiled, loop, lambda *a, **k: calls.append(1) or original(*a, **k))
    train({"fused": True}, np.float32, steps=2, optimizer_class=optimizer_class)
    assert len(calls) == 4  # weights and biases, two steps
    train({}, np.float32, steps=2, optimizer_class=optimizer_class)
    assert len(calls) == 4


@pytest.mark.parametrize("amsgrad", [False, True])
def test_nan_and_infinity_are_handled_as_numpy_does(amsgrad):
    special = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-45, 3e38, -3e38, 1.0])
    results = []
    for fused in (True, False):
        value = np.linspace(-2, 2, special.size).astype(np.float32).reshape(1, -1)
        momentums, cache = np.zeros_like(value), np.zeros_like(value)
        max_cache = np.zeros_like(value) if amsgrad else None
        for step in (1, 2, 3):
            gradient = np.roll(special, step).astype(np.float32).reshape(1, -1)
            if fused:
                compiled.adam(
                    value,
                    gradient,
                    momentums,
                    cache,
                    max_cache,
                    beta_1=0.9,
                    beta_2=0.999,
                    step=step,
                    learning_rate=0.01,
                    epsilon=1e-7,
                )
            else:
                _numpy_adam(value, gradient, momentums, cache, max_cache, step)
        results.append([value, momentums, cache] + ([max_cache] if amsgrad else []))
    for fused_array, plain_array in zip(*results, strict=True):
        # NaN where NumPy has NaN (a NaN's sign bit depends on the operand order inside the
        # CPU and carries no meaning), and every other value to the bit, signed zeros included
        nan = np.isnan(plain_array)
        np.testing.assert_array_equal(np.isnan(fused_array), nan)
        assert fused_array[~nan].tobytes() == plain_array[~nan].tobytes()
        assert nan.any()  # the special values did reach the state


def _numpy_adam(value, gradient, momentums, cache, max_cache, step):
    from nnlite.optimizers.engine.plans import Update
    from nnlite.parameters import WEIGHTS

    optimizer = Optimizer_Adam(0.01, amsgrad=max_cache is not None)
    state = {"momentums": momentums, "cache": cache}
    if max_cache is not None:
        state["max_cache"] = max_cache
    update = Update(
        learning_rate=0.01,
        step=step,
        state=state,
        scratch=[np.empty_like(value), np.empty_like(value)],
        scalars={},
        settings=optimizer._default_settings(),
        parameter=WEIGHTS,
    )
    with np.errstate(all="ignore"):
        optimizer.update_rule(value, gradient, update)


def test_mixed_dtypes_fall_back_to_the_numpy_rule():
    """float32 weights with float64 gradients (the book's dropout chapters) keep float64
    state; the compiled rule takes one dtype, so the NumPy rule runs, with its bits."""
    rng = np.random.default_rng(2)
    layers = [Layer_Dense(5, 4, rng=np.random.default_rng(2), dtype=np.float32) for _ in "ab"]
    optimizers = [Optimizer_Adam(0.01, fused=True), Optimizer_Adam(0.01)]
    for _ in range(3):
        dweights, dbiases = rng.standard_normal((5, 4)), rng.standard_normal((1, 4))
        for layer, optimizer in zip(layers, optimizers, strict=True):
            layer.dweights, layer.dbiases = dweights.copy(), dbiases.copy()
            optimizer.step([layer])
    assert layers[0].weight_momentums.dtype == np.float64
    assert layers[0].weights.tobytes() == layers[1].weights.tobytes()
    assert layers[0].weight_cache.tobytes() == layers[1].weight_cache.tobytes()


@pytest.mark.parametrize("threads", [1, 3])
def test_fused_on_the_blocked_path_gives_the_same_bits(threads, monkeypatch):
    monkeypatch.setattr(blocks, "BLOCK_SIZE", 64)
    monkeypatch.setattr(blocks, "MIN_BLOCKED_SIZE", 128)
    blocks.set_update_threads(threads)
    try:
        fused = train({"fused": True}, np.float32)
    finally:
        blocks.set_update_threads(None)
    monkeypatch.setattr(blocks, "MIN_BLOCKED_SIZE", 10**9)
    assert_same_bits(fused, train({}, np.float32))


def test_fused_is_a_hyperparameter_kept_in_checkpoints():
    layer = Layer_Dense(3, 2)
    optimizer = Optimizer_Adam(fused=True)
    assert optimizer.param_groups[0]["fused"] is True
    layer.dweights, layer.dbiases = np.ones((3, 2)), np.ones((1, 2))
    optimizer.step([layer])
    state = optimizer.state_dict({"dense": layer})
    restored = Optimizer_Adam()
    restored.load_state_dict(state, {"dense": layer})
    assert restored.fused is True


def test_without_numba_fused_explains_how_to_install_it(monkeypatch):
    _hide_numba(monkeypatch)
    hint = r'Optimizer_Adam\(fused=True\).*pip install "nnlite\[fast\]"'
    with pytest.raises(ImportError, match=hint):
        Optimizer_Adam(fused=True)
    for optimizer_class in (Optimizer_SGD, Optimizer_Adagrad):
        with pytest.raises(ImportError, match=rf"{optimizer_class.__name__}\(fused=True\)"):
            optimizer_class(fused=True)
    Optimizer_Adam()  # fused=False never needs numba
    # A checkpoint saved with fused=True, loaded where numba is missing: the same message at
    # the first update, and the layer is left as it was
    layer = Layer_Dense(3, 2)
    layer.dweights, layer.dbiases = np.ones((3, 2)), np.ones((1, 2))
    optimizer = Optimizer_Adam()
    optimizer.fused = True
    before = layer.weights.copy()
    with pytest.raises(ImportError, match=r'pip install "nnlite\[fast\]"'):
        optimizer.step([layer])
    np.testing.assert_array_equal(layer.weights, before)


NUMPY_NUMBERS = {
    "adam, a schedule giving np.float64 rates": (
        Optimizer_Adam,
        {"learning_rate": Schedule_Lambda(0.01, lr_lambda=lambda step: np.exp(-0.1 * step))},
    ),
    "adam, np.float64 beta_1": (Optimizer_Adam, {"learning_rate": 0.01, "beta_1": np.float64(0.9)}),
    "adam, book decay as np.float64": (Optimizer_Adam, {"decay": np.float64(1e-3)}),
    "sgd, np.float64 learning rate and momentum": (
        Optimizer_SGD,
        {"learning_rate": np.float64(0.1), "momentum": np.float64(0.9)},
    ),
    "adagrad, np.float32 learning rate": (Optimizer_Adagrad, {"learning_rate": np.float32(0.1)}),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", list(NUMPY_NUMBERS))
def test_numpy_number_hyperparameters_give_the_numpy_rules_bits(name, dtype):
    """NumPy computes ``float32 array · np.float64`` in float64 and rounds afterwards; the
    compiled loop would round the number first, so such updates take the NumPy rule."""
    optimizer_class, options = NUMPY_NUMBERS[name]
    fused = train({**options, "fused": True}, dtype, optimizer_class=optimizer_class)
    plain = train(options, dtype, optimizer_class=optimizer_class)
    assert_same_bits(fused, plain)


@pytest.mark.parametrize("make_max_cache", [lambda a: a.astype(np.float64), np.asfortranarray])
def test_an_odd_max_cache_from_a_checkpoint_takes_the_numpy_rule(make_max_cache):
    """amsgrad's weight_max_cache may come from a checkpoint in another dtype or order."""
    results = []
    for fused in (True, False):
        rng = np.random.default_rng(4)
        layer = Layer_Dense(6, 5, rng=rng, dtype=np.float32)
        optimizer = Optimizer_Adam(0.01, amsgrad=True, fused=fused)
        for step in range(4):
            layer.dweights = gradients(rng, layer.weights.shape, np.float32)
            layer.dbiases = gradients(rng, layer.biases.shape, np.float32)
            optimizer.step([layer])
            if step == 1:
                layer.weight_max_cache = make_max_cache(layer.weight_max_cache)
        results.append((layer.weights.copy(), layer.weight_max_cache.copy()))
    for fused_array, plain_array in zip(*results, strict=True):
        assert fused_array.dtype == plain_array.dtype
        assert fused_array.tobytes() == np.ascontiguousarray(plain_array).tobytes()


def test_a_fused_checkpoint_without_numba_leaves_the_layer_as_it_was(monkeypatch):
    """AdamW's decoupled decay runs before the rule; without numba nothing may have run."""
    layer = Layer_Dense(3, 2)
    layer.dweights, layer.dbiases = np.ones((3, 2)), np.ones((1, 2))
    optimizer = Optimizer_AdamW(0.01)
    optimizer.step([layer])
    _hide_numba(monkeypatch)
    optimizer.fused = True  # as load_state_dict sets a saved fused=True
    before = {name: getattr(layer, name).copy() for name in ("weights", "biases")}
    steps = dict(layer.optimizer_state.steps)
    with pytest.raises(ImportError, match=r"Optimizer_AdamW\(fused=True\).*nnlite\[fast\]"):
        optimizer.step([layer])
    for name, array in before.items():
        np.testing.assert_array_equal(getattr(layer, name), array)
    assert layer.optimizer_state.steps == steps


def _hide_numba(monkeypatch):
    import builtins
    import sys

    real_import = builtins.__import__

    def no_numba(name, *args, **kwargs):
        if name == "numba":
            raise ImportError("No module named 'numba'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_numba)
    monkeypatch.delitem(sys.modules, "numba", raising=False)
    compiled._kernels.cache_clear()  # so that the next call tries to import numba again
