"""The articles' PyTorch optimizer code, run on nnlite.optim and on torch.optim.

Article 001 (``/work/shared/articles/001_293e4fa4c781ca86.txt``): printing ``param_groups``,
``step()``, ``zero_grad()``, ``add_param_group``, ``state_dict()`` / ``load_state_dict()``,
and the learning-rate and momentum experiments on y = (2x)². Article 004
(``004_c21cc7f72e1ddce6.txt``): updating a network's weights by hand
(``f.data.sub_(f.grad.data * learning_rate)``) and then with ``optim.SGD``, on the article's
fully connected part (400 → 120 → 84 → 10, ReLU, MSE).

Each snippet is kept as the article writes it, with ``import torch.optim as optim`` replaced
by ``import nnlite.optim as optim``, and run once per module; the numbers must agree with
PyTorch's (float64). What else had to change, and why:

* **Where a parameter comes from.** ``torch.randn((2, 2), requires_grad=True)`` and
  ``torch.tensor([2.], requires_grad=True)`` become a layer's parameter handle
  (``Layer_Dense(2, 2).parameters()``, or ``parameters_of(Layer_Point([2.]))`` for the
  scalar x): nnlite's parameters live on layers, and a handle is what the optimizer takes.
* **Backward.** nnlite has no autograd: ``y.backward()`` becomes the gradient written out
  (``x.grad = 8 * x.data`` for y = (2x)² = 4x²), and a network's ``loss.backward()`` becomes
  the loss's and layers' ``backward`` calls, as in the book.
* **In-place arithmetic.** ``f.data.sub_(f.grad.data * lr)`` and ``x.data.sub_(lr * x.grad)``
  become ``f.data -= f.grad * lr``: NumPy's in-place subtraction on the same array.
* **The network.** nnlite has no convolution or pooling layers, so article 004's LeNet keeps
  its fully connected part, fed with 400 random features.
* **Saving.** ``torch.save``/``torch.load`` (pickles) become ``save_optimizer_state`` /
  ``load_optimizer_state`` (``.npz``, no pickle).
* **Printing.** ``.data`` of a handle is a NumPy array, so the printed values are arrays,
  and ``state_dict()`` numbers parameters by position (as PyTorch does; the article's old
  PyTorch printed memory addresses).
"""

import numpy as np
import torch

import nnlite.optim
from nnlite import (
    Activation_ReLU,
    Layer_Dense,
    Loss_MeanSquaredError,
    load_optimizer_state,
    save_optimizer_state,
    to_torch,
)
from nnlite.parameters import parameters_of
from nnlite.plots.trajectories import Layer_Point
from nnlite.training.model import Model
from tests.optimizers.torch_lockstep import torch_float64

MODULES = {"nnlite": nnlite.optim, "torch": torch.optim}


def weight_2x2(module_name, start):
    """The article's ``weight = torch.randn((2, 2), requires_grad=True)``, ``weight.grad =
    torch.ones((2, 2))``, with the same start on both sides."""
    if module_name == "torch":
        weight = torch.tensor(start, requires_grad=True)
        weight.grad = torch.ones((2, 2), dtype=torch.float64)
        return weight
    layer = Layer_Dense(2, 2)
    layer.weights = start.copy()
    weight, _ = layer.parameters()
    weight.grad = np.ones((2, 2))
    return weight


def values(array_or_tensor):
    if torch.is_tensor(array_or_tensor):
        return array_or_tensor.detach().numpy()
    return np.asarray(array_or_tensor)


