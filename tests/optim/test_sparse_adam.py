"""nnlite.optim.SparseAdam on an embedding against torch.optim.SparseAdam (float64)."""

import numpy as np
import torch

import nnlite.optim as optim
from nnlite import Layer_Embedding

TOLERANCE = 1e-10


def test_matches_torch_sparse_adam():
    rng = np.random.default_rng(0)
    layer = Layer_Embedding(20, 4, rng=rng, sparse=True)
    embedding = torch.nn.Embedding(20, 4, sparse=True, dtype=torch.float64)
    with torch.no_grad():
        embedding.weight.copy_(torch.from_numpy(layer.weights))
    ours = optim.SparseAdam(layer.parameters(), lr=0.05, betas=(0.8, 0.99))
    theirs = torch.optim.SparseAdam(embedding.parameters(), lr=0.05, betas=(0.8, 0.99))
    (weights,) = layer.parameters()
    start = layer.weights.copy()
    for step in range(1, 31):
        ids = rng.integers(0, 20, size=(6, 3))
        targets = rng.standard_normal((6, 3, 4))
        ours.zero_grad()
        layer.backward(2 * (layer.forward(ids) - targets))
        ours.step()
        theirs.zero_grad()
        ((embedding(torch.from_numpy(ids)) - torch.from_numpy(targets)) ** 2).sum().backward()
        theirs.step()
        their_state = theirs.state[embedding.weight]
        for label, our_value, their_value in [
            ("weights", layer.weights, embedding.weight.detach()),
            ("exp_avg", ours.state[weights]["exp_avg"], their_state["exp_avg"]),
            ("exp_avg_sq", ours.state[weights]["exp_avg_sq"], their_state["exp_avg_sq"]),
            ("step", ours.state[weights]["step"], their_state["step"]),
        ]:
            difference = float(np.max(np.abs(our_value - np.asarray(their_value))))
            assert difference < TOLERANCE, (step, label, difference)
    assert np.max(np.abs(layer.weights - start)) > 1e-3
