"""A large parameter updated block by block, on threads, ends with the same bits as in one piece.

The blocked path (nnlite/optimizers/engine/blocks.py) runs the same rule on slices, so every element
goes through the same operations; the torch parity tests check the rule in one piece, and
these tests check that cutting it up changes nothing. The block size is made small here so
that small arrays are cut into many blocks, with a last block shorter than the others.
"""

import tracemalloc

import numpy as np
import pytest

from nnlite import (
    Layer_Dense,
    Optimizer_Adam,
    Optimizer_AdamW,
    Optimizer_SGD,
)
from nnlite.optimizers.engine import blocks, plans
from nnlite.optimizers.optimizer import Optimizer
from tests.optimizers.configurations import CONFIGURATIONS

#: The configurations of the shared table whose rule may run in blocks
OPTIMIZERS = {
    name: make
    for name, make in CONFIGURATIONS.items()
    if plans._rule_is_elementwise(make()) and "global_clip_norm" not in name
}

STEPS = 7  # RAdam rectifies from step 6


@pytest.fixture
def small_blocks(monkeypatch):
    """Blocks of 64 elements; arrays of 128 elements or more are cut."""
    monkeypatch.setattr(blocks, "BLOCK_SIZE", 64)
    monkeypatch.setattr(blocks, "MIN_BLOCKED_SIZE", 128)
    yield
    blocks.set_update_threads(None)


def train(make_optimizer, dtype=np.float64, steps=STEPS, gradient_dtype=None):
    """A (23, 17) layer (391 weights: six blocks and a short seventh), trained ``steps`` steps
    on fixed random gradients; returns the layer and the optimizer."""
    rng = np.random.default_rng(7)
    layer = Layer_Dense(23, 17, rng=rng, dtype=dtype)
    optimizer = make_optimizer()
    for _ in range(steps):
        layer.dweights = rng.standard_normal(layer.weights.shape).astype(gradient_dtype or dtype)
        layer.dbiases = rng.standard_normal(layer.biases.shape).astype(gradient_dtype or dtype)
        optimizer.step([layer])
    return layer, optimizer


def arrays_of(layer):
    names = ["weights", "biases", *layer.optimizer_state.state_attributes]
    return {name: getattr(layer, name) for name in names}


def assert_same_bits(blocked, whole):
    assert blocked.keys() == whole.keys()
    for name in whole:
        assert blocked[name].dtype == whole[name].dtype, name
        assert blocked[name].tobytes() == whole[name].tobytes(), name


@pytest.mark.parametrize("threads", [1, 3])
@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_blocked_update_gives_the_same_bits(name, threads, small_blocks, monkeypatch):
    blocks.set_update_threads(threads)
    layer, _ = train(OPTIMIZERS[name])
    plan = layer.optimizer_state.plans["weights"]
    assert plan.blocked is not None  # the weights really went through the blocked path
    assert len(plan.blocked.pieces) == min(threads, 7)
    assert layer.optimizer_state.plans["biases"].blocked is None  # 17 elements: in one piece
    blocked = arrays_of(layer)

    monkeypatch.setattr(blocks, "MIN_BLOCKED_SIZE", 10**9)
    whole_layer, _ = train(OPTIMIZERS[name])
    assert whole_layer.optimizer_state.plans["weights"].blocked is None
    assert_same_bits(blocked, arrays_of(whole_layer))


@pytest.mark.parametrize("dtype, gradient_dtype", [(np.float32, None), (np.float32, np.float64)])
def test_blocked_update_keeps_dtypes(dtype, gradient_dtype, small_blocks, monkeypatch):
    """float32 weights, and float32 weights with float64 gradients (the book's dropout
    chapters: the state is float64), come out as in one piece."""
    layer, _ = train(OPTIMIZERS["adam"], dtype=dtype, gradient_dtype=gradient_dtype)
    assert layer.optimizer_state.plans["weights"].blocked is not None
    blocked = arrays_of(layer)
    monkeypatch.setattr(blocks, "MIN_BLOCKED_SIZE", 10**9)
    whole_layer, _ = train(OPTIMIZERS["adam"], dtype=dtype, gradient_dtype=gradient_dtype)
    assert_same_bits(blocked, arrays_of(whole_layer))