def test_article_001_step_zero_grad_and_add_param_group():
    start = np.random.default_rng(0).standard_normal((2, 2))
    printed = {}
    with torch_float64():
        for name, optim in MODULES.items():
            weight = weight_2x2(name, start)
            optimizer = optim.SGD([weight], lr=1)
            before = values(weight.data).copy()
            optimizer.step()  # all values minus 1
            after = values(weight.data).copy()
            # "the optimizer keeps the parameter, not a copy"
            assert optimizer.param_groups[0]["params"][0] is weight
            optimizer.zero_grad()
            assert weight.grad is None  # PyTorch 2: None (the article's older PyTorch: zeros)
            w2 = weight_2x2(name, np.zeros((2, 2)))  # the article's w2 is 3x3; any parameter
            optimizer.add_param_group({"params": w2, "lr": 0.0001})
            groups = [
                {key: value for key, value in group.items() if key != "params"}
                for group in optimizer.param_groups
            ]
            printed[name] = (before, after, groups, len(optimizer.param_groups[1]["params"]))
    ours, theirs = printed["nnlite"], printed["torch"]
    assert np.array_equal(ours[1], ours[0] - 1)
    assert np.array_equal(ours[1], theirs[1])
    assert ours[2] == theirs[2]  # the same keys and values in both param groups
    assert ours[3] == theirs[3] == 1


def test_article_001_state_dict_and_load_state_dict(tmp_path):
    start = np.random.default_rng(1).standard_normal((2, 2))
    buffers = {}
    with torch_float64():
        for name, optim in MODULES.items():
            weight = weight_2x2(name, start)
            optimizer = optim.SGD([weight], lr=0.1, momentum=0.9)
            before = optimizer.state_dict()
            assert before["state"] == {}
            for _ in range(10):
                optimizer.step()
            after = optimizer.state_dict()
            buffers[name] = values(after["state"][0]["momentum_buffer"])
            assert [k for k in after["param_groups"][0] if k != "params"] == list(
                optimizer.defaults
            )
            if name == "nnlite":  # torch.save → save_optimizer_state (no pickle)
                save_optimizer_state(tmp_path / "optimizer_state_dict.npz", optimizer)
                optimizer = optim.SGD([weight], lr=0.1, momentum=0.9)
                assert optimizer.state_dict()["state"] == {}
                load_optimizer_state(tmp_path / "optimizer_state_dict.npz", optimizer)
                loaded = optimizer.state_dict()["state"][0]["momentum_buffer"]
                assert np.array_equal(loaded, buffers[name])
    # Ten steps of gradient 1 with momentum 0.9: 1 + 0.9 + ... + 0.9⁹ = 6.5132 (the article)
    assert np.allclose(buffers["nnlite"], buffers["torch"], rtol=0, atol=1e-12)
    assert round(float(buffers["nnlite"][0, 0]), 4) == 6.5132


def func_gradient(x):
    """y = (2x)² = 4x², dy/dx = 8x: the article's ``y.backward()`` written out."""
    return 8 * x


def test_article_001_learning_rate_experiment():
    """``x.data.sub_(lr * x.grad)`` by hand for ten learning rates in [0.01, 0.2]."""
    lr_list = np.linspace(0.01, 0.2, num=10).tolist()
    losses = {}
    with torch_float64():
        for name in MODULES:
            loss_rec = [[] for _ in lr_list]
            for i, lr in enumerate(lr_list):
                if name == "torch":
                    x = torch.tensor([2.0], requires_grad=True)
                    for _ in range(100):
                        y = torch.pow(2 * x, 2)
                        y.backward()
                        x.data.sub_(lr * x.grad)
                        x.grad.zero_()
                        loss_rec[i].append(y.item())
                else:
                    (x,) = parameters_of(Layer_Point([2.0]))
                    for _ in range(100):
                        y = (2 * x.data) ** 2
                        x.grad = func_gradient(x.data)
                        x.data -= lr * x.grad
                        loss_rec[i].append(float(y[0]))
            losses[name] = np.array(loss_rec)
    assert np.allclose(losses["nnlite"], losses["torch"], rtol=1e-12, atol=0)
    # The article's finding: lr 0.125 converges fastest (x ← x - 8·lr·x = 0 in one step);
    # of these ten, the one nearest 0.125
    fastest = lr_list[losses["nnlite"][:, -1].argmin()]
    assert fastest == min(lr_list, key=lambda lr: abs(lr - 0.125))


