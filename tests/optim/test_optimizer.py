"""nnlite.optim's Optimizer: PyTorch's object and errors, the book's numbers and state."""

import warnings

import numpy as np
import pytest
import torch

import nnlite.optim as optim
from nnlite import (
    Activation_ReLU,
    Activation_Softmax,
    Layer_Dense,
    Loss_CategoricalCrossentropy,
    Model,
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
    accumulate_gradients,
    spiral_data,
)
from nnlite.accuracy import Accuracy_Categorical
from tests.optimizers.torch_lockstep import make_layers, quadratic_gradient


def layers_and_targets():
    layers = make_layers()
    rng = np.random.default_rng(3)
    targets = [[rng.standard_normal(p.shape) for p in layer.parameters()] for layer in layers]
    return layers, targets


def set_gradients(layers, targets):
    for layer, (weight_target, bias_target) in zip(layers, targets, strict=True):
        layer.dweights = quadratic_gradient(layer.weights, weight_target)
        layer.dbiases = quadratic_gradient(layer.biases, bias_target)


# The book-style optimizer and the nnlite.optim one with the same hyperparameters
# fmt: off
SAME_RULE = [
    ("sgd", lambda: Optimizer_SGD(0.1, momentum=0.9, momentum_form="torch"), lambda p: optim.SGD(p, lr=0.1, momentum=0.9)),  # noqa: E501
    ("adagrad", lambda: Optimizer_Adagrad(0.1, epsilon=1e-10), lambda p: optim.Adagrad(p, lr=0.1)),
    ("rmsprop", lambda: Optimizer_RMSprop(0.01, epsilon=1e-8, rho=0.99), lambda p: optim.RMSprop(p, lr=0.01)),  # noqa: E501
    ("adadelta", lambda: Optimizer_Adadelta(), lambda p: optim.Adadelta(p)),
    ("adam", lambda: Optimizer_Adam(0.01, epsilon=1e-8), lambda p: optim.Adam(p, lr=0.01)),
    ("adamw", lambda: Optimizer_AdamW(0.01), lambda p: optim.AdamW(p, lr=0.01)),
    ("adamax", lambda: Optimizer_Adamax(), lambda p: optim.Adamax(p)),
    ("nadam", lambda: Optimizer_NAdam(), lambda p: optim.NAdam(p)),
    ("radam", lambda: Optimizer_RAdam(), lambda p: optim.RAdam(p)),
    ("asgd", lambda: Optimizer_ASGD(0.1, t0=5), lambda p: optim.ASGD(p, lr=0.1, t0=5)),
    ("rprop", lambda: Optimizer_Rprop(), lambda p: optim.Rprop(p)),
    ("adafactor", lambda: Optimizer_Adafactor(), lambda p: optim.Adafactor(p)),
    ("muon", lambda: Optimizer_Muon(0.02), lambda p: optim.Muon(p, lr=0.02)),
    ("lion", lambda: Optimizer_Lion(0.01), lambda p: optim.Lion(p, lr=0.01)),
]
# fmt: on


@pytest.mark.parametrize(("book", "pytorch_face"), [case[1:] for case in SAME_RULE],
                         ids=[case[0] for case in SAME_RULE])  # fmt: skip
def test_both_faces_give_the_same_bits(book, pytorch_face):
    ours_layers, targets = layers_and_targets()
    book_layers, _ = layers_and_targets()
    book_optimizer = book()
    face = pytorch_face([p for layer in ours_layers for p in layer.parameters()])
    for _ in range(12):
        set_gradients(book_layers, targets)
        book_optimizer.pre_update_params()
        for layer in book_layers:
            book_optimizer.update_params(layer)
        book_optimizer.post_update_params()
        face.zero_grad()
        set_gradients(ours_layers, targets)
        face.step()
    for ours, theirs in zip(ours_layers, book_layers, strict=True):
        assert np.array_equal(ours.weights, theirs.weights)
        assert np.array_equal(ours.biases, theirs.biases)
        # The same state, on the layer, under the book's names
        for name in theirs.optimizer_state.state_attributes:
            assert np.array_equal(getattr(ours, name), getattr(theirs, name))


def test_state_holds_the_layers_own_arrays_under_torchs_names():
    layers, targets = layers_and_targets()
    optimizer = optim.Adam(layers[0].parameters(), lr=0.01, amsgrad=True)
    assert len(optimizer.state) == 0
    set_gradients(layers, targets)
    optimizer.step()
    weights, biases = layers[0].parameters()
    state = optimizer.state[weights]
    assert list(state) == ["step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"]
    assert state["exp_avg"] is layers[0].weight_momentums
    assert state["exp_avg_sq"] is layers[0].weight_cache
    assert state["max_exp_avg_sq"] is layers[0].weight_max_cache
    assert optimizer.state[biases]["exp_avg"] is layers[0].bias_momentums
    assert state["step"] == 1.0
    assert len(optimizer.state) == 2
    # Writing goes to the layer
    optimizer.state[weights]["exp_avg"] = np.ones(weights.shape)
    assert np.array_equal(layers[0].weight_momentums, np.ones(weights.shape))


