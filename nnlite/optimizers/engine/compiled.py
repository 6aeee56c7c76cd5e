"""Compiled update rules for ``fused=True``: one pass over the arrays, the same bits.

NumPy runs an update rule one operation at a time: Adam's 14 in-place operations read and
write the arrays 14 times, and on small arrays each call costs about a microsecond whatever
the size. A compiled loop does the whole rule for one element before moving to the next, so
the arrays pass through memory once and there is one call per parameter. PyTorch's
``fused=True`` optimizers are the same idea.

Each loop below is an optimizer's ``update_rule`` written for one element (Adam, SGD and
Adagrad: the optimizers PyTorch has fused versions of), with the same operations in the same
order, in the arrays' own dtype, and with every constant rounded to that dtype first (as
NumPy rounds a Python float used with a float32 array).
numba compiles it without fast-math, so nothing is reordered or fused into a multiply-add,
and the results are identical to the NumPy rule's, bit for bit
(``tests/optimizers/test_compiled.py``).

numba is optional: ``pip install "nnlite[fast]"``. nnlite imports it only when an optimizer
is made with ``fused=True``.

An optimizer names its compiled rule in ``fused_rule`` (``"adam"``, ``"sgd"``, ``"adagrad"``);
the engine (plans.py) calls :func:`run`, which reads the rule's numbers from the update as the
NumPy rule does and runs the loop, or returns False for arrays the loop does not take.
"""

from __future__ import annotations

import functools
from types import SimpleNamespace
from typing import Any

import numpy as np

INSTALL_HINT = 'pip install "nnlite[fast]"'
#: The dtypes the compiled rules take (both float and the same for every array)
DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def require(where: str) -> None:
    """Raise a clear ImportError, naming ``where``, unless numba can be imported."""
    try:
        _kernels()
    except ImportError as error:
        raise ImportError(f"{where}: {error}") from error


def accepts(arrays: tuple[np.ndarray | None, ...], numbers: tuple[object, ...]) -> bool:
    """Whether the compiled rule gives the NumPy rule's bits for these arrays (``None`` for
    an absent one) and the rule's numbers; otherwise the NumPy rule runs.

    The arrays must share one float dtype and be C-contiguous (each has a flat view). The
    numbers must be ones NumPy rounds to that dtype before using them, as the compiled loop
    does: Python ints and floats (NumPy's "weak" scalars), or any NumPy float when the arrays
    are float64. An ``np.float64`` learning rate with float32 arrays makes NumPy compute in
    float64 and round afterwards, which the loop does not copy.
    """
    present = [array for array in arrays if array is not None]
    dtype = present[0].dtype
    if dtype not in DTYPES:
        return False
    if not all(array.dtype == dtype and array.flags.c_contiguous for array in present):
        return False
    if dtype == np.float64:
        return all(type(number) in (int, float, np.float64, np.float32) for number in numbers)
    return all(type(number) in (int, float) for number in numbers)


def run(rule: str, weights: np.ndarray, gradient: np.ndarray, update: Any) -> bool:
    """Run the compiled ``rule`` on one parameter, as its optimizer's ``update_rule`` would;
    False (and nothing changed) if these arrays and numbers need the NumPy rule."""
    return _ADAPTERS[rule](weights, gradient, update)


def _run_adam(weights: np.ndarray, gradient: np.ndarray, update: Any) -> bool:
    settings = update.settings
    max_cache = update.state["max_cache"] if settings["amsgrad"] else None
    arrays = (weights, gradient, update.state["momentums"], update.state["cache"], max_cache)
    numbers = (settings["beta_1"], settings["beta_2"], update.learning_rate, settings["epsilon"])
    if not accepts(arrays, numbers):
        return False
    adam(
        *arrays,
        beta_1=settings["beta_1"],
        beta_2=settings["beta_2"],
        step=update.step,
        learning_rate=update.learning_rate,
        epsilon=settings["epsilon"],
    )
    return True