def test_article_001_momentum_experiment():
    """``optim.SGD([x], lr=lr, momentum=momentum)``: lr 0.01 with momentum 0.9 and 0.63, and
    lr 0.03 without."""
    runs = [(0.01, 0.9), (0.01, 0.63), (0.03, 0.0)]
    losses = {}
    with torch_float64():
        for name, optim in MODULES.items():
            loss_rec = []
            for lr, momentum in runs:
                if name == "torch":
                    x = torch.tensor([2.0], requires_grad=True)
                else:
                    (x,) = parameters_of(Layer_Point([2.0]))
                optimizer = optim.SGD([x], lr=lr, momentum=momentum)
                record = []
                for _ in range(100):
                    if name == "torch":
                        y = torch.pow(2 * x, 2)
                        y.backward()
                        record.append(y.item())
                    else:
                        record.append(float(((2 * x.data) ** 2)[0]))
                        x.grad = func_gradient(x.data)
                    optimizer.step()
                    optimizer.zero_grad()
                loss_rec.append(record)
            losses[name] = np.array(loss_rec)
    assert np.allclose(losses["nnlite"], losses["torch"], rtol=1e-10, atol=1e-300)
    # momentum 0.63 converges faster than 0.9, which oscillates (the article's plots)
    assert losses["nnlite"][1, 40] < losses["nnlite"][0, 40]


def article_network():
    """Article 004's fully connected part: 400 → 120 → 84 → 10 with ReLU."""
    rng = np.random.default_rng(4)
    model = Model()
    for n_inputs, n_outputs in ((400, 120), (120, 84), (84, 10)):
        model.add(Layer_Dense(n_inputs, n_outputs, rng=rng, weight_initializer="glorot"))
        if n_outputs != 10:
            model.add(Activation_ReLU())
    return model


def nnlite_backward(model, input, target):
    """The article's ``output = net(input); loss = criterion(output, target);
    loss.backward()``, with nnlite's forward and backward calls."""
    output = input
    for layer in model.layers:
        layer.forward(output)
        output = layer.output
    criterion = Loss_MeanSquaredError()
    loss = criterion.calculate(output, target)
    criterion.backward(output, target)
    gradient = criterion.dinputs
    for layer in reversed(model.layers):
        layer.backward(gradient)
        gradient = layer.dinputs
    return loss


def test_article_004_manual_update_and_optim_sgd_on_a_dense_network():
    rng = np.random.default_rng(5)
    input = rng.standard_normal((1, 400))
    target = rng.standard_normal((1, 10))
    with torch_float64():
        net = article_network()
        torch_net = to_torch(net)
        criterion = torch.nn.MSELoss()

        # By hand: f.data.sub_(f.grad.data * learning_rate)
        learning_rate = 0.1
        nnlite_backward(net, input, target)
        for f in net.parameters():
            f.data -= f.grad * learning_rate
        torch_net.zero_grad()
        criterion(torch_net(torch.from_numpy(input)), torch.from_numpy(target)).backward()
        for f in torch_net.parameters():
            f.data.sub_(f.grad.data * learning_rate)
        assert_same(net, torch_net)

        # With optim.SGD: zero_grad(), forward, loss, backward, step() for each batch
        optimizer = nnlite.optim.SGD(net.parameters(), lr=0.1)
        torch_optimizer = torch.optim.SGD(torch_net.parameters(), lr=0.1)
        for _ in range(5):
            optimizer.zero_grad()
            nnlite_backward(net, input, target)
            optimizer.step()
            torch_optimizer.zero_grad()
            loss = criterion(torch_net(torch.from_numpy(input)), torch.from_numpy(target))
            loss.backward()
            torch_optimizer.step()
            assert_same(net, torch_net)


def assert_same(model, module):
    for ours, theirs in zip(model.parameters(), module.parameters(), strict=True):
        theirs = theirs.detach().numpy()
        theirs = theirs.T if theirs.ndim == 2 else theirs.reshape(1, -1)
        assert np.max(np.abs(ours.data - theirs)) < 1e-12
