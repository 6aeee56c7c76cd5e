"""Optimizer: the book's three hooks, shared by every optimizer in nnlite.

A training step calls, as in the book::

    optimizer.pre_update_params()       # learning-rate decay or schedule
    optimizer.update_params(dense1)     # one call per trainable layer
    optimizer.update_params(dense2)
    optimizer.post_update_params()      # iterations += 1

or ``optimizer.step([dense1, dense2])`` for the three at once.

A subclass states the names of the arrays it keeps per parameter (``state_suffixes``) and
defines ``update_parameter``, the update rule for one array, written in place. This base class
does everything else the same way for every optimizer:

* the learning rate: the book's ``decay`` (``lr · 1/(1 + decay · iterations)``) or a
  :class:`~nnlite.schedules.Schedule`;
* per-layer hyperparameters (``add_param_group``), as PyTorch's param groups;
* the gradient options: ``maximize``, clipping by value, by norm and by global norm, coupled
  L2 ``weight_decay`` (g ← g + λθ), or decoupled (θ ← θ(1 - lr·λ)), and ``l1_decay``
  (g ← g + λ₁·sign θ);
* the state on the layer, created lazily and kept per optimizer kind (see ``state.py``).

Nothing here allocates a parameter-sized array after the first step: gradients that need
changing are copied into a preallocated buffer, never into ``layer.dweights`` itself.
"""

from __future__ import annotations

import inspect
import math
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from nnlite.optimizers import blocks, checks, compiled
from nnlite.optimizers.blocks import BlockedUpdate, can_block, update_threads
from nnlite.optimizers.state import (
    OptimizerRecord,
    record_for,
    scratch_buffers,
    state_arrays,
    state_attribute,
)
from nnlite.optimizers.state_dict import load_optimizer_state_dict, optimizer_state_dict
from nnlite.parameters import Parameter, describe, trainable_parameters
from nnlite.schedules.base import Schedule

GROUP_SELECTORS = ("layers", "parameters")


@dataclass
class ParameterUpdate:
    """What ``update_parameter`` gets besides the parameter and its gradient."""

    learning_rate: float
    step: int
    state: dict[str, np.ndarray]
    scratch: list[np.ndarray]
    scalars: dict[str, Any]
    hyperparameters: Mapping[str, Any]
    parameter: Parameter


@dataclass
class UpdatePlan:
    """One parameter's update, prepared once (state arrays, dtypes, work arrays) and reused
    while the parameter, its gradient's dtype, the settings and the state arrays are the same
    (and, for one cut into blocks, the arrays are C-contiguous and the thread count is the
    same): checking that is much cheaper than preparing everything again at every step."""

    settings: dict[str, Any]
    shape: tuple[int, ...]
    value_dtype: np.dtype
    gradient_dtype: np.dtype
    attributes: tuple[tuple[str, np.ndarray], ...]
    changes_gradient: bool
    buffers: tuple[np.ndarray | None, np.ndarray | None]
    update: ParameterUpdate
    #: For a large parameter of an element-wise rule: the update cut into blocks (blocks.py)
    blocked: BlockedUpdate | None = None

    def fits(
        self, layer: object, value: np.ndarray, gradient: np.ndarray, settings: dict[str, Any]
    ) -> bool:
        if (
            value.shape != self.shape
            or value.dtype != self.value_dtype
            or gradient.dtype != self.gradient_dtype
            or (settings is not self.settings and settings != self.settings)
        ):
            return False
        for name, array in self.attributes:
            if getattr(layer, name, None) is not array:
                return False
        return self.blocked is None or (
            value.flags.c_contiguous
            and gradient.flags.c_contiguous
            and self.blocked.threads == update_threads()
        )


