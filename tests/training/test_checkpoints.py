"""Checkpoints: parameters files, whole-model files and training checkpoints, without pickle.

The references: the model that was saved (outputs, parameters, optimizer state compared to the
bit), and for checkpoints an uninterrupted training run: training n1 epochs, saving, loading
into fresh objects and training the rest must give its weights exactly.
"""

import json
import os
import pickle
import zipfile

import numpy as np
import pytest

from nnlite import (
    Accuracy_Categorical,
    Accuracy_Regression,
    Activation_LeakyReLU,
    Activation_Linear,
    Activation_ReLU,
    Activation_Sigmoid,
    Activation_Softmax,
    Activation_Tanh,
    Layer_Dense,
    Layer_Dropout,
    Loss_BinaryCrossentropy,
    Loss_CategoricalCrossentropy,
    Loss_MeanAbsoluteError,
    Loss_MeanSquaredError,
    Optimizer_Adam,
    Optimizer_RMSprop,
    Optimizer_SGD,
    Schedule_Lambda,
    Schedule_LinearWarmup,
    Schedule_Sequential,
    Schedule_StepDecay,
)
from nnlite.files.array_files import write_atomically
from nnlite.training.callbacks import Callback
from nnlite.training.checkpoints import Checkpoint, load_checkpoint, save_checkpoint
from nnlite.training.model import Model


def blobs(rng, samples=60):
    """Three Gaussian blobs in 2-D, labels 0..2."""
    y = rng.integers(0, 3, size=samples)
    X = rng.normal(size=(samples, 2)) + np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 3.0]])[y]
    return X, y


@pytest.fixture
def data():
    return blobs(np.random.default_rng(0))


@pytest.fixture(autouse=True)
def global_stream_untouched():
    """Tests that use the global np.random stream leave it as they found it."""
    state = np.random.get_state()
    yield
    np.random.set_state(state)


def classifier(
    seed=1,
    *,
    dropout=None,
    optimizer=None,
    l2=0.0,
    hidden=16,
    dtype=None,
    activation=Activation_ReLU,
):
    """2-hidden-3 softmax classifier; ``dropout`` is None, "global" or a Generator."""
    rng = np.random.default_rng(seed)
    model = Model()
    model.add(
        Layer_Dense(
            2, hidden, weight_regularizer_l2=l2, bias_regularizer_l2=l2, rng=rng, dtype=dtype
        )
    )
    model.add(activation())
    if dropout is not None:
        model.add(Layer_Dropout(0.2, rng=None if dropout == "global" else dropout))
    model.add(Layer_Dense(hidden, 3, rng=rng, dtype=dtype))
    model.add(Activation_Softmax())
    model.set(
        loss=Loss_CategoricalCrossentropy(),
        optimizer=optimizer or Optimizer_Adam(learning_rate=0.05, decay=1e-2),
        accuracy=Accuracy_Categorical(),
    )
    model.finalize()
    return model


def parameters(model):
    return [tuple(array.copy() for array in arrays) for arrays in model.get_parameters()]


def assert_identical(ours, theirs):
    for index, (our_arrays, their_arrays) in enumerate(zip(ours, theirs, strict=True)):
        for a, b in zip(our_arrays, their_arrays, strict=True):
            assert a.dtype == b.dtype
            assert np.array_equal(a, b), (
                f"layer {index}: max difference {np.max(np.abs(a - b))}\n"
                f"ours:   {a.ravel()[:4]}\ntheirs: {b.ravel()[:4]}"
            )


def edit_description(path, change):
    """Rewrite the JSON entry of an nnlite file with ``change(tree)``."""
    with np.load(path, allow_pickle=False) as archive:
        entries = dict(archive)
    tree = json.loads(str(entries["description"]))
    change(tree)
    entries["description"] = np.array(json.dumps(tree))
    np.savez(path, **entries)


# ---------------------------------------------------------------------- parameters files


def test_parameters_round_trip(tmp_path):
    model = classifier()
    path = tmp_path / "spiral.params"
    model.save_parameters(path)
    fresh = classifier(seed=99)
    fresh.load_parameters(path)
    assert_identical(parameters(fresh), parameters(model))
    # A plain .npz: readable with pickles refused, with documented entry names
    with np.load(path, allow_pickle=False) as archive:
        assert sorted(archive.files) == [
            "layer0.biases",
            "layer0.weights",
            "layer1.biases",
            "layer1.weights",
            "layers",
            "nnlite_format",
            "nnlite_version",
        ]
        assert list(archive["layers"]) == ["Layer_Dense(2, 16)", "Layer_Dense(16, 3)"]
    assert os.listdir(tmp_path) == ["spiral.params"]  # no temporary file left


