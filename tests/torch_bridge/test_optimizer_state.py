"""An optimizer's state across the bridge: k steps on one side, k on the other, = 2k on either.

For every optimizer torch.optim has (the rows of ``tests/optim/lockstep.py``, L-BFGS, and the
book-style optimizers), float64:

* nnlite k steps → ``to_torch(model, optimizer)`` → torch k steps, against torch 2k steps;
* torch k steps → ``from_torch(module, optimizer)`` → nnlite k steps, against nnlite 2k steps.

Muon does not cross (torch's runs Newton–Schulz in bfloat16, on the transposed matrix), nor
does SparseAdam (embeddings do not cross the bridge); both are refused with a message.
"""

import numpy as np
import pytest
import torch

import nnlite.optim as optim
from nnlite import (
    Activation_Softmax,
    Activation_Softmax_Loss_CategoricalCrossentropy,
    Activation_Tanh,
    Layer_BatchNormalization,
    Layer_Conv2D,
    Layer_Dense,
    Layer_Flatten,
    Layer_MaxPool2D,
    Loss_CategoricalCrossentropy,
    Model,
    Optimizer_Adam,
    Optimizer_Lion,
    Optimizer_RMSprop,
    Optimizer_SGD,
    from_torch,
    to_torch,
)
from nnlite.accuracy import Accuracy_Categorical
from tests.optim.lockstep import CASES
from tests.optimizers.torch_lockstep import torch_float64

TOLERANCE = 1e-10
K = 8
CROSSING = [case for case in CASES if not case.name.startswith("muon")]


def make_model():
    rng = np.random.default_rng(7)
    model = Model()
    model.add(Layer_Dense(4, 5, rng=rng))
    model.add(Activation_Tanh())
    model.add(Layer_Dense(5, 3, rng=rng))
    for layer in (model.layers[0], model.layers[2]):
        layer.weights = 0.5 * rng.standard_normal(layer.weights.shape)
        layer.biases = 0.1 * rng.standard_normal(layer.biases.shape)
    return model


DATA_RNG = np.random.default_rng(11)
INPUTS = DATA_RNG.standard_normal((16, 4))
LABELS = DATA_RNG.integers(0, 3, size=16)


def nnlite_loss_and_gradients(model):
    output = INPUTS
    for layer in model.layers:
        layer.forward(output)
        output = layer.output
    loss_function = Activation_Softmax_Loss_CategoricalCrossentropy()
    loss = loss_function.forward(output, LABELS)
    loss_function.backward(loss_function.output, LABELS)
    gradient = loss_function.dinputs
    for layer in reversed(model.layers):
        layer.backward(gradient)
        gradient = layer.dinputs
    return loss


def torch_loss(module):
    scores = module(torch.from_numpy(INPUTS))
    return torch.nn.functional.cross_entropy(scores, torch.from_numpy(LABELS))


def train_nnlite(model, optimizer, steps):
    for _ in range(steps):
        optimizer.zero_grad()
        nnlite_loss_and_gradients(model)
        optimizer.step()


def train_torch(module, optimizer, steps):
    for _ in range(steps):
        optimizer.zero_grad()
        torch_loss(module).backward()
        optimizer.step()


def assert_same_weights(model, module, where):
    ours = [p.data for p in model.parameters()]
    theirs = [p.detach().numpy() for p in module.parameters()]
    for name, a, b in zip(["w1", "b1", "w2", "b2"], ours, theirs, strict=True):
        b = b.T if b.ndim == 2 else b.reshape(1, -1)
        difference = float(np.max(np.abs(a - b)))
        assert difference < TOLERANCE, f"{where}: {name} differs by {difference:.3g}"


@pytest.mark.parametrize("case", CROSSING, ids=str)
def test_nnlite_then_torch_equals_torch_all_along(case):
    with torch_float64():
        model = make_model()
        straight_module = to_torch(make_model())
        train_torch(
            straight_module, case.make(torch.optim, list(straight_module.parameters())), 2 * K
        )  # noqa: E501

        optimizer = case.make(optim, list(model.parameters()))
        train_nnlite(model, optimizer, K)
        module, torch_optimizer = to_torch(model, optimizer)
        assert type(torch_optimizer) is getattr(torch.optim, type(optimizer).__name__)
        train_torch(module, torch_optimizer, K)
        ours_after = from_torch(module)
        assert_same_weights(ours_after, straight_module, f"{case}: nnlite {K} + torch {K}")


