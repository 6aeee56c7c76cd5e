"""Property-based tests: real saved files, mutated, then loaded every way nnlite loads them.

Every JSON field, every array header, every member name and the file's bytes are mutated
(hypothesis). Whatever the mutation, a load must either succeed with a valid model or raise
``ValueError`` (nnlite's one error type for a file it refuses) having changed nothing: not
the model it was loading into, not the global random stream. Never a crash, never another
exception, never more memory than ``BOUND``.
"""

import io
import json
import math
import os
import tempfile
import tracemalloc
import zipfile
from functools import cache

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nnlite import Optimizer_Adam
from nnlite.training.checkpoints import load_checkpoint, save_checkpoint
from nnlite.training.model import Model
from tests.security.saved_files import assert_same, blobs, classifier, snapshot, trained

#: The most a load of these few-KB files may allocate, mutated or not
BOUND = 64 * 2**20
#: 60 fixed examples per test in CI (a few seconds); NNLITE_FUZZ_EXAMPLES=5000 explores
#: further, with fresh random examples each run
EXPLORE = int(os.environ.get("NNLITE_FUZZ_EXAMPLES", "0"))
SETTINGS = settings(
    max_examples=EXPLORE or 60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=not EXPLORE,
)
X = blobs(seed=3, samples=5)[0]


@cache
def original(kind):
    """The bytes of a real file: a checkpoint, a model file or a parameters file."""
    optimizer = Optimizer_Adam(0.01, decay=1e-3, amsgrad=True)
    model = trained(optimizer=optimizer)
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "file.npz")
        if kind == "checkpoint":
            save_checkpoint(path, model, epoch=2, extra={"note": "x", "values": [1, 2.5]})
        elif kind == "model":
            model.save(path)
        else:
            model.save_parameters(path)
        with open(path, "rb") as file:
            return file.read()


def loaders(kind):
    """Every way to load a file of this kind: (name, function of (path, model))."""
    if kind == "parameters":
        return [("load_parameters", lambda path, model: model.load_parameters(path))]
    ways = [("Model.load", lambda path, model: Model.load(path))]
    if kind == "checkpoint":
        ways += [
            ("load_checkpoint", lambda path, model: load_checkpoint(path).model),
            ("load_checkpoint into", lambda path, model: load_checkpoint(path, model).model),
        ]
    return ways


def code_model():
    """The model built in code that files are loaded into (the same architecture)."""
    return classifier(seed=9, optimizer=Optimizer_Adam(0.01, decay=1e-3, amsgrad=True))


def assert_loads_or_refuses(data, kind):
    """Write ``data`` and load it every way: a valid model, or a ValueError and no change."""
    global_state = np.random.get_state()
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "file.npz")
        with open(path, "wb") as file:
            file.write(data)
        for name, load in loaders(kind):
            model = code_model()
            before = snapshot(model)
            tracemalloc.start()
            try:
                loaded = load(path, model)
            except ValueError as error:
                assert str(error), name
                after = snapshot(model)
                assert_same(before[:2], after[:2])
                assert_same(before[2], after[2])  # the global stream did not move
            else:
                loaded = model if loaded is None else loaded
                output = loaded.forward(X, training=False)
                assert output.shape == (5, 3), name
            finally:
                peak = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
                np.random.set_state(global_state)
            assert peak < BOUND, (name, peak)


# ---------------------------------------------------------------------- the JSON description


def members(data):
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def zipped(files):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def npy(array):
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array, allow_pickle=False)
    return buffer.getvalue()


def description(kind):
    array = np.load(io.BytesIO(members(original(kind))["description.npy"]))
    return json.loads(str(array))


def places(tree, where=()):
    """Every place in the JSON tree: dict keys and list items, at every depth."""
    found = [where] if where else []
    if isinstance(tree, dict):
        for key, value in tree.items():
            found += places(value, (*where, key))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            found += places(value, (*where, index))
    return found


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.sampled_from([0, -1, 1, 624, 625, 2**64, 2**128, 10**12])
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.sampled_from([math.inf, -math.inf, math.nan, -0.0, 1e308, 0.5, 7.0])
    | st.text(max_size=8)
    | st.sampled_from(["Layer_Dense", "Optimizer_SGD", "MT19937", "__array__", "os.system"]),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                ["__array__", "__scalar__", "__generator__", "class", "arguments", "x"]
            ),
            children,
            max_size=2,
        )
    ),
    max_leaves=6,
)


@SETTINGS
@given(data=st.data(), kind=st.sampled_from(["checkpoint", "model"]))
def test_any_json_field_mutated(data, kind):
    tree = description(kind)
    place = data.draw(st.sampled_from(places(tree)), label="place")
    parent = tree
    for key in place[:-1]:
        parent = parent[key]
    if data.draw(st.booleans(), label="delete") and isinstance(parent, dict):
        del parent[place[-1]]
    else:
        parent[place[-1]] = data.draw(json_values, label="value")
    files = members(original(kind))
    files["description.npy"] = npy(np.array(json.dumps(tree)))
    assert_loads_or_refuses(zipped(files), kind)