def test_a_failed_save_leaves_the_old_file(tmp_path, monkeypatch):
    model = classifier()
    path = tmp_path / "model.npz"
    model.save(path)
    saved = path.read_bytes()
    model.layers[0].weights += 1.0

    def crash(source, destination):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    for save in (model.save_parameters, model.save, lambda p: save_checkpoint(p, model, epoch=1)):
        with pytest.raises(OSError, match="disk full"):
            save(path)
        assert path.read_bytes() == saved
        assert os.listdir(tmp_path) == ["model.npz"]


def test_write_atomically_keeps_the_permissions_of_the_file_it_replaces(tmp_path):
    path = tmp_path / "model.npz"
    write_atomically(path, {"a": np.zeros(2)})
    os.chmod(path, 0o600)
    write_atomically(path, {"a": np.ones(2)})
    assert oct(os.stat(path).st_mode & 0o777) == "0o600"


class _Trap:
    """Unpickling this creates a file: proof that a pickle was opened."""

    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (open, (str(self.marker), "w"))


def test_a_pickle_is_refused_and_never_opened(tmp_path):
    marker = tmp_path / "unpickled"
    path = tmp_path / "book.parms"
    path.write_bytes(pickle.dumps([(_Trap(marker), np.zeros((1, 16)))]))
    model = classifier()
    for load in (model.load_parameters, Model.load, load_checkpoint):
        with pytest.raises(ValueError, match="is a pickle .* nnlite never unpickles"):
            load(path)
    assert not marker.exists()


@pytest.mark.parametrize("save", ["save_parameters", "save"])
def test_a_pickle_inside_an_npz_is_refused_and_never_opened(tmp_path, save):
    marker = tmp_path / "unpickled"
    path = tmp_path / "sneaky.npz"
    model = classifier()
    getattr(model, save)(path)
    with np.load(path) as archive:
        entries = dict(archive)
    weights = "layer0.weights" if save == "save_parameters" else "model.layers.0.parameters.weights"
    entries[weights] = np.array([_Trap(marker)], dtype=object)
    with open(path, "wb") as file:
        np.savez(file, **entries)
    load = model.load_parameters if save == "save_parameters" else Model.load
    with pytest.raises(ValueError, match="holds Python objects"):
        load(path)
    assert not marker.exists()


def corrupt_middle(path):
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 8] = bytes(b ^ 0xFF for b in data[middle : middle + 8])
    path.write_bytes(bytes(data))


def truncate(path):
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


@pytest.mark.parametrize("damage", [corrupt_middle, truncate])
@pytest.mark.parametrize("kind", ["parameters", "model", "checkpoint"])
def test_a_damaged_file_is_reported(tmp_path, damage, kind):
    model = classifier()
    path = tmp_path / "model.npz"
    save, load = {
        "parameters": (model.save_parameters, model.load_parameters),
        "model": (model.save, Model.load),
        "checkpoint": (lambda p: save_checkpoint(p, model, epoch=3), load_checkpoint),
    }[kind]
    save(path)
    damage(path)
    before = model.layers[0].weights.copy()
    with pytest.raises(ValueError, match="damaged or truncated"):
        load(path)
    np.testing.assert_array_equal(model.layers[0].weights, before)


def other_model(hidden=16, extra_layer=False, dtype=None):
    rng = np.random.default_rng(5)
    model = Model()
    model.add(Layer_Dense(2, hidden, rng=rng, dtype=dtype))
    model.add(Activation_ReLU())
    if extra_layer:
        model.add(Layer_Dense(hidden, hidden, rng=rng, dtype=dtype))
    model.add(Layer_Dense(hidden, 3, rng=rng, dtype=dtype))
    return model


@pytest.mark.parametrize(
    ("saved", "message"),
    [
        (
            other_model(extra_layer=True),
            r"holds parameters of 3 layer\(s\) \(Layer_Dense\(2, 16\), Layer_Dense\(16, 16\), "
            r"Layer_Dense\(16, 3\)\) but the model has 2 layer\(s\) with parameters: "
            r"Layer_Dense\(2, 16\), Layer_Dense\(16, 3\)",
        ),
        (
            other_model(hidden=32),
            r"weights of layer 0 has shape \(2, 32\) in the file \(Layer_Dense\(2, 32\)\) but "
            r"\(2, 16\) in the model \(Layer_Dense\(2, 16\)\)",
        ),
        (
            other_model(dtype=np.float32),
            r"weights of layer 0 \(Layer_Dense\(2, 16\)\) has dtype float32 in the file but "
            r"float64 in the model",
        ),
    ],
)
def test_a_mismatched_parameters_file_says_what_differs(tmp_path, saved, message):
    path = tmp_path / "other.npz"
    saved.save_parameters(path)
    model = classifier()
    before = parameters(model)
    with pytest.raises(ValueError, match=message):
        model.load_parameters(path)
    assert_identical(parameters(model), before)