def test_param_groups_are_plain_dicts_with_torchs_keys_in_torchs_order():
    layers, _ = layers_and_targets()
    tensor = torch.zeros(2, requires_grad=True)
    for ours, theirs in [
        (optim.SGD(layers[0].parameters(), lr=0.1), torch.optim.SGD([tensor], lr=0.1)),
        (optim.Adam(layers[0].parameters()), torch.optim.Adam([tensor])),
        (optim.RMSprop(layers[0].parameters()), torch.optim.RMSprop([tensor])),
        (optim.LBFGS(layers[0].parameters()), torch.optim.LBFGS([tensor])),
    ]:
        assert type(ours.param_groups[0]) is dict
        assert list(ours.param_groups[0]) == list(theirs.param_groups[0])
        assert ours.defaults == theirs.defaults


def test_state_dict_layout_is_torchs():
    layers, targets = layers_and_targets()
    params = [{"params": layers[0].parameters()}, {"params": layers[1].parameters(), "lr": 0.5}]
    ours = optim.SGD(params, lr=0.1, momentum=0.9)
    tensors = [
        torch.tensor(p.data, requires_grad=True) for layer in layers for p in layer.parameters()
    ]  # noqa: E501
    theirs = torch.optim.SGD(
        [{"params": tensors[:2]}, {"params": tensors[2:], "lr": 0.5}], lr=0.1, momentum=0.9
    )  # noqa: E501
    set_gradients(layers, targets)
    ours.step()
    for tensor in tensors:
        tensor.grad = torch.ones_like(tensor)
    theirs.step()
    ours_saved, theirs_saved = ours.state_dict(), theirs.state_dict()
    assert ours_saved["param_groups"] == theirs_saved["param_groups"]
    assert list(ours_saved["state"]) == list(theirs_saved["state"]) == [0, 1, 2, 3]
    assert list(ours_saved["state"][0]) == list(theirs_saved["state"][0]) == ["momentum_buffer"]
    # A copy: training on does not change a saved state_dict
    before = ours_saved["state"][0]["momentum_buffer"].copy()
    ours.step()
    assert np.array_equal(ours_saved["state"][0]["momentum_buffer"], before)


def test_a_state_dict_round_trip_resumes_with_the_same_bits():
    def run(resume_at):
        layers, targets = layers_and_targets()
        parameters = [p for layer in layers for p in layer.parameters()]
        optimizer = optim.NAdam(parameters, lr=0.05)
        for step in range(20):
            if step == resume_at:
                saved = optimizer.state_dict()
                optimizer = optim.NAdam(parameters, lr=0.05)
                optimizer.load_state_dict(saved)
            optimizer.zero_grad()
            set_gradients(layers, targets)
            optimizer.step()
        return layers

    straight, resumed = run(None), run(9)
    for a, b in zip(straight, resumed, strict=True):
        assert np.array_equal(a.weights, b.weights) and np.array_equal(a.biases, b.biases)


def test_load_state_dict_checks_everything_before_changing_anything():
    layers, targets = layers_and_targets()
    optimizer = optim.Adam(layers[0].parameters(), lr=0.01)
    set_gradients(layers, targets)
    optimizer.step()
    saved = optimizer.state_dict()
    before = layers[0].weight_momentums.copy()

    wrong_shape = optimizer.state_dict()
    wrong_shape["state"][1]["exp_avg"] = np.zeros((3, 3))
    wrong_shape["param_groups"][0]["lr"] = 123.0
    with pytest.raises(ValueError, match="has shape"):
        optimizer.load_state_dict(wrong_shape)
    assert optimizer.param_groups[0]["lr"] == 0.01
    assert np.array_equal(layers[0].weight_momentums, before)

    two_groups = {"state": {}, "param_groups": [saved["param_groups"][0]] * 2}
    with pytest.raises(ValueError, match="different number of parameter groups"):
        optimizer.load_state_dict(two_groups)
    fewer = {"state": {}, "param_groups": [{**saved["param_groups"][0], "params": [0]}]}
    with pytest.raises(ValueError, match="doesn't match the size of optimizer's group"):
        optimizer.load_state_dict(fewer)
    unknown = optimizer.state_dict()
    unknown["state"][0]["momentum_buffer"] = np.zeros(1)
    with pytest.raises(ValueError, match="momentum_buffer"):
        optimizer.load_state_dict(unknown)
    assert np.array_equal(layers[0].weight_momentums, before)