def test_rules_that_keep_running_scalars_are_not_blocked():
    """NAdam's μ product and ASGD's η and μ change once per call, so they must run whole."""
    element_wise = {cls.__name__ for cls in _subclasses(Optimizer) if cls.elementwise}
    assert "Optimizer_NAdam" not in element_wise
    assert "Optimizer_ASGD" not in element_wise
    assert "Optimizer_Adam" in element_wise


def _subclasses(cls):
    for subclass in cls.__subclasses__():
        yield subclass
        yield from _subclasses(subclass)


def test_a_non_contiguous_gradient_runs_in_one_piece(small_blocks):
    layer, optimizer = train(OPTIMIZERS["adam"], steps=2)
    assert layer.optimizer_state.plans["weights"].blocked is not None
    reference_layer, reference = train(OPTIMIZERS["adam"], steps=2)
    gradient = np.asfortranarray(np.random.default_rng(1).standard_normal(layer.weights.shape))
    layer.dweights = gradient
    reference_layer.dweights = np.ascontiguousarray(gradient)
    for one, other in ((layer, optimizer), (reference_layer, reference)):
        one.dbiases = np.ones_like(one.biases)
        other.step([one])
    assert layer.optimizer_state.plans["weights"].blocked is None
    assert_same_bits(arrays_of(layer), arrays_of(reference_layer))


def test_new_non_contiguous_weights_are_updated_not_a_copy(small_blocks):
    """A learner who assigns ``layer.weights`` a transposed array still sees it change."""
    layer, optimizer = train(OPTIMIZERS["sgd"], steps=2)
    layer.weights = np.zeros((17, 23)).T
    layer.dweights = np.ones((23, 17))
    optimizer.step([layer])
    assert layer.weights.flags.f_contiguous
    np.testing.assert_array_equal(layer.weights, -0.1)


def test_blocked_update_allocates_no_parameter_sized_array(monkeypatch):
    """As tests/optimizers/test_allocation.py, for the blocked path: 256 x 256 float64 weights
    (512 KiB) in blocks of 4,096 elements on two threads; a step stays below a quarter of the
    weights (a block's work arrays are made once, on the first step)."""
    monkeypatch.setattr(blocks, "BLOCK_SIZE", 4096)
    monkeypatch.setattr(blocks, "MIN_BLOCKED_SIZE", 8192)
    blocks.set_update_threads(2)
    try:
        rng = np.random.default_rng(0)
        layer = Layer_Dense(256, 256, rng=rng)
        optimizer = Optimizer_Adam(0.01)
        for _ in range(3):
            layer.dweights = rng.standard_normal(layer.weights.shape)
            layer.dbiases = rng.standard_normal(layer.biases.shape)
            before = layer.weights.copy()
            tracemalloc.start()
            try:
                optimizer.step([layer])
                peak = tracemalloc.get_traced_memory()[1]
            finally:
                tracemalloc.stop()
        assert layer.optimizer_state.plans["weights"].blocked is not None
        assert not np.array_equal(layer.weights, before)
        assert peak < layer.weights.nbytes // 4
    finally:
        blocks.set_update_threads(None)