class Optimizer:
    """Base class of the optimizers; see the module docstring for what it provides."""

    #: State arrays kept per parameter, named ``<prefix>_<suffix>`` on the layer.
    state_suffixes: tuple[str, ...] = ()
    #: Work arrays per parameter that ``update_parameter`` may use freely.
    scratch_count: int = 0
    #: State updated in place (``cache += g²``), which keeps the parameter's dtype as in the
    #: book; every other state array takes the dtype of ``parameter op gradient``.
    in_place_states: tuple[str, ...] = ()
    #: The rule treats every element on its own and keeps no running scalars, so a large
    #: parameter may be updated a block at a time, on several threads (see blocks.py)
    elementwise: bool = False

    def __init__(
        self,
        *,
        learning_rate: float | Schedule,
        decay: float = 0.0,
        weight_decay: float = 0.0,
        decoupled_weight_decay: bool = False,
        l1_decay: float = 0.0,
        maximize: bool = False,
        clip_value: float | None = None,
        clip_norm: float | None = None,
        global_clip_norm: float | None = None,
        hyperparameters: dict[str, Any] | None = None,
    ) -> None:
        if isinstance(learning_rate, Schedule):
            if decay:
                raise ValueError(
                    "Give either decay or a learning-rate schedule, not both: decay is the "
                    "book's inverse-time schedule (Schedule_InverseTimeDecay)"
                )
            self.schedule: Schedule | None = learning_rate
            learning_rate = learning_rate.initial_learning_rate
        else:
            self.schedule = None
        checks.learning_rate(learning_rate)
        checks.non_negative("decay", decay)
        checks.non_negative("weight_decay", weight_decay)
        checks.non_negative("l1_decay", l1_decay)
        for label, value in (
            ("clip_value", clip_value),
            ("clip_norm", clip_norm),
            ("global_clip_norm", global_clip_norm),
        ):
            checks.positive_or_none(label, value)

        self.learning_rate = learning_rate
        self.current_learning_rate = learning_rate
        self.decay = decay
        self.iterations = 0
        self._hyperparameter_names = (
            "learning_rate",
            *(hyperparameters or {}),
            "weight_decay",
            "decoupled_weight_decay",
            "l1_decay",
            "maximize",
            "clip_value",
            "clip_norm",
        )
        for name, value in (hyperparameters or {}).items():
            setattr(self, name, value)
        self.weight_decay = weight_decay
        self.decoupled_weight_decay = decoupled_weight_decay
        self.l1_decay = l1_decay
        self.maximize = maximize
        self.clip_value = clip_value
        self.clip_norm = clip_norm
        self.global_clip_norm = global_clip_norm
        self._learning_rate_factor = 1.0
        self._global_clip_scale: float | None = None
        self._explicit_groups: list[dict[str, Any]] = []
        if self.schedule is not None and self.schedule.momentum(0) is not None:
            if self._cycled_momentum_name() is None:
                raise ValueError(
                    "optimizer must support momentum or beta1 with `cycle_momentum` option enabled"
                )

    # ------------------------------------------------------------------ the book's hooks

    def pre_update_params(self) -> None:
        """Set ``current_learning_rate`` for this step (call once, before the updates)."""
        if self.schedule is not None:
            self.current_learning_rate = self.schedule(self.iterations)
            initial = self.schedule.initial_learning_rate
            self._learning_rate_factor = self.current_learning_rate / initial if initial else 0.0
            momentum = self.schedule.momentum(self.iterations)
            if momentum is not None:
                # One-cycle and cyclic schedules cycle the momentum (Adam's β₁) too, in every
                # group, and the last value stays, as PyTorch's schedulers do
                name = self._cycled_momentum_name()
                setattr(self, name, momentum)
                for group in self._explicit_groups:
                    if name in group:
                        group[name] = momentum
        elif self.decay:
            # The book's form, multiplying by the reciprocal (it decides the last printed digit)
            self._learning_rate_factor = 1.0 / (1.0 + self.decay * self.iterations)
            self.current_learning_rate = self.learning_rate * self._learning_rate_factor

    def update_params(self, layer: object) -> None:
        """Update every trainable parameter of ``layer`` from its gradient, in place.

        Every parameter is checked and its update prepared before anything changes, so a bad
        argument (or a missing optional package) leaves the layer as it was.
        """
        parameters = trainable_parameters(layer)
        if not parameters:
            if getattr(layer, "trainable", True) is False:
                return  # a frozen layer
            raise TypeError(
                f"{type(self).__name__}.update_params: {describe(layer)} has no trainable "
                f"parameters (no weights); pass only layers such as Layer_Dense"
            )
        if self.global_clip_norm is not None and self._global_clip_scale is None:
            raise RuntimeError(
                f"{type(self).__name__}: global_clip_norm needs every layer's gradients at "
                f"once; call optimizer.step([layer1, layer2, ...]) instead of update_params"
            )
        where = _Where(self, layer)  # the message prefix, formatted only if something fails
        pairs = [(p, *self._value_and_gradient(layer, p, where)) for p in parameters]
        record = record_for(layer, type(self).__name__, where)
        defaults = self._default_settings()
        prepared = []
        for parameter, value, gradient in pairs:
            settings, learning_rate = self._settings_for(layer, parameter, defaults)
            plan = record.plans.get(parameter.name)
            if (
                plan is None
                or not plan.fits(layer, value, gradient, settings)
                or (self.global_clip_norm is not None and plan.buffers[0] is None)
            ):
                plan = self._plan(layer, record, parameter, value, gradient, settings, where)
                record.plans[parameter.name] = plan
            prepared.append((parameter, value, gradient, settings, learning_rate, plan))
        for parameter, value, gradient, settings, learning_rate, plan in prepared:
            step = record.steps.get(parameter.name, 0) + 1
            record.steps[parameter.name] = step
            if plan.changes_gradient or self._global_clip_scale not in (None, 1.0):
                gradient = self._prepared_gradient(value, gradient, settings, *plan.buffers)
            if settings["decoupled_weight_decay"] and settings["weight_decay"]:
                # Decoupled (AdamW-style) decay: θ ← θ · (1 - lr·λ)
                np.multiply(value, 1 - learning_rate * settings["weight_decay"], out=value)
            if plan.blocked is not None:
                plan.blocked.run(
                    self.update_parameter, value, gradient, learning_rate, step, settings
                )
                continue
            update = plan.update
            update.learning_rate, update.step, update.hyperparameters = (
                learning_rate,
                step,
                settings,
            )
            self.update_parameter(value, gradient, update)

    def _plan(
        self,
        layer: object,
        record: OptimizerRecord,
        parameter: Parameter,
        value: np.ndarray,
        gradient: np.ndarray,
        settings: dict[str, Any],
        where: object,
    ) -> UpdatePlan:
        """Prepare one parameter's update: its state arrays, dtypes and work arrays."""
        if settings.get("fused"):
            compiled.require(f"{type(self).__name__}(fused=True)")
        suffixes = self.state_suffixes_for(settings)
        # float32 weights with float64 gradients compute in float64, as NumPy (the book) does
        compute_dtype = np.result_type(value.dtype, gradient.dtype)
        dtypes = {
            suffix: value.dtype if suffix in self.in_place_states else compute_dtype
            for suffix in suffixes
        }
        state = state_arrays(
            layer, record, parameter, value, suffixes, self.initial_state(settings), dtypes, where
        )
        if state:
            compute_dtype = np.result_type(compute_dtype, *state.values())
        blocked = self._rule_is_elementwise() and can_block([value, gradient, *state.values()])
        # Work arrays of the parameter's shape, or of one block's for each thread
        scratch = scratch_buffers(
            record,
            parameter.name,
            (0,) if blocked else value.shape,
            compute_dtype,
            self.scratch_count,
        )
        # Two more work arrays only if an option changes the gradient
        changes_gradient = self._changes_gradient(settings)
        buffers = (None, None)
        if changes_gradient or self.global_clip_norm is not None:
            buffers = tuple(
                scratch_buffers(record, f"{parameter.name}:gradient", value.shape, compute_dtype, 2)
            )
        update = ParameterUpdate(
            learning_rate=0.0,
            step=0,
            state=state,
            scratch=scratch,
            scalars=record.extras.setdefault(parameter.name, {}),
            hyperparameters=settings,
            parameter=parameter,
        )
        return UpdatePlan(
            settings=settings,
            shape=value.shape,
            value_dtype=value.dtype,
            gradient_dtype=gradient.dtype,
            attributes=tuple(
                (state_attribute(parameter, suffix), array) for suffix, array in state.items()
            ),
            changes_gradient=changes_gradient,
            buffers=buffers,
            update=update,
            blocked=(
                BlockedUpdate.prepare(
                    update,
                    value.size,
                    lambda thread: scratch_buffers(
                        record,
                        f"{parameter.name}:block{thread}",
                        (blocks.BLOCK_SIZE,),
                        compute_dtype,
                        self.scratch_count,
                    ),
                )
                if blocked
                else None
            ),
        )

    def _rule_is_elementwise(self) -> bool:
        """``elementwise`` as declared by the class that defines ``update_parameter``: a
        subclass with a rule of its own (which may take a norm over the whole array) is not
        cut into blocks unless it says so itself."""
        for cls in type(self).__mro__:
            if "update_parameter" in vars(cls):
                return bool(vars(cls).get("elementwise", False))
        return False

    def post_update_params(self) -> None:
        """Count the step (call once, after the updates)."""
        self.iterations += 1

    # The course notes' spellings
    def pre_update_param(self) -> None:
        self.pre_update_params()

    def update_param(self, layer: object) -> None:
        self.update_params(layer)

    def post_update_param(self) -> None:
        self.post_update_params()

    def step(self, layers: Iterable[object]) -> None:
        """Run the three hooks over ``layers``: one optimization step."""
        layers = list(layers)
        if self.global_clip_norm is not None:
            self._global_clip_scale = self._global_scale(layers)
        try:
            self.pre_update_params()
            for layer in layers:
                if trainable_parameters(layer):
                    self.update_params(layer)
            self.post_update_params()
        finally:
            self._global_clip_scale = None

    # ------------------------------------------------------------------ checkpoints

    def state_dict(self, layers: Mapping[str, object] | Iterable[object]) -> dict[str, Any]:
        """Settings, step counts and state arrays, keyed by layer and attribute name.

        ``layers``: a dict ``{"dense1": dense1, ...}`` or a list of layers with names.
        See ``nnlite/optimizers/state_dict.py`` for the layout.
        """
        return optimizer_state_dict(self, layers)

    def load_state_dict(
        self, state: Mapping[str, Any], layers: Mapping[str, object] | Iterable[object]
    ) -> None:
        """Restore a ``state_dict`` into this optimizer and ``layers``, checking it first.

        As in PyTorch, the saved hyperparameters replace the constructor's.
        """
        load_optimizer_state_dict(self, state, layers)

    # ------------------------------------------------------------------ the rule itself

    def update_parameter(
        self, value: np.ndarray, gradient: np.ndarray, update: ParameterUpdate
    ) -> None:
        """Change ``value`` in place from ``gradient``; each optimizer defines this."""
        raise NotImplementedError

    def state_suffixes_for(self, settings: Mapping[str, Any]) -> tuple[str, ...]:
        """The state a parameter with these settings keeps (``state_suffixes`` unless an
        option adds some, as ``amsgrad`` does)."""
        return self.state_suffixes

    def initial_state(self, group: Mapping[str, Any]) -> dict[str, float]:
        """Fill values of new state arrays by suffix (zeros unless a subclass says otherwise)."""
        return {}

    # ------------------------------------------------------------------ param groups

    @property
    def param_groups(self) -> list[MutableMapping[str, Any]]:
        """Hyperparameters per group of parameters, as PyTorch's ``param_groups``.

        Group 0 holds the optimizer's own hyperparameters (writing to it sets the attribute);
        the others come from ``add_param_group`` and apply to the layers and parameter names
        they select, overriding group 0 for the keys they give.
        """
        defaults = _DefaultGroup(self)
        return [defaults, *(_MergedGroup(group, defaults) for group in self._explicit_groups)]

    def add_param_group(self, group: Mapping[str, Any]) -> None:
        """Give some layers or parameters their own hyperparameters.

        ``group`` selects with ``"layers"`` (a list of layers; all if left out) and
        ``"parameters"`` (names such as ``["biases"]``; all if left out), and sets any
        hyperparameter of this optimizer, for example::

            optimizer.add_param_group({"layers": [dense2], "learning_rate": 1e-4})
            optimizer.add_param_group({"parameters": ["biases"], "weight_decay": 0.0})
        """
        if not isinstance(group, Mapping):
            raise TypeError(f"param_group must be a dict, but got {type(group)}")
        group = dict(group)
        settable = self._settable_hyperparameters()
        unknown = set(group) - set(GROUP_SELECTORS) - settable
        if unknown:
            raise ValueError(
                f"{type(self).__name__}.add_param_group: unknown key(s) {sorted(unknown)}; "
                f"a group selects with {list(GROUP_SELECTORS)} and may set {sorted(settable)}"
            )
        if "layers" in group:
            layers = group["layers"]
            if isinstance(layers, set) or not isinstance(layers, Iterable):
                raise TypeError("param group 'layers' must be a list of layers, in a fixed order")
            group["layers"] = list(layers)
        if "parameters" in group:
            names = group["parameters"]
            group["parameters"] = [names] if isinstance(names, str) else list(names)
        self._check_group_settings(group)
        self._explicit_groups.append(group)

    def _settable_hyperparameters(self) -> set[str]:
        """Hyperparameters a group may set: those this optimizer's constructor takes."""
        accepted = inspect.signature(type(self).__init__).parameters
        return {name for name in self._hyperparameter_names if name in accepted}

    def _check_group_settings(self, group: Mapping[str, Any]) -> None:
        """Check a group's settings with the constructor's own checks and messages, by
        building a throwaway optimizer of this class with them."""
        arguments = {}
        for name, parameter in inspect.signature(type(self).__init__).parameters.items():
            if name == "self" or parameter.kind in (
                parameter.VAR_POSITIONAL,
                parameter.VAR_KEYWORD,
            ):
                continue
            if name in group:
                arguments[name] = group[name]
            elif name == "learning_rate":
                arguments[name] = self.learning_rate
            elif hasattr(self, name):
                arguments[name] = getattr(self, name)
        type(self)(**arguments)

    def hyperparameters_for(self, layer: object, parameter_name: str) -> Mapping[str, Any]:
        """The hyperparameters that apply to one parameter of ``layer``."""
        for parameter in trainable_parameters(layer):
            if parameter.name == parameter_name:
                return self._group_for(layer, parameter)
        raise ValueError(f"{describe(layer)} has no trainable parameter {parameter_name!r}")

    # ------------------------------------------------------------------ helpers

    def _default_settings(self) -> dict[str, Any]:
        """Group 0's hyperparameters as a plain dict (read once per update_params).

        The same dict object while no hyperparameter changes, so that a prepared update can
        recognize its settings by identity.
        """
        values = tuple(getattr(self, name) for name in self._hyperparameter_names)
        cached = getattr(self, "_cached_settings", None)
        # Compared by identity: 0.9 and np.float64(0.9) are equal but compute differently
        if cached is None or any(a is not b for a, b in zip(cached[0], values, strict=True)):
            cached = (values, dict(zip(self._hyperparameter_names, values, strict=True)))
            self._cached_settings = cached
        return cached[1]

    def _explicit_group_for(self, layer: object, parameter: Parameter) -> dict[str, Any] | None:
        """The last added group that selects this parameter of ``layer``, if any."""
        for group in reversed(self._explicit_groups):
            layers = group.get("layers")
            names = group.get("parameters")
            if layers is not None and not any(layer is chosen for chosen in layers):
                continue
            if names is not None and parameter.name not in names:
                continue
            return group
        return None

    def _settings_for(
        self, layer: object, parameter: Parameter, defaults: dict[str, Any]
    ) -> tuple[dict[str, Any], float]:
        """The hyperparameters and the learning rate of this step for one parameter."""
        group = self._explicit_group_for(layer, parameter) if self._explicit_groups else None
        if group is None:
            return defaults, self.current_learning_rate
        settings = {**defaults, **group}
        if "learning_rate" in group:
            # A group's own rate follows the same decay or schedule as the optimizer's
            return settings, group["learning_rate"] * self._learning_rate_factor
        return settings, self.current_learning_rate

    def _group_for(self, layer: object, parameter: Parameter) -> Mapping[str, Any]:
        group = self._explicit_group_for(layer, parameter)
        defaults = _DefaultGroup(self)
        return defaults if group is None else _MergedGroup(group, defaults)

    def _cycled_momentum_name(self) -> str | None:
        for name in ("beta_1", "momentum"):
            if name in self._hyperparameter_names:
                return name
        return None

    def _value_and_gradient(
        self, layer: object, parameter: Parameter, where: object
    ) -> tuple[np.ndarray, np.ndarray]:
        value = getattr(layer, parameter.name)
        gradient = getattr(layer, parameter.gradient, None)
        if type(value) is np.ndarray and type(gradient) is np.ndarray:
            if gradient.shape == value.shape:
                return value, gradient  # the usual case, checked in one go
        if gradient is None:
            raise RuntimeError(
                f"{where}: {parameter.gradient} is missing; call backward() before updating"
            )
        if getattr(gradient, "is_sparse", False):
            raise RuntimeError(
                f"{where}: {type(self).__name__} does not support sparse gradients, please "
                f"consider Optimizer_SparseAdam instead (or Layer_Embedding(..., sparse=False))"
            )
        if not isinstance(value, np.ndarray) or not isinstance(gradient, np.ndarray):
            raise TypeError(
                f"{where}: {parameter.name} and {parameter.gradient} must be NumPy arrays, got "
                f"{type(value).__name__} and {type(gradient).__name__}"
            )
        if gradient.shape != value.shape:
            raise ValueError(
                f"{where}: {parameter.gradient} has shape {gradient.shape} but "
                f"{parameter.name} has shape {value.shape}"
            )
        return value, gradient

    def _prepared_gradient(
        self,
        value: np.ndarray,
        gradient: np.ndarray,
        group: Mapping[str, Any],
        buffer: np.ndarray | None,
        term: np.ndarray | None,
    ) -> np.ndarray:
        """The gradient the rule sees: the layer's own array, or a modified copy in ``buffer``.

        Called only when ``_changes_gradient(group)`` is true.
        """
        maximize = group["maximize"]
        clip_value = group["clip_value"]
        clip_norm = group["clip_norm"]
        weight_decay = 0.0 if group["decoupled_weight_decay"] else group["weight_decay"]
        l1_decay = group["l1_decay"]
        global_scale = self._global_clip_scale
        np.copyto(buffer, gradient)
        if maximize:
            np.negative(buffer, out=buffer)
        if global_scale is not None and global_scale != 1.0:
            np.multiply(buffer, global_scale, out=buffer)
        if clip_value:
            np.clip(buffer, -clip_value, clip_value, out=buffer)
        if clip_norm:
            norm = math.sqrt(float(np.vdot(buffer, buffer)))
            scale = clip_norm / (norm + 1e-6)
            if scale < 1.0:
                np.multiply(buffer, scale, out=buffer)
        if weight_decay:
            # Coupled weight decay, an L2 penalty: g ← g + λ·θ
            np.multiply(value, weight_decay, out=term)
            buffer += term
        if l1_decay:
            # L1 penalty: g ← g + λ₁·s, s = +1 where θ >= 0 and -1 where θ < 0 (as the book)
            np.greater_equal(value, 0, out=term)
            term *= 2 * l1_decay
            term -= l1_decay
            buffer += term
        return buffer

    def _changes_gradient(self, group: Mapping[str, Any]) -> bool:
        """Whether an option (maximize, clipping, coupled decay, L1) changes the gradient."""
        coupled_decay = group["weight_decay"] and not group["decoupled_weight_decay"]
        global_scale = self._global_clip_scale
        return bool(
            group["maximize"]
            or group["clip_value"]
            or group["clip_norm"]
            or coupled_decay
            or group["l1_decay"]
            or (global_scale is not None and global_scale != 1.0)
        )

    def _global_scale(self, layers: list[object]) -> float:
        total = 0.0
        for layer in layers:
            for parameter in trainable_parameters(layer):
                gradient = getattr(layer, parameter.gradient, None)
                if gradient is not None:
                    total += float(np.vdot(gradient, gradient))
        scale = self.global_clip_norm / (math.sqrt(total) + 1e-6)
        return min(scale, 1.0)

    def __repr__(self) -> str:
        settings = ", ".join(f"{k}={getattr(self, k)!r}" for k in self._hyperparameter_names)
        return f"{type(self).__name__}({settings})"


