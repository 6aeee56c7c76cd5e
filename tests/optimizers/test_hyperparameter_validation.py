"""Invalid hyperparameters are refused when the optimizer is built, with PyTorch's messages.

Where torch.optim has the same check, the expected message is the one torch itself raises
for the same value (so the test follows torch). Checks torch does not have (the book's
``decay``, ``l1_decay``, clipping, ASGD's and Rprop's extra ranges, argument types) are
listed with nnlite's own message.
"""

import math
import re

import pytest
import torch

from nnlite import (
    Optimizer_Adadelta,
    Optimizer_Adagrad,
    Optimizer_Adam,
    Optimizer_Adamax,
    Optimizer_AdamW,
    Optimizer_ASGD,
    Optimizer_NAdam,
    Optimizer_RAdam,
    Optimizer_RMSprop,
    Optimizer_Rprop,
    Optimizer_SGD,
)
from nnlite.schedules.base import Schedule

optim = torch.optim

OPTIMIZERS = [
    Optimizer_SGD,
    Optimizer_Adagrad,
    Optimizer_RMSprop,
    Optimizer_Adam,
    Optimizer_AdamW,
    Optimizer_Adadelta,
    Optimizer_Adamax,
    Optimizer_NAdam,
    Optimizer_RAdam,
    Optimizer_ASGD,
    Optimizer_Rprop,
]

# (ours, torch's) for the same invalid value: the messages must be identical
SAME_AS_TORCH = [
    # The learning rate, for every optimizer
    *[
        (lambda cls=cls: cls(learning_rate=-1), lambda p, name=name: getattr(optim, name)(p, lr=-1))
        for cls, name in [
            (Optimizer_SGD, "SGD"),
            (Optimizer_Adagrad, "Adagrad"),
            (Optimizer_RMSprop, "RMSprop"),
            (Optimizer_Adam, "Adam"),
            (Optimizer_AdamW, "AdamW"),
            (Optimizer_Adadelta, "Adadelta"),
            (Optimizer_Adamax, "Adamax"),
            (Optimizer_NAdam, "NAdam"),
            (Optimizer_RAdam, "RAdam"),
            (Optimizer_ASGD, "ASGD"),
            (Optimizer_Rprop, "Rprop"),
        ]
    ],
    (lambda: Optimizer_Adam(learning_rate=-0.5), lambda p: optim.Adam(p, lr=-0.5)),
    (lambda: Optimizer_Adam(learning_rate=math.nan), lambda p: optim.Adam(p, lr=math.nan)),
    # epsilon
    (lambda: Optimizer_Adagrad(epsilon=-1), lambda p: optim.Adagrad(p, eps=-1)),
    (lambda: Optimizer_RMSprop(epsilon=-1), lambda p: optim.RMSprop(p, eps=-1)),
    (lambda: Optimizer_Adam(epsilon=-1e-8), lambda p: optim.Adam(p, eps=-1e-8)),
    (lambda: Optimizer_AdamW(epsilon=-1), lambda p: optim.AdamW(p, eps=-1)),
    (lambda: Optimizer_Adadelta(epsilon=-1), lambda p: optim.Adadelta(p, eps=-1)),
    (lambda: Optimizer_Adamax(epsilon=-1), lambda p: optim.Adamax(p, eps=-1)),
    (lambda: Optimizer_NAdam(epsilon=-1), lambda p: optim.NAdam(p, eps=-1)),
    (lambda: Optimizer_RAdam(epsilon=-1), lambda p: optim.RAdam(p, eps=-1)),
    # weight_decay
    (lambda: Optimizer_SGD(weight_decay=-1), lambda p: optim.SGD(p, weight_decay=-1)),
    (lambda: Optimizer_Adagrad(weight_decay=-1), lambda p: optim.Adagrad(p, weight_decay=-1)),
    (lambda: Optimizer_RMSprop(weight_decay=-1), lambda p: optim.RMSprop(p, weight_decay=-1)),
    (lambda: Optimizer_Adam(weight_decay=-0.1), lambda p: optim.Adam(p, weight_decay=-0.1)),
    (lambda: Optimizer_AdamW(weight_decay=-1), lambda p: optim.AdamW(p, weight_decay=-1)),
    (lambda: Optimizer_Adadelta(weight_decay=-1), lambda p: optim.Adadelta(p, weight_decay=-1)),
    (lambda: Optimizer_Adamax(weight_decay=-1), lambda p: optim.Adamax(p, weight_decay=-1)),
    (lambda: Optimizer_NAdam(weight_decay=-1), lambda p: optim.NAdam(p, weight_decay=-1)),
    (lambda: Optimizer_RAdam(weight_decay=-1), lambda p: optim.RAdam(p, weight_decay=-1)),
    (lambda: Optimizer_ASGD(weight_decay=-1), lambda p: optim.ASGD(p, weight_decay=-1)),
    # betas: 0 <= beta < 1
    (lambda: Optimizer_Adam(beta_1=1.0), lambda p: optim.Adam(p, betas=(1.0, 0.999))),
    (lambda: Optimizer_Adam(beta_1=-0.1), lambda p: optim.Adam(p, betas=(-0.1, 0.999))),
    (lambda: Optimizer_Adam(beta_2=1.5), lambda p: optim.Adam(p, betas=(0.9, 1.5))),
    (lambda: Optimizer_AdamW(beta_2=1.0), lambda p: optim.AdamW(p, betas=(0.9, 1.0))),
    (lambda: Optimizer_Adamax(beta_1=1.0), lambda p: optim.Adamax(p, betas=(1.0, 0.999))),
    (lambda: Optimizer_Adamax(beta_2=-1), lambda p: optim.Adamax(p, betas=(0.9, -1))),
    (lambda: Optimizer_NAdam(beta_1=1.0), lambda p: optim.NAdam(p, betas=(1.0, 0.999))),
    (lambda: Optimizer_NAdam(beta_2=1.0), lambda p: optim.NAdam(p, betas=(0.9, 1.0))),
    (lambda: Optimizer_RAdam(beta_1=2.0), lambda p: optim.RAdam(p, betas=(2.0, 0.999))),
    (lambda: Optimizer_RAdam(beta_2=1.0), lambda p: optim.RAdam(p, betas=(0.9, 1.0))),
    # momentum and its relatives
    (lambda: Optimizer_SGD(momentum=-0.1), lambda p: optim.SGD(p, momentum=-0.1)),
    (lambda: Optimizer_RMSprop(momentum=-0.1), lambda p: optim.RMSprop(p, momentum=-0.1)),
    (lambda: Optimizer_SGD(nesterov=True), lambda p: optim.SGD(p, nesterov=True)),
    (
        lambda: Optimizer_SGD(momentum=0.9, dampening=0.1, nesterov=True),
        lambda p: optim.SGD(p, momentum=0.9, dampening=0.1, nesterov=True),
    ),
    (lambda: Optimizer_NAdam(momentum_decay=-1), lambda p: optim.NAdam(p, momentum_decay=-1)),
    # Adagrad's extras
    (lambda: Optimizer_Adagrad(lr_decay=-1), lambda p: optim.Adagrad(p, lr_decay=-1)),
    (
        lambda: Optimizer_Adagrad(initial_accumulator_value=-1),
        lambda p: optim.Adagrad(p, initial_accumulator_value=-1),
    ),
    # rho: 0 <= rho <= 1
    (lambda: Optimizer_Adadelta(rho=1.5), lambda p: optim.Adadelta(p, rho=1.5)),
    (lambda: Optimizer_Adadelta(rho=-0.1), lambda p: optim.Adadelta(p, rho=-0.1)),
    # etas: 0 < eta_minus < 1 < eta_plus
    (lambda: Optimizer_Rprop(etas=(1.5, 1.2)), lambda p: optim.Rprop(p, etas=(1.5, 1.2))),
    (lambda: Optimizer_Rprop(etas=(0.5, 0.9)), lambda p: optim.Rprop(p, etas=(0.5, 0.9))),
    (lambda: Optimizer_Rprop(etas=(0, 1.2)), lambda p: optim.Rprop(p, etas=(0, 1.2))),
    (lambda: Optimizer_Rprop(etas=(0.5, 1)), lambda p: optim.Rprop(p, etas=(0.5, 1))),
]