def test_files_of_another_kind_are_named(tmp_path):
    model = classifier()
    single = tmp_path / "array.npy"
    np.save(single, np.zeros(3))
    with pytest.raises(ValueError, match=r"single NumPy array \(.npy\)"):
        model.load_parameters(single)
    archive = tmp_path / "other.npz"
    np.savez(archive, weights=np.zeros(3))
    with pytest.raises(ValueError, match=r"not an nnlite file \(it has no 'nnlite_format' entry"):
        Model.load(archive)
    assert zipfile.is_zipfile(archive)
    text = tmp_path / "notes.txt"
    text.write_text("hello")
    with pytest.raises(ValueError, match=r"not a NumPy .npz archive"):
        load_checkpoint(text)
    # nnlite files of another format say what to use instead
    model.save_parameters(tmp_path / "parameters.npz")
    model.save(tmp_path / "model.npz")
    cases = [
        (
            Model.load,
            "parameters.npz",
            r"'nnlite-parameters', but Model.load reads .* "
            r"model.load_parameters\(path\)",
        ),
        (
            load_checkpoint,
            "model.npz",
            r"'nnlite-model', but load_checkpoint reads "
            r"'nnlite-checkpoint' files\. .*Model.load\(path\)",
        ),
        (model.load_parameters, "model.npz", r"Model.load\(path\)"),
    ]
    for load, name, message in cases:
        with pytest.raises(ValueError, match=message):
            load(tmp_path / name)


# ---------------------------------------------------------------------- whole models


def every_kind_of_layer(dtype=None):
    rng = np.random.default_rng(4)
    model = Model()
    model.add(Layer_Dense(3, 8, 1e-4, 2e-4, 3e-4, 4e-4, rng=rng, dtype=dtype, name="entry"))
    model.add(Activation_LeakyReLU(alpha=0.2))
    model.add(Layer_Dropout(0.25, rng=np.random.default_rng(8)))
    model.add(Layer_Dense(8, 8, rng=rng, dtype=dtype))
    model.add(Activation_Tanh())
    model.add(Layer_Dense(8, 8, rng=rng, dtype=dtype))
    model.add(Activation_Sigmoid())
    model.add(Layer_Dense(8, 2, rng=rng, dtype=dtype))
    model.add(Activation_Linear())
    model.layers[3].trainable = False
    return model


@pytest.mark.parametrize(
    ("loss", "accuracy"),
    [
        (Loss_MeanSquaredError(), Accuracy_Regression(precision=np.float64(0.0125))),
        (Loss_MeanAbsoluteError(), Accuracy_Regression()),
        (Loss_BinaryCrossentropy(), Accuracy_Categorical(binary=True)),
    ],
)
@pytest.mark.parametrize("dtype", [None, np.float32])
def test_a_saved_model_loads_as_it_was(tmp_path, loss, accuracy, dtype):
    model = every_kind_of_layer(dtype)
    model.set(loss=loss, accuracy=accuracy, optimizer=Optimizer_RMSprop(learning_rate=0.01))
    model.finalize()
    X = np.random.default_rng(0).normal(size=(32, 3))
    y = np.random.default_rng(1).random(size=(32, 2))
    model.train(
        X,
        (y > 0.5).astype(int) if accuracy.__dict__.get("binary") else y,
        epochs=3,
        batch_size=10,
        verbose=0,
    )
    model.save(tmp_path / "model.npz")
    loaded = Model.load(tmp_path / "model.npz")

    assert repr(loaded) == repr(model)
    assert [type(layer) for layer in loaded.layers] == [type(layer) for layer in model.layers]
    assert loaded.layers[0].name == "entry"
    assert [
        getattr(loaded.layers[0], name)
        for name in ("weight_regularizer_l1", "weight_regularizer_l2", "bias_regularizer_l1")
    ] == [1e-4, 2e-4, 3e-4]
    assert loaded.layers[1].alpha == 0.2
    assert loaded.layers[2].rate == 0.25
    assert loaded.layers[3].trainable is False and loaded.layers[5].trainable is True
    # The dropout's generator stands where the saved one stood
    assert loaded.layers[2].rng.random() == model.layers[2].rng.random()
    assert type(loaded.loss) is type(loss) and type(loaded.accuracy) is type(accuracy)
    assert vars(loaded.accuracy).get("binary") == vars(accuracy).get("binary")
    assert repr(loaded.accuracy.__dict__.get("precision")) == repr(
        accuracy.__dict__.get("precision")
    )
    assert isinstance(loaded.optimizer, Optimizer_RMSprop)
    assert loaded.optimizer.iterations == model.optimizer.iterations == 12
    names = model.named_layers()
    assert loaded.optimizer.state_dict(loaded.named_layers())["layers"].keys() == (
        model.optimizer.state_dict(names)["layers"].keys()
    )
    for name in ("entry", "dense_2", "dense_3"):  # dense_1 is frozen: never updated
        np.testing.assert_array_equal(
            names[name].weight_cache, loaded.named_layers()[name].weight_cache
        )
    assert_identical(parameters(loaded), parameters(model))
    assert loaded.predict(X).dtype == model.predict(X).dtype
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_a_model_without_loss_or_optimizer_saves(tmp_path):
    model = every_kind_of_layer()
    model.save(tmp_path / "bare.npz")
    loaded = Model.load(tmp_path / "bare.npz")
    assert loaded.loss is None and loaded.optimizer is None and loaded.accuracy is None
    X = np.random.default_rng(0).normal(size=(4, 3))
    model.finalize()
    np.testing.assert_array_equal(loaded.predict(X), model.predict(X))


