"""Gradient checking: does ``backward`` compute the derivative of ``forward``?

Every gradient a layer's ``backward`` computes can be checked without calculus, by nudging one
number at a time and watching a scalar ``f`` move. The *central difference*::

    (f(v + ε) - f(v - ε)) / (2ε)

approaches ``df/dv`` as ε shrinks (its error shrinks like ε²). :func:`check_gradients` does this
for every entry of every weight, bias and input, and compares the result with the analytic
gradient that ``backward`` computed::

    from nnlite import Layer_Dense
    from nnlite.gradcheck import check_gradients

    report = check_gradients(Layer_Dense(3, 4), np.random.randn(5, 3))
    print(report)              # a table: quantity, worst relative error, where, both values
    report.raise_if_failed()   # or an error that explains the first disagreement

What ``f`` is:

* for a layer or activation (or a list of them), ``f = Σ output · R`` for a fixed random array
  ``R``, so the ``dvalues`` that ``backward`` receives is exactly ``R``;
* for a loss (``y`` given), ``f`` is the mean loss, and ``backward(predictions, y)`` is checked;
* for a list of layers ending with a loss, ``f`` is the mean loss of the whole network.

The L1/L2 penalties of regularized layers are added to ``f`` (as ``Loss.regularization_loss``
computes them), because ``backward`` adds their gradients to ``dweights`` and ``dbiases``.

How the two are compared: ``f`` itself carries rounding errors of a few units in the last
place of the numbers it sums (``Σ |output · R|``, or the mean of the absolute sample losses,
plus the penalties), so the numeric gradient is only known to ± a *resolution*
``δ = ROUNDING_UNITS · spacing(that size) / (2ε)``. The relative error of an entry is the part
of the difference that rounding cannot explain, relative to the gradient::

    relative error = max(|analytic - numeric| - δ, 0) / max(|analytic|, |numeric|)

Where a function has a kink (ReLU at 0, ``|w|`` at 0, a clipped probability), the two sides
disagree without a bug: finite differences measure the average slope across the kink. Note
that ``spiral_data`` starts every class at the point (0, 0), where a new layer's outputs are
its zero biases, exactly on ReLU's kink.

The check runs on a float64 deep copy: your layer, its arrays and its random generator are
never touched. Randomness (dropout masks) is rewound before every forward pass so that each pass
draws the same mask, and the global ``np.random`` stream is left exactly as it was, so a gradient
check in the middle of a book script does not change the numbers the script prints.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from nnlite.losses.base import Loss
from nnlite.parameters import trainable_parameters

__all__ = ["GradientCheckError", "GradientComparison", "GradientReport", "check_gradients"]

# How many units in the last place of f the rounding in f may reach. Measured: at most 2.2 over
# hundreds of random dense and tanh layers of up to 30 x 30; 8 leaves a margin.
ROUNDING_UNITS = 8

_PENALTIES = Loss()


class GradientCheckError(AssertionError):
    """Raised by :meth:`GradientReport.raise_if_failed` when a gradient disagrees."""


@dataclass(frozen=True, eq=False)
class GradientComparison:
    """One gradient (``dweights``, ``dbiases`` or ``dinputs``): backward's and the numeric one."""

    quantity: str
    analytic: np.ndarray
    numeric: np.ndarray
    relative_errors: np.ndarray
    tolerance: float

    @property
    def worst_error(self) -> float:
        return float(self.relative_errors.max()) if self.relative_errors.size else 0.0

    @property
    def worst_index(self) -> tuple[int, ...]:
        """Where the error is largest (or, when all agree, where they differ the most)."""
        if not self.relative_errors.size:
            return (0,) * self.relative_errors.ndim
        ranking = self.relative_errors
        if not ranking.any():
            ranking = np.abs(self.analytic - self.numeric)
        flat = int(np.argmax(ranking))
        return tuple(int(i) for i in np.unravel_index(flat, ranking.shape))

    @property
    def passed(self) -> bool:
        return self.worst_error < self.tolerance

    def explain(self, epsilon: float) -> str:
        """Why this quantity failed, in words (minitorch's ``central_difference`` style)."""
        index = self.worst_index
        return (
            f"{self.quantity} is wrong at index {index}: backward() gives "
            f"{self.analytic[index]:.10g}, but nudging that one entry by ε = {epsilon:g} gives "
            f"(f(v + ε) - f(v - ε)) / (2ε) = {self.numeric[index]:.10g}, a relative error of "
            f"{self.worst_error:.2e} (tolerance {self.tolerance:g}).\n"
            f"Check the backward formula for {self.quantity}. If this entry sits exactly on a "
            f"kink (a ReLU input of 0, a weight of 0 under L1, y == ŷ in mean absolute error, "
            f"a probability at the 1e-7 clip), finite differences measure the average slope "
            f"across it, and the disagreement is not a bug."
        )