def test_preparing_again_at_every_step_allocates_no_blocks(monkeypatch):
    """One-cycle cycles Adam's β₁, so the settings change and the update is prepared again at
    every step; the blocks' work arrays are kept, not made anew."""
    from nnlite import Schedule_OneCycle

    monkeypatch.setattr(blocks, "BLOCK_SIZE", 4096)
    monkeypatch.setattr(blocks, "MIN_BLOCKED_SIZE", 8192)
    blocks.set_update_threads(2)
    try:
        rng = np.random.default_rng(0)
        layer = Layer_Dense(256, 256, rng=rng)
        optimizer = Optimizer_Adam(Schedule_OneCycle(0.01, total_steps=100))
        peaks, betas = [], []
        for _ in range(4):
            layer.dweights = rng.standard_normal(layer.weights.shape)
            layer.dbiases = rng.standard_normal(layer.biases.shape)
            tracemalloc.start()
            try:
                optimizer.step([layer])
                peaks.append(tracemalloc.get_traced_memory()[1])
            finally:
                tracemalloc.stop()
            betas.append(optimizer.beta_1)
        assert len(set(betas)) == len(betas)  # β₁ changed at every step
        assert layer.optimizer_state.plans["weights"].blocked is not None
        # After the first step, less than one block's work arrays (2 x 4096 x 8 bytes)
        assert max(peaks[1:]) < 2 * 4096 * 8, peaks
    finally:
        blocks.set_update_threads(None)


def test_defaults_block_a_large_parameter():
    """At the real sizes: a (600, 512) weights array (307,200 elements) is cut; its biases
    are not; and the result equals the rule applied to the whole arrays."""
    rng = np.random.default_rng(3)
    layer = Layer_Dense(600, 512, rng=rng, dtype=np.float32)
    twin = Layer_Dense(600, 512, rng=np.random.default_rng(3), dtype=np.float32)
    optimizer, reference = Optimizer_Adam(0.01), Optimizer_Adam(0.01)
    for _ in range(2):
        gradients = (
            rng.standard_normal(layer.weights.shape).astype(np.float32),
            rng.standard_normal(layer.biases.shape).astype(np.float32),
        )
        for one in (layer, twin):
            one.dweights, one.dbiases = (gradient.copy() for gradient in gradients)
        optimizer.step([layer])
        # The reference applies the rule to the whole arrays, bypassing the plan
        reference.pre_update_params()
        _whole_update(reference, twin)
        reference.post_update_params()
    assert layer.optimizer_state.plans["weights"].blocked is not None
    assert layer.optimizer_state.plans["biases"].blocked is None
    assert layer.weights.tobytes() == twin.weights.tobytes()
    assert layer.weight_cache.tobytes() == twin.weight_cache.tobytes()


def _whole_update(optimizer, layer):
    from nnlite.optimizers.engine.plans import Update
    from nnlite.parameters import trainable_parameters

    steps = getattr(layer, "_reference_steps", 0) + 1
    layer._reference_steps = steps
    for parameter in trainable_parameters(layer):
        value = getattr(layer, parameter.name)
        gradient = getattr(layer, parameter.gradient)
        prefix = parameter.state_prefix
        if not hasattr(layer, f"{prefix}_momentums"):
            setattr(layer, f"{prefix}_momentums", np.zeros_like(value))
            setattr(layer, f"{prefix}_cache", np.zeros_like(value))
        update = Update(
            learning_rate=optimizer.current_learning_rate,
            step=steps,
            state={
                "momentums": getattr(layer, f"{prefix}_momentums"),
                "cache": getattr(layer, f"{prefix}_cache"),
            },
            scratch=[np.empty_like(value), np.empty_like(value)],
            scalars={},
            settings=optimizer._default_settings(),
            parameter=parameter,
        )
        optimizer.update_rule(value, gradient, update)


@pytest.mark.parametrize("count", [0, -1, 1.5, True, "2"])
def test_set_update_threads_rejects_bad_counts(count):
    with pytest.raises(ValueError, match="set_update_threads: count must be a positive int"):
        blocks.set_update_threads(count)


def test_update_threads_defaults_to_the_usable_cpus():
    blocks.set_update_threads(None)
    assert blocks.update_threads() >= 1
    blocks.set_update_threads(2)
    assert blocks.update_threads() == 2
    blocks.set_update_threads(None)


def test_a_new_thread_count_applies_to_prepared_updates(small_blocks):
    blocks.set_update_threads(1)
    layer, optimizer = train(OPTIMIZERS["adam"], steps=2)
    assert len(layer.optimizer_state.plans["weights"].blocked.pieces) == 1
    blocks.set_update_threads(3)
    optimizer.step([layer])
    assert len(layer.optimizer_state.plans["weights"].blocked.pieces) == 3