# Checks torch does not make (or makes under another name): nnlite's own messages
OURS_ONLY = [
    # torch's SGD tests lr < 0, which lets NaN through
    (lambda: Optimizer_SGD(learning_rate=math.nan), ValueError, "Invalid learning rate: nan"),
    (lambda: Optimizer_RMSprop(rho=-1), ValueError, "Invalid rho value: -1"),
    (lambda: Optimizer_RMSprop(rho=1.5), ValueError, "Invalid rho value: 1.5"),
    (lambda: Optimizer_RMSprop(beta=1.5), ValueError, "Invalid rho value: 1.5"),
    (
        lambda: Optimizer_RMSprop(rho=0.5, beta=0.8),
        ValueError,
        "rho=0.5 and beta=0.8 name the same setting; give one",
    ),
    (lambda: Optimizer_SGD(dampening=1.5), ValueError, "Invalid dampening value: 1.5"),
    (
        lambda: Optimizer_SGD(momentum_form="keras"),
        ValueError,
        "Invalid momentum_form value: 'keras' (use 'book' or 'torch')",
    ),
    (lambda: Optimizer_ASGD(lambd=-1), ValueError, "Invalid lambd value: -1"),
    (lambda: Optimizer_ASGD(alpha=-0.5), ValueError, "Invalid alpha value: -0.5"),
    (lambda: Optimizer_ASGD(t0=-1), ValueError, "Invalid t0 value: -1"),
    (
        lambda: Optimizer_Rprop(step_sizes=(1.0, 0.5)),
        ValueError,
        "Invalid step_sizes values: 1.0, 0.5 (need 0 <= minimum <= maximum)",
    ),
    (
        lambda: Optimizer_Rprop(step_sizes=(-1, 50)),
        ValueError,
        "Invalid step_sizes values: -1, 50 (need 0 <= minimum <= maximum)",
    ),
    (lambda: Optimizer_Rprop(weight_decay=-1), ValueError, "Invalid weight_decay value: -1"),
    (
        lambda: Optimizer_Rprop(etas=0.5),
        TypeError,
        "etas must be a pair of numbers (decrease, increase), got 0.5",
    ),
    (
        lambda: Optimizer_Rprop(step_sizes=(1e-6, "50")),
        TypeError,
        "step_sizes must be a pair of numbers (minimum, maximum), got (1e-06, '50')",
    ),
    # Types: a number where a number belongs (bool is not one)
    (lambda: Optimizer_Adam(learning_rate="0.1"), TypeError, "learning_rate must be a number"),
    (lambda: Optimizer_SGD(learning_rate=True), TypeError, "learning_rate must be a number"),
    (lambda: Optimizer_Adam(epsilon=None), TypeError, "epsilon must be a number"),
    (lambda: Optimizer_NAdam(beta_1="0.9"), TypeError, "beta_1 must be a number"),
    (lambda: Optimizer_Adadelta(rho=None), TypeError, "rho must be a number"),
    (lambda: Optimizer_ASGD(t0="1e6"), TypeError, "t0 must be a number"),
]