@dataclass(frozen=True, eq=False)
class GradientReport:
    """The result of :func:`check_gradients`: one :class:`GradientComparison` per gradient."""

    subject: str
    objective: str
    comparisons: tuple[GradientComparison, ...]
    epsilon: float
    tolerance: float
    resolution: float

    @property
    def passed(self) -> bool:
        return all(comparison.passed for comparison in self.comparisons)

    @property
    def errors(self) -> dict[str, float]:
        """The worst relative error of each quantity, by name."""
        return {c.quantity: c.worst_error for c in self.comparisons}

    def __getitem__(self, quantity: str) -> GradientComparison:
        for comparison in self.comparisons:
            if comparison.quantity == quantity:
                return comparison
        raise KeyError(f"no quantity {quantity!r}; the report has {list(self.errors)}")

    def raise_if_failed(self) -> None:
        """Raise :class:`GradientCheckError` explaining the first gradient that disagrees."""
        for comparison in self.comparisons:
            if not comparison.passed:
                raise GradientCheckError(f"{comparison.explain(self.epsilon)}\n\n{self}")

    def __str__(self) -> str:
        rows = [("quantity", "worst relative error", "at", "analytic", "numeric", "result")]
        for c in self.comparisons:
            index = c.worst_index
            analytic, numeric = ("-", "-")
            if c.analytic.size:
                analytic, numeric = f"{c.analytic[index]:.10g}", f"{c.numeric[index]:.10g}"
            verdict = "ok" if c.passed else "FAILED"
            rows.append(
                (c.quantity, f"{c.worst_error:.2e}", str(index), analytic, numeric, verdict)
            )
        widths = [max(len(cell) for cell in column) for column in zip(*rows, strict=True)]
        table = ["  ".join(map(str.ljust, row, widths)).rstrip() for row in rows]
        failed = [c.quantity for c in self.comparisons if not c.passed]
        if failed:
            summary = f"FAILED: {', '.join(failed)} (raise_if_failed() explains the first one)."
        else:
            summary = f"All {len(self.comparisons)} gradients agree with finite differences."
        return "\n".join(
            [
                f"Gradient check of {self.subject} in float64",
                f"f = {self.objective}",
                f"central differences with ε = {self.epsilon:g} resolve gradients to "
                f"±{self.resolution:.1e}; tolerance {self.tolerance:g}",
                *table,
                summary,
            ]
        )

    def _repr_pretty_(self, printer: object, cycle: bool) -> None:
        # A report on the last line of a notebook cell shows as its table
        printer.text(str(self))


def check_gradients(
    subject: object | Sequence[object],
    inputs: np.ndarray,
    y: np.ndarray | None = None,
    *,
    epsilon: float = 1e-6,
    tolerance: float = 1e-6,
    training: bool = True,
    seed: int = 0,
) -> GradientReport:
    """Compare every analytic gradient of ``subject`` with central finite differences.

    Parameters
    ----------
    subject:
        A layer or activation (anything with ``forward(inputs)`` and ``backward(dvalues)``), a
        loss (``forward(y_pred, y_true)`` and ``backward(dvalues, y_true)``), the combined
        ``Activation_Softmax_Loss_CategoricalCrossentropy``, or a list of these forming a
        small network, optionally ending with a loss.
    inputs:
        The batch fed to the first object (the predictions, for a loss alone). Integer
        inputs (ids for an embedding) are passed unchanged, and ``dinputs`` is not checked.
    y:
        The targets, when ``subject`` is or ends with a loss.
    epsilon:
        The nudge ε of the central difference.
    tolerance:
        The largest worst relative error that counts as agreement.
    training:
        Passed to ``forward`` where it takes it (dropout drops when True).
    seed:
        Seed of the random ``R`` in ``f = Σ output · R`` (not the global stream).

    Returns
    -------
    GradientReport
        Print it for a table; ``.passed`` and ``.raise_if_failed()`` for a verdict.
    """
    if np.dot(np.ones(1), np.ones(1)).dtype != np.float64:
        raise RuntimeError(
            "check_gradients: np.dot returns float32 in this process, so the float64 check "
            "would compare float32 numbers: nnfs.init() makes np.dot compute in float64 and "
            "round to float32. Check gradients before calling nnfs.init(), or in a fresh process"
        )
    network = _Network(subject, y, training)
    # Integer inputs (ids for an embedding) are not differentiable: they are used as they are
    x = np.array(inputs, dtype=None if _is_integer(inputs) else np.float64)
    y = None if y is None else np.array(y, dtype=np.float64 if _is_float(y) else None)

    global_state = np.random.get_state()
    try:
        network.remember_randomness()
        # One forward pass to learn the output's shape, then draw R outside the global stream
        output = network.forward(x)
        dvalues = None
        if network.loss is None:
            dvalues = np.random.default_rng(seed).standard_normal(output.shape)

        def f() -> float:
            return network.objective(x, y, dvalues)

        # Analytic gradients from backward(), right after a forward pass
        f()
        analytic = network.backward(y, dvalues)
        resolution = ROUNDING_UNITS * float(np.spacing(network.magnitude)) / (2 * epsilon)

        # Numeric gradients: nudge each entry of each array by ±ε
        comparisons = tuple(
            _compare(
                quantity,
                analytic[quantity],
                _central_differences(f, array, epsilon),
                resolution,
                tolerance,
            )
            for quantity, array in network.arrays(x)
        )
    finally:
        np.random.set_state(global_state)

    return GradientReport(
        subject=network.description,
        objective=network.objective_description,
        comparisons=comparisons,
        epsilon=epsilon,
        tolerance=tolerance,
        resolution=resolution,
    )


