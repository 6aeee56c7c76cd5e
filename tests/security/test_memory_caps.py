"""Issue 13, "a small file can exhaust memory": loads check before they allocate.

* declared layer sizes are compared with the stored arrays' shapes, and layers loaded from a
  file take the file's arrays instead of drawing weights (``Layer_Dense(..., weights=...)``);
* each ``.npy`` member's header is read before its data, and what a file may declare is
  capped relative to its own size (nnlite/files/array_files.py::read_members);
* the book-pickle loader makes arrays through size-checked stand-ins for NumPy's rebuilders.

Memory is measured with tracemalloc (NumPy reports its allocations to it).
"""

import io
import pickle
import tracemalloc
import zipfile

import numpy as np
import pytest

from nnlite import (
    Layer_BatchNormalization,
    Layer_Conv2D,
    Layer_Dense,
    Layer_Embedding,
    Layer_Flatten,
    load_book_parameters,
)
from nnlite.files.array_files import MAX_EXPANSION, SLACK
from nnlite.training.checkpoints import load_checkpoint
from nnlite.training.model import Model
from tests.security.saved_files import (
    classifier,
    edit_description,
    raw_members,
    write_raw_zip,
)

#: No refused load may allocate more than this (the files are a few KB to a few hundred KB)
BOUND = 16 * 2**20


def peak_bytes(function):
    """Run ``function`` (which must raise ValueError) and return the peak memory it took."""
    tracemalloc.start()
    try:
        with pytest.raises(ValueError) as error:
            function()
        return tracemalloc.get_traced_memory()[1], str(error.value)
    finally:
        tracemalloc.stop()


def npy_bytes(array=None, *, header_shape=None, dtype="<f8"):
    """A .npy member: the header of ``array`` (or one claiming ``header_shape``) and data."""
    buffer = io.BytesIO()
    if array is not None:
        np.lib.format.write_array(buffer, array, allow_pickle=False)
        return buffer.getvalue()
    header = {"descr": dtype, "fortran_order": False, "shape": header_shape}
    np.lib.format.write_array_header_1_0(buffer, header)
    return buffer.getvalue() + b"\0" * 64


@pytest.mark.parametrize("size", [100_000, 2**31])
def test_a_model_file_declaring_a_huge_dense_layer_draws_nothing(model_path, size):
    """The issue's 16 KB file declaring Layer_Dense(100000, 100000) (74.5 GiB of weights)."""

    def grow(tree):
        tree["model"]["layers"][0]["arguments"]["n_neurons"] = size
        tree["model"]["layers"][3]["arguments"]["n_inputs"] = size

    edit_description(model_path, grow)
    peak, message = peak_bytes(lambda: Model.load(model_path))
    assert peak < BOUND
    assert f"has shape (2, 8) in the file but (2, {size}) in the model's arguments" in message


def test_loading_draws_no_weights_from_any_stream(model_path):
    """A layer built from a file takes the file's arrays: the global stream does not move."""
    before = np.random.get_state(legacy=False)["state"]["pos"]
    np.random.seed(5)
    expected = np.random.random()
    np.random.seed(5)
    Model.load(model_path)
    assert np.random.random() == expected
    assert isinstance(before, int)


def test_layers_built_with_given_weights_copy_them_and_check_their_shape():
    weights, biases = np.ones((3, 2), dtype=np.float32), np.zeros((1, 2), dtype=np.float32)
    layer = Layer_Dense(3, 2, weights=weights, biases=biases)
    assert layer.weights.dtype == np.float32 and layer.weights is not weights
    np.testing.assert_array_equal(layer.weights, weights)
    with pytest.raises(ValueError, match=r"weights must have shape \(3, 4\), got \(3, 2\)"):
        Layer_Dense(3, 4, weights=weights)
    with pytest.raises(TypeError, match="floating-point dtype"):
        Layer_Dense(3, 2, weights=weights.astype(int))
    with pytest.raises(ValueError, match=r"weights must have shape \(5, 2\)"):
        Layer_Embedding(5, 2, weights=weights)


def test_an_npz_member_is_not_decompressed_before_its_size_is_checked(tmp_path, model_path):
    """70 KiB that would decompress to 64 MiB: refused from the zip's directory alone."""
    path = tmp_path / "bomb.npz"
    members = raw_members(model_path)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
        archive.writestr("stray.npy", npy_bytes(np.zeros(2**23)))
    assert path.stat().st_size < 200_000
    peak, message = peak_bytes(lambda: Model.load(path))
    assert peak < BOUND
    assert "declares" in message and "bytes of arrays" in message


