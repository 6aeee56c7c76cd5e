"""Issue 13, "a file can crash Python": every random state read from a file is validated
completely (nnlite/files/random_state.py::check_state) before NumPy sees it.

NumPy trusts a state it is given: an MT19937 ``pos`` of 700 or -5 makes the next draw read
outside the key (a segfault), so these tests never draw after a refused load; they check that
the load is refused and that the global stream is untouched.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from nnlite.files import random_state
from nnlite.training.checkpoints import load_checkpoint
from nnlite.training.model import Model
from tests.security.saved_files import (
    assert_same,
    classifier,
    edit_description,
    entries,
    snapshot,
    write_entries,
)


def global_pos(value):
    return lambda tree: tree["training"]["global_rng"]["state"].__setitem__("pos", value)


@pytest.mark.parametrize("pos", [10**9, 700, 625, -5, -1, 2**64, 1.5, "623", None, True])
def test_a_global_stream_position_out_of_range_is_refused_before_anything_changes(
    checkpoint_path, pos
):
    edit_description(checkpoint_path, global_pos(pos))
    model = classifier(seed=7)
    before = snapshot(model)
    with pytest.raises(ValueError, match=r"training\.global_rng"):
        load_checkpoint(checkpoint_path, model)
    with pytest.raises(ValueError, match=r"training\.global_rng"):
        load_checkpoint(checkpoint_path)
    assert_same(before, snapshot(model))


@pytest.mark.parametrize(
    "key",
    [
        np.zeros(623, dtype=np.uint32),
        np.zeros(625, dtype=np.uint32),
        np.zeros(624, dtype=np.int64),
        np.zeros(624, dtype=np.float64),
        np.zeros((624, 1), dtype=np.uint32),
    ],
    ids=["623 keys", "625 keys", "int64", "float64", "2-D"],
)
def test_a_global_stream_key_of_the_wrong_length_or_dtype_is_refused(checkpoint_path, key):
    arrays = entries(checkpoint_path)
    arrays["training.global_rng.state.key"] = key
    write_entries(checkpoint_path, arrays)
    before = np.random.get_state(legacy=False)
    with pytest.raises(ValueError, match=r"training\.global_rng is not a valid random state"):
        load_checkpoint(checkpoint_path)
    assert_same(before, np.random.get_state(legacy=False))


def generator_state(change):
    """Change generator 0's state (the dropout layer's PCG64) with ``change(state)``."""
    return lambda tree: change(tree["generators"][0])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda s: s["state"].__setitem__("state", -1), r"state\.state should be in \[0, "),
        (lambda s: s["state"].__setitem__("state", 2**128), r"state\.state should be in"),
        (lambda s: s["state"].__setitem__("inc", -(2**70)), r"state\.inc should be in"),
        (lambda s: s["state"].__setitem__("inc", "7"), r"state\.inc should be a whole number"),
        (lambda s: s.__setitem__("has_uint32", 5), r"has_uint32 should be in \[0, 1\]"),
        (lambda s: s.__setitem__("uinteger", 2**40), r"uinteger should be in"),
        (lambda s: s.__setitem__("bit_generator", "Evil"), r"bit_generator"),
        (lambda s: s.__setitem__("extra", 1), r"keys should be"),
        (lambda s: s.pop("state"), r"keys should be"),
    ],
)
def test_a_dropout_generator_in_a_model_file_is_validated(model_path, change, message):
    """The issue's PCG64 state of -1 (a raw OverflowError before) and its relatives."""
    edit_description(model_path, generator_state(change))
    with pytest.raises(ValueError, match=rf"generators\.0.*{message}"):
        Model.load(model_path)


@pytest.mark.parametrize(
    ("name", "change"),
    [
        ("MT19937", lambda s: s["state"].__setitem__("pos", 700)),
        ("MT19937", lambda s: s["state"].__setitem__("pos", -5)),
        ("MT19937", lambda s: s["state"].__setitem__("key", s["state"]["key"][:100])),
        ("Philox", lambda s: s.__setitem__("buffer_pos", 9)),
        ("Philox", lambda s: s["state"].__setitem__("key", s["state"]["key"].astype(np.int64))),
        ("SFC64", lambda s: s["state"].__setitem__("state", s["state"]["state"][:3])),
        ("PCG64DXSM", lambda s: s["state"].__setitem__("state", -1)),
    ],
)
def test_each_bit_generator_state_is_checked_completely(name, change):
    state = random_state.BIT_GENERATORS[name](3).state
    change(state)
    with pytest.raises(ValueError, match="is not a valid random state"):
        random_state.rebuild_generator(state, "file.npz", "generators.0")


@settings(max_examples=25, deadline=None)
@given(
    name=st.sampled_from(sorted(random_state.BIT_GENERATORS)),
    seed=st.integers(0, 2**63),
    draws=st.integers(0, 700),
)
def test_every_state_numpy_itself_makes_is_accepted(name, seed, draws):
    """The check never refuses a real state (any generator, any position)."""
    generator = np.random.Generator(random_state.BIT_GENERATORS[name](seed))
    generator.random(draws)
    generator.integers(0, 10, size=draws % 3, dtype=np.uint32)  # leaves a buffered uint32
    state = generator.bit_generator.state
    random_state.check_state(state, "file.npz", "generators.0")
    rebuilt = random_state.rebuild_generator(state, "file.npz", "generators.0")
    assert rebuilt.random() == generator.random()


def test_the_global_stream_state_after_a_gaussian_is_accepted():
    np.random.seed(3)
    np.random.randn()  # leaves a cached Gaussian: has_gauss 1
    state = np.random.get_state(legacy=False)
    random_state.check_state(state, "file.npz", "training.global_rng", global_stream=True)