def test_the_model_file_format(tmp_path):
    model = classifier(dropout="global")
    model.save(tmp_path / "model.npz")
    with np.load(tmp_path / "model.npz", allow_pickle=False) as archive:
        assert str(archive["nnlite_format"]) == "nnlite-model"
        assert int(archive["nnlite_version"]) == 1
        tree = json.loads(str(archive["description"]))
        np.testing.assert_array_equal(
            archive["model.layers.0.parameters.weights"], model.layers[0].weights
        )
    layers = tree["model"]["layers"]
    assert [layer["name"] for layer in layers] == [
        "dense_1",
        "relu_1",
        "dropout_1",
        "dense_2",
        "softmax_1",
    ]
    assert layers[0]["class"] == "Layer_Dense"
    assert layers[0]["arguments"] == {
        "n_inputs": 2,
        "n_neurons": 16,
        "weight_regularizer_l1": 0.0,
        "weight_regularizer_l2": 0.0,
        "bias_regularizer_l1": 0,
        "bias_regularizer_l2": 0,
        "name": None,
        "check_finite": False,
    }
    assert layers[0]["parameters"]["weights"] == {"__array__": "model.layers.0.parameters.weights"}
    assert layers[2]["arguments"] == {"rate": 0.2, "rng": None}
    assert tree["model"]["loss"] == {"class": "Loss_CategoricalCrossentropy", "arguments": {}}
    assert tree["model"]["optimizer"]["class"] == "Optimizer_Adam"
    assert tree["model"]["optimizer"]["state"]["hyperparameters"]["decay"] == 1e-2
    assert tree["generators"] == []


def test_save_refuses_what_a_file_cannot_rebuild(tmp_path):
    class Layer_Custom:
        def forward(self, inputs, training=False):
            self.output = inputs
            return inputs

    model = classifier()
    model.layers.insert(1, Layer_Custom())
    model.finalize()
    with pytest.raises(
        ValueError,
        match=r"layer 1 \('custom_1'\) is a Layer_Custom: "
        r"Layer_Custom is not one of nnlite's layer classes .*save_checkpoint",
    ):
        model.save(tmp_path / "model.npz")
    assert not (tmp_path / "model.npz").exists()

    lambda_model = classifier(
        optimizer=Optimizer_SGD(learning_rate=Schedule_Lambda(0.1, lr_lambda=lambda step: 0.9))
    )
    with pytest.raises(
        ValueError,
        match=r"schedule is a Schedule_Lambda: its lr_lambda is a "
        r"Python function",
    ):
        lambda_model.save(tmp_path / "model.npz")


def test_names_of_the_layers(tmp_path):
    model = classifier(dropout="global")
    assert list(model.named_layers()) == ["dense_1", "relu_1", "dropout_1", "dense_2", "softmax_1"]
    named = Model()
    named.add(Layer_Dense(2, 4, name="dense_2", rng=np.random.default_rng(0)))
    named.add(Layer_Dense(4, 4, rng=np.random.default_rng(0)))
    named.add(Layer_Dense(4, 4, rng=np.random.default_rng(0)))
    assert list(named.named_layers()) == ["dense_2", "dense_1", "dense_3"]
    twice = Model()
    twice.add(Layer_Dense(2, 4, name="a", rng=np.random.default_rng(0)))
    twice.add(Layer_Dense(4, 4, name="a", rng=np.random.default_rng(0)))
    with pytest.raises(ValueError, match="two layers are named 'a'"):
        twice.named_layers()
    # Naming does not change the layers
    assert model.layers[0].name is None and repr(model.layers[0]) == "Layer_Dense(2, 16)"


