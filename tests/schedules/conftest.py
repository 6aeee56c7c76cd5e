"""The PyTorch side of the schedule tests: run a torch scheduler and record what it sets.

A torch scheduler is stepped after each ``optimizer.step()``, and the learning rate the
optimizer holds *before* each step is the one that step uses; that is the sequence an nnlite
schedule must give as ``schedule(0), schedule(1), ...``.
"""

import pytest
import torch

TOLERANCE = 1e-12


def torch_sequences(make_scheduler, steps, *, lr, optimizer="sgd", metrics=None):
    """Learning rates (and momentums, β₁ for Adam) before each of ``steps`` torch updates.

    ``make_scheduler(optimizer)`` builds the scheduler. With ``metrics``, the scheduler is
    stepped as ``scheduler.step(metrics[k])`` (ReduceLROnPlateau).
    """
    parameter = torch.nn.Parameter(torch.zeros(3, dtype=torch.float64))
    if optimizer == "sgd":
        torch_optimizer = torch.optim.SGD([parameter], lr=lr, momentum=0.5)
    else:
        torch_optimizer = torch.optim.Adam([parameter], lr=lr)
    scheduler = make_scheduler(torch_optimizer)
    group = torch_optimizer.param_groups[0]
    learning_rates, momentums = [], []
    for k in range(steps):
        learning_rates.append(group["lr"])
        momentums.append(group["momentum"] if optimizer == "sgd" else group["betas"][0])
        parameter.grad = torch.ones_like(parameter)
        torch_optimizer.step()
        if k < steps - 1:  # the last step's successor is not needed (and may not exist)
            if metrics is None:
                scheduler.step()
            else:
                scheduler.step(metrics[k])
    return learning_rates, momentums


def assert_sequences_match(ours, theirs, label, tolerance=TOLERANCE):
    """Fail at the first step where nnlite and PyTorch differ, printing both."""
    assert len(ours) == len(theirs), f"{label}: {len(ours)} values against {len(theirs)}"
    for step, (mine, reference) in enumerate(zip(ours, theirs, strict=True)):
        if not abs(mine - reference) <= tolerance:
            raise AssertionError(
                f"{label}: step {step}: nnlite {mine!r}, torch {reference!r} "
                f"(difference {abs(mine - reference):.3g})\n  nnlite: {ours}\n  torch:  {theirs}"
            )


@pytest.fixture
def torch_run():
    return torch_sequences


@pytest.fixture
def assert_match():
    return assert_sequences_match
