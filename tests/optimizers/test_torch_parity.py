"""Every classic optimizer and every flag, step by step against torch.optim (float64).

Each row runs nnlite and torch in lockstep for 30 steps from the same start, on a small
network and on a problem whose gradients are set directly (see ``torch_lockstep.py``), and
requires the weights and biases, and the state named in the row, to agree within 1e-10.

The book's four optimizers default to ε = 1e-7 (PyTorch: 1e-8, Adagrad 1e-10), so their rows
give ε on both sides. The book's ``decay`` is compared with PyTorch's ``LambdaLR`` at
``1 / (1 + decay·k)``, stepped after each optimizer step.
"""

import pytest
import torch
from torch.nn.utils import clip_grad_norm_, clip_grad_value_

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
from tests.optimizers.torch_lockstep import PROBLEMS, Case, assert_lockstep

optim = torch.optim


def inverse_time(decay):
    """The book's decay as a LambdaLR factor: lr_k = lr · 1 / (1 + decay·k)."""
    return lambda k: 1.0 / (1.0 + decay * k)


def l1_penalty(strength):
    return lambda p: strength * sum(tensor.abs().sum() for tensor in p.all)


def l2_penalty(weight_decay):
    """½λ‖θ‖², whose gradient λθ is coupled weight decay."""
    return lambda p: 0.5 * weight_decay * sum((tensor**2).sum() for tensor in p.all)


def clip_each_norm(max_norm):
    return lambda p: [clip_grad_norm_([tensor], max_norm) for tensor in p.all]


def group_for_second_layer(**settings):
    return lambda optimizer, layers: optimizer.add_param_group({"layers": [layers[1]], **settings})


def group_for_biases(**settings):
    return lambda optimizer, layers: optimizer.add_param_group(
        {"parameters": ["biases"], **settings}
    )


ADAM = (("momentums", "exp_avg"), ("cache", "exp_avg_sq"))
RMSPROP = (("cache", "square_avg"),)
ADADELTA = (("cache", "square_avg"), ("delta_cache", "acc_delta"))
ADAMAX = (("momentums", "exp_avg"), ("infinity_norm", "exp_inf"))
RPROP = (("previous_gradients", "prev"), ("step_sizes", "step_size"))
ASGD_STATE = (("average", "ax"),)
ASGD_SCALARS = (("eta", "eta"), ("mu", "mu"))