def _run_sgd(weights: np.ndarray, gradient: np.ndarray, update: Any) -> bool:
    settings = update.settings
    momentum = settings["momentum"]
    velocity = update.state.get("momentums")
    # Dampening applies from the second step on, as in Optimizer_SGD.update_rule
    dampening = settings["dampening"] if update.step > 1 else 0.0
    if not accepts((weights, gradient, velocity), (update.learning_rate, momentum, dampening)):
        return False
    sgd(
        weights,
        gradient,
        velocity,
        form=settings["momentum_form"] if momentum else "plain",
        nesterov=settings["nesterov"],
        learning_rate=update.learning_rate,
        momentum=momentum,
        dampening=dampening,
    )
    return True


def _run_adagrad(weights: np.ndarray, gradient: np.ndarray, update: Any) -> bool:
    settings = update.settings
    cache = update.state["cache"]
    learning_rate = update.learning_rate
    if settings["lr_decay"]:
        # As in Optimizer_Adagrad.update_rule
        learning_rate = learning_rate / (1 + (update.step - 1) * settings["lr_decay"])
    if not accepts((weights, gradient, cache), (learning_rate, settings["epsilon"])):
        return False
    adagrad(weights, gradient, cache, learning_rate=learning_rate, epsilon=settings["epsilon"])
    return True


_ADAPTERS = {"adam": _run_adam, "sgd": _run_sgd, "adagrad": _run_adagrad}


def adam(
    value: np.ndarray,
    gradient: np.ndarray,
    momentums: np.ndarray,
    cache: np.ndarray,
    max_cache: np.ndarray | None,
    *,
    beta_1: float,
    beta_2: float,
    step: int,
    learning_rate: float,
    epsilon: float,
) -> None:
    """Adam's update of ``value`` (and its state) in one pass; see Optimizer_Adam."""
    # The constants, each rounded to the arrays' dtype once, as NumPy rounds a Python float
    constants = np.array(
        [
            beta_1,
            1 - beta_1,
            1 - beta_1**step,
            beta_2,
            1 - beta_2,
            1 - beta_2**step,
            -learning_rate,
            epsilon,
        ],
        dtype=value.dtype,
    )
    amsgrad = max_cache is not None
    _kernels().adam(
        value, gradient, momentums, cache, max_cache if amsgrad else cache, amsgrad, constants
    )


def sgd(
    value: np.ndarray,
    gradient: np.ndarray,
    velocity: np.ndarray | None,
    *,
    form: str,
    nesterov: bool,
    learning_rate: float,
    momentum: float,
    dampening: float,
) -> None:
    """SGD's update in one pass; see Optimizer_SGD. ``form``: "plain" (no momentum), "book"
    or "torch"; ``dampening`` is the one that applies at this step."""
    constants = np.array(
        [-learning_rate, learning_rate, momentum, 1 - dampening], dtype=value.dtype
    )
    _kernels().sgd(
        value,
        gradient,
        value if velocity is None else velocity,
        SGD_FORMS.index(form),
        nesterov,
        bool(dampening),
        constants,
    )


def adagrad(
    value: np.ndarray,
    gradient: np.ndarray,
    cache: np.ndarray,
    *,
    learning_rate: float,
    epsilon: float,
) -> None:
    """Adagrad's update in one pass; see Optimizer_Adagrad (``learning_rate`` after its
    ``lr_decay``)."""
    constants = np.array([-learning_rate, epsilon], dtype=value.dtype)
    _kernels().adagrad(value, gradient, cache, constants)