class _Where:
    """``Optimizer_Adam.update_params(Layer_Dense(2, 64))``, formatted only when printed."""

    __slots__ = ("layer", "optimizer")

    def __init__(self, optimizer: Optimizer, layer: object) -> None:
        self.optimizer = optimizer
        self.layer = layer

    def __str__(self) -> str:
        return f"{type(self.optimizer).__name__}.update_params({describe(self.layer)})"


class _DefaultGroup(MutableMapping):
    """Group 0: a dict view of the optimizer's own hyperparameter attributes."""

    def __init__(self, optimizer: Optimizer) -> None:
        self.optimizer = optimizer

    def __getitem__(self, key: str) -> Any:
        if key not in self.optimizer._hyperparameter_names:
            raise KeyError(key)
        return getattr(self.optimizer, key)

    def __setitem__(self, key: str, value: Any) -> None:
        if key not in self.optimizer._hyperparameter_names:
            raise KeyError(f"{type(self.optimizer).__name__} has no hyperparameter {key!r}")
        setattr(self.optimizer, key, value)
        if key == "learning_rate" and not self.optimizer.decay and self.optimizer.schedule is None:
            self.optimizer.current_learning_rate = value

    def __delitem__(self, key: str) -> None:
        raise TypeError("hyperparameters of group 0 cannot be removed")

    def __iter__(self) -> Iterator[str]:
        return iter(self.optimizer._hyperparameter_names)

    def __len__(self) -> int:
        return len(self.optimizer._hyperparameter_names)

    def __repr__(self) -> str:
        return repr(dict(self))


class _MergedGroup(MutableMapping):
    """An explicit group: its own settings over group 0's; writing sets its own."""

    def __init__(self, own: dict[str, Any], defaults: _DefaultGroup) -> None:
        self.own = own
        self.defaults = defaults

    def __getitem__(self, key: str) -> Any:
        if key in self.own:
            return self.own[key]
        return self.defaults[key]

    def __setitem__(self, key: str, value: Any) -> None:
        if key not in self.defaults and key not in GROUP_SELECTORS:
            raise KeyError(f"no hyperparameter {key!r}")
        self.own[key] = value

    def __delitem__(self, key: str) -> None:
        del self.own[key]

    def __iter__(self) -> Iterator[str]:
        yield from (key for key in GROUP_SELECTORS if key in self.own)
        yield from self.defaults

    def __len__(self) -> int:
        return len(list(iter(self)))

    def __repr__(self) -> str:
        return repr(dict(self))
