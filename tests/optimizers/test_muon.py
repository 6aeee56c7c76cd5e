"""Optimizer_Muon against torch.optim.Muon, step by step in float64.

PyTorch's Muon rounds the matrix to bfloat16 for its Newton–Schulz iterations (a GPU speed
choice); nnlite iterates in the parameter's dtype. So that the parity rows can demand 1e-10,
they run ``torch.optim.Muon`` unchanged except for that one cast: its
``_zeropower_via_newtonschulz`` is replaced, for the duration of the test, by the same
function without ``.bfloat16()`` (:func:`torch_newton_schulz_float64`, PyTorch's code with
that line dropped). Everything else (momentum, Nesterov, weight decay, learning-rate
adjustment) is PyTorch's own code. A separate test bounds the difference from PyTorch's real
bfloat16 iteration.
"""

from unittest import mock

import numpy as np
import pytest
import torch
import torch.optim._muon as torch_muon

from nnlite.optimizers.muon import Optimizer_Muon, newton_schulz
from nnlite.parameters import ParameterSpec
from tests.optimizers.torch_lockstep import PROBLEMS, Case, assert_lockstep

Muon = torch.optim.Muon


def torch_newton_schulz_float64(grad, ns_coefficients, ns_steps, eps):
    """torch.optim._muon._zeropower_via_newtonschulz without the cast to bfloat16."""
    a, b, c = ns_coefficients
    ortho_grad = grad.clone()
    if grad.size(0) > grad.size(1):
        ortho_grad = ortho_grad.T
    ortho_grad.div_(ortho_grad.norm().clamp(min=eps))
    for _ in range(ns_steps):
        gram_matrix = ortho_grad @ ortho_grad.T
        gram_update = torch.addmm(gram_matrix, gram_matrix, gram_matrix, beta=b, alpha=c)
        ortho_grad = torch.addmm(ortho_grad, gram_update, ortho_grad, beta=a)
    if grad.size(0) > grad.size(1):
        ortho_grad = ortho_grad.T
    return ortho_grad


def inverse_time(decay):
    return lambda k: 1.0 / (1.0 + decay * k)


MOMENTUM = (("momentums", "momentum_buffer"),)
CASES = [
    Case("defaults", lambda: Optimizer_Muon(), lambda p: Muon(p.all), state=MOMENTUM),
    Case("lr 0.02", lambda: Optimizer_Muon(0.02), lambda p: Muon(p.all, lr=0.02)),
    Case(
        "no nesterov, momentum 0.5",
        lambda: Optimizer_Muon(0.02, nesterov=False, momentum=0.5),
        lambda p: Muon(p.all, lr=0.02, nesterov=False, momentum=0.5),
        state=MOMENTUM,
    ),
    Case(
        "momentum 0 (no averaging)",
        lambda: Optimizer_Muon(0.02, momentum=0.0),
        lambda p: Muon(p.all, lr=0.02, momentum=0.0),
    ),
    Case(
        "weight_decay 0.5",
        lambda: Optimizer_Muon(0.02, weight_decay=0.5),
        lambda p: Muon(p.all, lr=0.02, weight_decay=0.5),
    ),
    Case(
        "adjust_lr_fn 'original'",
        lambda: Optimizer_Muon(0.02, adjust_lr_fn="original"),
        lambda p: Muon(p.all, lr=0.02, adjust_lr_fn="original"),
    ),
    Case(
        "adjust_lr_fn 'match_rms_adamw'",
        lambda: Optimizer_Muon(0.02, adjust_lr_fn="match_rms_adamw"),
        lambda p: Muon(p.all, lr=0.02, adjust_lr_fn="match_rms_adamw"),
    ),
    Case(
        "ns_steps 2, coefficients of the cubic iteration, epsilon 1e-3",
        lambda: Optimizer_Muon(0.02, ns_steps=2, ns_coefficients=(1.5, -0.5, 0.0), epsilon=1e-3),
        lambda p: Muon(p.all, lr=0.02, ns_steps=2, ns_coefficients=(1.5, -0.5, 0.0), eps=1e-3),
    ),
    Case(
        "decay 0.1",
        lambda: Optimizer_Muon(0.02, decay=0.1),
        lambda p: Muon(p.all, lr=0.02),
        schedule=inverse_time(0.1),
    ),
    Case(
        "param group: no weight decay on biases",
        lambda: Optimizer_Muon(0.02),
        lambda p: Muon([{"params": p.weights}, {"params": p.biases, "weight_decay": 0.0}], lr=0.02),
        configure=lambda o, layers: o.add_param_group(
            {"parameters": ["biases"], "weight_decay": 0.0}
        ),
    ),
]


@pytest.mark.parametrize("problem", PROBLEMS)
@pytest.mark.parametrize("case", CASES, ids=str)
def test_matches_torch_with_newton_schulz_in_float64(case, problem):
    # The layers are 4x5 (wide) and 5x3 (tall) weights and (1, n) biases
    with mock.patch.object(torch_muon, "_zeropower_via_newtonschulz", torch_newton_schulz_float64):
        assert_lockstep(case, problem)