def adam_loop(w, g, m, v, max_v, amsgrad, constants):
    """Optimizer_Adam's rule, one element at a time (compiled by numba, see _kernels)."""
    (
        beta_1,
        one_minus_beta_1,
        correction_1,
        beta_2,
        one_minus_beta_2,
        correction_2,
        negative_learning_rate,
        epsilon,
    ) = constants
    size = w.size
    w, g, m, v, max_v = (
        w.reshape(size),
        g.reshape(size),
        m.reshape(size),
        v.reshape(size),
        max_v.reshape(size),
    )
    for i in range(size):
        # weight_momentums = β₁ · weight_momentums + (1 - β₁) · g;  m̂ = m / (1 - β₁ᵗ)
        momentum = m[i] * beta_1 + g[i] * one_minus_beta_1
        m[i] = momentum
        step = momentum / correction_1
        # weight_cache = β₂ · weight_cache + (1 - β₂) · g²;  v̂ = v / (1 - β₂ᵗ)
        second = v[i] * beta_2 + (g[i] * g[i]) * one_minus_beta_2
        v[i] = second
        if amsgrad:
            # np.maximum: the larger of the two, or NaN if either is NaN
            if second > max_v[i] or second != second:
                max_v[i] = second
            second = max_v[i]
        corrected = second / correction_2
        # W += -lr · m̂ / (√v̂ + ε)
        step = step * negative_learning_rate
        w[i] = w[i] + step / (np.sqrt(corrected) + epsilon)


#: The forms of SGD's rule, numbered for the compiled loop
SGD_FORMS = ("plain", "book", "torch")


def sgd_loop(w, g, velocity, form, nesterov, dampened, constants):
    """Optimizer_SGD's rule, one element at a time (compiled by numba, see _kernels)."""
    negative_learning_rate, learning_rate, momentum, one_minus_dampening = constants
    size = w.size
    w, g, velocity = w.reshape(size), g.reshape(size), velocity.reshape(size)
    for i in range(size):
        if form == 0:
            # W += -lr · g
            w[i] = w[i] + g[i] * negative_learning_rate
        elif form == 1:
            # The book: weight_momentums = μ · weight_momentums - lr · g (· (1 - τ))
            scaled = g[i] * learning_rate
            if dampened:
                scaled = scaled * one_minus_dampening
            v = velocity[i] * momentum - scaled
            velocity[i] = v
            if nesterov:
                # W += -lr · g, then W += μ · weight_momentums
                w[i] = (w[i] + g[i] * negative_learning_rate) + v * momentum
            else:
                w[i] = w[i] + v
        else:
            # PyTorch: b = μ·b + (1 - τ)·g;  W -= lr · (g + μ·b if nesterov else b)
            v = velocity[i] * momentum + g[i] * one_minus_dampening
            velocity[i] = v
            step = v * momentum + g[i] if nesterov else v
            w[i] = w[i] + step * negative_learning_rate


def adagrad_loop(w, g, cache, constants):
    """Optimizer_Adagrad's rule, one element at a time (compiled by numba, see _kernels)."""
    negative_learning_rate, epsilon = constants
    size = w.size
    w, g, cache = w.reshape(size), g.reshape(size), cache.reshape(size)
    for i in range(size):
        # weight_cache += g²;  W += -lr · g / (√weight_cache + ε)
        c = cache[i] + g[i] * g[i]
        cache[i] = c
        w[i] = w[i] + (g[i] * negative_learning_rate) / (np.sqrt(c) + epsilon)


@functools.cache
def _kernels() -> SimpleNamespace:
    """The loops above, compiled (once per process; numba caches the machine code on disk)."""
    try:
        import numba
    except ImportError as error:
        raise ImportError(
            f"fused=True compiles the update with numba, which is not installed; "
            f"{INSTALL_HINT} (or leave fused=False: the same numbers, in NumPy)"
        ) from error

    # error_model="numpy": a division by zero gives inf or NaN, as in NumPy, instead of a
    # check per element (which would also keep the loop from being vectorized)
    compile_ = numba.njit(nogil=True, cache=True, error_model="numpy")
    return SimpleNamespace(
        adam=compile_(adam_loop), sgd=compile_(sgd_loop), adagrad=compile_(adagrad_loop)
    )