class _Network:
    """A float64 deep copy of the objects to check, run in order, with a scalar objective."""

    def __init__(self, subject: object | Sequence[object], y: object, training: bool) -> None:
        objects = list(subject) if isinstance(subject, (list, tuple)) else [subject]
        if not objects:
            raise ValueError("check_gradients: got an empty list of layers")
        descriptions = ", ".join(repr(o) for o in objects)
        self.description = f"[{descriptions}]" if len(objects) > 1 else descriptions
        # Work on copies so that the caller's layers keep their arrays and generators
        objects = copy.deepcopy(objects)
        for layer in objects:
            if hasattr(layer, "needs_dinputs"):
                layer.needs_dinputs = True  # a Model's first layer skips dinputs; check it all
        self.loss = objects.pop() if _is_loss(objects[-1]) else None
        for position, layer in enumerate(objects):
            if _is_loss(layer):
                raise ValueError(
                    f"check_gradients: a loss can only come last, got {layer!r} at position "
                    f"{position}"
                )
        if self.loss is not None and y is None:
            raise TypeError(f"check_gradients: {self.loss!r} is a loss and needs the targets y")
        if self.loss is None and y is not None:
            raise TypeError(
                "check_gradients: y was given but the last object is not a loss "
                "(a loss has backward(dvalues, y_true))"
            )
        self.layers = objects
        self.training = training
        self.objective_description = (
            "mean loss" if self.loss else "Σ output · R, for a fixed random R"
        )
        if any(_PENALTIES.regularization_loss(layer) for layer in objects):
            self.objective_description += " + L1/L2 penalties"
        for layer in self.layers:
            # Check in float64, and let each backward replace the gradients, not add to them
            for parameter in trainable_parameters(layer):
                value = getattr(layer, parameter.name)
                setattr(layer, parameter.name, np.array(value, dtype=np.float64))
            if getattr(layer, "accumulate_gradients", False):
                layer.accumulate_gradients = False

    def remember_randomness(self) -> None:
        self._global_state = np.random.get_state()
        self._generators = [
            (generator, copy.deepcopy(generator.bit_generator.state))
            for generator in (getattr(layer, "rng", None) for layer in self.layers)
            if isinstance(generator, np.random.Generator)
        ]

    def forward(self, x: np.ndarray) -> np.ndarray:
        # Rewind every random stream, so that dropout draws the same mask on every pass
        np.random.set_state(self._global_state)
        for generator, state in self._generators:
            generator.bit_generator.state = state
        for layer in self.layers:
            x = _forward(layer, x, self.training)
        return x

    def objective(self, x: np.ndarray, y: np.ndarray | None, dvalues: np.ndarray | None) -> float:
        """f, the scalar to differentiate; also sets ``predictions`` and ``magnitude``."""
        self.predictions = self.forward(x)
        penalty = sum(_PENALTIES.regularization_loss(layer) for layer in self.layers)
        if self.loss is None:
            terms = self.predictions * dvalues
            # The size of the numbers summed, which sets the size of the rounding errors
            self.magnitude = np.sum(np.abs(terms)) + penalty
            return float(np.sum(terms) + penalty)
        if _is_combined(self.loss):
            self.predictions = _forward(self.loss.activation, self.predictions, self.training)
            sample_losses = self.loss.loss.forward(self.predictions, y)
        else:
            sample_losses = self.loss.forward(self.predictions, y)
        self.magnitude = np.mean(np.abs(sample_losses)) + penalty
        return float(np.mean(sample_losses) + penalty)

    def backward(self, y: np.ndarray | None, dvalues: np.ndarray | None) -> dict[str, np.ndarray]:
        """Run backward through the copies (after ``objective``) and collect the gradients."""
        if self.loss is not None:
            self.loss.backward(self.predictions, y)
            dvalues = self.loss.dinputs
        for layer in reversed(self.layers):
            if hasattr(layer, "backward"):  # Layer_Input has none: its gradient is the identity
                layer.backward(dvalues)
                dvalues = layer.dinputs
        gradients = {}
        if dvalues is not None:  # None from a layer whose inputs are ids
            gradients["dinputs"] = np.array(dvalues, dtype=np.float64)
        for prefix, layer in self._prefixed_layers():
            for parameter in trainable_parameters(layer):
                gradient = getattr(layer, parameter.gradient)
                gradients[prefix + parameter.gradient] = np.array(gradient, dtype=np.float64)
        return gradients

    def arrays(self, x: np.ndarray) -> list[tuple[str, np.ndarray]]:
        """Each array to nudge, named by its gradient; the nudges happen in place."""
        arrays = [
            (prefix + parameter.gradient, getattr(layer, parameter.name))
            for prefix, layer in self._prefixed_layers()
            for parameter in trainable_parameters(layer)
        ]
        if np.issubdtype(x.dtype, np.integer):
            return arrays
        return [*arrays, ("dinputs", x)]

    def _prefixed_layers(self) -> list[tuple[str, object]]:
        if len(self.layers) == 1:
            return [("", self.layers[0])]
        return [(f"layers[{i}] {layer!r}: ", layer) for i, layer in enumerate(self.layers)]