@pytest.mark.parametrize("case", CROSSING, ids=str)
def test_torch_then_nnlite_equals_nnlite_all_along(case):
    with torch_float64():
        straight = make_model()
        train_nnlite(straight, case.make(optim, list(straight.parameters())), 2 * K)

        module = to_torch(make_model())
        torch_optimizer = case.make(torch.optim, list(module.parameters()))
        train_torch(module, torch_optimizer, K)
        model, optimizer = from_torch(module, torch_optimizer)
        assert type(optimizer) is getattr(optim, type(torch_optimizer).__name__)
        assert optimizer.param_groups[0]["lr"] == torch_optimizer.param_groups[0]["lr"]
        train_nnlite(model, optimizer, K)
        assert_same_weights(model, to_torch(straight), f"{case}: torch {K} + nnlite {K}")


def with_group(optimizer, **settings):
    """The book's param group for the model's second dense layer (made fresh per model)."""
    optimizer.group_for_second_layer = settings
    return optimizer


@pytest.mark.parametrize(
    "book",
    [
        lambda: Optimizer_Adam(0.01, epsilon=1e-8),
        lambda: Optimizer_SGD(0.1, momentum=0.9),  # the book's form of momentum
        lambda: Optimizer_SGD(0.1, momentum=0.9, nesterov=True, momentum_form="torch"),
        lambda: Optimizer_RMSprop(0.01, rho=0.9, momentum=0.5, centered=True),
        lambda: with_group(Optimizer_Adam(0.01, epsilon=1e-8), learning_rate=0.003, beta_1=0.5),
        lambda: with_group(Optimizer_SGD(0.1, momentum=0.9), learning_rate=0.02),
    ],
    ids=[
        "adam",
        "sgd book momentum",
        "sgd torch momentum, nesterov",
        "rmsprop",
        "adam with a param group",
        "sgd book momentum with a param group",
    ],
)
def test_a_book_style_optimizer_crosses_with_its_state(book):
    def book_steps(model, optimizer, steps):
        for _ in range(steps):
            nnlite_loss_and_gradients(model)
            optimizer.pre_update_params()
            for layer in model.layers:
                if hasattr(layer, "weights"):
                    optimizer.update_params(layer)
            optimizer.post_update_params()

    def made_for(model):
        optimizer = book()
        settings = getattr(optimizer, "group_for_second_layer", None)
        if settings:
            optimizer.add_param_group({"layers": [model.layers[2]], **settings})
        return optimizer

    with torch_float64():
        straight = make_model()
        book_steps(straight, made_for(straight), 2 * K)
        model = make_model()
        optimizer = made_for(model)
        book_steps(model, optimizer, K)
        module, torch_optimizer = to_torch(model, optimizer)
        train_torch(module, torch_optimizer, K)
        assert_same_weights(straight, module, "book-style then torch")


def test_lbfgs_crosses_both_ways():
    with torch_float64():

        def nnlite_closure(model, optimizer):
            def closure():
                optimizer.zero_grad()
                return nnlite_loss_and_gradients(model)

            return closure

        def torch_closure(module, optimizer):
            def closure():
                optimizer.zero_grad()
                loss = torch_loss(module)
                loss.backward()
                return loss

            return closure

        settings = {"max_iter": 4, "history_size": 3}
        straight = make_model()
        straight_optimizer = optim.LBFGS(list(straight.parameters()), **settings)
        for _ in range(4):
            straight_optimizer.step(nnlite_closure(straight, straight_optimizer))

        model = make_model()
        optimizer = optim.LBFGS(list(model.parameters()), **settings)
        for _ in range(2):
            optimizer.step(nnlite_closure(model, optimizer))
        module, torch_optimizer = to_torch(model, optimizer)
        torch_optimizer.step(torch_closure(module, torch_optimizer))
        back, back_optimizer = from_torch(module, torch_optimizer)
        back_optimizer.step(nnlite_closure(back, back_optimizer))
        assert_same_weights(back, to_torch(straight), "L-BFGS: nnlite 2, torch 1, nnlite 1")