# ---------------------------------------------------------------------- arrays, names, bytes

dtypes = st.sampled_from(
    ["<f8", "<f4", ">f8", "<f2", "<i8", "|u1", "|b1", "<c16", "<U4", "|S3", "|O", "|V8", "<m8"]
)
shapes = st.lists(
    st.integers(min_value=0, max_value=2**40) | st.sampled_from([0, 1, 2, 3, 8, 16]),
    max_size=4,
).map(tuple)


@SETTINGS
@given(
    data=st.data(),
    kind=st.sampled_from(["checkpoint", "model", "parameters"]),
    shape=shapes,
    dtype=dtypes,
    fortran=st.booleans(),
    keep_data=st.booleans(),
)
def test_any_array_header_mutated(data, kind, shape, dtype, fortran, keep_data):
    files = members(original(kind))
    name = data.draw(st.sampled_from(sorted(files)), label="member")
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": dtype, "fortran_order": fortran, "shape": shape}
    )
    old = files[name]
    old_header = io.BytesIO(old)
    np.lib.format.read_magic(old_header)
    np.lib.format.read_array_header_1_0(old_header)
    payload = old[old_header.tell() :] if keep_data else bytes(data.draw(st.integers(0, 64)))
    files[name] = header.getvalue() + payload
    assert_loads_or_refuses(zipped(files), kind)


@pytest.mark.filterwarnings("ignore:Duplicate name")
@SETTINGS
@given(
    data=st.data(),
    kind=st.sampled_from(["checkpoint", "model", "parameters"]),
    action=st.sampled_from(["rename", "delete", "duplicate", "stray", "swap"]),
    new_name=st.text(min_size=0, max_size=20)
    | st.sampled_from(["description.npy", "../evil.npy", "nnlite_format.npy", "x", "a.npy"]),
)
def test_any_member_name_mutated(data, kind, action, new_name):
    files = list(members(original(kind)).items())
    index = data.draw(st.integers(0, len(files) - 1), label="member")
    name, content = files[index]
    if action == "rename":
        files[index] = (new_name or "x", content)
    elif action == "delete":
        del files[index]
    elif action == "duplicate":
        files.append((name, content))
    elif action == "stray":
        files.append((new_name or "x", npy(np.zeros(3))))
    else:
        other = data.draw(st.integers(0, len(files) - 1), label="other")
        files[index] = (name, files[other][1])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as archive:
        for member, payload in files:
            archive.writestr(zipfile.ZipInfo(member), payload)
    assert_loads_or_refuses(buffer.getvalue(), kind)


@SETTINGS
@given(
    data=st.data(),
    kind=st.sampled_from(["checkpoint", "model", "parameters"]),
    action=st.sampled_from(["truncate", "append", "flip", "declare"]),
)
def test_any_size_or_byte_mutated(data, kind, action):
    raw = bytearray(original(kind))
    if action == "truncate":
        raw = raw[: data.draw(st.integers(0, len(raw) - 1), label="length")]
    elif action == "append":
        raw += data.draw(st.binary(min_size=1, max_size=64), label="tail")
    elif action == "flip":
        for _ in range(data.draw(st.integers(1, 8), label="flips")):
            position = data.draw(st.integers(0, len(raw) - 1), label="position")
            raw[position] ^= data.draw(st.integers(1, 255), label="bits")
    else:
        # A member's declared sizes in the zip's central directory: "PK\x01\x02" entries
        entries = [i for i in range(len(raw) - 4) if raw[i : i + 4] == b"PK\x01\x02"]
        entry = data.draw(st.sampled_from(entries), label="entry")
        size = data.draw(st.integers(0, 2**32 - 1), label="size")
        field = data.draw(st.sampled_from([20, 24]), label="field")  # compressed, uncompressed
        raw[entry + field : entry + field + 4] = size.to_bytes(4, "little")
    assert_loads_or_refuses(bytes(raw), kind)


def test_the_unmutated_files_load():
    """The property tests above start from files that load: refusals are the mutations'."""
    for kind in ("checkpoint", "model", "parameters"):
        assert_loads_or_refuses(original(kind), kind)
        for name, load in loaders(kind):
            model = code_model()
            loaded = load_path(original(kind), load, model)
            assert loaded.forward(X, training=False).shape == (5, 3), name


def load_path(data, load, model):
    with tempfile.TemporaryDirectory() as directory:
        path = os.path.join(directory, "file.npz")
        with open(path, "wb") as file:
            file.write(data)
        loaded = load(path, model)
    return model if loaded is None else loaded