@pytest.mark.parametrize("shape", [(10**12,), (2**62, 4), (10**6, 10**6)])
def test_a_header_claiming_a_huge_shape_is_refused_before_allocating(tmp_path, model_path, shape):
    """The issue's header claiming (10**12,): a ValueError, not a MemoryError."""
    path = tmp_path / "claims.npz"
    members = raw_members(model_path)
    members["model.layers.0.parameters.weights.npy"] = npy_bytes(header_shape=shape)
    write_raw_zip(path, members)
    peak, message = peak_bytes(lambda: Model.load(path))
    assert peak < BOUND
    assert "model.layers.0.parameters.weights" in message and "bytes of data" in message


@pytest.mark.parametrize(
    ("dtype", "message"),
    [("|O", "Python objects"), ("|V0", "dtype"), ("|S0", "dtype"), ("<c16", None)],
)
def test_member_dtypes_nnlite_never_writes_are_refused(tmp_path, model_path, dtype, message):
    path = tmp_path / "dtype.npz"
    members = raw_members(model_path)
    members["model.layers.0.parameters.weights.npy"] = npy_bytes(
        header_shape=(10**9,) if message else (2, 8), dtype=dtype
    )
    write_raw_zip(path, members)
    with pytest.raises(ValueError, match=message or "weights"):
        load_checkpoint(path, classifier())


def test_the_cap_scales_with_the_file_and_lets_real_files_through(tmp_path):
    """A large, legitimate model loads: the cap is relative to the file's size."""
    model = Model()
    model.add(Layer_Dense(300, 300, rng=np.random.default_rng(0)))
    path = tmp_path / "big.npz"
    model.save(path)
    loaded = Model.load(path)
    np.testing.assert_array_equal(loaded.layers[0].weights, model.layers[0].weights)
    assert MAX_EXPANSION * path.stat().st_size + SLACK > 300 * 300 * 8


class _Gadget:
    def __init__(self, *arguments):
        self.arguments = arguments

    def __reduce__(self):
        return self.arguments


@pytest.mark.parametrize(
    "gadget",
    [
        _Gadget(np.ndarray, ((10**13,),)),
        _Gadget(np.ndarray, ((10**7, 10**6), np.dtype("f8"))),
        _Gadget(np.zeros(1).__reduce__()[0], (np.ndarray, (10**13,), b"b")),
    ],
    ids=["ndarray((10**13,))", "ndarray 2-D", "_reconstruct"],
)
def test_the_book_pickle_ndarray_gadget_is_refused_without_allocating(tmp_path, gadget):
    path = tmp_path / "book.params"
    path.write_bytes(pickle.dumps([(gadget, gadget)], protocol=4))
    peak, message = peak_bytes(lambda: load_book_parameters(path, trust_this_file=True))
    assert peak < BOUND
    assert "refusing to allocate it" in message


@pytest.fixture
def image_model_path(tmp_path):
    model = Model()
    rng = np.random.default_rng(0)
    for layer in [
        Layer_Conv2D(1, 2, 3, rng=rng),
        Layer_BatchNormalization(2),
        Layer_Flatten(),
        Layer_Dense(2 * 2 * 2, 3, rng=rng),
    ]:
        model.add(layer)
    model.finalize()
    path = tmp_path / "images.npz"
    model.save(path)
    return path


@pytest.mark.parametrize(
    ("layer", "argument", "size", "shape"),
    [
        (0, "n_filters", 10**6, "(2, 1, 3, 3) in the file but (1000000, 1, 3, 3)"),
        (0, "kernel_size", [3000, 3000], "(2, 1, 3, 3) in the file but (2, 1, 3000, 3000)"),
        (1, "n_features", 10**9, "(1, 2) in the file but (1, 1000000000)"),
    ],
)
def test_a_file_declaring_huge_image_layers_draws_nothing(
    image_model_path, layer, argument, size, shape
):
    def grow(tree):
        tree["model"]["layers"][layer]["arguments"][argument] = size

    edit_description(image_model_path, grow)
    peak, message = peak_bytes(lambda: Model.load(image_model_path))
    assert peak < BOUND
    assert shape in message