def both_raise(build):
    """Run ``build(module, params)`` on nnlite.optim and torch.optim; return both errors."""
    layer = Layer_Dense(2, 2, rng=np.random.default_rng(0))
    tensors = [torch.zeros(2, 2, requires_grad=True), torch.zeros(1, 2, requires_grad=True)]
    errors = []
    for module, params in ((optim, list(layer.parameters())), (torch.optim, tensors)):
        with pytest.raises(Exception) as caught, warnings.catch_warnings():
            warnings.simplefilter("ignore")
            build(module, params)
        errors.append(caught.value)
    return errors


# fmt: off
BAD_CALLS = [
    ("empty list", lambda o, p: o.SGD([], lr=0.1)),
    ("a parameter in two groups", lambda o, p: o.SGD([{"params": p[:1]}, {"params": p[:1]}], lr=0.1)),  # noqa: E501
    ("a group of a set", lambda o, p: o.SGD([{"params": set(p[:1])}], lr=0.1)),
    ("a group that is not a dict", lambda o, p: o.SGD(p[:1], lr=0.1).add_param_group(p[1:])),
    ("not a parameter", lambda o, p: o.SGD([1.0], lr=0.1)),
    ("names for some", lambda o, p: o.SGD([("a", p[0]), p[1]], lr=0.1)),
    ("negative lr", lambda o, p: o.SGD(p[:1], lr=-0.1)),
    ("negative momentum", lambda o, p: o.SGD(p[:1], lr=0.1, momentum=-0.5)),
    ("nesterov without momentum", lambda o, p: o.SGD(p[:1], lr=0.1, nesterov=True)),
    ("negative weight_decay", lambda o, p: o.Adam(p[:1], weight_decay=-1)),
    ("beta 1", lambda o, p: o.Adam(p[:1], betas=(1.0, 0.999))),
    ("beta 2", lambda o, p: o.NAdam(p[:1], betas=(0.9, -0.1))),
    ("negative eps", lambda o, p: o.RMSprop(p[:1], eps=-1.0)),
    ("negative alpha", lambda o, p: o.RMSprop(p[:1], alpha=-1.0)),
    ("rho above 1", lambda o, p: o.Adadelta(p[:1], rho=1.5)),
    ("etas", lambda o, p: o.Rprop(p[:1], etas=(1.5, 1.2))),
    ("sparse adam lr 0", lambda o, p: o.SparseAdam(p[:1], lr=0.0)),
    ("adafactor d", lambda o, p: o.Adafactor(p[:1], d=0.5)),
    ("muon lr", lambda o, p: o.Muon(p[:1], lr=-1.0)),
    ("lbfgs groups", lambda o, p: o.LBFGS([{"params": p[:1]}, {"params": p[1:]}])),
    ("lbfgs lr", lambda o, p: o.LBFGS(p[:1], lr=-1)),
]
# fmt: on


@pytest.mark.parametrize("build", [case[1] for case in BAD_CALLS], ids=[c[0] for c in BAD_CALLS])
def test_errors_are_torchs(build):
    ours, theirs = both_raise(build)
    assert type(ours) is type(theirs)
    assert str(ours).split(" (nnlite")[0] == str(theirs)


def test_momentum_must_be_below_one():
    layer = Layer_Dense(2, 2)
    with pytest.raises(ValueError, match="Invalid momentum value: 1.0"):
        optim.SGD(layer.parameters(), lr=0.1, momentum=1.0)


def test_a_parameter_given_twice_in_a_group_warns_as_torch_does():
    layer = Layer_Dense(2, 2)
    weights = next(layer.parameters())
    with pytest.warns(UserWarning, match="duplicate parameters"):
        optim.SGD([weights, next(layer.parameters())], lr=0.1)


def test_unknown_group_keys_are_kept_as_in_torch():
    layer = Layer_Dense(2, 2)
    optimizer = optim.SGD([{"params": layer.parameters(), "name": "dense"}], lr=0.1)
    assert optimizer.param_groups[0]["name"] == "dense"


def test_named_parameters_give_param_names():
    model = Model()
    model.add(Layer_Dense(2, 3, name="dense1"))
    optimizer = optim.Adam(model.named_parameters())
    assert optimizer.param_groups[0]["param_names"] == ["dense1.weights", "dense1.biases"]
    assert optimizer.state_dict()["param_groups"][0]["param_names"] == [
        "dense1.weights",
        "dense1.biases",
    ]


def test_zero_grad_and_parameters_without_gradients():
    layers, targets = layers_and_targets()
    optimizer = optim.SGD([p for layer in layers for p in layer.parameters()], lr=0.1)
    set_gradients(layers, targets)
    optimizer.zero_grad(set_to_none=False)
    assert np.all(layers[0].dweights == 0)
    optimizer.zero_grad()
    assert layers[0].dweights is None and layers[1].dbiases is None
    before = [layer.weights.copy() for layer in layers]
    layers[1].dweights = np.ones_like(layers[1].weights)
    optimizer.step()  # only the parameter with a gradient moves
    assert np.array_equal(layers[0].weights, before[0])
    assert np.array_equal(layers[1].weights, before[1] - 0.1)
    assert np.array_equal(layers[1].biases, make_layers()[1].biases)