def _options_of_every_optimizer():
    """(optimizer, the nnlite-only option, its invalid value, the expected message)."""
    options = []
    for cls in OPTIMIZERS:
        if cls is not Optimizer_Rprop:  # Rprop has no decay or clipping: see below
            options += [
                (cls, "decay", -1, "Invalid decay value: -1"),
                (cls, "clip_value", 0, "Invalid clip_value value: 0 (must be above 0, or None"),
                (cls, "clip_norm", -1, "Invalid clip_norm value: -1 (must be above 0, or None"),
                (
                    cls,
                    "global_clip_norm",
                    0.0,
                    "Invalid global_clip_norm value: 0.0 (must be above 0, or None",
                ),
            ]
        options.append((cls, "l1_decay", -1, "Invalid l1_decay value: -1"))
    return options


@pytest.fixture
def torch_parameters():
    return [torch.zeros(2, requires_grad=True)]


@pytest.mark.parametrize(("ours", "theirs"), SAME_AS_TORCH)
def test_same_message_as_torch(ours, theirs, torch_parameters):
    with pytest.raises(ValueError) as theirs_error:
        theirs(torch_parameters)
    with pytest.raises(ValueError) as ours_error:
        ours()
    assert str(ours_error.value) == str(theirs_error.value)


@pytest.mark.parametrize(("ours", "error", "message"), OURS_ONLY)
def test_nnlite_only_checks(ours, error, message):
    with pytest.raises(error, match="^" + re.escape(message)):
        ours()


@pytest.mark.parametrize(("cls", "option", "value", "message"), _options_of_every_optimizer())
def test_base_options_are_checked_for_every_optimizer(cls, option, value, message):
    with pytest.raises(ValueError, match="^" + re.escape(message)):
        cls(**{option: value})


@pytest.mark.parametrize("cls", OPTIMIZERS)
def test_torch_spellings_and_unknown_keywords_are_refused(cls):
    """Explicit keyword arguments only: a misspelled or torch-spelled name is an error."""
    for keyword in ("lr", "eps", "betas", "learning_rat"):
        with pytest.raises(TypeError, match=f"unexpected keyword argument '{keyword}'"):
            cls(**{keyword: 0.1})


@pytest.mark.parametrize("option", ["decay", "clip_value", "clip_norm", "global_clip_norm"])
def test_rprop_refuses_options_that_cannot_change_its_steps(option):
    with pytest.raises(TypeError, match=f"unexpected keyword argument '{option}'"):
        Optimizer_Rprop(**{option: 0.1})


def test_rprop_refuses_a_learning_rate_schedule():
    class Halving(Schedule):
        initial_learning_rate = 0.1

        def __call__(self, step):
            return 0.1 * 0.5**step

    with pytest.raises(TypeError, match="only sets the initial step sizes"):
        Optimizer_Rprop(learning_rate=Halving())


@pytest.mark.parametrize("cls", [cls for cls in OPTIMIZERS if cls is not Optimizer_Rprop])
def test_decay_and_a_schedule_together_are_refused(cls):
    class Constant(Schedule):
        initial_learning_rate = 0.1

        def __call__(self, step):
            return 0.1

    with pytest.raises(ValueError, match="Give either decay or a learning-rate schedule"):
        cls(learning_rate=Constant(), decay=0.1)


@pytest.mark.parametrize("cls", OPTIMIZERS)
def test_valid_boundary_values_are_accepted(cls):
    """A zero learning rate (allowed by torch) builds; so do the defaults."""
    assert cls().iterations == 0
    assert cls(learning_rate=0.0).learning_rate == 0.0