# ---------------------------------------------------------------------- resuming training


def run(model, X, y, epochs, *, initial_epoch=0, rng=None, batch_size=None):
    return model.train(
        X,
        y,
        epochs=epochs,
        initial_epoch=initial_epoch,
        batch_size=batch_size,
        shuffle=rng is not None,
        rng=rng,
        verbose=0,
    )


RESUME_CASES = {
    # name: (model settings, batch_size, shuffle seed or None)
    "Adam with decay, dropout on the global stream": (
        {"dropout": "global", "l2": 1e-3},
        None,
        None,
    ),
    "shuffled batches, dropout on its own generator": ({"dropout": 3}, 16, 21),
    "dropout and shuffling share one generator": ({"dropout": "shared"}, 16, "shared"),
    "SGD with momentum and a schedule": (
        {
            "optimizer": lambda: Optimizer_SGD(
                learning_rate=Schedule_Sequential(
                    [
                        Schedule_LinearWarmup(0.5, start_factor=0.1, total_iters=4),
                        Schedule_StepDecay(0.5, step_size=5, gamma=0.5),
                    ],
                    milestones=[4],
                ),
                momentum=0.9,
            ),
            "dropout": "global",
        },
        20,
        None,
    ),
    "float32 weights": ({"dtype": np.float32, "dropout": "global"}, 20, 5),
    "a param group for the last dense layer": ({"group": True}, None, None),
}


def build_for(settings, seed):
    settings = dict(settings)
    shared = None
    if settings.get("optimizer") is not None:
        settings["optimizer"] = settings["optimizer"]()
    if settings.get("dropout") == "shared":
        shared = np.random.default_rng(77)
        settings["dropout"] = shared
    elif isinstance(settings.get("dropout"), int):
        settings["dropout"] = np.random.default_rng(settings["dropout"])
    group = settings.pop("group", False)
    model = classifier(seed, **settings)
    if group:
        model.optimizer.add_param_group({"layers": [model.layers[-2]], "learning_rate": 0.005})
    return model, shared


@pytest.mark.parametrize("case", sorted(RESUME_CASES))
@pytest.mark.parametrize("into", ["rebuilt", "given"])
def test_resuming_gives_the_uninterrupted_run_to_the_bit(tmp_path, data, case, into):
    settings, batch_size, shuffle = RESUME_CASES[case]
    X, y = data
    epochs, stop = 12, 5

    def shuffle_rng(shared):
        if shuffle is None:
            return None
        return shared if shuffle == "shared" else np.random.default_rng(shuffle)

    # The uninterrupted run
    np.random.seed(42)
    reference, shared = build_for(settings, seed=1)
    reference_history = run(reference, X, y, epochs, rng=shuffle_rng(shared), batch_size=batch_size)

    # Stop after `stop` epochs and save
    np.random.seed(42)
    first, shared = build_for(settings, seed=1)
    rng = shuffle_rng(shared)
    run(first, X, y, stop, rng=rng, batch_size=batch_size)
    save_checkpoint(tmp_path / "run.npz", first, epoch=stop, rng=rng, extra={"note": case})
    del first

    # Something else uses the global stream in between; load into fresh objects
    np.random.seed(7)
    np.random.random(100)
    model = None if into == "rebuilt" else build_for(settings, seed=99)[0]
    checkpoint = load_checkpoint(tmp_path / "run.npz", model)
    assert isinstance(checkpoint, Checkpoint)
    assert checkpoint.epoch == stop and checkpoint.extra == {"note": case}
    if shuffle == "shared":
        assert checkpoint.rng is checkpoint.model.layers[2].rng
    history = run(
        checkpoint.model,
        X,
        y,
        epochs,
        initial_epoch=checkpoint.epoch,
        rng=checkpoint.rng,
        batch_size=batch_size,
    )
    assert_identical(parameters(checkpoint.model), parameters(reference))
    assert history.epoch == list(range(stop + 1, epochs + 1))
    assert history["loss"] == reference_history["loss"][stop:]