def test_step_returns_the_closures_loss_and_a_frozen_layer_stays():
    layers, targets = layers_and_targets()
    layers[0].trainable = False
    optimizer = optim.Adam([p for layer in layers for p in layer.parameters()])
    before = layers[0].weights.copy()

    def closure():
        set_gradients(layers, targets)
        return 1.25

    assert optimizer.step(closure) == 1.25
    assert np.array_equal(layers[0].weights, before)


def test_a_bad_gradient_changes_no_layer():
    layers, targets = layers_and_targets()
    optimizer = optim.Adam([p for layer in layers for p in layer.parameters()])
    set_gradients(layers, targets)
    layers[1].dbiases = np.ones((2, 2))
    before = [layer.weights.copy() for layer in layers]
    with pytest.raises(ValueError, match="dbiases has shape"):
        optimizer.step()
    for layer, weights in zip(layers, before, strict=True):
        assert np.array_equal(layer.weights, weights)


def test_accumulate_mode_adds_until_zero_grad_clears():
    layer = Layer_Dense(2, 2, rng=np.random.default_rng(0))
    optimizer = optim.SGD(layer.parameters(), lr=0.1)
    inputs = np.ones((3, 2))
    layer.forward(inputs)
    layer.backward(np.ones((3, 2)))
    layer.backward(np.ones((3, 2)))
    single = layer.dweights.copy()  # the book's default: backward replaces
    optimizer.accumulate_gradients()
    optimizer.zero_grad()
    layer.backward(np.ones((3, 2)))
    layer.backward(np.ones((3, 2)))
    assert np.array_equal(layer.dweights, 2 * single)
    optimizer.zero_grad()
    layer.backward(np.ones((3, 2)))
    assert np.array_equal(layer.dweights, single)
    optimizer.accumulate_gradients(False)
    layer.backward(np.ones((3, 2)))
    assert np.array_equal(layer.dweights, single)
    # The context manager works the same way with zero_grad
    with accumulate_gradients([layer]):
        optimizer.zero_grad()
        layer.backward(np.ones((3, 2)))
        layer.backward(np.ones((3, 2)))
    assert np.array_equal(layer.dweights, 2 * single)


def test_model_trains_with_an_nnlite_optim_optimizer_as_with_the_book_one():
    X, y = spiral_data(samples=50, classes=3)

    def trained(make_optimizer):
        model = Model()
        model.add(Layer_Dense(2, 16, rng=np.random.default_rng(1)))
        model.add(Activation_ReLU())
        model.add(Layer_Dense(16, 3, rng=np.random.default_rng(2)))
        model.add(Activation_Softmax())
        model.set(loss=Loss_CategoricalCrossentropy(), optimizer=make_optimizer(model),
                  accuracy=Accuracy_Categorical())  # fmt: skip
        model.finalize()
        model.train(X, y, epochs=20, verbose=0)
        return model

    face = trained(lambda model: optim.Adam(model.parameters(), lr=0.02, eps=1e-7))
    book = trained(lambda model: Optimizer_Adam(0.02))
    for ours, theirs in zip(face.get_parameters(), book.get_parameters(), strict=True):
        for a, b in zip(ours, theirs, strict=True):
            assert np.array_equal(a, b)


def test_a_learning_rate_written_into_param_groups_is_used_and_checked():
    layers, targets = layers_and_targets()
    optimizer = optim.SGD(layers[0].parameters(), lr=0.1)
    optimizer.param_groups[0]["lr"] = 0.5
    before = layers[0].weights.copy()
    set_gradients(layers, targets)
    optimizer.step()
    assert np.array_equal(layers[0].weights, before - 0.5 * layers[0].dweights)
    optimizer.param_groups[0]["lr"] = -1.0
    with pytest.raises(ValueError, match="learning rate"):
        optimizer.step()


def test_a_new_optimizer_starts_without_state_as_in_pytorch():
    layers, targets = layers_and_targets()
    first = optim.SGD(layers[0].parameters(), lr=0.1, momentum=0.9)
    set_gradients(layers, targets)
    first.step()
    saved = first.state_dict()
    assert len(first.state) == 2
    second = optim.SGD(layers[0].parameters(), lr=0.1, momentum=0.9)
    assert len(second.state) == 0 and not hasattr(layers[0], "weight_momentums")
    second.load_state_dict(saved)
    assert np.array_equal(
        second.state[next(layers[0].parameters())]["momentum_buffer"],
        saved["state"][0]["momentum_buffer"],
    )
