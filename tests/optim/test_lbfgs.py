"""nnlite.optim.LBFGS against torch.optim.LBFGS with PyTorch's closure loop, and its state."""

import numpy as np
import pytest
import torch

import nnlite.optim as optim
from tests.optimizers.test_lbfgs import Network, regression_data, torch_twin

TOLERANCE = 1e-10


@pytest.mark.parametrize(
    "settings",
    [
        {"max_iter": 5},
        {"lr": 0.5, "max_iter": 4, "history_size": 3},
        {"line_search_fn": "strong_wolfe", "history_size": 3, "max_iter": 7},
    ],
    # Few iterations per step: L-BFGS amplifies rounding differences, and twenty iterations
    # of the defaults drift past 1e-10 by the third step (as tests/optimizers/test_lbfgs.py)
    ids=["max_iter 5", "lr, max_iter, history_size", "strong_wolfe"],
)
def test_matches_torch_and_resumes_from_its_state_dict(settings):
    inputs, targets = regression_data()
    network = Network(inputs, targets)
    parameters = torch_twin(network)
    w1, b1, w2, b2 = parameters
    x, y = torch.from_numpy(inputs), torch.from_numpy(targets)
    our_parameters = [p for layer in network.layers for p in layer.parameters()]
    ours = optim.LBFGS(our_parameters, **settings)
    theirs = torch.optim.LBFGS(parameters, **settings)

    def our_closure():
        ours.zero_grad()
        return network.closure()

    def their_closure():
        theirs.zero_grad()
        loss = torch.mean((torch.tanh(x @ w1 + b1) @ w2 + b2 - y) ** 2)
        loss.backward()
        return loss

    for step in range(1, 6):
        if step == 3:  # resume from a state_dict mid-run
            saved = ours.state_dict()
            ours = optim.LBFGS(our_parameters, **settings)
            ours.load_state_dict(saved)
        our_loss = ours.step(our_closure)
        their_loss = theirs.step(their_closure).item()
        assert abs(our_loss - their_loss) < TOLERANCE
        for our_value, tensor in zip(our_parameters, parameters, strict=True):
            difference = float(np.max(np.abs(our_value.data - tensor.detach().numpy())))
            assert difference < TOLERANCE, (step, our_value.name, difference)
        our_state = ours.state[our_parameters[0]]
        their_state = theirs.state[parameters[0]]
        assert our_state["func_evals"] == their_state["func_evals"]
        assert our_state["n_iter"] == their_state["n_iter"]
        assert np.max(np.abs(our_state["d"] - their_state["d"].numpy())) < TOLERANCE
        assert len(our_state["old_dirs"]) == len(their_state["old_dirs"])


def test_needs_whole_layers_and_a_closure():
    network = Network(*regression_data())
    weights_only = [next(layer.parameters()) for layer in network.layers]
    optimizer = optim.LBFGS(weights_only)
    with pytest.raises(ValueError, match="whole layers"):
        optimizer.step(network.closure)
    with pytest.raises(TypeError, match="closure"):
        optimizer.step()