def test_a_checkpoint_saved_by_a_callback_resumes_to_the_bit(tmp_path, data):
    """What Callback_Checkpoint would do with full checkpoints: save at the end of an epoch,
    inside train(), with validation running in between."""
    X, y = data
    validation = blobs(np.random.default_rng(9), samples=20)

    class SaveAtEpoch(Callback):
        def __init__(self, rng):
            self.rng = rng

        def on_epoch_end(self, model, epoch, logs):
            if epoch == 4:
                save_checkpoint(tmp_path / "run.npz", model, epoch=epoch, rng=self.rng)

    np.random.seed(0)
    reference = classifier(dropout="global")
    rng = np.random.default_rng(3)
    reference.train(
        X,
        y,
        epochs=9,
        batch_size=16,
        shuffle=True,
        rng=rng,
        verbose=0,
        validation_data=validation,
        callbacks=[SaveAtEpoch(rng)],
    )
    checkpoint = load_checkpoint(tmp_path / "run.npz")
    checkpoint.model.train(
        X,
        y,
        epochs=9,
        initial_epoch=checkpoint.epoch,
        batch_size=16,
        shuffle=True,
        rng=checkpoint.rng,
        verbose=0,
        validation_data=validation,
    )
    assert_identical(parameters(checkpoint.model), parameters(reference))


@pytest.mark.parametrize("into", ["rebuilt", "given"])
def test_a_layer_frozen_after_training_keeps_its_optimizer_state(tmp_path, data, into):
    model = classifier()
    model.train(*data, epochs=3, verbose=0)
    model.layers[0].trainable = False
    save_checkpoint(tmp_path / "run.npz", model, epoch=3)
    target = None if into == "rebuilt" else classifier(seed=5)
    loaded = load_checkpoint(tmp_path / "run.npz", target).model
    assert loaded.layers[0].trainable is False and loaded.layers[2].trainable is True
    np.testing.assert_array_equal(loaded.layers[0].weight_cache, model.layers[0].weight_cache)
    assert loaded.layers[0].optimizer_state.steps == {"weights": 3, "biases": 3}


def test_the_printed_epochs_continue(tmp_path, data, capsys):
    X, y = data
    model = classifier()
    model.train(X, y, epochs=4, print_every=2)
    save_checkpoint(tmp_path / "run.npz", model, epoch=4)
    capsys.readouterr()
    checkpoint = load_checkpoint(tmp_path / "run.npz")
    checkpoint.model.train(X, y, epochs=8, initial_epoch=checkpoint.epoch, print_every=2)
    printed = [line.split(",")[0] for line in capsys.readouterr().out.splitlines()]
    assert printed == ["epoch: 6", "epoch: 8"]


def test_the_global_stream_is_restored_unless_asked_not_to(tmp_path):
    model = classifier()
    np.random.seed(3)
    save_checkpoint(tmp_path / "run.npz", model, epoch=0)
    expected = np.random.random(5)
    np.random.seed(4)
    load_checkpoint(tmp_path / "run.npz", restore_global_rng=False)
    assert not np.array_equal(np.random.random(5), expected)
    load_checkpoint(tmp_path / "run.npz")
    np.testing.assert_array_equal(np.random.random(5), expected)


def test_a_checkpoint_opens_as_a_model(tmp_path, data):
    model = classifier()
    save_checkpoint(tmp_path / "run.npz", model, epoch=2)
    loaded = Model.load(tmp_path / "run.npz")
    np.testing.assert_array_equal(loaded.predict(data[0]), model.predict(data[0]))


def test_extra_round_trips_and_must_be_plain_data(tmp_path):
    model = classifier()
    extra = {"best": 0.25, "history": [1, 2.5, None], "arrays": {"mask": np.arange(4)}}
    save_checkpoint(tmp_path / "run.npz", model, epoch=1, extra=extra)
    loaded = load_checkpoint(tmp_path / "run.npz").extra
    assert loaded["best"] == 0.25 and loaded["history"] == [1, 2.5, None]
    np.testing.assert_array_equal(loaded["arrays"]["mask"], np.arange(4))
    with pytest.raises(
        TypeError,
        match=r"training.extra.callback is a builtin_function_or_method .* without pickle",
    ):
        save_checkpoint(tmp_path / "bad.npz", model, epoch=1, extra={"callback": print})
    assert not (tmp_path / "bad.npz").exists()


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"epoch": -1}, ValueError, r"epoch must be a whole number >= 0, got -1"),
        ({"epoch": 1.5}, ValueError, r"epoch must be a whole number >= 0, got 1.5"),
        ({"epoch": 1, "rng": np.random.RandomState(0)}, TypeError, r"rng must be a np.random.Gen"),
    ],
)
def test_save_checkpoint_checks_its_arguments(tmp_path, arguments, error, message):
    with pytest.raises(error, match=message):
        save_checkpoint(tmp_path / "run.npz", classifier(), **arguments)