CASES = [
    # SGD
    Case("sgd", lambda: Optimizer_SGD(0.1), lambda p: optim.SGD(p.all, lr=0.1)),
    Case(
        "sgd book decay",
        lambda: Optimizer_SGD(0.5, decay=0.1),
        lambda p: optim.SGD(p.all, lr=0.5),
        schedule=inverse_time(0.1),
    ),
    Case(
        "sgd momentum (book form, constant lr)",
        lambda: Optimizer_SGD(0.1, momentum=0.9),
        lambda p: optim.SGD(p.all, lr=0.1, momentum=0.9),
    ),
    Case(
        "sgd dampening (book form)",
        lambda: Optimizer_SGD(0.1, momentum=0.9, dampening=0.3),
        lambda p: optim.SGD(p.all, lr=0.1, momentum=0.9, dampening=0.3),
    ),
    Case(
        "sgd nesterov (book form)",
        lambda: Optimizer_SGD(0.1, momentum=0.9, nesterov=True),
        lambda p: optim.SGD(p.all, lr=0.1, momentum=0.9, nesterov=True),
    ),
    Case(
        "sgd momentum_form=torch, decaying lr",
        lambda: Optimizer_SGD(0.5, decay=0.1, momentum=0.9, momentum_form="torch"),
        lambda p: optim.SGD(p.all, lr=0.5, momentum=0.9),
        schedule=inverse_time(0.1),
        state=(("momentums", "momentum_buffer"),),
    ),
    Case(
        "sgd momentum_form=torch, dampening, decaying lr",
        lambda: Optimizer_SGD(0.5, decay=0.1, momentum=0.9, dampening=0.5, momentum_form="torch"),
        lambda p: optim.SGD(p.all, lr=0.5, momentum=0.9, dampening=0.5),
        schedule=inverse_time(0.1),
        state=(("momentums", "momentum_buffer"),),
    ),
    Case(
        "sgd momentum_form=torch, nesterov, decaying lr",
        lambda: Optimizer_SGD(0.5, decay=0.1, momentum=0.9, nesterov=True, momentum_form="torch"),
        lambda p: optim.SGD(p.all, lr=0.5, momentum=0.9, nesterov=True),
        schedule=inverse_time(0.1),
    ),
    Case(
        "sgd weight_decay",
        lambda: Optimizer_SGD(0.1, momentum=0.9, weight_decay=0.1),
        lambda p: optim.SGD(p.all, lr=0.1, momentum=0.9, weight_decay=0.1),
    ),
    Case(
        "sgd maximize",
        lambda: Optimizer_SGD(0.1, momentum=0.9, maximize=True),
        lambda p: optim.SGD(p.all, lr=0.1, momentum=0.9, maximize=True),
    ),
    # Adagrad
    Case(
        "adagrad",
        lambda: Optimizer_Adagrad(0.1, epsilon=1e-10),
        lambda p: optim.Adagrad(p.all, lr=0.1, eps=1e-10),
        state=(("cache", "sum"),),
    ),
    Case(
        "adagrad lr_decay",
        lambda: Optimizer_Adagrad(0.1, epsilon=1e-10, lr_decay=0.05),
        lambda p: optim.Adagrad(p.all, lr=0.1, eps=1e-10, lr_decay=0.05),
    ),
    Case(
        "adagrad initial_accumulator_value",
        lambda: Optimizer_Adagrad(0.1, epsilon=1e-10, initial_accumulator_value=0.5),
        lambda p: optim.Adagrad(p.all, lr=0.1, eps=1e-10, initial_accumulator_value=0.5),
        state=(("cache", "sum"),),
    ),
    Case(
        "adagrad book decay = torch lr_decay",
        lambda: Optimizer_Adagrad(0.1, decay=0.05, epsilon=1e-7),
        lambda p: optim.Adagrad(p.all, lr=0.1, eps=1e-7, lr_decay=0.05),
    ),
    Case(
        "adagrad weight_decay, maximize",
        lambda: Optimizer_Adagrad(0.1, epsilon=1e-10, weight_decay=0.1, maximize=True),
        lambda p: optim.Adagrad(p.all, lr=0.1, eps=1e-10, weight_decay=0.1, maximize=True),
    ),
    # RMSprop
    Case(
        "rmsprop rho = torch alpha",
        lambda: Optimizer_RMSprop(0.01, epsilon=1e-8, rho=0.9),
        lambda p: optim.RMSprop(p.all, lr=0.01, alpha=0.9, eps=1e-8),
        state=RMSPROP,
    ),
    Case(
        "rmsprop beta (course notes' name for rho)",
        lambda: Optimizer_RMSprop(0.01, epsilon=1e-8, beta=0.8),
        lambda p: optim.RMSprop(p.all, lr=0.01, alpha=0.8, eps=1e-8),
    ),
    Case(
        "rmsprop momentum",
        lambda: Optimizer_RMSprop(0.01, epsilon=1e-8, rho=0.9, momentum=0.9),
        lambda p: optim.RMSprop(p.all, lr=0.01, alpha=0.9, eps=1e-8, momentum=0.9),
        state=(*RMSPROP, ("momentums", "momentum_buffer")),
    ),
    Case(
        "rmsprop centered",
        lambda: Optimizer_RMSprop(0.01, epsilon=1e-8, rho=0.9, centered=True),
        lambda p: optim.RMSprop(p.all, lr=0.01, alpha=0.9, eps=1e-8, centered=True),
        state=(*RMSPROP, ("gradient_average", "grad_avg")),
    ),
    Case(
        "rmsprop centered and momentum",
        lambda: Optimizer_RMSprop(0.01, epsilon=1e-8, rho=0.9, momentum=0.5, centered=True),
        lambda p: optim.RMSprop(p.all, lr=0.01, alpha=0.9, eps=1e-8, momentum=0.5, centered=True),
        state=(*RMSPROP, ("gradient_average", "grad_avg"), ("momentums", "momentum_buffer")),
    ),
    Case(
        "rmsprop weight_decay, maximize",
        lambda: Optimizer_RMSprop(0.01, epsilon=1e-8, weight_decay=0.1, maximize=True),
        lambda p: optim.RMSprop(
            p.all, lr=0.01, alpha=0.9, eps=1e-8, weight_decay=0.1, maximize=True
        ),
    ),
    Case(
        "rmsprop book decay",
        lambda: Optimizer_RMSprop(0.02, decay=0.1, epsilon=1e-8, rho=0.999),
        lambda p: optim.RMSprop(p.all, lr=0.02, alpha=0.999, eps=1e-8),
        schedule=inverse_time(0.1),
    ),
    # Adam and AdamW
    Case(
        "adam",
        lambda: Optimizer_Adam(0.01, epsilon=1e-8),
        lambda p: optim.Adam(p.all, lr=0.01, eps=1e-8),
        state=ADAM,
    ),
    Case(
        "adam book epsilon",
        lambda: Optimizer_Adam(0.01),
        lambda p: optim.Adam(p.all, lr=0.01, eps=1e-7),
    ),
    Case(
        "adam amsgrad",
        lambda: Optimizer_Adam(0.01, epsilon=1e-8, amsgrad=True),
        lambda p: optim.Adam(p.all, lr=0.01, eps=1e-8, amsgrad=True),
        state=(*ADAM, ("max_cache", "max_exp_avg_sq")),
    ),
    Case(
        "adam weight_decay (coupled)",
        lambda: Optimizer_Adam(0.01, epsilon=1e-8, weight_decay=0.1),
        lambda p: optim.Adam(p.all, lr=0.01, eps=1e-8, weight_decay=0.1),
    ),
    Case(
        "adam decoupled_weight_decay",
        lambda: Optimizer_Adam(0.01, epsilon=1e-8, weight_decay=0.5, decoupled_weight_decay=True),
        lambda p: optim.Adam(
            p.all, lr=0.01, eps=1e-8, weight_decay=0.5, decoupled_weight_decay=True
        ),
    ),
    Case(
        "adam maximize",
        lambda: Optimizer_Adam(0.01, epsilon=1e-8, maximize=True),
        lambda p: optim.Adam(p.all, lr=0.01, eps=1e-8, maximize=True),
    ),
    Case(
        "adam book decay",
        lambda: Optimizer_Adam(0.05, decay=0.1, epsilon=1e-8),
        lambda p: optim.Adam(p.all, lr=0.05, eps=1e-8),
        schedule=inverse_time(0.1),
    ),
    Case(
        "adamw",
        lambda: Optimizer_AdamW(0.01, weight_decay=0.5),
        lambda p: optim.AdamW(p.all, lr=0.01, weight_decay=0.5),
        state=ADAM,
    ),
    Case(
        "adamw amsgrad, book decay (decay uses the current lr)",
        lambda: Optimizer_AdamW(0.05, decay=0.1, weight_decay=0.5, amsgrad=True),
        lambda p: optim.AdamW(p.all, lr=0.05, weight_decay=0.5, amsgrad=True),
        schedule=inverse_time(0.1),
    ),
    # Adadelta
    Case(
        "adadelta defaults",
        lambda: Optimizer_Adadelta(),
        lambda p: optim.Adadelta(p.all),
        state=ADADELTA,
    ),
    Case(
        "adadelta rho, epsilon, lr",
        lambda: Optimizer_Adadelta(0.5, rho=0.8, epsilon=1e-3),
        lambda p: optim.Adadelta(p.all, lr=0.5, rho=0.8, eps=1e-3),
        state=ADADELTA,
    ),
    Case(
        "adadelta weight_decay, maximize",
        lambda: Optimizer_Adadelta(weight_decay=0.1, maximize=True),
        lambda p: optim.Adadelta(p.all, weight_decay=0.1, maximize=True),
    ),
    Case(
        "adadelta book decay",
        lambda: Optimizer_Adadelta(decay=0.1),
        lambda p: optim.Adadelta(p.all),
        schedule=inverse_time(0.1),
    ),
    # Adamax
    Case(
        "adamax defaults",
        lambda: Optimizer_Adamax(),
        lambda p: optim.Adamax(p.all),
        state=ADAMAX,
    ),
    Case(
        "adamax betas, epsilon, lr",
        lambda: Optimizer_Adamax(0.05, epsilon=1e-3, beta_1=0.8, beta_2=0.99),
        lambda p: optim.Adamax(p.all, lr=0.05, eps=1e-3, betas=(0.8, 0.99)),
        state=ADAMAX,
    ),
    Case(
        "adamax weight_decay, maximize",
        lambda: Optimizer_Adamax(0.05, weight_decay=0.1, maximize=True),
        lambda p: optim.Adamax(p.all, lr=0.05, weight_decay=0.1, maximize=True),
    ),
    # NAdam
    Case(
        "nadam defaults",
        lambda: Optimizer_NAdam(),
        lambda p: optim.NAdam(p.all),
        state=ADAM,
        scalars=(("mu_product", "mu_product"),),
    ),
    Case(
        "nadam momentum_decay, betas, epsilon",
        lambda: Optimizer_NAdam(0.05, epsilon=1e-3, beta_1=0.8, beta_2=0.99, momentum_decay=0.1),
        lambda p: optim.NAdam(p.all, lr=0.05, eps=1e-3, betas=(0.8, 0.99), momentum_decay=0.1),
        state=ADAM,
        scalars=(("mu_product", "mu_product"),),
    ),
    Case(
        "nadam weight_decay (coupled), maximize",
        lambda: Optimizer_NAdam(0.05, weight_decay=0.1, maximize=True),
        lambda p: optim.NAdam(p.all, lr=0.05, weight_decay=0.1, maximize=True),
    ),
    Case(
        "nadam decoupled_weight_decay",
        lambda: Optimizer_NAdam(0.05, weight_decay=0.5, decoupled_weight_decay=True),
        lambda p: optim.NAdam(p.all, lr=0.05, weight_decay=0.5, decoupled_weight_decay=True),
    ),
    Case(
        "nadam book decay",
        lambda: Optimizer_NAdam(0.05, decay=0.1),
        lambda p: optim.NAdam(p.all, lr=0.05),
        schedule=inverse_time(0.1),
    ),
    # RAdam: plain momentum steps up to t = 5, rectified from t = 6 (30 steps cover both)
    Case(
        "radam defaults",
        lambda: Optimizer_RAdam(),
        lambda p: optim.RAdam(p.all),
        state=ADAM,
    ),
    Case(
        "radam epsilon before the bias correction",
        lambda: Optimizer_RAdam(0.05, epsilon=1e-2),
        lambda p: optim.RAdam(p.all, lr=0.05, eps=1e-2),
    ),
    Case(
        "radam betas (rectified from t = 6 with beta_2 = 0.9)",
        lambda: Optimizer_RAdam(0.05, beta_1=0.8, beta_2=0.9),
        lambda p: optim.RAdam(p.all, lr=0.05, betas=(0.8, 0.9)),
    ),
    Case(
        "radam never rectified (beta_2 = 0.6 gives rho_infinity = 4)",
        lambda: Optimizer_RAdam(0.05, beta_2=0.6),
        lambda p: optim.RAdam(p.all, lr=0.05, betas=(0.9, 0.6)),
    ),
    Case(
        "radam weight_decay (coupled), maximize",
        lambda: Optimizer_RAdam(0.05, weight_decay=0.1, maximize=True),
        lambda p: optim.RAdam(p.all, lr=0.05, weight_decay=0.1, maximize=True),
    ),
    Case(
        "radam decoupled_weight_decay",
        lambda: Optimizer_RAdam(0.05, weight_decay=0.5, decoupled_weight_decay=True),
        lambda p: optim.RAdam(p.all, lr=0.05, weight_decay=0.5, decoupled_weight_decay=True),
    ),
    # ASGD
    Case(
        "asgd (no averaging before t0 = 1e6)",
        lambda: Optimizer_ASGD(0.1),
        lambda p: optim.ASGD(p.all, lr=0.1),
        state=ASGD_STATE,
        scalars=ASGD_SCALARS,
    ),
    Case(
        "asgd averaged iterate from t0 = 5",
        lambda: Optimizer_ASGD(0.1, lambd=0.01, alpha=0.5, t0=5),
        lambda p: optim.ASGD(p.all, lr=0.1, lambd=0.01, alpha=0.5, t0=5),
        state=ASGD_STATE,
        scalars=ASGD_SCALARS,
    ),
    Case(
        "asgd weight_decay, maximize",
        lambda: Optimizer_ASGD(0.1, t0=10, weight_decay=0.1, maximize=True),
        lambda p: optim.ASGD(p.all, lr=0.1, t0=10, weight_decay=0.1, maximize=True),
        state=ASGD_STATE,
    ),
    Case(
        "asgd book decay",
        lambda: Optimizer_ASGD(0.1, decay=0.1, lambd=0.01, t0=5),
        lambda p: optim.ASGD(p.all, lr=0.1, lambd=0.01, t0=5),
        schedule=inverse_time(0.1),
        state=ASGD_STATE,
        scalars=ASGD_SCALARS,
    ),
    # Rprop
    Case(
        "rprop defaults",
        lambda: Optimizer_Rprop(),
        lambda p: optim.Rprop(p.all),
        state=RPROP,
    ),
    Case(
        "rprop etas, step_sizes",
        lambda: Optimizer_Rprop(0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.2)),
        lambda p: optim.Rprop(p.all, lr=0.05, etas=(0.3, 1.5), step_sizes=(1e-3, 0.2)),
        state=RPROP,
    ),
    Case(
        "rprop maximize",
        lambda: Optimizer_Rprop(0.05, maximize=True),
        lambda p: optim.Rprop(p.all, lr=0.05, maximize=True),
    ),
    Case(
        "rprop weight_decay = torch with ½λ‖θ‖² in the loss",
        lambda: Optimizer_Rprop(0.05, weight_decay=0.1),
        lambda p: optim.Rprop(p.all, lr=0.05),
        penalty=l2_penalty(0.1),
    ),
    # l1_decay = torch with λ₁·Σ|θ| in the loss
    Case(
        "l1_decay sgd momentum",
        lambda: Optimizer_SGD(0.1, momentum=0.9, l1_decay=0.01),
        lambda p: optim.SGD(p.all, lr=0.1, momentum=0.9),
        penalty=l1_penalty(0.01),
    ),
    Case(
        "l1_decay adam",
        lambda: Optimizer_Adam(0.01, epsilon=1e-8, l1_decay=0.01),
        lambda p: optim.Adam(p.all, lr=0.01, eps=1e-8),
        penalty=l1_penalty(0.01),
    ),
    Case(
        "l1_decay nadam",
        lambda: Optimizer_NAdam(0.05, l1_decay=0.01),
        lambda p: optim.NAdam(p.all, lr=0.05),
        penalty=l1_penalty(0.01),
    ),
    # Clipping = torch.nn.utils before optimizer.step()
    Case(
        "clip_value sgd",
        lambda: Optimizer_SGD(0.1, momentum=0.9, clip_value=0.05),
        lambda p: optim.SGD(p.all, lr=0.1, momentum=0.9),
        before_step=lambda p: clip_grad_value_(p.all, 0.05),
    ),
    Case(
        "clip_value adam, weight_decay",
        lambda: Optimizer_Adam(0.01, epsilon=1e-8, weight_decay=0.1, clip_value=0.05),
        lambda p: optim.Adam(p.all, lr=0.01, eps=1e-8, weight_decay=0.1),
        before_step=lambda p: clip_grad_value_(p.all, 0.05),
    ),
    Case(
        "clip_norm (each parameter) sgd",
        lambda: Optimizer_SGD(0.1, momentum=0.9, clip_norm=0.1),
        lambda p: optim.SGD(p.all, lr=0.1, momentum=0.9),
        before_step=clip_each_norm(0.1),
    ),
    Case(
        "clip_norm (each parameter) rmsprop, maximize",
        lambda: Optimizer_RMSprop(0.01, epsilon=1e-8, clip_norm=0.1, maximize=True),
        lambda p: optim.RMSprop(p.all, lr=0.01, alpha=0.9, eps=1e-8, maximize=True),
        before_step=clip_each_norm(0.1),
    ),
    Case(
        "global_clip_norm sgd, step(layers)",
        lambda: Optimizer_SGD(0.1, momentum=0.9, global_clip_norm=0.2),
        lambda p: optim.SGD(p.all, lr=0.1, momentum=0.9),
        before_step=lambda p: clip_grad_norm_(p.all, 0.2),
        use_step=True,
    ),
    Case(
        "global_clip_norm adamw, step(layers)",
        lambda: Optimizer_AdamW(0.01, global_clip_norm=0.2),
        lambda p: optim.AdamW(p.all, lr=0.01),
        before_step=lambda p: clip_grad_norm_(p.all, 0.2),
        use_step=True,
    ),
    # Param groups = torch's param groups
    Case(
        "group: smaller lr for the second layer (adam)",
        lambda: Optimizer_Adam(0.05, epsilon=1e-8),
        lambda p: optim.Adam([{"params": p.first}, {"params": p.second, "lr": 1e-3}], lr=0.05),
        configure=group_for_second_layer(learning_rate=1e-3),
    ),
    Case(
        "group: smaller lr for the second layer, book decay (adam)",
        lambda: Optimizer_Adam(0.05, decay=0.1, epsilon=1e-8),
        lambda p: optim.Adam([{"params": p.first}, {"params": p.second, "lr": 1e-3}], lr=0.05),
        configure=group_for_second_layer(learning_rate=1e-3),
        schedule=inverse_time(0.1),
    ),
    Case(
        "group: no weight_decay on biases (sgd momentum)",
        lambda: Optimizer_SGD(0.1, momentum=0.9, weight_decay=0.1),
        lambda p: optim.SGD(
            [{"params": p.weights}, {"params": p.biases, "weight_decay": 0.0}],
            lr=0.1,
            momentum=0.9,
            weight_decay=0.1,
        ),
        configure=group_for_biases(weight_decay=0.0),
    ),
    Case(
        "group: betas and decoupled decay per layer (nadam)",
        lambda: Optimizer_NAdam(0.05, weight_decay=0.5, decoupled_weight_decay=True),
        lambda p: optim.NAdam(
            [{"params": p.first}, {"params": p.second, "betas": (0.5, 0.9), "weight_decay": 0.0}],
            lr=0.05,
            weight_decay=0.5,
            decoupled_weight_decay=True,
        ),
        configure=group_for_second_layer(beta_1=0.5, beta_2=0.9, weight_decay=0.0),
    ),
    Case(
        "group: initial step sizes per layer (rprop)",
        lambda: Optimizer_Rprop(0.05),
        lambda p: optim.Rprop([{"params": p.first}, {"params": p.second, "lr": 1e-3}], lr=0.05),
        configure=group_for_second_layer(learning_rate=1e-3),
        state=RPROP,
    ),
]


@pytest.mark.parametrize("problem", PROBLEMS)
@pytest.mark.parametrize("case", CASES, ids=str)
def test_matches_torch_step_by_step(case, problem):
    assert_lockstep(case, problem)


def test_every_case_has_a_distinct_name():
    names = [case.name for case in CASES]
    assert len(names) == len(set(names))