def test_one_argument_keeps_the_old_behaviour_and_what_cannot_cross_is_refused():
    model = make_model()
    assert isinstance(to_torch(model), torch.nn.Sequential)
    assert isinstance(from_torch(to_torch(model)), Model)
    with pytest.raises(TypeError, match="does not cross"):
        to_torch(model, optim.Lion(model.parameters()))
    with pytest.raises(TypeError, match="no torch.optim counterpart"):
        to_torch(model, Optimizer_Lion())
    with pytest.raises(ValueError, match="decays its learning rate"):
        to_torch(model, Optimizer_Adam(0.01, decay=1e-3))
    with pytest.raises(ValueError, match="l1_decay"):
        to_torch(model, Optimizer_Adam(0.01, l1_decay=1e-3))


def test_the_nnlite_optimizer_from_torch_trains_a_model():
    with torch_float64():
        module = to_torch(make_model())
        torch_optimizer = torch.optim.Adam(module.parameters(), lr=0.01)
        train_torch(module, torch_optimizer, 3)
        model, optimizer = from_torch(module, torch_optimizer)
        model.add(Activation_Softmax())
        model.set(loss=Loss_CategoricalCrossentropy(), optimizer=optimizer,
                  accuracy=Accuracy_Categorical())  # fmt: skip
        model.finalize()
        before = model.layers[0].weights.copy()
        assert optimizer.state[next(model.parameters())]["step"] == 3.0
        model.train(INPUTS, LABELS, epochs=2, verbose=0)
        assert not np.array_equal(model.layers[0].weights, before)
        assert optimizer.state[next(model.parameters())]["step"] == 5.0


def make_image_model():
    # No biases before batch normalization, as usual: their gradient is zero in exact
    # arithmetic, so an adaptive rule would step on rounding noise alone
    rng = np.random.default_rng(3)
    model = Model()
    for layer in [
        Layer_Conv2D(2, 3, 3, padding=1, bias=False, rng=rng),
        Layer_BatchNormalization(3),
        Activation_Tanh(),
        Layer_MaxPool2D(2),
        Layer_Flatten(),
        Layer_Dense(3 * 2 * 2, 3, rng=rng),
    ]:
        model.add(layer)
    model.layers[0].weights = 0.5 * rng.standard_normal(model.layers[0].weights.shape)
    return model


IMAGES = DATA_RNG.standard_normal((16, 2, 4, 4))


def image_loss_and_gradients(model):
    output = IMAGES
    for layer in model.layers:
        layer.forward(output, training=True)
        output = layer.output
    loss_function = Activation_Softmax_Loss_CategoricalCrossentropy()
    loss = loss_function.forward(output, LABELS)
    loss_function.backward(loss_function.output, LABELS)
    gradient = loss_function.dinputs
    for layer in reversed(model.layers):
        layer.backward(gradient)
        gradient = layer.dinputs
    return loss


@pytest.mark.parametrize(
    "case",
    [case for case in CROSSING if case.name.split()[0] in ("sgd", "adam", "rmsprop", "adafactor")],
    ids=str,
)
def test_a_convolutional_networks_state_crosses_to_torch(case):
    # Kernels keep torch's layout and rows of one (biases, batch-norm γ, β) become vectors
    with torch_float64():
        straight = to_torch(make_image_model()).train()
        straight_optimizer = case.make(torch.optim, list(straight.parameters()))
        model = make_image_model()
        optimizer = case.make(optim, list(model.parameters()))
        for _ in range(K):
            optimizer.zero_grad()
            image_loss_and_gradients(model)
            optimizer.step()
        module, torch_optimizer = to_torch(model, optimizer)
        for sequential, torch_opt, steps in (
            (straight, straight_optimizer, 2 * K),
            (module, torch_optimizer, K),
        ):
            sequential.train()
            for _ in range(steps):
                torch_opt.zero_grad()
                scores = sequential(torch.from_numpy(IMAGES))
                torch.nn.functional.cross_entropy(scores, torch.from_numpy(LABELS)).backward()
                torch_opt.step()
        for ours, theirs in zip(module.parameters(), straight.parameters(), strict=True):
            difference = float((ours - theirs).abs().max())
            assert difference < TOLERANCE, f"{case}: differs by {difference:.3g}"