def test_layers_nnlite_cannot_rebuild_load_into_a_model_built_in_code(tmp_path, data):
    class Layer_Scale:
        def __init__(self):
            self.weights = np.full((1, 16), 2.0)

        def forward(self, inputs, training=False):
            self.inputs = inputs
            self.output = inputs * self.weights
            return self.output

        def backward(self, dvalues):
            self.dweights = np.sum(dvalues * self.inputs, axis=0, keepdims=True)
            self.dinputs = dvalues * self.weights
            return self.dinputs

    def build():
        model = classifier()
        model.layers.insert(2, Layer_Scale())
        model.finalize()
        return model

    X, y = data
    model = build()
    model.train(X, y, epochs=3, verbose=0)
    save_checkpoint(tmp_path / "run.npz", model, epoch=3)
    with pytest.raises(
        ValueError,
        match=r"model.layers.2 \('scale_1'\) is a Layer_Scale, which "
        r"cannot be rebuilt .* load_checkpoint\(path, model\)",
    ):
        load_checkpoint(tmp_path / "run.npz")
    fresh = build()
    load_checkpoint(tmp_path / "run.npz", fresh)
    assert_identical(parameters(fresh), parameters(model))
    assert fresh.optimizer.iterations == 3


def test_a_lambda_schedule_resumes_in_a_model_built_in_code(tmp_path, data):
    def build():
        schedule = Schedule_Lambda(0.5, lr_lambda=lambda step: 0.95**step)
        return classifier(optimizer=Optimizer_SGD(learning_rate=schedule, momentum=0.5))

    X, y = data
    reference = build()
    run(reference, X, y, 6)
    first = build()
    run(first, X, y, 2)
    save_checkpoint(tmp_path / "run.npz", first, epoch=2)
    with pytest.raises(
        ValueError,
        match=r"Schedule_Lambda, which cannot be rebuilt from a file "
        r"\(its lr_lambda is a Python function",
    ):
        load_checkpoint(tmp_path / "run.npz")
    checkpoint = load_checkpoint(tmp_path / "run.npz", build())
    run(checkpoint.model, X, y, 6, initial_epoch=checkpoint.epoch)
    assert_identical(parameters(checkpoint.model), parameters(reference))


# ---------------------------------------------------------------------- what loading checks


def saved_checkpoint(tmp_path, model=None):
    path = tmp_path / "run.npz"
    model = model or classifier(dropout="global")
    model.train(*blobs(np.random.default_rng(0)), epochs=2, verbose=0)
    save_checkpoint(path, model, epoch=2)
    return path


@pytest.mark.parametrize(
    ("model", "message"),
    [
        (
            lambda: classifier(hidden=8, dropout="global"),
            r"model.layers.0 \('dense_1'\) does not match the model's layer 0 "
            r"\(Layer_Dense\(2, 8\)\): n_neurons is 16 in the file but 8 in the model",
        ),
        (
            lambda: classifier(dropout="global", l2=0.5),
            r"weight_regularizer_l2 is 0.0 in the file but 0.5 in the model",
        ),
        (
            lambda: classifier(dropout="global", activation=Activation_Tanh),
            r"model.layers.1 \('relu_1'\) does not match .* the name is 'relu_1' in the file but "
            r"'tanh_1' here; the class is Activation_ReLU in the file but Activation_Tanh",
        ),
        (
            lambda: classifier(),
            r"model.layers has 5 layers in the file \(dense_1, relu_1, dropout_1, dense_2, "
            r"softmax_1\) but the model has 4 \(dense_1, relu_1, dense_2, softmax_1\)",
        ),
        (
            lambda: classifier(dropout="global", dtype=np.float32),
            r"entry 'model.layers.0.parameters.weights' \(weights of layer 0 \('dense_1'\)\) has "
            r"dtype float64 in the file but float32 in the model",
        ),
        (
            lambda: classifier(dropout="global", optimizer=Optimizer_SGD()),
            r"model.optimizer does not match: the class is Optimizer_Adam in the file but "
            r"Optimizer_SGD in the model",
        ),
        (
            lambda: classifier(
                dropout="global",
                optimizer=Optimizer_Adam(learning_rate=Schedule_StepDecay(0.1, step_size=2)),
            ),
            r"the schedule is None in the file but Schedule_StepDecay in the model",
        ),
    ],
)
def test_loading_into_a_different_model_says_what_differs(tmp_path, model, message):
    path = saved_checkpoint(tmp_path)
    target = model()
    before = parameters(target)
    with pytest.raises(ValueError, match=rf"^'{tmp_path}/run.npz': .*{message}"):
        load_checkpoint(path, target)
    assert_identical(parameters(target), before)
    assert target.optimizer.iterations == 0