def _central_differences(f: Callable[[], float], array: np.ndarray, epsilon: float) -> np.ndarray:
    """(f(v + ε) - f(v - ε)) / (2ε) for every entry v of ``array``, restoring each entry."""
    numeric = np.zeros(array.shape, dtype=np.float64)
    for index in np.ndindex(array.shape):
        original = array[index]
        array[index] = plus = original + epsilon
        f_plus = f()
        array[index] = minus = original - epsilon
        f_minus = f()
        array[index] = original
        # Divide by the step actually taken: v ± ε is rounded when v is large
        numeric[index] = (f_plus - f_minus) / (plus - minus)
    return numeric


def _compare(
    quantity: str,
    analytic: np.ndarray,
    numeric: np.ndarray,
    resolution: float,
    tolerance: float,
) -> GradientComparison:
    """Relative errors beyond the finite differences' resolution, entry by entry."""
    if analytic.shape != numeric.shape:
        raise ValueError(
            f"check_gradients: backward's {quantity} has shape {analytic.shape}, but the array "
            f"it is the gradient of has shape {numeric.shape}"
        )
    unexplained = np.maximum(np.abs(analytic - numeric) - resolution, 0)
    size = np.maximum(np.abs(analytic), np.abs(numeric))
    # Within the resolution the error is 0, even where both are 0
    errors = np.zeros_like(unexplained)
    np.divide(unexplained, size, out=errors, where=unexplained > 0)
    # A NaN or inf anywhere counts as infinitely wrong
    errors[~(np.isfinite(analytic) & np.isfinite(numeric))] = np.inf
    return GradientComparison(quantity, analytic, numeric, errors, tolerance)


def _forward(layer: object, inputs: np.ndarray, training: bool) -> np.ndarray:
    """Run ``layer.forward`` and return ``layer.output`` (the book's forward returns nothing).

    ``training`` is passed only to a forward that takes it (book chapter 18 on).
    """
    if "training" in _parameter_names(layer.forward):
        layer.forward(inputs, training=training)
    else:
        layer.forward(inputs)
    return layer.output


def _is_loss(obj: object) -> bool:
    """A loss's backward takes the targets too: ``backward(dvalues, y_true)``."""
    if isinstance(obj, Loss) or _is_combined(obj):
        return True
    backward = getattr(obj, "backward", None)
    return backward is not None and len(_parameter_names(backward)) == 2


def _is_combined(obj: object) -> bool:
    """Softmax and cross-entropy in one object (book chapter 9): ``.activation`` and ``.loss``."""
    return hasattr(obj, "activation") and hasattr(obj, "loss") and hasattr(obj, "backward")


def _parameter_names(method: Callable) -> list[str]:
    try:
        return list(inspect.signature(method).parameters)
    except (TypeError, ValueError):
        return []


def _is_float(values: object) -> bool:
    return np.issubdtype(np.asarray(values).dtype, np.floating)


def _is_integer(values: object) -> bool:
    return np.issubdtype(np.asarray(values).dtype, np.integer)