@pytest.mark.parametrize("shape", [(4, 3), (6, 8), (32, 16), (1, 5)])
def test_newton_schulz_is_within_bfloat16_error_of_torchs_real_iteration(shape):
    rng = np.random.default_rng(0)
    coefficients = (3.4445, -4.775, 2.0315)
    for _ in range(10):
        matrix = rng.standard_normal(shape)
        theirs = torch_muon._zeropower_via_newtonschulz(torch.tensor(matrix), coefficients, 5, 1e-7)
        theirs = theirs.double().numpy()
        ours = newton_schulz(matrix.copy(), coefficients, 5, 1e-7)
        relative = np.linalg.norm(ours - theirs) / np.linalg.norm(theirs)
        # bfloat16 keeps 8 significant bits (0.4%); five iterations compound it to a few %
        assert relative < 0.05, (shape, relative)


def test_newton_schulz_converges_to_the_orthogonal_factor():
    # With p(x) = (15x - 10x³ + 3x⁵)/8 the singular values converge to exactly 1: X → U·Vᵀ
    rng = np.random.default_rng(1)
    matrix = rng.standard_normal((6, 4))
    u, _, vt = np.linalg.svd(matrix, full_matrices=False)
    result = newton_schulz(matrix.copy(), (15 / 8, -10 / 8, 3 / 8), 60, 1e-7)
    np.testing.assert_allclose(result, u @ vt, atol=1e-8)


class Layer_WithVector:
    parameter_specs = (
        ParameterSpec("weights", "dweights", "weight"),
        ParameterSpec("scale", "dscale", "scale"),
    )

    def __init__(self):
        self.weights = np.ones((3, 2))
        self.scale = np.ones(3)
        self.dweights = np.ones((3, 2))
        self.dscale = np.ones(3)


def test_a_1d_parameter_raises_torchs_error_and_changes_nothing():
    layer = Layer_WithVector()
    with pytest.raises(ValueError, match=r"Muon only supports 2D parameters .*\(3,\)"):
        Optimizer_Muon().update_params(layer)
    assert np.array_equal(layer.weights, np.ones((3, 2)))
    assert not hasattr(layer, "weight_momentums")


@pytest.mark.parametrize(
    ("arguments", "error", "message"),
    [
        ({"learning_rate": -1.0}, ValueError, "Learning rate should be >= 0 but is: -1.0"),
        ({"momentum": -0.1}, ValueError, "momentum should be >= 0 but is: -0.1"),
        ({"weight_decay": -0.1}, ValueError, "weight decay should be >= 0 but is: -0.1"),
        (
            {"adjust_lr_fn": "sqrt"},
            ValueError,
            "Adjust learning rate function sqrt is not supported",
        ),
        ({"ns_steps": 100}, ValueError, "Number of steps must be less than 100"),
        ({"ns_steps": -1}, ValueError, "Invalid ns_steps value: -1"),
        ({"ns_steps": 2.5}, TypeError, "ns_steps must be a whole number"),
        ({"ns_coefficients": (1.0, 2.0)}, ValueError, "exactly 3 values"),
        ({"epsilon": -1.0}, ValueError, "Invalid epsilon value: -1.0"),
        ({"decay": -1.0}, ValueError, "Invalid decay value: -1.0"),
    ],
)
def test_invalid_hyperparameters_raise(arguments, error, message):
    with pytest.raises(error, match=message):
        Optimizer_Muon(**arguments)


class Layer_Kernel:
    """A layer whose weights are a convolution kernel (n_filters, channels, kh, kw)."""

    parameter_specs = (ParameterSpec("weights", "dweights", "weight"),)

    def __init__(self, weights):
        self.weights = weights


def test_a_convolution_kernel_is_updated_as_the_matrix_of_its_flattened_filters():
    # As Muon's authors treat a kernel: (F, C, kh, kw) as the matrix (F, C·kh·kw); the 2-D
    # update itself is checked against torch.optim.Muon above
    rng = np.random.default_rng(4)
    kernel = Layer_Kernel(rng.standard_normal((4, 3, 2, 2)))
    matrix = Layer_Kernel(kernel.weights.reshape(4, 12).copy())
    optimizers = Optimizer_Muon(0.02), Optimizer_Muon(0.02)
    for _ in range(5):
        gradient = rng.standard_normal((4, 3, 2, 2))
        kernel.dweights, matrix.dweights = gradient, gradient.reshape(4, 12).copy()
        for optimizer, layer in zip(optimizers, (kernel, matrix), strict=True):
            optimizer.step([layer])
    assert kernel.weights.tobytes() == matrix.weights.tobytes()
    assert kernel.weight_momentums.shape == (4, 3, 2, 2)
