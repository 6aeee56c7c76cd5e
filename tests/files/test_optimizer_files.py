"""save_optimizer_state / load_optimizer_state: an nnlite.optim state_dict in an .npz file."""

import pickle

import numpy as np
import pytest

import nnlite.optim as optim
from nnlite import Layer_Dense, load_optimizer_state, save_optimizer_state
from tests.optimizers.torch_lockstep import make_layers, quadratic_gradient


def train(optimizer, layers, steps, targets):
    for _ in range(steps):
        optimizer.zero_grad()
        for layer, target in zip(layers, targets, strict=True):
            layer.dweights = quadratic_gradient(layer.weights, target)
            layer.dbiases = quadratic_gradient(layer.biases, 0.5 * target[:1])
        optimizer.step()


@pytest.mark.parametrize(
    "make",
    [
        lambda p: optim.Adam([{"params": p[:2]}, {"params": p[2:], "lr": 0.003}], lr=0.01),
        lambda p: optim.NAdam(p, lr=0.05),  # a scalar in the state (mu_product)
        lambda p: optim.SGD(p, lr=0.1, momentum=0.9),  # no step count
        lambda p: optim.Adafactor(p),  # factored arrays
        lambda p: optim.ASGD(p, t0=3),
    ],
    ids=["adam groups", "nadam", "sgd", "adafactor", "asgd"],
)
def test_saving_and_loading_resumes_with_the_same_bits(tmp_path, make):
    targets = [np.full(layer.weights.shape, 0.3) for layer in make_layers()]
    straight = make_layers()
    train(make([p for layer in straight for p in layer.parameters()]), straight, 12, targets)

    first = make_layers()
    optimizer = make([p for layer in first for p in layer.parameters()])
    train(optimizer, first, 5, targets)
    path = tmp_path / "optimizer.npz"
    save_optimizer_state(path, optimizer)
    resumed = make([p for layer in first for p in layer.parameters()])
    for layer in first:  # forget the state on the layers: it must come from the file
        del layer.optimizer_state
    load_optimizer_state(path, resumed)
    assert resumed.param_groups[0].keys() == optimizer.param_groups[0].keys()
    assert [dict(g, params=None) for g in resumed.param_groups] == [
        dict(g, params=None) for g in optimizer.param_groups
    ]
    train(resumed, first, 7, targets)
    for a, b in zip(straight, first, strict=True):
        assert np.array_equal(a.weights, b.weights) and np.array_equal(a.biases, b.biases)


def test_the_file_is_no_pickle_and_a_wrong_optimizer_changes_nothing(tmp_path):
    layer = Layer_Dense(2, 3)
    optimizer = optim.Adam(layer.parameters())
    layer.dweights, layer.dbiases = np.ones((2, 3)), np.ones((1, 3))
    optimizer.step()
    path = tmp_path / "adam.npz"
    save_optimizer_state(path, optimizer)
    with np.load(path, allow_pickle=False) as archive:
        assert str(archive["nnlite_format"]) == "nnlite-optimizer"
    other = optim.SGD(Layer_Dense(2, 3).parameters(), lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match="holds the state of Adam, not of SGD"):
        load_optimizer_state(path, other)
    bigger = Layer_Dense(2, 4)
    wrong_shapes = optim.Adam(bigger.parameters(), lr=0.5)
    with pytest.raises(ValueError, match="has shape"):
        load_optimizer_state(path, wrong_shapes)
    assert wrong_shapes.param_groups[0]["lr"] == 0.5 and len(wrong_shapes.state) == 0
    pickled = tmp_path / "pickled.npz"
    pickled.write_bytes(pickle.dumps(optimizer.state_dict()))
    with pytest.raises(ValueError, match="is a pickle"):
        load_optimizer_state(pickled, optimizer)


def test_a_book_style_optimizer_is_pointed_to_checkpoints(tmp_path):
    from nnlite import Optimizer_Adam

    with pytest.raises(TypeError, match="save_checkpoint"):
        save_optimizer_state(tmp_path / "x.npz", Optimizer_Adam())