def test_loading_into_a_model_without_an_optimizer(tmp_path):
    path = saved_checkpoint(tmp_path)
    model = classifier(dropout="global")
    model.optimizer = None
    with pytest.raises(
        ValueError,
        match=r"the file has an optimizer \(Optimizer_Adam\) but the "
        r"model has none; call model.set\(optimizer=Optimizer_Adam\(...\)\)",
    ):
        load_checkpoint(path, model)


def set_in(tree, keys, value):
    for key in keys[:-1]:
        tree = tree[key]
    tree[keys[-1]] = value


@pytest.mark.parametrize(
    ("keys", "value", "message"),
    [
        (
            ("model", "layers", 0, "class"),
            "os.system",
            r"model.layers.0 \('dense_1'\) names the class 'os.system', which is not one of "
            r"nnlite's layer classes",
        ),
        (
            ("model", "optimizer", "class"),
            "Optimizer_Evil",
            r"model.optimizer names the optimizer 'Optimizer_Evil', which is not one of nnlite's",
        ),
        (
            ("model", "layers", 2, "arguments", "rate"),
            1.5,
            r"model.layers.2 \('dropout_1'\) cannot be built from the file: .*rate .* \[0, 1\)",
        ),
        (
            ("model", "layers", 0, "arguments", "units"),
            3,
            r"model.layers.0 \('dense_1'\) \(Layer_Dense\) has the arguments \[.*\], but "
            r"Layer_Dense is saved with \[.*\] \(unknown: \['units'\], missing: \[\]\)",
        ),
        (
            ("model", "layers", 0, "arguments", "n_neurons"),
            17,
            r"entry 'model.layers.0.parameters.weights' \(weights of layer 0 \('dense_1'\)\) has "
            r"shape \(2, 16\) in the file but \(2, 17\) in the model",
        ),
        (
            ("model", "layers", 0, "parameters", "weights"),
            {"__array__": "nowhere"},
            r"model.layers.0.parameters.weights refers to the entry 'nowhere', which is missing",
        ),
        (
            ("model", "accuracy", "class"),
            "Accuracy_Evil",
            r"model.accuracy names the class 'Accuracy_Evil', which is not one of nnlite's",
        ),
        (
            ("training", "epoch"),
            "five",
            r"training.epoch should be a int, found 'five'",
        ),
        (
            ("training", "global_rng", "bit_generator"),
            "PCG64",
            r"training.global_rng should be the state of the global np.random stream",
        ),
    ],
)
def test_a_tampered_file_is_refused_with_the_reason(tmp_path, keys, value, message):
    path = saved_checkpoint(tmp_path)
    edit_description(path, lambda tree: set_in(tree, keys, value))
    with pytest.raises(ValueError, match=rf"^'{tmp_path}/run.npz': {message}"):
        load_checkpoint(path)


def test_versions_entries_and_json_are_checked(tmp_path):
    path = saved_checkpoint(tmp_path)
    with np.load(path, allow_pickle=False) as archive:
        entries = dict(archive)

    def rewrite(**changes):
        np.savez(path, **{**entries, **changes})

    rewrite(nnlite_version=np.array(2))
    with pytest.raises(
        ValueError,
        match=r"entry 'nnlite_version' is 2, but this nnlite reads "
        r"version 1 of 'nnlite-checkpoint' files",
    ):
        load_checkpoint(path)
    rewrite(nnlite_format=np.array("nnlite-weights"))
    with pytest.raises(
        ValueError,
        match=r"entry 'nnlite_format' is 'nnlite-weights', but "
        r"load_checkpoint reads 'nnlite-checkpoint' files",
    ):
        load_checkpoint(path)
    rewrite(description=np.array("{not json"))
    with pytest.raises(ValueError, match=r"entry 'description' is not valid JSON"):
        load_checkpoint(path)
    rewrite(stray=np.zeros(2))
    with pytest.raises(
        ValueError,
        match=r"has entries that entry 'description' does not mention: "
        r"\['stray'\]",
    ):
        load_checkpoint(path)
    rewrite(**{"model.layers.0.parameters.weights": np.zeros((2, 16), dtype=np.int64)})
    with pytest.raises(ValueError, match=r"should hold floating-point numbers, found dtype int64"):
        load_checkpoint(path)