def test_a_forked_child_starts_its_own_thread_pool(small_blocks):
    """After fork the parent's worker threads are gone; the child must not wait for them."""
    import multiprocessing

    blocks.set_update_threads(2)
    train(OPTIMIZERS["adam"], steps=1)  # the parent's pool now exists
    context = multiprocessing.get_context("fork")
    with context.Pool(1) as pool:
        result = pool.apply_async(_train_in_child)
        assert result.get(timeout=30) is True


def _train_in_child():
    # The parent's settings are inherited: 2 threads, small blocks
    layer, _ = train(OPTIMIZERS["adam"], steps=2)
    return layer.optimizer_state.plans["weights"].blocked is not None


def test_every_element_wise_optimizer_is_in_the_table_above():
    """A new optimizer marked elementwise must be added to OPTIMIZERS, so that its blocked
    update is compared with its whole-array rule."""
    covered = {type(make()) for make in OPTIMIZERS.values()}
    element_wise = {
        cls
        for cls in _subclasses(Optimizer)
        if cls.__module__.startswith("nnlite.")
        and plans._rule_is_elementwise(cls(**_required(cls)))
    }
    assert element_wise <= covered, element_wise - covered


def _required(cls):
    return {"learning_rate": 0.01} if cls.__name__ == "Optimizer_Muon" else {}


def test_a_subclass_with_its_own_rule_is_not_cut_unless_it_says_so(small_blocks):
    """A learner's rule may take a norm over the whole array: blocks would change it."""

    class My_Adam(Optimizer_Adam):
        def update_rule(self, weights, gradient, update):
            weights -= update.learning_rate * gradient / np.linalg.norm(gradient)

    class My_Elementwise_Adam(My_Adam):
        elementwise = True

        def update_rule(self, weights, gradient, update):
            super().update_rule(weights, gradient, update)

    layer, _ = train(My_Adam, steps=1)
    assert layer.optimizer_state.plans["weights"].blocked is None
    layer, _ = train(Optimizer_AdamW, steps=1)  # inherits Adam's rule and its declaration
    assert layer.optimizer_state.plans["weights"].blocked is not None
    layer, _ = train(My_Elementwise_Adam, steps=1)
    assert layer.optimizer_state.plans["weights"].blocked is not None


def test_np_errstate_applies_in_every_thread(small_blocks):
    """Under np.errstate(invalid="raise") a NaN made in a worker thread's block raises, as
    it does when the whole array is updated at once."""
    blocks.set_update_threads(3)
    layer, optimizer = train(OPTIMIZERS["adam"], steps=1)
    layer.dweights = np.ones_like(layer.weights)
    layer.dweights.reshape(-1)[-1] = np.inf  # in the last block, which a worker runs
    with np.errstate(invalid="raise"), pytest.raises(FloatingPointError):
        optimizer.step([layer])


def test_an_error_returns_only_after_every_thread_has_stopped(small_blocks):
    """If the calling thread's blocks fail, update_params must not return while the other
    threads still write into the layer."""
    import threading
    import time

    class Failing_SGD(Optimizer_SGD):
        elementwise = True

        def update_rule(self, weights, gradient, update):
            if threading.current_thread() is threading.main_thread():
                raise RuntimeError("this thread's block failed")
            time.sleep(0.05)
            weights += 1.0

    blocks.set_update_threads(3)
    layer = Layer_Dense(23, 17, rng=np.random.default_rng(0))
    layer.dweights, layer.dbiases = np.ones((23, 17)), np.ones((1, 17))
    with pytest.raises(RuntimeError, match="this thread's block failed"):
        Failing_SGD(0.1).step([layer])
    after_error = layer.weights.copy()
    time.sleep(0.2)
    np.testing.assert_array_equal(layer.weights, after_error)  # nothing wrote afterwards
    assert (after_error != 0).any() and (after_error >= 1.0).any()  # the workers did run
